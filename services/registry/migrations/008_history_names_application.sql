-- A stakeholder's history names the application (and its protocol number)
-- an admission came from (issue 7). An admission that created the record is
-- no longer a plain 'registered': it is 'admitted_from_application', and like
-- every change but 'registered' its changes are {field: {from, to}}, with
-- from null where there was no record.
ALTER TABLE stakeholder_history
    ADD COLUMN application_id   uuid,
    ADD COLUMN protocol_number  text;

-- Entries written before: an admission stamped the application's reviewed_at
-- and the history entry's changed_at in one transaction, so they are equal
-- (now() is the transaction's time); nothing else writes both at once.
UPDATE stakeholder_history h
   SET application_id = a.id,
       protocol_number = a.protocol_number,
       change = 'admitted_from_application',
       changes = CASE WHEN h.change = 'registered'
                      THEN (SELECT coalesce(jsonb_object_agg(e.key, jsonb_build_object('from', NULL, 'to', e.value)),
                                            '{}'::jsonb)
                              FROM jsonb_each(h.changes) AS e)
                      ELSE h.changes END
  FROM applications a
 WHERE a.stakeholder_id = h.stakeholder_id
   AND a.status = 'admitted'
   AND a.reviewed_at = h.changed_at
   AND h.change IN ('registered', 'admitted_from_application', 'status_changed');
