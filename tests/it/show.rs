//! Show tokens (亮证): made for a demo license by each province's show service (SM2 and
//! P-256), read back from their PNG and SVG images by an independent decoder (rqrr),
//! within their QR size bounds, verified under the trust list — and each way a token
//! goes wrong failing with its own named check: tampered, truncated, wrong prefix,
//! expired, other audience, foreign key, replayed.

use crate::common::{self, fixed_now};
use crate::license::id_card_request;
use deltaseal::adapters::config::BUILTIN_CATALOG;
use deltaseal::adapters::keystore::KeyStore;
use deltaseal::catalog::Catalog;
use deltaseal::crypto::{Algorithm, PrivateKey, SoftwareSigner};
use deltaseal::license::Agency;
use deltaseal::pki::Province;
use deltaseal::qr::image::{decode_picture, Qr};
use deltaseal::report::{Indication, Outcome, Report, SubIndication};
use deltaseal::service::show::{
    attest, finish_show, plan_show, HeldCredential, Prepared, ShowRequest, ShowService, Shown,
};
use deltaseal::show::{read_token, sign_token, Body, Mode};
use deltaseal::trust_list::VerifiedTrustList;
use deltaseal::verify::{verify, verify_show, Context, Input, Kind, OnlineAnswer, Policy};
use rstest::rstest;

fn keys() -> KeyStore {
    common::pki::keys()
}

fn list() -> VerifiedTrustList {
    crate::verify::demo_list()
}

fn catalog() -> Catalog {
    Catalog::from_json(BUILTIN_CATALOG).unwrap()
}

/// A credential as the holder's node holds it, and the agency that issued it.
pub(crate) struct Held {
    cred: HeldCredential,
    agency: Agency,
}

impl std::ops::Deref for Held {
    type Target = HeldCredential;
    fn deref(&self) -> &HeldCredential {
        &self.cred
    }
}

/// The ID card of the demo agency `agency_id`, as its node holds it.
pub(crate) fn credential(keys: &KeyStore, agency_id: &str) -> Held {
    let e = keys.get(agency_id).unwrap();
    let root = keys.issuer_of(agency_id).unwrap();
    let agency = Agency::new(
        e.signer.clone(),
        vec![e.cert_der.clone(), root.cert_der.clone()],
    )
    .unwrap();
    let c = agency
        .issue(&catalog(), &id_card_request("V00001", 3), fixed_now())
        .unwrap();
    Held {
        cred: HeldCredential {
            identifier: c.identifier().to_string(),
            type_code: c.metadata.type_code.clone(),
            holder_code: c.metadata.holder_code.clone(),
            sd_jwt: c.sd_jwt,
        },
        agency,
    }
}

/// What the issuing node prepares: an online token's issuing province (the record of
/// the token id is the store's, tested through the nodes), an offline token's
/// attestation by the agency.
pub(crate) fn prepared(held: &Held, plan: &deltaseal::service::show::ShowPlan) -> Prepared {
    match plan.prepare.mode {
        Mode::Online => Prepared::Online {
            province: held.agency.province(),
        },
        Mode::Offline => Prepared::Offline {
            province: held.agency.province(),
            attestation: attest(&held.agency, &held.sd_jwt, &plan.prepare).unwrap(),
        },
    }
}

const HOLDER: &str = "310101199003070019";

pub(crate) fn request(cred: &HeldCredential, mode: Mode, disclose: &[&str]) -> ShowRequest {
    ShowRequest {
        license: cred.identifier.clone(),
        disclose: disclose.iter().map(|s| s.to_string()).collect(),
        ttl_s: None,
        mode: Some(mode),
        audience: None,
    }
}

