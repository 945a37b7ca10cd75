//! E-licenses and e-proofs as SD-JWT VCs (RFC 9901 SD-JWT, SD-JWT VC draft).
//!
//! The issuer-signed JWT:
//! - header `{"alg": "ES256" | "SM2", "typ": "dc+sd-jwt", "x5c": [leaf, …]}` — `x5c`
//!   carries the agency chain as the agency gave it (leaf first; the province root may
//!   be included, verifiers use their own trust anchors either way). `SM2` is a
//!   private-use `alg` name (SM2 with SM3 and the default signer ID, raw `r||s`).
//! - payload `{"iss", "iat", "nbf", "exp"?, "vct", "_sd_alg": "sha-256", "_sd": [...],
//!   "cnf"?: {"jwk": ...}, "status": {"status_list": {"idx", "uri"}},
//!   "local_type_code"?}`. `vct` is [`vct_for`]`(national type code)`; a credential
//!   issued under a province's local code carries that code as `local_type_code`
//!   ([`LOCAL_TYPE_CODE`]), which verifiers map through the regional catalogue.
//! - every other claim — the GB/T 36903 metadata (see [`super::metadata`]), `purpose`
//!   for proofs, and the type's fields — is an individually disclosable top-level claim:
//!   disclosure = base64url(JSON `[salt, name, value]`), salt 128 random bits,
//!   digest = base64url(SHA-256(disclosure)) in `_sd`, sorted. Disclosures are hashed
//!   with SHA-256 for SM2 credentials too, so any SD-JWT implementation can check them;
//!   only the issuer signature differs.
//!
//! Compact form: `<issuer JWT>~<disclosure>~…~<disclosure>~[<KB-JWT>]`.
//!
//! Issue with [`crate::license::Agency::issue`] (or `prepare` + `complete`), make a
//! presentation with [`present`] / [`present_with_key_binding`], check one with [`verify`].

mod issue;
mod parse;
mod present;
mod verify;

pub use issue::{Credential, IssueRequest, Prepared, StatusRef, MAX_PURPOSE_BYTES};
pub use parse::{Disclosure, SdJwt, MAX_DISCLOSURES, MAX_SD_JWT_BYTES};
pub use present::{present, present_with_key_binding};
pub use verify::{verify, KeyBindingCheck, Verified, VerifyOptions, DEFAULT_CLOCK_SKEW};

/// The JWT `typ` of a credential.
pub const TYP: &str = "dc+sd-jwt";
/// The JWT `typ` of a key binding JWT.
pub const KB_TYP: &str = "kb+jwt";
/// The `_sd_alg` used.
pub const SD_ALG: &str = "sha-256";
/// The plain payload claim naming the province's local type code a credential was
/// issued under (its `vct` names the national code).
pub const LOCAL_TYPE_CODE: &str = "local_type_code";
/// Prefix of every `vct`.
pub const VCT_PREFIX: &str = "urn:deltaseal:license-type:";

/// The `vct` naming a license type.
pub fn vct_for(type_code: &str) -> String {
    format!("{VCT_PREFIX}{type_code}")
}

/// The type code a `vct` names.
pub fn type_code_of(vct: &str) -> Option<&str> {
    vct.strip_prefix(VCT_PREFIX)
}

/// A public key as a JWK (`kty: EC`; `crv: P-256`, or the private-use `SM2`).
pub fn jwk_of(key: &crate::crypto::PublicKey) -> serde_json::Value {
    let point = key.sec1_uncompressed();
    let crv = match key.algorithm() {
        crate::crypto::Algorithm::EcdsaP256Sha256 => "P-256",
        crate::crypto::Algorithm::Sm2Sm3 => "SM2",
    };
    serde_json::json!({
        "kty": "EC",
        "crv": crv,
        "x": crate::jose::b64(&point[1..33]),
        "y": crate::jose::b64(&point[33..65]),
    })
}

/// The public key of a JWK made by [`jwk_of`] (or any EC P-256 / SM2 JWK).
pub fn key_of_jwk(jwk: &serde_json::Value) -> Option<crate::crypto::PublicKey> {
    use crate::crypto::{Algorithm, PublicKey};
    let alg = match (jwk.get("kty")?.as_str()?, jwk.get("crv")?.as_str()?) {
        ("EC", "P-256") => Algorithm::EcdsaP256Sha256,
        ("EC", "SM2") => Algorithm::Sm2Sm3,
        _ => return None,
    };
    let coord = |k: &str| {
        crate::jose::b64_decode(jwk.get(k)?.as_str()?, "jwk", 64)
            .ok()
            .filter(|c| c.len() == 32)
    };
    let mut point = vec![4u8];
    point.extend(coord("x")?);
    point.extend(coord("y")?);
    PublicKey::from_sec1(alg, &point).ok()
}

/// The SD-JWT VC issuer metadata of `agency` (draft-ietf-oauth-sd-jwt-vc, "JWT VC
/// Issuer Metadata"): `issuer` (the credentials' `iss`) and `jwks` holding the agency's
/// signing key, with its `alg` and the `x5c` chain its credentials carry.
pub fn issuer_metadata(agency: &crate::license::Agency) -> serde_json::Value {
    let signer = agency.signer();
    let mut jwk = jwk_of(signer.public_key());
    jwk["use"] = "sig".into();
    jwk["alg"] = signer.algorithm().jose_alg().into();
    jwk["kid"] = crate::crypto::thumbprint(signer.public_key()).into();
    jwk["x5c"] = crate::jose::x5c_value(agency.chain());
    serde_json::json!({
        "issuer": agency.issuer_uri(),
        "jwks": {"keys": [jwk]},
    })
}
