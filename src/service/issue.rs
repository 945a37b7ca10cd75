//! Issuing licenses, one or a batch, all or none, idempotently: check each item
//! against the agency and catalogue, reserve status-list slots, have the license
//! domain build and sign each credential (through [`Blocking`], split over the
//! cores), write the rows and the idempotency record, commit, and only then answer.
//!
//! The request and answer shapes are the API's contract (the answer is also what an
//! idempotency record stores), so they are defined here once.

use super::blocking::{parallel_map, Blocking};
use super::store::{IdempotentResponse, Issuance, LicenseStore, NewLicense, Slot, StoreError};
use super::ServiceError;
use crate::catalog::Catalog;
use crate::crypto::PublicKey;
use crate::license::sdjwt::key_of_jwk;
use crate::license::{Agency, Credential, HolderCodeType, IssueRequest, StatusRef};
use futures_util::future::join;
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
    /// National type code, or the agency's own province's local code for it (21
    /// characters).
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
    /// National type code (the credential's type).
    pub type_code: String,
    /// The issuing province's local code the license was issued under, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_type_code: Option<String>,
    /// `valid` on issuance.
    pub status: String,
    /// The status list entry.
    pub status_list: StatusListRef,
    /// The SD-JWT VC with every disclosure.
    pub credential: String,
    /// When it was issued (RFC 3339, UTC, whole seconds).
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub issued_at: OffsetDateTime,
}

/// A stored time (Unix seconds) as the API shows it: RFC 3339 in JSON bodies, UTC.
/// Stored times come from the node's clock, so one out of range is shown as the epoch
/// rather than refused.
pub fn api_time(t: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(t).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Where a license's status lives.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StatusListRef {
    /// Status list token URL.
    pub uri: String,
    /// Index in the list.
    pub idx: i64,
}

/// Who issues: the catalogue, the agency, and where its status lists are served.
#[derive(Clone, Copy)]
pub struct Issuer<'a> {
    /// The catalogue of types.
    pub catalog: &'a Arc<Catalog>,
    /// The issuing agency.
    pub agency: &'a Arc<Agency>,
    /// The URI of the agency's status list number `list`.
    pub status_uri: &'a (dyn Fn(i64) -> String + Sync),
    /// What the node holds for the validation data kept at issuance
    /// ([`super::ltv`]); `None`: none is kept.
    pub ltv: Option<&'a super::ltv::LtvBasis>,
}

/// An idempotency key and the hash of the request it came with.
#[derive(Debug, Clone, Copy)]
pub struct Idempotency<'a> {
    /// The client's key.
    pub key: &'a str,
    /// [`request_hash`] of the request.
    pub request_hash: &'a str,
}

/// What an issuance answered.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The licenses issued now (empty when the answer is a replay).
    pub licenses: Vec<IssuedLicense>,
    /// The response document (one license, or `{"issued": [...]}` for a batch).
    pub response: String,
    /// Whether `response` is the stored answer to an earlier request with the same key.
    pub replayed: bool,
}

/// The identifier serial for a sequence number.
pub fn serial_for(seq: i64) -> String {
    format!("{seq:010}")
}

/// SHA-256 (hex) over the route and the canonical JSON of the body.
pub fn request_hash(route: &str, body: &impl Serialize) -> String {
    let json = serde_json::to_vec(body).unwrap_or_default();
    let mut data = route.as_bytes().to_vec();
    data.push(0);
    data.extend(json);
    hex::encode(crate::crypto::DigestAlgorithm::Sha256.digest(&data))
}

fn parse_date(s: &Option<String>, what: &str) -> Result<Option<Date>, ServiceError> {
    s.as_deref()
        .map(|d| {
            Date::parse(d, format_description!("[year]-[month]-[day]"))
                .map_err(|_| ServiceError::InvalidRequest(format!("{what} must be YYYY-MM-DD")))
        })
        .transpose()
}

/// A holder (or applicant) code type from its code; `field` names it in the refusal.
pub fn holder_code_type(s: Option<&str>, field: &str) -> Result<HolderCodeType, ServiceError> {
    match s {
        None | Some("111") => Ok(HolderCodeType::CitizenId),
        Some("001") => Ok(HolderCodeType::Uscc),
        Some("414") => Ok(HolderCodeType::Passport),
        Some(_) => Err(ServiceError::InvalidRequest(format!(
            "{field} must be 111, 001 or 414"
        ))),
    }
}

