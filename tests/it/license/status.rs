//! Token Status Lists: layout, transitions, signed token round trip, verification.

use super::*;
use deltaseal::license::sdjwt::{self, VerifyOptions};
use deltaseal::license::{LicenseError, Status, StatusList, StatusListToken};
use deltaseal::report::{Indication, SubIndication};
use rstest::rstest;
use time::Duration;

#[test]
fn two_bit_layout_matches_the_draft_example() {
    // draft-ietf-oauth-status-list, 2-bit example: statuses
    // [1,2,0,3,0,1,0,1,1,2,3,3] pack as bytes C9 44 F9 and compress to "eNo76fITAAPfAgc".
    let list = StatusList::from_lst("eNo76fITAAPfAgc").unwrap();
    assert_eq!(list.as_bytes(), [0xC9, 0x44, 0xF9]);
    let values: Vec<u8> = (0..12).map(|i| list.value(i).unwrap()).collect();
    assert_eq!(values, [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3]);
    // And our own packing of those values gives the same bytes.
    let mut mine = StatusList::new(12).unwrap();
    for (i, v) in values.iter().enumerate() {
        if let Some(s) = Status::from_value(*v) {
            mine.set(i, s).unwrap();
        }
    }
    let expected_without_threes = [0xC9 & !0xC0, 0x44, 0xF9 & !0xF0];
    assert_eq!(mine.as_bytes(), expected_without_threes);
    assert_eq!(
        StatusList::from_lst(&mine.to_lst()).unwrap().as_bytes(),
        mine.as_bytes()
    );
}

#[test]
fn transitions() {
    let mut list = StatusList::new(100).unwrap();
    assert_eq!(list.get(42).unwrap(), Status::Valid);
    let c = list.suspend(42, "挂失").unwrap();
    assert_eq!((c.from, c.to), (Status::Valid, Status::Suspended));
    assert_eq!(list.get(42).unwrap(), Status::Suspended);
    assert_eq!(list.get(41).unwrap(), Status::Valid);
    assert_eq!(list.get(43).unwrap(), Status::Valid);
    list.reinstate(42).unwrap();
    assert_eq!(list.get(42).unwrap(), Status::Valid);
    assert!(matches!(
        list.reinstate(42),
        Err(LicenseError::IllegalStatusChange { .. })
    ));
    let c = list.revoke(42, "证件注销").unwrap();
    assert_eq!(c.reason.as_deref(), Some("证件注销"));
    // Revocation is final.
    assert!(matches!(
        list.reinstate(42),
        Err(LicenseError::IllegalStatusChange { .. })
    ));
    assert!(matches!(
        list.suspend(42, "x"),
        Err(LicenseError::IllegalStatusChange { .. })
    ));
    assert!(matches!(
        list.revoke(42, "again"),
        Err(LicenseError::IllegalStatusChange { .. })
    ));
    assert!(list.revoke(7, "").is_err());
    assert!(matches!(
        list.get(100),
        Err(LicenseError::IndexOutOfRange { .. })
    ));
}

#[test]
fn zlib_bomb_refused() {
    // 64 MiB of zeros compresses to ~64 KiB; inflating it passes the entry limit.
    use std::io::Write;
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        enc.write_all(&zeros).unwrap();
    }
    let lst = deltaseal::jose::b64(&enc.finish().unwrap());
    assert!(matches!(
        StatusList::from_lst(&lst),
        Err(LicenseError::TooLarge { .. })
    ));
    assert!(StatusList::from_lst("!!!").is_err());
    assert!(StatusList::from_lst("AAAA").is_err());
}

#[rstest]
#[case::p256(Algorithm::EcdsaP256Sha256)]
#[case::sm2(Algorithm::Sm2Sm3)]
fn token_round_trip_and_revocation_seen_by_verifier(#[case] alg: Algorithm) {
    let h = hierarchy(alg, &[ID_CARD]);
    let now = common::fixed_now();
    let req = id_card_request("S00001", 5);
    let uri = req.status.uri.clone();
    let cred = h.agency.issue(&catalog(), &req, now).unwrap();

    let mut list = StatusList::new(1024).unwrap();
    let token = StatusListToken {
        uri: uri.clone(),
        iat: now,
        exp: Some(now + Duration::days(1)),
        ttl: Some(300),
        list: list.clone(),
    };
    let jwt = token.sign(h.agency.signer(), h.agency.chain()).unwrap();
    let jws = deltaseal::jose::CompactJws::parse(&jwt, "t", 1 << 20).unwrap();
    assert_eq!(jws.header["typ"], "statuslist+jwt");
    assert_eq!(jws.payload["status_list"]["bits"], 2);
    assert_eq!(jws.payload["sub"], uri.as_str());
    let key = h.agency.signer().public_key();
    let back = StatusListToken::verify(&jwt, key, Some(now)).unwrap();
    assert_eq!(back, token);
    // Expired, or signed by another key: refused.
    assert!(StatusListToken::verify(&jwt, key, Some(now + Duration::days(2))).is_err());
    let other = PrivateKey::generate(alg).unwrap();
    assert!(StatusListToken::verify(&jwt, other.public_key(), Some(now)).is_err());

    let anchors = deltaseal::pki::TrustAnchors::any_purpose([h.root_der.clone()]);
    let verify_with = |list: &StatusList| {
        let mut o = VerifyOptions::new(now, &anchors);
        o.status_list = Some((uri.as_str(), list));
        sdjwt::verify(&cred.sd_jwt, &o).report
    };
    assert!(verify_with(&back.list).passed());
    list.suspend(5, "holder reported loss").unwrap();
    let r = verify_with(&list);
    assert_eq!(r.indication, Indication::Indeterminate, "{r}");
    list.revoke(5, "cancelled").unwrap();
    // Through a signed token again, as a verifier would fetch it.
    let jwt2 = StatusListToken {
        list: list.clone(),
        ..token
    }
    .sign(h.agency.signer(), h.agency.chain())
    .unwrap();
    let fetched = StatusListToken::verify(&jwt2, key, Some(now)).unwrap();
    let r = verify_with(&fetched.list);
    assert_eq!(r.sub_indication, Some(SubIndication::Revoked), "{r}");
}
