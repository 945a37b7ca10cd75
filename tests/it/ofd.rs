//! OFD documents: the field samples through `deltaseal seal verify`, stamping with the
//! demo hierarchy, tampering, and hostile packages.

use std::io::Write;
use std::process::Command;

use deltaseal::crypto::{PrivateKey, SoftwareSigner};
use deltaseal::report::{Indication, Outcome, Report, SubIndication};
use deltaseal::seal::asn1::Picture;
use deltaseal::seal::make::{make_seal, CertListForm, SealRequest, SealType};
use deltaseal::seal::ofd::{
    stamp_ofd, verify_ofd, verify_package, Limits, OfdError, OfdPackage, PathProblem, Placement,
    StampOptions, VerifyOptions, XmlProblem,
};
use deltaseal::seal::Seal;
use time::macros::datetime;

use crate::common::pki::{certify, pem_der, Party};
use crate::common::{bin, fixed_now, fixtures, root};

fn sample_path(name: &str) -> std::path::PathBuf {
    fixtures().join("samples/ofd").join(name)
}

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(sample_path(name)).expect("sample present")
}

/// `deltaseal seal verify FILE --json [args]` → (exit code, report).
fn cli_verify(file: &std::path::Path, args: &[&str]) -> (i32, Report) {
    let out = Command::new(bin())
        .args(["seal", "verify"])
        .arg(file)
        .arg("--json")
        .args(args)
        .output()
        .expect("run deltaseal");
    let code = out.status.code().expect("exit code");
    let report: Report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON report ({e}); exit {code}; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, report)
}

fn outcomes<'a>(r: &'a Report, code: &str) -> Vec<(&'a str, Outcome)> {
    r.checks
        .iter()
        .filter(|c| c.code == code)
        .map(|c| (c.subject.as_deref().unwrap_or(""), c.outcome))
        .collect()
}

fn outcome(r: &Report, code: &str) -> Outcome {
    r.check(code)
        .unwrap_or_else(|| panic!("no check {code} in\n{r}"))
        .outcome
}

/// The checks the samples README calls seal, tbs, hash and refs all pass for `tag`.
fn assert_stamp_checks_pass(r: &Report, tag: &str) {
    for c in ["seal.signature", "stamp.signature", "stamp.data_hash"] {
        assert_eq!(
            outcome(r, &format!("sign[{tag}].{c}")),
            Outcome::Passed,
            "{c}\n{r}"
        );
    }
    let refs = outcomes(r, &format!("sign[{tag}].reference"));
    assert!(!refs.is_empty());
    assert!(refs.iter().all(|(_, o)| *o == Outcome::Passed), "{r}");
}

#[test]
fn sample_signed_file_is_valid_but_trust_indeterminate() {
    let (code, r) = cli_verify(&sample_path("signedFile.ofd"), &[]);
    assert_stamp_checks_pass(&r, "Sign_0");
    assert_eq!(outcomes(&r, "sign[Sign_0].reference").len(), 13);
    assert_eq!(
        r.check("sign[Sign_0].signer.chain").unwrap().sub_indication,
        Some(SubIndication::NoCertificateChainFound)
    );
    assert_eq!(r.indication, Indication::Indeterminate, "{r}");
    assert_eq!(code, 3);
}

#[test]
fn sample_v4signed_is_valid_but_trust_indeterminate() {
    let (code, r) = cli_verify(&sample_path("v4signed.ofd"), &[]);
    assert_stamp_checks_pass(&r, "Sign_0");
    assert_eq!(r.indication, Indication::Indeterminate, "{r}");
    assert_eq!(code, 3);
}

#[test]
fn sample_sesv4_sign_doc_checks_all_pass() {
    // Seal, tbs, hash, refs and the Seal.esl file are all valid. The sample was stamped
    // on 2026-08-04 with a test seal that ended in 2022, so the dates decide the verdict.
    let (code, r) = cli_verify(&sample_path("SESV4SignDoc.ofd"), &[]);
    assert_stamp_checks_pass(&r, "Sign_0");
    assert_eq!(outcome(&r, "sign[Sign_0].seal_file"), Outcome::Passed);
    assert_eq!(outcome(&r, "sign[Sign_0].seal.validity"), Outcome::Failed);
    assert_eq!(r.exit_code(), code);
}

#[test]
fn sample_digital_sign_verifies_with_its_signer_certificate() {
    let user = fixtures().join("samples/keys/user.pem");
    let (code, r) = cli_verify(
        &sample_path("DigitalSign.ofd"),
        &["--cert", user.to_str().unwrap()],
    );
    assert_eq!(
        outcome(&r, "sign[Sign_0].signature"),
        Outcome::Passed,
        "{r}"
    );
    assert!(outcomes(&r, "sign[Sign_0].reference")
        .iter()
        .all(|(_, o)| *o == Outcome::Passed));
    assert_eq!(r.indication, Indication::TotalPassed, "{r}");
    assert_eq!(code, 0);
    // Without the certificate the signature cannot be checked; with another key it fails.
    let (code, r) = cli_verify(&sample_path("DigitalSign.ofd"), &[]);
    assert_eq!(code, 3, "{r}");
    let other = fixtures().join("samples/keys/sign_cert.pem");
    let (code, r) = cli_verify(
        &sample_path("DigitalSign.ofd"),
        &["--cert", other.to_str().unwrap()],
    );
    assert_eq!(code, 1, "{r}");
    assert_eq!(r.sub_indication, Some(SubIndication::SigCryptoFailure));
}

