//! The one verification engine (`deltaseal::verify`) and `deltaseal verify`: licenses
//! of the demo agencies under the trust list, agencies and types the list does not
//! carry, policy refusals, seals, detached stamps and stamped OFD documents through the
//! same entry point, detection of every kind, hostile input, and the CLI's exit codes.

use crate::common::{self, bin, fixed_now, fixtures};
use crate::license::{id_card_request, BUSINESS_LICENSE, ID_CARD};
use deltaseal::adapters::config::BUILTIN_CATALOG;
use deltaseal::adapters::keystore::{KeyEntry, KeyStore};
use deltaseal::catalog::Catalog;
use deltaseal::license::{sdjwt, Agency};
use deltaseal::pki::Province;
use deltaseal::report::{Indication, Outcome, Report, SubIndication};
use deltaseal::seal::asn1::Picture;
use deltaseal::seal::make::{make_seal, CertListForm, SealRequest, SealType};
use deltaseal::seal::ofd::{Placement, StampOptions};
use deltaseal::seal::stamp::stamp_detached;
use deltaseal::seal::{Seal, SignedData};
use deltaseal::trust_list::{self, BuildOptions, Listed, TrustList, VerifiedTrustList};
use deltaseal::verify::{verify, Context, Input, Kind, Policy, Verdict};
use rstest::rstest;
use std::process::{Command, Stdio};
use time::macros::datetime;

fn keys() -> KeyStore {
    common::pki::keys()
}

fn catalog() -> Catalog {
    Catalog::from_json(BUILTIN_CATALOG).unwrap()
}

/// The committed demo list, accepted with the pinned signer.
pub(crate) fn demo_list() -> VerifiedTrustList {
    let text = std::fs::read_to_string(common::root().join("keys/trust-list.jws")).unwrap();
    let signer = keys()
        .get("yrd-trust-list-signer")
        .unwrap()
        .cert_der
        .clone();
    trust_list::verify(
        &text,
        &trust_list::VerifyOptions {
            signer_cert: &signer,
            at: fixed_now(),
            held_sequence: None,
            grace: time::Duration::days(1),
        },
    )
    .unwrap()
}

/// A list built from the key store without the entries `skip` names.
fn list_without(skip: &[&str]) -> TrustList {
    let keys = keys();
    let entries: Vec<Listed<'_>> = keys
        .entries()
        .iter()
        .filter(|e| !skip.contains(&e.id()))
        .map(KeyEntry::listed)
        .collect();
    let opts = BuildOptions {
        sequence: 7,
        issued_at: datetime!(2026-01-01 00:00 UTC),
        next_update: datetime!(2029-01-01 00:00 UTC),
        node_urls: Default::default(),
    };
    trust_list::build(&entries, &catalog(), &opts).unwrap()
}

fn accepted(list: TrustList) -> VerifiedTrustList {
    VerifiedTrustList {
        list,
        digest: "0123456789abcdef".repeat(4),
        overdue: false,
    }
}

/// The demo agency `id` the way the node hosts it: its key and its chain to the root.
fn agency(keys: &KeyStore, id: &str) -> Agency {
    let e = keys.get(id).unwrap();
    let root = keys.issuer_of(id).unwrap();
    Agency::new(
        e.signer.clone(),
        vec![e.cert_der.clone(), root.cert_der.clone()],
    )
    .unwrap()
}

pub(crate) fn id_card(agency_id: &str) -> String {
    agency(&keys(), agency_id)
        .issue(&catalog(), &id_card_request("V00001", 3), fixed_now())
        .unwrap()
        .sd_jwt
}

pub(crate) fn run(list: &VerifiedTrustList, policy: &Policy, bytes: &[u8]) -> Verdict {
    verify(&Input::new(bytes), &Context::new(list, fixed_now(), policy))
}

fn outcome(r: &Report, code: &str) -> Outcome {
    r.check(code)
        .unwrap_or_else(|| panic!("no check {code} in\n{r}"))
        .outcome
}

fn sub(r: &Report, code: &str) -> Option<SubIndication> {
    r.check(code).and_then(|c| c.sub_indication)
}

