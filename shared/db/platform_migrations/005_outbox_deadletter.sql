-- Outbox rows the relay could not publish: how often it tried, the last error,
-- and when it gave up and sent the row to the dead-letter topic instead. A
-- dead-lettered row also gets published_at (it left the queue) so that the
-- tenant's later rows go on and the hourly purge removes it after retention.
ALTER TABLE outbox
    ADD COLUMN attempts         int NOT NULL DEFAULT 0,
    ADD COLUMN last_error       text,
    ADD COLUMN dead_lettered_at timestamptz;
