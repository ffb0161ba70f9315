-- Prioritisation rounds (issue 8 item 6): services/consultation/rounds/.
-- The office (operator, or the table's coordinator) opens a round on proposals of
-- one table; each member organisation distributes exactly `points` over them in
-- one ballot, replaceable until the round closes; the results are computed once,
-- when the round is first read (or touched) after its closing time, or when the
-- office closes it early, and stored. Nothing is deleted.
CREATE TABLE rounds (
    id              uuid        PRIMARY KEY,
    -- list order (the shared cursor pagination)
    seq             bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    table_id        uuid        NOT NULL REFERENCES consultation_tables (id),
    title           text        NOT NULL CHECK (length(title) BETWEEN 3 AND 300),
    description     text        NOT NULL DEFAULT '' CHECK (length(description) <= 5000),
    -- the points each organisation distributes, all of them (rounds/ballots.py)
    points          int         NOT NULL CHECK (points BETWEEN 1 AND 1000),
    closes_at       timestamptz NOT NULL,
    -- stored status; an `open` round whose closes_at has passed is closed (computed
    -- on read) until its closure is stored by the first read after it
    status          text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed', 'cancelled')),
    closed_at       timestamptz,
    closed_early    boolean     NOT NULL DEFAULT false,
    closed_by       text,
    cancelled_at    timestamptz,
    cancelled_by    text,
    cancel_reason   text        CHECK (length(cancel_reason) <= 2000),
    opened_by       text        NOT NULL,
    opened_by_role  text        NOT NULL CHECK (opened_by_role IN ('operator', 'coordinator')),
    version         int         NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL)),
    CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL))
);
CREATE INDEX rounds_table ON rounds (table_id, seq);
CREATE INDEX rounds_due ON rounds (closes_at) WHERE status = 'open';

-- The proposals a round ranks (fixed when it opens), with what the tie-break reads:
-- when each was submitted (proposals.created_at, copied so that the ranking never moves).
CREATE TABLE round_proposals (
    round_id     uuid        NOT NULL REFERENCES rounds (id),
    proposal_id  uuid        NOT NULL REFERENCES proposals (id),
    position     int         NOT NULL,
    submitted_at timestamptz NOT NULL,
    PRIMARY KEY (round_id, proposal_id)
);

-- One ballot per organisation and round; replacing it keeps the row (a new version).
CREATE TABLE round_ballots (
    round_id        uuid        NOT NULL REFERENCES rounds (id),
    organisation_id uuid        NOT NULL REFERENCES organisations (organisation_id),
    seq             bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    on_behalf       boolean     NOT NULL DEFAULT false,
    cast_by         text        NOT NULL,
    cast_by_role    text        NOT NULL CHECK (cast_by_role IN ('stakeholder', 'operator', 'coordinator')),
    version         int         NOT NULL DEFAULT 1,
    cast_at         timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (round_id, organisation_id)
);

-- A ballot's points per proposal (only the proposals given points: zero is no row).
CREATE TABLE round_ballot_points (
    round_id        uuid NOT NULL,
    organisation_id uuid NOT NULL,
    proposal_id     uuid NOT NULL,
    points          int  NOT NULL CHECK (points BETWEEN 1 AND 1000),
    PRIMARY KEY (round_id, organisation_id, proposal_id),
    FOREIGN KEY (round_id, organisation_id) REFERENCES round_ballots (round_id, organisation_id),
    FOREIGN KEY (round_id, proposal_id) REFERENCES round_proposals (round_id, proposal_id)
);

-- The results, stored once when the round closes (rounds/results.py): a total order.
CREATE TABLE round_results (
    round_id      uuid NOT NULL REFERENCES rounds (id),
    proposal_id   uuid NOT NULL,
    rank          int  NOT NULL CHECK (rank >= 1),
    points        int  NOT NULL CHECK (points >= 0),
    organisations int  NOT NULL CHECK (organisations >= 0),
    PRIMARY KEY (round_id, proposal_id),
    UNIQUE (round_id, rank),
    FOREIGN KEY (round_id, proposal_id) REFERENCES round_proposals (round_id, proposal_id)
);
