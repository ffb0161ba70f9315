-- How a membership (or a request to join) ended, beside 003's `left` state:
-- removed by the office, refused by the coordinator (a request never admitted),
-- or ended by the organisation's withdrawal from the register (recorded when the
-- office next adds that organisation: until then the withdrawal is computed on
-- read from organisation_statuses). `ended_by` is the account that ended it
-- (null for a withdrawal: the registry decided it).
ALTER TABLE table_members
    ADD COLUMN ended_reason text CHECK (ended_reason IN ('removed', 'refused', 'withdrawn')),
    ADD COLUMN ended_by     text,
    ADD CONSTRAINT table_members_ended CHECK ((state = 'left') = (left_at IS NOT NULL AND ended_reason IS NOT NULL));

-- When the office closed the table (null while active).
ALTER TABLE consultation_tables ADD COLUMN closed_at timestamptz;
CREATE INDEX consultation_tables_areas ON consultation_tables USING gin (areas);
