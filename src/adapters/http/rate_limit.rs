//! Per-client rate limit of the anonymous verify routes: a token bucket per client IP
//! address (`burst` requests at once, refilled at `per_minute`), over the limit `429`
//! problem+json `rate_limited` with `Retry-After`.
//!
//! The buckets live in this node's memory only: behind a load balancer each node
//! limits on its own (a client gets at most the node count times the rate). Requests
//! without a peer address (in-process calls) are not limited. Memory is bounded: past
//! [`MAX_CLIENTS`] addresses, the buckets that are full again are forgotten, and if
//! that is not enough, all of them.

use super::error::ApiError;
use super::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::Instant;

/// Most client addresses tracked at once.
pub const MAX_CLIENTS: usize = 100_000;

/// Token buckets by client address.
#[derive(Debug)]
pub struct RateLimiter {
    /// Tokens added per second; 0: no limit.
    per_second: f64,
    /// Bucket size.
    burst: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimiter {
    /// `per_minute` requests a minute per address after a `burst`; `per_minute` 0: no
    /// limit.
    pub fn new(per_minute: u32, burst: u32) -> Self {
        RateLimiter {
            per_second: f64::from(per_minute) / 60.0,
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Take one token for `client` at `now`: `Ok`, or the whole seconds to wait.
    pub fn take(&self, client: IpAddr, now: Instant) -> Result<(), u64> {
        if self.per_second <= 0.0 {
            return Ok(());
        }
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        if buckets.len() >= MAX_CLIENTS && !buckets.contains_key(&client) {
            let (rate, burst) = (self.per_second, self.burst);
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.saturating_duration_since(*at).as_secs_f64() * rate < burst
            });
            if buckets.len() >= MAX_CLIENTS {
                buckets.clear();
            }
        }
        let (tokens, at) = buckets.entry(client).or_insert((self.burst, now));
        let refilled = (*tokens
            + now.saturating_duration_since(*at).as_secs_f64() * self.per_second)
            .min(self.burst);
        *at = now;
        if refilled >= 1.0 {
            *tokens = refilled - 1.0;
            Ok(())
        } else {
            *tokens = refilled;
            Err(((1.0 - refilled) / self.per_second).ceil().max(1.0) as u64)
        }
    }
}

/// The middleware: a request over its client's budget is answered `429`.
pub(crate) async fn limit(State(node): State<AppState>, req: Request, next: Next) -> Response {
    let client = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip());
    if let Some(ip) = client {
        if let Err(wait) = node.rate.take(ip, Instant::now()) {
            return ApiError::RateLimited(wait).into_response();
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_burst_then_the_rate_then_a_wait() {
        let r = RateLimiter::new(60, 3);
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        let other: IpAddr = "127.0.0.2".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(r.take(ip, t0), Ok(()));
        }
        assert_eq!(r.take(ip, t0), Err(1));
        // another client has its own bucket
        assert_eq!(r.take(other, t0), Ok(()));
        // one token a second
        assert_eq!(r.take(ip, t0 + Duration::from_millis(1000)), Ok(()));
        assert!(r.take(ip, t0 + Duration::from_millis(1100)).is_err());
        // no limit at rate 0
        let free = RateLimiter::new(0, 1);
        for _ in 0..10 {
            assert_eq!(free.take(ip, t0), Ok(()));
        }
    }
}
