-- Personal data in consultation (the attendees named in attendance registers):
-- who read, wrote or erased it, and what each erasure removed. The same shape
-- as the registry's (registry/006, 009), in this service's own database.
CREATE TABLE personal_data_access_log (
    id           bigserial   PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    subject      text        NOT NULL,
    action       text        NOT NULL CHECK (action IN ('read', 'create', 'update', 'erase')),
    resource     text        NOT NULL CHECK (resource IN ('attendee')),
    resource_id  text        NOT NULL,
    request_id   text
);
CREATE INDEX personal_data_access_log_at ON personal_data_access_log (at);
CREATE INDEX personal_data_access_log_subject ON personal_data_access_log (subject, id);
CREATE INDEX personal_data_access_log_resource_id ON personal_data_access_log (resource_id, id);

-- What an erasure removed: record ids and field names, never the erased values.
CREATE TABLE erasures (
    id            uuid        PRIMARY KEY,
    requested_by  text        NOT NULL,
    requested_at  timestamptz NOT NULL DEFAULT now(),
    removed       jsonb       NOT NULL
);