#[rstest]
#[case::sm2("sh-agency-psb", Province::Shanghai)]
#[case::p256("zj-agency-psb", Province::Zhejiang)]
fn a_demo_license_passes_naming_province_agency_and_type(
    #[case] id: &str,
    #[case] province: Province,
) {
    let keys = keys();
    let entry: &KeyEntry = keys.get(id).unwrap();
    let list = demo_list();
    let v = run(&list, &Policy::default(), id_card(id).as_bytes());
    assert_eq!(v.report.indication, Indication::TotalPassed, "{}", v.report);
    assert_eq!(v.kind, Some(Kind::SdJwt));
    assert_eq!(v.province.as_ref().unwrap().code, province);
    let a = v.agency.as_ref().unwrap();
    assert!(a.listed);
    assert_eq!(a.uscc, entry.manifest.uscc);
    assert_eq!(a.name_zh, entry.manifest.name_zh);
    let t = v.license_type.as_ref().unwrap();
    assert_eq!(t.code, ID_CARD);
    assert_eq!(t.name_en, "Resident Identity Card");
    assert_eq!(t.local_code, None);
    assert_eq!(v.claims["name"], "张三");
    assert_eq!(v.trust_list.sequence, list.list.sequence);
    assert_eq!(v.trust_list.digest, list.digest);
    // The list first, the credential's own checks, then the list's and the policy's.
    let codes: Vec<&str> = v.report.checks.iter().map(|c| c.code.as_str()).collect();
    let pos = |c: &str| codes.iter().position(|x| *x == c).unwrap();
    assert_eq!(codes[0], "trust_list.cited");
    assert!(pos("sdjwt.signature") < pos("chain.build"));
    assert!(pos("issuer.listed") < pos("issuer.type_authorised"));
    assert!(pos("issuer.type_authorised") < pos("sdjwt.status"));
    assert!(pos("sdjwt.status") < pos("policy.province"));
    assert!(pos("policy.province") < pos("policy.type"));
    assert!(pos("policy.type") < pos("policy.disclosures"));
    assert_eq!(outcome(&v.report, "leaf.license_type"), Outcome::Passed);
}

#[rstest]
#[case::sm2("sh-agency-psb")]
#[case::p256("zj-agency-psb")]
fn a_presentation_shows_only_its_disclosures(#[case] id: &str) {
    let shown = sdjwt::present(&id_card(id), &["name", "valid_to"]).unwrap();
    let list = demo_list();
    let v = run(&list, &Policy::default(), shown.as_bytes());
    assert!(v.report.passed(), "{}", v.report);
    let mut names: Vec<&str> = v.claims.keys().map(String::as_str).collect();
    names.sort();
    assert_eq!(names, ["name", "valid_to"]);
    // A policy requiring a claim the holder did not show refuses it.
    let policy = Policy {
        required_disclosures: vec!["name".into(), "holder_code".into()],
        ..Policy::default()
    };
    let v = run(&list, &policy, shown.as_bytes());
    assert_eq!(v.report.indication, Indication::TotalFailed);
    assert_eq!(outcome(&v.report, "policy.disclosures"), Outcome::Failed);
    assert_eq!(
        v.report.sub_indication,
        Some(SubIndication::SignedDataNotFound)
    );
    assert!(
        v.report
            .check("policy.disclosures")
            .unwrap()
            .subject
            .as_deref()
            == Some("holder_code")
    );
}

#[rstest]
#[case::sm2("sh-agency-psb")]
#[case::p256("zj-agency-psb")]
fn an_agency_missing_from_the_list_is_indeterminate(#[case] id: &str) {
    let list = accepted(list_without(&[id]));
    let v = run(&list, &Policy::default(), id_card(id).as_bytes());
    assert_eq!(
        v.report.indication,
        Indication::Indeterminate,
        "{}",
        v.report
    );
    assert_eq!(
        v.report.sub_indication,
        Some(SubIndication::NoCertificateChainFound)
    );
    assert_eq!(outcome(&v.report, "issuer.listed"), Outcome::Indeterminate);
    // The chain to the province root still holds; only the listing is missing.
    assert_eq!(outcome(&v.report, "chain.build"), Outcome::Passed);
    assert!(!v.agency.unwrap().listed);
    assert_eq!(v.trust_list.sequence, 7);
}

