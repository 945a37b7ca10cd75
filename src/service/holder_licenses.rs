//! The licenses of a signed-in holder, from every province (电子证照归集): this node's
//! own store, and each other province's node (its `node_url` in the trust list) over
//! the signed federation call. A node that does not answer, or answers something
//! unusable, is reported as such beside the licenses that were had — never an error of
//! the whole request.
//!
//! What a peer sends is not taken on its word: each license is summarised again here
//! from its credential, must name this holder, and must have been issued by an agency
//! the trust list places in the answering province.

use super::store::{LicenseRecord, StoreError};
use super::ServiceError;
use crate::holder::licenses::{disclosed_claims, is_holders, summarise, MAX_LICENSES_PER_HOLDER};
use crate::holder::HolderLicense;
use crate::jose::normalise_audience;
use crate::license::{HolderCodeType, Status};
use crate::pki::Province;
use crate::trust_list::TrustList;
use serde::{Deserialize, Serialize};
use std::future::Future;

/// The store as this use case needs it.
pub trait HolderLicenseStore: Sync {
    /// The licenses whose holder code is `code`, at most `limit`.
    fn licenses_of_holder(
        &self,
        code: &str,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<LicenseRecord>, StoreError>> + Send;
}

/// Another province's node to ask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    /// Its province.
    pub province: Province,
    /// Its base URL (the trust list's `node_url`).
    pub node_url: String,
}

/// Asking the other nodes (the adapter signs and sends the calls, all at once).
pub trait PeerNodes: Sync {
    /// Ask each of `peers` for the licenses of the holder `code` of type `kind`: per
    /// peer, what it answered or why there is no answer.
    fn ask_all(
        &self,
        peers: &[Peer],
        code: &str,
        kind: HolderCodeType,
    ) -> impl Future<Output = Vec<(Province, Result<Vec<HolderLicense>, String>)>> + Send;
}

/// How a province's part of the answer came.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// From this node's own store.
    Local,
    /// The province's node answered.
    Answered,
    /// The province's node did not answer (or answered nothing usable).
    Unavailable,
}

/// One province's part of the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvinceAnswer {
    /// The province.
    pub province: Province,
    /// Its node.
    pub node_url: String,
    /// How its part came.
    pub outcome: Outcome,
    /// Licenses it contributed.
    pub count: usize,
    /// Why it is unavailable, or what was dropped from its answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// Every license of a holder and how each province answered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gathered {
    /// The licenses, this node's first, then by province.
    pub licenses: Vec<HolderLicense>,
    /// One entry per province of the trust list.
    pub provinces: Vec<ProvinceAnswer>,
}

/// This node's own licenses of the holder (with their credentials), under `list`.
pub async fn own_licenses<S: HolderLicenseStore>(
    store: &S,
    list: &TrustList,
    code: &str,
    kind: HolderCodeType,
) -> Result<Vec<HolderLicense>, ServiceError> {
    let records = store
        .licenses_of_holder(code, MAX_LICENSES_PER_HOLDER)
        .await?;
    let mut out = Vec::new();
    for r in records {
        let Ok(claims) = disclosed_claims(&r.credential) else {
            continue;
        };
        if !is_holders(&claims, code, kind) {
            continue;
        }
        if let Ok(Some(l)) = summarise(&r.identifier, r.status, &r.credential, list) {
            out.push(l);
        }
    }
    Ok(out)
}

/// Check a peer's answer: keep the licenses whose credential names the holder and was
/// issued in `province`, summarised again from the credential (the status is the
/// peer's); the number dropped.
pub fn accept_peer_answer(
    licenses: Vec<HolderLicense>,
    province: Province,
    list: &TrustList,
    code: &str,
    kind: HolderCodeType,
) -> (Vec<HolderLicense>, usize) {
    let mut kept = Vec::new();
    let mut dropped = 0;
    for l in licenses.into_iter().take(MAX_LICENSES_PER_HOLDER) {
        let status = match l.status.as_str() {
            "valid" => Some(Status::Valid),
            "suspended" => Some(Status::Suspended),
            "revoked" => Some(Status::Revoked),
            _ => None,
        };
        let again = match (status, l.credential.as_deref()) {
            (Some(s), Some(c)) => disclosed_claims(c)
                .ok()
                .filter(|claims| is_holders(claims, code, kind))
                .and_then(|_| summarise(&l.identifier, s, c, list).ok().flatten()),
            _ => None,
        };
        match again {
            Some(a)
                if a.province == province
                    && a.claims.get("license_id").and_then(|v| v.as_str())
                        == Some(l.identifier.as_str()) =>
            {
                kept.push(a)
            }
            _ => dropped += 1,
        }
    }
    (kept, dropped)
}

/// Every license of the holder `code` (`kind`): this node's own (it serves `own`, or
/// every province when `None`) and each other province's node's, asked through `peers`.
pub async fn gather<S: HolderLicenseStore, P: PeerNodes>(
    store: &S,
    peers: &P,
    list: &TrustList,
    own: Option<Province>,
    own_url: &str,
    code: &str,
    kind: HolderCodeType,
) -> Result<Gathered, ServiceError> {
    let mine = own_licenses(store, list, code, kind).await?;
    let own_norm = normalise_audience(own_url);
    let mut provinces = Vec::new();
    let mut to_ask = Vec::new();
    for e in &list.provinces {
        let local =
            own.map_or(true, |p| p == e.code) || normalise_audience(&e.node_url) == own_norm;
        if local {
            provinces.push(ProvinceAnswer {
                province: e.code,
                node_url: e.node_url.clone(),
                outcome: Outcome::Local,
                count: mine.iter().filter(|l| l.province == e.code).count(),
                detail: None,
            });
        } else {
            to_ask.push(Peer {
                province: e.code,
                node_url: e.node_url.clone(),
            });
        }
    }
    let mut licenses = mine;
    let answers = peers.ask_all(&to_ask, code, kind).await;
    for peer in &to_ask {
        let answer = answers
            .iter()
            .find(|(p, _)| *p == peer.province)
            .map(|(_, a)| a.clone())
            .unwrap_or_else(|| Err("not asked".into()));
        let entry = match answer {
            Ok(ls) => {
                let (kept, dropped) = accept_peer_answer(ls, peer.province, list, code, kind);
                let n = kept.len();
                licenses.extend(kept);
                ProvinceAnswer {
                    province: peer.province,
                    node_url: peer.node_url.clone(),
                    outcome: Outcome::Answered,
                    count: n,
                    detail: (dropped > 0).then(|| {
                        format!("{dropped} license(s) in the answer were not this holder's or not issued in this province, and were dropped")
                    }),
                }
            }
            Err(why) => ProvinceAnswer {
                province: peer.province,
                node_url: peer.node_url.clone(),
                outcome: Outcome::Unavailable,
                count: 0,
                detail: Some(why),
            },
        };
        provinces.push(entry);
    }
    provinces.sort_by_key(|p| p.province);
    Ok(Gathered {
        licenses,
        provinces,
    })
}
