//! Request tokens (the bearer tokens of the issuing and sealing routes): the claim
//! checks, then full verification against the demo roots; and a fuzzed payload
//! signed with a demo agency key so the checks behind the signature are reached.
#![no_main]

use deltaseal::jose::request_token::{check_claims, verify_request_token};
use deltaseal::pki::validate::Purpose;
use deltaseal_fuzz::{at, sign_with, text, trust};
use libfuzzer_sys::fuzz_target;

const AUD: &str = "http://127.0.0.1:8080";

fuzz_target!(|data: &[u8]| {
    let anchors = trust().list.anchors();
    let now = at();
    let check = |t: &str| {
        let _ = check_claims(t, AUD, now.unix_timestamp());
        let _ = verify_request_token(t, AUD, &anchors, Purpose::LicenseSigning, now);
    };
    if let Some(t) = text(data) {
        check(t);
    }
    let alg_header = [("typ", "JWT".into())];
    if let Some(t) = sign_with("sh-agency-psb", &alg_header, data) {
        check(&t);
    }
});
