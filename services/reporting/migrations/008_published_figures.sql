-- Freshness and the statistics feed (issue 11, items 3 and 5).
--
-- figure_marks: one row per event the reporting consumer applied (written by the consumer in the
-- same transaction as the event's projection rows, services/reporting/freshness.py `marked`):
-- which Ambito's figures may have changed, from which service, and the event's time. Keyed by the
-- event id, so a batch's marks are one statement (rows.py groups distinct keys). The publisher
-- (services/reporting/publisher.py) drains them: it recomputes the figures of those Ambiti, publishes
-- the changed ones on pdz.statistics.v1 and folds the newest event times into source_freshness.
CREATE TABLE figure_marks (
    event_id    text        PRIMARY KEY,
    tenant      text        NOT NULL,
    service     text        NOT NULL,
    event_time  timestamptz NOT NULL,
    marked_at   timestamptz NOT NULL DEFAULT now()
);
-- as_of reads max(event_time) per service of the marks not drained yet: an index lookup each.
CREATE INDEX figure_marks_service_time ON figure_marks (service, event_time);

-- The newest applied event's time per source service (registry, consultation, budget), as of the
-- marks drained so far; only grows.
CREATE TABLE source_freshness (
    service            text        PRIMARY KEY,
    newest_event_time  timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL DEFAULT now()
);

-- The figures last published on pdz.statistics.v1, one per (indicator, territory, period,
-- dimension): the publisher sends a figure only when its value differs from the row here, then
-- raises `revision` (the event id derives from the figure and its revision, so a figure sent
-- again after a crash before this table was updated keeps its id).
CREATE TABLE published_figures (
    indicator       text        NOT NULL,
    territory_type  text        NOT NULL,   -- ambito, ambito_di_origine, regione, comune
    territory       text        NOT NULL,   -- the Ambito's or region's slug, or the comune's ISTAT code
    ambito          text,                   -- the Ambito the territory belongs to (null: a region)
    period          text        NOT NULL,   -- 2025, 2025-Q2
    dimension       text        NOT NULL,   -- canonical "fund=FNPS;year=2025", '' for none
    dimensions      jsonb       NOT NULL DEFAULT '{}',  -- the same as an object, for the event of a removal
    value           numeric,                -- null: the figure is no longer given
    unit            text        NOT NULL,
    revision        int         NOT NULL,
    published_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (indicator, territory_type, territory, period, dimension)
);
CREATE INDEX published_figures_territory ON published_figures (territory_type, territory, period);
CREATE INDEX published_figures_ambito ON published_figures (ambito, period) WHERE territory_type = 'comune';
