//! Presentations: the holder keeps only the disclosures it chooses to show, and may
//! bind the presentation to its key with a key binding JWT (`typ: kb+jwt`, payload
//! `{iat, aud, nonce, sd_hash}`, `sd_hash` = base64url(SHA-256(`jwt~d1~…~dn~`))).

use super::super::LicenseError;
use super::{SdJwt, KB_TYP};
use crate::crypto::{DigestAlgorithm, Signer};
use crate::jose::{self, b64};
use serde_json::Map;
use time::OffsetDateTime;

/// A presentation of `sd_jwt` disclosing only the claims named in `reveal` (any key
/// binding JWT on the input is dropped). Naming a claim the credential cannot disclose
/// is an error.
pub fn present(sd_jwt: &str, reveal: &[&str]) -> Result<String, LicenseError> {
    Ok(select(sd_jwt, reveal)?.serialize_without_kb())
}

fn select(sd_jwt: &str, reveal: &[&str]) -> Result<SdJwt, LicenseError> {
    let mut parsed = SdJwt::parse(sd_jwt)?;
    for name in reveal {
        if !parsed.disclosures.iter().any(|d| d.name == *name) {
            return Err(LicenseError::NoSuchClaim((*name).to_owned()));
        }
    }
    parsed
        .disclosures
        .retain(|d| reveal.contains(&d.name.as_str()));
    parsed.kb_jwt = None;
    Ok(parsed)
}

/// Like [`present`], then append a key binding JWT signed by the holder for the
/// verifier `aud` and its `nonce`, at `now`.
pub fn present_with_key_binding(
    sd_jwt: &str,
    reveal: &[&str],
    holder: &dyn Signer,
    aud: &str,
    nonce: &str,
    now: OffsetDateTime,
) -> Result<String, LicenseError> {
    let without_kb = select(sd_jwt, reveal)?.serialize_without_kb();
    let mut header = Map::new();
    header.insert("typ".into(), KB_TYP.into());
    let mut payload = Map::new();
    payload.insert("iat".into(), now.unix_timestamp().into());
    payload.insert("aud".into(), aud.into());
    payload.insert("nonce".into(), nonce.into());
    payload.insert("sd_hash".into(), sd_hash(&without_kb).into());
    let kb = jose::sign_compact(holder, header, &payload)?;
    Ok(format!("{without_kb}{kb}"))
}

/// base64url(SHA-256(text)).
pub(super) fn sd_hash(text: &str) -> String {
    b64(&DigestAlgorithm::Sha256.digest(text.as_bytes()))
}
