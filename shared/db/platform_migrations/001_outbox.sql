-- Transactional outbox: a service writes its events here in the same
-- transaction as the change; the relay publishes them to Kafka.
CREATE TABLE outbox (
    id            bigserial PRIMARY KEY,
    event_id      uuid        NOT NULL UNIQUE,
    topic         text        NOT NULL,
    type          text        NOT NULL,
    source        text        NOT NULL,
    tenant        text        NOT NULL,
    subject       text        NOT NULL,
    event_time    text        NOT NULL,
    data          jsonb       NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    published_at  timestamptz
);
CREATE INDEX outbox_pending ON outbox (id) WHERE published_at IS NULL;