/// A show token by `province`'s show service.
pub(crate) fn show(keys: &KeyStore, province: &str, cred: &Held, req: &ShowRequest) -> Shown {
    let e = keys.get(&format!("{province}-show-service")).unwrap();
    let service = ShowService {
        province: Province::parse(province).unwrap(),
        signer: e.signer.as_ref(),
        cert_der: &e.cert_der,
    };
    let plan = plan_show(cred, HOLDER, req, fixed_now(), [7u8; 8]).unwrap();
    finish_show(service, &plan, prepared(cred, &plan)).unwrap()
}

fn check<'r>(r: &'r Report, code: &str) -> &'r deltaseal::report::Check {
    r.check(code)
        .unwrap_or_else(|| panic!("no check {code} in\n{r}"))
}

fn verify_at(text: &str, at: time::OffsetDateTime, policy: &Policy) -> deltaseal::verify::Verdict {
    let l = list();
    verify(&Input::new(text.as_bytes()), &Context::new(&l, at, policy))
}

const FOUR: [&str; 4] = ["name", "birth_date", "license_number", "valid_to"];

#[rstest]
#[case::sm2("sh", "sh-agency-psb", Algorithm::Sm2Sm3)]
#[case::p256("zj", "zj-agency-psb", Algorithm::EcdsaP256Sha256)]
fn online_token_round_trips_through_its_images_within_version_10(
    #[case] province: &str,
    #[case] agency: &str,
    #[case] alg: Algorithm,
) {
    let keys = keys();
    let cred = credential(&keys, agency);
    let mut req = request(&cred, Mode::Online, &FOUR);
    req.audience = Some("ZJ".into());
    let s = show(&keys, province, &cred, &req);
    assert!(s.text.starts_with("DS1:"));
    assert!(deltaseal::qr::image::is_alphanumeric(&s.text));
    assert_eq!(s.expires_at, fixed_now() + time::Duration::seconds(120));
    let (signed, token) = read_token(&s.text).unwrap();
    assert_eq!(signed.alg, deltaseal::qr::CoseAlg::of(alg));
    assert_eq!(
        token.body,
        Body::Online {
            province: cred.agency.province()
        }
    );
    assert_eq!(token.audience.as_deref(), Some("ZJ"));
    // The PNG, read by rqrr: the same text, the version reported. Version 10 holds 221
    // alphanumeric characters at level Q (144 bytes after base45): the signature, the
    // kid, the COSE and zlib framing, the token id, times, audience and the issuing
    // province — the license and the four claims are recorded under the token id at
    // the issuing node.
    let got = decode_picture(&s.png).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].text, s.text);
    assert_eq!(got[0].version, usize::try_from(s.version).unwrap());
    assert_eq!(got[0].ecc_level, 3, "level Q");
    assert!(s.version <= 10, "online token needs version {}", s.version);
    eprintln!(
        "online token ({alg:?}): {} characters, QR version {}",
        s.text.len(),
        s.version
    );
    // The SVG, rasterised by resvg, read by rqrr.
    let from_svg = decode_picture(&svg_to_png(&s.svg)).unwrap();
    assert_eq!(from_svg[0].text, s.text);
}

/// Rasterise an SVG (resvg) to PNG, for the independent decoder.
fn svg_to_png(svg: &str) -> Vec<u8> {
    let tree = resvg::usvg::Tree::from_str(svg, &resvg::usvg::Options::default()).unwrap();
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height()).unwrap();
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::default(),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().unwrap()
}

