-- Revocation (issue 9, docs/federation.md "Revocation", services/budget/revoke.py): when a former Ambito
-- stops sharing a data set with this one, the rows it brought go, except those this Ambito's own records
-- point at. Deleting those would break its acts and its plan (an intervention's managing body, a
-- commitment's supplier, a signatory of the accordo di programma, the proposals an intervention answers,
-- the intervention it continues), so they are marked revoked instead: kept for the history, unable to be
-- named again (409 organisation-revoked; a revoked proposal or intervention is as unknown). Cleared if the
-- data set is shared again. The territory has no mark: its rows are deleted (interventions keep ISTAT
-- codes, and co-financing shares keep the population and date they used).
ALTER TABLE organisations ADD COLUMN revoked_at timestamptz;
ALTER TABLE accepted_proposals ADD COLUMN revoked_at timestamptz;
ALTER TABLE replica_interventions ADD COLUMN revoked_at timestamptz;
