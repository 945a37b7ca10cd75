//! Inputs that made a parser panic, kept in `fixtures/fuzz/<target>/` (named after the
//! fuzz target of `fuzz/` that feeds that parser): each now comes out as a typed
//! refusal, a failed check or a plain answer. A `*.payload.json` is the claims of a
//! signed artifact; the test signs it with the demo key the target signs with, so the
//! checks behind the signature are reached.

use crate::common::pki::keys;
use crate::common::{fixed_now, root};
use deltaseal::adapters::keystore::KeyStore;
use deltaseal::jose::{self, request_token};
use deltaseal::trust_list::{self, VerifiedTrustList};
use serde_json::{Map, Value};

fn input(target: &str, name: &str) -> Vec<u8> {
    std::fs::read(root().join("fixtures/fuzz").join(target).join(name)).expect("kept input")
}

/// The kept payload signed by demo key `id`, its certificate in `x5c`, with `typ`.
fn signed(keys: &KeyStore, id: &str, typ: &str, target: &str, name: &str) -> String {
    let payload: Map<String, Value> = serde_json::from_slice(&input(target, name)).unwrap();
    let e = keys.get(id).unwrap();
    let mut header = Map::new();
    header.insert("typ".into(), typ.into());
    header.insert(
        "x5c".into(),
        jose::x5c_value(std::slice::from_ref(&e.cert_der)),
    );
    jose::sign_compact(e.signer.as_ref(), header, &payload).unwrap()
}

fn demo_trust(keys: &KeyStore) -> VerifiedTrustList {
    let text = std::fs::read_to_string(root().join("keys/trust-list.jws")).unwrap();
    trust_list::verify(&text, &options(keys)).expect("the committed trust list verifies")
}

fn options(keys: &KeyStore) -> trust_list::VerifyOptions<'_> {
    trust_list::VerifyOptions {
        signer_cert: &keys.get("yrd-trust-list-signer").unwrap().cert_der,
        at: fixed_now(),
        held_sequence: None,
        grace: time::Duration::days(7),
    }
}

/// A seal whose createDate is `9999123123-0200` (10000-01-01 in UTC) panicked when its
/// time was converted to UTC; now the seal does not read (`seal.format`).
#[test]
fn seal_time_past_the_calendar_is_a_format_failure() {
    let bytes = input("seal_der", "time-past-calendar.esl");
    assert!(matches!(
        deltaseal::seal::Seal::from_der(&bytes),
        Err(deltaseal::seal::SealError::BadTime(_))
    ));
    let r = deltaseal::seal::verify_seal(&bytes, &deltaseal::seal::SealTrust::none(), fixed_now());
    assert!(!r.passed());
    assert!(r.checks.iter().any(|c| c.code == "seal.format"));
}

/// A status list token with `ttl` u64::MAX panicked when the verifier asked whether it
/// was due for a refetch; now only its expiry (and the policy's age) bounds it.
#[test]
fn status_list_ttl_past_the_calendar_is_never_due_by_ttl() {
    let keys = keys();
    let trust = demo_trust(&keys);
    let token = signed(
        &keys,
        "sh-agency-psb",
        deltaseal::license::status::TYP,
        "status_list",
        "ttl-past-calendar.payload.json",
    );
    let uri = "http://127.0.0.1:8080/v1/status-lists/sh-agency-psb/1";
    let held = deltaseal::verify::accept_status_list(&token, uri, &trust, fixed_now())
        .expect("a listed agency's token");
    assert_eq!(held.ttl, Some(u64::MAX));
    assert!(!held.due(fixed_now() + time::Duration::days(3650), 300));
}

