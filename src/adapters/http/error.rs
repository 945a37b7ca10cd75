//! The one HTTP error type and its mapping to status + RFC 9457 problem+json, in one
//! place. Every handler, extractor and fallback returns [`ApiError`]; the `code`
//! member is a stable contract clients match on. 5xx problems say nothing internal —
//! the detail goes to the log.

use crate::adapters::storage::StorageError;
use crate::crypto::CryptoError;
use crate::jose::{JoseError, RequestTokenError};
use crate::license::LicenseError;
use crate::pki::PkiError;
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
            SealNotValid => (StatusCode::UNPROCESSABLE_ENTITY, "seal_not_valid"),
            BadSeal(_) => (StatusCode::UNPROCESSABLE_ENTITY, "bad_seal"),
            BadCertificate(_) => (StatusCode::UNPROCESSABLE_ENTITY, "bad_certificate"),
            BadPicture(_) => (StatusCode::UNPROCESSABLE_ENTITY, "bad_picture"),
            BadPlacement(_) => (StatusCode::UNPROCESSABLE_ENTITY, "bad_placement"),
            BadDocument(_) => (StatusCode::UNPROCESSABLE_ENTITY, "bad_document"),
            BadSignature(_) => (StatusCode::UNPROCESSABLE_ENTITY, "bad_signature"),
            BadKey(_) => (StatusCode::UNPROCESSABLE_ENTITY, "bad_key"),
            UnsupportedAlgorithm(_) => (StatusCode::UNPROCESSABLE_ENTITY, "unsupported_algorithm"),
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

impl From<RequestTokenError> for ApiError {
    fn from(e: RequestTokenError) -> Self {
        match e {
            RequestTokenError::WrongAudience => ApiError::WrongAudience,
            RequestTokenError::LifetimeTooLong(s) => ApiError::TokenLifetimeTooLong(s),
            RequestTokenError::Expired => ApiError::TokenExpired,
            RequestTokenError::UntrustedKey(why) => ApiError::UntrustedKey(why),
            e @ (RequestTokenError::Malformed(_) | RequestTokenError::BadSignature) => {
                ApiError::Unauthenticated(e.to_string())
            }
            RequestTokenError::Signing(j) => j.into(),
        }
    }
}

impl From<JoseError> for ApiError {
    fn from(e: JoseError) -> Self {
        match e {
            JoseError::Crypto(c) => c.into(),
            JoseError::Certificate(_) => ApiError::BadCertificate(e.to_string()),
            e @ (JoseError::TooLarge { .. } | JoseError::Malformed { .. }) => {
                ApiError::InvalidRequest(e.to_string())
            }
        }
    }
}

