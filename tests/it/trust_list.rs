//! The regional trust list: built from the demo key store and the catalogue, signed by
//! the trust-list signer, accepted only when pinned, intact, current and not rolled
//! back — each refusal with its own check and sub-indication; the committed demo list
//! is what `trust-list build` + `sign` make; jwcrypto verifies it independently.

use crate::common::{self, bin};
use deltaseal::adapters::config::BUILTIN_CATALOG;
use deltaseal::adapters::keystore::KeyStore;
use deltaseal::catalog::Catalog;
use deltaseal::pki::validate::Purpose;
use deltaseal::pki::Province;
use deltaseal::report::{Indication, SubIndication};
use deltaseal::trust_list::{self, TrustList, TrustListError, VerifyOptions};
use std::process::{Command, Stdio};
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

const AT: OffsetDateTime = datetime!(2026-06-01 00:00 UTC);

struct Fixture {
    keys: KeyStore,
    list: TrustList,
}

fn fixture(sequence: u64, issued_at: OffsetDateTime, days: i64) -> Fixture {
    let keys = common::pki::keys();
    let list = common::pki::demo_trust_list(&keys, sequence, issued_at, days);
    Fixture { keys, list }
}

impl Fixture {
    fn signer_cert(&self) -> Vec<u8> {
        self.keys
            .get("yrd-trust-list-signer")
            .unwrap()
            .cert_der
            .clone()
    }

    fn sign_as(&self, id: &str, list: &TrustList) -> String {
        let e = self.keys.get(id).unwrap();
        trust_list::sign(list, e.signer.as_ref(), std::slice::from_ref(&e.cert_der)).unwrap()
    }

    fn signed(&self) -> String {
        self.sign_as("yrd-trust-list-signer", &self.list)
    }
}

fn opts(signer: &[u8]) -> VerifyOptions<'_> {
    VerifyOptions {
        signer_cert: signer,
        at: AT,
        held_sequence: None,
        grace: Duration::days(1),
    }
}

#[test]
fn a_built_list_names_every_province_its_parties_and_local_codes() {
    let f = fixture(7, datetime!(2026-05-01 00:00 UTC), 30);
    let l = &f.list;
    assert_eq!(l.provinces.len(), 4);
    for p in Province::ALL {
        let e = l.province(p).unwrap();
        assert_eq!(e.roots.len(), 1, "{p:?}");
        assert!(e.issuing_agencies.len() >= 2, "{p:?}");
        assert_eq!(e.seal_authorities.len(), 1);
        assert_eq!(e.show_services.len(), 1);
        assert!(e.node_url.starts_with("http://127.0.0.1:808"));
    }
    // province roots become anchors for the leaf roles, never for trust-list signing
    let anchors = l.anchors();
    assert_eq!(anchors.len(), 4);
    assert_eq!(anchors.for_purpose(Purpose::LicenseSigning).count(), 4);
    assert_eq!(anchors.for_purpose(Purpose::TrustListSigning).count(), 0);
    // an agency is found by its certificate fingerprint, with its province
    let psb = f.keys.get("sh-agency-psb").unwrap();
    let found = l.agencies_with_cert(&trust_list::fingerprint(&psb.cert_der));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, Province::Shanghai);
    assert!(found[0]
        .1
        .license_types
        .contains(&"11100000000019713D001".to_string()));
    // local codes map onto their common type
    let catalog = Catalog::from_json(BUILTIN_CATALOG).unwrap();
    let (t, prov) = catalog
        .types()
        .iter()
        .find_map(|t| {
            t.local_codes
                .iter()
                .next()
                .map(|(p, c)| (t, (p.clone(), c.clone())))
        })
        .unwrap();
    let (mapped, from) = l.common_type(&prov.1).unwrap();
    assert_eq!(mapped.code, t.code);
    assert_eq!(from.map(|p| p.abbrev().to_string()), Some(prov.0));
    assert_eq!(l.common_type(&t.code).unwrap().1, None);
    assert!(l.common_type("99999999999999999X999").is_none());
}

