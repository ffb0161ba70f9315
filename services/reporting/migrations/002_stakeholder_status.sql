-- Status and version of each stakeholder; an update seen before its registration
-- (e.g. after topic retention) still makes a row, so registered_at may be unknown.
ALTER TABLE stakeholder_facts
    ADD COLUMN status  text NOT NULL DEFAULT 'active',
    ADD COLUMN version int  NOT NULL DEFAULT 1,
    ALTER COLUMN registered_at DROP NOT NULL;
