//! Making, reading and re-versioning seals.

use crate::adapters::http::auth::{Bearer, MakeSeals};
use crate::adapters::http::blocking::TokioBlocking;
use crate::adapters::http::error::ApiError;
use crate::adapters::http::extract::{ApiJson, ApiPath};
use crate::adapters::http::state::{AppState, Node, Party};
use crate::adapters::storage::SealRecord;
use crate::pki::{CertInfo, Role};
use crate::seal::make::SealType;
use crate::seal::picture::DEFAULT_DPI;
use crate::seal::{RevocationReason, Seal, SealRevocation, SealRevocationList, SignedRevocations};
use crate::service::seal_make::{self, PictureFormat, SealOrder, Signatory};
use crate::service::Blocking;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;

/// `POST /v1/seals` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSeal {
    /// The seal's name, e.g. `上海某某有限公司合同专用章`.
    pub name: String,
    /// The organisation (or person) drawn along the arc of the picture.
    pub organisation: String,
    /// Text below the star (seal code or purpose); may be empty.
    #[serde(default)]
    pub code: String,
    /// `organisation` (default) or `personal`.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "organisation")]
    pub seal_type: Option<SealType>,
    /// Who may stamp: manifest ids of organisation signers hosted here, or base64 DER
    /// certificates.
    pub signers: Vec<String>,
    /// Start of validity (RFC 3339; default now).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub valid_from: Option<OffsetDateTime>,
    /// End of validity (RFC 3339); default three years after the start, clamped to the
    /// seal authority's and the signers' certificates (a later end is refused).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub valid_to: Option<OffsetDateTime>,
    /// esID base (ASCII); default `<division code><YYYYMMDD><6 random digits>`.
    #[serde(default)]
    pub es_id_base: Option<String>,
    /// Picture diameter, mm (default 42).
    #[serde(default)]
    pub diameter_mm: Option<u32>,
}

/// `POST /v1/seals/{esID}/signers` body.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeSigners {
    /// The new list of who may stamp (as in [`CreateSeal::signers`]).
    pub signers: Vec<String>,
}

const MAX_SIGNERS: usize = 64;

/// Resolve signer references to DER certificates.
fn signer_certs(node: &Node, refs: &[String]) -> Result<Vec<Vec<u8>>, ApiError> {
    if refs.is_empty() || refs.len() > MAX_SIGNERS {
        return Err(ApiError::InvalidRequest(format!(
            "a seal lists 1 to {MAX_SIGNERS} signers"
        )));
    }
    refs.iter()
        .map(|r| match node.party(r) {
            Some(p) if p.role == Role::OrganisationSigner => Ok(p.cert.clone()),
            Some(_) => Err(ApiError::InvalidRequest(format!(
                "{r} is not an organisation signer"
            ))),
            None => {
                let der = B64.decode(r).map_err(|_| {
                    ApiError::InvalidRequest(format!(
                        "signer {r:?} is neither a hosted signer id nor a base64 certificate"
                    ))
                })?;
                CertInfo::from_der(&der)
                    .map_err(|e| ApiError::InvalidRequest(format!("signer certificate: {e}")))?;
                Ok(der)
            }
        })
        .collect()
}

/// A hosted party as the service layer takes it.
pub(super) fn signatory(p: &Party) -> Signatory {
    Signatory {
        id: p.id.clone(),
        signer: p.signer.clone(),
        cert: p.cert.clone(),
    }
}

fn created(es_id: &str, body: serde_json::Value) -> impl IntoResponse {
    (
        StatusCode::CREATED,
        [(header::LOCATION, format!("/v1/seals/{es_id}"))],
        Json(body),
    )
}

/// Make a seal (seal authority).
#[utoipa::path(post, path = "/v1/seals", request_body = CreateSeal,
    responses((status = 201, description = "the seal's esID, validity and authority"),
        (status = "4XX", description = "problem+json")),
    security(("agency_token" = [])))]
pub async fn create(
    State(node): State<AppState>,
    Bearer(party, _): Bearer<MakeSeals>,
    ApiJson(req): ApiJson<CreateSeal>,
) -> Result<impl IntoResponse, ApiError> {
    let authority = signatory(&party);
    let signers = signer_certs(&node, &req.signers)?;
    let now = node.now();
    let order = SealOrder {
        name: req.name,
        organisation: req.organisation,
        code: req.code,
        seal_type: req.seal_type.unwrap_or(SealType::Organisation),
        signers,
        cert_list_form: Default::default(),
        valid_start: req.valid_from.unwrap_or(now),
        valid_end: req.valid_to,
        es_id_base: req.es_id_base,
        diameter_mm: req.diameter_mm.unwrap_or(42),
        picture: PictureFormat::Png { dpi: DEFAULT_DPI },
    };
    let rec = seal_make::create_seal(&node.store, &TokioBlocking, order, &authority, now).await?;
    Ok(created(&rec.es_id, summary(&rec)))
}