#[rstest]
#[case::sm2("sh", "sh-agency-psb")]
#[case::p256("zj", "zj-agency-psb")]
fn offline_token_with_four_claims_verifies_showing_only_those(
    #[case] province: &str,
    #[case] agency: &str,
) {
    let keys = keys();
    let cred = credential(&keys, agency);
    let s = show(
        &keys,
        province,
        &cred,
        &request(&cred, Mode::Offline, &FOUR),
    );
    let got = decode_picture(&s.png).unwrap();
    assert_eq!(got[0].text, s.text);
    assert_eq!(got[0].version, usize::try_from(s.version).unwrap());
    let v = verify_at(
        &got[0].text,
        fixed_now() + time::Duration::seconds(5),
        &Policy::default(),
    );
    assert_eq!(v.kind, Some(Kind::ShowToken));
    assert_eq!(v.report.indication, Indication::TotalPassed, "{}", v.report);
    let mut names: Vec<&str> = v.claims.keys().map(String::as_str).collect();
    names.sort_unstable();
    let mut want = FOUR.to_vec();
    want.sort_unstable();
    assert_eq!(names, want, "only the chosen claims");
    assert_eq!(v.claims["name"], "张三");
    let shown = v.show.as_ref().unwrap();
    assert_eq!(shown.mode, Mode::Offline);
    assert_eq!(shown.holder_name.as_deref(), Some("张三"));
    assert_eq!(
        shown.holder_code_masked.as_deref(),
        Some("310***********0019")
    );
    let mut chosen = shown.chosen.clone();
    chosen.sort_unstable();
    assert_eq!(chosen, want);
    // The issuer's own checks ran on the disclosed claims: the integrity traces to the
    // issuing agency, not only to the show service.
    for code in [
        "show.signer",
        "show.signature",
        "show.expiry",
        "issuer.format",
        "issuer.signer",
        "issuer.signature",
        "issuer.expiry",
        "issuer.listed",
        "issuer.type_authorised",
        "show.disclosed",
    ] {
        assert_eq!(check(&v.report, code).outcome, Outcome::Passed, "{code}");
    }
    assert!(v.agency.as_ref().unwrap().listed);
    eprintln!(
        "offline token: {} characters, QR version {}",
        s.text.len(),
        s.version
    );
}

/// An offline token showing 4 claims, with an audience, fits version 20 at level Q
/// for both algorithms: the issuer attests only the chosen claims and the holder's
/// name and code, not a digest of every claim of the license.
#[rstest]
#[case::sm2("sh", "sh-agency-psb")]
#[case::p256("zj", "zj-agency-psb")]
fn offline_token_with_four_claims_fits_version_20(#[case] province: &str, #[case] agency: &str) {
    let keys = keys();
    let cred = credential(&keys, agency);
    let mut req = request(&cred, Mode::Offline, &FOUR);
    req.audience = Some("JS".into());
    let s = show(&keys, province, &cred, &req);
    let d = decode_picture(&s.png).unwrap();
    assert_eq!(d[0].text, s.text);
    assert_eq!(d[0].ecc_level, 3, "level Q");
    assert!(
        d[0].version <= 20,
        "offline token needs version {}",
        d[0].version
    );
    eprintln!(
        "offline token ({agency}): {} characters, QR version {}",
        s.text.len(),
        d[0].version
    );
}

