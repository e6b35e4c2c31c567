//! Splitting a document's text blocks into retrieval chunks.
