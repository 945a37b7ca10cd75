//! License status in the verification engine: status lists judged once when fetched
//! (`accept_status_list`: chain to a listed root, listed agency, signature, expiry,
//! `sub`), then the `sdjwt.status` check from the lists held — valid, revoked,
//! suspended, stale for the policy, expired, index out of bounds, signed by another
//! agency, refused, unavailable — for both algorithms; and the IETF Token Status List
//! examples decoding to their statuses.

use crate::common::{self, fixed_now, fixtures};
use crate::license::id_card_request;
use deltaseal::adapters::config::BUILTIN_CATALOG;
use deltaseal::adapters::keystore::KeyStore;
use deltaseal::catalog::Catalog;
use deltaseal::license::status::{decode_lst, entry};
use deltaseal::license::{Agency, Status, StatusList, StatusListToken, StatusRef};
use deltaseal::report::{Indication, Outcome, SubIndication};
use deltaseal::trust_list::{self, VerifiedTrustList};
use deltaseal::verify::{
    accept_status_list, verify, Context, HeldStatusList, Input, Policy, StatusListRefusal,
    StatusLookup, Verdict,
};
use rstest::rstest;
use std::collections::HashMap;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

const URI: &str = "https://node.example/v1/status/agency/1";
const IDX: usize = 3;

fn keys() -> KeyStore {
    common::pki::keys()
}

fn list() -> VerifiedTrustList {
    let keys = keys();
    VerifiedTrustList {
        list: common::pki::demo_trust_list(&keys, 3, fixed_now() - Duration::days(30), 400),
        digest: "ab".repeat(32),
        overdue: false,
    }
}

fn agency(id: &str) -> Agency {
    let keys = keys();
    let e = keys.get(id).unwrap();
    let root = keys.issuer_of(id).unwrap();
    Agency::new(
        e.signer.clone(),
        vec![e.cert_der.clone(), root.cert_der.clone()],
    )
    .unwrap()
}

/// A resident ID card of agency `id` referencing entry `idx` of the list at [`URI`].
fn credential(id: &str, idx: usize) -> String {
    let mut req = id_card_request("V00001", idx);
    req.status = StatusRef {
        idx,
        uri: URI.into(),
    };
    agency(id)
        .issue(
            &Catalog::from_json(BUILTIN_CATALOG).unwrap(),
            &req,
            fixed_now(),
        )
        .unwrap()
        .sd_jwt
}

/// A status list token of agency `id` at `uri`, 16 entries, entry [`IDX`] = `status`,
/// issued at `iat`, expiring a day later.
fn token(id: &str, uri: &str, status: Status, iat: OffsetDateTime) -> String {
    let mut l = StatusList::new(16).unwrap();
    l.set(IDX, status).unwrap();
    let a = agency(id);
    StatusListToken {
        uri: uri.into(),
        iat,
        exp: Some(iat + Duration::days(1)),
        ttl: Some(300),
        list: l,
    }
    .sign(a.signer(), a.chain())
    .unwrap()
}

fn held(id: &str, status: Status, iat: OffsetDateTime) -> StatusLookup {
    let t = token(id, URI, status, iat);
    StatusLookup::Held(Arc::new(accept_status_list(&t, URI, &list(), iat).unwrap()))
}

fn run(cred: &str, lookup: StatusLookup, policy: &Policy) -> Verdict {
    let trust = list();
    let source: HashMap<String, StatusLookup> = [(URI.to_string(), lookup)].into();
    let ctx = Context {
        status: Some(&source),
        ..Context::new(&trust, fixed_now(), policy)
    };
    verify(&Input::new(cred.as_bytes()), &ctx)
}

fn status_check(v: &Verdict) -> (Outcome, Option<SubIndication>, String) {
    let c = v
        .report
        .check("sdjwt.status")
        .unwrap_or_else(|| panic!("no sdjwt.status in\n{}", v.report));
    (c.outcome, c.sub_indication, c.reason.en.clone())
}

