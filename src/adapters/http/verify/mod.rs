//! The anonymous verify routes: anyone (no token) verifies any artifact — an SD-JWT
//! license or proof, a seal, a detached stamp, a stamped OFD, a certificate — with the
//! one verification engine, under the trust list this node holds, and gets the
//! verdict: the report with every check, and the province, agency, type and claims it
//! names.
//!
//! - `POST /v1/verify`: JSON `{artifact, encoding?, type?, document?, at?, policy?}`, or
//!   the raw artifact with its media type (`?type=`, `?at=`).
//! - `POST /v1/verify:batch`: a JSON array of such items, verified in parallel off the
//!   async reactor, each its own verdict or problem, in order.
//! - `POST /v1/certificates:validate`: a certificate (PEM or DER, raw or JSON) for an
//!   optional `purpose`.
//!
//! Every verification goes through [`verify_one`] with the node's chain cache.

mod archive;
mod input;

pub use input::{Item, VerifyBody, MAX_RAW_OFD, MAX_RAW_OTHER};

use super::blocking::TokioBlocking;
use super::error::ApiError;
use super::state::{AppState, Node};
use crate::adapters::federation::{revoked_seals, status_lookups};
use crate::pki::validate::Purpose;
use crate::seal::SealRevocationList;
use crate::seal::SignedData;
use crate::service::blocking::parallel_map;
use crate::service::trust_list::CurrentTrustList;
use crate::service::{Blocking, ServiceError};
use crate::verify::StatusLookup;
use crate::verify::{self, Context, Input, Verdict};
use axum::extract::{Request, State};
use axum::Json;
use input::{is_json, media_type, raw_kind, read_body, Query};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// What a verification needs from other nodes, gathered (fetched or read from what the
/// node holds) before the engine runs: the status list an SD-JWT references, and the
/// seal revocation lists of the seals an artifact carries.
#[derive(Debug, Default)]
pub struct Gathered {
    status: HashMap<String, StatusLookup>,
    revoked_seals: Option<SealRevocationList>,
}

/// Gather what `item` needs under `trust` (see [`Gathered`]).
pub async fn gather(
    node: &Node,
    trust: &CurrentTrustList,
    item: &Item,
) -> Result<Gathered, ApiError> {
    let input = Input {
        bytes: &item.bytes,
        document: None,
        kind: item.kind,
    };
    let now = node.now();
    let uri = verify::status_uri(&input);
    let status = status_lookups(node, &trust.verified, uri, now).await?;
    let makers = verify::seal_revocations::seal_makers(&input);
    let revoked_seals = if makers.is_empty() {
        None
    } else {
        revoked_seals(node, &trust.verified, &makers, now).await?
    };
    Ok(Gathered {
        status,
        revoked_seals,
    })
}

/// Verify one artifact under `trust` with the node's chain cache and what was
/// gathered for it, at the item's time (default the node's now) and policy. Both the
/// single and the batch route come here; it runs on a blocking thread.
pub fn verify_one(node: &Node, trust: &CurrentTrustList, item: &Item, got: &Gathered) -> Verdict {
    verify_one_with(node, trust, item, got, None)
}

/// A proof of existence of the artifact (see [`verify::Context::poe`]) and the CRLs
/// kept at its issuance, to validate its chain at that time with.
type PastSignature = (verify::Poe, Vec<Vec<u8>>);

/// [`verify_one`] with a proof of existence.
fn verify_one_with(
    node: &Node,
    trust: &CurrentTrustList,
    item: &Item,
    got: &Gathered,
    past: Option<&PastSignature>,
) -> Verdict {
    let at = item.at.unwrap_or_else(|| node.now());
    let input = Input {
        bytes: &item.bytes,
        document: item.document.as_deref().map(SignedData::Bytes),
        kind: item.kind,
    };
    let mut ctx = Context::new(&trust.verified, at, &item.policy);
    ctx.chains = Some(&node.chains);
    ctx.status = Some(&got.status);
    ctx.revoked_seals = got.revoked_seals.as_ref();
    if let Some((poe, crls)) = past {
        ctx.poe = Some(*poe);
        ctx.crls = crls;
    }
    verify::verify(&input, &ctx)
}

