-- The access log is filtered by subject and by record (issue 7); the cursor
-- runs on id, so each index ends with it. Its resources are a closed list,
-- as its actions already are (privacy/domain.py, docs/registry.md).
CREATE INDEX personal_data_access_log_subject ON personal_data_access_log (subject, id);
CREATE INDEX personal_data_access_log_resource_id ON personal_data_access_log (resource_id, id);
ALTER TABLE personal_data_access_log
    ADD CONSTRAINT personal_data_access_log_resource CHECK (resource IN ('person'));
