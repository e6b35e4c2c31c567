-- The pages a document's text was read from by OCR (no usable text layer); every row, fact and
-- figure from those pages is served with `ocr: true`.
ALTER TABLE documents ADD COLUMN ocr_pages INT[] NOT NULL DEFAULT '{}';
