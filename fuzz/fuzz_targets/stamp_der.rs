//! Stamp DER (`SES_Signature` v1, v4 and v5): parsing, then verification over a
//! document with no trust and with the demo province roots.
#![no_main]

use deltaseal::seal::{self, SealTrust, SignedData, Stamp};
use deltaseal_fuzz::{at, trust};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(s) = Stamp::from_der(data) {
        let _ = s.signed_bytes();
    }
    let doc = SignedData::Bytes(b"document");
    let _ = seal::verify_stamp(data, doc, &SealTrust::none(), at());
    let anchors = trust().list.anchors();
    let _ = seal::verify_stamp(data, doc, &SealTrust::anchors(&anchors), at());
});
