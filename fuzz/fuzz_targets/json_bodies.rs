//! JSON request bodies of the HTTP routes, through the adapter's own body parser and
//! the checks that follow it (an issue body is issued with a demo agency); the verifier
//! policy; the stamp route's query string.
#![no_main]

use deltaseal::adapters::http::extract::parse_json;
use deltaseal::adapters::http::licenses::{BatchBody, ReasonBody};
use deltaseal::adapters::http::proofs::{ProofIssueBody, ProofRequestBody, RefuseBody};
use deltaseal::adapters::http::seals::{ChangeSigners, CreateSeal, StampQuery};
use deltaseal::adapters::http::verify::VerifyBody;
use deltaseal::service::issue::{
    holder_code_type, holder_key, request_hash, to_request, IssueBody, Issuer,
};
use deltaseal::service::store::Slot;
use deltaseal::verify::{Kind, Policy};
use deltaseal_fuzz::{agency, at, catalog};
use libfuzzer_sys::fuzz_target;

fn issue(b: &IssueBody) {
    let _ = holder_code_type(b.holder_code_type.as_deref(), "holder_code_type");
    let _ = holder_key(b.holder_key.as_ref());
    let _ = request_hash("/v1/licenses", b);
    let uri = |list: i64| format!("http://127.0.0.1:8080/v1/status-lists/sh-agency-psb/{list}");
    let issuer = Issuer {
        catalog: catalog(),
        agency: agency(),
        status_uri: &uri,
        ltv: None,
    };
    let slot = Slot {
        seq: 1,
        list: 1,
        index: 0,
    };
    if let Ok(req) = to_request(&issuer, b, slot) {
        let _ = agency().issue(catalog(), &req, at());
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(b) = parse_json::<IssueBody>(data) {
        issue(&b);
    }
    if let Ok(b) = parse_json::<BatchBody>(data) {
        b.items.iter().for_each(issue);
    }
    if let Ok(b) = parse_json::<VerifyBody>(data) {
        let _ = b.kind.as_deref().map(Kind::parse);
        if let Some(p) = b.policy {
            let _ = serde_json::from_value::<Policy>(p);
        }
    }
    let _ = parse_json::<ReasonBody>(data);
    if let Ok(b) = parse_json::<ProofRequestBody>(data) {
        let _ = holder_code_type(b.applicant_code_type.as_deref(), "applicant_code_type");
    }
    let _ = parse_json::<RefuseBody>(data);
    let _ = parse_json::<ProofIssueBody>(data);
    let _ = parse_json::<CreateSeal>(data);
    let _ = parse_json::<ChangeSigners>(data);
    if let Ok(t) = std::str::from_utf8(data) {
        if let Ok(p) = Policy::from_json(t) {
            let _ = p.accepts_type("11100000000019713D001", None);
        }
        let _ = serde_urlencoded::from_str::<StampQuery>(t);
    }
});
