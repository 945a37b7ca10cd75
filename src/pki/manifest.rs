//! The key manifest (`keys/manifest.json`): one entry per key and certificate of a
//! hierarchy, through which tools and tests find it.
//!
//! Owns: the manifest format and its consistency rules (unique ids, issuers resolve,
//! agencies list license types, paths stay inside the keys directory).
//! Must not touch: files (the key-store adapter reads them).

use super::{PkiError, Province, Role};
use crate::crypto::Algorithm;
use serde::{Deserialize, Serialize};

/// Most entries a manifest may have.
pub const MAX_ENTRIES: usize = 10_000;

/// The whole manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// True for the committed demo hierarchy (never for production).
    pub demo: bool,
    /// What made it (e.g. `deltaseal keys init`).
    #[serde(default)]
    pub generated_by: String,
    /// One entry per key/certificate.
    pub entries: Vec<ManifestEntry>,
}

/// One key and its certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// Stable id, e.g. `sh-agency-psb`.
    pub id: String,
    /// The role the certificate is issued for.
    pub role: Role,
    /// Province (`SH`, `JS`, `ZJ`, `AH`); none for the regional trust-list signer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub province: Option<Province>,
    /// `P-256` or `SM2`.
    pub algorithm: Algorithm,
    /// Certificate (PEM), relative to the keys directory.
    pub cert: String,
    /// Private key (PKCS#8 PEM), relative to the keys directory.
    pub key: String,
    /// Id of the issuer's entry (its own id when self-signed).
    pub issuer: String,
    /// License type codes the agency may issue (issuing agencies only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub license_types: Vec<String>,
    /// Organisation name, Chinese.
    #[serde(default)]
    pub name_zh: String,
    /// Organisation name, English.
    #[serde(default)]
    pub name_en: String,
    /// Unified social credit code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uscc: Option<String>,
}

impl Manifest {
    /// Parse and check a manifest.
    pub fn from_json(text: &str) -> Result<Manifest, PkiError> {
        let m: Manifest =
            serde_json::from_str(text).map_err(|e| PkiError::Manifest(e.to_string()))?;
        m.check()?;
        Ok(m)
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The entry with `id`.
    pub fn get(&self, id: &str) -> Option<&ManifestEntry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// Consistency: unique non-empty ids, issuers resolve, self-issued only for roots and
    /// the trust-list signer, agencies list license types, relative paths without `..`.
    pub fn check(&self) -> Result<(), PkiError> {
        let bad = |m: String| Err(PkiError::Manifest(m));
        if self.entries.len() > MAX_ENTRIES {
            return bad("too many entries".into());
        }
        let mut ids = std::collections::HashSet::new();
        for e in &self.entries {
            if e.id.is_empty() || !ids.insert(e.id.as_str()) {
                return bad(format!("empty or duplicate id {:?}", e.id));
            }
        }
        for e in &self.entries {
            let Some(issuer) = self.get(&e.issuer) else {
                return bad(format!(
                    "{}: issuer {:?} not in the manifest",
                    e.id, e.issuer
                ));
            };
            let self_issued = issuer.id == e.id;
            let should_self_issue = matches!(e.role, Role::ProvinceRoot | Role::TrustListSigner);
            if self_issued != should_self_issue {
                return bad(format!(
                    "{}: a {} is self-signed only if it is a root",
                    e.id,
                    e.role.name()
                ));
            }
            if !self_issued && issuer.role != Role::ProvinceRoot {
                return bad(format!(
                    "{}: issuer {} is not a province root",
                    e.id, issuer.id
                ));
            }
            if (e.role == Role::IssuingAgency) == e.license_types.is_empty() {
                return bad(format!(
                    "{}: license types belong to agencies, and every agency has some",
                    e.id
                ));
            }
            for p in [&e.cert, &e.key] {
                let path = std::path::Path::new(p);
                if p.is_empty()
                    || path.is_absolute()
                    || path
                        .components()
                        .any(|c| !matches!(c, std::path::Component::Normal(_)))
                {
                    return bad(format!(
                        "{}: path {p:?} must be relative, inside the keys directory",
                        e.id
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, role: Role, issuer: &str) -> ManifestEntry {
        ManifestEntry {
            id: id.into(),
            role,
            province: Some(Province::Shanghai),
            algorithm: Algorithm::Sm2Sm3,
            cert: format!("sh/{id}.cert.pem"),
            key: format!("sh/{id}.key.pem"),
            issuer: issuer.into(),
            license_types: if role == Role::IssuingAgency {
                vec!["11100000MB014336X0001".into()]
            } else {
                vec![]
            },
            name_zh: String::new(),
            name_en: String::new(),
            uscc: None,
        }
    }

    fn good() -> Manifest {
        Manifest {
            demo: true,
            generated_by: String::new(),
            entries: vec![
                entry("root", Role::ProvinceRoot, "root"),
                entry("agency", Role::IssuingAgency, "root"),
            ],
        }
    }

    #[test]
    fn round_trip_and_consistency_rules() {
        let m = good();
        assert_eq!(Manifest::from_json(&m.to_json()).unwrap(), m);

        let mut dup = good();
        dup.entries
            .push(entry("agency", Role::SealAuthority, "root"));
        let mut dangling = good();
        dangling.entries[1].issuer = "nobody".into();
        let mut self_leaf = good();
        self_leaf.entries[1].issuer = "agency".into();
        let mut no_types = good();
        no_types.entries[1].license_types.clear();
        let mut traversal = good();
        traversal.entries[1].key = "../../etc/passwd".into();
        let mut absolute = good();
        absolute.entries[1].cert = "/etc/passwd".into();
        let mut leaf_issuer = good();
        leaf_issuer
            .entries
            .push(entry("org", Role::OrganisationSigner, "agency"));
        for bad in [
            dup,
            dangling,
            self_leaf,
            no_types,
            traversal,
            absolute,
            leaf_issuer,
        ] {
            assert!(
                matches!(
                    Manifest::from_json(&bad.to_json()),
                    Err(PkiError::Manifest(_))
                ),
                "{bad:?}"
            );
        }
        for text in ["", "[]", "{\"demo\":true}", &"[".repeat(10_000)] {
            assert!(Manifest::from_json(text).is_err());
        }
    }
}
