-- The plan's rules the database keeps itself (issue 10 item 2; services/budget/plans/).

-- One plan per triennium, and no two plans over the same year (2024-2026 and 2025-2027 cannot both exist):
-- a creation that races another one fails here, whatever the service checked before.
ALTER TABLE plans ADD CONSTRAINT plans_years_disjoint
    EXCLUDE USING gist ((int4range(first_year, last_year, '[]')) WITH &&);

-- From approval on, what a version decided never changes: its snapshot, its approval act, its kind and
-- reference year (a change is a new version). Versions are never deleted. The service never tries; this
-- is what makes "an approved version is immutable" true for any writer, an SQL console's too.
CREATE FUNCTION plan_versions_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'plan version % of plan % cannot be deleted', OLD.number, OLD.plan_id
            USING ERRCODE = 'check_violation';
    END IF;
    IF OLD.state IN ('approved', 'sent', 'accepted', 'signed', 'superseded') AND (
           NEW.snapshot IS DISTINCT FROM OLD.snapshot OR NEW.approval_act IS DISTINCT FROM OLD.approval_act
           OR NEW.kind IS DISTINCT FROM OLD.kind OR NEW.reference_year IS DISTINCT FROM OLD.reference_year
           OR NEW.plan_id IS DISTINCT FROM OLD.plan_id OR NEW.number IS DISTINCT FROM OLD.number) THEN
        RAISE EXCEPTION 'plan version % of plan % is %: its content is frozen', OLD.number, OLD.plan_id, OLD.state
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER plan_versions_frozen BEFORE UPDATE OR DELETE ON plan_versions
    FOR EACH ROW EXECUTE FUNCTION plan_versions_frozen();

-- The history is written once: rows are appended, never changed or removed.
CREATE FUNCTION plan_history_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the plan history is append-only' USING ERRCODE = 'check_violation';
END $$;
CREATE TRIGGER plan_history_append_only BEFORE UPDATE OR DELETE ON plan_history
    FOR EACH ROW EXECUTE FUNCTION plan_history_append_only();
