-- Replicas of the consultation's tables, needs and cronoprogramma milestones (issue 10 item 9): what
-- the Piano Sociale di Zona tells of the participatory process, kept from consultation's events like
-- the other replicas of 001 (never an HTTP call). `origin`: the Ambito the row comes from (this
-- database's tenant, or a former Ambito sharing `consultation.tables` / `consultation.needs` with it;
-- milestones are in no data set, so only this Ambito's). A newer `version` wins; nothing is deleted
-- (a closed table or need stays, with its status).

CREATE TABLE consultation_tables (
    origin          text        NOT NULL,
    table_id        uuid        NOT NULL,
    seq             bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    kind            text        NOT NULL,
    title           text        NOT NULL,
    areas           text[]      NOT NULL DEFAULT '{}',
    status          text        NOT NULL,
    version         int         NOT NULL,
    source_event_id text        NOT NULL,
    PRIMARY KEY (origin, table_id)
);

CREATE TABLE consultation_needs (
    origin          text        NOT NULL,
    need_id         uuid        NOT NULL,
    seq             bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    table_id        uuid,
    title           text        NOT NULL,
    description     text,
    area            text        NOT NULL,
    target_group    text        NOT NULL,
    comuni          text[]      NOT NULL DEFAULT '{}',
    status          text        NOT NULL,
    version         int         NOT NULL,
    as_of           timestamptz,
    source_event_id text        NOT NULL,
    PRIMARY KEY (origin, need_id)
);
CREATE INDEX consultation_needs_table ON consultation_needs (origin, table_id);

CREATE TABLE consultation_milestones (
    origin          text        NOT NULL,
    milestone_id    uuid        NOT NULL,
    seq             bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    year            int         NOT NULL,
    phase           text        NOT NULL,
    table_id        uuid,
    title           text        NOT NULL,
    planned_start   date,
    planned_end     date,
    actual_start    date,
    actual_end      date,
    status          text        NOT NULL,
    version         int         NOT NULL,
    source_event_id text        NOT NULL,
    PRIMARY KEY (origin, milestone_id)
);
