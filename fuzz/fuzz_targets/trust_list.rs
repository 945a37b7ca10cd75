//! The signed regional trust list: acceptance of the JWS with the pinned demo signer,
//! its JSON model, and a fuzzed list signed with the demo signer key so the checks
//! behind the signature (dates, provinces, anchors, catalogue) are reached.
#![no_main]

use deltaseal::trust_list::{self, TrustList, TYP};
use deltaseal_fuzz::{sign_with, text, trust_list_options};
use libfuzzer_sys::fuzz_target;

fn accept(t: &str) {
    let mut opts = trust_list_options();
    if let Ok(v) = trust_list::verify(t, &opts) {
        let _ = v.list.anchors();
        let _ = v.list.common_type("11100000000019713D001");
    }
    let _ = trust_list::verify_report(t, &opts);
    opts.held_sequence = Some(2);
    let _ = trust_list::verify(t, &opts);
}

fuzz_target!(|data: &[u8]| {
    if let Some(t) = text(data) {
        accept(t);
    }
    if let Ok(list) = serde_json::from_slice::<TrustList>(data) {
        let _ = list.anchors();
    }
    if let Some(t) = sign_with("yrd-trust-list-signer", &[("typ", TYP.into())], data) {
        accept(&t);
    }
});
