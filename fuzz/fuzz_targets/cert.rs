//! Certificates, PEM or DER: the reading `cert show` does, the profile summary, and
//! path validation against the demo roots (as leaf, and as intermediate of a demo
//! leaf).
#![no_main]

use deltaseal::pki::validate::{validate, ParsedCert, Policy, Purpose};
use deltaseal::pki::{pem, CertInfo, CertSummary};
use deltaseal_fuzz::{at, cert, text, trust};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(t) = text(data) {
        let _ = pem::certs_from_pem(t);
    }
    let Ok(der) = pem::cert_from_pem_or_der(data) else {
        return;
    };
    let _ = CertSummary::from_der(&der);
    let _ = CertInfo::from_der(&der);
    let _ = ParsedCert::parse(&der);
    let anchors = trust().list.anchors();
    for purpose in [Purpose::Any, Purpose::LicenseSigning, Purpose::SealMaking] {
        let policy = Policy {
            purpose,
            ..Policy::at(at())
        };
        let _ = validate(&der, &[], &anchors, &policy);
    }
    let _ = validate(cert("sh-agency-psb"), &[der], &anchors, &Policy::at(at()));
});
