-- One *standing* application per organisation and call (issue 7, finding 4).
-- UNIQUE (call_id, tax_code) counted rejected applications too, so anyone who
-- applied first with another organisation's tax code locked that organisation
-- out of the call for good, even after the Ufficio di Piano rejected the
-- squatter. Now only submitted and admitted applications count (the statuses
-- of applications/domain.py STANDING): once rejected, the real one can apply.
CREATE UNIQUE INDEX applications_standing_per_call ON applications (call_id, tax_code)
    WHERE status IN ('submitted', 'admitted');
ALTER TABLE applications DROP CONSTRAINT applications_call_id_tax_code_key;
-- The operator's filter GET /applications?tax_code= reads rejected ones too.
CREATE INDEX applications_tax_code ON applications (tax_code, seq);
