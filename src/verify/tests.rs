//! Detection, the policy document, and hostile input through the engine.

use super::*;
use crate::report::Indication;
use crate::trust_list::TrustList;

fn trust() -> VerifiedTrustList {
    let list: TrustList =
        serde_json::from_str(include_str!("../../keys/trust-list.json")).expect("demo list");
    VerifiedTrustList {
        list,
        digest: "ab".repeat(32),
        overdue: false,
    }
}

fn at() -> OffsetDateTime {
    time::macros::datetime!(2026-06-01 00:00 UTC)
}

#[test]
fn kinds_are_told_apart() {
    assert_eq!(detect(b"PK\x03\x04rest"), Some(Kind::Ofd));
    assert_eq!(detect(b"eyJhbGciOiJFUzI1NiJ9.e30.c2ln~"), Some(Kind::SdJwt));
    assert_eq!(detect(b"eyJhbGciOiJFUzI1NiJ9.e30"), None);
    // with disclosures and a key binding JWT (its dots after the first `~`)
    assert_eq!(
        detect(b"eyJh.e30.c2ln~WyJh~eyJ.e30.c2ln"),
        Some(Kind::SdJwt)
    );
    // a third dot before the first `~`, or a byte that is not base64url anywhere
    assert_eq!(detect(b"eyJh.e30.c2ln.x~"), None);
    assert_eq!(detect(b"eyJh.e30.c2ln~WyJh!"), None);
    assert_eq!(detect(b"eyJh.e3 0.c2ln~"), None);
    assert_eq!(
        detect(b"\n-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
        Some(Kind::Certificate)
    );
    assert_eq!(detect(b"\x30\x03\x02\x01\x01"), None);
    assert_eq!(detect(b""), None);
    assert_eq!(detect("证照".as_bytes()), None);
    for k in Kind::ALL {
        assert_eq!(Kind::parse(k.name()), Some(k));
    }
    assert_eq!(Kind::parse("license"), Some(Kind::SdJwt));
    assert_eq!(Kind::parse("pdf"), None);
}

#[test]
fn policy_json_has_defaults_and_refuses_unknown_fields() {
    let p = Policy::from_json("{}").unwrap();
    assert_eq!(p, Policy::default());
    assert_eq!(p.provinces.len(), 4);
    assert!(p.accepts_type("anything", None));
    let p = Policy::from_json(
        r#"{"provinces":["SH"],"license_types":["11100000000019713D001"],"required_disclosures":["name"],"clock_skew_s":60}"#,
    )
    .unwrap();
    assert!(p.accepts_province(Province::Shanghai));
    assert!(!p.accepts_province(Province::Zhejiang));
    assert!(p.accepts_type("11100000000019713D001", None));
    assert!(!p.accepts_type("11100000MB014336X0001", Some("113200000140123285001")));
    assert_eq!(p.clock_skew(), time::Duration::seconds(60));
    assert!(Policy::from_json(r#"{"province":["SH"]}"#).is_err());
    assert!(Policy::from_json(r#"{"provinces":["XX"]}"#).is_err());
}

#[test]
fn hostile_input_is_a_format_failure_citing_the_list() {
    let t = trust();
    let policy = Policy::default();
    let ctx = Context::new(&t, at(), &policy);
    let inputs: [(&[u8], Option<Kind>); 9] = [
        (b"", None),
        (b"not a thing", None),
        (b"\x30\x82\xff\xff", None),
        (b"PK\x03\x04\x00\x00", None),
        (b"eyJ.eyJ.x~", None),
        (b"\xff\xfe", Some(Kind::SdJwt)),
        (b"\x30\x00", Some(Kind::Seal)),
        (b"garbage", Some(Kind::Certificate)),
        (
            b"-----BEGIN CERTIFICATE-----\nAAAA",
            Some(Kind::Certificate),
        ),
    ];
    for (bytes, kind) in inputs {
        let v = verify(
            &Input {
                bytes,
                document: None,
                kind,
            },
            &ctx,
        );
        assert_eq!(v.report.indication, Indication::TotalFailed, "{}", v.report);
        assert_eq!(
            v.report.sub_indication,
            Some(SubIndication::FormatFailure),
            "{}",
            v.report
        );
        assert_eq!(v.report.checks[0].code, "trust_list.cited");
        assert_eq!(v.trust_list.sequence, t.list.sequence);
        assert_eq!(v.trust_list.digest, t.digest);
    }
}

#[test]
fn a_stamp_without_its_document_is_signed_data_not_found() {
    let t = trust();
    let policy = Policy::default();
    let ctx = Context::new(&t, at(), &policy);
    let v = verify(
        &Input {
            bytes: b"\x30\x00",
            document: None,
            kind: Some(Kind::Stamp),
        },
        &ctx,
    );
    assert_eq!(
        v.report.sub_indication,
        Some(SubIndication::SignedDataNotFound)
    );
    assert!(v.report.check("stamp.document").is_some());
}

#[test]
fn an_overdue_list_is_cited_with_a_warning() {
    let mut t = trust();
    t.overdue = true;
    let policy = Policy::default();
    let v = verify(&Input::new(b"x"), &Context::new(&t, at(), &policy));
    assert_eq!(v.report.checks[0].outcome, crate::report::Outcome::Warning);
}