#[rstest]
#[case::sm2("sh-agency-psb")]
#[case::p256("zj-agency-psb")]
fn the_status_held_decides_and_the_verdict_reports_its_freshness(#[case] id: &str) {
    let cred = credential(id, IDX);
    let produced = fixed_now() - Duration::minutes(10);

    let v = run(&cred, held(id, Status::Valid, produced), &Policy::default());
    assert_eq!(v.report.indication, Indication::TotalPassed, "{}", v.report);
    assert_eq!(status_check(&v).0, Outcome::Passed);
    let f = v.revocation.as_ref().unwrap();
    assert_eq!((f.uri.as_str(), f.age_s), (URI, 600));
    assert_eq!(f.issued_at, produced);

    let v = run(
        &cred,
        held(id, Status::Revoked, produced),
        &Policy::default(),
    );
    assert_eq!(v.report.indication, Indication::TotalFailed, "{}", v.report);
    assert_eq!(v.report.sub_indication, Some(SubIndication::Revoked));
    assert_eq!(status_check(&v).1, Some(SubIndication::Revoked));

    let v = run(
        &cred,
        held(id, Status::Suspended, produced),
        &Policy::default(),
    );
    assert_eq!(v.report.indication, Indication::Indeterminate);
    assert_eq!(v.report.sub_indication, Some(SubIndication::TryLater));
    assert!(status_check(&v).2.contains("suspended"));
}

#[rstest]
#[case::sm2("sh-agency-psb")]
#[case::p256("zj-agency-psb")]
fn a_list_too_old_for_the_policy_or_expired_is_try_later(#[case] id: &str) {
    let cred = credential(id, IDX);
    // produced 2 hours ago: too old for a policy of one hour, fine for the default day
    let old = fixed_now() - Duration::hours(2);
    let strict = Policy {
        max_status_age_s: 3600,
        ..Policy::default()
    };
    let v = run(&cred, held(id, Status::Valid, old), &strict);
    assert_eq!(
        v.report.indication,
        Indication::Indeterminate,
        "{}",
        v.report
    );
    assert_eq!(v.report.sub_indication, Some(SubIndication::TryLater));
    let (_, _, why) = status_check(&v);
    assert!(why.contains("7200 s old"), "{why}");
    assert_eq!(v.revocation.as_ref().unwrap().age_s, 7200);
    let v = run(&cred, held(id, Status::Valid, old), &Policy::default());
    assert_eq!(v.report.indication, Indication::TotalPassed, "{}", v.report);

    // produced two days ago: past its own expiry, whatever the policy allows
    let lenient = Policy {
        max_status_age_s: 10 * 86_400,
        ..Policy::default()
    };
    let v = run(
        &cred,
        held(id, Status::Valid, fixed_now() - Duration::days(2)),
        &lenient,
    );
    assert_eq!(v.report.sub_indication, Some(SubIndication::TryLater));
    assert!(status_check(&v).2.contains("expired"));
}

#[rstest]
#[case::sm2("sh-agency-psb", "ah-agency-civil")]
#[case::p256("zj-agency-psb", "js-agency-samr")]
fn out_of_bounds_other_agency_refused_and_unavailable_each_say_so(
    #[case] id: &str,
    #[case] other: &str,
) {
    let now = fixed_now();
    // the list has 16 entries; the credential points at entry 100
    let v = run(
        &credential(id, 100),
        held(id, Status::Valid, now),
        &Policy::default(),
    );
    assert_eq!(v.report.indication, Indication::TotalFailed, "{}", v.report);
    assert_eq!(status_check(&v).1, Some(SubIndication::FormatFailure));
    assert!(status_check(&v).2.contains("out of the list's bounds"));

    let cred = credential(id, IDX);
    // a list signed by another listed agency does not speak for this credential
    let v = run(&cred, held(other, Status::Valid, now), &Policy::default());
    assert_eq!(v.report.sub_indication, Some(SubIndication::TryLater));
    assert!(status_check(&v).2.contains("not signed by the agency"));

    let v = run(
        &cred,
        StatusLookup::Refused("its sub is wrong".into()),
        &Policy::default(),
    );
    assert_eq!(v.report.sub_indication, Some(SubIndication::TryLater));
    assert!(status_check(&v).2.contains("refused: its sub is wrong"));

    let v = run(
        &cred,
        StatusLookup::Unavailable("unreachable".into()),
        &Policy::default(),
    );
    assert_eq!(v.report.indication, Indication::Indeterminate);
    assert!(status_check(&v).2.contains("unavailable: unreachable"));

    // without status lists at all the check is a warning, as before
    let trust = list();
    let v = verify(
        &Input::new(cred.as_bytes()),
        &Context::new(&trust, now, &Policy::default()),
    );
    assert_eq!(v.report.indication, Indication::TotalPassed, "{}", v.report);
    assert_eq!(status_check(&v).0, Outcome::Warning);
    assert!(v.revocation.is_none());
}

