-- Questionnaires (issue 8 item 5b, seed 001 "idonei strumenti di rilevazione"):
-- the office of a table asks its member organisations ordered questions; each
-- member organisation keeps one answer set, replaced whole until the
-- questionnaire closes (services/consultation/questionnaires/).
--
-- draft (questions editable) -> open (answers accepted until closes_at) -> closed.
-- An open questionnaire whose closes_at has passed is closed for every reader
-- and writer (computed on read); `closed_at` is set when the office closes it
-- early.
CREATE TABLE questionnaires (
    id            uuid        PRIMARY KEY,
    seq           bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    table_id      uuid        NOT NULL REFERENCES consultation_tables (id),
    -- a session of that table (migration 004), or null: the questionnaire is the table's
    session_id    uuid        REFERENCES sessions (id),
    title         text        NOT NULL CHECK (length(title) BETWEEN 3 AND 300),
    introduction  text        NOT NULL DEFAULT '' CHECK (length(introduction) <= 20000),
    -- the ordered questions, as questionnaires/domain.py defines them; bounds of
    -- number questions are decimal strings (never JSON numbers, never floats)
    questions     jsonb       NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(questions) = 'array'),
    status        text        NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed')),
    opened_at     timestamptz,
    closes_at     timestamptz,
    closed_at     timestamptz,
    created_by    text        NOT NULL,
    version       int         NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'draft') = (opened_at IS NULL)),
    CHECK (status = 'draft' OR closes_at IS NOT NULL),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
CREATE INDEX questionnaires_table ON questionnaires (table_id, seq);
CREATE INDEX questionnaires_session ON questionnaires (session_id) WHERE session_id IS NOT NULL;

-- One answer set per organisation and questionnaire: answering again replaces
-- `answers` in the same row (version + 1), so "once each" holds under any
-- concurrency (the unique key, and the upsert in store.py).
-- `may_publish_name`: the organisation agreed that its free-text answers be
-- shown with its name; without it they are shown and exported anonymously.
CREATE TABLE questionnaire_answer_sets (
    id               uuid        PRIMARY KEY,
    seq              bigint      GENERATED ALWAYS AS IDENTITY UNIQUE,
    questionnaire_id uuid        NOT NULL REFERENCES questionnaires (id),
    organisation_id  uuid        NOT NULL REFERENCES organisations (organisation_id),
    -- [{question, choice | choices | value | number | text}], checked by domain.py
    answers          jsonb       NOT NULL CHECK (jsonb_typeof(answers) = 'array'),
    may_publish_name boolean     NOT NULL DEFAULT false,
    on_behalf        boolean     NOT NULL DEFAULT false,
    answered_by      text        NOT NULL,
    answered_by_role text        NOT NULL CHECK (answered_by_role IN ('stakeholder', 'operator', 'coordinator')),
    version          int         NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (questionnaire_id, organisation_id)
);
