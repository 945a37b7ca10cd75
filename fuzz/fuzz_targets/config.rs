//! Configuration files as the node reads them (TOML or JSON, then the value checks),
//! the trust list accepted under the configured policy (signer file, grace), and the
//! license type catalogue a configuration may name.
#![no_main]

use deltaseal::adapters::config::Config;
use deltaseal::catalog::Catalog;
use deltaseal::trust_list::{self, VerifyOptions};
use deltaseal_fuzz::{at, text};
use libfuzzer_sys::fuzz_target;
use std::sync::Once;

fn node(c: &Config) {
    if c.check().is_err() {
        return;
    }
    let _ = c.base_url(None);
    if let Ok(p) = c.trust_list_policy() {
        let opts = VerifyOptions {
            signer_cert: &p.signer_cert,
            at: at(),
            held_sequence: None,
            grace: p.grace,
        };
        let list = include_str!("../../keys/trust-list.jws");
        let _ = trust_list::verify(list, &opts);
        let late = VerifyOptions {
            at: time::macros::datetime!(2029-01-02 00:00 UTC),
            ..opts
        };
        let _ = trust_list::verify(list, &late);
    }
}

fuzz_target!(|data: &[u8]| {
    static ROOT: Once = Once::new();
    // Relative paths of a configuration (keys_dir, the trust list signer) are read from
    // the repository root, as the node run from there does.
    ROOT.call_once(|| {
        std::env::set_current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
            .expect("repository root")
    });
    let Some(t) = text(data) else { return };
    if let Ok(c) = toml::from_str::<Config>(t) {
        node(&c);
    }
    if let Ok(c) = serde_json::from_str::<Config>(t) {
        node(&c);
    }
    let _ = Catalog::from_json(t);
});
