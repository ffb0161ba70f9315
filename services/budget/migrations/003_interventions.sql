-- Interventions: the lines of the plan (issue 10 item 3). Classified by the CISIS
-- nomenclatore (reference data in configuration), a regional thematic area, a
-- target group (L. 328/2000, the same codes as consultation's), the LEPS they
-- cover, their kind; the comuni they serve; the managing body from the register
-- replica; the accepted proposals they answer. `continues_*`: the intervention of a
-- former Ambito this one continues (issue 9 item 6, issue 10 item 7).
CREATE TABLE interventions (
    id                       uuid        PRIMARY KEY,
    seq                      bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    plan_id                  uuid        NOT NULL REFERENCES plans (id),
    code                     text        NOT NULL,       -- the Ufficio di Piano's own line code, e.g. "A3.2"
    title                    text        NOT NULL CHECK (length(title) BETWEEN 3 AND 300),
    description              text        NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
    nomenclature_code        text        NOT NULL,
    area                     text        NOT NULL,
    target_group             text        NOT NULL,
    leps                     text[]      NOT NULL DEFAULT '{}',
    kind                     text        NOT NULL CHECK (kind IN ('service', 'transfer', 'project')),
    comuni                   text[]      NOT NULL DEFAULT '{}',
    managing_body            uuid        REFERENCES organisations (organisation_id),
    cup                      char(15)    CHECK (cup ~ '^[A-Z0-9]{15}$'),
    continues_origin         text,
    continues_intervention   uuid,
    status                   text        NOT NULL DEFAULT 'planned' CHECK (status IN
                                 ('planned', 'active', 'suspended', 'completed', 'cancelled')),
    planned_start            date,
    planned_end              date,
    actual_start             date,
    actual_end               date,
    version                  int         NOT NULL DEFAULT 1,
    created_at               timestamptz NOT NULL DEFAULT now(),
    created_by               text        NOT NULL,
    updated_at               timestamptz NOT NULL DEFAULT now(),
    updated_by               text        NOT NULL,
    UNIQUE (plan_id, code),
    CHECK ((continues_origin IS NULL) = (continues_intervention IS NULL)),
    CHECK (planned_end IS NULL OR planned_start IS NULL OR planned_end >= planned_start)
);
CREATE INDEX interventions_plan ON interventions (plan_id, seq);

CREATE TABLE intervention_proposals (
    intervention_id uuid NOT NULL REFERENCES interventions (id),
    proposal_id     uuid NOT NULL REFERENCES accepted_proposals (proposal_id),
    PRIMARY KEY (intervention_id, proposal_id)
);
