-- Allocations, residui and co-financing (issue 10 item 4): what 004_money.sql leaves open.

-- The part of an allocation carried to year + 1 as residui when its fund-year was closed:
-- the uncommitted part (amount - committed) at closure. The plan's figure (`amount`) is kept
-- for reporting (programmed vs committed); what can still be committed on the allocation is
-- amount - committed - carried, so the CHECK below makes the database refuse a commitment on
-- money that already moved to the next year (and freezes a closed year's allocations).
ALTER TABLE allocations
    ADD COLUMN carried numeric(14,2) NOT NULL DEFAULT 0 CHECK (carried >= 0),
    ADD CONSTRAINT allocations_open_check CHECK (committed + carried <= amount);

CREATE INDEX allocations_fund_year ON allocations (fund_code, year, seq);
CREATE INDEX allocations_intervention ON allocations (intervention_id, seq);

-- The population figure's own date (ISTAT, 1 January of a year) of each comune's share: the
-- profile's comuni may carry different dates. The table is new in this release and empty.
ALTER TABLE cofinancing_shares ADD COLUMN population_date date NOT NULL;