#[rstest]
#[case::sm2("sh-agency-psb")]
#[case::p256("zj-agency-psb")]
fn a_fetched_list_is_judged_once_on_arrival(#[case] id: &str) {
    let now = fixed_now();
    let trust = list();
    let good = token(id, URI, Status::Valid, now);
    let h: HeldStatusList = accept_status_list(&good, URI, &trust, now).unwrap();
    assert_eq!(h.uri, URI);
    assert_eq!(
        h.signer,
        trust_list::fingerprint(&keys().get(id).unwrap().cert_der)
    );
    assert_eq!((h.ttl, h.fetched_at), (Some(300), now));
    assert!(!h.due(now + Duration::seconds(299), 60));
    assert!(h.due(now + Duration::seconds(300), 60));

    // its sub must be the URI the credential references
    let other = token(
        id,
        "https://node.example/v1/status/agency/2",
        Status::Valid,
        now,
    );
    assert!(matches!(
        accept_status_list(&other, URI, &trust, now),
        Err(StatusListRefusal::SubMismatch { .. })
    ));
    // a changed payload no longer verifies
    let mut parts: Vec<String> = good.split('.').map(String::from).collect();
    parts[1].replace_range(0..4, "eyJ4");
    assert!(matches!(
        accept_status_list(&parts.join("."), URI, &trust, now),
        Err(StatusListRefusal::Malformed(_))
    ));
    // expired when fetched
    assert!(matches!(
        accept_status_list(&good, URI, &trust, now + Duration::days(2)),
        Err(StatusListRefusal::Malformed(m)) if m.contains("expired")
    ));
    // signed by a key whose certificate is no listed agency's: the province root itself
    let keys = keys();
    let root_id = keys.issuer_of(id).unwrap().id().to_string();
    let root = keys.get(&root_id).unwrap();
    let by_root = StatusListToken {
        uri: URI.into(),
        iat: now,
        exp: None,
        ttl: None,
        list: StatusList::new(16).unwrap(),
    }
    .sign(root.signer.as_ref(), std::slice::from_ref(&root.cert_der))
    .unwrap();
    assert!(matches!(
        accept_status_list(&by_root, URI, &trust, now),
        Err(StatusListRefusal::Chain(_) | StatusListRefusal::NotListed)
    ));
    // and a list without that agency refuses the agency's own token
    let mut without = list();
    for p in &mut without.list.provinces {
        p.issuing_agencies
            .retain(|a| Some(&a.uscc) != keys.get(id).unwrap().manifest.uscc.as_ref());
    }
    assert_eq!(
        accept_status_list(&good, URI, &without, now),
        Err(StatusListRefusal::NotListed)
    );
}

