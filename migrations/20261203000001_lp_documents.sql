-- LP documents beyond quarterly reports: each document's type (with the evidence for it) and
-- investor, the labelled facts it states, rows of many-funds portfolio tables, and notice or
-- prose cash flows with their components. The same cash flow seen in two documents (a notice,
-- then a quarterly report) is stored once per document but counted once: the later copy points
-- at the first through `duplicate_of`, and metrics read only rows whose `duplicate_of` is null.
ALTER TABLE documents
    ADD COLUMN document_type TEXT CHECK (document_type IN (
        'quarterly_report', 'capital_call_notice', 'distribution_notice',
        'capital_account_statement', 'financial_statements', 'portfolio_performance',
        'program_review', 'other')),
    ADD COLUMN type_evidence JSONB NOT NULL DEFAULT '[]',
    ADD COLUMN investor TEXT;

CREATE TABLE document_statement_facts (
    id           BIGSERIAL PRIMARY KEY,
    document_id  BIGINT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    seq          INT NOT NULL,
    key          TEXT NOT NULL,
    label        TEXT NOT NULL,
    value_number NUMERIC,
    value_date   DATE,
    period       TEXT CHECK (period IN ('as_of', 'qtd', 'ytd', 'itd')),
    column_name  TEXT,
    page         INT NOT NULL,
    source_text  TEXT NOT NULL,
    CHECK ((value_number IS NULL) <> (value_date IS NULL))
);
CREATE INDEX document_statement_facts_document ON document_statement_facts (document_id, seq);
CREATE INDEX document_statement_facts_key ON document_statement_facts (key, document_id);

-- Never funds: a pension plan's table of ~400 funds must not create 400 funds.
CREATE TABLE portfolio_rows (
    id           BIGSERIAL PRIMARY KEY,
    document_id  BIGINT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    seq          INT NOT NULL,
    name         TEXT NOT NULL,
    vintage_year INT,
    commitment   NUMERIC,
    contributed  NUMERIC,
    distributed  NUMERIC,
    nav          NUMERIC,
    tvpi         NUMERIC,
    irr_pct      NUMERIC,
    page         INT NOT NULL,
    source_text  TEXT NOT NULL
);
CREATE INDEX portfolio_rows_document ON portfolio_rows (document_id, seq);

ALTER TABLE capital_calls
    ADD COLUMN notice_date DATE,
    ADD COLUMN date_precision TEXT NOT NULL DEFAULT 'day' CHECK (date_precision IN ('day', 'month')),
    ADD COLUMN origin TEXT NOT NULL DEFAULT 'table' CHECK (origin IN ('table', 'notice', 'prose')),
    ADD COLUMN components JSONB NOT NULL DEFAULT '[]',
    ADD COLUMN duplicate_of BIGINT REFERENCES capital_calls (id) ON DELETE SET NULL;
CREATE INDEX capital_calls_duplicate_of ON capital_calls (duplicate_of) WHERE duplicate_of IS NOT NULL;

ALTER TABLE distributions
    ADD COLUMN notice_date DATE,
    ADD COLUMN date_precision TEXT NOT NULL DEFAULT 'day' CHECK (date_precision IN ('day', 'month')),
    ADD COLUMN origin TEXT NOT NULL DEFAULT 'table' CHECK (origin IN ('table', 'notice', 'prose')),
    ADD COLUMN components JSONB NOT NULL DEFAULT '[]',
    ADD COLUMN recallable_amount NUMERIC,
    ADD COLUMN duplicate_of BIGINT REFERENCES distributions (id) ON DELETE SET NULL;
CREATE INDEX distributions_duplicate_of ON distributions (duplicate_of) WHERE duplicate_of IS NOT NULL;

ALTER TABLE adjustments
    ADD COLUMN date_precision TEXT NOT NULL DEFAULT 'day' CHECK (date_precision IN ('day', 'month')),
    ADD COLUMN origin TEXT NOT NULL DEFAULT 'table' CHECK (origin IN ('table', 'notice', 'prose'));
