-- Money (issue 10 items 1, 4, 5). NUMERIC(14,2) everywhere, never float.
-- The invariants are CHECKs on ledger rows that every write updates in place
-- (`UPDATE … SET allocated = allocated + %s`): the row lock serialises concurrent
-- writers and the CHECK refuses what would overspend, whatever the race.

-- What a fund actually assigned to this Ambito for a year, by decree.
CREATE TABLE fund_assignments (
    id              uuid          PRIMARY KEY,
    seq             bigint        GENERATED ALWAYS AS IDENTITY UNIQUE,
    fund_code       text          NOT NULL,   -- a fund of the reference configuration
    year            int           NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    amount          numeric(14,2) NOT NULL CHECK (amount > 0),
    decree_reference text         NOT NULL CHECK (length(decree_reference) BETWEEN 1 AND 300),
    decree_date     date          NOT NULL,
    version         int           NOT NULL DEFAULT 1,
    created_at      timestamptz   NOT NULL DEFAULT now(),
    created_by      text          NOT NULL,
    UNIQUE (fund_code, year, decree_reference)
);

-- One ledger row per fund and year: assigned (sum of assignments), residui carried
-- in from the year before, allocated to interventions.
CREATE TABLE fund_years (
    fund_code       text          NOT NULL,
    year            int           NOT NULL,
    assigned        numeric(14,2) NOT NULL DEFAULT 0 CHECK (assigned >= 0),
    residui_in      numeric(14,2) NOT NULL DEFAULT 0 CHECK (residui_in >= 0),
    allocated       numeric(14,2) NOT NULL DEFAULT 0 CHECK (allocated >= 0),
    closed_at       timestamptz,                 -- residui carried to year + 1
    PRIMARY KEY (fund_code, year),
    CHECK (allocated <= assigned + residui_in)
);

-- Fund x intervention x year. committed/paid are the ledger of expenditure.
CREATE TABLE allocations (
    id              uuid          PRIMARY KEY,
    seq             bigint        GENERATED ALWAYS AS IDENTITY UNIQUE,
    intervention_id uuid          NOT NULL REFERENCES interventions (id),
    fund_code       text          NOT NULL,
    year            int           NOT NULL,
    amount          numeric(14,2) NOT NULL CHECK (amount >= 0),
    committed       numeric(14,2) NOT NULL DEFAULT 0 CHECK (committed >= 0),
    paid            numeric(14,2) NOT NULL DEFAULT 0 CHECK (paid >= 0),
    version         int           NOT NULL DEFAULT 1,
    created_at      timestamptz   NOT NULL DEFAULT now(),
    created_by      text          NOT NULL,
    updated_at      timestamptz   NOT NULL DEFAULT now(),
    UNIQUE (intervention_id, fund_code, year),
    FOREIGN KEY (fund_code, year) REFERENCES fund_years (fund_code, year),
    CHECK (committed <= amount),
    CHECK (paid <= committed)
);

-- Residui: what a closed fund-year left unspent, carried into the next year, with
-- its origin kept (the allocations it came from and their unspent parts).
CREATE TABLE residui (
    id              uuid          PRIMARY KEY,
    fund_code       text          NOT NULL,
    from_year       int           NOT NULL,
    to_year         int           NOT NULL,
    amount          numeric(14,2) NOT NULL CHECK (amount > 0),
    origin          jsonb         NOT NULL,   -- [{allocation_id|null, intervention_id|null, amount}]
    created_at      timestamptz   NOT NULL DEFAULT now(),
    created_by      text          NOT NULL,
    UNIQUE (fund_code, from_year),
    CHECK (to_year = from_year + 1)
);

-- Comuni co-financing of an intervention's year: the total split by population.
CREATE TABLE cofinancing (
    intervention_id uuid          NOT NULL REFERENCES interventions (id),
    year            int           NOT NULL,
    total           numeric(14,2) NOT NULL CHECK (total >= 0),
    population_as_of timestamptz  NOT NULL,
    version         int           NOT NULL DEFAULT 1,
    created_at      timestamptz   NOT NULL DEFAULT now(),
    created_by      text          NOT NULL,
    PRIMARY KEY (intervention_id, year)
);
CREATE TABLE cofinancing_shares (
    intervention_id uuid          NOT NULL,
    year            int           NOT NULL,
    istat_code      text          NOT NULL,
    population      int           NOT NULL,
    amount          numeric(14,2) NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (intervention_id, year, istat_code),
    FOREIGN KEY (intervention_id, year) REFERENCES cofinancing (intervention_id, year)
);

-- Expenditure (rendicontazione): commitments (impegni) and payments (liquidazioni).
CREATE TABLE commitments (
    id              uuid          PRIMARY KEY,
    seq             bigint        GENERATED ALWAYS AS IDENTITY UNIQUE,
    allocation_id   uuid          NOT NULL REFERENCES allocations (id),
    amount          numeric(14,2) NOT NULL CHECK (amount > 0),
    paid            numeric(14,2) NOT NULL DEFAULT 0 CHECK (paid >= 0),
    act_date        date          NOT NULL,
    act_reference   text          NOT NULL CHECK (length(act_reference) BETWEEN 1 AND 300),
    cup             char(15)      CHECK (cup ~ '^[A-Z0-9]{15}$'),
    cig             char(10)      CHECK (cig ~ '^[A-Z0-9]{10}$'),
    supplier_id     uuid          REFERENCES organisations (organisation_id),
    created_at      timestamptz   NOT NULL DEFAULT now(),
    created_by      text          NOT NULL,
    CHECK (paid <= amount)
);
CREATE INDEX commitments_allocation ON commitments (allocation_id, seq);
CREATE TABLE payments (
    id              uuid          PRIMARY KEY,
    seq             bigint        GENERATED ALWAYS AS IDENTITY UNIQUE,
    commitment_id   uuid          NOT NULL REFERENCES commitments (id),
    amount          numeric(14,2) NOT NULL CHECK (amount > 0),
    act_date        date          NOT NULL,
    act_reference   text          NOT NULL CHECK (length(act_reference) BETWEEN 1 AND 300),
    created_at      timestamptz   NOT NULL DEFAULT now(),
    created_by      text          NOT NULL
);
CREATE INDEX payments_commitment ON payments (commitment_id, seq);
