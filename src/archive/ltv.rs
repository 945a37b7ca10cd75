//! Long-term validation data kept at issuance: for the licenses an agency issues, what
//! a verifier needs years later beside the issuance entry — the agency's certificate
//! chain, the trust-list version in force, the CRLs the node held, and the agency's
//! status list as it stood (a `statuslist+jwt` signed at that moment, in which every
//! license issued under it is still valid).
//!
//! A bundle is kept once and shared by every license issued under it; it is itself an
//! entry of the log (`evidence.kept`, digest of its exact text), so it cannot be
//! changed unnoticed, and it names no holder.

use super::checkpoint::Checkpoint;
use super::entry::{Act, Entry};
use super::merkle;
use super::wire::EntryView;
use crate::jose::CompactJws;
use crate::license::{Status, StatusListToken};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The first field of every bundle.
pub const VERSION: &str = "deltaseal-ltv/v1";
/// The longest bundle text read.
pub const MAX_BUNDLE: usize = 512 * 1024;

/// A trust list's version: its sequence number and the SHA-256 (hex) of its JWS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustListVersion {
    /// Sequence number.
    pub sequence: u64,
    /// SHA-256 of the JWS text, lowercase hex.
    pub digest: String,
}

/// What is kept for the licenses of one agency's status list issued at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// [`VERSION`].
    pub v: String,
    /// The agency's USCC.
    pub agency: String,
    /// When it was made (Unix seconds).
    pub at: i64,
    /// The agency's certificate chain (base64 DER, leaf first) — the credentials' `x5c`.
    pub chain: Vec<String>,
    /// The trust list the node held, if any.
    pub trust_list: Option<TrustListVersion>,
    /// The CRLs the node held for the chain (base64 DER).
    pub crls: Vec<String>,
    /// The agency's status list at `at`, signed then.
    pub status_list: String,
}

impl Bundle {
    /// Its stored text, the record its entry digests.
    pub fn text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A bundle from its stored text.
    pub fn parse(text: &str) -> Result<Bundle, LtvError> {
        if text.len() > MAX_BUNDLE {
            return Err(LtvError("the bundle is too large".into()));
        }
        let b: Bundle = serde_json::from_str(text)
            .map_err(|e| LtvError(format!("the bundle does not parse: {e}")))?;
        if b.v != VERSION {
            return Err(LtvError(format!("unknown bundle version {:?}", b.v)));
        }
        Ok(b)
    }

    /// Its log entry, `text` being its text ([`entry`]).
    pub fn entry(&self, text: &str) -> Entry {
        entry(&self.agency, text, self.at)
    }

    /// The CRLs, DER.
    pub fn crls_der(&self) -> Vec<Vec<u8>> {
        self.crls
            .iter()
            .filter_map(|c| STANDARD.decode(c).ok())
            .collect()
    }
}

/// The log entry of the bundle of `agency` whose text is `text`, made at `at`:
/// `evidence.kept`, subject the agency, digest of the text.
pub fn entry(agency: &str, text: &str, at: i64) -> Entry {
    Entry::of(Act::EvidenceKept, agency, text.as_bytes(), at)
}

/// Why a bundle does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct LtvError(pub String);

/// A bundle as an inclusion answer carries it: its text, entry and inclusion proof in
/// the tree the answer's checkpoint is of.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LtvView {
    /// The bundle's text.
    pub bundle: String,
    /// Its entry.
    pub entry: EntryView,
    /// The proof's hashes, base64, leaf to root.
    pub proof: Vec<String>,
}

/// What a verification answer says of the validation data kept at issuance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kept {
    /// `kept` (the bundle is in the log and fits the license) or `not_kept`.
    pub status: &'static str,
    /// The bundle's entry index, when kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<u64>,
    /// When it was made, when kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<i64>,
    /// The trust list in force then, when kept and the node held one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trust_list: Option<TrustListVersion>,
    /// How many CRLs were kept.
    pub crls: usize,
    /// The license's status in the status list kept (`valid`), when kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_then: Option<&'static str>,
    /// In Chinese.
    pub zh: String,
    /// In English.
    pub en: String,
    /// The CRLs kept (DER), for validating the chain at the proof of existence.
    #[serde(skip)]
    pub crl_der: Vec<Vec<u8>>,
}

impl Kept {
    fn not_kept(why: String) -> Kept {
        Kept {
            status: "not_kept",
            index: None,
            at: None,
            trust_list: None,
            crls: 0,
            status_then: None,
            zh: format!("签发时的验证数据不成立：{why}"),
            en: format!("the validation data kept at issuance does not hold: {why}"),
            crl_der: Vec::new(),
        }
    }
}