/// The claims of an offline token trace back to the issuing agency: a claim changed
/// under the agency's signature fails `issuer.signature`; an attestation signed by a
/// key that may not sign licenses (the show service's own) fails `issuer.signer`.
#[rstest]
#[case::sm2("sh", "sh-agency-psb")]
#[case::p256("zj", "zj-agency-psb")]
fn an_offline_token_whose_attestation_is_not_the_agencys_fails(
    #[case] province: &str,
    #[case] agency: &str,
) {
    let keys = keys();
    let cred = credential(&keys, agency);
    let req = request(&cred, Mode::Offline, &["name", "birth_date"]);
    let e = keys.get(&format!("{province}-show-service")).unwrap();
    let service = ShowService {
        province: Province::parse(province).unwrap(),
        signer: e.signer.as_ref(),
        cert_der: &e.cert_der,
    };
    let plan = plan_show(&cred, HOLDER, &req, fixed_now(), [9; 8]).unwrap();
    let Prepared::Offline { attestation, .. } = prepared(&cred, &plan) else {
        unreachable!()
    };
    let at = fixed_now() + time::Duration::seconds(5);
    let good = finish_show(
        service,
        &plan,
        Prepared::Offline {
            province: cred.agency.province(),
            attestation: attestation.clone(),
        },
    )
    .unwrap();
    let v = verify_at(&good.text, at, &Policy::default());
    assert_eq!(v.report.indication, Indication::TotalPassed, "{}", v.report);
    assert_eq!(v.claims["birth_date"], "1990-03-07");

    // A claim changed, the agency's signature kept.
    let signed = deltaseal::qr::cose::parse(&attestation).unwrap();
    let mut a = deltaseal::show::Attestation::from_cbor(signed.payload()).unwrap();
    a.claims.insert("birth_date".into(), "1980-01-01".into());
    let mut sign1 = signed.sign1.clone();
    sign1.payload = Some(a.to_cbor().unwrap());
    let changed = coset::TaggedCborSerializable::to_tagged_vec(sign1).unwrap();
    let t = finish_show(
        service,
        &plan,
        Prepared::Offline {
            province: cred.agency.province(),
            attestation: changed,
        },
    )
    .unwrap();
    failed_with(
        &verify_at(&t.text, at, &Policy::default()),
        "issuer.signature",
        SubIndication::SigCryptoFailure,
    );

    // The same claims attested by the show service's key: not a license signer.
    let by_service = a_resigned(&signed, e.signer.as_ref(), &e.cert_der);
    let t = finish_show(
        service,
        &plan,
        Prepared::Offline {
            province: cred.agency.province(),
            attestation: by_service,
        },
    )
    .unwrap();
    let v = verify_at(&t.text, at, &Policy::default());
    assert_eq!(v.report.indication, Indication::TotalFailed, "{}", v.report);
    assert_eq!(
        check(&v.report, "issuer.signer").outcome,
        Outcome::Failed,
        "{}",
        v.report
    );
    assert!(v.report.check("issuer.signature").is_none(), "{}", v.report);
}

fn a_resigned(
    signed: &deltaseal::qr::cose::Signed,
    signer: &dyn deltaseal::crypto::Signer,
    cert: &[u8],
) -> Vec<u8> {
    let a = deltaseal::show::Attestation::from_cbor(signed.payload()).unwrap();
    a.sign(signer, cert).unwrap()
}

#[test]
fn bad_requests_are_refused() {
    let keys = keys();
    let cred = credential(&keys, "sh-agency-psb");
    let mk = |req: &ShowRequest, holder: &str| plan_show(&cred, holder, req, fixed_now(), [1; 8]);
    let ok = request(&cred, Mode::Online, &["name"]);
    assert!(mk(&ok, HOLDER).is_ok());
    // Someone else's license.
    assert!(matches!(
        mk(&ok, "310101199001010011"),
        Err(deltaseal::service::ServiceError::NotOwner)
    ));
    for (ttl, good) in [(Some(0), false), (Some(600), true), (Some(601), false)] {
        let mut r = ok.clone();
        r.ttl_s = ttl;
        assert_eq!(mk(&r, HOLDER).is_ok(), good, "{ttl:?}");
    }
    for bad in [vec![], vec!["no_such_claim"], vec!["name", "name"]] {
        let r = request(&cred, Mode::Online, &bad);
        assert!(mk(&r, HOLDER).is_err(), "{bad:?}");
    }
}

fn failed_with(v: &deltaseal::verify::Verdict, code: &str, sub: SubIndication) {
    assert_eq!(v.report.indication, Indication::TotalFailed, "{}", v.report);
    let c = check(&v.report, code);
    assert_eq!(c.outcome, Outcome::Failed, "{}", v.report);
    assert_eq!(c.sub_indication, Some(sub), "{}", v.report);
    assert_eq!(
        v.report.decisive_check().unwrap().code,
        code,
        "{}",
        v.report
    );
}

