//! The demo hierarchy and the rule that production refuses it.
//!
//! [`generate`] makes every key and certificate of the demo YRD hierarchy (members in
//! [`entities::DEMO_ENTITIES`]) and the manifest describing them, as text for the caller
//! to write (`deltaseal keys init`). Demo certificates carry the demo policy
//! ([`crate::pki::oids::POLICY_DEMO`]) and `DEMO` in their CN; [`refuse_demo`] is what a
//! production configuration calls on every certificate it loads.
//!
//! Validity is fixed so tests with a pinned clock keep passing: roots and the trust-list
//! signer from 2026-01-01 for 10 years, all other certificates from 2026-01-01 for 3 years.
//!
//! Owns: the demo members, their layout under `keys/`, the demo marker rule.
//! Must not touch: files (the CLI writes what this returns).

pub mod entities;

use super::manifest::{Manifest, ManifestEntry};
use super::{issue, CertInfo, CertTemplate, Issuer, PkiError, Role, SubjectName};
use crate::crypto::{PrivateKey, SoftwareSigner};
use entities::{DemoEntity, DEMO_ENTITIES};
use time::macros::datetime;
use time::OffsetDateTime;

/// Start of every demo certificate's validity.
pub const DEMO_VALID_FROM: OffsetDateTime = datetime!(2026-01-01 00:00 UTC);
/// End of the roots' and the trust-list signer's validity (10 years).
pub const DEMO_ROOT_VALID_TO: OffsetDateTime = datetime!(2036-01-01 00:00 UTC);
/// End of every other demo certificate's validity (3 years).
pub const DEMO_LEAF_VALID_TO: OffsetDateTime = datetime!(2029-01-01 00:00 UTC);

/// One file to write, relative to the keys directory.
#[derive(Debug, Clone)]
pub struct DemoFile {
    /// Relative path (`sh/root.cert.pem`, …).
    pub path: String,
    /// Contents.
    pub text: String,
    /// A private key: write it readable by its owner only.
    pub secret: bool,
}

/// The generated hierarchy.
#[derive(Debug, Clone)]
pub struct DemoHierarchy {
    /// The manifest (also among `files` as `manifest.json`).
    pub manifest: Manifest,
    /// Every file, keys and certificates and the manifest.
    pub files: Vec<DemoFile>,
}

/// Where an entity's files go: `<province or yrd>/<id without its province prefix>`.
fn base_path(e: &DemoEntity) -> String {
    let dir = e
        .province
        .map(|p| p.abbrev().to_ascii_lowercase())
        .unwrap_or_else(|| "yrd".into());
    let name = e.id.strip_prefix(&format!("{dir}-")).unwrap_or(e.id);
    format!("{dir}/{name}")
}

/// The id of `e`'s issuer (its own id for roots and the trust-list signer).
fn issuer_id(e: &DemoEntity) -> Result<&'static str, PkiError> {
    if matches!(e.role, Role::ProvinceRoot | Role::TrustListSigner) {
        return Ok(e.id);
    }
    DEMO_ENTITIES
        .iter()
        .find(|r| r.role == Role::ProvinceRoot && r.province == e.province)
        .map(|r| r.id)
        .ok_or(PkiError::Manifest(format!(
            "{}: no root for its province",
            e.id
        )))
}

/// Make fresh keys and certificates for the whole demo hierarchy.
pub fn generate() -> Result<DemoHierarchy, PkiError> {
    generate_with(&|_| Ok(None))
}

/// What an existing demo key store holds for one member: its key and certificate.
pub struct Existing {
    /// The private key.
    pub key: PrivateKey,
    /// The certificate (DER).
    pub cert_der: Vec<u8>,
}

/// Re-issue the demo hierarchy for the keys it already has: each member keeps its key,
/// serial, names and validity; a certificate whose to-be-signed bytes are what the
/// builders make today is kept byte for byte, any other is re-issued (so roots stay
/// as they are when only their members' encoding changed). `read` gives a member's
/// key and certificate by the relative path of its files (`sh/root`), or an error.
pub fn reissue(
    read: &dyn Fn(&str) -> Result<Existing, PkiError>,
) -> Result<DemoHierarchy, PkiError> {
    generate_with(&|e| read(&base_path(e)).map(Some))
}