/// Why no trust list can be judged with.
enum Unusable {
    /// The store failed, or the node holds no trust list at all (a problem answer).
    Api(ApiError),
    /// The list held cannot be relied on (past its next update and the grace): why.
    TrustList(String),
}

impl From<Unusable> for ApiError {
    fn from(u: Unusable) -> Self {
        match u {
            Unusable::Api(e) => e,
            Unusable::TrustList(_) => ApiError::TrustListUnavailable,
        }
    }
}

/// The trust list to judge with.
async fn trust(node: &Node) -> Result<Arc<CurrentTrustList>, Unusable> {
    node.trust_list_for_verify().await.map_err(|e| match e {
        e @ ServiceError::Storage(_) => Unusable::Api(ApiError::from(e)),
        ServiceError::TrustList(e) => Unusable::TrustList(e.to_string()),
        _ => Unusable::Api(ApiError::TrustListUnavailable),
    })
}

/// The INDETERMINATE / TRY_LATER verdict on `item` when the list held cannot be relied
/// on, citing that list.
fn unusable_verdict(node: &Node, item: &Item, at: time::OffsetDateTime, why: &str) -> Verdict {
    let cited = node.cached_trust_list().map(|c| verify::TrustListCited {
        sequence: c.sequence(),
        digest: c.digest().to_string(),
    });
    verify::without_trust_list(&item.bytes, item.kind, at, cited, why)
}

/// Verify an artifact under the node's trust list.
#[utoipa::path(post, path = "/v1/verify", request_body(content = VerifyBody, description = "JSON, or the raw artifact: application/dc+sd-jwt, application/vc+sd-jwt, application/sd-jwt, application/ofd, application/pkix-cert, application/x-pem-file, application/octet-stream (detected); query type and at"),
    params(("type" = Option<String>, Query, description = "raw bodies: sd-jwt, seal, stamp, ofd, certificate"),
        ("at" = Option<String>, Query, description = "raw bodies: validation time, RFC 3339")),
    responses((status = 200, description = "the verdict: report (indication, sub_indication, every check), province, agency, license type, disclosed claims, trust list cited"),
        (status = 408, description = "problem+json request_timeout: the body did not arrive in time"),
        (status = 413, description = "problem+json body_too_large"),
        (status = 415, description = "problem+json unsupported_artifact_type"),
        (status = 429, description = "problem+json rate_limited, with Retry-After"),
        (status = "4XX", description = "problem+json"),
        (status = 503, description = "problem+json trust_list_unavailable")))]
