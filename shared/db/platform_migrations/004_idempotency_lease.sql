-- Idempotency keys get a lease and keep the replayed headers.
-- lease_until: a claimed key whose request died (no answer stored) can be
--   taken over by a retry once the lease is over, instead of answering 409
--   for a day; claim: which request holds the key, so a request that
--   outlived its lease cannot overwrite or delete its successor's answer.
-- headers: the response headers a replay must repeat (ETag, Location).
-- The index on created_at keeps the purge of day-old keys cheap.
ALTER TABLE idempotency_keys
    ADD COLUMN lease_until timestamptz NOT NULL DEFAULT now() + interval '30 seconds',
    ADD COLUMN claim       uuid,
    ADD COLUMN headers     jsonb;
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