fn summary(r: &SealRecord) -> serde_json::Value {
    let ts = |t: i64| {
        OffsetDateTime::from_unix_timestamp(t).ok().and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
    };
    json!({
        "es_id": r.es_id,
        "name": r.name,
        "authority": r.authority_id,
        "valid_from": ts(r.valid_from),
        "valid_to": ts(r.valid_to),
        "superseded_by": r.superseded_by,
    })
}

/// A seal: the .esl (base64) and its picture.
#[utoipa::path(get, path = "/v1/seals/{es_id}", params(("es_id" = String, Path)),
    responses((status = 200, description = "esl, picture, validity, superseded_by"),
        (status = 404, description = "problem+json")))]
pub async fn get_seal(
    State(node): State<AppState>,
    ApiPath(es_id): ApiPath<String>,
) -> Result<impl IntoResponse, ApiError> {
    let rec = node.store.seal(&es_id).await?;
    let seal = Seal::from_der(&rec.esl)
        .map_err(|e| ApiError::Internal(format!("stored seal {es_id}: {e}")))?;
    let pic = &seal.info.picture;
    let mut body = summary(&rec);
    body["esl"] = B64.encode(&rec.esl).into();
    body["picture"] = json!({
        "type": pic.kind,
        "width_mm": pic.width_mm,
        "height_mm": pic.height_mm,
        "data": B64.encode(&pic.data),
        "svg": rec.picture_svg,
    });
    Ok(Json(body))
}

/// Change who may stamp: the next seal version; the old one is superseded.
#[utoipa::path(post, path = "/v1/seals/{es_id}/signers", params(("es_id" = String, Path)),
    request_body = ChangeSigners,
    responses((status = 201, description = "the new version"),
        (status = "4XX", description = "problem+json")),
    security(("agency_token" = [])))]
pub async fn change_signers(
    State(node): State<AppState>,
    ApiPath(es_id): ApiPath<String>,
    Bearer(party, _): Bearer<MakeSeals>,
    ApiJson(req): ApiJson<ChangeSigners>,
) -> Result<impl IntoResponse, ApiError> {
    let signers = signer_certs(&node, &req.signers)?;
    let rec = seal_make::change_signers(
        &node.store,
        &TokioBlocking,
        &es_id,
        signers,
        &signatory(&party),
        node.now(),
    )
    .await?;
    Ok(created(&rec.es_id, summary(&rec)))
}

/// Superseded seals made by the hosted seal authority `authority` (manifest id), or by
/// every hosted authority.
async fn superseded(node: &Node, authority: Option<&str>) -> Result<SealRevocationList, ApiError> {
    let mut list = SealRevocationList::new();
    for (es_id, by, at, made_by) in node.store.superseded_seals().await? {
        if authority.is_some_and(|a| a != made_by) {
            continue;
        }
        let revoked_at = OffsetDateTime::from_unix_timestamp(at)
            .map_err(|_| ApiError::Internal("stored time out of range".into()))?;
        list.add(SealRevocation {
            es_id,
            revoked_at,
            reason: RevocationReason::Superseded { by },
        });
    }
    Ok(list)
}

/// Superseded seals, as a seal revocation list.
#[utoipa::path(get, path = "/v1/seals/revocations",
    responses((status = 200, description = "SealRevocationList JSON")))]
pub async fn revocations(State(node): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    Ok(Json(superseded(&node, None).await?))
}

/// Seconds verifiers may hold a seal revocation list.
pub const SEAL_REVOCATIONS_TTL: u64 = 300;

/// The signed revocation list of the hosted seal authority whose certificate has SHA-256
/// `fp`: its superseded seals, signed by it, valid a day.
pub(crate) async fn own_seal_revocations(node: &Node, fp: &str) -> Result<String, ApiError> {
    let party = node
        .seal_authority_by_fingerprint(fp)
        .ok_or(ApiError::NotFound)?;
    let list = superseded(node, Some(&party.id)).await?;
    let now = node.now();
    let signed = SignedRevocations {
        uri: format!(
            "{}{}{fp}",
            node.settings.public_base_url,
            crate::verify::seal_revocations::PATH
        ),
        iat: now,
        exp: Some(now + time::Duration::days(1)),
        ttl: Some(SEAL_REVOCATIONS_TTL),
        list,
    };
    let p = party.clone();
    TokioBlocking
        .run(move || signed.sign(p.signer.as_ref(), std::slice::from_ref(&p.cert)))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::from)
}

/// A seal authority's superseded seals, signed by it (`seal-revocations+jwt`), for
/// verifiers in other provinces.
#[utoipa::path(get, path = "/v1/seal-revocations/{authority}",
    params(("authority" = String, Path, description = "SHA-256 of the seal authority's certificate, lowercase hex")),
    responses((status = 200, content_type = "application/seal-revocations+jwt", body = String),
        (status = 404, description = "problem+json")))]
pub async fn signed_revocations(
    State(node): State<AppState>,
    ApiPath(fp): ApiPath<String>,
) -> Result<impl IntoResponse, ApiError> {
    let token = own_seal_revocations(&node, &fp).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/seal-revocations+jwt"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        token,
    ))
}
