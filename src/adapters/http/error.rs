//! The one HTTP error type and its mapping to status + RFC 9457 problem+json, in one
//! place. Every handler, extractor and fallback returns [`ApiError`]; the `code`
//! member is a stable contract clients match on. 5xx problems say nothing internal —
//! the detail goes to the log.

use crate::adapters::storage::StorageError;
use crate::license::LicenseError;
use crate::seal::ofd::OfdError;
use crate::seal::SealError;
use crate::service::{ServiceError, StoreError};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The body is not JSON at all.
    #[error("the body is not valid JSON: {0}")]
    MalformedJson(String),
    /// The body is JSON but not the expected shape (missing or mistyped member).
    #[error("the body does not have the expected fields: {0}")]
    InvalidBody(String),
    /// The body is not declared as `application/json`.
    #[error("the body must be application/json")]
    UnsupportedMediaType,
    /// The body exceeds the size limit.
    #[error("the body is larger than {0} bytes")]
    BodyTooLarge(usize),
    /// A batch has more items than allowed.
    #[error("a batch may hold at most {0} items")]
    BatchTooLarge(usize),
    /// A batch without items.
    #[error("a batch must hold at least one item")]
    EmptyBatch,
    /// One item of a batch is refused; nothing in the batch was issued.
    #[error("item {index}: {source}")]
    BatchItem {
        /// zero-based item index
        index: usize,
        /// why it was refused
        source: Box<ApiError>,
    },
    /// The license type code is not in the catalogue.
    #[error("license type {0} is not in the catalogue")]
    UnknownType(String),
    /// The claims do not fit the type's schema (missing required field, wrong type…).
    #[error("{0}")]
    InvalidClaims(String),
    /// A request value is out of range or inconsistent.
    #[error("{0}")]
    InvalidRequest(String),
    /// A license identifier is malformed or its check character is wrong.
    #[error("{0}")]
    BadIdentifier(String),
    /// No usable bearer token.
    #[error("{0}")]
    Unauthenticated(String),
    /// The request token has expired (or is not yet valid).
    #[error("the request token has expired or is not yet valid")]
    TokenExpired,
    /// The request token lives longer than the node allows.
    #[error("the request token may live at most {0} seconds")]
    TokenLifetimeTooLong(i64),
    /// The request token is for another node.
    #[error("the request token's audience is not this node")]
    WrongAudience,
    /// The request token's certificate does not chain to a trusted province root.
    #[error("the request token's certificate is not trusted: {0}")]
    UntrustedKey(String),
    /// The request token was seen before.
    #[error("the request token was already used")]
    TokenReplayed,
    /// The authenticated agency's key is not held by this node.
    #[error("this node does not issue for the authenticated agency")]
    AgencyNotHosted,
    /// The agency's certificate does not authorise the type.
    #[error("the agency is not authorised to issue license type {0}")]
    TypeNotAuthorised(String),
    /// The object belongs to another agency.
    #[error("the object belongs to another agency")]
    NotOwner,
    /// No such object.
    #[error("not found")]
    NotFound,
    /// No such route.
    #[error("no such route")]
    NoSuchRoute,
    /// The state of the object does not allow the action.
    #[error("{0}")]
    IllegalTransition(String),
    /// The idempotency key was used before for a different request.
    #[error("the idempotency key was already used for a different request")]
    IdempotencyKeyReused,
    /// The idempotency key header is not 1–128 visible ASCII characters.
    #[error("the Idempotency-Key header must be 1-128 visible ASCII characters")]
    BadIdempotencyKey,
    /// The database is unreachable.
    #[error("storage unavailable")]
    Unavailable(String),
    /// Anything else; the string is logged, never sent.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// Status and stable code.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        use ApiError::*;
        match self {
            MalformedJson(_) => (StatusCode::BAD_REQUEST, "malformed_json"),
            InvalidBody(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
            UnsupportedMediaType => (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
            BodyTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "body_too_large"),
            BatchTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "batch_too_large"),
            EmptyBatch => (StatusCode::UNPROCESSABLE_ENTITY, "empty_batch"),
            BatchItem { source, .. } => source.status_and_code(),
            UnknownType(_) => (StatusCode::UNPROCESSABLE_ENTITY, "unknown_type"),
            InvalidClaims(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_claims"),
            InvalidRequest(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_request"),
            BadIdentifier(_) => (StatusCode::BAD_REQUEST, "bad_identifier"),
            Unauthenticated(_) => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            TokenExpired => (StatusCode::UNAUTHORIZED, "token_expired"),
            TokenLifetimeTooLong(_) => (StatusCode::UNAUTHORIZED, "token_lifetime_too_long"),
            WrongAudience => (StatusCode::UNAUTHORIZED, "wrong_audience"),
            UntrustedKey(_) => (StatusCode::UNAUTHORIZED, "untrusted_key"),
            TokenReplayed => (StatusCode::UNAUTHORIZED, "token_replayed"),
            AgencyNotHosted => (StatusCode::FORBIDDEN, "agency_not_hosted"),
            TypeNotAuthorised(_) => (StatusCode::FORBIDDEN, "type_not_authorised"),
            NotOwner => (StatusCode::FORBIDDEN, "not_owner"),
            NotFound => (StatusCode::NOT_FOUND, "not_found"),
            NoSuchRoute => (StatusCode::NOT_FOUND, "no_such_route"),
            IllegalTransition(_) => (StatusCode::CONFLICT, "illegal_transition"),
            IdempotencyKeyReused => (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused"),
            BadIdempotencyKey => (StatusCode::BAD_REQUEST, "bad_idempotency_key"),
            Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }

    /// The problem document.
    pub fn problem(&self) -> serde_json::Value {
        let (status, code) = self.status_and_code();
        let detail = match self {
            ApiError::Unavailable(_) => "the service is temporarily unavailable".to_string(),
            ApiError::Internal(_) => "an internal error occurred".to_string(),
            other => other.to_string(),
        };
        let mut p = json!({
            "type": format!("urn:deltaseal:problem:{code}"),
            "title": status.canonical_reason().unwrap_or("Error"),
            "status": status.as_u16(),
            "code": code,
            "detail": detail,
        });
        if let ApiError::BatchItem { index, .. } = self {
            p["item"] = json!(index);
        }
        p
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, _) = self.status_and_code();
        match &self {
            ApiError::Internal(d) | ApiError::Unavailable(d) => {
                tracing::error!(error = %d, "request failed")
            }
            _ => tracing::debug!(error = %self, "request refused"),
        }
        let mut resp = (status, self.problem().to_string()).into_response();
        let h = resp.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if status == StatusCode::UNAUTHORIZED {
            h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        resp
    }
}

impl From<LicenseError> for ApiError {
    fn from(e: LicenseError) -> Self {
        match e {
            LicenseError::UnknownType(t) => ApiError::UnknownType(t),
            LicenseError::TypeNotAuthorised(t) => ApiError::TypeNotAuthorised(t),
            LicenseError::Claims(c) => ApiError::InvalidClaims(c.to_string()),
            e @ (LicenseError::BadIdentifier(_) | LicenseError::CheckCharacterMismatch { .. }) => {
                ApiError::BadIdentifier(e.to_string())
            }
            e @ (LicenseError::IllegalStatusChange { .. }
            | LicenseError::IllegalProofTransition { .. }) => {
                ApiError::IllegalTransition(e.to_string())
            }
            e @ (LicenseError::BadMetadata(_)
            | LicenseError::BadProofRequest(_)
            | LicenseError::TooLarge { .. }
            | LicenseError::Malformed { .. }
            | LicenseError::NoSuchClaim(_)) => ApiError::InvalidRequest(e.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound => ApiError::NotFound,
            StorageError::NotOwner => ApiError::NotOwner,
            StorageError::InvalidTransition { current } => {
                ApiError::IllegalTransition(format!("not allowed while {current}"))
            }
            e @ (StorageError::Connect(_)
            | StorageError::Database(
                sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_),
            )) => ApiError::Unavailable(e.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::License(e) => e.into(),
            ServiceError::Seal(SealError::Crypto(c)) => ApiError::Internal(c.to_string()),
            ServiceError::Seal(SealError::SignerNotListed) | ServiceError::SignerNotListed => {
                ApiError::NotOwner
            }
            ServiceError::Seal(other) => ApiError::InvalidRequest(other.to_string()),
            e @ ServiceError::Ofd(OfdError::Sign(_)) => ApiError::Internal(e.to_string()),
            ServiceError::Ofd(other) => ApiError::InvalidRequest(other.to_string()),
            ServiceError::UnreadableDocument(e) => {
                ApiError::InvalidBody(format!("not a usable OFD package: {e}"))
            }
            e @ ServiceError::Read(_) => ApiError::Internal(e.to_string()),
            ServiceError::Storage(e) => match e {
                StoreError::NotFound => ApiError::NotFound,
                StoreError::NotOwner => ApiError::NotOwner,
                StoreError::InvalidTransition { current } => {
                    ApiError::IllegalTransition(format!("not allowed while {current}"))
                }
                StoreError::Unavailable(d) => ApiError::Unavailable(d),
                other => ApiError::Internal(other.to_string()),
            },
            ServiceError::InvalidRequest(d) => ApiError::InvalidRequest(d),
            ServiceError::BatchItem { index, source } => ApiError::BatchItem {
                index,
                source: Box::new((*source).into()),
            },
            ServiceError::IdempotencyKeyReused => ApiError::IdempotencyKeyReused,
            ServiceError::NotOwner => ApiError::NotOwner,
            ServiceError::NotFound => ApiError::NotFound,
            ServiceError::IllegalTransition(d) => ApiError::IllegalTransition(d),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(e: ApiError) -> (StatusCode, String, serde_json::Value) {
        let resp = e.into_response();
        let status = resp.status();
        let ct = resp.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_string();
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 16)
            .await
            .unwrap();
        (status, ct, serde_json::from_slice(&bytes).unwrap())
    }

    #[tokio::test]
    async fn every_error_is_problem_json_with_its_code() {
        let cases = [
            (ApiError::MalformedJson("x".into()), 400, "malformed_json"),
            (ApiError::InvalidBody("x".into()), 422, "invalid_body"),
            (ApiError::BodyTooLarge(10), 413, "body_too_large"),
            (ApiError::BatchTooLarge(10), 413, "batch_too_large"),
            (ApiError::UnknownType("T".into()), 422, "unknown_type"),
            (ApiError::BadIdentifier("x".into()), 400, "bad_identifier"),
            (ApiError::TokenExpired, 401, "token_expired"),
            (ApiError::WrongAudience, 401, "wrong_audience"),
            (ApiError::UntrustedKey("x".into()), 401, "untrusted_key"),
            (
                ApiError::TypeNotAuthorised("T".into()),
                403,
                "type_not_authorised",
            ),
            (ApiError::NotOwner, 403, "not_owner"),
            (ApiError::NotFound, 404, "not_found"),
            (
                ApiError::IllegalTransition("x".into()),
                409,
                "illegal_transition",
            ),
            (
                ApiError::IdempotencyKeyReused,
                422,
                "idempotency_key_reused",
            ),
        ];
        for (err, status, code) in cases {
            let (s, ct, p) = body_of(err).await;
            assert_eq!(s.as_u16(), status, "{code}");
            assert_eq!(ct, PROBLEM_JSON);
            assert_eq!(p["code"], code);
            assert_eq!(p["status"], status);
            assert_eq!(p["type"], format!("urn:deltaseal:problem:{code}"));
        }
    }

    #[tokio::test]
    async fn server_errors_say_nothing_internal() {
        let (s, _, p) = body_of(ApiError::Internal("db password is hunter2".into())).await;
        assert_eq!(s, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!p.to_string().contains("hunter2"));
        let (s, _, p) = body_of(ApiError::Unavailable("host 10.0.0.5 refused".into())).await;
        assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
        assert!(!p.to_string().contains("10.0.0.5"));
    }

    #[tokio::test]
    async fn unauthorised_carries_a_bearer_challenge_and_batch_items_their_index() {
        let resp = ApiError::WrongAudience.into_response();
        assert_eq!(resp.headers()[header::WWW_AUTHENTICATE], "Bearer");
        let (s, _, p) = body_of(ApiError::BatchItem {
            index: 7,
            source: Box::new(ApiError::UnknownType("T".into())),
        })
        .await;
        assert_eq!(s.as_u16(), 422);
        assert_eq!(
            (p["code"].as_str(), p["item"].as_u64()),
            (Some("unknown_type"), Some(7))
        );
    }

    #[test]
    fn domain_errors_map_to_their_codes() {
        let e: ApiError = LicenseError::TypeNotAuthorised("T".into()).into();
        assert_eq!(e.status_and_code().1, "type_not_authorised");
        let e: ApiError = LicenseError::BadIdentifier("short").into();
        assert_eq!(e.status_and_code().1, "bad_identifier");
        let e: ApiError = StorageError::NotOwner.into();
        assert_eq!(e.status_and_code(), (StatusCode::FORBIDDEN, "not_owner"));
        let e: ApiError = StorageError::Database(sqlx::Error::PoolTimedOut).into();
        assert_eq!(
            e.status_and_code(),
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
        );
        let e: ApiError = StorageError::Corrupt("x").into();
        assert_eq!(
            e.status_and_code(),
            (StatusCode::INTERNAL_SERVER_ERROR, "internal")
        );
    }
}
