-- Where the last completed attempt spent its time, stage by stage (wall and thread CPU, ms),
-- with the queue wait; shown on the document's status.
ALTER TABLE documents ADD COLUMN timings JSONB;
