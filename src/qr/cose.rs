//! COSE_Sign1 (RFC 9052) over a CWT claims set: signing through [`crate::crypto::Signer`],
//! parsing hostile bytes, checking a signature with a public key.

use super::{QrError, COSE_ALG_SM2};
use crate::crypto::{Algorithm, PublicKey, SignatureEncoding, Signer};
use coset::cbor::value::Value;
use coset::{iana, AsCborValue, CborSerializable, CoseSign1, CoseSign1Builder, HeaderBuilder};

/// The COSE algorithm a COSE_Sign1 names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoseAlg {
    /// ES256 (-7), verified.
    Es256,
    /// SM2 with SM3 ([`COSE_ALG_SM2`], private use), verified.
    Sm2,
    /// PS256 (-37): recognised, not verified here.
    Ps256,
    /// Anything else (its value as text).
    Other(i64),
}

impl CoseAlg {
    /// The COSE algorithm of a project algorithm.
    pub fn of(alg: Algorithm) -> CoseAlg {
        match alg {
            Algorithm::EcdsaP256Sha256 => CoseAlg::Es256,
            Algorithm::Sm2Sm3 => CoseAlg::Sm2,
        }
    }

    /// The project algorithm, when this one is verified here.
    pub fn algorithm(self) -> Option<Algorithm> {
        match self {
            CoseAlg::Es256 => Some(Algorithm::EcdsaP256Sha256),
            CoseAlg::Sm2 => Some(Algorithm::Sm2Sm3),
            _ => None,
        }
    }

    /// The COSE value.
    pub fn value(self) -> i64 {
        match self {
            CoseAlg::Es256 => -7,
            CoseAlg::Sm2 => COSE_ALG_SM2,
            CoseAlg::Ps256 => -37,
            CoseAlg::Other(v) => v,
        }
    }

    /// A short name: `ES256`, `SM2`, `PS256` or the number.
    pub fn name(self) -> String {
        match self {
            CoseAlg::Es256 => "ES256".into(),
            CoseAlg::Sm2 => "SM2".into(),
            CoseAlg::Ps256 => "PS256".into(),
            CoseAlg::Other(v) => v.to_string(),
        }
    }

    fn from_value(v: i64) -> CoseAlg {
        match v {
            -7 => CoseAlg::Es256,
            COSE_ALG_SM2 => CoseAlg::Sm2,
            -37 => CoseAlg::Ps256,
            other => CoseAlg::Other(other),
        }
    }

    fn header(self) -> coset::Algorithm {
        match self {
            CoseAlg::Es256 => coset::Algorithm::Assigned(iana::Algorithm::ES256),
            other => coset::Algorithm::PrivateUse(other.value()),
        }
    }
}

/// The `kid` of a certificate: the first 8 bytes of SHA-256 over its DER (EU DCC).
pub fn kid_of(cert_der: &[u8]) -> [u8; 8] {
    let d = crate::crypto::DigestAlgorithm::Sha256.digest(cert_der);
    let mut kid = [0u8; 8];
    kid.copy_from_slice(&d[..8]);
    kid
}

/// Sign `payload` (CBOR bytes) as a tagged COSE_Sign1: algorithm in the protected
/// header, `kid` in the unprotected one (as EU DCC does), raw `r||s` signature.
pub fn sign(signer: &dyn Signer, kid: &[u8], payload: Vec<u8>) -> Result<Vec<u8>, QrError> {
    let alg = CoseAlg::of(signer.algorithm());
    let protected = HeaderBuilder::new().algorithm_label(alg.header()).build();
    let unprotected = HeaderBuilder::new().key_id(kid.to_vec()).build();
    let sign1 = CoseSign1Builder::new()
        .protected(protected)
        .unprotected(unprotected)
        .payload(payload)
        .try_create_signature(&[], |tbs| {
            signer
                .sign(tbs, SignatureEncoding::Raw)
                .map_err(|e| QrError::Signing(e.to_string()))
        })?
        .build();
    coset::TaggedCborSerializable::to_tagged_vec(sign1)
        .map_err(|e| QrError::Signing(format!("{e:?}")))
}

/// A parsed COSE_Sign1.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The structure.
    pub sign1: CoseSign1,
    /// Its algorithm.
    pub alg: CoseAlg,
    /// Its kid (protected header first, then unprotected), possibly empty.
    pub kid: Vec<u8>,
    /// The CBOR tags in front of it (18 for COSE_Sign1; DCC also has 61 + 18 and none).
    pub tags: Vec<u64>,
}

/// Parse hostile bytes as a COSE_Sign1, tagged 18, 61 + 18, or untagged.
pub fn parse(bytes: &[u8]) -> Result<Signed, QrError> {
    let mut value = Value::from_slice(bytes).map_err(|e| QrError::Cose(format!("{e:?}")))?;
    let mut tags = Vec::new();
    while let Value::Tag(t, inner) = value {
        if tags.len() >= 2 {
            return Err(QrError::Cose("more than two CBOR tags".into()));
        }
        tags.push(t);
        value = *inner;
    }
    match tags.as_slice() {
        [] | [18] | [61, 18] => {}
        other => {
            return Err(QrError::Cose(format!(
                "CBOR tags {other:?} are not COSE_Sign1"
            )))
        }
    }
    let sign1 = CoseSign1::from_cbor_value(value).map_err(|e| QrError::Cose(format!("{e:?}")))?;
    let alg_value = match sign1.protected.header.alg.clone() {
        Some(coset::Algorithm::Assigned(a)) => coset::iana::EnumI64::to_i64(&a),
        Some(coset::Algorithm::PrivateUse(v)) => v,
        Some(coset::Algorithm::Text(t)) => {
            return Err(QrError::UnsupportedAlgorithm(t));
        }
        None => match sign1.unprotected.alg.clone() {
            Some(coset::Algorithm::Assigned(a)) => coset::iana::EnumI64::to_i64(&a),
            Some(coset::Algorithm::PrivateUse(v)) => v,
            _ => return Err(QrError::Cose("no algorithm in the headers".into())),
        },
    };
    if sign1.payload.is_none() {
        return Err(QrError::Cose("detached payload".into()));
    }
    let kid = if sign1.protected.header.key_id.is_empty() {
        sign1.unprotected.key_id.clone()
    } else {
        sign1.protected.header.key_id.clone()
    };
    Ok(Signed {
        alg: CoseAlg::from_value(alg_value),
        kid,
        sign1,
        tags,
    })
}

impl Signed {
    /// The payload bytes.
    pub fn payload(&self) -> &[u8] {
        self.sign1.payload.as_deref().unwrap_or_default()
    }

    /// Check the signature with `key`: the algorithm must be the key's, the signature
    /// raw `r||s` over the Sig_structure.
    pub fn verify(&self, key: &PublicKey) -> Result<(), QrError> {
        let Some(alg) = self.alg.algorithm() else {
            return Err(QrError::UnsupportedAlgorithm(self.alg.name()));
        };
        if alg != key.algorithm() {
            return Err(QrError::Signature);
        }
        let tbs = self.sign1.tbs_data(&[]);
        key.verify_encoded(&tbs, &self.sign1.signature, SignatureEncoding::Raw)
            .map_err(|_| QrError::Signature)
    }
}

/// The public key of a DER certificate (P-256 or SM2), `None` when it has another key
/// or does not parse.
pub fn cert_public_key(der: &[u8]) -> Option<PublicKey> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    PublicKey::from_spki_der(cert.tbs_certificate.subject_pki.raw).ok()
}
