//! A license's archive evidence, as a verifier judges it: the issuing node's
//! checkpoint (its signature by the province's key), the issuance entry (of this
//! credential's issuer-signed JWT), its inclusion proof against the checkpoint, and the
//! witnesses whose cosignatures of that checkpoint verify.

use super::checkpoint::{verify_cosignature, Checkpoint};
use super::entry::{Act, Entry};
use super::merkle;
use super::note::Note;
use super::wire::InclusionView;
use crate::crypto::PublicKey;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Serialize;

/// What a verification answer says of the artifact's archiving.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Archived {
    /// `archived` (entry, proof and checkpoint check), `not_archived` (the evidence
    /// does not hold), or `unavailable` (no evidence could be had).
    pub status: &'static str,
    /// The log's province.
    pub province: String,
    /// The entry's index, when archived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<u64>,
    /// The entry's time (Unix seconds), when archived: the proof of existence of the
    /// credential at that time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<i64>,
    /// The checkpoint's size, when archived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// The checkpoint's root, base64, when archived.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub root: Option<String>,
    /// The inclusion proof, base64, when archived.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub proof: Vec<String>,
    /// The witnesses whose cosignatures of that checkpoint verify.
    pub witnessed_by: Vec<String>,
    /// For a license whose evidence came with it: the validation data kept at its
    /// issuance, as judged ([`super::ltv::judge`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ltv: Option<super::ltv::Kept>,
    /// In Chinese.
    pub zh: String,
    /// In English.
    pub en: String,
}

impl Archived {
    /// No evidence could be had from the province's node: why.
    pub fn unavailable(
        province: &str,
        province_zh: &str,
        province_en: &str,
        why: &str,
    ) -> Archived {
        Archived {
            status: "unavailable",
            province: province.to_string(),
            index: None,
            at: None,
            size: None,
            root: None,
            proof: Vec::new(),
            witnessed_by: Vec::new(),
            ltv: None,
            zh: format!("未能取得{province_zh}存档日志的证据：{why}"),
            en: format!("no evidence from {province_en}'s archive log: {why}"),
        }
    }

    /// The CRLs (DER) kept at the license's issuance, when its validation data holds:
    /// what its chain is checked against at the time of issuance.
    pub fn crls_kept(&self) -> &[Vec<u8>] {
        self.ltv
            .as_ref()
            .filter(|k| k.status == "kept")
            .map_or(&[], |k| k.crl_der.as_slice())
    }

    fn not_archived(province: &str, province_zh: &str, province_en: &str, why: String) -> Archived {
        Archived {
            status: "not_archived",
            zh: format!("{province_zh}存档日志的证据不成立：{why}"),
            en: format!("{province_en}'s archive evidence does not hold: {why}"),
            ..Archived::unavailable(province, province_zh, province_en, "")
        }
    }
}

/// The log of `province` (named `origin`, keys `log_keys`) proves that the credential
/// whose issuer-signed JWT is `jwt` was issued as entry `view.entry`, under the
/// checkpoint `view.checkpoint`; `witnesses` are the other provinces' witness names
/// and keys.
#[allow(clippy::too_many_arguments)]
pub fn judge(
    province: &str,
    province_zh: &str,
    province_en: &str,
    origin: &str,
    log_keys: &[PublicKey],
    witnesses: &[(String, PublicKey)],
    view: &InclusionView,
    jwt: &str,
) -> Archived {
    judge_record(
        province,
        province_zh,
        province_en,
        origin,
        log_keys,
        witnesses,
        view,
        Act::LicenseIssued,
        jwt.as_bytes(),
    )
}

/// [`judge`] for an entry of `act` whose record is `record`: a license's issuer-signed
/// JWT (`license.issued`), a seal's DER (`seal.made`), a stamp or stamped document
/// (`document.stamped`).
#[allow(clippy::too_many_arguments)]
pub fn judge_record(
    province: &str,
    province_zh: &str,
    province_en: &str,
    origin: &str,
    log_keys: &[PublicKey],
    witnesses: &[(String, PublicKey)],
    view: &InclusionView,
    act: Act,
    record: &[u8],
) -> Archived {
    let no = |why: String| Archived::not_archived(province, province_zh, province_en, why);
    let Some(text) = &view.checkpoint else {
        return no("no checkpoint came with the proof".into());
    };
    let Ok(note) = Note::parse(text.as_bytes()) else {
        return no("the checkpoint is not a signed note".into());
    };
    let Ok(cp) = Checkpoint::from_text(&note.text) else {
        return no("the checkpoint does not parse".into());
    };
    if cp.origin != origin {
        return no(format!("the checkpoint is of {}", cp.origin));
    }
    if !log_keys.iter().any(|k| note.verify(origin, k).is_ok()) {
        return no("the checkpoint's signature does not verify".into());
    }
    let e = &view.entry;
    let Ok(entry) = Entry::from_columns(&e.act, &e.subject, &e.digest, e.at) else {
        return no("the entry does not parse".into());
    };
    if entry.act != act || !entry.records(record) {
        return no(format!(
            "the entry is not the {} of this artifact",
            act.name()
        ));
    }
    let Some(proof) = super::wire::decode_hashes(&view.proof) else {
        return no("the proof's hashes are not 32 bytes of base64".into());
    };
    if view.size != cp.size {
        return no("the proof is for another tree size than the checkpoint's".into());
    }
    if let Err(err) =
        merkle::verify_inclusion(e.index, cp.size, &entry.leaf_hash(), &proof, &cp.root)
    {
        return no(format!("the inclusion proof fails: {err}"));
    }
    let witnessed_by: Vec<String> = witnesses
        .iter()
        .filter(|(name, key)| verify_cosignature(&note, name, key).is_ok())
        .map(|(name, _)| name.clone())
        .collect();
    let n = witnessed_by.len();
    let ltv = match (act, &view.ltv) {
        (Act::LicenseIssued, Some(l)) => Some(super::ltv::judge(
            l,
            &cp,
            std::str::from_utf8(record).unwrap_or_default(),
            e.at,
        )),
        _ => None,
    };
    Archived {
        status: "archived",
        province: province.to_string(),
        index: Some(e.index),
        at: Some(e.at),
        size: Some(cp.size),
        root: Some(STANDARD.encode(cp.root)),
        proof: view.proof.clone(),
        zh: format!(
            "已存档：{province_zh} 存档日志第 {} 条，检查点已由 {n} 个省见证",
            group(e.index)
        ),
        en: format!(
            "archived in {province_en}'s log at index {}; checkpoint witnessed by {n} province{}",
            group(e.index),
            if n == 1 { "" } else { "s" }
        ),
        witnessed_by,
        ltv,
    }
}