#[test]
fn a_signed_list_is_accepted_and_names_its_digest() {
    let f = fixture(3, datetime!(2026-05-01 00:00 UTC), 60);
    let jws = f.signed();
    let cert = f.signer_cert();
    let v = trust_list::verify(&jws, &opts(&cert)).unwrap();
    assert_eq!(v.list, f.list);
    assert_eq!(v.digest.len(), 64);
    assert!(!v.overdue);
    let (r, _) = trust_list::verify_report(&jws, &opts(&cert));
    assert_eq!(r.indication, Indication::TotalPassed, "{r}");
    assert_eq!(r.checks.len(), 5);
    // the same sequence again is not a rollback
    let mut o = opts(&cert);
    o.held_sequence = Some(3);
    assert!(trust_list::verify(&jws, &o).is_ok());
}

#[test]
fn each_refusal_has_its_own_check_and_sub_indication() {
    let f = fixture(5, datetime!(2026-05-01 00:00 UTC), 10);
    let cert = f.signer_cert();
    let jws = f.signed();
    let judge = |text: &str, o: &VerifyOptions<'_>| {
        let (r, v) = trust_list::verify_report(text, o);
        let c = r.decisive_check().unwrap().code.clone();
        (r.indication, r.sub_indication, c, v.is_some())
    };
    // tampered payload: the signature no longer verifies
    let mut parts: Vec<String> = jws.split('.').map(String::from).collect();
    let mut doc = f.list.clone();
    doc.sequence = 99;
    parts[1] = deltaseal::jose::b64(&serde_json::to_vec(&doc).unwrap());
    let tampered = parts.join(".");
    assert_eq!(
        judge(&tampered, &opts(&cert)),
        (
            Indication::TotalFailed,
            Some(SubIndication::SigCryptoFailure),
            "trust_list.signature".into(),
            false
        )
    );
    // signed by someone else (a province root's key is not the pinned signer)
    let other = f.sign_as("zj-root", &f.list);
    assert_eq!(
        judge(&other, &opts(&cert)),
        (
            Indication::Indeterminate,
            Some(SubIndication::NoSignerCertificateFound),
            "trust_list.signer".into(),
            false
        )
    );
    // rolled back below the held sequence
    let mut o = opts(&cert);
    o.held_sequence = Some(6);
    assert_eq!(
        judge(&jws, &o),
        (
            Indication::TotalFailed,
            Some(SubIndication::PolicyProcessingError),
            "trust_list.sequence".into(),
            false
        )
    );
    assert!(matches!(
        trust_list::verify(&jws, &o),
        Err(TrustListError::Rollback { held: 6, got: 5 })
    ));
    // past next update: a warning within the grace, TRY_LATER beyond it
    let mut o = opts(&cert);
    o.at = datetime!(2026-05-11 12:00 UTC);
    let (r, v) = trust_list::verify_report(&jws, &o);
    assert_eq!(r.indication, Indication::TotalPassed);
    assert!(v.unwrap().overdue);
    o.at = datetime!(2026-05-13 00:00 UTC);
    assert_eq!(
        judge(&jws, &o),
        (
            Indication::Indeterminate,
            Some(SubIndication::TryLater),
            "trust_list.freshness".into(),
            false
        )
    );
    // garbage
    for bad in ["", "a.b.c", "not a jws", &"x".repeat(5 << 20)] {
        let (ind, sub, code, ok) = judge(bad, &opts(&cert));
        assert_eq!(
            (ind, sub, code.as_str(), ok),
            (
                Indication::TotalFailed,
                Some(SubIndication::FormatFailure),
                "trust_list.format",
                false
            )
        );
    }
}