/// A holder key (JWK) for key binding.
pub fn holder_key(jwk: Option<&Value>) -> Result<Option<PublicKey>, ServiceError> {
    jwk.map(|j| {
        key_of_jwk(j).ok_or_else(|| {
            ServiceError::InvalidRequest("holder_key is not a P-256 or SM2 JWK".into())
        })
    })
    .transpose()
}

/// The status entry of `slot`.
pub(crate) fn status_ref(issuer: &Issuer<'_>, slot: Slot) -> Result<StatusRef, ServiceError> {
    Ok(StatusRef {
        idx: usize::try_from(slot.index).map_err(|_| ServiceError::Internal("slot".into()))?,
        uri: (issuer.status_uri)(slot.list),
    })
}

/// What the answer shows of a license just written (its row, taken over).
pub(crate) fn issued_view(
    issuer: &Issuer<'_>,
    c: &Credential,
    row: NewLicense,
    t: i64,
) -> IssuedLicense {
    IssuedLicense {
        identifier: row.identifier,
        type_code: row.type_code,
        local_type_code: c.local_type_code.clone(),
        status: crate::license::Status::Valid.name().into(),
        status_list: StatusListRef {
            uri: (issuer.status_uri)(row.slot.list),
            idx: row.slot.index,
        },
        credential: row.credential,
        issued_at: api_time(t),
    }
}

/// The row to write for a credential in `slot`, issued under the validation data
/// `kept` ([`super::ltv::keep_for`]).
pub(crate) fn row_of(c: &Credential, slot: Slot, kept: &[(i64, String)]) -> NewLicense {
    NewLicense {
        identifier: c.identifier().to_string(),
        type_code: c.metadata.type_code.clone(),
        holder_code: c.metadata.holder_code.clone(),
        credential: c.sd_jwt.clone(),
        slot,
        evidence: super::ltv::kept_for(kept, slot),
    }
}

/// Turn a body into the domain's issuance request for `slot`.
pub fn to_request(
    issuer: &Issuer<'_>,
    body: &IssueBody,
    slot: Slot,
) -> Result<IssueRequest, ServiceError> {
    let holder_key = holder_key(body.holder_key.as_ref())?;
    Ok(IssueRequest {
        type_code: body.type_code.clone(),
        serial: serial_for(slot.seq),
        version: 1,
        license_number: body.license_number.clone(),
        holder: body.holder.clone(),
        holder_code: body.holder_code.clone(),
        holder_code_type: holder_code_type(body.holder_code_type.as_deref(), "holder_code_type")?,
        claims: body.claims.clone(),
        valid_from: parse_date(&body.valid_from, "valid_from")?,
        valid_to: parse_date(&body.valid_to, "valid_to")?,
        purpose: body.purpose.clone(),
        holder_key,
        status: status_ref(issuer, slot)?,
    })
}

/// Sign every request through `run`, split over the cores; a refusal names its item
/// (counted from `first`) when `batch`.
pub async fn sign_all<B: Blocking>(
    run: &B,
    issuer: &Issuer<'_>,
    requests: Vec<IssueRequest>,
    now: OffsetDateTime,
    batch: bool,
    first: usize,
) -> Result<Vec<Credential>, ServiceError> {
    let catalog = issuer.catalog.clone();
    let agency = issuer.agency.clone();
    run.run(move || {
        parallel_map(&requests, 16, |i, r| {
            agency
                .issue(&catalog, r, now)
                .map_err(|e| ServiceError::from(e).in_item(batch, first + i))
        })
    })
    .await?
}

/// Licenses signed at once while the ones before them are written: a batch is signed
/// and written in parts of this many, each part's signing overlapping the previous
/// part's rows (the writes run on the database's side, the signatures on the cores).
pub const PIPELINE_PART: usize = 128;

/// The batch answer, written straight from the licenses (no JSON tree in between).
#[derive(Serialize)]
struct BatchAnswer<'a> {
    issued: &'a [IssuedLicense],
}

