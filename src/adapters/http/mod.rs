//! HTTP adapter (axum): the issuance API. [`app`] builds the router from a [`Node`]
//! so tests drive it with `oneshot`; [`serve`] binds it and shuts down gracefully.
//!
//! Owns: routes, extractors, agency authentication, the one error → problem+json
//! mapping ([`error`]), metrics, OpenAPI. Must not touch: credential formats, signing
//! or SQL — those are the license domain's and the storage adapter's.

pub mod auth;
pub mod blocking;
pub mod error;
pub mod extract;
pub mod issue;
pub mod licenses;
mod metrics;
pub mod ops;
pub mod proofs;
pub mod seals;
pub mod state;
pub mod status;
pub mod token;

pub use error::ApiError;
pub use state::{AppState, Clock, Limits, Node, NodeSettings};

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use tower_http::trace::TraceLayer;

/// The router over a node.
pub fn app(node: AppState) -> Router {
    let max_body = node.settings.limits.max_body;
    Router::new()
        .route("/v1/licenses", post(licenses::issue_one))
        .route("/v1/licenses:batch", post(licenses::issue_batch))
        .route("/v1/licenses/{identifier}", get(licenses::get_license))
        .route("/v1/licenses/{identifier}/suspend", post(licenses::suspend))
        .route(
            "/v1/licenses/{identifier}/reinstate",
            post(licenses::reinstate),
        )
        .route("/v1/licenses/{identifier}/revoke", post(licenses::revoke))
        .route("/v1/proofs/requests", post(proofs::create))
        .route("/v1/proofs/requests/{id}/approve", post(proofs::approve))
        .route("/v1/proofs/requests/{id}/refuse", post(proofs::refuse))
        .route("/v1/proofs/requests/{id}/issue", post(proofs::issue))
        .route("/v1/status/{agency}/{list}", get(status::status_list))
        .route("/v1/catalog", get(status::catalog))
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .route("/openapi.json", get(ops::openapi))
        .fallback(|| async { ApiError::NoSuchRoute })
        .method_not_allowed_fallback(|| async { ApiError::NoSuchRoute })
        .layer(axum::middleware::from_fn_with_state(
            node.clone(),
            metrics::count,
        ))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(TraceLayer::new_for_http())
        .with_state(node)
}

/// Serve `app` (the node's router, with the seal routes merged in) on `listener` until
/// `shutdown` resolves, then finish in-flight requests.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
