//! Signed seal revocation lists: verification with the seal authority's key,
//! acceptance under the demo trust list, and a fuzzed payload signed with the demo
//! seal authority key so the claim checks are reached.
#![no_main]

use deltaseal::seal::revocation::SIGNED_TYP;
use deltaseal::seal::{SealRevocationList, SignedRevocations};
use deltaseal::verify::accept_seal_revocations;
use deltaseal_fuzz::{at, public_key, sign_with, text, trust};
use libfuzzer_sys::fuzz_target;

const URI: &str = "http://127.0.0.1:8080/v1/seal-revocations/0";

fn token(t: &str) {
    let key = public_key("sh-seal-authority");
    if let Ok(s) = SignedRevocations::verify(t, &key, at()) {
        let _ = s.list.find("31000020260601000001");
    }
    let _ = accept_seal_revocations(t, URI, trust(), at());
}

fuzz_target!(|data: &[u8]| {
    if let Some(t) = text(data) {
        token(t);
    }
    let _ = serde_json::from_slice::<SealRevocationList>(data);
    if let Some(t) = sign_with("sh-seal-authority", &[("typ", SIGNED_TYP.into())], data) {
        token(&t);
    }
});
