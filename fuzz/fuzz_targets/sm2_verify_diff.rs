//! Differential: the project's SM2 verifier (`crypto::PublicKey`, on `efficient-sm2`)
//! against the `sm2` crate's, on the same keys, messages and signatures — mostly
//! invalid ones. Any disagreement is a crash.
//!
//! Input layout, by the parity of the first byte:
//! - even: `d[32] mask[64] form[1] msg…` — the `sm2` crate signs `msg` with scalar `d`,
//!   the signature is XORed with `mask` (all zero: stays valid) and given raw (`form`
//!   even) or as DER (`form` odd);
//! - odd: `x[32] y[32] len[1] sig[len] msg…` — any point on the curve, any bytes as
//!   the signature (DER, raw or neither).
#![no_main]

use deltaseal::crypto::{der_to_raw, raw_to_der, Algorithm, PublicKey, SM2_DEFAULT_ID};
use libfuzzer_sys::fuzz_target;
use signature::{Signer as _, Verifier as _};

/// The `sm2` crate's verdict, trying DER and then raw `r‖s` as the project does.
fn reference(point: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    let Ok(pk) = sm2::PublicKey::from_sec1_bytes(point) else {
        return false;
    };
    let vk = sm2::dsa::VerifyingKey::new(SM2_DEFAULT_ID, pk).expect("default ID");
    let mut raws = Vec::new();
    if let Ok(r) = der_to_raw(sig) {
        raws.push(r);
    }
    if let Ok(r) = <[u8; 64]>::try_from(sig) {
        raws.push(r);
    }
    raws.iter().any(|r| {
        sm2::dsa::Signature::from_slice(r)
            .map(|s| vk.verify(msg, &s).is_ok())
            .unwrap_or(false)
    })
}

fn compare(point: &[u8], msg: &[u8], sig: &[u8]) {
    let Ok(key) = PublicKey::from_sec1(Algorithm::Sm2Sm3, point) else {
        assert!(
            sm2::PublicKey::from_sec1_bytes(point).is_err(),
            "key refused"
        );
        return;
    };
    let project = key.verify(msg, sig).is_ok();
    let reference = reference(point, msg, sig);
    assert_eq!(project, reference, "verdicts differ");
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        if rest.len() < 97 {
            return;
        }
        let (d, rest) = rest.split_at(32);
        let (mask, rest) = rest.split_at(64);
        let (form, msg) = (rest[0], &rest[1..]);
        let Ok(sk) = sm2::SecretKey::from_slice(d) else {
            return;
        };
        let signing = sm2::dsa::SigningKey::new(SM2_DEFAULT_ID, &sk).expect("default ID");
        let mut raw = signing.sign(msg).to_bytes();
        raw.iter_mut().zip(mask).for_each(|(b, m)| *b ^= m);
        let point = elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&sk.public_key(), false);
        let sig = if form % 2 == 0 {
            raw.to_vec()
        } else {
            raw_to_der(&raw).expect("64 bytes")
        };
        compare(point.as_bytes(), msg, &sig);
    } else {
        if rest.len() < 65 {
            return;
        }
        let mut point = vec![4u8];
        point.extend_from_slice(&rest[..64]);
        let len = usize::from(rest[64]);
        let rest = &rest[65..];
        let (sig, msg) = rest.split_at(len.min(rest.len()));
        compare(&point, msg, sig);
    }
});