#[rstest]
#[case::sm2("sh-agency-psb")]
#[case::p256("zj-agency-psb")]
fn a_type_the_list_does_not_authorise_fails(#[case] id: &str) {
    let mut list = list_without(&[]);
    let fp = trust_list::fingerprint(&keys().get(id).unwrap().cert_der);
    for p in &mut list.provinces {
        for a in &mut p.issuing_agencies {
            if a.cert_sha256.contains(&fp) {
                a.license_types.retain(|t| t != ID_CARD);
            }
        }
    }
    let v = run(&accepted(list), &Policy::default(), id_card(id).as_bytes());
    assert_eq!(v.report.indication, Indication::TotalFailed, "{}", v.report);
    assert_eq!(
        outcome(&v.report, "issuer.type_authorised"),
        Outcome::Failed
    );
    assert_eq!(
        v.report.sub_indication,
        Some(SubIndication::SigConstraintsFailure)
    );
    // The certificate itself still names the type.
    assert_eq!(outcome(&v.report, "leaf.license_type"), Outcome::Passed);
}

#[rstest]
#[case::sm2("sh-agency-psb", Province::Zhejiang)]
#[case::p256("zj-agency-psb", Province::Shanghai)]
fn a_policy_refusing_the_province_or_the_type_has_its_own_check(
    #[case] id: &str,
    #[case] other: Province,
) {
    let list = demo_list();
    let cred = id_card(id);
    let only_other = Policy {
        provinces: vec![other],
        ..Policy::default()
    };
    let v = run(&list, &only_other, cred.as_bytes());
    assert_eq!(v.report.indication, Indication::TotalFailed);
    assert_eq!(outcome(&v.report, "policy.province"), Outcome::Failed);
    assert_eq!(outcome(&v.report, "policy.type"), Outcome::Passed);
    assert_eq!(
        v.report.sub_indication,
        Some(SubIndication::ChainConstraintsFailure)
    );
    let only_business = Policy {
        license_types: Some(vec![BUSINESS_LICENSE.into()]),
        ..Policy::default()
    };
    let v = run(&list, &only_business, cred.as_bytes());
    assert_eq!(v.report.indication, Indication::TotalFailed);
    assert_eq!(outcome(&v.report, "policy.province"), Outcome::Passed);
    assert_eq!(outcome(&v.report, "policy.type"), Outcome::Failed);
    assert_eq!(
        v.report.sub_indication,
        Some(SubIndication::PolicyProcessingError)
    );
}

// ---------------------------------------------------------------- seals

pub(crate) struct Sealed {
    seal: Seal,
    keys: KeyStore,
}

pub(crate) fn demo_seal() -> Sealed {
    let keys = keys();
    let authority = keys.get("sh-seal-authority").unwrap();
    let org = keys.get("sh-org-1").unwrap();
    let req = SealRequest {
        es_id_base: "SH0000000042".into(),
        seal_type: SealType::Organisation,
        name: "演示合同专用章".into(),
        signers: vec![org.cert_der.clone()],
        cert_list_form: CertListForm::Certificates,
        valid_start: datetime!(2026-01-02 00:00 UTC),
        valid_end: datetime!(2028-12-31 00:00 UTC),
        picture: Picture {
            kind: "PNG".into(),
            data: std::fs::read(fixtures().join("samples/seal/StampImg.png")).unwrap(),
            width_mm: 42,
            height_mm: 42,
        },
    };
    let seal = make_seal(
        &req,
        authority.signer.as_ref(),
        &authority.cert_der,
        datetime!(2026-01-02 00:00 UTC),
    )
    .unwrap();
    Sealed { seal, keys }
}

impl Sealed {
    fn org(&self) -> &KeyEntry {
        self.keys.get("sh-org-1").unwrap()
    }

    pub(crate) fn stamp(&self, document: &[u8]) -> Vec<u8> {
        let org = self.org();
        stamp_detached(
            &self.seal,
            org.signer.as_ref(),
            &org.cert_der,
            document,
            "contract.txt",
            fixed_now(),
        )
        .unwrap()
        .der()
        .to_vec()
    }

