//! Prometheus metrics in the text exposition format (version 0.0.4): requests by
//! route and status, licenses issued, status changes.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// The node's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
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

    fn request(&self, method: &str, route: &str, status: u16) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((method.to_string(), route.to_string(), status))
                .or_insert(0) += 1;
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

/// Middleware counting every request by its matched route (not the raw path, so
/// identifiers do not explode the label set).
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
    let resp = next.run(req).await;
    node.metrics
        .request(&method, &route, resp.status().as_u16());
    resp
}
