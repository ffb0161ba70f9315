-- Consumers purge their processed_events rows older than PDZ_CONSUMER_DEDUPE_DAYS
-- (60 by default, well beyond the topics' 30 days of retention): this index
-- makes each purge batch an index range scan instead of a full scan.
CREATE INDEX processed_events_purge ON processed_events (consumer, processed_at);