/// `1234567` → `1,234,567`.
fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::checkpoint::cosign;
    use crate::archive::merkle::MemoryTree;
    use crate::archive::wire::EntryView;
    use crate::crypto::{Algorithm, PrivateKey, Signer, SoftwareSigner};

    #[test]
    fn evidence_is_judged_and_any_change_to_it_is_caught() {
        let log = SoftwareSigner::new("log", PrivateKey::generate(Algorithm::Sm2Sm3).unwrap());
        let w = SoftwareSigner::new(
            "w",
            PrivateKey::generate(Algorithm::EcdsaP256Sha256).unwrap(),
        );
        let jwt = "eyJhbGciOiJTTTIifQ.eyJ9.c2ln";
        let mut tree = MemoryTree::new();
        let mut entries = Vec::new();
        for i in 0..1500u32 {
            let e = if i == 1234 {
                Entry::of(Act::LicenseIssued, "L1234", jwt.as_bytes(), 7)
            } else {
                Entry::of(Act::LicenseIssued, &format!("L{i}"), &i.to_be_bytes(), 7)
            };
            tree.push(e.leaf_hash());
            entries.push(e);
        }
        let cp = Checkpoint {
            origin: "deltaseal.yrd/js/archive".into(),
            size: 1500,
            root: tree.root(),
            extensions: vec![],
        };
        let mut note = cp.sign(&log).unwrap();
        note.signatures
            .push(cosign(&note, "deltaseal.yrd/sh/witness", &w, 9).unwrap());
        let e = &entries[1234];
        let view = InclusionView {
            entry: EntryView {
                index: 1234,
                act: e.act.name().into(),
                subject: e.subject.clone(),
                digest: hex::encode(e.digest),
                at: e.at,
                leaf_hash: STANDARD.encode(e.leaf_hash()),
            },
            size: 1500,
            proof: tree
                .inclusion_proof(1234, 1500)
                .unwrap()
                .iter()
                .map(|h| STANDARD.encode(h))
                .collect(),
            checkpoint: Some(note.to_text()),
            ltv: None,
        };
        let keys = [log.public_key().clone()];
        let witnesses = [
            (
                "deltaseal.yrd/sh/witness".to_string(),
                w.public_key().clone(),
            ),
            (
                "deltaseal.yrd/zj/witness".to_string(),
                log.public_key().clone(),
            ),
        ];
        let origin = "deltaseal.yrd/js/archive";
        let a = judge(
            "JS", "江苏", "Jiangsu", origin, &keys, &witnesses, &view, jwt,
        );
        assert_eq!(a.status, "archived", "{a:?}");
        assert_eq!(
            a.zh,
            "已存档：江苏 存档日志第 1,234 条，检查点已由 1 个省见证"
        );
        assert_eq!(
            a.en,
            "archived in Jiangsu's log at index 1,234; checkpoint witnessed by 1 province"
        );
        assert_eq!(a.witnessed_by, ["deltaseal.yrd/sh/witness"]);

        // another credential; another index; a changed proof; another log's key
        assert_eq!(
            judge(
                "JS",
                "江苏",
                "Jiangsu",
                origin,
                &keys,
                &witnesses,
                &view,
                "eyJ.other.x"
            )
            .status,
            "not_archived"
        );
        let mut moved = view.clone();
        moved.entry.index = 1235;
        assert_eq!(
            judge("JS", "江苏", "Jiangsu", origin, &keys, &witnesses, &moved, jwt).status,
            "not_archived"
        );
        let mut bent = view.clone();
        bent.proof[3] = STANDARD.encode([0u8; 32]);
        assert_eq!(
            judge("JS", "江苏", "Jiangsu", origin, &keys, &witnesses, &bent, jwt).status,
            "not_archived"
        );
        let other = [w.public_key().clone()];
        assert_eq!(
            judge("JS", "江苏", "Jiangsu", origin, &other, &witnesses, &view, jwt).status,
            "not_archived"
        );
        assert_eq!(group(0), "0");
        assert_eq!(group(1_234_567), "1,234,567");
    }
}
