//! Database access, one module per table group.
