-- A document's file lives either in this row (`content`) or in the S3 bucket under `object_key`,
-- never both and never neither: the row says where, whatever FILE_STORE says today.
ALTER TABLE document_files
    ALTER COLUMN content DROP NOT NULL,
    ADD COLUMN object_key TEXT,
    ADD CONSTRAINT document_files_one_home CHECK ((content IS NULL) <> (object_key IS NULL));
