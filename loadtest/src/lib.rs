//! The load harness's parts, shared by `fundlens-loadtest` and `fundlens-bench-ingest`: the real
//! stack as child processes, latency statistics, the health watcher and the request mix.
pub mod cpu;
pub mod stack;
pub mod stats;
pub mod watch;
pub mod workload;