#[rstest]
#[case::sm2("sh", "sh-agency-psb")]
#[case::p256("zj", "zj-agency-psb")]
fn each_bad_token_fails_with_its_own_check(#[case] province: &str, #[case] agency: &str) {
    let keys = keys();
    let cred = credential(&keys, agency);
    let mut req = request(&cred, Mode::Offline, &["name", "valid_to"]);
    req.audience = Some("JS".into());
    let s = show(&keys, province, &cred, &req);
    let at = fixed_now() + time::Duration::seconds(10);
    let js = Policy {
        audiences: vec!["JS".into()],
        ..Policy::default()
    };
    assert_eq!(
        verify_at(&s.text, at, &js).report.indication,
        Indication::TotalPassed
    );

    // Other audience.
    let zj = Policy {
        audiences: vec!["ZJ".into()],
        ..Policy::default()
    };
    failed_with(
        &verify_at(&s.text, at, &zj),
        "show.audience",
        SubIndication::SigConstraintsFailure,
    );

    // Expired: past exp and the 30 s skew the report states.
    let late = fixed_now() + time::Duration::seconds(120 + 31);
    let v = verify_at(&s.text, late, &js);
    failed_with(&v, "show.expiry", SubIndication::Expired);
    assert!(check(&v.report, "show.expiry")
        .reason
        .en
        .contains("clock skew allowed: 30 s"));
    // Within the skew it still passes.
    let v = verify_at(
        &s.text,
        fixed_now() + time::Duration::seconds(120 + 29),
        &js,
    );
    assert_eq!(v.report.indication, Indication::TotalPassed, "{}", v.report);

    // Wrong prefix.
    let wrong = s.text.replacen("DS1:", "DS2:", 1);
    failed_with(
        &verify_at(&wrong, at, &js),
        "show.prefix",
        SubIndication::FormatFailure,
    );

    // Truncated.
    let cut = &s.text[..s.text.len() - 20];
    failed_with(
        &verify_at(cut, at, &js),
        "show.decode",
        SubIndication::FormatFailure,
    );

    // Tampered: the claims changed (a longer life), the show service's signature kept.
    let (signed, mut token) = read_token(&s.text).unwrap();
    token.expires_at += 3600;
    let mut sign1 = signed.sign1.clone();
    sign1.payload = Some(token.to_cbor());
    let cose = coset::TaggedCborSerializable::to_tagged_vec(sign1).unwrap();
    let tampered = deltaseal::qr::wrap_text("DS1:", &cose);
    failed_with(
        &verify_at(&tampered, at, &js),
        "show.signature",
        SubIndication::SigCryptoFailure,
    );

    // Foreign key: signed by a key and certificate no trust list lists.
    let foreign = SoftwareSigner::new("x", PrivateKey::generate(Algorithm::Sm2Sm3).unwrap());
    let (_, token) = read_token(&s.text).unwrap();
    let own_cert = keys
        .get(&format!("{province}-show-service"))
        .unwrap()
        .cert_der
        .clone();
    let mut other_cert = own_cert.clone();
    let last = other_cert.len() - 1;
    other_cert[last] ^= 1;
    let forged = sign_token(&token, &foreign, &other_cert).unwrap();
    failed_with(
        &verify_at(&forged, at, &js),
        "show.signer",
        SubIndication::NoSignerCertificateFound,
    );
    // The right kid but another key: the signature fails.
    let forged = sign_token(&token, &foreign, &own_cert).unwrap();
    failed_with(
        &verify_at(&forged, at, &js),
        "show.signature",
        SubIndication::SigCryptoFailure,
    );
}

