//! The issuance use case as the HTTP layer runs it: reserve status-list slots, have
//! the license domain build and sign each credential (on the blocking pool, split
//! across cores), write the rows and the idempotency record, commit, and only then
//! answer.

use super::error::ApiError;
use super::state::AppState;
use crate::adapters::storage::{NewLicense, Slot, StorageError};
use crate::license::sdjwt::key_of_jwk;
use crate::license::{Agency, Credential, HolderCodeType, IssueRequest, StatusRef};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::sync::Arc;
use time::macros::format_description;
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

/// One license to issue.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueBody {
    /// National or provincial type code (21 characters).
    pub type_code: String,
    /// Holder's name.
    pub holder: String,
    /// Holder's code (citizen ID number, USCC, passport number).
    pub holder_code: String,
    /// `111` citizen ID (default), `001` USCC, `414` passport.
    #[serde(default)]
    pub holder_code_type: Option<String>,
    /// The type's fields, as the catalogue's schema describes them.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub claims: Map<String, Value>,
    /// The number printed on the license (defaults to the serial).
    #[serde(default)]
    pub license_number: Option<String>,
    /// First day of validity, `YYYY-MM-DD` (defaults to the issue date).
    #[serde(default)]
    pub valid_from: Option<String>,
    /// Last day of validity, `YYYY-MM-DD` (defaults to the type's default validity).
    #[serde(default)]
    pub valid_to: Option<String>,
    /// Stated purpose (proofs only).
    #[serde(default)]
    pub purpose: Option<String>,
    /// Holder public key (JWK) for key binding (`cnf`).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub holder_key: Option<Value>,
}

/// A license issued and committed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IssuedLicense {
    /// GB/T 36904 identifier.
    pub identifier: String,
    /// Type code.
    pub type_code: String,
    /// `valid` on issuance.
    pub status: String,
    /// The status list entry.
    pub status_list: StatusListRef,
    /// The SD-JWT VC with every disclosure.
    pub credential: String,
    /// Unix seconds.
    pub issued_at: i64,
}

/// Where a license's status lives.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StatusListRef {
    /// Status list token URL.
    pub uri: String,
    /// Index in the list.
    pub idx: i64,
}

/// The identifier serial for a sequence number.
pub fn serial_for(seq: i64) -> String {
    format!("{seq:010}")
}

fn parse_date(s: &Option<String>, what: &str) -> Result<Option<Date>, ApiError> {
    s.as_deref()
        .map(|d| {
            Date::parse(d, format_description!("[year]-[month]-[day]"))
                .map_err(|_| ApiError::InvalidRequest(format!("{what} must be YYYY-MM-DD")))
        })
        .transpose()
}

fn holder_code_type(s: &Option<String>) -> Result<HolderCodeType, ApiError> {
    match s.as_deref() {
        None | Some("111") => Ok(HolderCodeType::CitizenId),
        Some("001") => Ok(HolderCodeType::Uscc),
        Some("414") => Ok(HolderCodeType::Passport),
        Some(_) => Err(ApiError::InvalidRequest(
            "holder_code_type must be 111, 001 or 414".into(),
        )),
    }
}

/// Turn a body into the domain's issuance request for `slot`.
pub fn to_request(
    node: &AppState,
    agency: &Agency,
    body: &IssueBody,
    slot: Slot,
) -> Result<IssueRequest, ApiError> {
    let holder_key = body
        .holder_key
        .as_ref()
        .map(|jwk| {
            key_of_jwk(jwk).ok_or_else(|| {
                ApiError::InvalidRequest("holder_key is not a P-256 or SM2 JWK".into())
            })
        })
        .transpose()?;
    Ok(IssueRequest {
        type_code: body.type_code.clone(),
        serial: serial_for(slot.seq),
        version: 1,
        license_number: body.license_number.clone(),
        holder: body.holder.clone(),
        holder_code: body.holder_code.clone(),
        holder_code_type: holder_code_type(&body.holder_code_type)?,
        claims: body.claims.clone(),
        valid_from: parse_date(&body.valid_from, "valid_from")?,
        valid_to: parse_date(&body.valid_to, "valid_to")?,
        purpose: body.purpose.clone(),
        holder_key,
        status: StatusRef {
            idx: usize::try_from(slot.index).map_err(|_| ApiError::Internal("slot".into()))?,
            uri: node.status_list_uri(agency.uscc(), slot.list),
        },
    })
}

