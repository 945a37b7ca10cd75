//! The node's listener: accepts connections and serves the router on each, bounded
//! against slow and greedy clients.
//!
//! - **Header read timeout.** A client must send a request's whole header within
//!   [`ServeOptions::header_read_timeout`] of the connection starting to wait for it —
//!   also between requests on a keep-alive connection, so an idle connection is closed
//!   after the same time. Slower clients are disconnected (slow-loris).
//! - **Connection cap.** At most [`ServeOptions::max_connections`] connections are
//!   served at once; further clients wait in the listen backlog until one closes.
//! - Body reads are bounded by the routes themselves (limits, and the verify routes'
//!   body-read timeout).
//! - **Shutdown.** When `shutdown` resolves the listener closes, in-flight requests
//!   finish and idle connections are closed; after [`ServeOptions::drain_timeout`] the
//!   rest are dropped.
//!
//! Handlers see the client's address as `ConnectInfo<SocketAddr>` (the rate limit).

use axum::extract::connect_info::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

/// How the listener bounds its clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeOptions {
    /// Longest wait for a request's header (and for the next request on an idle
    /// keep-alive connection).
    pub header_read_timeout: Duration,
    /// Most connections served at once.
    pub max_connections: usize,
    /// Longest wait for open connections after shutdown is asked.
    pub drain_timeout: Duration,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            header_read_timeout: Duration::from_secs(10),
            max_connections: 1024,
            drain_timeout: Duration::from_secs(30),
        }
    }
}

/// Serve `app` on `listener` with `opts` until `shutdown` resolves (see the module
/// documentation).
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    opts: ServeOptions,
) -> std::io::Result<()> {
    let slots = Arc::new(tokio::sync::Semaphore::new(opts.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(opts.header_read_timeout);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(opts.header_read_timeout)
        .keep_alive_timeout(opts.header_read_timeout);
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, addr) = tokio::select! {
            r = listener.accept() => match r {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors and the like: wait, do not spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let svc =
            app.clone()
                .map_request(move |mut req: axum::http::Request<hyper::body::Incoming>| {
                    req.extensions_mut().insert(ConnectInfo::<SocketAddr>(addr));
                    req
                });
        let conn = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(svc))
            .into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(client = %addr, error = %e, "connection ended");
            }
            drop(permit);
        });
    }
    drop(listener);
    if tokio::time::timeout(opts.drain_timeout, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the drain timeout were dropped");
    }
    Ok(())
}
