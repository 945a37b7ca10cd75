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
use crate::seal::{RevocationReason, Seal, SealRevocation, SealRevocationList};
use crate::service::seal_make::{self, PictureFormat, SealOrder, Signatory};
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

/// Superseded seals, as a seal revocation list.
#[utoipa::path(get, path = "/v1/seals/revocations",
    responses((status = 200, description = "SealRevocationList JSON")))]
pub async fn revocations(State(node): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let mut list = SealRevocationList::new();
    for (es_id, by, at) in node.store.superseded_seals().await? {
        let revoked_at = OffsetDateTime::from_unix_timestamp(at)
            .map_err(|_| ApiError::Internal("stored time out of range".into()))?;
        list.add(SealRevocation {
            es_id,
            revoked_at,
            reason: RevocationReason::Superseded { by },
        });
    }
    Ok(Json(list))
}