pub async fn verify(State(node): State<AppState>, req: Request) -> Result<Json<Verdict>, ApiError> {
    let query = Query::of(req.uri())?;
    let limits = node.settings.limits;
    let media = media_type(req.headers());
    let (parts, body) = req.into_parts();
    let item = match media.as_deref() {
        Some(m) if is_json(m) => {
            if query.kind.is_some() || query.at.is_some() {
                return Err(ApiError::InvalidRequest(
                    "a JSON body names type and at itself, not in the query".into(),
                ));
            }
            let bytes = read_body(
                &parts.headers,
                body,
                limits.max_verify_body,
                limits.body_read_timeout,
            )
            .await?;
            Item::from_json(&bytes)?
        }
        Some(m) => {
            let (implied, max) = raw_kind(m)?;
            let kind = query.kind.as_deref().map(input::kind).transpose()?;
            let at = query.at()?;
            let mut bytes = read_body(&parts.headers, body, max, limits.body_read_timeout)
                .await?
                .to_vec();
            if m.starts_with("image/") {
                bytes = TokioBlocking
                    .run(move || crate::qr::image::decode_picture(&bytes))
                    .await?
                    .map_err(|e| ApiError::BadPicture(e.to_string()))?
                    .swap_remove(0)
                    .text
                    .into_bytes();
            }
            Item {
                bytes,
                document: None,
                kind: kind.or(implied),
                at,
                policy: Default::default(),
            }
        }
        None => return Err(ApiError::UnsupportedMediaType),
    };
    let current = match trust(&node).await {
        Ok(c) => c,
        Err(Unusable::Api(e)) => return Err(e),
        Err(Unusable::TrustList(why)) => {
            let at = item.at.unwrap_or_else(|| node.now());
            return Ok(Json(unusable_verdict(&node, &item, at, &why)));
        }
    };
    let mut item = item;
    default_audiences(&node, &mut item.policy);
    let answer = show_answer(&node, &current, &item).await;
    // An online token's status is the redeemed presentation's.
    let got = match &answer {
        Some(verify::OnlineAnswer::Redeemed { presentation, .. }) => {
            let p = Item {
                bytes: presentation.clone().into_bytes(),
                document: None,
                kind: Some(verify::Kind::SdJwt),
                at: item.at,
                policy: item.policy.clone(),
            };
            gather(&node, &current, &p).await?
        }
        _ => gather(&node, &current, &item).await?,
    };
    let bytes = item.bytes.clone();
    let (n, c) = (node.clone(), current.clone());
    let (mut verdict, item, got) = TokioBlocking
        .run(move || {
            let v = verify_show_or_one(&n, &c, &item, &got, answer.as_ref());
            (v, item, got)
        })
        .await?;
    verdict.archive = archive::evidence(&node, &current, &bytes, &verdict).await;
    if let Some(past) = past_signature(&verdict) {
        // the chain has expired since, and the log proves the credential existed
        // before: judged again with the chain validated at that time
        let archived = verdict.archive.take();
        let (n, c) = (node.clone(), current.clone());
        verdict = TokioBlocking
            .run(move || verify_one_with(&n, &c, &item, &got, Some(&past)))
            .await?;
        verdict.archive = archived;
    }
    Ok(Json(verdict))
}

/// The proof of existence to judge `verdict`'s SD-JWT again with: when a check found
/// something expired and the archive evidence holds, its entry's time, with the CRLs
/// kept at issuance when that validation data holds.
fn past_signature(verdict: &Verdict) -> Option<PastSignature> {
    if verdict.kind != Some(verify::Kind::SdJwt)
        || verdict.report.indication == crate::report::Indication::TotalPassed
        || !verdict
            .report
            .checks
            .iter()
            .any(|c| c.sub_indication == Some(crate::report::SubIndication::Expired))
    {
        return None;
    }
    let a = verdict
        .archive
        .as_ref()
        .filter(|a| a.status == "archived")?;
    let crls = a.crls_kept().to_vec();
    let poe = verify::Poe {
        at: time::OffsetDateTime::from_unix_timestamp(a.at?).ok()?,
        province: crate::pki::Province::parse(&a.province)?,
        index: a.index?,
    };
    Some((poe, crls))
}

/// The verdict on an SD-JWT presentation handed over between nodes (a license
/// retrieved under a consent), with its archive evidence: what [`verify`] answers for
/// it.
pub async fn verify_presentation(
    node: &AppState,
    current: &Arc<CurrentTrustList>,
    presentation: &str,
) -> Result<Verdict, ApiError> {
    let mut item = Item {
        bytes: presentation.as_bytes().to_vec(),
        document: None,
        kind: Some(verify::Kind::SdJwt),
        at: None,
        policy: Default::default(),
    };
    default_audiences(node, &mut item.policy);
    let got = gather(node, current, &item).await?;
    let (n, c) = (node.clone(), current.clone());
    let mut verdict = TokioBlocking
        .run(move || verify_one(&n, &c, &item, &got))
        .await?;
    verdict.archive = archive::evidence(node, current, presentation.as_bytes(), &verdict).await;
    Ok(verdict)
}

/// A policy naming no audience answers to this node's province and id.
fn default_audiences(node: &Node, policy: &mut crate::verify::Policy) {
    if policy.audiences.is_empty() {
        if let Some((p, _)) = node.show_service() {
            policy.audiences.push(p.abbrev().to_string());
        }
        policy.audiences.push(node.settings.audience.clone());
    }
}