impl From<CryptoError> for ApiError {
    fn from(e: CryptoError) -> Self {
        match e {
            CryptoError::BadSignature | CryptoError::MalformedSignature(_) => {
                ApiError::BadSignature(e.to_string())
            }
            CryptoError::MalformedKey(_) | CryptoError::MalformedPem(_) => {
                ApiError::BadKey(e.to_string())
            }
            CryptoError::UnsupportedAlgorithm(_) | CryptoError::AlgorithmMismatch { .. } => {
                ApiError::UnsupportedAlgorithm(e.to_string())
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<PkiError> for ApiError {
    fn from(e: PkiError) -> Self {
        match e {
            PkiError::Crypto(c) => c.into(),
            e @ (PkiError::MalformedCertificate(_)
            | PkiError::MalformedCrl(_)
            | PkiError::MalformedExtension { .. }) => ApiError::BadCertificate(e.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<SealError> for ApiError {
    fn from(e: SealError) -> Self {
        match e {
            SealError::SignerNotListed => ApiError::NotOwner,
            SealError::SealNotValidAt => ApiError::SealNotValid,
            SealError::Crypto(c) => c.into(),
            SealError::Certificate(_) => ApiError::BadCertificate(e.to_string()),
            SealError::Picture(_) => ApiError::BadPicture(e.to_string()),
            SealError::InvalidRequest(_) => ApiError::InvalidRequest(e.to_string()),
            e @ (SealError::TooLarge { .. }
            | SealError::Der { .. }
            | SealError::Malformed { .. }
            | SealError::UnsupportedVersion(_)
            | SealError::BadTime(_)) => ApiError::BadSeal(e.to_string()),
        }
    }
}

impl From<OfdError> for ApiError {
    fn from(e: OfdError) -> Self {
        match e {
            OfdError::Sign(inner) => match inner.downcast::<SealError>() {
                Ok(se) => (*se).into(),
                Err(other) => ApiError::Internal(other.to_string()),
            },
            OfdError::Placement(_) => ApiError::BadPlacement(e.to_string()),
            e @ (OfdError::MissingFile { .. }
            | OfdError::MissingElement { .. }
            | OfdError::BadValue { .. }
            | OfdError::TooManySignatures { .. }) => ApiError::BadDocument(e.to_string()),
            // The package itself does not read safely: the body is not a usable OFD.
            other => ApiError::InvalidBody(format!("not a usable OFD package: {other}")),
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::License(e) => e.into(),
            ServiceError::Seal(e) => e.into(),
            ServiceError::SignerNotListed => ApiError::NotOwner,
            ServiceError::Ofd(e) => e.into(),
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

    /// The status and code every variant must have. The match has no wildcard, so a
    /// new variant does not compile until it is listed here too.
    fn expected(e: &ApiError) -> (u16, &'static str) {
        use ApiError::*;
        match e {
            MalformedJson(_) => (400, "malformed_json"),
            InvalidBody(_) => (422, "invalid_body"),
            UnsupportedMediaType => (415, "unsupported_media_type"),
            BodyTooLarge(_) => (413, "body_too_large"),
            BatchTooLarge(_) => (413, "batch_too_large"),
            EmptyBatch => (422, "empty_batch"),
            BatchItem { source, .. } => expected(source),
            UnknownType(_) => (422, "unknown_type"),
            InvalidClaims(_) => (422, "invalid_claims"),
            InvalidRequest(_) => (422, "invalid_request"),
            BadIdentifier(_) => (400, "bad_identifier"),
            Unauthenticated(_) => (401, "unauthenticated"),
            TokenExpired => (401, "token_expired"),
            TokenLifetimeTooLong(_) => (401, "token_lifetime_too_long"),
            WrongAudience => (401, "wrong_audience"),
            UntrustedKey(_) => (401, "untrusted_key"),
            TokenReplayed => (401, "token_replayed"),
            AgencyNotHosted => (403, "agency_not_hosted"),
            TypeNotAuthorised(_) => (403, "type_not_authorised"),
            NotOwner => (403, "not_owner"),
            NotFound => (404, "not_found"),
            NoSuchRoute => (404, "no_such_route"),
            IllegalTransition(_) => (409, "illegal_transition"),
            IdempotencyKeyReused => (422, "idempotency_key_reused"),
            BadIdempotencyKey => (400, "bad_idempotency_key"),
            SealNotValid => (422, "seal_not_valid"),
            BadSeal(_) => (422, "bad_seal"),
            BadCertificate(_) => (422, "bad_certificate"),
            BadPicture(_) => (422, "bad_picture"),
            BadPlacement(_) => (422, "bad_placement"),
            BadDocument(_) => (422, "bad_document"),
            BadSignature(_) => (422, "bad_signature"),
            BadKey(_) => (422, "bad_key"),
            UnsupportedAlgorithm(_) => (422, "unsupported_algorithm"),
            Unavailable(_) => (503, "unavailable"),
            Internal(_) => (500, "internal"),
        }
    }

    /// One value of every variant.
    fn every_variant() -> Vec<ApiError> {
        let t = || "x".to_string();
        vec![
            ApiError::MalformedJson(t()),
            ApiError::InvalidBody(t()),
            ApiError::UnsupportedMediaType,
            ApiError::BodyTooLarge(10),
            ApiError::BatchTooLarge(10),
            ApiError::EmptyBatch,
            ApiError::BatchItem {
                index: 1,
                source: Box::new(ApiError::InvalidClaims(t())),
            },
            ApiError::UnknownType(t()),
            ApiError::InvalidClaims(t()),
            ApiError::InvalidRequest(t()),
            ApiError::BadIdentifier(t()),
            ApiError::Unauthenticated(t()),
            ApiError::TokenExpired,
            ApiError::TokenLifetimeTooLong(300),
            ApiError::WrongAudience,
            ApiError::UntrustedKey(t()),
            ApiError::TokenReplayed,
            ApiError::AgencyNotHosted,
            ApiError::TypeNotAuthorised(t()),
            ApiError::NotOwner,
            ApiError::NotFound,
            ApiError::NoSuchRoute,
            ApiError::IllegalTransition(t()),
            ApiError::IdempotencyKeyReused,
            ApiError::BadIdempotencyKey,
            ApiError::SealNotValid,
            ApiError::BadSeal(t()),
            ApiError::BadCertificate(t()),
            ApiError::BadPicture(t()),
            ApiError::BadPlacement(t()),
            ApiError::BadDocument(t()),
            ApiError::BadSignature(t()),
            ApiError::BadKey(t()),
            ApiError::UnsupportedAlgorithm(t()),
            ApiError::Unavailable(t()),
            ApiError::Internal(t()),
        ]
    }

    #[tokio::test]
    async fn every_error_is_problem_json_with_its_code() {
        let all = every_variant();
        let codes: std::collections::BTreeSet<_> =
            all.iter().map(|e| e.status_and_code().1).collect();
        // every variant but the batch wrapper (which takes its item's code) has its own code
        assert_eq!(codes.len(), all.len() - 1);
        for err in all {
            let (status, code) = expected(&err);
            assert_eq!(err.status_and_code().0.as_u16(), status, "{code}");
            assert_eq!(err.status_and_code().1, code);
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

    #[test]
    fn use_case_errors_keep_the_domain_codes() {
        let code = |e: ServiceError| ApiError::from(e).status_and_code().1;
        assert_eq!(
            code(ServiceError::Seal(SealError::SealNotValidAt)),
            "seal_not_valid"
        );
        assert_eq!(
            code(ServiceError::Ofd(OfdError::Placement("x"))),
            "bad_placement"
        );
        assert_eq!(
            code(ServiceError::UnreadableDocument(OfdError::Truncated("zip"))),
            "invalid_body"
        );
        assert_eq!(code(ServiceError::SignerNotListed), "not_owner");
        assert_eq!(
            code(ServiceError::License(LicenseError::UnknownType("T".into()))),
            "unknown_type"
        );
        assert_eq!(
            code(ServiceError::Storage(StoreError::NotFound)),
            "not_found"
        );
        assert_eq!(
            code(ServiceError::Storage(StoreError::Unavailable("x".into()))),
            "unavailable"
        );
        assert_eq!(
            code(ServiceError::Storage(StoreError::Failed("x".into()))),
            "internal"
        );
        assert_eq!(
            code(ServiceError::IdempotencyKeyReused),
            "idempotency_key_reused"
        );
        assert_eq!(
            code(ServiceError::IllegalTransition("x".into())),
            "illegal_transition"
        );
        let item = ServiceError::BatchItem {
            index: 3,
            source: Box::new(ServiceError::InvalidRequest("x".into())),
        };
        let e = ApiError::from(item);
        assert_eq!(e.status_and_code().1, "invalid_request");
        assert_eq!(e.problem()["item"], 3);
    }

    #[test]
    fn seal_ofd_pki_crypto_and_token_errors_keep_their_own_codes() {
        let code = |e: ApiError| e.status_and_code().1;
        assert_eq!(code(SealError::SealNotValidAt.into()), "seal_not_valid");
        assert_eq!(code(SealError::SignerNotListed.into()), "not_owner");
        assert_eq!(code(SealError::UnsupportedVersion(9).into()), "bad_seal");
        assert_eq!(code(SealError::BadTime("signDate").into()), "bad_seal");
        assert_eq!(code(SealError::Certificate("x").into()), "bad_certificate");
        assert_eq!(code(SealError::Picture("x".into()).into()), "bad_picture");
        assert_eq!(
            code(SealError::InvalidRequest("x").into()),
            "invalid_request"
        );
        assert_eq!(
            code(SealError::Crypto(CryptoError::SigningFailed).into()),
            "internal"
        );
        assert_eq!(
            code(OfdError::Placement("keyword not found").into()),
            "bad_placement"
        );
        assert_eq!(code(OfdError::Truncated("zip").into()), "invalid_body");
        let sign = OfdError::Sign(Box::new(SealError::SignerNotListed));
        assert_eq!(code(sign.into()), "not_owner");
        assert_eq!(
            code(PkiError::MalformedCertificate("x").into()),
            "bad_certificate"
        );
        assert_eq!(code(PkiError::Builder("x".into()).into()), "internal");
        assert_eq!(code(CryptoError::BadSignature.into()), "bad_signature");
        assert_eq!(code(CryptoError::MalformedKey("x").into()), "bad_key");
        assert_eq!(
            code(CryptoError::UnsupportedAlgorithm("RSA".into()).into()),
            "unsupported_algorithm"
        );
        assert_eq!(code(JoseError::Certificate("x").into()), "bad_certificate");
        assert_eq!(code(RequestTokenError::Expired.into()), "token_expired");
        assert_eq!(
            code(RequestTokenError::WrongAudience.into()),
            "wrong_audience"
        );
        assert_eq!(
            code(RequestTokenError::LifetimeTooLong(300).into()),
            "token_lifetime_too_long"
        );
        assert_eq!(
            code(RequestTokenError::UntrustedKey("x".into()).into()),
            "untrusted_key"
        );
        assert_eq!(
            code(RequestTokenError::BadSignature.into()),
            "unauthenticated"
        );
        assert_eq!(
            code(RequestTokenError::Malformed("x".into()).into()),
            "unauthenticated"
        );
    }
}
