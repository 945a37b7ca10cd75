//! Prometheus metrics in the text exposition format (version 0.0.4): requests by
//! route and status, request latency histograms by route, licenses issued, status
//! changes; and the access log line of every request (target `deltaseal::access`).

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Upper bounds (seconds) of the latency histogram buckets; `+Inf` follows.
pub const LATENCY_BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// One route's latency histogram: a count per bucket (not cumulative), the sum and
/// the count.
#[derive(Debug, Default, Clone)]
struct Histogram {
    buckets: [u64; LATENCY_BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        if let Some(i) = LATENCY_BUCKETS.iter().position(|b| seconds <= *b) {
            self.buckets[i] += 1;
        }
        self.sum += seconds;
        self.count += 1;
    }
}

/// The node's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<(String, String), Histogram>>,
    licenses_issued: AtomicU64,
    status_changes: AtomicU64,
}

impl Metrics {
    /// Count licenses issued (after commit).
    pub fn issued(&self, n: u64) {
        self.licenses_issued.fetch_add(n, Ordering::Relaxed);
    }

    /// Count a status change.
    pub fn status_changed(&self) {
        self.status_changes.fetch_add(1, Ordering::Relaxed);
    }

    fn request(&self, method: &str, route: &str, status: u16, latency: Duration) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((method.to_string(), route.to_string(), status))
                .or_insert(0) += 1;
        }
        if let Ok(mut m) = self.latency.lock() {
            m.entry((method.to_string(), route.to_string()))
                .or_default()
                .observe(latency.as_secs_f64());
        }
    }

    /// The text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP deltaseal_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE deltaseal_http_requests_total counter\n");
        if let Ok(m) = self.requests.lock() {
            for ((method, route, status), n) in m.iter() {
                let _ = writeln!(
                    out,
                    "deltaseal_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        out.push_str(
            "# HELP deltaseal_http_request_duration_seconds HTTP request latency by route.\n",
        );
        out.push_str("# TYPE deltaseal_http_request_duration_seconds histogram\n");
        if let Ok(m) = self.latency.lock() {
            for ((method, route), h) in m.iter() {
                let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
                let mut cumulative = 0;
                for (bound, n) in LATENCY_BUCKETS.iter().zip(h.buckets.iter()) {
                    cumulative += n;
                    let _ = writeln!(
                        out,
                        "deltaseal_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                    );
                }
                let _ = writeln!(
                    out,
                    "deltaseal_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(
                    out,
                    "deltaseal_http_request_duration_seconds_sum{{{labels}}} {}",
                    h.sum
                );
                let _ = writeln!(
                    out,
                    "deltaseal_http_request_duration_seconds_count{{{labels}}} {}",
                    h.count
                );
            }
        }
        out.push_str(
            "# HELP deltaseal_licenses_issued_total Licenses and proofs issued (committed).\n",
        );
        out.push_str("# TYPE deltaseal_licenses_issued_total counter\n");
        let _ = writeln!(
            out,
            "deltaseal_licenses_issued_total {}",
            self.licenses_issued.load(Ordering::Relaxed)
        );
        out.push_str(
            "# HELP deltaseal_status_changes_total Suspensions, reinstatements and revocations.\n",
        );
        out.push_str("# TYPE deltaseal_status_changes_total counter\n");
        let _ = writeln!(
            out,
            "deltaseal_status_changes_total {}",
            self.status_changes.load(Ordering::Relaxed)
        );
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Middleware counting and timing every request by its matched route (not the raw
/// path, so identifiers do not explode the label set), and writing its access log line:
/// method, route, path, status, latency, client (the peer address, `-` when unknown).
pub async fn count(State(node): State<super::AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    // Only standard methods become label values, so clients cannot grow the label set.
    let method = match req.method().as_str() {
        m @ ("GET" | "POST" | "PUT" | "DELETE" | "HEAD" | "OPTIONS" | "PATCH") => m,
        _ => "OTHER",
    }
    .to_string();
    let client = req
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|ConnectInfo(a)| a.to_string())
        .unwrap_or_else(|| "-".to_string());
    let path = req.uri().path().to_string();
    let started = Instant::now();
    let resp = next.run(req).await;
    let latency = started.elapsed();
    let status = resp.status().as_u16();
    node.metrics.request(&method, &route, status, latency);
    tracing::info!(
        target: "deltaseal::access",
        method = %method,
        route = %route,
        path = %path,
        status,
        latency_ms = latency.as_secs_f64() * 1000.0,
        client = %client,
        "request"
    );
    resp
}
