//! The sentence-embedding model, loaded once per process.