#[test]
fn the_committed_demo_list_is_what_the_commands_make_and_it_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("list.json");
    let jws = dir.path().join("list.jws");
    let run = |args: &[&str]| {
        let out = Command::new(bin())
            .args(args)
            .current_dir(common::root())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    run(&[
        "trust-list",
        "build",
        "--sequence",
        "1",
        "--at",
        "2026-01-01T00:00:00Z",
        "--valid-days",
        "1096",
        "-o",
        json.to_str().unwrap(),
    ]);
    let committed = std::fs::read_to_string(common::root().join("keys/trust-list.json")).unwrap();
    assert_eq!(std::fs::read_to_string(&json).unwrap(), committed);
    run(&[
        "trust-list",
        "sign",
        json.to_str().unwrap(),
        "-o",
        jws.to_str().unwrap(),
    ]);
    let signer = "keys/yrd/trust-list-signer.cert.pem";
    for file in [jws.to_str().unwrap(), "keys/trust-list.jws"] {
        let out = run(&[
            "trust-list",
            "verify",
            "--signer",
            signer,
            "--at",
            "2026-06-01T00:00:00Z",
            "--json",
            file,
        ]);
        let r: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(r["indication"], "TOTAL_PASSED", "{out}");
    }
    // the CLI's exit codes: rollback 1, expired 3, unreadable 2
    let code = |args: &[&str]| {
        Command::new(bin())
            .args(args)
            .current_dir(common::root())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap()
            .code()
    };
    let base = ["trust-list", "verify", "--signer", signer];
    let with = |extra: &[&str]| {
        let mut v: Vec<&str> = base.to_vec();
        v.extend_from_slice(extra);
        code(&v)
    };
    assert_eq!(
        with(&["--held-sequence", "2", "keys/trust-list.jws"]),
        Some(1)
    );
    assert_eq!(
        with(&["--at", "2030-01-01T00:00:00Z", "keys/trust-list.jws"]),
        Some(3)
    );
    assert_eq!(with(&["no-such-file.jws"]), Some(2));
    assert_eq!(with(&["--at", "yesterday", "keys/trust-list.jws"]), Some(2));
    let shown = run(&["trust-list", "show", "keys/trust-list.jws"]);
    assert!(shown.contains("trust list #1"), "{shown}");
}

#[test]
fn jwcrypto_verifies_the_demo_list() {
    let py = crate::license::interop::python();
    let jws = std::fs::read(common::root().join("keys/trust-list.jws")).unwrap();
    let run = |signer: &str, text: &[u8]| {
        let mut child = Command::new(&py)
            .arg(common::root().join("tests/interop/verify_trust_list.py"))
            .arg(common::root().join(signer))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(text).unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (ok, out) = run("keys/yrd/trust-list-signer.cert.pem", &jws);
    assert!(ok, "{out}");
    assert_eq!(out.trim(), "1 4");
    // a flipped signature byte fails there too
    let text = String::from_utf8(jws).unwrap();
    let mut bad: Vec<char> = text.trim().chars().collect();
    let i = bad.len() - 10;
    bad[i] = if bad[i] == 'A' { 'B' } else { 'A' };
    let bad: String = bad.into_iter().collect();
    let (ok, _) = run("keys/yrd/trust-list-signer.cert.pem", bad.as_bytes());
    assert!(!ok);
    // and another pinned certificate is refused
    let (ok, _) = run("keys/zj/root.cert.pem", bad.as_bytes());
    assert!(!ok);
}

/// A reader that closes standard output early (`deltaseal … | head`) ends the command
/// quietly: exit 141 as for SIGPIPE, no panic message.
#[test]
fn a_closed_stdout_ends_the_command_quietly() {
    // `true` exits at once, so the read end is closed before deltaseal writes
    let script = format!(
        "{{ sleep 0.5; '{}' trust-list show --json keys/trust-list.jws; echo \"rc=$?\" >&2; }} | true",
        bin().display()
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .current_dir(common::root())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("rc=141"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