#[test]
fn ietf_status_list_examples_decode_to_their_statuses() {
    let text = std::fs::read_to_string(fixtures().join("vectors/status-list/decode.json")).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 4, "{} cases", cases.len());
    for c in cases {
        let bits = c["bits"].as_u64().unwrap() as u8;
        let lst = c["lst"].as_str().unwrap();
        let bytes = decode_lst(lst).unwrap();
        assert_eq!(
            bytes.len() as u64,
            c["decoded_len_bytes"].as_u64().unwrap(),
            "{}",
            c["source"]
        );
        if let Some(hex) = c.get("byte_array_hex").and_then(|h| h.as_array()) {
            let want: Vec<u8> = hex
                .iter()
                .map(|h| {
                    u8::from_str_radix(h.as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
                })
                .collect();
            assert_eq!(bytes, want, "{}", c["source"]);
        }
        let nonzero = c["nonzero_statuses"].as_object().unwrap();
        let n = bytes.len() * 8 / usize::from(bits);
        let mut seen = 0;
        for i in 0..n {
            let want = nonzero
                .get(&i.to_string())
                .map_or(0, |v| v.as_u64().unwrap() as u8);
            assert_eq!(
                entry(&bytes, bits, i),
                Some(want),
                "{} index {i}",
                c["source"]
            );
            seen += usize::from(want != 0);
        }
        assert_eq!(seen, nonzero.len(), "{}", c["source"]);
        assert_eq!(entry(&bytes, bits, n), None);
        // the project's own 2-bit lists read the 2-bit examples the same way
        if bits == 2 {
            let l = StatusList::from_lst(lst).unwrap();
            for i in 0..n {
                assert_eq!(l.value(i).unwrap(), entry(&bytes, 2, i).unwrap());
            }
        }
    }
}

#[test]
fn a_trust_list_older_than_the_policy_warns_and_names_its_age() {
    let cred = credential("zj-agency-psb", IDX);
    let produced = fixed_now() - Duration::minutes(1);
    let lookup = || held("zj-agency-psb", Status::Valid, produced);
    let cited = |v: &Verdict| v.report.check("trust_list.cited").unwrap().clone();
    // the list was issued 30 days before the validation time
    let v = run(&cred, lookup(), &Policy::default());
    assert_eq!(cited(&v).outcome, Outcome::Passed);
    let week = Policy {
        warn_trust_list_age_s: Some(7 * 86_400),
        ..Policy::default()
    };
    let v = run(&cred, lookup(), &week);
    assert_eq!(v.report.indication, Indication::TotalPassed, "{}", v.report);
    let c = cited(&v);
    assert_eq!(c.outcome, Outcome::Warning);
    assert!(
        c.reason.en.contains("issued 30 days ago"),
        "{}",
        c.reason.en
    );
    assert_eq!(v.trust_list.sequence, 3);
    let two_months = Policy {
        warn_trust_list_age_s: Some(60 * 86_400),
        ..Policy::default()
    };
    assert_eq!(
        cited(&run(&cred, lookup(), &two_months)).outcome,
        Outcome::Passed
    );
}

#[rstest]
#[case::sm2("sh-agency-psb")]
#[case::p256("zj-agency-psb")]
fn the_cli_checks_status_offline_from_lists_it_is_given(#[case] id: &str) {
    use crate::verify::{cli, AT};
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    let cred = write("cred.txt", &credential(id, IDX));
    let produced = fixed_now() - Duration::minutes(5);
    let valid = write("valid.jwt", &token(id, URI, Status::Valid, produced));
    let revoked = write("revoked.jwt", &token(id, URI, Status::Revoked, produced));
    let other = write(
        "other.jwt",
        &token(
            id,
            "https://node.example/v1/status/agency/9",
            Status::Valid,
            produced,
        ),
    );
    // no list given: not checked, a warning
    let (code, out, _) = cli(&[&cred, "--at", AT], None);
    assert_eq!(code, 0, "{out}");
    // the list says valid / revoked
    let (code, out, err) = cli(
        &[&cred, "--at", AT, "--status-list", &valid, "--json"],
        None,
    );
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["revocation"]["uri"], URI);
    assert_eq!(v["revocation"]["age_s"], 300);
    let (code, out, _) = cli(&[&cred, "--at", AT, "--status-list", &revoked], None);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("REVOKED"), "{out}");
    // lists given, none for this credential's URI: INDETERMINATE (exit 3)
    let (code, out, _) = cli(&[&cred, "--at", AT, "--status-list", &other], None);
    assert_eq!(code, 3, "{out}");
    // a list that does not verify is bad input
    let tampered = write(
        "tampered.jwt",
        &std::fs::read_to_string(&valid).unwrap().replace('.', ".x"),
    );
    let (code, _, err) = cli(&[&cred, "--at", AT, "--status-list", &tampered], None);
    assert_eq!(code, 2, "{err}");
}
