//! Fund performance metrics (PIC, DPI, TVPI, RVPI, XIRR) and reconciliation.