    fn ofd(&self) -> Vec<u8> {
        let doc = std::fs::read(fixtures().join("samples/ofd/helloworld.ofd")).unwrap();
        let org = self.org();
        let opts = StampOptions {
            placement: Placement::Coordinates {
                page: 0,
                x: 100.0,
                y: 200.0,
            },
            size_mm: None,
        };
        deltaseal::service::seal_stamp::stamp_ofd(
            doc,
            &self.seal,
            org.signer.as_ref(),
            &org.cert_der,
            &opts,
            fixed_now(),
        )
        .unwrap()
    }
}

fn assert_sealed_by_shanghai(v: &Verdict) {
    assert_eq!(v.report.indication, Indication::TotalPassed, "{}", v.report);
    assert_eq!(outcome(&v.report, "seal_authority.listed"), Outcome::Passed);
    assert_eq!(v.province.as_ref().unwrap().code, Province::Shanghai);
    let a = v.agency.as_ref().unwrap();
    assert!(a.listed);
    assert_eq!(
        a.name_zh,
        keys().get("sh-seal-authority").unwrap().manifest.name_zh
    );
}

#[test]
fn a_seal_a_detached_stamp_and_a_stamped_ofd_verify_through_the_one_entry() {
    let s = demo_seal();
    let list = demo_list();
    let policy = Policy::default();
    let ctx = Context::new(&list, fixed_now(), &policy);

    let v = verify(&Input::new(s.seal.der()), &ctx);
    assert_eq!(v.kind, Some(Kind::Seal));
    assert_sealed_by_shanghai(&v);

    let doc = "合同正文 contract body".repeat(100);
    let stamp = s.stamp(doc.as_bytes());
    let with = |document: &[u8]| {
        verify(
            &Input {
                bytes: &stamp,
                document: Some(SignedData::Bytes(document)),
                kind: None,
            },
            &ctx,
        )
    };
    let v = with(doc.as_bytes());
    assert_eq!(v.kind, Some(Kind::Stamp));
    assert_sealed_by_shanghai(&v);
    assert_eq!(outcome(&v.report, "stamp.data_hash"), Outcome::Passed);
    let v = with(b"another document");
    assert_eq!(v.report.sub_indication, Some(SubIndication::HashFailure));

    let ofd = s.ofd();
    let v = verify(&Input::new(&ofd), &ctx);
    assert_eq!(v.kind, Some(Kind::Ofd));
    assert_sealed_by_shanghai(&v);
    assert_eq!(
        v.report
            .check("seal_authority.listed")
            .unwrap()
            .subject
            .as_deref()
            .map(|s| s.starts_with("Sign_0")),
        Some(true)
    );

    // A seal authority missing from the list: its own check, INDETERMINATE.
    let bare = accepted(list_without(&["sh-seal-authority"]));
    let v = verify(
        &Input::new(s.seal.der()),
        &Context::new(&bare, fixed_now(), &policy),
    );
    assert_eq!(
        v.report.indication,
        Indication::Indeterminate,
        "{}",
        v.report
    );
    assert_eq!(
        sub(&v.report, "seal_authority.listed"),
        Some(SubIndication::NoCertificateChainFound)
    );
    // A policy refusing Shanghai refuses its seals.
    let no_sh = Policy {
        provinces: vec![Province::Jiangsu],
        ..Policy::default()
    };
    let v = verify(
        &Input::new(s.seal.der()),
        &Context::new(&list, fixed_now(), &no_sh),
    );
    assert_eq!(outcome(&v.report, "policy.province"), Outcome::Failed);
}

