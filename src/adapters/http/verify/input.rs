//! Reading what the verify routes are sent: the body within its size limit and the
//! body-read timeout, JSON items or a raw artifact by its media type, and the `?type=`,
//! `?at=`, `?purpose=` query parameters — each failure a typed [`ApiError`].

use super::super::error::ApiError;
use super::super::extract::parse_json;
pub use super::super::extract::read_body;
use crate::pki::validate::Purpose;
use crate::verify::{Kind, Policy};
use axum::http::{header, HeaderMap, Uri};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;
use utoipa::ToSchema;

/// Largest raw OFD document (`application/ofd`, or `application/octet-stream`).
pub const MAX_RAW_OFD: usize = 64 * 1024 * 1024;
/// Largest raw artifact of any other media type.
pub const MAX_RAW_OTHER: usize = 1024 * 1024;

/// What to verify (JSON; one item of `POST /v1/verify:batch`).
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

/// One artifact, read and checked, ready for the engine.
#[derive(Debug)]
pub struct Item {
    /// The artifact's bytes.
    pub bytes: Vec<u8>,
    /// A detached stamp's document.
    pub document: Option<Vec<u8>>,
    /// The kind named; `None`: detected.
    pub kind: Option<Kind>,
    /// The validation time; `None`: the node's now.
    pub at: Option<OffsetDateTime>,
    /// The policy.
    pub policy: Policy,
}

/// The query parameters of the verify routes.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Query {
    /// The kind (raw bodies).
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Validation time, RFC 3339.
    pub at: Option<String>,
    /// Certificate purpose (`POST /v1/certificates:validate`).
    pub purpose: Option<String>,
}

impl Query {
    /// The query of `uri` (none: every parameter absent).
    pub fn of(uri: &Uri) -> Result<Query, ApiError> {
        match uri.query() {
            None => Ok(Query::default()),
            Some(q) => serde_urlencoded::from_str(q)
                .map_err(|e| ApiError::InvalidRequest(format!("query: {e}"))),
        }
    }

    /// `at`, parsed.
    pub fn at(&self) -> Result<Option<OffsetDateTime>, ApiError> {
        self.at
            .as_deref()
            .map(|t| {
                OffsetDateTime::parse(t, &Rfc3339)
                    .map_err(|_| ApiError::InvalidRequest(format!("at {t:?} is not RFC 3339")))
            })
            .transpose()
    }

    /// `purpose`, parsed.
    pub fn purpose(&self) -> Result<Option<Purpose>, ApiError> {
        self.purpose.as_deref().map(purpose).transpose()
    }
}

/// A certificate purpose by name.
pub fn purpose(p: &str) -> Result<Purpose, ApiError> {
    Purpose::parse(p).ok_or_else(|| {
        ApiError::InvalidRequest(format!(
            "purpose {p:?}: use any, license, seal, stamp, show or trust-list"
        ))
    })
}

/// A kind by name.
pub fn kind(k: &str) -> Result<Kind, ApiError> {
    Kind::parse(k).ok_or_else(|| {
        ApiError::InvalidRequest(format!(
            "type {k:?}: use sd-jwt, seal, stamp, ofd, certificate or show-token"
        ))
    })
}

/// The media type of a request, lowercase, without parameters.
pub fn media_type(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
}

/// Whether a media type is JSON.
pub fn is_json(m: &str) -> bool {
    m == "application/json" || m.ends_with("+json")
}

/// What a raw body's media type says: the kind it implies (`None`: detect) and the
/// largest such body. Unknown media types are refused.
pub fn raw_kind(m: &str) -> Result<(Option<Kind>, usize), ApiError> {
    Ok(match m {
        "application/dc+sd-jwt" | "application/vc+sd-jwt" | "application/sd-jwt" => {
            (Some(Kind::SdJwt), MAX_RAW_OTHER)
        }
        "application/ofd" => (Some(Kind::Ofd), MAX_RAW_OFD),
        "application/pkix-cert" | "application/x-pem-file" | "application/x-x509-ca-cert" => {
            (Some(Kind::Certificate), MAX_RAW_OTHER)
        }
        "application/octet-stream" => (None, MAX_RAW_OFD),
        // QR text pasted, or a photo of a QR code (decoded on the server).
        "text/plain" => (None, MAX_RAW_OTHER),
        "image/png" | "image/jpeg" => (Some(Kind::ShowToken), crate::qr::image::MAX_IMAGE_BYTES),
        other => return Err(ApiError::UnsupportedArtifactType(other.to_string())),
    })
}

fn base64(what: &str, text: &str) -> Result<Vec<u8>, ApiError> {
    B64.decode(text.trim())
        .map_err(|_| ApiError::InvalidRequest(format!("{what} is not base64")))
}

impl Item {
    /// A JSON item.
    pub fn from_body(b: VerifyBody) -> Result<Item, ApiError> {
        let kind = b.kind.as_deref().map(kind).transpose()?;
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
            Some(v) => serde_json::from_value(v)
                .map_err(|e| ApiError::InvalidBody(format!("policy: {e}")))?,
            None => Policy::default(),
        };
        Ok(Item {
            bytes,
            document,
            kind,
            at: b.at,
            policy,
        })
    }

    /// A JSON item from a JSON value (one batch entry).
    pub fn from_value(v: serde_json::Value) -> Result<Item, ApiError> {
        let b: VerifyBody =
            serde_json::from_value(v).map_err(|e| ApiError::InvalidBody(e.to_string()))?;
        Item::from_body(b)
    }

    /// A JSON body.
    pub fn from_json(bytes: &[u8]) -> Result<Item, ApiError> {
        Item::from_body(parse_json(bytes)?)
    }
}
