//! SD-JWT VC licenses and proofs (`~`-separated JWS, disclosures, key binding JWT):
//! parsing, then verification with no anchors and with the demo province roots.
#![no_main]

use deltaseal::license::sdjwt::{self, SdJwt, VerifyOptions};
use deltaseal::pki::TrustAnchors;
use deltaseal_fuzz::{at, text, trust};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(t) = text(data) else { return };
    if let Ok(s) = SdJwt::parse(t) {
        let _ = s.serialize_without_kb();
    }
    let none = TrustAnchors::none();
    let _ = sdjwt::verify(t, &VerifyOptions::new(at(), &none));
    let anchors = trust().list.anchors();
    let _ = sdjwt::verify(t, &VerifyOptions::new(at(), &anchors));
});
