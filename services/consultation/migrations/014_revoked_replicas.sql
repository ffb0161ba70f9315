-- Revocation (issue 9, docs/federation.md "Revocation"): when an Ambito stops sharing its register with
-- this one, its organisations that this Ambito's own records still reference (memberships, needs,
-- attendance...: foreign keys) cannot be deleted without breaking that history, so they are marked
-- revoked instead: kept for the history, gone from the lists, unable to take part. The others are deleted.
-- Cleared if the register is shared again.
ALTER TABLE organisations ADD COLUMN revoked_at timestamptz;
