-- A per-fund counter that changes whenever the data behind the fund's metrics may have changed,
-- so an API process can keep metrics in memory and check freshness with one indexed read even
-- though the worker (another process) is what writes transactions.
ALTER TABLE funds ADD COLUMN data_version BIGINT NOT NULL DEFAULT 0;

-- Extracted rows only count once their document is completed (the worker stores them and
-- completes the document in one transaction), and they vanish with the document by cascade;
-- so watching documents covers every path that changes a fund's figures.
CREATE FUNCTION bump_fund_data_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.fund_id IS NOT NULL THEN
        UPDATE funds SET data_version = data_version + 1 WHERE id = OLD.fund_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.fund_id IS NOT NULL
       AND NEW.fund_id IS DISTINCT FROM (CASE WHEN TG_OP = 'UPDATE' THEN OLD.fund_id END) THEN
        UPDATE funds SET data_version = data_version + 1 WHERE id = NEW.fund_id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER documents_completed_bumps_fund
    AFTER UPDATE ON documents
    FOR EACH ROW
    WHEN ((NEW.status = 'completed' OR OLD.status = 'completed')
          AND (OLD.status IS DISTINCT FROM NEW.status
               OR OLD.fund_id IS DISTINCT FROM NEW.fund_id
               OR OLD.completed_at IS DISTINCT FROM NEW.completed_at))
    EXECUTE FUNCTION bump_fund_data_version();

CREATE TRIGGER documents_inserted_completed_bumps_fund
    AFTER INSERT ON documents
    FOR EACH ROW
    WHEN (NEW.status = 'completed')
    EXECUTE FUNCTION bump_fund_data_version();

CREATE TRIGGER documents_deleted_bumps_fund
    AFTER DELETE ON documents
    FOR EACH ROW
    EXECUTE FUNCTION bump_fund_data_version();
