//! Stamping an uploaded document with a seal: OFD (stamp embedded) or any file
//! (detached SES_Signature).

use super::make::signatory;
use super::MAX_DOCUMENT_BYTES;
use crate::adapters::http::auth::{Bearer, StampDocuments};
use crate::adapters::http::blocking::TokioBlocking;
use crate::adapters::http::error::ApiError;
use crate::adapters::http::extract::{spool_body, ApiPath};
use crate::adapters::http::state::AppState;
use crate::seal::ofd::{Placement, StampOptions};
use crate::service::seal_stamp::{stamp_with_stored, Document, StampKind};
use axum::extract::{Query, Request, State};
use axum::http::header;
use axum::response::IntoResponse;
use serde::Deserialize;

/// Query parameters of `POST /v1/seals/{esID}/stamp`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StampQuery {
    /// `ofd` (stamp embedded in the document) or `detached`; default: `ofd` when the
    /// body is a zip package, else `detached`.
    pub format: Option<String>,
    /// OFD: page index (0-based) for coordinate placement; default 0.
    pub page: Option<usize>,
    /// OFD: left edge of the stamp, mm from the page's left.
    pub x: Option<f64>,
    /// OFD: top edge of the stamp, mm from the page's top.
    pub y: Option<f64>,
    /// OFD: put the stamp over the first occurrence of this text instead.
    pub keyword: Option<String>,
    /// Detached: the document's name, recorded in TBS_Sign.propertyInfo.
    pub name: Option<String>,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// Whether the spooled document begins as a zip package; the file is left rewound.
fn starts_with_zip(file: &mut std::fs::File) -> Result<bool, ApiError> {
    use std::io::{Read, Seek};
    let io = |e: std::io::Error| ApiError::Internal(format!("temporary file: {e}"));
    let mut head = [0u8; 4];
    let n = file.read(&mut head).map_err(io)?;
    file.rewind().map_err(io)?;
    Ok(head[..n] == *ZIP_MAGIC)
}

/// Stamp an uploaded document (organisation signer listed in the seal). The caller is
/// authenticated from the headers first; the body then streams to a temporary file
/// (never more than one frame of it in memory), within the document limit and the
/// body-read timeout. A detached stamp hashes the file as it reads it; an OFD package
/// is loaded to be stamped, at most [`crate::adapters::http::state::OFD_STAMPS_AT_ONCE`]
/// at a time.
#[utoipa::path(post, path = "/v1/seals/{es_id}/stamp",
    params(("es_id" = String, Path),
        ("format" = Option<String>, Query, description = "ofd or detached"),
        ("page" = Option<usize>, Query), ("x" = Option<f64>, Query), ("y" = Option<f64>, Query),
        ("keyword" = Option<String>, Query), ("name" = Option<String>, Query)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, description = "the stamped OFD (application/ofd) or the detached SES_Signature"),
        (status = "4XX", description = "problem+json")),
    security(("agency_token" = [])))]
pub async fn stamp(
    State(node): State<AppState>,
    ApiPath(es_id): ApiPath<String>,
    query: Result<Query<StampQuery>, axum::extract::rejection::QueryRejection>,
    Bearer(party, _): Bearer<StampDocuments>,
    request: Request,
) -> Result<impl IntoResponse, ApiError> {
    let Query(q) = query.map_err(|e| ApiError::InvalidRequest(e.body_text()))?;
    let (parts, body) = request.into_parts();
    let (mut file, len) = spool_body(
        &parts.headers,
        body,
        MAX_DOCUMENT_BYTES,
        node.settings.limits.body_read_timeout,
    )
    .await?;
    if len == 0 {
        return Err(ApiError::InvalidBody("the document is empty".into()));
    }
    let ofd_wanted = match q.format.as_deref() {
        Some("ofd") => true,
        Some("detached") => false,
        None => starts_with_zip(&mut file)?,
        Some(other) => {
            return Err(ApiError::InvalidRequest(format!(
                "format must be ofd or detached, not {other:?}"
            )))
        }
    };
    let kind = if ofd_wanted {
        let placement = match (&q.keyword, q.x, q.y) {
            (Some(k), None, None) => Placement::Keyword { text: k.clone() },
            (None, Some(x), Some(y)) => Placement::Coordinates {
                page: q.page.unwrap_or(0),
                x,
                y,
            },
            _ => {
                return Err(ApiError::InvalidRequest(
                    "place the stamp by keyword, or by x and y (mm) with an optional page".into(),
                ))
            }
        };
        StampKind::Ofd(StampOptions {
            placement,
            size_mm: None,
        })
    } else {
        StampKind::Detached {
            name: q.name.unwrap_or_else(|| "document".into()),
        }
    };
    let content_type = if ofd_wanted {
        "application/ofd"
    } else {
        "application/octet-stream"
    };
    // an OFD package is loaded whole: wait for a slot (the upload waits on disk)
    let _slot = if ofd_wanted {
        Some(
            node.ofd_stamp_slots
                .acquire()
                .await
                .map_err(|_| ApiError::Internal("stamp slots closed".into()))?,
        )
    } else {
        None
    };
    let out = stamp_with_stored(
        &node.store,
        &TokioBlocking,
        &es_id,
        Document::File(file),
        kind,
        &signatory(&party),
        node.now(),
    )
    .await?;
    Ok(([(header::CONTENT_TYPE, content_type)], out))
}