#[test]
fn online_token_needs_the_issuing_node_and_is_refused_when_replayed() {
    let keys = keys();
    let cred = credential(&keys, "sh-agency-psb");
    let s = show(&keys, "sh", &cred, &request(&cred, Mode::Online, &["name"]));
    let l = list();
    let policy = Policy::default();
    let ctx = Context::new(&l, fixed_now(), &policy);
    // Not asked: INDETERMINATE, never passed.
    let v = verify_show(s.text.as_bytes(), &ctx, None);
    assert_eq!(
        v.report.indication,
        Indication::Indeterminate,
        "{}",
        v.report
    );
    let v = verify_show(s.text.as_bytes(), &ctx, Some(&OnlineAnswer::Replayed));
    failed_with(&v, "show.single_use", SubIndication::SigConstraintsFailure);
    assert!(check(&v.report, "show.single_use")
        .reason
        .en
        .contains("replayed"));
    // Redeemed: the presentation the issuing node answers, judged like any license.
    let presentation =
        deltaseal::license::sdjwt::present(&cred.sd_jwt, &["name", "holder", "holder_code"])
            .unwrap();
    let v = verify_show(
        s.text.as_bytes(),
        &ctx,
        Some(&OnlineAnswer::Redeemed {
            license_id: cred.identifier.clone(),
            claims: vec!["name".into()],
            presentation,
        }),
    );
    assert_eq!(v.report.indication, Indication::TotalPassed, "{}", v.report);
    assert_eq!(v.claims.keys().collect::<Vec<_>>(), vec!["name"]);
    assert_eq!(
        v.show.unwrap().holder_code_masked.as_deref(),
        Some("310***********0019")
    );
}

#[test]
fn garbage_is_a_format_failure_not_a_panic() {
    let l = list();
    let policy = Policy::default();
    let ctx = Context::new(&l, fixed_now(), &policy);
    for g in [
        "DS1:",
        "DS1:%%%%",
        "DS1:0000",
        "DS1:A",
        "HC1:NCFOXN%TS3DH",
        "DS1:6BF",
    ] {
        let v = verify_show(g.as_bytes(), &ctx, None);
        assert_eq!(
            v.report.indication,
            Indication::TotalFailed,
            "{g}: {}",
            v.report
        );
    }
    assert!(matches!(
        decode_picture(b"\x89PNG\r\n\x1a\nnot really"),
        Err(deltaseal::qr::image::ImageError::Picture(_))
    ));
    assert!(Qr::new("lower case").is_err());
}

/// A second implementation agrees: pycose (PyPI, installed into `.venv/` by
/// `scripts/setup-interop`) decodes the COSE_Sign1 inside a P-256 show token, checks
/// its kid against the show service's certificate and verifies its signature; a token
/// with a changed claim does not verify there either.
#[test]
fn pycose_verifies_a_project_es256_show_token() {
    let keys = keys();
    let cred = credential(&keys, "zj-agency-psb");
    let mut req = request(&cred, Mode::Online, &["name", "valid_to"]);
    req.audience = Some("SH".into());
    let s = show(&keys, "zj", &cred, &req);
    let cose = deltaseal::qr::unwrap_text(&s.text, "DS1:").unwrap().cose;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("token.cose");
    std::fs::write(&file, &cose).unwrap();
    let cert = common::root().join("keys/zj/show-service.cert.pem");
    let run = |f: &std::path::Path| {
        std::process::Command::new(crate::license::interop::python())
            .arg(common::root().join("tests/interop/verify_cose.py"))
            .arg(f)
            .arg(&cert)
            .output()
            .unwrap()
    };
    let out = run(&file);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let claims: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(claims["1"], "ZJ");
    assert_eq!(claims["3"], "SH");
    assert_eq!(claims["m"], 1);
    assert_eq!(claims["p"], "ZJ");
    assert_eq!(claims["7"], "0707070707070707");
    // The same structure with one claim changed: pycose refuses the signature.
    let (signed, mut token) = read_token(&s.text).unwrap();
    token.audience = Some("AH".into());
    let mut sign1 = signed.sign1;
    sign1.payload = Some(token.to_cbor());
    std::fs::write(
        &file,
        coset::TaggedCborSerializable::to_tagged_vec(sign1).unwrap(),
    )
    .unwrap();
    let out = run(&file);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("signature does not verify"));
}