/// Judge `view` as the bundle of the license whose issuer-signed JWT is `jwt`, issued
/// at `issued_at`, in the tree of checkpoint `cp` (already verified).
pub fn judge(view: &LtvView, cp: &Checkpoint, jwt: &str, issued_at: i64) -> Kept {
    match check(view, cp, jwt, issued_at) {
        Ok((bundle, status)) => {
            let tl = bundle.trust_list.clone();
            let crl_der = bundle.crls_der();
            let list_zh = tl
                .as_ref()
                .map(|t| format!("信任列表第 {} 版", t.sequence))
                .unwrap_or_else(|| "无信任列表".into());
            let list_en = tl
                .as_ref()
                .map(|t| format!("trust list #{}", t.sequence))
                .unwrap_or_else(|| "no trust list".into());
            Kept {
                status: "kept",
                index: Some(view.entry.index),
                at: Some(bundle.at),
                trust_list: tl,
                crls: crl_der.len(),
                status_then: Some(status.name()),
                zh: format!(
                    "签发时的验证数据已存档（第 {} 条）：证书链、{list_zh}、{} 份 CRL、状态列表（当时有效）",
                    view.entry.index,
                    crl_der.len()
                ),
                en: format!(
                    "validation data of issuance archived (entry {}): certificate chain, {list_en}, {} CRL{}, status list (valid then)",
                    view.entry.index,
                    crl_der.len(),
                    if crl_der.len() == 1 { "" } else { "s" }
                ),
                crl_der,
            }
        }
        Err(e) => Kept::not_kept(e.0),
    }
}