/// The to-be-signed bytes of a certificate.
fn tbs_of(der: &[u8]) -> Result<Vec<u8>, PkiError> {
    let cert = super::info::parse(der)?;
    Ok(cert.tbs_certificate.as_ref().to_vec())
}

type Lookup<'a> = dyn Fn(&DemoEntity) -> Result<Option<Existing>, PkiError> + 'a;

fn generate_with(existing: &Lookup<'_>) -> Result<DemoHierarchy, PkiError> {
    let mut issued: Vec<(&'static str, SoftwareSigner, Vec<u8>)> = Vec::new();
    let mut manifest = Manifest {
        demo: true,
        generated_by: "deltaseal keys init".into(),
        entries: Vec::new(),
    };
    let mut files = Vec::new();
    for e in DEMO_ENTITIES {
        let (key, old) = match existing(e)? {
            Some(o) => (o.key, Some(o.cert_der)),
            None => (PrivateKey::generate(e.algorithm)?, None),
        };
        let self_signed = matches!(e.role, Role::ProvinceRoot | Role::TrustListSigner);
        let not_after = if self_signed {
            DEMO_ROOT_VALID_TO
        } else {
            DEMO_LEAF_VALID_TO
        };
        let subject = SubjectName::new(
            e.province,
            e.name_zh,
            Some(e.uscc.to_string()),
            e.common_name,
        );
        let types = e
            .license_types
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>();
        let mut template = CertTemplate::for_role(
            e.role,
            subject,
            types.clone(),
            DEMO_VALID_FROM,
            not_after,
            true,
        );
        if let Some(o) = &old {
            template.serial = super::info::parse(o)?.raw_serial().to_vec();
        }
        let signer = SoftwareSigner::new(e.id, key);
        let issuer = issuer_id(e)?;
        let der = if self_signed {
            issue(
                &template,
                crate::crypto::Signer::public_key(&signer),
                Issuer::SelfSigned(&signer),
            )?
        } else {
            let (_, issuer_signer, issuer_der) = issued
                .iter()
                .find(|(id, _, _)| *id == issuer)
                .ok_or(PkiError::Manifest(format!("{}: issuer made later", e.id)))?;
            issue(
                &template,
                crate::crypto::Signer::public_key(&signer),
                Issuer::Cert {
                    cert_der: issuer_der,
                    signer: issuer_signer,
                },
            )?
        };
        let der = match old {
            Some(o) if tbs_of(&o)? == tbs_of(&der)? => o,
            _ => der,
        };
        let base = base_path(e);
        let (cert_path, key_path) = (format!("{base}.cert.pem"), format!("{base}.key.pem"));
        files.push(DemoFile {
            path: cert_path.clone(),
            text: super::pem::cert_to_pem(&der),
            secret: false,
        });
        files.push(DemoFile {
            path: key_path.clone(),
            text: signer.private_key().to_pkcs8_pem(),
            secret: true,
        });
        manifest.entries.push(ManifestEntry {
            id: e.id.into(),
            role: e.role,
            province: e.province,
            algorithm: e.algorithm,
            cert: cert_path,
            key: key_path,
            issuer: issuer.into(),
            license_types: types,
            name_zh: e.name_zh.into(),
            name_en: e.name_en.into(),
            uscc: Some(e.uscc.into()),
        });
        issued.push((e.id, signer, der));
    }
    manifest.check()?;
    files.push(DemoFile {
        path: "manifest.json".into(),
        text: manifest.to_json() + "\n",
        secret: false,
    });
    Ok(DemoHierarchy { manifest, files })
}

/// Refuse a demo certificate: one carrying the demo policy, or `DEMO` in its CN or O.
/// A configuration that declares itself production calls this on every certificate it
/// loads and stops on the error.
pub fn refuse_demo(cert_der: &[u8]) -> Result<(), PkiError> {
    let info = CertInfo::from_der(cert_der)?;
    let marked = |s: &Option<String>| s.as_deref().is_some_and(|s| s.contains("DEMO"));
    if info.demo || marked(&info.common_name) || marked(&info.organisation) {
        return Err(PkiError::DemoRefused {
            subject: info.common_name.unwrap_or_default(),
        });
    }
    Ok(())
}