#[test]
fn sample_h_two_stamps_policy_warns_on_signature_list() {
    let (code, r) = cli_verify(&sample_path("h.ofd"), &[]);
    assert_stamp_checks_pass(&r, "Sign_1");
    let refs0 = outcomes(&r, "sign[Sign_0].reference");
    assert_eq!(refs0.len(), 9);
    for (subject, o) in refs0 {
        let expected = if subject == "/Doc_0/Signs/Signatures.xml" {
            Outcome::Warning
        } else {
            Outcome::Passed
        };
        assert_eq!(o, expected, "{subject}");
    }
    let warn = r
        .checks
        .iter()
        .find(|c| c.outcome == Outcome::Warning)
        .unwrap();
    assert!(
        warn.reason.en.contains("multi-stamp policy"),
        "{}",
        warn.reason.en
    );
    assert!(warn.reason.en.contains("/Doc_0/Signs/Signatures.xml"));
    assert_eq!(r.indication, Indication::Indeterminate, "{r}");
    assert_eq!(code, 3);
}

#[test]
fn unsigned_samples_have_no_signature() {
    for f in ["helloworld.ofd", "doc1File.ofd"] {
        let (code, r) = cli_verify(&sample_path(f), &[]);
        assert_eq!(code, 1, "{f}");
        assert_eq!(r.sub_indication, Some(SubIndication::SignedDataNotFound));
    }
}

// ---------------------------------------------------------------- stamping

struct Demo {
    seal: Seal,
    signer: SoftwareSigner,
    signer_cert: Vec<u8>,
    root: Vec<u8>,
}

fn demo(province: &str, org: &str) -> Demo {
    let keys = root().join("keys").join(province);
    let key = |n: &str| {
        PrivateKey::from_pem(&std::fs::read_to_string(keys.join(format!("{n}.key.pem"))).unwrap())
            .unwrap()
    };
    let authority_cert = pem_der(&keys.join("seal-authority.cert.pem"));
    let signer_cert = pem_der(&keys.join(format!("{org}.cert.pem")));
    let req = SealRequest {
        es_id_base: format!("{}0000000001", province.to_uppercase()),
        seal_type: SealType::Organisation,
        name: "演示合同专用章".into(),
        signers: vec![signer_cert.clone()],
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
    let authority = SoftwareSigner::new("seal-authority", key("seal-authority"));
    let seal = make_seal(
        &req,
        &authority,
        &authority_cert,
        datetime!(2026-01-02 00:00 UTC),
    )
    .unwrap();
    Demo {
        seal,
        signer: SoftwareSigner::new(org, key(org)),
        signer_cert,
        root: pem_der(&keys.join("root.cert.pem")),
    }
}

fn stamp(bytes: &[u8], d: &Demo, placement: Placement) -> Vec<u8> {
    let pkg = OfdPackage::read(bytes, Limits::default()).unwrap();
    let opts = StampOptions {
        placement,
        size_mm: None,
    };
    stamp_ofd(pkg, &d.seal, &d.signer, &d.signer_cert, &opts, fixed_now()).unwrap()
}

fn trusted(d: &Demo) -> VerifyOptions {
    let mut o = VerifyOptions::new(fixed_now());
    o.trust_anchors = deltaseal::pki::TrustAnchors::any_purpose([d.root.clone()]);
    o
}

fn at_page(page: usize) -> Placement {
    Placement::Coordinates {
        page,
        x: 100.0,
        y: 200.0,
    }
}

#[test]
fn project_stamp_verifies_and_keeps_the_sample_layout() {
    let d = demo("sh", "org-1");
    let out = stamp(&sample("helloworld.ofd"), &d, at_page(0));
    let r = verify_ofd(&out, &trusted(&d)).unwrap();
    assert_eq!(r.indication, Indication::TotalPassed, "{r}");
    assert_eq!(outcome(&r, "sign[Sign_0].seal_file"), Outcome::Passed);

    // Same layout as the ofdrw-stamped sample of the same document.
    let ours = OfdPackage::read(&out, Limits::default()).unwrap();
    let theirs = OfdPackage::read(&sample("SESV4SignDoc.ofd"), Limits::default()).unwrap();
    let files = |p: &OfdPackage| {
        let mut v: Vec<String> = p
            .entries()
            .iter()
            .filter(|e| !e.is_dir())
            .map(|e| e.name.clone())
            .collect();
        v.sort();
        v
    };
    assert_eq!(files(&ours), files(&theirs));
    let ofd_xml = std::str::from_utf8(ours.file("OFD.xml").unwrap()).unwrap();
    assert!(ofd_xml.contains("<ofd:Signatures>/Doc_0/Signs/Signatures.xml</ofd:Signatures>"));
    // Each Signature.xml has the same elements (ignoring order), references the same files.
    let parts = |p: &OfdPackage| {
        let s = deltaseal::seal::ofd::model::signature_file(p, "Doc_0/Signs/Sign_0/Signature.xml")
            .unwrap();
        let mut refs: Vec<String> = s.references.iter().map(|r| r.file_ref.clone()).collect();
        refs.sort();
        (refs, s.seal, s.signed_value, s.stamp_annots.len())
    };
    assert_eq!(parts(&ours), parts(&theirs));
    let (list, _) =
        deltaseal::seal::ofd::model::signature_list(&ours, "Doc_0/Signs/Signatures.xml").unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].base_loc, "Doc_0/Signs/Sign_0/Signature.xml");
}

