//! Keys and certificates for tests: the committed demo key store, PEM files, and the
//! building block of every generated test hierarchy.

use deltaseal::adapters::keystore::KeyStore;
use deltaseal::crypto::{Algorithm, PrivateKey, Signer, SoftwareSigner};
use deltaseal::pki::{issue, CertTemplate, Issuer};
use std::path::Path;

/// The committed demo hierarchy (`keys/`).
pub fn keys() -> KeyStore {
    KeyStore::load(super::root().join("keys")).expect("the committed demo hierarchy loads")
}

/// The DER contents of the (first) PEM block of the file at `path`.
pub fn pem_der(path: &Path) -> Vec<u8> {
    let text = std::fs::read_to_string(path).expect("pem file");
    der::pem::decode_vec(text.trim().as_bytes()).expect("pem").1
}

/// A key and its certificate in a generated test hierarchy.
pub struct Party {
    pub signer: SoftwareSigner,
    pub cert: Vec<u8>,
}

/// A fresh key of `alg` (signer name `name`) certified by `template`: self-signed when
/// `issuer` is `None`, else signed by `issuer`.
pub fn certify(
    alg: Algorithm,
    name: &str,
    template: &CertTemplate,
    issuer: Option<&Party>,
) -> Party {
    let signer = SoftwareSigner::new(name, PrivateKey::generate(alg).unwrap());
    let by = match issuer {
        None => Issuer::SelfSigned(&signer),
        Some(p) => Issuer::Cert {
            cert_der: &p.cert,
            signer: &p.signer,
        },
    };
    let cert = issue(template, signer.public_key(), by).unwrap();
    Party { signer, cert }
}

/// The trust list of the demo key store and the built-in catalogue: `sequence`, issued
/// at `issued_at`, next update `days` later.
pub fn demo_trust_list(
    keys: &KeyStore,
    sequence: u64,
    issued_at: time::OffsetDateTime,
    days: i64,
) -> deltaseal::trust_list::TrustList {
    demo_trust_list_with(keys, sequence, issued_at, days, Default::default())
}

/// Like [`demo_trust_list`], naming each province's node at `node_urls`.
pub fn demo_trust_list_with(
    keys: &KeyStore,
    sequence: u64,
    issued_at: time::OffsetDateTime,
    days: i64,
    node_urls: std::collections::BTreeMap<deltaseal::pki::Province, String>,
) -> deltaseal::trust_list::TrustList {
    use deltaseal::adapters::keystore::KeyEntry;
    let catalog =
        deltaseal::catalog::Catalog::from_json(deltaseal::adapters::config::BUILTIN_CATALOG)
            .unwrap();
    let entries: Vec<_> = keys.entries().iter().map(KeyEntry::listed).collect();
    let opts = deltaseal::trust_list::BuildOptions {
        sequence,
        issued_at,
        next_update: issued_at + time::Duration::days(days),
        node_urls,
    };
    deltaseal::trust_list::build(&entries, &catalog, &opts).unwrap()
}
