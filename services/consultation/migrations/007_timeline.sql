-- The cronoprogramma: the Piano's phases (fixed, in timeline/domain.py) and
-- the milestones the Ufficio di Piano plans in them, with planned and actual
-- dates. Dates are calendar days as an Italian office reads them (Europe/Rome),
-- hence `date`, not timestamptz. "Late" is not stored: it depends on today and
-- is computed when read (timeline/domain.py lateness).
CREATE TABLE timeline_milestones (
    id             uuid        PRIMARY KEY,
    -- list order (the shared cursor pagination)
    seq            bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    -- the planning cycle the milestone belongs to (the year of the template it may come from)
    plan_year      int         NOT NULL CHECK (plan_year BETWEEN 2000 AND 2100),
    phase          text        NOT NULL CHECK (phase IN ('fase_1', 'fase_2', 'fase_3', 'approvazione',
                                                         'monitoraggio')),
    -- the consultation table the milestone concerns, if any
    table_id       uuid        REFERENCES consultation_tables (id),
    title          text        NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    note           text        NOT NULL DEFAULT '' CHECK (length(note) <= 5000),
    planned_start  date        NOT NULL,
    planned_end    date        NOT NULL,
    actual_start   date,
    actual_end     date,
    status         text        NOT NULL DEFAULT 'planned'
                               CHECK (status IN ('planned', 'in_progress', 'done', 'cancelled')),
    -- which milestone of the default template this is (null for the operator's own):
    -- instantiating a year's template twice creates nothing the second time
    template_key   text,
    version        int         NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    created_by     text        NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (planned_end >= planned_start),
    CHECK (actual_start IS NULL OR actual_end IS NULL OR actual_end >= actual_start),
    -- a milestone is done on a day: the day it ended
    CHECK (status <> 'done' OR actual_end IS NOT NULL)
);
CREATE UNIQUE INDEX timeline_milestones_template ON timeline_milestones (plan_year, template_key)
    WHERE template_key IS NOT NULL;
CREATE INDEX timeline_milestones_year ON timeline_milestones (plan_year, planned_start);
CREATE INDEX timeline_milestones_table ON timeline_milestones (table_id) WHERE table_id IS NOT NULL;