/// The same for a seal revocation list with `ttl` i64::MAX.
#[test]
fn seal_revocation_ttl_past_the_calendar_is_never_due_by_ttl() {
    let keys = keys();
    let trust = demo_trust(&keys);
    let token = signed(
        &keys,
        "sh-seal-authority",
        deltaseal::seal::revocation::SIGNED_TYP,
        "seal_revocations",
        "ttl-past-calendar.payload.json",
    );
    let uri = "http://127.0.0.1:8080/v1/seal-revocations/0";
    match deltaseal::verify::accept_seal_revocations(&token, uri, &trust, fixed_now()) {
        Ok(held) => assert!(!held.due(fixed_now() + time::Duration::days(3650), 300)),
        // Refused for another reason is fine too: the point is the answer, not a panic.
        Err(e) => assert!(!e.is_empty()),
    }
}

/// An issue body valid to 9999-12-31 panicked computing `exp` (the day after); now it
/// is refused as metadata running past the calendar.
#[test]
fn license_valid_to_the_last_day_is_refused() {
    use deltaseal::service::issue::{to_request, IssueBody, Issuer};
    use std::sync::Arc;
    let keys = keys();
    let body: IssueBody =
        serde_json::from_slice(&input("json_bodies", "valid-to-last-day.json")).unwrap();
    let e = keys.get("sh-agency-psb").unwrap();
    let agency = Arc::new(
        deltaseal::license::Agency::new(e.signer.clone(), vec![e.cert_der.clone()]).unwrap(),
    );
    let catalog = Arc::new(
        deltaseal::catalog::Catalog::from_json(deltaseal::adapters::config::BUILTIN_CATALOG)
            .unwrap(),
    );
    let uri = |list: i64| format!("http://127.0.0.1:8080/v1/status-lists/a/{list}");
    let issuer = Issuer {
        catalog: &catalog,
        agency: &agency,
        status_uri: &uri,
        ltv: None,
    };
    let slot = deltaseal::service::store::Slot {
        seq: 1,
        list: 1,
        index: 0,
    };
    let req = to_request(&issuer, &body, slot).unwrap();
    let err = agency.issue(&catalog, &req, fixed_now()).unwrap_err();
    assert!(
        matches!(err, deltaseal::license::LicenseError::BadMetadata(_)),
        "{err}"
    );
}

/// A trust list whose next update is the last second of 9999 panicked adding the grace;
/// now it is accepted as not overdue.
#[test]
fn trust_list_next_update_at_the_end_of_the_calendar() {
    let keys = keys();
    let token = signed(
        &keys,
        "yrd-trust-list-signer",
        trust_list::TYP,
        "trust_list",
        "next-update-last-second.payload.json",
    );
    let v = trust_list::verify(&token, &options(&keys)).expect("accepted");
    assert!(!v.overdue);
}

/// A request token with `iat` -1 and `exp` i64::MAX overflowed `exp - iat`; now it is
/// refused as living too long.
#[test]
fn request_token_lifetime_overflow_is_refused() {
    let keys = keys();
    let token = signed(
        &keys,
        "sh-agency-psb",
        "JWT",
        "request_token",
        "lifetime-overflow.payload.json",
    );
    let err = request_token::check_claims(
        &token,
        "http://127.0.0.1:8080",
        fixed_now().unix_timestamp(),
    )
    .unwrap_err();
    assert!(
        matches!(err, request_token::RequestTokenError::LifetimeTooLong(_)),
        "{err}"
    );
}

/// A configured trust-list grace of i64::MAX seconds panicked when the committed list
/// was checked past its next update; now the list is simply within the grace.
#[test]
fn config_grace_at_the_end_of_the_calendar() {
    let text = String::from_utf8(input("config", "grace-max.toml")).unwrap();
    let mut c: deltaseal::adapters::config::Config = toml::from_str(&text).unwrap();
    c.keys_dir = root().join("keys");
    let p = c.trust_list_policy().unwrap();
    let list = std::fs::read_to_string(root().join("keys/trust-list.jws")).unwrap();
    let opts = trust_list::VerifyOptions {
        signer_cert: &p.signer_cert,
        at: time::macros::datetime!(2029-01-02 00:00 UTC),
        held_sequence: None,
        grace: p.grace,
    };
    let v = trust_list::verify(&list, &opts).expect("within the grace");
    assert!(v.overdue);
}
