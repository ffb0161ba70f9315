-- Consumers' tracking table: one row per event handled, written in the same
-- transaction as the projection, so a redelivered event is skipped.
CREATE TABLE processed_events (
    consumer      text        NOT NULL,
    event_id      text        NOT NULL,
    event_type    text        NOT NULL,
    topic         text        NOT NULL,
    kafka_partition int       NOT NULL,
    kafka_offset  bigint      NOT NULL,
    processed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
