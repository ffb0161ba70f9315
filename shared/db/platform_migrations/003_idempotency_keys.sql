-- Idempotency-Key records: a retried POST gets the first answer back instead
-- of creating twice. Scoped by the caller, kept for a day.
CREATE TABLE idempotency_keys (
    subject       text        NOT NULL,
    key           text        NOT NULL,
    fingerprint   text        NOT NULL,
    status        int,
    body          bytea,
    content_type  text,
    location      text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subject, key)
);
