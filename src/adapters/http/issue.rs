//! The issuance use case as the HTTP layer calls it: [`crate::service::issue`] over the
//! node's store, catalogue and clock, on tokio's blocking pool.

use super::blocking::BoundedBlocking;
use super::error::ApiError;
use super::state::AppState;
use crate::license::Agency;
use crate::service::issue::{Idempotency, Issued, Issuer};
use std::sync::Arc;

pub use crate::service::issue::{
    request_hash, serial_for, IssueBody, IssuedLicense, StatusListRef,
};

/// Run the issuance use case for `agency` on `node`, counting what it issued.
pub(crate) async fn run_issue(
    node: &AppState,
    agency: &Arc<Agency>,
    bodies: &[IssueBody],
    batch: bool,
    idempotency: Option<Idempotency<'_>>,
) -> Result<Issued, ApiError> {
    let uscc = agency.uscc();
    let status_uri = |list: i64| node.status_list_uri(uscc, list);
    let ltv = node.ltv_basis();
    let issuer = Issuer {
        catalog: &node.catalog,
        agency,
        status_uri: &status_uri,
        ltv: Some(&ltv),
    };
    let out = crate::service::issue::issue(
        &node.store,
        &BoundedBlocking(&node.sign_slots),
        &issuer,
        bodies,
        batch,
        idempotency,
        node.now(),
    )
    .await?;
    if !out.replayed {
        node.metrics.issued(out.licenses.len() as u64);
    }
    Ok(out)
}

/// Issue `bodies` for `agency` in one transaction. With an idempotency key (and the
/// request's hash), the response is stored with the licenses; a retry gets the stored
/// response (and no licenses).
pub async fn issue_many(
    node: &AppState,
    agency: &Arc<Agency>,
    bodies: &[IssueBody],
    batch: bool,
    idempotency: Option<(&str, &str)>,
) -> Result<(Vec<IssuedLicense>, String), ApiError> {
    let idem = idempotency.map(|(key, request_hash)| Idempotency { key, request_hash });
    let out = run_issue(node, agency, bodies, batch, idem).await?;
    Ok((out.licenses, out.response))
}
