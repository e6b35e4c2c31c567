-- When a processing document's progress (stage or pages done) last moved. The heartbeat only
-- says a worker task is alive; a heartbeat whose progress never moves, or an attempt older
-- than the job timeout, means the job itself is stuck, and the reaper takes the document back.
ALTER TABLE documents ADD COLUMN progress_at TIMESTAMPTZ;
