//! `POST /v1/verify`: anyone (no token) verifies any artifact — an SD-JWT license or
//! proof, a seal, a detached stamp, a stamped OFD, a certificate — with the one
//! verification engine, under the trust list this node holds, and gets the verdict:
//! the report with every check, and the province, agency, type and claims it names.

use super::blocking::TokioBlocking;
use super::error::ApiError;
use super::extract::ApiJson;
use super::state::AppState;
use crate::adapters::federation::{revoked_seals, status_lookups};
use crate::seal::SignedData;
use crate::service::{Blocking, ServiceError};
use crate::verify::{self, Context, Input, Kind, Policy, Verdict};
use axum::extract::State;
use axum::Json;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

/// Largest verification request, bytes (an OFD document travels base64 in it).
pub const MAX_VERIFY_BODY: usize = 96 * 1024 * 1024;

/// What to verify.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyBody {
    /// The artifact: text artifacts (SD-JWT, PEM certificate) as they are; binary ones
    /// (seal, stamp, OFD, DER certificate) base64, with `encoding: "base64"`.
    pub artifact: String,
    /// `text` (default) or `base64`.
    #[serde(default)]
    pub encoding: Option<String>,
    /// `sd-jwt`, `seal`, `stamp`, `ofd` or `certificate`; default: detected.
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// A detached stamp's signed document, base64.
    #[serde(default)]
    pub document: Option<String>,
    /// Validation time (RFC 3339); default: now.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub at: Option<OffsetDateTime>,
    /// The verifier's policy (accepted provinces and types, required disclosures, clock
    /// skew); default: every province and type.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub policy: Option<serde_json::Value>,
}

fn base64(what: &str, text: &str) -> Result<Vec<u8>, ApiError> {
    B64.decode(text.trim())
        .map_err(|_| ApiError::InvalidRequest(format!("{what} is not base64")))
}

/// Verify an artifact under the node's trust list.
#[utoipa::path(post, path = "/v1/verify", request_body = VerifyBody,
    responses((status = 200, description = "the verdict: report (indication, sub_indication, every check), province, agency, license type, disclosed claims, trust list cited"),
        (status = "4XX", description = "problem+json"),
        (status = 503, description = "problem+json trust_list_unavailable")))]
pub async fn verify(
    State(node): State<AppState>,
    ApiJson(b): ApiJson<VerifyBody>,
) -> Result<Json<Verdict>, ApiError> {
    let kind = match b.kind.as_deref() {
        None => None,
        Some(k) => Some(Kind::parse(k).ok_or_else(|| {
            ApiError::InvalidRequest(format!(
                "type {k:?}: use sd-jwt, seal, stamp, ofd or certificate"
            ))
        })?),
    };
    let bytes = match b.encoding.as_deref().unwrap_or("text") {
        "text" => b.artifact.into_bytes(),
        "base64" => base64("artifact", &b.artifact)?,
        other => {
            return Err(ApiError::InvalidRequest(format!(
                "encoding {other:?}: use text or base64"
            )))
        }
    };
    let document = b
        .document
        .as_deref()
        .map(|d| base64("document", d))
        .transpose()?;
    let policy: Policy = match b.policy {
        Some(v) => {
            serde_json::from_value(v).map_err(|e| ApiError::InvalidBody(format!("policy: {e}")))?
        }
        None => Policy::default(),
    };
    let current = node.current_trust_list().await.map_err(|e| match e {
        e @ ServiceError::Storage(_) => ApiError::from(e),
        _ => ApiError::TrustListUnavailable,
    })?;
    let at = b.at.unwrap_or_else(|| node.now());
    let uri = verify::status_uri(&Input {
        bytes: &bytes,
        document: None,
        kind,
    });
    let status = status_lookups(&node, &current.verified, uri, node.now()).await?;
    let makers = verify::seal_revocations::seal_makers(&Input {
        bytes: &bytes,
        document: None,
        kind,
    });
    let revoked = revoked_seals(&node, &current.verified, &makers, node.now()).await?;
    let verdict = TokioBlocking
        .run(move || {
            let input = Input {
                bytes: &bytes,
                document: document.as_deref().map(SignedData::Bytes),
                kind,
            };
            let ctx = Context {
                status: Some(&status),
                revoked_seals: revoked.as_ref(),
                ..Context::new(&current.verified, at, &policy)
            };
            verify::verify(&input, &ctx)
        })
        .await?;
    Ok(Json(verdict))
}