#[test]
fn two_stamps_both_verify_through_the_cli() {
    let d1 = demo("sh", "org-1");
    let d2 = demo("zj", "org-1");
    let once = stamp(&sample("helloworld.ofd"), &d1, at_page(0));
    let twice = stamp(&once, &d2, Placement::Keyword { text: "OFD".into() });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("twice.ofd");
    std::fs::write(&path, &twice).unwrap();
    let sh_root = root().join("keys/sh/root.cert.pem");
    let zj_root = root().join("keys/zj/root.cert.pem");
    let (code, r) = cli_verify(
        &path,
        &[
            "--trust",
            sh_root.to_str().unwrap(),
            "--trust",
            zj_root.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{r}");
    // Our stamps leave the signature list out of their references, so no warning.
    assert!(r
        .checks
        .iter()
        .filter(|c| c.code.ends_with(".reference"))
        .all(|c| c.outcome == Outcome::Passed));
    assert_eq!(outcomes(&r, "sign[Sign_0].stamp.signature").len(), 1);
    assert_eq!(outcomes(&r, "sign[Sign_1].stamp.signature").len(), 1);
    // The second stamp covers the first one's files, and sits over the keyword.
    let pkg = OfdPackage::read(&twice, Limits::default()).unwrap();
    let s1 = deltaseal::seal::ofd::model::signature_file(&pkg, "Doc_0/Signs/Sign_1/Signature.xml")
        .unwrap();
    let refs: Vec<&str> = s1.references.iter().map(|r| r.file_ref.as_str()).collect();
    assert!(refs.contains(&"/Doc_0/Signs/Sign_0/SignedValue.dat"));
    assert!(!refs.contains(&"/Doc_0/Signs/Sign_1/Signature.xml"));
    let [x, y, w, h] = s1.stamp_annots[0].boundary;
    // "OFD" in 你好呀，OFD Reader&Writer！ starts at 31.7 + 4×3 = 43.7 mm.
    assert!(x < 43.7 + 4.5 && x + w > 43.7, "{x} {w}");
    assert!(y < 28.0 && y + h > 28.0, "{y} {h}");
    // Without trust anchors the same document is indeterminate, not failed.
    let (code, _) = cli_verify(&path, &[]);
    assert_eq!(code, 3);
}

#[test]
fn stamp_on_a_multi_page_document_by_keyword_and_page() {
    let d = demo("ah", "org-2");
    let out = stamp(&sample("h.ofd"), &d, at_page(3));
    let r = verify_ofd(&out, &trusted(&d)).unwrap();
    // The two ofdrw stamps stay as they were (indeterminate trust), ours passes.
    assert_eq!(
        outcome(&r, "sign[Sign_2].stamp.signature"),
        Outcome::Passed,
        "{r}"
    );
    assert_eq!(
        outcome(&r, "sign[Sign_2].signer.chain.build"),
        Outcome::Passed,
        "{r}"
    );
    assert_stamp_checks_pass(&r, "Sign_1");
    assert!(outcomes(&r, "sign[Sign_0].reference")
        .iter()
        .any(|(s, o)| *s == "/Doc_0/Signs/Signatures.xml" && *o == Outcome::Warning));
    let pkg = OfdPackage::read(&out, Limits::default()).unwrap();
    let s = deltaseal::seal::ofd::model::signature_file(&pkg, "Doc_0/Signs/Sign_2/Signature.xml")
        .unwrap();
    assert_eq!(s.stamp_annots[0].page_ref, "63");
    assert_eq!(s.stamp_annots[0].boundary, [100.0, 200.0, 42.0, 42.0]);
    let missing = StampOptions {
        placement: Placement::Keyword {
            text: "没有这个词".into(),
        },
        size_mm: None,
    };
    assert!(matches!(
        stamp_ofd(
            pkg,
            &d.seal,
            &d.signer,
            &d.signer_cert,
            &missing,
            fixed_now()
        ),
        Err(OfdError::Placement(_))
    ));
}

// ---------------------------------------------------------------- tampering

fn rewrite(bytes: &[u8], name: &str, f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let pkg = OfdPackage::read(bytes, Limits::default()).unwrap();
    let mut data = pkg.file(name).unwrap().to_vec();
    f(&mut data);
    let mut pkg = pkg;
    pkg.put(name, data, false).unwrap();
    pkg.write().unwrap()
}

fn flip_middle(d: &mut Vec<u8>) {
    let d = d.as_mut_slice();
    let i = d.len() / 2;
    d[i] ^= 0x01;
}

#[test]
fn tampered_referenced_files_fail_naming_the_file() {
    let d = demo("sh", "org-2");
    let good = stamp(&sample("helloworld.ofd"), &d, at_page(0));
    for name in [
        "Doc_0/Pages/Page_0/Content.xml",
        "Doc_0/Document.xml",
        "Doc_0/PublicRes.xml",
        "OFD.xml",
    ] {
        let bad = rewrite(&good, name, |d| {
            // A change that keeps the XML well formed: the last byte before the end.
            let i = d.iter().rposition(|&b| b == b'<').unwrap() - 1;
            d.insert(i, b' ');
        });
        let r = verify_ofd(&bad, &trusted(&d)).unwrap();
        assert_eq!(r.indication, Indication::TotalFailed, "{name}");
        assert_eq!(r.sub_indication, Some(SubIndication::HashFailure), "{name}");
        let c = r.decisive_check().unwrap();
        assert_eq!(c.code, "sign[Sign_0].reference");
        assert_eq!(c.subject.as_deref(), Some(format!("/{name}").as_str()));
        assert!(c.reason.en.contains(name), "{}", c.reason.en);
    }
    // The seal file is referenced too.
    let bad = rewrite(&good, "Doc_0/Signs/Sign_0/Seal.esl", flip_middle);
    let r = verify_ofd(&bad, &trusted(&d)).unwrap();
    assert_eq!(r.sub_indication, Some(SubIndication::HashFailure));
    assert_eq!(
        r.decisive_check().unwrap().subject.as_deref(),
        Some("/Doc_0/Signs/Sign_0/Seal.esl")
    );
}

#[test]
fn tampered_signature_xml_and_signed_value_fail() {
    let d = demo("js", "org-1");
    let good = stamp(&sample("helloworld.ofd"), &d, at_page(0));
    let bad = rewrite(&good, "Doc_0/Signs/Sign_0/Signature.xml", |x| {
        let s = String::from_utf8(x.clone()).unwrap();
        *x = s
            .replace("Boundary=\"100 200", "Boundary=\"10 200")
            .into_bytes();
    });
    let r = verify_ofd(&bad, &trusted(&d)).unwrap();
    assert_eq!(r.indication, Indication::TotalFailed);
    assert_eq!(r.sub_indication, Some(SubIndication::HashFailure));
    let c = r.decisive_check().unwrap();
    assert_eq!(c.code, "sign[Sign_0].stamp.data_hash");
    assert_eq!(
        c.subject.as_deref(),
        Some("/Doc_0/Signs/Sign_0/Signature.xml")
    );
    assert!(c.reason.en.contains("/Doc_0/Signs/Sign_0/Signature.xml"));

    // The signature value at the end of SignedValue.dat.
    let bad = rewrite(&good, "Doc_0/Signs/Sign_0/SignedValue.dat", |x| {
        let n = x.len();
        x[n - 5] ^= 0x01;
    });
    let r = verify_ofd(&bad, &trusted(&d)).unwrap();
    assert_eq!(r.indication, Indication::TotalFailed, "{r}");
    assert_eq!(
        r.sub_indication,
        Some(SubIndication::SigCryptoFailure),
        "{r}"
    );
    assert_eq!(
        r.decisive_check().unwrap().code,
        "sign[Sign_0].stamp.signature"
    );

    // Garbage instead of a SES_Signature.
    let bad = rewrite(&good, "Doc_0/Signs/Sign_0/SignedValue.dat", |x| {
        x.truncate(10)
    });
    let r = verify_ofd(&bad, &trusted(&d)).unwrap();
    assert_eq!(r.sub_indication, Some(SubIndication::FormatFailure), "{r}");

    // A file of the first signature changed after a later stamp: still FAILED.
    let twice = stamp(&good, &d, at_page(0));
    let bad = rewrite(&twice, "Doc_0/Document.xml", |x| x.push(b' '));
    let r = verify_ofd(&bad, &trusted(&d)).unwrap();
    assert_eq!(r.indication, Indication::TotalFailed);
    assert_eq!(
        r.decisive_check().unwrap().subject.as_deref(),
        Some("/Doc_0/Document.xml")
    );
}

#[test]
fn signature_list_changed_without_a_later_stamp_fails() {
    // h.ofd with Sign_1 dropped from the list: Sign_0's reference to the list no longer
    // matches and no later signature explains it.
    let h = sample("h.ofd");
    let bad = rewrite(&h, "Doc_0/Signs/Signatures.xml", |x| {
        let s = String::from_utf8(x.clone()).unwrap();
        let i = s.find("<ofd:Signature ID=\"s007\"").unwrap();
        let j = s[i..].find("/>").unwrap() + i + 2;
        *x = format!("{}{}", &s[..i], &s[j..]).into_bytes();
    });
    let r = verify_ofd(&bad, &VerifyOptions::new(fixed_now())).unwrap();
    assert_eq!(r.indication, Indication::TotalFailed, "{r}");
    let c = r.decisive_check().unwrap();
    assert_eq!(c.code, "sign[Sign_0].reference");
    assert_eq!(c.subject.as_deref(), Some("/Doc_0/Signs/Signatures.xml"));
    assert_eq!(c.sub_indication, Some(SubIndication::HashFailure));
}

#[test]
fn missing_referenced_file_is_named() {
    let d = demo("sh", "org-1");
    let good = stamp(&sample("helloworld.ofd"), &d, at_page(0));
    let mut pkg = OfdPackage::empty(Limits::default());
    let src = OfdPackage::read(&good, Limits::default()).unwrap();
    for e in src.entries() {
        if e.name != "Doc_0/PublicRes.xml" {
            pkg.put(&e.name, e.data.clone(), e.stored).unwrap();
        }
    }
    assert!(matches!(
        pkg.file("/Doc_0/PublicRes.xml"),
        Err(OfdError::MissingFile { ref path }) if path == "/Doc_0/PublicRes.xml"
    ));
    let r = verify_package(&pkg, &trusted(&d)).unwrap();
    let c = r.decisive_check().unwrap();
    assert_eq!(c.sub_indication, Some(SubIndication::SignedDataNotFound));
    assert_eq!(c.subject.as_deref(), Some("/Doc_0/PublicRes.xml"));
}

// ---------------------------------------------------------------- hostile packages

fn zip_of(entries: &[(&str, &[u8], bool)]) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data, deflate) in entries {
        let m = if *deflate {
            zip::CompressionMethod::Deflated
        } else {
            zip::CompressionMethod::Stored
        };
        w.start_file(*name, SimpleFileOptions::default().compression_method(m))
            .unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn zip_bomb_is_refused_with_bounded_memory() {
    // 64 MiB of zeros deflates to ~64 KiB: ratio ~1000:1.
    let zeros = vec![0u8; 64 << 20];
    let bomb = zip_of(&[("OFD.xml", b"<a/>", true), ("Doc_0/bomb.bin", &zeros, true)]);
    assert!(bomb.len() < 1 << 20);
    match OfdPackage::read(&bomb, Limits::default()) {
        Err(OfdError::CompressionRatio { name, .. }) => assert_eq!(name, "Doc_0/bomb.bin"),
        other => panic!("{other:?}"),
    }
    // With a generous ratio, the per-entry and total limits still hold.
    let limits = Limits {
        max_ratio: 100_000,
        max_entry_size: 8 << 20,
        ..Limits::default()
    };
    assert!(matches!(
        OfdPackage::read(&bomb, limits),
        Err(OfdError::EntryTooLarge { .. })
    ));
    let limits = Limits {
        max_ratio: 100_000,
        max_total_size: 16 << 20,
        ..Limits::default()
    };
    assert!(matches!(
        OfdPackage::read(&bomb, limits),
        Err(OfdError::TotalTooLarge { .. })
    ));
    // Through the CLI: a clear error and exit 2.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bomb.ofd");
    std::fs::write(&p, &bomb).unwrap();
    let out = Command::new(bin())
        .args(["seal", "verify"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("zip bomb"));
}

#[test]
fn unsafe_entry_names_are_refused() {
    for (name, problem) in [
        ("../evil.xml", PathProblem::ParentDir),
        ("Doc_0/../../evil.xml", PathProblem::ParentDir),
        ("/etc/evil.xml", PathProblem::Absolute),
        ("Doc_0\\evil.xml", PathProblem::Backslash),
    ] {
        let z = zip_of(&[("OFD.xml", b"<a/>", false), (name, b"x", false)]);
        match OfdPackage::read(&z, Limits::default()) {
            Err(OfdError::UnsafePath { path, problem: p }) => {
                assert_eq!(path, name);
                assert_eq!(p, problem);
            }
            other => panic!("{name}: {other:?}"),
        }
    }
    // Two entries named alike (the zip writer refuses that, so rename one in place).
    let mut z = zip_of(&[("OFD.xml", b"<a/>", false), ("OFD.xmk", b"<b/>", false)]);
    while let Some(i) = z.windows(7).position(|w| w == b"OFD.xmk") {
        z[i + 6] = b'l';
    }
    assert!(matches!(
        OfdPackage::read(&z, Limits::default()),
        Err(OfdError::DuplicateEntry { name }) if name == "OFD.xml"
    ));
    // A reference that climbs out of the package is refused, not followed.
    assert!(matches!(
        deltaseal::seal::ofd::container::resolve(
            "Doc_0/Signs/Sign_0/Signature.xml",
            "../../../../x"
        ),
        Err(OfdError::UnsafePath {
            problem: PathProblem::ParentDir,
            ..
        })
    ));
}

#[test]
fn too_many_entries_and_truncated_zips_are_refused() {
    let names: Vec<String> = (0..50).map(|i| format!("f{i}")).collect();
    let entries: Vec<(&str, &[u8], bool)> = names
        .iter()
        .map(|n| (n.as_str(), &b"x"[..], false))
        .collect();
    let z = zip_of(&entries);
    let limits = Limits {
        max_entries: 10,
        ..Limits::default()
    };
    assert!(matches!(
        OfdPackage::read(&z, limits),
        Err(OfdError::TooManyEntries { count: 50, max: 10 })
    ));
    let good = sample("helloworld.ofd");
    for cut in [0, 10, good.len() / 2, good.len() - 30, good.len() - 1] {
        let r = OfdPackage::read(&good[..cut], Limits::default());
        assert!(
            matches!(r, Err(OfdError::Truncated(_)) | Err(OfdError::Zip(_))),
            "cut {cut}: {r:?}"
        );
    }
    // Bytes changed inside a stored entry: the zip CRC catches them.
    let mut z = zip_of(&[("OFD.xml", b"<ofd:OFD/>", false)]);
    let i = z.windows(4).position(|w| w == b"OFD/").unwrap();
    z[i] = b'X';
    match OfdPackage::read(&z, Limits::default()) {
        Err(OfdError::CorruptEntry { name, why }) => {
            assert_eq!(name, "/OFD.xml");
            assert_eq!(why, "its CRC-32 does not match its bytes");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn stored_entries_are_views_of_the_package_under_the_same_limits() {
    let blob: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let z = zip_of(&[
        ("OFD.xml", b"<ofd:OFD/>", true),
        ("Doc_0/Res/blob.bin", &blob, false),
        ("Doc_0/Res/small.txt", b"stored text", false),
    ]);
    // Handed over or copied, the package reads the same, and every stored entry's bytes
    // are the file's.
    let owned = OfdPackage::read_owned(z.clone(), Limits::default()).unwrap();
    let copied = OfdPackage::read(&z, Limits::default()).unwrap();
    assert_eq!(owned.entries(), copied.entries());
    assert_eq!(owned.file("/Doc_0/Res/blob.bin").unwrap(), &blob[..]);
    assert_eq!(owned.file("/Doc_0/Res/small.txt").unwrap(), b"stored text");
    assert_eq!(owned.file("/OFD.xml").unwrap(), b"<ofd:OFD/>");
    // Written back unchanged, then read again: the same files.
    let again = OfdPackage::read(&owned.write().unwrap(), Limits::default()).unwrap();
    assert_eq!(again.entries(), owned.entries());
    // A stored entry is held to the entry and total limits like an inflated one.
    let small = Limits {
        max_entry_size: 100_000,
        ..Limits::default()
    };
    match OfdPackage::read(&z, small) {
        Err(OfdError::EntryTooLarge { name, max }) => {
            assert_eq!((name.as_str(), max), ("Doc_0/Res/blob.bin", 100_000))
        }
        other => panic!("{other:?}"),
    }
    let total = Limits {
        max_total_size: 200_000,
        ..Limits::default()
    };
    assert!(matches!(
        OfdPackage::read(&z, total),
        Err(OfdError::TotalTooLarge { max: 200_000 })
    ));
    // A stored entry whose central directory claims more bytes than the package holds
    // is refused as ending inside the package, never read past its end.
    let mut long = z.clone();
    let cd = long
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"PK\x01\x02")
        .map(|(i, _)| i)
        .nth(1)
        .unwrap();
    for field in [cd + 20, cd + 24] {
        long[field..field + 4].copy_from_slice(&5_000_000u32.to_le_bytes());
    }
    match OfdPackage::read(&long, Limits::default()) {
        Err(OfdError::CorruptEntry { name, why }) => {
            assert_eq!(name, "/Doc_0/Res/blob.bin");
            assert_eq!(why, "the package ends inside it");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn xml_entity_bomb_and_deep_nesting_are_refused() {
    let lol = br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016">&lol2;</ofd:OFD>"#;
    let z = zip_of(&[("OFD.xml", lol, true)]);
    let started = std::time::Instant::now();
    match verify_ofd(&z, &VerifyOptions::new(fixed_now())) {
        Err(OfdError::Xml { file, problem }) => {
            assert_eq!(file, "/OFD.xml");
            assert_eq!(problem, XmlProblem::Doctype);
        }
        other => panic!("{other:?}"),
    }
    let deep = format!(
        r#"<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016">{}{}</ofd:OFD>"#,
        "<ofd:X>".repeat(1000),
        "</ofd:X>".repeat(1000)
    );
    let z = zip_of(&[("OFD.xml", deep.as_bytes(), true)]);
    assert!(matches!(
        verify_ofd(&z, &VerifyOptions::new(fixed_now())),
        Err(OfdError::Xml {
            problem: XmlProblem::TooDeep { .. },
            ..
        })
    ));
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // An entity bomb inside a signature part is reported for that signature.
    let bytes = sample("SESV4SignDoc.ofd");
    let bad = rewrite(&bytes, "Doc_0/Signs/Sign_0/Signature.xml", |x| {
        *x = lol.to_vec()
    });
    let r = verify_ofd(&bad, &VerifyOptions::new(fixed_now())).unwrap();
    let c = r.decisive_check().unwrap();
    assert_eq!(c.code, "sign[Sign_0].format");
    assert_eq!(c.sub_indication, Some(SubIndication::FormatFailure));
    assert!(c.reason.en.contains("DOCTYPE"), "{}", c.reason.en);
}

#[test]
fn cli_stamps_an_ofd_by_keyword_and_by_coordinates() {
    let d = demo("sh", "org-1");
    let dir = tempfile::tempdir().unwrap();
    let seal = dir.path().join("seal.esl");
    std::fs::write(&seal, d.seal.der()).unwrap();
    let keys = root().join("keys");
    let once = dir.path().join("once.ofd");
    let twice = dir.path().join("twice.ofd");
    let run = |args: &[&std::ffi::OsStr]| {
        let out = Command::new(bin())
            .args(["seal", "stamp", "--id", "sh-org-1", "--keys"])
            .arg(&keys)
            .arg("--seal")
            .arg(&seal)
            .args(["--at", "2026-06-01T00:00:00Z"])
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, err) = run(&[
        "--keyword".as_ref(),
        "Reader".as_ref(),
        "-o".as_ref(),
        once.as_os_str(),
        sample_path("helloworld.ofd").as_os_str(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let (code, err) = run(&[
        "--page".as_ref(),
        "0".as_ref(),
        "--x".as_ref(),
        "120".as_ref(),
        "--y".as_ref(),
        "240".as_ref(),
        "--size".as_ref(),
        "30".as_ref(),
        "30".as_ref(),
        "-o".as_ref(),
        twice.as_os_str(),
        once.as_os_str(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let sh_root = root().join("keys/sh/root.cert.pem");
    let (code, r) = cli_verify(
        &twice,
        &[
            "--trust",
            sh_root.to_str().unwrap(),
            "--at",
            "2026-06-01T00:00:00Z",
        ],
    );
    assert_eq!(code, 0, "{r}");
    let pkg = OfdPackage::read(&std::fs::read(&twice).unwrap(), Limits::default()).unwrap();
    let s = deltaseal::seal::ofd::model::signature_file(&pkg, "Doc_0/Signs/Sign_1/Signature.xml")
        .unwrap();
    assert_eq!(s.stamp_annots[0].boundary, [120.0, 240.0, 30.0, 30.0]);
    // Neither a keyword nor coordinates: a usage error, exit 2.
    let (code, _) = run(&["-o".as_ref(), twice.as_os_str(), once.as_os_str()]);
    assert_eq!(code, Some(2));
}

/// A root, seal authority and organisation signer of `alg`, issued for the test.
fn generated(alg: deltaseal::crypto::Algorithm) -> Demo {
    use deltaseal::pki::{CertTemplate, Province, Role, SubjectName};
    let template = |role: Role, cn: &str| {
        CertTemplate::for_role(
            role,
            SubjectName::new(Some(Province::Jiangsu), "测试单位", None, cn),
            vec![],
            datetime!(2026-01-01 00:00 UTC),
            datetime!(2030-01-01 00:00 UTC),
            true,
        )
    };
    let root = certify(
        alg,
        "root",
        &template(Role::ProvinceRoot, "Test Root"),
        None,
    );
    let under_root = |role: Role, cn: &str| certify(alg, cn, &template(role, cn), Some(&root));
    let Party {
        signer: authority,
        cert: authority_cert,
    } = under_root(Role::SealAuthority, "Test Seal Authority");
    let Party {
        signer,
        cert: signer_cert,
    } = under_root(Role::OrganisationSigner, "Test Stamping");
    let req = SealRequest {
        es_id_base: "JS0000000777".into(),
        seal_type: SealType::Organisation,
        name: "测试专用章".into(),
        signers: vec![signer_cert.clone()],
        cert_list_form: CertListForm::Sm3Digests,
        valid_start: datetime!(2026-01-02 00:00 UTC),
        valid_end: datetime!(2028-12-31 00:00 UTC),
        picture: Picture {
            kind: "PNG".into(),
            data: std::fs::read(fixtures().join("samples/seal/StampImg.png")).unwrap(),
            width_mm: 40,
            height_mm: 40,
        },
    };
    let seal = make_seal(
        &req,
        &authority,
        &authority_cert,
        datetime!(2026-01-02 00:00 UTC),
    )
    .unwrap();
    Demo {
        seal,
        signer,
        signer_cert,
        root: root.cert,
    }
}

#[rstest::rstest]
#[case::sm2(deltaseal::crypto::Algorithm::Sm2Sm3, "1.2.156.10197.1.401")]
#[case::p256(
    deltaseal::crypto::Algorithm::EcdsaP256Sha256,
    "2.16.840.1.101.3.4.2.1"
)]
fn stamp_and_verify_per_algorithm(
    #[case] alg: deltaseal::crypto::Algorithm,
    #[case] check_method: &str,
) {
    let d = generated(alg);
    let out = stamp(&sample("doc1File.ofd"), &d, at_page(2));
    let r = verify_ofd(&out, &trusted(&d)).unwrap();
    assert!(
        !r.checks
            .iter()
            .any(|c| matches!(c.outcome, Outcome::Failed | Outcome::Indeterminate)),
        "{r}"
    );
    let pkg = OfdPackage::read(&out, Limits::default()).unwrap();
    let bodies = deltaseal::seal::ofd::model::doc_bodies(&pkg).unwrap();
    assert_eq!(
        bodies[0].signatures.as_deref(),
        Some("Doc_1/Signs/Signatures.xml")
    );
    let s = deltaseal::seal::ofd::model::signature_file(&pkg, "Doc_1/Signs/Sign_0/Signature.xml")
        .unwrap();
    assert_eq!(s.check_method.as_deref(), Some(check_method));
    assert_eq!(
        s.method.as_deref(),
        Some(alg.signature_oid().to_string().as_str())
    );
    assert_eq!(s.stamp_annots[0].page_ref, "95");
    // The 496 KB font is referenced and checked like every other file.
    assert!(outcomes(&r, "sign[Sign_0].reference")
        .iter()
        .any(|(f, o)| *f == "/Doc_1/Res/font_1.otf" && *o == Outcome::Passed));
    let bad = rewrite(&out, "Doc_1/Res/font_1.otf", flip_middle);
    let r = verify_ofd(&bad, &trusted(&d)).unwrap();
    assert_eq!(r.sub_indication, Some(SubIndication::HashFailure));
    assert_eq!(
        r.decisive_check().unwrap().subject.as_deref(),
        Some("/Doc_1/Res/font_1.otf")
    );
}

#[test]
fn repeated_references_and_signature_floods_stay_bounded() {
    // One signature naming a 4 MB file 50 000 times: hashed once, not 200 GB.
    let mut pkg = OfdPackage::read(&sample("SESV4SignDoc.ofd"), Limits::default()).unwrap();
    pkg.put("Doc_0/Res/big.bin", vec![7u8; 4 << 20], true)
        .unwrap();
    let sig = String::from_utf8(
        pkg.file("Doc_0/Signs/Sign_0/Signature.xml")
            .unwrap()
            .to_vec(),
    )
    .unwrap();
    let one = r#"<ofd:Reference FileRef="/Doc_0/Res/big.bin"><ofd:CheckValue>AAAA</ofd:CheckValue></ofd:Reference>"#;
    let flood = sig.replace(
        "<ofd:References CheckMethod=\"SM3\">",
        &format!("<ofd:References CheckMethod=\"SM3\">{}", one.repeat(50_000)),
    );
    pkg.put(
        "Doc_0/Signs/Sign_0/Signature.xml",
        flood.into_bytes(),
        false,
    )
    .unwrap();
    let started = std::time::Instant::now();
    let r = verify_package(&pkg, &VerifyOptions::new(fixed_now())).unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    assert_eq!(r.indication, Indication::TotalFailed);
    assert_eq!(
        r.decisive_check().unwrap().subject.as_deref(),
        Some("/Doc_0/Res/big.bin")
    );

    // A signature list naming the same signature 10 000 times is refused outright.
    let entry =
        r#"<ofd:Signature ID="1" Type="Seal" BaseLoc="/Doc_0/Signs/Sign_0/Signature.xml"/>"#;
    let list = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><ofd:Signatures xmlns:ofd="http://www.ofdspec.org/2016">{}</ofd:Signatures>"#,
        entry.repeat(10_000)
    );
    pkg.put("Doc_0/Signs/Signatures.xml", list.into_bytes(), false)
        .unwrap();
    assert!(matches!(
        verify_package(&pkg, &VerifyOptions::new(fixed_now())),
        Err(OfdError::TooManySignatures { count: 10_000, .. })
    ));
}

/// A stamp must lie on its page: placing one off the page is refused when it is made,
/// and one whose appearance lies off the page is a failed check when it is verified.
#[test]
fn a_stamp_must_lie_on_its_page() {
    let d = demo("sh", "org-1");
    let pkg = OfdPackage::read(&sample("helloworld.ofd"), Limits::default()).unwrap();
    let far = StampOptions {
        placement: Placement::Coordinates {
            page: 0,
            x: 5000.0,
            y: 9000.0,
        },
        size_mm: None,
    };
    let err = stamp_ofd(pkg, &d.seal, &d.signer, &d.signer_cert, &far, fixed_now()).unwrap_err();
    assert!(
        matches!(err, deltaseal::seal::ofd::OfdError::Placement(_)),
        "{err}"
    );
    // 42 mm from x = 180 on a 210 mm page: off by 12 mm
    let pkg = OfdPackage::read(&sample("helloworld.ofd"), Limits::default()).unwrap();
    let edge = StampOptions {
        placement: Placement::Coordinates {
            page: 0,
            x: 180.0,
            y: 10.0,
        },
        size_mm: None,
    };
    assert!(stamp_ofd(pkg, &d.seal, &d.signer, &d.signer_cert, &edge, fixed_now()).is_err());
    // moved off the page after stamping
    let good = stamp(&sample("helloworld.ofd"), &d, at_page(0));
    let off = rewrite(&good, "Doc_0/Signs/Sign_0/Signature.xml", |x| {
        let s = String::from_utf8(x.clone()).unwrap();
        *x = s
            .replace("Boundary=\"100 200", "Boundary=\"5000 9000")
            .into_bytes();
    });
    let r = verify_ofd(&off, &trusted(&d)).unwrap();
    assert_eq!(r.indication, Indication::TotalFailed);
    assert_eq!(
        outcome(&r, "sign[Sign_0].stamp_annot"),
        Outcome::Failed,
        "{r}"
    );
    let good_report = verify_ofd(&good, &trusted(&d)).unwrap();
    assert_eq!(
        outcome(&good_report, "sign[Sign_0].stamp_annot"),
        Outcome::Passed
    );
}

/// A corrupted compressed entry is refused naming the entry and why, not "i/o error".
#[test]
fn a_corrupt_compressed_entry_is_named() {
    let text = "<ofd:OFD xmlns:ofd=\"http://www.ofdspec.org/2016\">".to_string()
        + &"<ofd:DocBody/>".repeat(2000)
        + "</ofd:OFD>";
    let mut zip = zip_of(&[("OFD.xml", text.as_bytes(), true)]);
    // the compressed data starts after the 30-byte local header and the 7-byte name
    for b in &mut zip[40..60] {
        *b ^= 0x5a;
    }
    let err = OfdPackage::read(&zip, Limits::default()).unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(err, deltaseal::seal::ofd::OfdError::CorruptEntry { .. }),
        "{msg}"
    );
    assert!(msg.contains("/OFD.xml"), "{msg}");
    assert!(!msg.contains("i/o error"), "{msg}");
}
