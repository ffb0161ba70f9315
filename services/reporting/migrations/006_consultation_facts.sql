-- Consultation as reporting sees it (issue 11): tables, memberships, sessions, invitations,
-- registrations, attendance, minutes, erasures, needs, proposals, service offers, questionnaires,
-- prioritisation rounds and the cronoprogramma's milestones of every Ambito. Written only by the
-- projectors services/reporting/consultation_projector*.py from pdz.consultation.v1.
--
-- Organisations by id (their type comes from stakeholder_facts) and counts: never a person's name, an
-- account, or free text typed by people (descriptions, answers, minutes, notes). Titles kept are the
-- office's titles of tables, sessions and milestones, which are public.
--
-- Every row is an upsert guarded by a number that only grows, so a duplicate or an older event
-- arriving late changes nothing: the aggregate's `version` where the events carry it; a
-- registration's `stage` (waiting 1, registered 2, cancelled 3: the moves only go forward); a
-- questionnaire's answer_sets_count and a round's ballots_count (they only grow). A proposal has two
-- guards: `version` for its status (every event) and `content_version` for its content (the events
-- carrying it whole), so a status event seen first never blocks the content of an older one. The
-- content's upsert names neither status nor version (an INSERT checks NOT NULL before it finds the
-- conflict, so those two have no NOT NULL / a default); the status upsert always precedes it.
-- Invitations and erasures are facts written once, the same each time.

CREATE TABLE consultation_table_facts (
    tenant      text    NOT NULL,
    table_id    uuid    NOT NULL,
    kind        text    NOT NULL,
    title       text    NOT NULL,
    areas       text[]  NOT NULL DEFAULT '{}',
    membership  text,
    status      text    NOT NULL,
    version     int     NOT NULL,
    PRIMARY KEY (tenant, table_id)
);

CREATE TABLE consultation_member_facts (
    tenant          text NOT NULL,
    member_id       uuid NOT NULL,
    table_id        uuid NOT NULL,
    organisation_id uuid NOT NULL,
    state           text NOT NULL,
    reason          text,
    version         int  NOT NULL,
    PRIMARY KEY (tenant, member_id)
);
CREATE INDEX consultation_member_facts_table ON consultation_member_facts (tenant, table_id);

CREATE TABLE consultation_session_facts (
    tenant      text        NOT NULL,
    session_id  uuid        NOT NULL,
    table_id    uuid        NOT NULL,
    title       text        NOT NULL,
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz,
    seat_limit  int,
    status      text        NOT NULL,
    version     int         NOT NULL,
    PRIMARY KEY (tenant, session_id)
);
CREATE INDEX consultation_session_facts_starts ON consultation_session_facts (tenant, starts_at);

-- An organisation invited to a session (inviting twice changes nothing in consultation either).
CREATE TABLE consultation_invitation_facts (
    tenant          text        NOT NULL,
    session_id      uuid        NOT NULL,
    organisation_id uuid        NOT NULL,
    table_id        uuid        NOT NULL,
    invited_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant, session_id, organisation_id)
);

CREATE TABLE consultation_registration_facts (
    tenant          text        NOT NULL,
    registration_id uuid        NOT NULL,
    session_id      uuid        NOT NULL,
    table_id        uuid        NOT NULL,
    organisation_id uuid        NOT NULL,
    seats           int         NOT NULL,
    status          text        NOT NULL,   -- registered, waiting, cancelled
    stage           int         NOT NULL,   -- waiting 1, registered 2, cancelled 3: the guard
    at              timestamptz NOT NULL,
    PRIMARY KEY (tenant, registration_id)
);
CREATE INDEX consultation_registration_facts_session ON consultation_registration_facts (tenant, session_id);

-- One row per entry of an attendance register: the organisation present and how, never who.
CREATE TABLE consultation_attendance_facts (
    tenant            text NOT NULL,
    attendance_id     uuid NOT NULL,
    session_id        uuid NOT NULL,
    table_id          uuid NOT NULL,
    organisation_id   uuid NOT NULL,
    organisation_type text NOT NULL,
    mode              text NOT NULL,
    version           int  NOT NULL,
    PRIMARY KEY (tenant, attendance_id)
);
CREATE INDEX consultation_attendance_facts_session ON consultation_attendance_facts (tenant, session_id);

-- A session's minutes: each numbered version's status, never the text.
CREATE TABLE consultation_minutes_facts (
    tenant      text        NOT NULL,
    minutes_id  uuid        NOT NULL,
    number      int         NOT NULL,
    session_id  uuid        NOT NULL,
    table_id    uuid        NOT NULL,
    corrects    int,
    status      text        NOT NULL,
    approved_at timestamptz,
    version     int         NOT NULL,
    PRIMARY KEY (tenant, minutes_id, number)
);

