-- `documents.stage` holds the values of `shared::domain::Stage`, as `documents.status` has held
-- only those of `DocumentStatus` since the first migration; the Rust enums decode nothing else.
ALTER TABLE documents ADD CONSTRAINT documents_stage_check
    CHECK (stage IN ('parsing', 'extracting', 'embedding', 'storing'));