fn check(
    view: &LtvView,
    cp: &Checkpoint,
    jwt: &str,
    issued_at: i64,
) -> Result<(Bundle, Status), LtvError> {
    let bad = |s: &str| LtvError(s.to_string());
    let e = &view.entry;
    let entry = Entry::from_columns(&e.act, &e.subject, &e.digest, e.at)
        .map_err(|_| bad("its entry does not parse"))?;
    if entry.act != Act::EvidenceKept || !entry.records(view.bundle.as_bytes()) {
        return Err(bad("its entry is not of this bundle"));
    }
    let proof =
        super::wire::decode_hashes(&view.proof).ok_or_else(|| bad("its proof is not base64"))?;
    merkle::verify_inclusion(e.index, cp.size, &entry.leaf_hash(), &proof, &cp.root)
        .map_err(|err| LtvError(format!("its inclusion proof fails: {err}")))?;
    let bundle = Bundle::parse(&view.bundle)?;
    if bundle.at != entry.at || bundle.agency != entry.subject {
        return Err(bad("its entry's time or agency is not the bundle's"));
    }
    if bundle.at > issued_at {
        return Err(bad("it was kept after the license was issued"));
    }
    let credential = CompactJws::parse(jwt, "credential", MAX_BUNDLE)
        .map_err(|_| bad("the credential is not a JWS"))?;
    let x5c: Vec<String> = credential
        .header
        .get("x5c")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if x5c.is_empty() || x5c != bundle.chain {
        return Err(bad("its certificate chain is not the credential's"));
    }
    let status = credential
        .payload
        .get("status")
        .and_then(|s| s.get("status_list"));
    let uri = status.and_then(|s| s.get("uri")).and_then(Value::as_str);
    let idx = status
        .and_then(|s| s.get("idx"))
        .and_then(Value::as_u64)
        .and_then(|i| usize::try_from(i).ok());
    let (Some(uri), Some(idx)) = (uri, idx) else {
        return Err(bad("the credential names no status list entry"));
    };
    let leaf = STANDARD
        .decode(&bundle.chain[0])
        .ok()
        .and_then(|d| crate::qr::cose::cert_public_key(&d))
        .ok_or_else(|| bad("its chain's leaf has no usable key"))?;
    let token = StatusListToken::verify(&bundle.status_list, &leaf, None)
        .map_err(|e| LtvError(format!("its status list: {e}")))?;
    if token.uri != uri {
        return Err(bad("its status list is not the credential's"));
    }
    let then = token
        .list
        .get(idx)
        .map_err(|_| bad("its status list does not reach the credential's index"))?;
    if then != Status::Valid {
        return Err(bad("the credential was not valid in its status list"));
    }
    Ok((bundle, then))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::merkle::MemoryTree;
    use crate::crypto::{PrivateKey, SoftwareSigner};
    use crate::license::StatusList;
    use time::OffsetDateTime;

    /// A demo agency's signer and certificate (`keys/<path>.{key,cert}.pem`).
    fn cert(path: &str) -> (SoftwareSigner, Vec<u8>) {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("keys");
        let read =
            |ext: &str| std::fs::read_to_string(dir.join(format!("{path}.{ext}.pem"))).unwrap();
        let key = PrivateKey::from_pem(&read("key")).unwrap();
        let der = crate::pki::pem::certs_from_pem(&read("cert"))
            .unwrap()
            .remove(0);
        (SoftwareSigner::new(path, key), der)
    }

    #[test]
    fn a_bundle_is_judged_against_the_license_it_was_kept_for() {
        // SM2 and P-256 agencies
        for path in ["sh/agency-psb", "js/agency-hrss"] {
            let (signer, der) = cert(path);
            let chain = vec![STANDARD.encode(&der)];
            let uri = "https://js.example/v1/status/A/0";
            let mut list = StatusList::new(64).unwrap();
            list.set(5, Status::Revoked).unwrap();
            let token = StatusListToken {
                uri: uri.into(),
                iat: OffsetDateTime::from_unix_timestamp(100).unwrap(),
                exp: None,
                ttl: None,
                list,
            }
            .sign(&signer, std::slice::from_ref(&der))
            .unwrap();
            let bundle = Bundle {
                v: VERSION.into(),
                agency: "A".into(),
                at: 100,
                chain: chain.clone(),
                trust_list: Some(TrustListVersion {
                    sequence: 3,
                    digest: "ab".into(),
                }),
                crls: vec![],
                status_list: token,
            };
            let text = bundle.text();
            assert_eq!(Bundle::parse(&text).unwrap(), bundle);
            let mut tree = MemoryTree::new();
            tree.push(Entry::of(Act::SealMade, "x", b"x", 1).leaf_hash());
            tree.push(bundle.entry(&text).leaf_hash());
            tree.push(Entry::of(Act::SealMade, "y", b"y", 1).leaf_hash());
            let cp = Checkpoint {
                origin: "o".into(),
                size: 3,
                root: tree.root(),
                extensions: vec![],
            };
            let e = bundle.entry(&text);
            let view = LtvView {
                bundle: text.clone(),
                entry: EntryView {
                    index: 1,
                    act: e.act.name().into(),
                    subject: e.subject.clone(),
                    digest: hex::encode(e.digest),
                    at: e.at,
                    leaf_hash: STANDARD.encode(e.leaf_hash()),
                },
                proof: super::super::wire::encode_hashes(&tree.inclusion_proof(1, 3).unwrap()),
            };
            let jwt = |idx: u64, x5c: &[String]| {
                let h = serde_json::json!({"alg": "x", "x5c": x5c});
                let p = serde_json::json!({"status": {"status_list": {"idx": idx, "uri": uri}}});
                format!(
                    "{}.{}.c2ln",
                    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(h.to_string()),
                    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(p.to_string())
                )
            };
            let k = judge(&view, &cp, &jwt(4, &chain), 150);
            assert_eq!(k.status, "kept", "{k:?}");
            assert_eq!(k.trust_list.as_ref().map(|t| t.sequence), Some(3));
            assert_eq!(k.status_then, Some("valid"));
            assert_eq!(k.index, Some(1));
            // revoked at that moment; kept after the license; another chain
            assert_eq!(judge(&view, &cp, &jwt(5, &chain), 150).status, "not_kept");
            assert_eq!(judge(&view, &cp, &jwt(4, &chain), 99).status, "not_kept");
            let other = vec![STANDARD.encode(b"other")];
            assert_eq!(judge(&view, &cp, &jwt(4, &other), 150).status, "not_kept");
            // the bundle changed: its entry no longer digests it
            let mut changed = view.clone();
            changed.bundle = changed.bundle.replace("\"sequence\":3", "\"sequence\":4");
            let k = judge(&changed, &cp, &jwt(4, &chain), 150);
            assert_eq!(k.status, "not_kept");
            assert!(k.en.contains("not of this bundle"), "{}", k.en);
            // a bent proof
            let mut bent = view.clone();
            bent.proof[0] = STANDARD.encode([0u8; 32]);
            assert_eq!(judge(&bent, &cp, &jwt(4, &chain), 150).status, "not_kept");
        }
    }
}
