-- Consultation tables (tavoli): thematic, the plenary, standing tables (tavoli
-- permanenti), with their member organisations and the accounts that may act
-- for each. The shared contract of issue 8: sessions, contributions, rounds and
-- questionnaires hang off these rows. People are named only in attendance
-- registers (sessions), never here: accounts are token subjects.
CREATE TABLE consultation_tables (
    id           uuid        PRIMARY KEY,
    -- list order (the shared cursor pagination)
    seq          bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    kind         text        NOT NULL CHECK (kind IN ('thematic', 'plenary', 'standing')),
    title        text        NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    description  text        NOT NULL DEFAULT '',
    -- the region's thematic area codes (shared/regions.py); a plenary may have none
    areas        text[]      NOT NULL DEFAULT '{}',
    -- the account (token subject, with the role `coordinator` or `operator` in
    -- this Ambito) that coordinates the table; null until one is named
    coordinator  text,
    -- open: an active organisation's representative may ask to join and is
    -- admitted by the coordinator; closed: only the office adds members
    membership   text        NOT NULL DEFAULT 'closed' CHECK (membership IN ('open', 'closed')),
    status       text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
    version      int         NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   text        NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consultation_tables_kind ON consultation_tables (kind, seq);

-- An organisation's membership of a table. The organisation is one of the
-- register replica (organisations.organisation_id); `accounts` are the token
-- subjects that may act for it at this table (its representatives). A
-- membership is never deleted: leaving sets `left_at`, so what the member
-- contributed keeps its context; joining again makes a new row.
CREATE TABLE table_members (
    id              uuid        PRIMARY KEY,
    seq             bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    table_id        uuid        NOT NULL REFERENCES consultation_tables (id),
    organisation_id uuid        NOT NULL REFERENCES organisations (organisation_id),
    accounts        text[]      NOT NULL DEFAULT '{}',
    -- requested: an open table's join request not yet admitted by the coordinator
    state           text        NOT NULL DEFAULT 'member' CHECK (state IN ('requested', 'member', 'left')),
    -- the register's version of the organisation when it joined: a withdrawal
    -- after it ends the membership for good (members/domain.py membership_state)
    joined_version  int         NOT NULL,
    joined_at       timestamptz NOT NULL DEFAULT now(),
    added_by        text        NOT NULL,
    left_at         timestamptz,
    version         int         NOT NULL DEFAULT 1
);
-- One standing membership per organisation and table.
CREATE UNIQUE INDEX table_members_standing ON table_members (table_id, organisation_id)
    WHERE state IN ('requested', 'member');
CREATE INDEX table_members_accounts ON table_members USING gin (accounts);
CREATE INDEX table_members_organisation ON table_members (organisation_id);
