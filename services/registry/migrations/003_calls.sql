-- Public calls (avvisi pubblici per manifestazione di interesse).
CREATE TABLE calls (
    id            uuid        PRIMARY KEY,
    seq           bigserial   UNIQUE,
    title         text        NOT NULL,
    description   text        NOT NULL DEFAULT '',
    areas         text[]      NOT NULL,
    requirements  text        NOT NULL DEFAULT '',
    opens_at      timestamptz NOT NULL,
    closes_at     timestamptz NOT NULL,
    status        text        NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'closed')),
    published_at  timestamptz,
    closed_at     timestamptz,
    version       int         NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (opens_at < closes_at)
);
