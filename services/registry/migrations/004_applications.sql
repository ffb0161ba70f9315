-- Applications to a call, their protocol numbers, and the people they name.

-- One counter per protocol year; the row lock taken by the increment
-- serialises concurrent submissions, and a rolled-back submission rolls the
-- counter back too: numbers have no gaps and no duplicates.
CREATE TABLE protocol_counters (
    year         int PRIMARY KEY,
    last_number  int NOT NULL
);

CREATE TABLE applications (
    id                 uuid        PRIMARY KEY,
    seq                bigserial   UNIQUE,
    call_id            uuid        NOT NULL REFERENCES calls (id),
    protocol_year      int         NOT NULL,
    protocol_seq       int         NOT NULL,
    protocol_number    text        NOT NULL UNIQUE,
    organisation_name  text        NOT NULL,
    organisation_type  text        NOT NULL,
    tax_code           text        NOT NULL,
    runts_section      char(1),
    runts_number       text,
    seat_istat         char(6)     NOT NULL,
    areas              text[]      NOT NULL,
    declarations       jsonb       NOT NULL,
    status             text        NOT NULL DEFAULT 'submitted'
                                   CHECK (status IN ('submitted', 'admitted', 'rejected')),
    rejection_reason   text,
    stakeholder_id     uuid,
    submitted_by       text        NOT NULL,
    submitted_at       timestamptz NOT NULL DEFAULT now(),
    reviewed_by        text,
    reviewed_at        timestamptz,
    version            int         NOT NULL DEFAULT 1,
    UNIQUE (protocol_year, protocol_seq),
    UNIQUE (call_id, tax_code)
);
CREATE INDEX applications_submitted_by ON applications (submitted_by);

-- Personal data: people named by applications (legal representative, contact
-- person) and, after admission, linked to the stakeholder. Only this
-- database holds them; erasure deletes the rows.
CREATE TABLE people (
    id              uuid        PRIMARY KEY,
    application_id  uuid        REFERENCES applications (id),
    stakeholder_id  uuid,
    role            text        NOT NULL CHECK (role IN ('legal_representative', 'contact_person')),
    full_name       text        NOT NULL,
    tax_code        text,
    email           text,
    phone           text,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX people_application ON people (application_id);
CREATE INDEX people_stakeholder ON people (stakeholder_id);
CREATE INDEX people_tax_code ON people (tax_code);
CREATE INDEX people_email ON people (lower(email));
