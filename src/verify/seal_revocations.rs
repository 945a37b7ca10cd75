//! Seal revocation lists of other provinces: each seal authority's list, signed by the
//! authority ([`crate::seal::SignedRevocations`]) and served by its province's node at
//! `<node_url>/v1/seal-revocations/<authority certificate SHA-256>`.
//!
//! [`revocation_uris`] names the lists an artifact's seals need (from the makers'
//! certificates and the trust list), [`accept_seal_revocations`] judges a fetched list
//! once on arrival (chain to a listed root for seal making, a listed seal authority,
//! signature, expiry, `sub`), and [`merged`] gives the engine the one list it consults
//! (`Context::revoked_seals`), keeping from each authority's list only the seals that
//! authority made.
//!
//! Owns: what makes a fetched revocation list acceptable, and which lists apply.
//! Must not touch: the network, the store, the clock.

use super::{detect, Input, Kind};
use crate::jose::{self, CompactJws};
use crate::pki::validate::{validate, Policy as ChainPolicy, Purpose};
use crate::seal::{SealRevocationList, SignedRevocations, Stamp};
use crate::trust_list::{fingerprint, VerifiedTrustList};
use std::sync::Arc;
use time::OffsetDateTime;

/// The API path of a seal authority's revocation list, under its node's base URL.
pub const PATH: &str = "/v1/seal-revocations/";

/// A seal revocation list accepted by [`accept_seal_revocations`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldSealRevocations {
    /// The URI it is served at (`sub`).
    pub uri: String,
    /// SHA-256 (lowercase hex) of the seal authority certificate that signed it.
    pub signer: String,
    /// When the authority's node produced it.
    pub issued_at: OffsetDateTime,
    /// When it expires, if it says.
    pub expires_at: Option<OffsetDateTime>,
    /// Seconds it may be held, if it says.
    pub ttl: Option<u64>,
    /// When this verifier fetched it.
    pub fetched_at: OffsetDateTime,
    /// The revoked seals.
    pub list: SealRevocationList,
}

impl HeldSealRevocations {
    /// Whether it should be fetched again at `now` (past `ttl`, default `default_ttl`
    /// seconds, since it was fetched, or past its expiry).
    pub fn due(&self, now: OffsetDateTime, default_ttl: u64) -> bool {
        super::status::refetch_due(self.fetched_at, self.ttl, self.expires_at, now, default_ttl)
    }
}

/// Judge a signed seal revocation list fetched from `expected_uri` at `fetched_at`.
pub fn accept_seal_revocations(
    token: &str,
    expected_uri: &str,
    trust: &VerifiedTrustList,
    fetched_at: OffsetDateTime,
) -> Result<HeldSealRevocations, String> {
    let jws = CompactJws::parse(
        token,
        "seal revocation list",
        crate::seal::revocation::MAX_SIGNED_BYTES,
    )
    .map_err(|e| e.to_string())?;
    let chain = jws.x5c().map_err(|e| e.to_string())?;
    let policy = ChainPolicy {
        purpose: Purpose::SealMaking,
        ..ChainPolicy::at(fetched_at)
    };
    let v = validate(&chain[0], &chain[1..], &trust.list.anchors(), &policy);
    if !v.passed() {
        return Err("its signing certificate does not validate to a listed province root".into());
    }
    let signer = fingerprint(&chain[0]);
    if !listed_authority(trust, &signer) {
        return Err("it is signed by a certificate of no listed seal authority".into());
    }
    let key = jose::cert_public_key(&chain[0]).map_err(|e| e.to_string())?;
    let t = SignedRevocations::verify(token, &key, fetched_at)?;
    if t.uri != expected_uri {
        return Err(format!(
            "its sub {:?} is not the URI asked for, {expected_uri:?}",
            t.uri
        ));
    }
    Ok(HeldSealRevocations {
        uri: t.uri,
        signer,
        issued_at: t.iat,
        expires_at: t.exp,
        ttl: t.ttl,
        fetched_at,
        list: t.list,
    })
}

fn listed_authority(trust: &VerifiedTrustList, sha256: &str) -> bool {
    trust
        .list
        .provinces
        .iter()
        .flat_map(|p| &p.seal_authorities)
        .any(|a| a.cert_sha256.iter().any(|c| c == sha256))
}

/// The esID and seal maker certificate (DER) of every seal `input` carries: a seal, a
/// detached stamp's seal, every seal stamp of an OFD document. Read without verifying
/// anything.
pub fn seal_makers(input: &Input<'_>) -> Vec<(String, Vec<u8>)> {
    let one = |s: crate::seal::Seal| vec![(s.es_id().to_string(), s.maker_cert)];
    match input.kind.or_else(|| detect(input.bytes)) {
        Some(Kind::Seal) => crate::seal::Seal::from_der(input.bytes)
            .map(one)
            .unwrap_or_default(),
        Some(Kind::Stamp) => Stamp::from_der(input.bytes)
            .map(|s| one(s.seal))
            .unwrap_or_default(),
        Some(Kind::Ofd) => super::seal::ofd_seal_makers(input.bytes),
        _ => Vec::new(),
    }
}

/// The revocation list URIs for `makers` (seal authority certificates, DER): one per
/// listed authority whose province names a node.
pub fn revocation_uris(trust: &VerifiedTrustList, makers: &[(String, Vec<u8>)]) -> Vec<String> {
    let mut out = Vec::new();
    for (_, m) in makers {
        let fp = fingerprint(m);
        for p in &trust.list.provinces {
            let base = p.node_url.trim_end_matches('/');
            let listed = p
                .seal_authorities
                .iter()
                .any(|a| a.cert_sha256.contains(&fp));
            let uri = format!("{base}{PATH}{fp}");
            if listed && !base.is_empty() && !out.contains(&uri) {
                out.push(uri);
            }
        }
    }
    out
}

/// One list of the revocations in `held`, each list contributing only seals the
/// artifact carries (`makers`, from [`seal_makers`]) made by the authority that signed
/// it.
pub fn merged(
    held: &[Arc<HeldSealRevocations>],
    makers: &[(String, Vec<u8>)],
) -> SealRevocationList {
    let makers: Vec<(&str, String)> = makers
        .iter()
        .map(|(id, der)| (id.as_str(), fingerprint(der)))
        .collect();
    let mut out = SealRevocationList::new();
    for h in held {
        for e in &h.list.entries {
            if makers
                .iter()
                .any(|(id, fp)| *id == e.es_id && *fp == h.signer)
            {
                out.add(e.clone());
            }
        }
    }
    out
}
