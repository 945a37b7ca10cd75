//! Extractors that fail with [`ApiError`] (problem+json) instead of axum's plain-text
//! rejections: [`ApiJson`] for bodies, [`IdempotencyKey`] for the header; and the one
//! body reader ([`read_body`], [`spool_body`]), which holds every route to its size
//! limit and the node's body-read timeout.

use super::error::ApiError;
use super::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{header, request::Parts, HeaderMap};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// A JSON body; malformed, mistyped, oversized or non-JSON bodies become problems.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

/// The default largest JSON body ([`super::Limits::max_body`]).
pub(crate) const DEFAULT_BODY_LIMIT: usize = 4 * 1024 * 1024;

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, node: &AppState) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|m| {
                let m = m.trim().to_ascii_lowercase();
                m == "application/json" || m.ends_with("+json")
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let limits = node.settings.limits;
        let (parts, body) = req.into_parts();
        let bytes = read_body(
            &parts.headers,
            body,
            limits.max_body,
            limits.body_read_timeout,
        )
        .await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// The declared `Content-Length`, refused at once when over `limit`.
fn declared_length(headers: &HeaderMap, limit: usize) -> Result<Option<u64>, ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::BodyTooLarge(limit));
    }
    Ok(declared)
}

/// Read a body of at most `limit` bytes within `timeout` of the call: larger is `413`,
/// slower `408`. A declared length over the limit is refused before reading.
pub async fn read_body(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
    timeout: Duration,
) -> Result<Bytes, ApiError> {
    declared_length(headers, limit)?;
    match tokio::time::timeout(timeout, Limited::new(body, limit).collect()).await {
        Err(_) => Err(ApiError::RequestTimeout(timeout.as_secs())),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
            Err(ApiError::BodyTooLarge(limit))
        }
        Ok(Err(_)) => Err(ApiError::InvalidRequest(
            "the body could not be read".into(),
        )),
        Ok(Ok(c)) => Ok(c.to_bytes()),
    }
}

/// Stream a body of at most `limit` bytes, within `timeout` of the call, into an
/// anonymous temporary file (removed when closed), one frame in memory at a time; the
/// file is returned rewound with the body's length. Larger is `413`, slower `408`.
pub async fn spool_body(
    headers: &HeaderMap,
    body: Body,
    limit: usize,
    timeout: Duration,
) -> Result<(std::fs::File, u64), ApiError> {
    use std::io::Seek;
    use tokio::io::AsyncWriteExt;
    declared_length(headers, limit)?;
    let io = |e: std::io::Error| ApiError::Internal(format!("temporary file: {e}"));
    let spool = async {
        let mut file = tokio::fs::File::from_std(tempfile::tempfile().map_err(io)?);
        let mut body = body;
        let mut len = 0u64;
        while let Some(frame) = body.frame().await {
            let frame =
                frame.map_err(|_| ApiError::InvalidRequest("the body could not be read".into()))?;
            let Ok(data) = frame.into_data() else {
                continue;
            };
            len += data.len() as u64;
            if len > limit as u64 {
                return Err(ApiError::BodyTooLarge(limit));
            }
            file.write_all(&data).await.map_err(io)?;
        }
        file.flush().await.map_err(io)?;
        let mut file = file.into_std().await;
        file.rewind().map_err(io)?;
        Ok((file, len))
    };
    tokio::time::timeout(timeout, spool)
        .await
        .map_err(|_| ApiError::RequestTimeout(timeout.as_secs()))?
}

/// Parse a JSON body: syntax errors are `malformed_json`, shape errors `invalid_body`.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| {
        use serde_json::error::Category;
        match e.classify() {
            Category::Data => ApiError::InvalidBody(e.to_string()),
            Category::Syntax | Category::Eof | Category::Io => {
                ApiError::MalformedJson(e.to_string())
            }
        }
    })
}

/// The optional `Idempotency-Key` header (1–128 visible ASCII characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let Some(v) = parts.headers.get("idempotency-key") else {
            return Ok(IdempotencyKey(None));
        };
        let s = v.to_str().map_err(|_| ApiError::BadIdempotencyKey)?;
        if s.is_empty() || s.len() > 128 || !s.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ApiError::BadIdempotencyKey);
        }
        Ok(IdempotencyKey(Some(s.to_string())))
    }
}

/// A JSON body that may be absent (empty): then `T::default()`.
#[derive(Debug)]
pub struct OptionalJson<T>(pub T);

impl<T: DeserializeOwned + Default> FromRequest<AppState> for OptionalJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        let has_body = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .map(|v| v != "0")
            .unwrap_or(false)
            || req.headers().contains_key(header::CONTENT_TYPE);
        if !has_body {
            return Ok(OptionalJson(T::default()));
        }
        ApiJson::<T>::from_request(req, state)
            .await
            .map(|ApiJson(t)| OptionalJson(t))
    }
}

/// Path parameters; a segment that does not decode (`%FF`) or parse is a problem+json
/// `bad_path`, not axum's plain-text rejection.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(t)| ApiPath(t))
            .map_err(|e| ApiError::BadPath(e.body_text()))
    }
}
