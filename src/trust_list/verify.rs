//! Signing a trust list as a compact JWS, and accepting one.
//!
//! Header `{"alg", "typ": "trust-list+jwt", "x5c": [signer]}`; the payload is the
//! [`TrustList`] document. Accepting it: the `x5c` leaf must be the pinned signer's
//! certificate byte for byte, the signature must verify with its key, the sequence must
//! not be lower than the one held, and the list must not be past its next update plus
//! the grace.

use super::model::TrustList;
use super::TrustListError;
use crate::crypto::{DigestAlgorithm, Signer};
use crate::jose::{self, CompactJws};
use serde_json::{Map, Value};
use time::{Duration, OffsetDateTime};

/// The JWS `typ` of a trust list.
pub const TYP: &str = "trust-list+jwt";

/// Largest trust list accepted, bytes.
const MAX_LIST_BYTES: usize = 4 * 1024 * 1024;

/// Sign `list` with the trust-list signer (`chain`: its certificate first).
pub fn sign(
    list: &TrustList,
    signer: &dyn Signer,
    chain: &[Vec<u8>],
) -> Result<String, TrustListError> {
    let mut header = Map::new();
    header.insert("typ".into(), TYP.into());
    header.insert("x5c".into(), jose::x5c_value(chain));
    let payload = match serde_json::to_value(list) {
        Ok(Value::Object(m)) => m,
        _ => return Err(TrustListError::Malformed("list does not serialise".into())),
    };
    Ok(jose::sign_compact(signer, header, &payload)?)
}

/// How to accept a trust list.
#[derive(Debug, Clone, Copy)]
pub struct VerifyOptions<'a> {
    /// The pinned trust-list signer certificate (DER).
    pub signer_cert: &'a [u8],
    /// The validation time.
    pub at: OffsetDateTime,
    /// The sequence already held, if any: a lower one is a rollback.
    pub held_sequence: Option<u64>,
    /// How long past its next update a list may still be used.
    pub grace: Duration,
}

/// An accepted trust list, with what a report cites of it.
#[derive(Debug, Clone)]
pub struct VerifiedTrustList {
    /// The document.
    pub list: TrustList,
    /// SHA-256 of the JWS text, lowercase hex.
    pub digest: String,
    /// Whether it is past its next update (but within the grace).
    pub overdue: bool,
}

/// Accept the JWS `text` as the trust list, or say why not.
pub fn verify(text: &str, opts: &VerifyOptions<'_>) -> Result<VerifiedTrustList, TrustListError> {
    let text = text.trim();
    let jws = CompactJws::parse(text, "trust list", MAX_LIST_BYTES)
        .map_err(|e| TrustListError::Malformed(e.to_string()))?;
    if jws.header.get("typ").and_then(Value::as_str) != Some(TYP) {
        return Err(TrustListError::Malformed(format!("typ must be {TYP}")));
    }
    let chain = jws
        .x5c()
        .map_err(|e| TrustListError::Malformed(e.to_string()))?;
    if chain.first().map(Vec::as_slice) != Some(opts.signer_cert) {
        return Err(TrustListError::UnknownSigner);
    }
    let key = jose::cert_public_key(opts.signer_cert)
        .map_err(|e| TrustListError::Malformed(e.to_string()))?;
    if !jws.verify_with(&key) {
        return Err(TrustListError::BadSignature);
    }
    let list: TrustList = serde_json::from_value(Value::Object(jws.payload))
        .map_err(|e| TrustListError::Malformed(e.to_string()))?;
    if list.version != super::FORMAT_VERSION {
        return Err(TrustListError::Malformed(format!(
            "format version {} is not {}",
            list.version,
            super::FORMAT_VERSION
        )));
    }
    if let Some(held) = opts.held_sequence {
        if list.sequence < held {
            return Err(TrustListError::Rollback {
                held,
                got: list.sequence,
            });
        }
    }
    if list.issued_at > opts.at + Duration::minutes(5) {
        return Err(TrustListError::NotYetValid);
    }
    if opts.at > list.next_update.saturating_add(opts.grace) {
        return Err(TrustListError::Expired {
            next_update: list
                .next_update
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            grace_s: opts.grace.whole_seconds(),
        });
    }
    Ok(VerifiedTrustList {
        overdue: opts.at > list.next_update,
        digest: hex::encode(DigestAlgorithm::Sha256.digest(text.as_bytes())),
        list,
    })
}
