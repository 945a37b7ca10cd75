//! Seal DER (`SESeal` v1, v4 and v5): parsing, then verification with no trust and
//! with the demo province roots.
#![no_main]

use deltaseal::seal::{self, Seal, SealTrust};
use deltaseal_fuzz::{at, trust};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = Seal::from_der(data) {
        let _ = s.signed_bytes();
    }
    let _ = seal::verify_seal(data, &SealTrust::none(), at());
    let anchors = trust().list.anchors();
    let _ = seal::verify_seal(data, &SealTrust::anchors(&anchors), at());
});
