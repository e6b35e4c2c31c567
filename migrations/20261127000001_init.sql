-- Fundlens schema: funds, documents and their files, what is extracted from them, retrieval chunks
-- and conversations. Postgres is the source of truth for every document's processing state.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE funds (
    id           BIGSERIAL PRIMARY KEY,
    name         TEXT NOT NULL CHECK (length(btrim(name)) > 0),
    -- Names match case- and whitespace-insensitively ("Tech  ventures fund III" = "Tech Ventures Fund III").
    name_key     TEXT GENERATED ALWAYS AS (lower(regexp_replace(btrim(name), '\s+', ' ', 'g'))) STORED,
    gp_name      TEXT,
    fund_type    TEXT,
    vintage_year INT,
    fund_size    NUMERIC,
    currency     TEXT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX funds_name_key ON funds (name_key);

CREATE TABLE documents (
    id             BIGSERIAL PRIMARY KEY,
    fund_id        BIGINT REFERENCES funds (id) ON DELETE SET NULL,
    -- The fund the uploader named, if any; the worker never overrides it with the printed name.
    upload_fund_id BIGINT REFERENCES funds (id) ON DELETE SET NULL,
    file_name      TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    size_bytes     BIGINT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'queued'
                   CHECK (status IN ('queued', 'processing', 'completed', 'failed')),
    stage          TEXT,
    progress_done  INT NOT NULL DEFAULT 0,
    progress_total INT,
    attempts       INT NOT NULL DEFAULT 0,
    error          TEXT,
    warnings       JSONB NOT NULL DEFAULT '[]',
    page_count     INT,
    job_id         TEXT,
    worker_id      TEXT,
    request_id     TEXT,
    heartbeat_at   TIMESTAMPTZ,
    enqueued_at    TIMESTAMPTZ,
    not_before     TIMESTAMPTZ,
    uploaded_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    started_at     TIMESTAMPTZ,
    completed_at   TIMESTAMPTZ,
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX documents_content_per_fund ON documents (sha256, COALESCE(upload_fund_id, 0));
CREATE INDEX documents_fund ON documents (fund_id);
CREATE INDEX documents_pending ON documents (status, updated_at) WHERE status IN ('queued', 'processing');

-- Kept apart from `documents` so listing documents never reads file bytes; reachable from any worker host.
CREATE TABLE document_files (
    document_id BIGINT PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    content     BYTEA NOT NULL
);

CREATE TABLE document_pages (
    document_id BIGINT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    page_number INT NOT NULL,
    text        TEXT NOT NULL,
    PRIMARY KEY (document_id, page_number)
);

-- Headings and paragraphs outside tables, in reading order: the input of chunking.
CREATE TABLE text_blocks (
    id          BIGSERIAL PRIMARY KEY,
    document_id BIGINT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    page        INT NOT NULL,
    seq         INT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('heading', 'paragraph', 'table_title')),
    text        TEXT NOT NULL
);
CREATE INDEX text_blocks_document ON text_blocks (document_id, seq);

CREATE TABLE capital_calls (
    id          BIGSERIAL PRIMARY KEY,
    fund_id     BIGINT REFERENCES funds (id) ON DELETE CASCADE,
    document_id BIGINT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    page        INT NOT NULL,
    date        DATE NOT NULL,
    amount      NUMERIC NOT NULL,
    call_type   TEXT,
    description TEXT,
    call_number TEXT,
    source_text TEXT NOT NULL
);
CREATE INDEX capital_calls_fund_date ON capital_calls (fund_id, date);
CREATE INDEX capital_calls_document ON capital_calls (document_id);

CREATE TABLE distributions (
    id                BIGSERIAL PRIMARY KEY,
    fund_id           BIGINT REFERENCES funds (id) ON DELETE CASCADE,
    document_id       BIGINT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    page              INT NOT NULL,
    date              DATE NOT NULL,
    amount            NUMERIC NOT NULL,
    distribution_type TEXT,
    is_recallable     BOOLEAN NOT NULL DEFAULT false,
    description       TEXT,
    source_text       TEXT NOT NULL
);
CREATE INDEX distributions_fund_date ON distributions (fund_id, date);
CREATE INDEX distributions_document ON distributions (document_id);

CREATE TABLE adjustments (
    id              BIGSERIAL PRIMARY KEY,
    fund_id         BIGINT REFERENCES funds (id) ON DELETE CASCADE,
    document_id     BIGINT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    page            INT NOT NULL,
    date            DATE NOT NULL,
    amount          NUMERIC NOT NULL,
    adjustment_type TEXT,
    description     TEXT,
    source_text     TEXT NOT NULL
);
CREATE INDEX adjustments_fund_date ON adjustments (fund_id, date);
CREATE INDEX adjustments_document ON adjustments (document_id);

-- Figures the report itself states (NAV, PIC, DPI, IRR...), kept as printed for reconciliation.
CREATE TABLE reported_figures (
    id          BIGSERIAL PRIMARY KEY,
    fund_id     BIGINT REFERENCES funds (id) ON DELETE CASCADE,
    document_id BIGINT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    key         TEXT NOT NULL,
    value       NUMERIC NOT NULL,
    as_of       DATE,
    page        INT NOT NULL,
    source_text TEXT NOT NULL
);
CREATE INDEX reported_figures_fund ON reported_figures (fund_id, key, as_of);
CREATE INDEX reported_figures_document ON reported_figures (document_id);

-- Facts about the fund as printed in one document (name, GP, vintage, size, report date, currency).
CREATE TABLE document_facts (
    document_id  BIGINT PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
    fund_name    TEXT,
    gp_name      TEXT,
    vintage_year INT,
    fund_size    NUMERIC,
    report_date  DATE,
    nav          NUMERIC,
    currency     TEXT
);

CREATE TABLE document_chunks (
    id          BIGSERIAL PRIMARY KEY,
    document_id BIGINT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    fund_id     BIGINT REFERENCES funds (id) ON DELETE CASCADE,
    chunk_index INT NOT NULL,
    page_start  INT NOT NULL,
    page_end    INT NOT NULL,
    heading     TEXT,
    content     TEXT NOT NULL,
    token_count INT NOT NULL DEFAULT 0,
    embedding   vector(384),
    tsv         tsvector GENERATED ALWAYS AS (
                    to_tsvector('english', coalesce(heading, '') || ' ' || content)) STORED
);
CREATE INDEX document_chunks_document ON document_chunks (document_id, chunk_index);
CREATE INDEX document_chunks_fund ON document_chunks (fund_id);
CREATE INDEX document_chunks_embedding ON document_chunks USING hnsw (embedding vector_cosine_ops);
CREATE INDEX document_chunks_tsv ON document_chunks USING gin (tsv);

CREATE TABLE conversations (
    id         BIGSERIAL PRIMARY KEY,
    fund_id    BIGINT REFERENCES funds (id) ON DELETE SET NULL,
    title      TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE messages (
    id              BIGSERIAL PRIMARY KEY,
    conversation_id BIGINT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    role            TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content         TEXT NOT NULL,
    intent          TEXT,
    payload         JSONB,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);
