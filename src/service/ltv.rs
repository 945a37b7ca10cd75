//! Keeping the validation data of issuance ([`crate::archive::ltv`]) inside an
//! issuance's transaction: for each status list the licenses fall in, the bundle of
//! the agency's chain, the trust-list version and CRLs the node holds, and the list
//! signed as it stands — reused by later issuances while none of that has changed (for
//! at most an hour), else made anew and logged.

use super::blocking::Blocking;
use super::issue::Issuer;
use super::store::{Issuance, KeptEvidence, Slot};
use super::ServiceError;
use crate::archive::ltv::{Bundle, TrustListVersion, VERSION};
use crate::license::{StatusList, StatusListToken};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

/// A bundle is made anew after this many seconds even if nothing changed.
const REUSE_FOR: i64 = 3600;

/// What the node holds that a bundle keeps besides the agency's own chain and list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LtvBasis {
    /// The trust list the node holds, if any.
    pub trust_list: Option<TrustListVersion>,
    /// The CRLs the node holds (DER).
    pub crls: Vec<Vec<u8>>,
}

/// The digest (hex) of the bundle kept for each status list of `slots`, kept or reused
/// in `tx`; nothing when the issuer keeps none.
pub(crate) async fn keep_for<T: Issuance, B: Blocking>(
    tx: &mut T,
    run: &B,
    issuer: &Issuer<'_>,
    slots: &[Slot],
    now: OffsetDateTime,
) -> Result<Vec<(i64, String)>, ServiceError> {
    let Some(basis) = issuer.ltv else {
        return Ok(Vec::new());
    };
    let t = now.unix_timestamp();
    let agency = issuer.agency;
    let chain: Vec<String> = agency.chain().iter().map(|c| STANDARD.encode(c)).collect();
    let crls: Vec<String> = basis.crls.iter().map(|c| STANDARD.encode(c)).collect();
    let basis_digest = hex::encode(Sha256::digest(
        serde_json::to_vec(&(&chain, &basis.trust_list, &crls)).unwrap_or_default(),
    ));
    let mut lists: Vec<i64> = slots.iter().map(|s| s.list).collect();
    lists.sort_unstable();
    lists.dedup();
    let mut out = Vec::with_capacity(lists.len());
    for list in lists {
        let (bits, version) = tx.status_list_state(list).await?;
        if let Some(k) = tx.latest_evidence(list).await? {
            if k.basis == basis_digest
                && k.status_version == version
                && (0..REUSE_FOR).contains(&(t - k.at))
            {
                out.push((list, k.digest));
                continue;
            }
        }
        let token = StatusListToken {
            uri: (issuer.status_uri)(list),
            iat: now,
            exp: None,
            ttl: None,
            list: StatusList::from_bytes(bits)?,
        };
        let a = agency.clone();
        let token = run.run(move || token.sign(a.signer(), a.chain())).await??;
        let text = Bundle {
            v: VERSION.into(),
            agency: agency.uscc().to_string(),
            at: t,
            chain: chain.clone(),
            trust_list: basis.trust_list.clone(),
            crls: crls.clone(),
            status_list: token,
        }
        .text();
        let digest = hex::encode(Sha256::digest(text.as_bytes()));
        tx.keep_evidence(&KeptEvidence {
            digest: digest.clone(),
            list,
            status_version: version,
            basis: basis_digest.clone(),
            at: t,
            text,
        })
        .await?;
        out.push((list, digest));
    }
    Ok(out)
}

/// The digest kept for `slot`'s list among `kept`.
pub(crate) fn kept_for(kept: &[(i64, String)], slot: Slot) -> Option<String> {
    kept.iter()
        .find(|(l, _)| *l == slot.list)
        .map(|(_, d)| d.clone())
}