#[test]
fn every_kind_is_detected_and_garbage_is_a_format_failure() {
    let s = demo_seal();
    let keys = keys();
    let cert = std::fs::read(common::root().join("keys/sh/agency-psb.cert.pem")).unwrap();
    let cases: Vec<(Vec<u8>, Kind)> = vec![
        (id_card("sh-agency-psb").into_bytes(), Kind::SdJwt),
        (s.seal.der().to_vec(), Kind::Seal),
        (s.stamp(b"doc"), Kind::Stamp),
        (s.ofd(), Kind::Ofd),
        (cert.clone(), Kind::Certificate),
        (
            keys.get("sh-org-1").unwrap().cert_der.clone(),
            Kind::Certificate,
        ),
    ];
    for (bytes, kind) in &cases {
        assert_eq!(deltaseal::verify::detect(bytes), Some(*kind));
    }
    let list = demo_list();
    let v = run(&list, &Policy::default(), &cert);
    assert_eq!(v.report.indication, Indication::TotalPassed, "{}", v.report);
    assert_eq!(outcome(&v.report, "issuer.listed"), Outcome::Passed);
    assert_eq!(v.province.unwrap().code, Province::Shanghai);

    // Truncations of every kind, and garbage: FORMAT_FAILURE (or another failure), never
    // a panic, never a pass.
    for (bytes, kind) in &cases {
        let bytes = bytes.trim_ascii_end();
        for cut in [1, bytes.len() / 3, bytes.len() / 2, bytes.len() - 1] {
            let v = run(&list, &Policy::default(), &bytes[..cut]);
            assert!(!v.report.passed(), "{kind:?} cut at {cut}");
            let v = verify(
                &Input {
                    bytes: &bytes[..cut],
                    document: Some(SignedData::Bytes(b"doc")),
                    kind: Some(*kind),
                },
                &Context::new(&list, fixed_now(), &Policy::default()),
            );
            assert!(!v.report.passed(), "{kind:?} named, cut at {cut}");
        }
    }
    for garbage in [
        &b""[..],
        b"hello",
        b"\x30\x80\x30\x80",
        b"PK\x03\x04garbage",
    ] {
        let v = run(&list, &Policy::default(), garbage);
        assert_eq!(v.report.indication, Indication::TotalFailed);
        assert_eq!(v.report.sub_indication, Some(SubIndication::FormatFailure));
    }
}

// ---------------------------------------------------------------- CLI

pub(crate) fn cli(args: &[&str], stdin: Option<&[u8]>) -> (i32, String, String) {
    let mut c = Command::new(bin());
    c.current_dir(common::root())
        .arg("verify")
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    if let Some(input) = stdin {
        use std::io::Write;
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub(crate) const AT: &str = "2026-06-01T00:00:00Z";

#[test]
fn cli_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n).to_str().unwrap().to_string();
    let cred = id_card("sh-agency-psb");
    std::fs::write(p("id.sdjwt"), &cred).unwrap();

    // 0: passed, with the header naming who issued what under which list.
    let (code, out, err) = cli(&[&p("id.sdjwt"), "--at", AT], None);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("province    SH 上海市"), "{out}");
    assert!(out.contains("Resident Identity Card"), "{out}");
    assert!(out.contains("trust list  #1"), "{out}");
    assert!(out.contains("name = 张三"), "{out}");
    // The same from standard input, as JSON.
    let (code, out, _) = cli(&["-", "--at", AT, "--json"], Some(cred.as_bytes()));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["report"]["indication"], "TOTAL_PASSED");
    assert_eq!(v["kind"], "sd-jwt");
    assert_eq!(v["license_type"]["code"], ID_CARD);
    assert_eq!(v["trust_list"]["sequence"], 1);

    // 1: a policy refusing Shanghai.
    std::fs::write(p("zj-only.json"), r#"{"provinces": ["ZJ"]}"#).unwrap();
    let (code, out, _) = cli(
        &[&p("id.sdjwt"), "--at", AT, "--policy", &p("zj-only.json")],
        None,
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("policy.province"), "{out}");

    // 3: the trust list has expired.
    let (code, out, _) = cli(
        &[&p("id.sdjwt"), "--at", "2030-01-01T00:00:00Z", "--json"],
        None,
    );
    assert_eq!(code, 3, "{out}");
    let r: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["sub_indication"], "TRY_LATER");
    // 3: an agency the list does not carry (a list signed without it).
    let keys = keys();
    let signer = keys.get("yrd-trust-list-signer").unwrap();
    let jws = trust_list::sign(
        &list_without(&["sh-agency-psb"]),
        signer.signer.as_ref(),
        std::slice::from_ref(&signer.cert_der),
    )
    .unwrap();
    std::fs::write(p("list.jws"), jws).unwrap();
    let (code, out, _) = cli(
        &[&p("id.sdjwt"), "--at", AT, "--trust-list", &p("list.jws")],
        None,
    );
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("issuer.listed"), "{out}");
    assert!(out.contains("trust list  #7"), "{out}");

    // 2: bad input.
    let (code, _, err) = cli(&[&p("id.sdjwt"), "--at", "yesterday"], None);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--at"), "{err}");
    std::fs::write(p("bad.json"), r#"{"provinces": ["SH"], "extra": 1}"#).unwrap();
    let (code, _, _) = cli(
        &[&p("id.sdjwt"), "--at", AT, "--policy", &p("bad.json")],
        None,
    );
    assert_eq!(code, 2);
    let (code, _, _) = cli(&[&p("missing.sdjwt"), "--at", AT], None);
    assert_eq!(code, 2);
    let (code, _, _) = cli(&[&p("id.sdjwt"), "--at", AT, "--type", "pdf"], None);
    assert_eq!(code, 2);

    // A detached stamp needs its document; with it, it passes; garbage is a report.
    let s = demo_seal();
    std::fs::write(p("contract.txt"), "合同").unwrap();
    std::fs::write(p("contract.dat"), s.stamp("合同".as_bytes())).unwrap();
    let (code, _, err) = cli(&[&p("contract.dat"), "--at", AT], None);
    assert_eq!(code, 2, "{err}");
    let (code, out, _) = cli(
        &[
            &p("contract.dat"),
            "--document",
            &p("contract.txt"),
            "--at",
            AT,
        ],
        None,
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("seal_authority.listed"), "{out}");
    let (code, out, _) = cli(&["-", "--at", AT, "--json"], Some(b"not anything"));
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["report"]["sub_indication"], "FORMAT_FAILURE");
}

