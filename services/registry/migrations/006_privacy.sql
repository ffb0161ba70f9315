-- Who read or changed personal data, and what each erasure removed.
CREATE TABLE personal_data_access_log (
    id           bigserial   PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    subject      text        NOT NULL,
    action       text        NOT NULL CHECK (action IN ('read', 'create', 'update', 'erase')),
    resource     text        NOT NULL,
    resource_id  text        NOT NULL,
    request_id   text
);
CREATE INDEX personal_data_access_log_at ON personal_data_access_log (at);

CREATE TABLE erasures (
    id            uuid        PRIMARY KEY,
    requested_by  text        NOT NULL,
    requested_at  timestamptz NOT NULL DEFAULT now(),
    matched_by    text        NOT NULL,
    removed       jsonb       NOT NULL
);
