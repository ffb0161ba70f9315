-- A representative asks the Ufficio di Piano to correct what the register
-- holds of its organisation (issue 13): the fields with the proposed values
-- and a reason; the office accepts (the stakeholder is updated, with its
-- history and event, in the same transaction) or rejects with a reason.
CREATE TABLE correction_requests (
    id                   uuid        PRIMARY KEY,
    seq                  bigserial   UNIQUE,
    stakeholder_id       uuid        NOT NULL REFERENCES stakeholders (id),
    stakeholder_name     text        NOT NULL,   -- as the representative read it
    stakeholder_version  int         NOT NULL,   -- the version the request was made on
    current              jsonb       NOT NULL,   -- {field: value then} of the fields asked for
    changes              jsonb       NOT NULL,   -- {field: proposed value}
    reason               text        NOT NULL,
    status               text        NOT NULL DEFAULT 'pending'
                                     CHECK (status IN ('pending', 'accepted', 'rejected')),
    requested_by         text        NOT NULL,
    requested_at         timestamptz NOT NULL DEFAULT now(),
    decided_by           text,
    decided_at           timestamptz,
    rejection_reason     text,
    applied_version      int,                    -- the stakeholder's version the acceptance wrote
    version              int         NOT NULL DEFAULT 1
);
-- One request waiting per organisation: a second click, or a second
-- representative, is told which one waits instead of filing a duplicate.
CREATE UNIQUE INDEX correction_requests_one_pending ON correction_requests (stakeholder_id)
    WHERE status = 'pending';
CREATE INDEX correction_requests_status ON correction_requests (status, seq);
CREATE INDEX correction_requests_requested_by ON correction_requests (requested_by, seq);
