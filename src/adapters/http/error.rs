//! The one HTTP error type and its mapping to status + RFC 9457 problem+json, in one
//! place. Every handler, extractor and fallback returns [`ApiError`]; the `code`
//! member is a stable contract clients match on. 5xx problems say nothing internal —
//! the detail goes to the log.

mod convert;
#[cfg(test)]
mod tests;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Seconds a client is asked to wait before retrying a 503.
pub const RETRY_AFTER_S: &str = "2";

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
    /// A holder's or applicant's code does not fit its code type (length, characters,
    /// check character).
    #[error("{0}")]
    InvalidHolderCode(String),
    /// A request value is out of range or inconsistent.
    #[error("{0}")]
    InvalidRequest(String),
    /// A path segment does not decode or parse.
    #[error("bad path: {0}")]
    BadPath(String),
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
    /// The request token is for another node; the audiences this node accepts.
    #[error("the request token's audience is not this node, which accepts {}", .0.join(", "))]
    WrongAudience(Vec<String>),
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
    /// The type code is another province's local code.
    #[error("{0}")]
    LocalCodeOfOtherProvince(String),
    /// The object belongs to another agency.
    #[error("the object belongs to another agency")]
    NotOwner,
    /// No such object.
    #[error("not found")]
    NotFound,
    /// No such route.
    #[error("no such route")]
    NoSuchRoute,
    /// The path exists but not with this method (the `Allow` header lists those it has).
    #[error("this path does not accept the method {0}")]
    MethodNotAllowed(String),
    /// The state of the object does not allow the action.
    #[error("{0}")]
    IllegalTransition(String),
    /// The idempotency key was used before for a different request.
    #[error("the idempotency key was already used for a different request")]
    IdempotencyKeyReused,
    /// The idempotency key header is not 1–128 visible ASCII characters.
    #[error("the Idempotency-Key header must be 1-128 visible ASCII characters")]
    BadIdempotencyKey,
    /// The seal is not valid at the signing time (expired, or not yet valid).
    #[error("the seal is not valid at the signing time")]
    SealNotValid,
    /// A seal or stamp (stored or submitted) does not read: bad DER, unsupported
    /// version, malformed time.
    #[error("{0}")]
    BadSeal(String),
    /// A certificate (in a seal, a request, a signer list) does not read.
    #[error("{0}")]
    BadCertificate(String),
    /// The seal picture cannot be rendered.
    #[error("{0}")]
    BadPicture(String),
    /// The stamp cannot be placed (no such page, keyword not found, bad size).
    #[error("the stamp cannot be placed: {0}")]
    BadPlacement(String),
    /// The OFD package reads but lacks what stamping needs (a file, an element, a
    /// value), or holds too many signatures.
    #[error("{0}")]
    BadDocument(String),
    /// A signature value is malformed or does not verify.
    #[error("{0}")]
    BadSignature(String),
    /// A key or PEM block is malformed.
    #[error("{0}")]
    BadKey(String),
    /// An algorithm the project does not speak, or a key of the wrong algorithm.
    #[error("{0}")]
    UnsupportedAlgorithm(String),
    /// An agency's use of a holder's consent is refused (each refusal its own code).
    #[error(transparent)]
    Consent(crate::consent::Refusal),
    /// The node that keeps a consent did not answer, or answered nothing usable.
    #[error("the node keeping the consent could not be asked: {0}")]
    ConsentNodeUnavailable(String),
    /// The node holds no trust list it may rely on (none accepted, or the newest one is
    /// past its next update plus the grace).
    #[error("this node holds no valid trust list")]
    TrustListUnavailable,
    /// The client sent more requests than its rate allows; retry after that many
    /// seconds.
    #[error("too many requests: retry after {0} s")]
    RateLimited(u64),
    /// The request body did not arrive within the body-read timeout.
    #[error("the request body did not arrive within {0} s")]
    RequestTimeout(u64),
    /// The body's media type is none the route accepts.
    #[error("media type {0} is not accepted here")]
    UnsupportedArtifactType(String),
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
            InvalidHolderCode(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_holder_code"),
            InvalidRequest(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_request"),
            BadPath(_) => (StatusCode::BAD_REQUEST, "bad_path"),
            BadIdentifier(_) => (StatusCode::BAD_REQUEST, "bad_identifier"),
            Unauthenticated(_) => (StatusCode::UNAUTHORIZED, "unauthenticated"),
            TokenExpired => (StatusCode::UNAUTHORIZED, "token_expired"),
            TokenLifetimeTooLong(_) => (StatusCode::UNAUTHORIZED, "token_lifetime_too_long"),
            WrongAudience(_) => (StatusCode::UNAUTHORIZED, "wrong_audience"),
            UntrustedKey(_) => (StatusCode::UNAUTHORIZED, "untrusted_key"),
            TokenReplayed => (StatusCode::UNAUTHORIZED, "token_replayed"),
            AgencyNotHosted => (StatusCode::FORBIDDEN, "agency_not_hosted"),
            TypeNotAuthorised(_) => (StatusCode::FORBIDDEN, "type_not_authorised"),
            LocalCodeOfOtherProvince(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "local_code_of_other_province",
            ),
            NotOwner => (StatusCode::FORBIDDEN, "not_owner"),
            NotFound => (StatusCode::NOT_FOUND, "not_found"),
            NoSuchRoute => (StatusCode::NOT_FOUND, "no_such_route"),
            MethodNotAllowed(_) => (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
            IllegalTransition(_) => (StatusCode::CONFLICT, "illegal_transition"),
            IdempotencyKeyReused => (StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused"),
            BadIdempotencyKey => (StatusCode::BAD_REQUEST, "bad_idempotency_key"),
            SealNotValid => (StatusCode::UNPROCESSABLE_ENTITY, "seal_not_valid"),
            BadSeal(_) => (StatusCode::UNPROCESSABLE_ENTITY, "bad_seal"),
            BadCertificate(_) => (StatusCode::UNPROCESSABLE_ENTITY, "bad_certificate"),
            BadPicture(_) => (StatusCode::UNPROCESSABLE_ENTITY, "bad_picture"),
            BadPlacement(_) => (StatusCode::UNPROCESSABLE_ENTITY, "bad_placement"),
            BadDocument(_) => (StatusCode::UNPROCESSABLE_ENTITY, "bad_document"),
            BadSignature(_) => (StatusCode::UNPROCESSABLE_ENTITY, "bad_signature"),
            BadKey(_) => (StatusCode::UNPROCESSABLE_ENTITY, "bad_key"),
            UnsupportedAlgorithm(_) => (StatusCode::UNPROCESSABLE_ENTITY, "unsupported_algorithm"),
            Consent(r) => (StatusCode::FORBIDDEN, r.code()),
            ConsentNodeUnavailable(_) => (StatusCode::BAD_GATEWAY, "consent_node_unavailable"),
            TrustListUnavailable => (StatusCode::SERVICE_UNAVAILABLE, "trust_list_unavailable"),
            RateLimited(_) => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            RequestTimeout(_) => (StatusCode::REQUEST_TIMEOUT, "request_timeout"),
            UnsupportedArtifactType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_artifact_type",
            ),
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
        if let ApiError::Consent(r) = self {
            p["refusal"] = json!(r);
        }
        if let ApiError::WrongAudience(expected) = self {
            p["expected_audiences"] = json!(expected);
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
        if status == StatusCode::SERVICE_UNAVAILABLE {
            h.insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_S));
        }
        if let ApiError::RateLimited(wait) = &self {
            h.insert(header::RETRY_AFTER, HeaderValue::from(*wait));
        }
        if matches!(self, ApiError::RequestTimeout(_)) {
            h.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        resp
    }
}