/// Sign `requests` (one for each slot `tx` reserved, in order) and write them into
/// `tx` in parts of [`PIPELINE_PART`], the next part signing while the previous one is
/// written; returns what the answer shows of each license.
async fn sign_and_write<T: Issuance, B: Blocking>(
    tx: &mut T,
    run: &B,
    issuer: &Issuer<'_>,
    requests: Vec<IssueRequest>,
    kept: &[(i64, String)],
    now: OffsetDateTime,
    batch: bool,
) -> Result<Vec<IssuedLicense>, ServiceError> {
    let t = now.unix_timestamp();
    let slots = tx.slots().to_vec();
    let mut parts = Vec::with_capacity(requests.len().div_ceil(PIPELINE_PART));
    let mut rest = requests;
    while rest.len() > PIPELINE_PART {
        let tail = rest.split_off(PIPELINE_PART);
        parts.push(rest);
        rest = tail;
    }
    parts.push(rest);
    let mut parts = parts.into_iter();
    let mut views = Vec::with_capacity(slots.len());
    let mut signed = match parts.next() {
        Some(first) => Some(sign_all(run, issuer, first, now, batch, 0).await),
        None => None,
    };
    while let Some(credentials) = signed.take() {
        let credentials = credentials?;
        let done = views.len();
        let next = parts
            .next()
            .map(|p| sign_all(run, issuer, p, now, batch, done + credentials.len()));
        let rows: Vec<NewLicense> = credentials
            .iter()
            .zip(&slots[done..])
            .map(|(c, s)| row_of(c, *s, kept))
            .collect();
        let written = match next {
            Some(next) => {
                let (written, after) = join(tx.insert_licenses(&rows), next).await;
                signed = Some(after);
                written
            }
            None => tx.insert_licenses(&rows).await,
        };
        written?;
        views.extend(
            credentials
                .into_iter()
                .zip(rows)
                .map(|(c, r)| issued_view(issuer, &c, r, t)),
        );
    }
    Ok(views)
}

/// The answer stored for `key`, if any: a replay when the request matches, a refusal
/// when it does not.
fn replay(
    stored: Option<IdempotentResponse>,
    idem: Idempotency<'_>,
) -> Result<Option<Issued>, ServiceError> {
    match stored {
        Some(r) if r.request_hash == idem.request_hash => Ok(Some(Issued {
            licenses: Vec::new(),
            response: r.response,
            replayed: true,
        })),
        Some(_) => Err(ServiceError::IdempotencyKeyReused),
        None => Ok(None),
    }
}

/// Issue `items` for the issuer's agency in one transaction (all or none). With an
/// idempotency key, the record is read once up front (a match is replayed, a
/// mismatch refused) and the response stored with the licenses; a concurrent request
/// that stored the same key first is answered as it was.
pub async fn issue<S: LicenseStore, B: Blocking>(
    store: &S,
    run: &B,
    issuer: &Issuer<'_>,
    items: &[IssueBody],
    batch: bool,
    idempotency: Option<Idempotency<'_>>,
    now: OffsetDateTime,
) -> Result<Issued, ServiceError> {
    let uscc = issuer.agency.uscc();
    if let Some(idem) = idempotency {
        let stored = store.idempotent_response(uscc, idem.key).await?;
        if let Some(done) = replay(stored, idem)? {
            return Ok(done);
        }
    }
    // The domain's first check, before any slot is reserved.
    for (i, b) in items.iter().enumerate() {
        issuer
            .agency
            .may_issue(issuer.catalog, &b.type_code)
            .map_err(|e| ServiceError::from(e).in_item(batch, i))?;
    }
    let t = now.unix_timestamp();
    let mut tx = store.begin_issue(uscc, items.len(), t).await?;
    let slots = tx.slots().to_vec();
    let requests = items
        .iter()
        .zip(&slots)
        .enumerate()
        .map(|(i, (b, s))| to_request(issuer, b, *s).map_err(|e| e.in_item(batch, i)))
        .collect::<Result<Vec<_>, _>>()?;
    // The validation data is logged ahead of the licenses it is kept for.
    let kept = super::ltv::keep_for(&mut tx, run, issuer, &slots, now).await?;
    let licenses = sign_and_write(&mut tx, run, issuer, requests, &kept, now, batch).await?;
    let response = if batch {
        serde_json::to_string(&BatchAnswer { issued: &licenses })
            .map_err(|e| ServiceError::Internal(e.to_string()))?
    } else {
        let one = licenses
            .first()
            .ok_or_else(|| ServiceError::InvalidRequest("nothing to issue".into()))?;
        serde_json::to_string(one).map_err(|e| ServiceError::Internal(e.to_string()))?
    };
    if let Some(idem) = idempotency {
        match tx
            .put_idempotency(idem.key, idem.request_hash, &response)
            .await
        {
            Ok(()) => {}
            Err(StoreError::Duplicate) => {
                // A concurrent request with the same key won; answer as it did.
                drop(tx);
                let stored = store.idempotent_response(uscc, idem.key).await?;
                return replay(stored, idem)?
                    .ok_or_else(|| ServiceError::Internal("idempotency record vanished".into()));
            }
            Err(e) => return Err(e.into()),
        }
    }
    tx.commit().await?;
    Ok(Issued {
        licenses,
        response,
        replayed: false,
    })
}