/// For an online show token: the issuing node's answer (asked only when the token's
/// own checks pass here).
async fn show_answer(
    node: &Node,
    current: &CurrentTrustList,
    item: &Item,
) -> Option<verify::OnlineAnswer> {
    let kind = item.kind.or_else(|| verify::detect(&item.bytes));
    if kind != Some(verify::Kind::ShowToken) {
        return None;
    }
    let text = std::str::from_utf8(&item.bytes).ok()?;
    super::show::redeem_at_issuer(node, current, text.trim(), &item.policy).await
}

/// [`verify_one`], or for a show token the engine's show verification with the
/// issuing node's answer.
fn verify_show_or_one(
    node: &Node,
    trust: &CurrentTrustList,
    item: &Item,
    got: &Gathered,
    answer: Option<&verify::OnlineAnswer>,
) -> Verdict {
    let kind = item.kind.or_else(|| verify::detect(&item.bytes));
    if kind != Some(verify::Kind::ShowToken) {
        return verify_one(node, trust, item, got);
    }
    let at = item.at.unwrap_or_else(|| node.now());
    let mut ctx = Context::new(&trust.verified, at, &item.policy);
    ctx.chains = Some(&node.chains);
    ctx.status = Some(&got.status);
    verify::verify_show(item.bytes.trim_ascii(), &ctx, answer)
}

/// One entry of a batch answer.
#[derive(Debug, Serialize)]
pub struct BatchEntry {
    /// Its place in the request.
    pub index: usize,
    /// The verdict, when the item could be verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// The problem (RFC 9457), when the item itself was refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<Value>,
}

/// The batch answer.
#[derive(Debug, Serialize)]
pub struct BatchAnswer {
    /// One entry per item, in order.
    pub results: Vec<BatchEntry>,
}

/// Items a worker thread takes at a time.
const BATCH_CHUNK: usize = 8;

/// Verify up to `max_verify_batch` (1,000) artifacts at once.
#[utoipa::path(post, path = "/v1/verify:batch", request_body(content = Vec<VerifyBody>, description = "a JSON array of verify items"),
    responses((status = 200, description = "results: per item, in order, its index and verdict, or its problem"),
        (status = 413, description = "problem+json batch_too_large (more than 1,000 items) or body_too_large"),
        (status = 422, description = "problem+json empty_batch"),
        (status = "4XX", description = "problem+json"),
        (status = 503, description = "problem+json trust_list_unavailable")))]
pub async fn verify_batch(
    State(node): State<AppState>,
    req: Request,
) -> Result<Json<BatchAnswer>, ApiError> {
    let limits = node.settings.limits;
    match media_type(req.headers()) {
        Some(m) if is_json(&m) => {}
        _ => return Err(ApiError::UnsupportedMediaType),
    }
    if req.uri().query().is_some() {
        return Err(ApiError::InvalidRequest(
            "a batch takes no query parameters".into(),
        ));
    }
    let (parts, body) = req.into_parts();
    let bytes = read_body(
        &parts.headers,
        body,
        limits.max_verify_body,
        limits.body_read_timeout,
    )
    .await?;
    let values: Vec<Value> = super::extract::parse_json(&bytes)?;
    if values.is_empty() {
        return Err(ApiError::EmptyBatch);
    }
    if values.len() > limits.max_verify_batch {
        return Err(ApiError::BatchTooLarge(limits.max_verify_batch));
    }
    let items: Vec<Result<Item, ApiError>> = values.into_iter().map(Item::from_value).collect();
    let current = trust(&node).await?;
    let mut got = Vec::with_capacity(items.len());
    for item in &items {
        got.push(match item {
            Ok(item) => gather(&node, &current, item).await?,
            Err(_) => Gathered::default(),
        });
    }
    // At most VERIFY_BATCHES_AT_ONCE batches, each on at most one thread per core.
    let _slot = node
        .batch_slots
        .acquire()
        .await
        .map_err(|_| ApiError::Internal("the batch pool is closed".into()))?;
    let worker = node.clone();
    let results = TokioBlocking
        .run(move || {
            let work: Vec<_> = items.iter().zip(&got).collect();
            parallel_map(&work, BATCH_CHUNK, |index, (item, got)| {
                Ok::<_, ServiceError>(match item {
                    Ok(item) => BatchEntry {
                        index,
                        verdict: Some(verify_one(&worker, &current, item, got)),
                        problem: None,
                    },
                    Err(e) => BatchEntry {
                        index,
                        verdict: None,
                        problem: Some(e.problem()),
                    },
                })
            })
        })
        .await??;
    Ok(Json(BatchAnswer { results }))
}

