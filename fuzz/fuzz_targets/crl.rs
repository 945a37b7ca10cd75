//! CRLs (DER or PEM `X509 CRL`): consulted by path validation of demo chains, with
//! revocation information required.
#![no_main]

use deltaseal::pki::validate::{validate, Policy};
use deltaseal_fuzz::{at, cert, text, trust};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut crls = vec![data.to_vec()];
    if let Some(t) = text(data) {
        if let Ok((_, der)) = der::pem::decode_vec(t.trim().as_bytes()) {
            crls.push(der);
        }
    }
    let anchors = trust().list.anchors();
    let policy = Policy {
        crls: &crls,
        require_revocation_info: true,
        ..Policy::at(at())
    };
    for leaf in ["sh-agency-psb", "js-seal-authority", "zj-org-1"] {
        let _ = validate(cert(leaf), &[], &anchors, &policy);
    }
});
