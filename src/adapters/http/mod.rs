//! HTTP adapter (axum): the node's API. [`app`] builds the one router — licenses,
//! proofs, status lists, the trust list, seals, stamps, operations — from the one [`Node`] state, so
//! metrics, body limits, tracing and the fallback wrap every route and tests drive
//! exactly what the server runs with `oneshot`; [`serve`] binds it and shuts down
//! gracefully.
//!
//! Owns: routes, extractors, request-token authentication by purpose ([`auth`]), the
//! the one error → problem+json mapping ([`error`]), metrics, OpenAPI.
//! Must not touch: credential, seal and OFD formats, signing or SQL — those are the
//! domain's and the storage adapter's.

pub mod archive;
pub mod auth;
pub mod blocking;
pub mod consent;
pub mod demo_data;
pub mod demo_idp;
pub mod error;
pub mod extract;
pub mod holder;
pub mod holder_licenses;
pub mod issue;
pub mod licenses;
mod metrics;
pub mod node_call;
pub mod ops;
pub mod pages;
pub mod proofs;
pub mod rate_limit;
pub mod seals;
mod server;
pub mod show;
pub mod state;
pub mod status;
pub mod trust_list;
pub mod verify;

pub use error::ApiError;
pub use server::{serve_with, ServeOptions};
pub use state::{AppState, Clock, Hosted, Limits, Node, NodeSettings, NodeTrustList, Party};

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;
use tower_http::trace::TraceLayer;

/// The router over a node: every route of the API.
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
        .route("/v1/archive/checkpoint", get(archive::checkpoint))
        .route("/v1/archive/entries", get(archive::entries))
        .route("/v1/archive/records", get(archive::records))
        .route("/v1/archive/proofs/inclusion", get(archive::inclusion))
        .route("/v1/archive/proofs/consistency", get(archive::consistency))
        .route(archive::COSIGN_PATH, post(archive::cosignature))
        .route("/v1/trust-list", get(trust_list::trust_list))
        .merge(verify_routes(node.clone()))
        .route("/v1/seals", post(seals::make::create))
        .route("/v1/seals/revocations", get(seals::make::revocations))
        .route(
            "/v1/seal-revocations/{authority}",
            get(seals::make::signed_revocations),
        )
        .route("/v1/seals/{es_id}", get(seals::make::get_seal))
        .route(
            "/v1/seals/{es_id}/signers",
            post(seals::make::change_signers),
        )
        .route("/v1/seals/{es_id}/stamp", post(seals::stamp::stamp))
        .route("/v1/show", post(show::show))
        .route(show::REDEEM_PATH, post(show::redeem_route))
        .route(show::PREPARE_PATH, post(show::prepare_route))
        .route("/v1/holder/me", get(holder::me))
        .route("/v1/holder/licenses", get(holder_licenses::list))
        .route(
            "/v1/holder/consents",
            get(consent::list).post(consent::grant),
        )
        .route("/v1/holder/consents/{id}/revoke", post(consent::revoke))
        .route("/v1/holder/accesses", get(consent::accesses))
        .route("/v1/holders/{holder_code}/licenses", get(consent::fetch))
        .route(consent::FEDERATION_PATH, post(consent::federation))
        .route(
            holder_licenses::FEDERATION_PATH,
            post(holder_licenses::federation),
        )
        .route(
            "/demo-idp/.well-known/openid-configuration",
            get(demo_idp::discovery),
        )
        .route("/demo-idp/jwks.json", get(demo_idp::jwks))
        .route("/demo-idp/holders", get(demo_idp::holders))
        .route("/demo-idp/sign-in", post(demo_idp::sign_in))
        .route("/holder", get(pages::holder))
        .route("/verify", get(pages::verify))
        .route("/assets/{*name}", get(pages::asset))
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route(
            "/.well-known/jwt-vc-issuer/agencies/{uscc}",
            get(ops::issuer_metadata),
        )
        .route("/metrics", get(ops::metrics))
        .route("/openapi.json", get(ops::openapi))
        .fallback(|| async { ApiError::NoSuchRoute })
        // axum adds the `Allow` header of the path to this answer
        .method_not_allowed_fallback(|method: axum::http::Method| async move {
            ApiError::MethodNotAllowed(method.as_str().chars().take(32).collect())
        })
        .layer(axum::middleware::from_fn_with_state(
            node.clone(),
            metrics::count,
        ))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(TraceLayer::new_for_http())
        .with_state(node)
}

/// The anonymous verify routes, behind the per-client rate limit. They read their
/// bodies themselves, within their own limits and the body-read timeout.
fn verify_routes(node: AppState) -> Router<AppState> {
    Router::new()
        .route("/v1/verify", post(verify::verify))
        .route("/v1/verify:batch", post(verify::verify_batch))
        .route(
            "/v1/certificates:validate",
            post(verify::validate_certificate),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            node,
            rate_limit::limit,
        ))
}

/// Serve `app` (the node's router) on `listener` until `shutdown` resolves, with the
/// default [`ServeOptions`] (header read timeout, connection cap); then finish
/// in-flight requests. Handlers see the client's address (for the rate limit).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    server::serve_with(listener, app, shutdown, ServeOptions::default()).await
}
