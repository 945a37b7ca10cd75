//! Issue and verify SD-JWT VC licenses with P-256 and SM2 agencies.

use super::*;
use deltaseal::crypto::Algorithm;
use deltaseal::license::sdjwt::{self, KeyBindingCheck, SdJwt, VerifyOptions};
use deltaseal::license::{Identifier, LicenseError};
use deltaseal::report::{Indication, SubIndication};
use rstest::rstest;
use time::Duration;

fn now() -> time::OffsetDateTime {
    common::fixed_now()
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256, "ES256")]
#[case::sm2(Algorithm::Sm2Sm3, "SM2")]
fn issue_and_verify(#[case] alg: Algorithm, #[case] jose_alg: &str) {
    let h = hierarchy(alg, &[ID_CARD]);
    let cred = h
        .agency
        .issue(&catalog(), &id_card_request("A00001", 7), now())
        .unwrap();

    let parsed = SdJwt::parse(&cred.sd_jwt).unwrap();
    assert_eq!(parsed.jws.header["alg"], jose_alg);
    assert_eq!(parsed.jws.header["typ"], "dc+sd-jwt");
    assert_eq!(parsed.jws.header["x5c"].as_array().unwrap().len(), 1);
    let p = &parsed.jws.payload;
    assert_eq!(p["vct"], format!("urn:deltaseal:license-type:{ID_CARD}"));
    assert_eq!(p["_sd_alg"], "sha-256");
    assert_eq!(p["status"]["status_list"]["idx"], 7);
    // Nothing personal is visible in the signed payload itself.
    let payload_text = serde_json::to_string(p).unwrap();
    assert!(!payload_text.contains("张三") && !payload_text.contains("310101199003070019"));
    // 16 metadata claims (valid_to included: 20-year card) + 6 fields, each disclosable.
    assert_eq!(parsed.disclosures.len(), 22);
    assert_eq!(p["_sd"].as_array().unwrap().len(), 22);
    for d in &parsed.disclosures {
        let salt = deltaseal::jose::b64_decode(&d.salt, "salt", 64).unwrap();
        assert!(salt.len() >= 16);
    }

    let anchors = deltaseal::pki::TrustAnchors::any_purpose([h.root_der.clone()]);
    let v = sdjwt::verify(&cred.sd_jwt, &VerifyOptions::new(now(), &anchors));
    assert_eq!(v.report.indication, Indication::TotalPassed, "{}", v.report);
    assert_eq!(v.claims["name"], "张三");
    assert_eq!(v.claims["holder_code_type"], "111");
    assert_eq!(v.claims["issuer_code"], AGENCY_USCC);
    assert_eq!(v.claims["jurisdiction_code"], "310000");
    assert_eq!(v.claims["definer_name"], "中华人民共和国公安部");
    assert_eq!(v.claims["valid_from"], "2026-06-01");
    assert_eq!(v.claims["valid_to"], "2046-05-27");
    let id: Identifier = v.claims["license_id"].as_str().unwrap().parse().unwrap();
    assert_eq!(&id, cred.identifier());
    assert_eq!(id.issuer_code(), AGENCY_USCC);
    assert!(
        v.report.check("leaf.license_type").is_some(),
        "{}",
        v.report
    );
    assert_eq!(v.algorithm, Some(alg));
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn presentation_discloses_only_chosen_claims(#[case] alg: Algorithm) {
    let h = hierarchy(alg, &[ID_CARD]);
    let cred = h
        .agency
        .issue(&catalog(), &id_card_request("A00002", 0), now())
        .unwrap();
    let shown = sdjwt::present(&cred.sd_jwt, &["name", "license_id", "valid_to"]).unwrap();
    let anchors = deltaseal::pki::TrustAnchors::any_purpose([h.root_der.clone()]);
    let v = sdjwt::verify(&shown, &VerifyOptions::new(now(), &anchors));
    assert!(v.report.passed(), "{}", v.report);
    let mut names: Vec<&str> = v.claims.keys().map(String::as_str).collect();
    names.sort();
    assert_eq!(names, ["license_id", "name", "valid_to"]);
    assert!(matches!(
        sdjwt::present(&cred.sd_jwt, &["shoe_size"]),
        Err(LicenseError::NoSuchClaim(_))
    ));
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn key_binding(#[case] alg: Algorithm) {
    let h = hierarchy(alg, &[ID_CARD]);
    let holder = SoftwareSigner::new("holder", PrivateKey::generate(alg).unwrap());
    let mut req = id_card_request("A00003", 1);
    req.holder_key = Some(holder.public_key().clone());
    let cred = h.agency.issue(&catalog(), &req, now()).unwrap();
    let shown = sdjwt::present_with_key_binding(
        &cred.sd_jwt,
        &["name"],
        &holder,
        "verifier-1",
        "n-123",
        now(),
    )
    .unwrap();
    let anchors = deltaseal::pki::TrustAnchors::any_purpose([h.root_der.clone()]);
    let check = |aud, nonce| {
        let mut o = VerifyOptions::new(now() + Duration::seconds(30), &anchors);
        o.key_binding = Some(KeyBindingCheck {
            aud,
            nonce,
            max_age: Duration::minutes(5),
        });
        sdjwt::verify(&shown, &o).report
    };
    let ok = check("verifier-1", "n-123");
    assert!(ok.passed(), "{ok}");
    assert!(ok.check("sdjwt.key_binding").is_some());
    let wrong_nonce = check("verifier-1", "n-999");
    assert_eq!(
        wrong_nonce.sub_indication,
        Some(SubIndication::SigConstraintsFailure)
    );
    let wrong_aud = check("verifier-2", "n-123");
    assert_eq!(wrong_aud.indication, Indication::TotalFailed);
    // A presentation without the KB-JWT is refused when one is required.
    let bare = sdjwt::present(&cred.sd_jwt, &["name"]).unwrap();
    let mut o = VerifyOptions::new(now(), &anchors);
    o.key_binding = Some(KeyBindingCheck {
        aud: "verifier-1",
        nonce: "n-123",
        max_age: Duration::minutes(5),
    });
    assert_eq!(
        sdjwt::verify(&bare, &o).report.indication,
        Indication::TotalFailed
    );
    // A KB-JWT signed by another key is refused.
    let thief = SoftwareSigner::new("thief", PrivateKey::generate(alg).unwrap());
    let stolen = sdjwt::present_with_key_binding(
        &cred.sd_jwt,
        &["name"],
        &thief,
        "verifier-1",
        "n-123",
        now(),
    )
    .unwrap();
    assert_eq!(
        sdjwt::verify(&stolen, &o).report.sub_indication,
        Some(SubIndication::SigCryptoFailure)
    );
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn unauthorised_type_refused(#[case] alg: Algorithm) {
    let h = hierarchy(alg, &[ID_CARD]);
    let mut req = id_card_request("B00001", 0);
    req.type_code = BUSINESS_LICENSE.into();
    match h.agency.issue(&catalog(), &req, now()) {
        Err(LicenseError::TypeNotAuthorised(code)) => assert_eq!(code, BUSINESS_LICENSE),
        other => panic!("expected TypeNotAuthorised, got {other:?}"),
    }
}

#[test]
fn schema_violations_refused() {
    let h = hierarchy(Algorithm::EcdsaP256Sha256, &[ID_CARD]);
    let cat = catalog();
    let mut missing = id_card_request("C1", 0);
    missing.claims.remove("id_number");
    let mut unknown = id_card_request("C2", 0);
    unknown.claims.insert("shoe_size".into(), 42.into());
    let mut wrong = id_card_request("C3", 0);
    wrong
        .claims
        .insert("birth_date".into(), "1990-02-30".into());
    let mut lowercase_serial = id_card_request("c4", 0);
    lowercase_serial.serial = "c4".into();
    for req in [missing, unknown, wrong] {
        assert!(matches!(
            h.agency.issue(&cat, &req, now()),
            Err(LicenseError::Claims(_))
        ));
    }
    assert!(matches!(
        h.agency.issue(&cat, &lowercase_serial, now()),
        Err(LicenseError::BadIdentifier(_))
    ));
    let mut far = id_card_request("C6", 0);
    far.valid_to = Some(time::Date::MAX);
    assert!(matches!(
        h.agency.issue(&cat, &far, now()),
        Err(LicenseError::BadMetadata(_))
    ));
    let mut early = id_card_request("C7", 0);
    early.valid_from = Some(time::Date::MIN);
    assert!(matches!(
        h.agency.issue(&cat, &early, now()),
        Err(LicenseError::BadMetadata(_))
    ));
    let mut with_purpose = id_card_request("C5", 0);
    with_purpose.purpose = Some("出国".into());
    assert!(h.agency.issue(&cat, &with_purpose, now()).is_err());
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn tampering_detected(#[case] alg: Algorithm) {
    let h = hierarchy(alg, &[ID_CARD]);
    let cred = h
        .agency
        .issue(&catalog(), &id_card_request("D00001", 0), now())
        .unwrap();
    let anchors = deltaseal::pki::TrustAnchors::any_purpose([h.root_der.clone()]);
    let opts = VerifyOptions::new(now(), &anchors);

    // A forged disclosure (same name, other value) is not among the signed digests.
    let parsed = SdJwt::parse(&cred.sd_jwt).unwrap();
    let name_d = parsed
        .disclosures
        .iter()
        .find(|d| d.name == "name")
        .unwrap();
    let forged = deltaseal::jose::b64(
        serde_json::to_string(&json!([name_d.salt, "name", "李四"]))
            .unwrap()
            .as_bytes(),
    );
    let tampered = cred.sd_jwt.replace(&name_d.encoded, &forged);
    let r = sdjwt::verify(&tampered, &opts).report;
    assert_eq!(r.sub_indication, Some(SubIndication::HashFailure), "{r}");

    // A flipped payload byte breaks the issuer signature.
    let mut parts: Vec<String> = parsed.jwt.split('.').map(str::to_owned).collect();
    let mut payload = deltaseal::jose::b64_decode(&parts[1], "p", 1 << 20).unwrap();
    let pos = payload.len() / 2;
    payload[pos] ^= 1;
    parts[1] = deltaseal::jose::b64(&payload);
    let bad_sig = cred.sd_jwt.replace(&parsed.jwt, &parts.join("."));
    let r = sdjwt::verify(&bad_sig, &opts).report;
    assert_eq!(r.indication, Indication::TotalFailed, "{r}");

    // A disclosure given twice is refused.
    let twice = format!("{}{}~", cred.sd_jwt, name_d.encoded);
    assert_eq!(
        sdjwt::verify(&twice, &opts).report.indication,
        Indication::TotalFailed
    );

    // Another root: no chain, INDETERMINATE.
    let other = hierarchy(alg, &[ID_CARD]);
    let r = sdjwt::verify(
        &cred.sd_jwt,
        &VerifyOptions::new(
            now(),
            &deltaseal::pki::TrustAnchors::any_purpose([other.root_der]),
        ),
    )
    .report;
    assert_eq!(r.indication, Indication::Indeterminate, "{r}");
    // No anchors at all: INDETERMINATE too — nothing is trusted by default.
    let r = sdjwt::verify(
        &cred.sd_jwt,
        &VerifyOptions::new(now(), &deltaseal::pki::TrustAnchors::none()),
    )
    .report;
    assert_eq!(
        r.sub_indication,
        Some(SubIndication::NoCertificateChainFound)
    );
}

#[test]
fn validity_window_enforced() {
    let h = hierarchy(Algorithm::EcdsaP256Sha256, &[ID_CARD]);
    let mut req = id_card_request("E00001", 0);
    req.valid_to = Some(time::macros::date!(2026 - 06 - 30));
    let cred = h.agency.issue(&catalog(), &req, now()).unwrap();
    let anchors = deltaseal::pki::TrustAnchors::any_purpose([h.root_der.clone()]);
    let at = |t| sdjwt::verify(&cred.sd_jwt, &VerifyOptions::new(t, &anchors)).report;
    assert!(at(now() + Duration::days(29)).passed());
    assert_eq!(
        at(now() + Duration::days(31)).sub_indication,
        Some(SubIndication::Expired)
    );
    assert_eq!(
        at(now() - Duration::days(2)).sub_indication,
        Some(SubIndication::NotYetValid)
    );
}

#[test]
fn hostile_input_gives_format_failure() {
    let anchors = deltaseal::pki::TrustAnchors::none();
    let opts = VerifyOptions::new(now(), &anchors);
    let many_tildes = "a.b.c".to_string() + &"~".repeat(10_000);
    let huge = "x".repeat(10 * 1024 * 1024);
    let deep = format!("[\"s\",\"n\",{}{}]", "[".repeat(5000), "]".repeat(5000));
    let deep = format!(
        "eyJhbGciOiJFUzI1NiIsInR5cCI6ImRjK3NkLWp3dCJ9.e30.AA~{}~",
        deltaseal::jose::b64(deep.as_bytes())
    );
    let inputs = [
        &deep,
        "",
        "~",
        "not a jwt~",
        "a.b.c~",
        "eyJ9.eyJ9.AA~",
        &many_tildes,
        &huge,
        "eyJhbGciOiJFUzI1NiIsInR5cCI6ImRjK3NkLWp3dCJ9.e30.AA~WyJhIl0~",
    ];
    for input in inputs {
        let r = sdjwt::verify(input, &opts).report;
        assert_eq!(
            r.sub_indication,
            Some(SubIndication::FormatFailure),
            "{input:.40}"
        );
    }
}

#[test]
fn prepare_and_complete_with_an_outside_signature() {
    let h = hierarchy(Algorithm::EcdsaP256Sha256, &[ID_CARD]);
    let prepared = h
        .agency
        .prepare(&catalog(), &id_card_request("F00001", 0), now())
        .unwrap();
    assert!(prepared.clone().complete(&[0u8; 10]).is_err());
    let sig = h
        .agency
        .signer()
        .sign(
            prepared.signing_input.as_bytes(),
            deltaseal::crypto::SignatureEncoding::Raw,
        )
        .unwrap();
    let cred = prepared.complete(&sig).unwrap();
    let anchors = deltaseal::pki::TrustAnchors::any_purpose([h.root_der.clone()]);
    assert!(
        sdjwt::verify(&cred.sd_jwt, &VerifyOptions::new(now(), &anchors))
            .report
            .passed()
    );
}

/// The committed demo agencies (keys/) issue licenses that verify against their
/// province's demo root: Shanghai's public security bureau (SM2), Zhejiang's (P-256).
#[rstest]
#[case::sm2_shanghai("sh/agency-psb", "sh/root", Algorithm::Sm2Sm3)]
#[case::p256_zhejiang("zj/agency-psb", "zj/root", Algorithm::EcdsaP256Sha256)]
fn demo_agencies_issue_and_verify(
    #[case] agency: &str,
    #[case] root: &str,
    #[case] alg: Algorithm,
) {
    use deltaseal::pki::pem::certs_from_pem;
    let keys = common::root().join("keys");
    let read = |p: String| std::fs::read_to_string(keys.join(p)).unwrap();
    let key = PrivateKey::from_pem(&read(format!("{agency}.key.pem"))).unwrap();
    assert_eq!(key.algorithm(), alg);
    let chain = certs_from_pem(&read(format!("{agency}.cert.pem"))).unwrap();
    let anchors = deltaseal::pki::TrustAnchors::any_purpose(
        certs_from_pem(&read(format!("{root}.cert.pem"))).unwrap(),
    );
    let agency = Agency::new(Arc::new(SoftwareSigner::new(agency, key)), chain).unwrap();
    assert!(agency.authorises(ID_CARD));
    let cred = agency
        .issue(&catalog(), &id_card_request("DEMO0001", 0), now())
        .unwrap();
    let v = sdjwt::verify(&cred.sd_jwt, &VerifyOptions::new(now(), &anchors));
    assert!(v.report.passed(), "{}", v.report);
    assert_eq!(v.claims["issuer_code"], agency.uscc());
    assert!(matches!(
        agency.issue(
            &catalog(),
            &{
                let mut r = id_card_request("DEMO0002", 1);
                r.type_code = BUSINESS_LICENSE.into();
                r
            },
            now()
        ),
        Err(LicenseError::TypeNotAuthorised(_))
    ));
}

/// An agency's own signature over a credential naming another issuer is refused: the
/// disclosed issuer code and identifier must match the signing certificate.
#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn credential_speaking_for_another_agency_refused(#[case] alg: Algorithm) {
    use deltaseal::jose;
    use deltaseal::license::sdjwt::Disclosure;
    let h = hierarchy(alg, &[ID_CARD]);
    let cred = h
        .agency
        .issue(&catalog(), &id_card_request("G00001", 0), now())
        .unwrap();
    let anchors = deltaseal::pki::TrustAnchors::any_purpose([h.root_der.clone()]);
    let resign = |name: &str, value: Value| {
        let parsed = SdJwt::parse(&cred.sd_jwt).unwrap();
        let mut ds: Vec<Disclosure> = parsed
            .disclosures
            .into_iter()
            .filter(|d| d.name != name)
            .collect();
        ds.push(Disclosure::new(name, value));
        let mut payload = parsed.jws.payload.clone();
        payload.insert(
            "_sd".into(),
            json!(ds.iter().map(Disclosure::digest).collect::<Vec<_>>()),
        );
        let mut header = parsed.jws.header.clone();
        header.remove("alg");
        let jwt = jose::sign_compact(h.agency.signer(), header, &payload).unwrap();
        let mut text = format!("{jwt}~");
        for d in &ds {
            text.push_str(&d.encoded);
            text.push('~');
        }
        sdjwt::verify(&text, &VerifyOptions::new(now(), &anchors)).report
    };
    // Re-signing the genuine claims still passes (the construction itself is sound).
    let same = resign("issuer_code", json!(AGENCY_USCC));
    assert!(same.passed(), "{same}");
    let r = resign("issuer_code", json!("11100000000019713D"));
    assert_eq!(
        r.sub_indication,
        Some(SubIndication::SigConstraintsFailure),
        "{r}"
    );
    let other_id = Identifier::new(ID_CARD, "11100000000019713D", "G00001", 1).unwrap();
    let r = resign("license_id", json!(other_id.to_string()));
    assert_eq!(
        r.sub_indication,
        Some(SubIndication::SigConstraintsFailure),
        "{r}"
    );
    let r = resign("license_id", json!("1.2.156.3005.2.garbage"));
    assert_eq!(r.sub_indication, Some(SubIndication::FormatFailure), "{r}");
    let r = resign("license_type_code", json!(BUSINESS_LICENSE));
    assert_eq!(r.sub_indication, Some(SubIndication::FormatFailure), "{r}");
}
