//! SM2 signature verification (GB/T 32918.2-2016 §7.1, steps B1–B7).
//!
//! The curve arithmetic of B6 and the comparison of B7 come from `efficient-sm2`
//! (pure Rust, no `unsafe`, precomputed base-point tables), about three times faster
//! than the `sm2` crate's generic arithmetic. Verification handles public inputs only,
//! so that crate's variable-time code is sound here; signing stays on the constant-time
//! `sm2` crate (see `key.rs`).
//!
//! `efficient-sm2` leaves some of the standard's checks to its caller, and they are made
//! here, before it is called:
//! - B1/B2, `r` and `s` in `[1, n-1]`: the `sm2` crate's signature type rejects anything
//!   else when it parses the 64 bytes;
//! - B5, `t = (r + s) mod n ≠ 0`: computed with the `sm2` crate's scalars;
//! - B3/B4, `e = SM3(Z_A ‖ M)` with `Z_A` over the signer ID, the curve parameters and
//!   the key (§5.5), hashed here with the `sm3` crate so any signer ID works.
//!
//! The key has been checked to lie on the curve when the [`super::PublicKey`] was made.
//!
//! One known difference from the `sm2` crate: `efficient-sm2` compares `r - e mod n`
//! with `x1` itself rather than with `x1 mod n`, so a valid signature whose point has
//! `n ≤ x1 < p` (probability about 2^-128) is rejected. It never accepts what the
//! standard rejects; `fuzz/fuzz_targets/sm2_verify_diff.rs` checks the two agree.

use super::CryptoError;
use sm3::{Digest, Sm3};

/// The curve parameters hashed into `Z_A`: `a`, `b`, `x_G`, `y_G` (GB/T 32918.5-2017).
const CURVE_A: [u8; 32] = hex32("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC");
const CURVE_B: [u8; 32] = hex32("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93");
const GEN_X: [u8; 32] = hex32("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7");
const GEN_Y: [u8; 32] = hex32("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0");

const fn hex32(s: &str) -> [u8; 32] {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'A'..=b'F' => c - b'A' + 10,
            _ => panic!("not an upper-case hex digit"),
        }
    }
    let b = s.as_bytes();
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = (nibble(b[2 * i]) << 4) | nibble(b[2 * i + 1]);
        i += 1;
    }
    out
}

/// An SM2 key made ready for verification with one signer ID: the point as
/// `efficient-sm2` takes it and the hash state after `Z_A`.
pub(crate) struct Sm2Verifier {
    key: efficient_sm2::PublicKey,
    z: [u8; 32],
}

impl Sm2Verifier {
    /// `point` is the uncompressed SEC1 point (65 bytes), already checked on the curve.
    pub(crate) fn new(point: &[u8], id: &str) -> Result<Self, CryptoError> {
        if point.len() != 65 || point[0] != 4 {
            return Err(CryptoError::MalformedKey("not an uncompressed SM2 point"));
        }
        // ENTL_A is the ID's length in bits, two bytes.
        let entl: u16 = id
            .len()
            .checked_mul(8)
            .and_then(|l| l.try_into().ok())
            .ok_or(CryptoError::MalformedKey("bad SM2 signer ID"))?;
        let mut h = Sm3::new();
        h.update(entl.to_be_bytes());
        h.update(id.as_bytes());
        h.update(CURVE_A);
        h.update(CURVE_B);
        h.update(GEN_X);
        h.update(GEN_Y);
        h.update(&point[1..]);
        Ok(Sm2Verifier {
            key: efficient_sm2::PublicKey::new(&point[1..33], &point[33..]),
            z: h.finalize().into(),
        })
    }

    /// `e = SM3(Z_A ‖ M)`.
    pub(crate) fn digest(&self, msg: &[u8]) -> [u8; 32] {
        Sm3::new_with_prefix(self.z)
            .chain_update(msg)
            .finalize()
            .into()
    }

    /// Whether raw `r‖s` is a valid signature for the digest `e`.
    pub(crate) fn verify_digest(&self, e: &[u8; 32], raw: &[u8; 64]) -> bool {
        // B1, B2: r, s in [1, n-1].
        let Ok(sig) = sm2::dsa::Signature::from_slice(raw) else {
            return false;
        };
        // B5: t = (r + s) mod n ≠ 0.
        let t = *sig.r() + *sig.s();
        if bool::from(t.is_zero()) {
            return false;
        }
        // B6, B7.
        let Ok(sig) = efficient_sm2::Signature::new(&raw[..32], &raw[32..]) else {
            return false;
        };
        sig.verify_digest(&self.key, e).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use signature::Signer as _;

    fn key_and_sig(msg: &[u8], id: &str) -> (Vec<u8>, [u8; 64]) {
        let sk = sm2::SecretKey::random(&mut rand_core::OsRng);
        let signing = sm2::dsa::SigningKey::new(id, &sk).unwrap();
        let sig: sm2::dsa::Signature = signing.sign(msg);
        let point = elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&sk.public_key(), false);
        (point.as_bytes().to_vec(), sig.to_bytes())
    }

    #[test]
    fn accepts_sm2_crate_signatures_with_any_id() {
        for id in ["1234567812345678", "", "ALICE123@YAHOO.COM"] {
            let (point, raw) = key_and_sig(b"message digest", id);
            let v = Sm2Verifier::new(&point, id).unwrap();
            assert!(v.verify_digest(&v.digest(b"message digest"), &raw), "{id}");
            assert!(!v.verify_digest(&v.digest(b"message digesT"), &raw), "{id}");
            let other = Sm2Verifier::new(&point, "1234567812345679").unwrap();
            assert!(!other.verify_digest(&other.digest(b"message digest"), &raw));
        }
    }

    #[test]
    fn rejects_out_of_range_scalars_and_zero_t() {
        let (point, raw) = key_and_sig(b"m", super::super::SM2_DEFAULT_ID);
        let v = Sm2Verifier::new(&point, super::super::SM2_DEFAULT_ID).unwrap();
        let e = v.digest(b"m");
        // n, the group order: r = n or s = n is out of range.
        let n = hex32("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123");
        let mut bad = raw;
        bad[..32].copy_from_slice(&n);
        assert!(!v.verify_digest(&e, &bad));
        let mut bad = raw;
        bad[32..].copy_from_slice(&n);
        assert!(!v.verify_digest(&e, &bad));
        assert!(!v.verify_digest(&e, &[0u8; 64]));
        // s = n - r makes t = 0.
        let r = sm2::dsa::Signature::from_slice(&raw).unwrap().r();
        let neg = -*r;
        let mut bad = raw;
        bad[32..].copy_from_slice(&sm2::FieldBytes::from(neg));
        assert!(!v.verify_digest(&e, &bad));
    }

    #[test]
    fn rejects_malformed_points_and_overlong_ids() {
        assert!(Sm2Verifier::new(&[4u8; 64], "").is_err());
        let (point, _) = key_and_sig(b"m", "");
        assert!(Sm2Verifier::new(&point, &"x".repeat(8192)).is_err());
    }
}
