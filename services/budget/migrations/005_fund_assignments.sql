-- Fund assignments (issue 10 item 1): a correction (PATCH) records who made it and when; the
-- list filters by fund and year in creation order.
ALTER TABLE fund_assignments
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN updated_by text;

CREATE INDEX fund_assignments_fund_year ON fund_assignments (fund_code, year, seq);
