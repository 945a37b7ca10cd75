//! The error map's tests: every variant's status and code, and every domain error's.

use super::*;
use crate::adapters::storage::StorageError;
use crate::crypto::CryptoError;
use crate::jose::{JoseError, RequestTokenError};
use crate::license::LicenseError;
use crate::pki::PkiError;
use crate::seal::ofd::OfdError;
use crate::seal::SealError;
use crate::service::{ServiceError, StoreError};

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
        InvalidHolderCode(_) => (422, "invalid_holder_code"),
        InvalidRequest(_) => (422, "invalid_request"),
        BadPath(_) => (400, "bad_path"),
        BadIdentifier(_) => (400, "bad_identifier"),
        Unauthenticated(_) => (401, "unauthenticated"),
        TokenExpired => (401, "token_expired"),
        TokenLifetimeTooLong(_) => (401, "token_lifetime_too_long"),
        WrongAudience(_) => (401, "wrong_audience"),
        UntrustedKey(_) => (401, "untrusted_key"),
        TokenReplayed => (401, "token_replayed"),
        AgencyNotHosted => (403, "agency_not_hosted"),
        TypeNotAuthorised(_) => (403, "type_not_authorised"),
        LocalCodeOfOtherProvince(_) => (422, "local_code_of_other_province"),
        NotOwner => (403, "not_owner"),
        NotFound => (404, "not_found"),
        NoSuchRoute => (404, "no_such_route"),
        MethodNotAllowed(_) => (405, "method_not_allowed"),
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
        Consent(crate::consent::Refusal::NoConsent(_)) => (403, "no_consent"),
        Consent(crate::consent::Refusal::Expired(_)) => (403, "consent_expired"),
        Consent(crate::consent::Refusal::Revoked(_)) => (403, "consent_revoked"),
        Consent(crate::consent::Refusal::TypeOutside { .. }) => (403, "type_outside_consent"),
        Consent(crate::consent::Refusal::ClaimsOutside(_)) => (403, "claims_outside_consent"),
        Consent(crate::consent::Refusal::HolderMismatch) => (403, "holder_mismatch"),
        Consent(crate::consent::Refusal::AgencyNotTrusted(_)) => (403, "agency_not_trusted"),
        ConsentNodeUnavailable(_) => (502, "consent_node_unavailable"),
        TrustListUnavailable => (503, "trust_list_unavailable"),
        RateLimited(_) => (429, "rate_limited"),
        RequestTimeout(_) => (408, "request_timeout"),
        UnsupportedArtifactType(_) => (415, "unsupported_artifact_type"),
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
        ApiError::InvalidHolderCode(t()),
        ApiError::InvalidRequest(t()),
        ApiError::BadPath(t()),
        ApiError::BadIdentifier(t()),
        ApiError::Unauthenticated(t()),
        ApiError::TokenExpired,
        ApiError::TokenLifetimeTooLong(300),
        ApiError::WrongAudience(vec![t()]),
        ApiError::UntrustedKey(t()),
        ApiError::TokenReplayed,
        ApiError::AgencyNotHosted,
        ApiError::TypeNotAuthorised(t()),
        ApiError::LocalCodeOfOtherProvince(t()),
        ApiError::NotOwner,
        ApiError::NotFound,
        ApiError::NoSuchRoute,
        ApiError::MethodNotAllowed(t()),
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
        ApiError::Consent(crate::consent::Refusal::NoConsent(t())),
        ApiError::Consent(crate::consent::Refusal::Expired(t())),
        ApiError::Consent(crate::consent::Refusal::Revoked(t())),
        ApiError::Consent(crate::consent::Refusal::TypeOutside {
            granted: t(),
            asked: t(),
        }),
        ApiError::Consent(crate::consent::Refusal::ClaimsOutside(vec![t()])),
        ApiError::Consent(crate::consent::Refusal::HolderMismatch),
        ApiError::Consent(crate::consent::Refusal::AgencyNotTrusted(t())),
        ApiError::ConsentNodeUnavailable(t()),
        ApiError::BadKey(t()),
        ApiError::UnsupportedAlgorithm(t()),
        ApiError::TrustListUnavailable,
        ApiError::RateLimited(3),
        ApiError::RequestTimeout(30),
        ApiError::UnsupportedArtifactType(t()),
        ApiError::Unavailable(t()),
        ApiError::Internal(t()),
    ]
}

#[tokio::test]
async fn every_error_is_problem_json_with_its_code() {
    let all = every_variant();
    let codes: std::collections::BTreeSet<_> = all.iter().map(|e| e.status_and_code().1).collect();
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
    let resp = ApiError::Unavailable("busy".into()).into_response();
    assert_eq!(resp.headers()[header::RETRY_AFTER], RETRY_AFTER_S);
    let (s, _, p) = body_of(ApiError::Unavailable("host 10.0.0.5 refused".into())).await;
    assert_eq!(s, StatusCode::SERVICE_UNAVAILABLE);
    assert!(!p.to_string().contains("10.0.0.5"));
}

#[tokio::test]
async fn unauthorised_carries_a_bearer_challenge_and_batch_items_their_index() {
    let resp = ApiError::WrongAudience(vec!["https://node.test".into()]).into_response();
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
    let e: ApiError = LicenseError::LocalCodeOfOtherProvince {
        code: "T".into(),
        province: crate::pki::Province::Shanghai,
        agency: crate::pki::Province::Jiangsu,
    }
    .into();
    assert_eq!(e.status_and_code().1, "local_code_of_other_province");
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
        code(ServiceError::TrustList(
            crate::trust_list::TrustListError::BadSignature
        )),
        "trust_list_unavailable"
    );
    assert_eq!(
        code(ServiceError::TrustListConflict { sequence: 2 }),
        "trust_list_unavailable"
    );
    assert_eq!(code(ServiceError::NoTrustList), "trust_list_unavailable");
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
        code(RequestTokenError::WrongAudience { expected: vec![] }.into()),
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
    let wrong = RequestTokenError::WrongIssuer {
        iss: "bogus".into(),
        cert: "x".into(),
    };
    assert_eq!(code(wrong.into()), "unauthenticated");
    assert_eq!(
        code(RequestTokenError::Malformed("x".into()).into()),
        "unauthenticated"
    );
}