/// Sign every request on the blocking pool, split over the available cores.
pub async fn sign_all(
    node: &AppState,
    agency: &Arc<Agency>,
    requests: Vec<IssueRequest>,
    now: OffsetDateTime,
    batch: bool,
) -> Result<Vec<Credential>, ApiError> {
    let catalog = node.catalog.clone();
    let agency = agency.clone();
    tokio::task::spawn_blocking(move || {
        let workers = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(requests.len().div_ceil(16))
            .max(1);
        let chunk = requests.len().div_ceil(workers).max(1);
        let results: Vec<Result<Vec<Credential>, ApiError>> = std::thread::scope(|s| {
            let handles: Vec<_> = requests
                .chunks(chunk)
                .enumerate()
                .map(|(c, reqs)| {
                    let (agency, catalog) = (&agency, &catalog);
                    s.spawn(move || {
                        reqs.iter()
                            .enumerate()
                            .map(|(i, r)| {
                                agency.issue(catalog, r, now).map_err(|e| {
                                    let e = ApiError::from(e);
                                    if batch {
                                        ApiError::BatchItem {
                                            index: c * chunk + i,
                                            source: Box::new(e),
                                        }
                                    } else {
                                        e
                                    }
                                })
                            })
                            .collect()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(ApiError::Internal("signing thread panicked".into()))
                    })
                })
                .collect()
        });
        let mut out = Vec::with_capacity(requests.len());
        for r in results {
            out.extend(r?);
        }
        Ok(out)
    })
    .await
    .map_err(|e| ApiError::Internal(e.to_string()))?
}

/// Issue `bodies` for `agency` in one transaction. With an idempotency key, the
/// response is stored with the licenses; a retry gets the stored response.
pub async fn issue_many(
    node: &AppState,
    agency: &Arc<Agency>,
    bodies: &[IssueBody],
    batch: bool,
    idempotency: Option<(&str, &str)>,
) -> Result<(Vec<IssuedLicense>, String), ApiError> {
    let now = node.now();
    let t = now.unix_timestamp();
    // Cheap refusals before any slot is reserved.
    for (i, b) in bodies.iter().enumerate() {
        let wrap = |e: ApiError| {
            if batch {
                ApiError::BatchItem {
                    index: i,
                    source: Box::new(e),
                }
            } else {
                e
            }
        };
        if node.catalog.get(&b.type_code).is_none() {
            return Err(wrap(ApiError::UnknownType(b.type_code.clone())));
        }
        if !agency.authorises(&b.type_code) {
            return Err(wrap(ApiError::TypeNotAuthorised(b.type_code.clone())));
        }
    }
    let mut tx = node
        .store
        .begin_issue(agency.uscc(), bodies.len(), t)
        .await?;
    let slots = tx.slots().to_vec();
    let mut requests = Vec::with_capacity(bodies.len());
    for (i, (b, s)) in bodies.iter().zip(&slots).enumerate() {
        requests.push(to_request(node, agency, b, *s).map_err(|e| {
            if batch {
                ApiError::BatchItem {
                    index: i,
                    source: Box::new(e),
                }
            } else {
                e
            }
        })?);
    }
    let credentials = sign_all(node, agency, requests, now, batch).await?;
    let rows: Vec<NewLicense> = credentials
        .iter()
        .zip(&slots)
        .map(|(c, s)| NewLicense {
            identifier: c.identifier().to_string(),
            type_code: c.metadata.type_code.clone(),
            holder_code: c.metadata.holder_code.clone(),
            credential: c.sd_jwt.clone(),
            slot: *s,
        })
        .collect();
    tx.insert_licenses(&rows).await?;
    let issued: Vec<IssuedLicense> = rows
        .iter()
        .map(|r| IssuedLicense {
            identifier: r.identifier.clone(),
            type_code: r.type_code.clone(),
            status: "valid".into(),
            status_list: StatusListRef {
                uri: node.status_list_uri(agency.uscc(), r.slot.list),
                idx: r.slot.index,
            },
            credential: r.credential.clone(),
            issued_at: t,
        })
        .collect();
    let response = if batch {
        serde_json::json!({ "issued": issued }).to_string()
    } else {
        serde_json::to_string(&issued[0]).map_err(|e| ApiError::Internal(e.to_string()))?
    };
    if let Some((key, hash)) = idempotency {
        match tx.put_idempotency(key, hash, &response).await {
            Ok(()) => {}
            Err(StorageError::Duplicate) => {
                // A concurrent request with the same key won; answer as it did.
                drop(tx);
                return replay(node, agency.uscc(), key, hash).await;
            }
            Err(e) => return Err(e.into()),
        }
    }
    tx.commit().await?;
    node.metrics.issued(issued.len() as u64);
    Ok((issued, response))
}

/// The stored response for an idempotency key, if the request matches.
pub async fn replay(
    node: &AppState,
    agency: &str,
    key: &str,
    hash: &str,
) -> Result<(Vec<IssuedLicense>, String), ApiError> {
    match node.store.idempotent_response(agency, key).await? {
        Some((h, response)) if h == hash => Ok((Vec::new(), response)),
        Some(_) => Err(ApiError::IdempotencyKeyReused),
        None => Err(ApiError::Internal("idempotency record vanished".into())),
    }
}

/// SHA-256 (hex) over the route and the canonical JSON of the body.
pub fn request_hash(route: &str, body: &impl Serialize) -> String {
    let json = serde_json::to_vec(body).unwrap_or_default();
    let mut data = route.as_bytes().to_vec();
    data.push(0);
    data.extend(json);
    hex::encode(crate::crypto::DigestAlgorithm::Sha256.digest(&data))
}