/// The revocation list naming `es_id`, revoked at `at` (superseded).
fn revoked(es_id: &str, at: time::OffsetDateTime) -> deltaseal::seal::SealRevocationList {
    let mut l = deltaseal::seal::SealRevocationList::new();
    l.add(deltaseal::seal::SealRevocation {
        es_id: es_id.into(),
        revoked_at: at,
        reason: deltaseal::seal::RevocationReason::Superseded {
            by: format!("{es_id}-2"),
        },
    });
    l
}

#[test]
fn a_stamped_ofd_made_with_a_revoked_seal_is_revoked_in_the_engine_and_the_cli() {
    let s = demo_seal();
    let doc = s.ofd();
    let list = demo_list();
    let es_id = s.seal.es_id().to_string();
    let policy = Policy::default();
    let with = |l: &deltaseal::seal::SealRevocationList| {
        let ctx = Context {
            revoked_seals: Some(l),
            ..Context::new(&list, fixed_now(), &policy)
        };
        verify(&Input::new(&doc), &ctx)
    };
    // revoked before the stamp was made: REVOKED
    let v = with(&revoked(&es_id, fixed_now() - time::Duration::days(1)));
    assert_eq!(v.report.indication, Indication::TotalFailed, "{}", v.report);
    assert_eq!(v.report.sub_indication, Some(SubIndication::Revoked));
    let c = v
        .report
        .checks
        .iter()
        .find(|c| c.code.ends_with("seal.revocation"))
        .unwrap_or_else(|| panic!("no seal.revocation in\n{}", v.report));
    assert_eq!(c.outcome, Outcome::Failed);
    // revoked after it was made: the stamp stands, with a warning
    let v = with(&revoked(&es_id, fixed_now() + time::Duration::days(1)));
    assert_eq!(v.report.indication, Indication::TotalPassed, "{}", v.report);
    // another seal revoked: no effect
    let v = with(&revoked(
        "SH0000000099",
        fixed_now() - time::Duration::days(1),
    ));
    assert_sealed_by_shanghai(&v);

    // `seal verify DOC.ofd --revoked LIST` consults the list too
    let dir = tempfile::tempdir().unwrap();
    let ofd = dir.path().join("stamped.ofd");
    std::fs::write(&ofd, &doc).unwrap();
    let rl = dir.path().join("revoked.json");
    std::fs::write(
        &rl,
        serde_json::to_string(&revoked(&es_id, fixed_now() - time::Duration::days(1))).unwrap(),
    )
    .unwrap();
    let root = common::root().join("keys/sh/root.cert.pem");
    let run = |extra: &[&std::path::Path]| {
        let mut c = Command::new(bin());
        c.args(["seal", "verify", "--at", AT, "--trust"])
            .arg(&root)
            .arg(&ofd);
        for p in extra {
            c.arg("--revoked").arg(p);
        }
        let out = c.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, out) = run(&[]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = run(&[&rl]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("REVOKED"), "{out}");
}