/// A certificate to validate (JSON).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificateBody {
    /// PEM text, or base64 DER with `encoding: "base64"`.
    pub certificate: String,
    /// `text` (default) or `base64`.
    #[serde(default)]
    pub encoding: Option<String>,
    /// `any`, `license`, `seal`, `stamp`, `show`, `trust-list`; default: from its role.
    #[serde(default)]
    pub purpose: Option<String>,
    /// Validation time (RFC 3339); default: now.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub at: Option<time::OffsetDateTime>,
}

/// Validate a certificate to a province root of the trust list.
#[utoipa::path(post, path = "/v1/certificates:validate", request_body(content = CertificateBody, description = "JSON, or the raw certificate: application/x-pem-file, application/pkix-cert, application/octet-stream; query purpose and at"),
    params(("purpose" = Option<String>, Query, description = "raw bodies: any, license, seal, stamp, show, trust-list"),
        ("at" = Option<String>, Query, description = "raw bodies: validation time, RFC 3339")),
    responses((status = 200, description = "the verdict of the certificate kind: cert.*, chain.*, leaf.* checks, its listing and province"),
        (status = "4XX", description = "problem+json"),
        (status = 503, description = "problem+json trust_list_unavailable")))]
pub async fn validate_certificate(
    State(node): State<AppState>,
    req: Request,
) -> Result<Json<Verdict>, ApiError> {
    let query = Query::of(req.uri())?;
    if query.kind.is_some() {
        return Err(ApiError::InvalidRequest(
            "a certificate route takes no type".into(),
        ));
    }
    let limits = node.settings.limits;
    let media = media_type(req.headers());
    let (parts, body) = req.into_parts();
    let (bytes, purpose, at): (Vec<u8>, Option<Purpose>, _) = match media.as_deref() {
        Some(m) if is_json(m) => {
            if query.purpose.is_some() || query.at.is_some() {
                return Err(ApiError::InvalidRequest(
                    "a JSON body names purpose and at itself, not in the query".into(),
                ));
            }
            let raw = read_body(
                &parts.headers,
                body,
                MAX_RAW_OTHER,
                limits.body_read_timeout,
            )
            .await?;
            let b: CertificateBody = super::extract::parse_json(&raw)?;
            let bytes = match b.encoding.as_deref().unwrap_or("text") {
                "text" => b.certificate.into_bytes(),
                "base64" => {
                    use base64::Engine;
                    base64::engine::general_purpose::STANDARD
                        .decode(b.certificate.trim())
                        .map_err(|_| ApiError::InvalidRequest("certificate is not base64".into()))?
                }
                other => {
                    return Err(ApiError::InvalidRequest(format!(
                        "encoding {other:?}: use text or base64"
                    )))
                }
            };
            let purpose = b.purpose.as_deref().map(input::purpose).transpose()?;
            (bytes, purpose, b.at)
        }
        Some(
            m @ ("application/pkix-cert"
            | "application/x-pem-file"
            | "application/x-x509-ca-cert"
            | "application/octet-stream"),
        ) => {
            let _ = m;
            let raw = read_body(
                &parts.headers,
                body,
                MAX_RAW_OTHER,
                limits.body_read_timeout,
            )
            .await?;
            (raw.to_vec(), query.purpose()?, query.at()?)
        }
        Some(other) => return Err(ApiError::UnsupportedArtifactType(other.to_string())),
        None => return Err(ApiError::UnsupportedMediaType),
    };
    let current = trust(&node).await?;
    let verdict = TokioBlocking
        .run(move || {
            let at = at.unwrap_or_else(|| node.now());
            let policy = verify::Policy::default();
            let mut ctx = Context::new(&current.verified, at, &policy);
            ctx.chains = Some(&node.chains);
            verify::verify_certificate(&bytes, purpose, &ctx)
        })
        .await?;
    Ok(Json(verdict))
}
