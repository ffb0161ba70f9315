-- The Piano Sociale di Zona: one per Ambito and triennium, versioned (issue 10 item 2).
-- Version 1 is the triennial plan; each yearly update is a new version. The plan's
-- content (interventions, allocations) is edited while its open version is `draft`
-- or `returned`; adopting freezes it into plan_versions.snapshot, so an approved
-- version never changes and two versions' differences are the difference of their
-- snapshots (plans/domain.py).
CREATE TABLE plans (
    id              uuid        PRIMARY KEY,
    seq             bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    first_year      int         NOT NULL UNIQUE CHECK (first_year BETWEEN 2000 AND 2100),
    last_year       int         NOT NULL,
    title           text        NOT NULL CHECK (length(title) BETWEEN 3 AND 300),
    current_version int         NOT NULL DEFAULT 1,
    version         int         NOT NULL DEFAULT 1,   -- ETag of the plan resource
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text        NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (last_year = first_year + 2)
);

CREATE TABLE plan_versions (
    plan_id         uuid        NOT NULL REFERENCES plans (id),
    number          int         NOT NULL CHECK (number >= 1),
    -- triennial (number 1) or the yearly update of reference_year
    kind            text        NOT NULL CHECK (kind IN ('triennial', 'yearly_update')),
    reference_year  int         NOT NULL,
    state           text        NOT NULL DEFAULT 'draft' CHECK (state IN
                        ('draft', 'adopted', 'approved', 'sent', 'returned', 'accepted', 'signed', 'superseded')),
    -- the plan's content frozen at adoption: interventions, allocations, totals
    snapshot        jsonb,
    remarks         text,                                  -- the Region's, when returned
    approval_act    text,                                  -- the Assemblea dei Sindaci's deliberation
    signed_on       date,                                  -- accordo di programma
    signatories     uuid[]      NOT NULL DEFAULT '{}',     -- organisations of the register replica
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (plan_id, number),
    CHECK ((state IN ('draft', 'returned')) OR snapshot IS NOT NULL),
    CHECK ((state = 'signed') = (signed_on IS NOT NULL) OR state = 'superseded')
);

-- Who moved which version from which state to which, and when (the plan's history).
CREATE TABLE plan_history (
    plan_id         uuid        NOT NULL,
    number          int         NOT NULL,
    seq             bigint      GENERATED ALWAYS AS IDENTITY,
    from_state      text,
    to_state        text        NOT NULL,
    by_subject      text        NOT NULL,
    by_role         text        NOT NULL,
    at              timestamptz NOT NULL DEFAULT now(),
    note            text,
    PRIMARY KEY (plan_id, seq),
    FOREIGN KEY (plan_id, number) REFERENCES plan_versions (plan_id, number)
);
