//! Per-endpoint outcome counts and latency histograms, and the printed table.
use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;

/// How one request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    /// `404 No such route.`: the endpoint has not been merged yet; counted apart, not an error.
    Missing,
    Error(u16),
    /// Transport failure (connection refused or reset), status 0.
    Transport,
    Timeout,
}

pub struct Endpoint {
    pub latency: Histogram<u64>,
    pub ok: u64,
    pub missing: u64,
    pub errors: BTreeMap<u16, u64>,
    pub timeouts: u64,
}

impl Default for Endpoint {
    fn default() -> Self {
        Self {
            latency: Histogram::new_with_bounds(1, 120_000_000, 3).expect("histogram bounds"),
            ok: 0,
            missing: 0,
            errors: BTreeMap::new(),
            timeouts: 0,
        }
    }
}

#[derive(Default)]
pub struct Stats {
    pub endpoints: BTreeMap<&'static str, Endpoint>,
}

impl Stats {
    pub fn record(&mut self, name: &'static str, outcome: Outcome, took: Duration) {
        let e = self.endpoints.entry(name).or_default();
        let _ = e.latency.record((took.as_micros() as u64).max(1));
        match outcome {
            Outcome::Ok => e.ok += 1,
            Outcome::Missing => e.missing += 1,
            Outcome::Error(s) => *e.errors.entry(s).or_default() += 1,
            Outcome::Transport => *e.errors.entry(0).or_default() += 1,
            Outcome::Timeout => e.timeouts += 1,
        }
    }

    pub fn merge(&mut self, other: Stats) {
        for (name, o) in other.endpoints {
            let e = self.endpoints.entry(name).or_default();
            let _ = e.latency.add(&o.latency);
            e.ok += o.ok;
            e.missing += o.missing;
            e.timeouts += o.timeouts;
            for (s, n) in o.errors {
                *e.errors.entry(s).or_default() += n;
            }
        }
    }

    pub fn total(&self) -> u64 {
        self.endpoints.values().map(|e| e.latency.len()).sum()
    }

    pub fn failed(&self) -> u64 {
        self.endpoints
            .values()
            .map(|e| e.errors.values().sum::<u64>())
            .sum()
    }

    pub fn timeouts(&self) -> u64 {
        self.endpoints.values().map(|e| e.timeouts).sum()
    }

    pub fn missing(&self) -> u64 {
        self.endpoints.values().map(|e| e.missing).sum()
    }

    pub fn print(&self, title: &str, elapsed: Duration, ceiling_rps: f64) {
        let rps = self.total() as f64 / elapsed.as_secs_f64();
        println!(
            "\n== {title}: {} requests in {:.2} s = {rps:.0} req/s ({:.2} of the ceiling {ceiling_rps:.0} req/s)",
            self.total(),
            elapsed.as_secs_f64(),
            rps / ceiling_rps
        );
        println!(
            "{:<34} {:>7} {:>6} {:>8} {:>5} {:>16} {:>8} {:>8} {:>8} {:>8}",
            "endpoint",
            "reqs",
            "ok",
            "missing",
            "t/o",
            "errors",
            "p50 ms",
            "p90 ms",
            "p99 ms",
            "max ms"
        );
        for (name, e) in &self.endpoints {
            let errors = if e.errors.is_empty() {
                "0".to_string()
            } else {
                e.errors
                    .iter()
                    .map(|(s, n)| format!("{s}:{n}"))
                    .collect::<Vec<_>>()
                    .join(",")
            };
            println!(
                "{:<34} {:>7} {:>6} {:>8} {:>5} {:>16} {:>8} {:>8} {:>8} {:>8}",
                name,
                e.latency.len(),
                e.ok,
                e.missing,
                e.timeouts,
                errors,
                ms(e.latency.value_at_quantile(0.5)),
                ms(e.latency.value_at_quantile(0.9)),
                ms(e.latency.value_at_quantile(0.99)),
                ms(e.latency.max()),
            );
        }
    }
}

pub fn ms(us: u64) -> String {
    format!("{:.1}", us as f64 / 1000.0)
}
