//! What the fuzz targets share: the fixed validation time, the committed demo key
//! store, the committed demo trust list, and re-signing fuzzed payloads with a demo
//! key so that the checks behind a signature are reached too.

use deltaseal::adapters::keystore::KeyStore;
use deltaseal::catalog::Catalog;
use deltaseal::crypto::PublicKey;
use deltaseal::license::Agency;
use deltaseal::trust_list::{self, VerifiedTrustList};
use serde_json::{Map, Value};
use std::sync::{Arc, OnceLock};
use time::OffsetDateTime;

/// The validation time every target uses (the committed demo hierarchy and trust
/// list are valid then).
pub fn at() -> OffsetDateTime {
    time::macros::datetime!(2026-06-01 00:00 UTC)
}

/// The committed demo key store (`keys/`).
pub fn keys() -> &'static KeyStore {
    static KEYS: OnceLock<KeyStore> = OnceLock::new();
    KEYS.get_or_init(|| {
        KeyStore::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../keys"))
            .expect("the committed demo key store loads")
    })
}

/// The DER certificate of demo key `id`.
pub fn cert(id: &str) -> &'static [u8] {
    &keys().get(id).expect("demo key id").cert_der
}

/// The public key of demo key `id`.
pub fn public_key(id: &str) -> PublicKey {
    deltaseal::jose::cert_public_key(cert(id)).expect("demo certificate key")
}

/// The built-in catalogue of license types.
pub fn catalog() -> &'static Arc<Catalog> {
    static CATALOG: OnceLock<Arc<Catalog>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        Arc::new(
            Catalog::from_json(deltaseal::adapters::config::BUILTIN_CATALOG)
                .expect("the built-in catalogue"),
        )
    })
}

/// The demo issuing agency `sh-agency-psb`.
pub fn agency() -> &'static Arc<Agency> {
    static AGENCY: OnceLock<Arc<Agency>> = OnceLock::new();
    AGENCY.get_or_init(|| {
        let e = keys().get("sh-agency-psb").expect("demo agency");
        Arc::new(Agency::new(e.signer.clone(), vec![e.cert_der.clone()]).expect("agency"))
    })
}

/// The committed demo trust list (`keys/trust-list.jws`), accepted at [`at`].
pub fn trust() -> &'static VerifiedTrustList {
    static TRUST: OnceLock<VerifiedTrustList> = OnceLock::new();
    TRUST.get_or_init(|| {
        let text = include_str!("../../keys/trust-list.jws");
        trust_list::verify(text, &trust_list_options()).expect("the committed trust list verifies")
    })
}

/// Options accepting the committed trust list at [`at`].
pub fn trust_list_options() -> trust_list::VerifyOptions<'static> {
    trust_list::VerifyOptions {
        signer_cert: cert("yrd-trust-list-signer"),
        at: at(),
        held_sequence: None,
        grace: time::Duration::days(7),
    }
}

/// Sign the JSON object `payload` as a compact JWS with demo key `id`, its
/// certificate in `x5c`, and the header fields of `header`; `None` when `payload`
/// is not a JSON object.
pub fn sign_with(id: &str, header: &[(&str, Value)], payload: &[u8]) -> Option<String> {
    let Ok(Value::Object(payload)) = serde_json::from_slice::<Value>(payload) else {
        return None;
    };
    let entry = keys().get(id).expect("demo key id");
    let mut h = Map::new();
    for (k, v) in header {
        h.insert((*k).into(), v.clone());
    }
    h.insert(
        "x5c".into(),
        deltaseal::jose::x5c_value(std::slice::from_ref(&entry.cert_der)),
    );
    deltaseal::jose::sign_compact(entry.signer.as_ref(), h, &payload).ok()
}

/// The input as text, when it is UTF-8.
pub fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}
