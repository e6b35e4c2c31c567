//! Empty: this package holds the whole-stack tests in `e2e/tests/` (the API and workers together
//! against real Postgres and Redis). Their shared helper is `e2e/tests/common/`.