-- An erasure of attendees' names: how many entries and sessions, never whose (kept so that the region
-- can count erasures; the presence they leave is still in consultation_attendance_facts).
CREATE TABLE consultation_erasure_facts (
    tenant          text        NOT NULL,
    erasure_id      uuid        NOT NULL,
    entries_cleared int         NOT NULL,
    sessions        int         NOT NULL,
    erased_at       timestamptz NOT NULL,
    PRIMARY KEY (tenant, erasure_id)
);

CREATE TABLE consultation_need_facts (
    tenant          text        NOT NULL,
    need_id         uuid        NOT NULL,
    table_id        uuid        NOT NULL,
    session_id      uuid,
    organisation_id uuid        NOT NULL,
    area            text        NOT NULL,
    target_group    text        NOT NULL,
    comuni          text[]      NOT NULL DEFAULT '{}',   -- empty: the whole Ambito
    status          text        NOT NULL,
    recorded_at     timestamptz NOT NULL,
    version         int         NOT NULL,
    PRIMARY KEY (tenant, need_id)
);
CREATE INDEX consultation_need_facts_recorded ON consultation_need_facts (tenant, recorded_at);

CREATE TABLE consultation_proposal_facts (
    tenant          text          NOT NULL,
    proposal_id     uuid          NOT NULL,
    table_id        uuid          NOT NULL,
    organisation_id uuid          NOT NULL,
    status          text,                                  -- null only inside the statement of an event
    decided_at      timestamptz,
    merged_into     uuid,
    version         int           NOT NULL DEFAULT 0,
    need_ids        uuid[]        NOT NULL DEFAULT '{}',
    areas           text[]        NOT NULL DEFAULT '{}',
    target_groups   text[]        NOT NULL DEFAULT '{}',
    comuni          text[]        NOT NULL DEFAULT '{}',
    estimated_cost  numeric(14,2),
    submitted_at    timestamptz,
    content_version int           NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant, proposal_id)
);
CREATE INDEX consultation_proposal_facts_submitted ON consultation_proposal_facts (tenant, submitted_at);

-- The map of services: what an organisation offers, where, for whom (no name, no contact).
CREATE TABLE consultation_offer_facts (
    tenant          text    NOT NULL,
    offer_id        uuid    NOT NULL,
    organisation_id uuid    NOT NULL,
    area            text    NOT NULL,
    target_group    text    NOT NULL,
    comuni          text[]  NOT NULL DEFAULT '{}',
    capacity        int,
    capacity_unit   text,
    accredited      boolean NOT NULL DEFAULT false,
    status          text    NOT NULL,
    version         int     NOT NULL,
    PRIMARY KEY (tenant, offer_id)
);

-- A questionnaire's state and counts; status is null while only its answers were seen.
CREATE TABLE consultation_questionnaire_facts (
    tenant            text NOT NULL,
    questionnaire_id  uuid NOT NULL,
    table_id          uuid NOT NULL,
    session_id        uuid,
    status            text,
    questions_count   int,
    version           int  NOT NULL DEFAULT 0,
    answer_sets_count int  NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant, questionnaire_id)
);

-- A prioritisation round's state and counts; status is null while only its ballots were seen.
CREATE TABLE consultation_round_facts (
    tenant          text NOT NULL,
    round_id        uuid NOT NULL,
    table_id        uuid NOT NULL,
    status          text,
    proposals_count int  NOT NULL DEFAULT 0,   -- set by opened (under its own guard: it grows once)
    version         int  NOT NULL DEFAULT 0,
    ballots_count   int  NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant, round_id)
);

-- The cronoprogramma: planned and actual days and the recorded status (lateness is computed when read).
CREATE TABLE consultation_milestone_facts (
    tenant        text NOT NULL,
    milestone_id  uuid NOT NULL,
    year          int  NOT NULL,
    phase         text NOT NULL,
    table_id      uuid,
    title         text NOT NULL,
    planned_start date NOT NULL,
    planned_end   date NOT NULL,
    actual_start  date,
    actual_end    date,
    status        text NOT NULL,
    template_key  text,
    version       int  NOT NULL,
    PRIMARY KEY (tenant, milestone_id)
);
CREATE INDEX consultation_milestone_facts_end ON consultation_milestone_facts (tenant, planned_end);

-- The participation indicators find an organisation's type by its register id alone (a merged
-- Ambito's tables seat organisations registered by its former territories).
CREATE INDEX stakeholder_facts_stakeholder ON stakeholder_facts (stakeholder_id);
