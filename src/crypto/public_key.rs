//! Public keys of either algorithm, and signature verification.

use super::algorithm::{CURVE_SM2, ID_EC_PUBLIC_KEY};
use super::sig_encoding::{candidates, der_to_raw};
use super::sm2_verify::Sm2Verifier;
use super::{Algorithm, CryptoError, SignatureEncoding, SM2_DEFAULT_ID};
use der::{asn1::BitString, Decode, Encode};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

/// A public key: its algorithm and the uncompressed SEC1 point (65 bytes).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PublicKey {
    algorithm: Algorithm,
    point: Vec<u8>,
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PublicKey({}, {})",
            self.algorithm,
            hex::encode(&self.point)
        )
    }
}

impl PublicKey {
    /// A key from a SEC1 point (compressed or uncompressed). The point is checked to be
    /// on the curve.
    pub fn from_sec1(algorithm: Algorithm, bytes: &[u8]) -> Result<Self, CryptoError> {
        let point = match algorithm {
            Algorithm::EcdsaP256Sha256 => {
                let pk = p256::PublicKey::from_sec1_bytes(bytes)
                    .map_err(|_| CryptoError::MalformedKey("not a P-256 point"))?;
                elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&pk, false)
                    .as_bytes()
                    .to_vec()
            }
            Algorithm::Sm2Sm3 => {
                let pk = sm2::PublicKey::from_sec1_bytes(bytes)
                    .map_err(|_| CryptoError::MalformedKey("not an SM2 point"))?;
                elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&pk, false)
                    .as_bytes()
                    .to_vec()
            }
        };
        Ok(PublicKey { algorithm, point })
    }

    /// A key from a DER SubjectPublicKeyInfo. The algorithm is `id-ecPublicKey` with the
    /// P-256 or SM2 curve as parameter; SM2 keys whose algorithm OID is the SM2 curve
    /// itself (seen in some Chinese certificates) are accepted too.
    pub fn from_spki_der(der_bytes: &[u8]) -> Result<Self, CryptoError> {
        let spki = SubjectPublicKeyInfoOwned::from_der(der_bytes)
            .map_err(|_| CryptoError::MalformedKey("not a DER SubjectPublicKeyInfo"))?;
        let algorithm = algorithm_of(&spki.algorithm)?;
        let bits = spki
            .subject_public_key
            .as_bytes()
            .ok_or(CryptoError::MalformedKey(
                "public key bit string has unused bits",
            ))?;
        Self::from_spki_parts(algorithm, bits)
    }

    fn from_spki_parts(algorithm: Algorithm, point: &[u8]) -> Result<Self, CryptoError> {
        Self::from_sec1(algorithm, point)
    }

    /// A key from a PEM `PUBLIC KEY` block.
    pub fn from_pem(pem: &str) -> Result<Self, CryptoError> {
        let (label, der_bytes) = der::pem::decode_vec(pem.trim().as_bytes())
            .map_err(|_| CryptoError::MalformedPem("cannot decode PEM"))?;
        if label != "PUBLIC KEY" {
            return Err(CryptoError::MalformedPem("expected a PUBLIC KEY block"));
        }
        Self::from_spki_der(&der_bytes)
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The uncompressed SEC1 point `04||x||y`.
    pub fn sec1_uncompressed(&self) -> &[u8] {
        &self.point
    }

    /// DER SubjectPublicKeyInfo (id-ecPublicKey with the named curve).
    pub fn to_spki_der(&self) -> Vec<u8> {
        let params = der::Any::from(&self.algorithm.curve_oid());
        let spki = SubjectPublicKeyInfoOwned {
            algorithm: AlgorithmIdentifierOwned {
                oid: ID_EC_PUBLIC_KEY,
                parameters: Some(params),
            },
            subject_public_key: BitString::from_bytes(&self.point)
                .expect("a 65-byte point fits a bit string"),
        };
        spki.to_der().expect("SPKI of a valid point encodes")
    }

    /// PEM `PUBLIC KEY`.
    pub fn to_pem(&self) -> String {
        der::pem::encode_string("PUBLIC KEY", der::pem::LineEnding::LF, &self.to_spki_der())
            .expect("PEM encoding of DER cannot fail")
    }

    /// Verify `sig` over `msg`, accepting DER `SEQUENCE{r,s}` or raw 64-byte `r||s`.
    /// SM2 uses the default signer ID.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), CryptoError> {
        self.verify_with(msg, sig, None, SM2_DEFAULT_ID)
    }

    /// Verify, requiring one signature encoding.
    pub fn verify_encoded(
        &self,
        msg: &[u8],
        sig: &[u8],
        encoding: SignatureEncoding,
    ) -> Result<(), CryptoError> {
        self.verify_with(msg, sig, Some(encoding), SM2_DEFAULT_ID)
    }

    /// Verify an SM2 signature made with a specific signer ID (ignored for P-256).
    pub fn verify_sm2_with_id(&self, msg: &[u8], sig: &[u8], id: &str) -> Result<(), CryptoError> {
        self.verify_with(msg, sig, None, id)
    }

    fn verify_with(
        &self,
        msg: &[u8],
        sig: &[u8],
        encoding: Option<SignatureEncoding>,
        sm2_id: &str,
    ) -> Result<(), CryptoError> {
        match self.algorithm {
            Algorithm::EcdsaP256Sha256 => {
                // ring checks strict DER itself; try DER then raw as the encoding allows.
                let der_ok = || {
                    ring::signature::UnparsedPublicKey::new(
                        &ring::signature::ECDSA_P256_SHA256_ASN1,
                        &self.point,
                    )
                    .verify(msg, sig)
                    .is_ok()
                };
                let raw_ok = || {
                    sig.len() == 64
                        && ring::signature::UnparsedPublicKey::new(
                            &ring::signature::ECDSA_P256_SHA256_FIXED,
                            &self.point,
                        )
                        .verify(msg, sig)
                        .is_ok()
                };
                let ok = match encoding {
                    Some(SignatureEncoding::Der) => der_ok(),
                    Some(SignatureEncoding::Raw) => raw_ok(),
                    None => der_ok() || raw_ok(),
                };
                if ok {
                    Ok(())
                } else {
                    Err(CryptoError::BadSignature)
                }
            }
            Algorithm::Sm2Sm3 => {
                let verifier = Sm2Verifier::new(&self.point, sm2_id)?;
                let raws = match encoding {
                    Some(SignatureEncoding::Der) => vec![der_to_raw(sig)?],
                    Some(SignatureEncoding::Raw) if sig.len() == 64 => {
                        let mut r = [0u8; 64];
                        r.copy_from_slice(sig);
                        vec![r]
                    }
                    Some(SignatureEncoding::Raw) => {
                        return Err(CryptoError::MalformedSignature(
                            "raw signature is not 64 bytes",
                        ))
                    }
                    None => candidates(sig)?,
                };
                let e = verifier.digest(msg);
                if raws.iter().any(|raw| verifier.verify_digest(&e, raw)) {
                    Ok(())
                } else {
                    Err(CryptoError::BadSignature)
                }
            }
        }
    }
}

/// The algorithm named by a key's AlgorithmIdentifier.
pub(crate) fn algorithm_of(alg: &AlgorithmIdentifierOwned) -> Result<Algorithm, CryptoError> {
    if alg.oid == CURVE_SM2 {
        return Ok(Algorithm::Sm2Sm3);
    }
    if alg.oid != ID_EC_PUBLIC_KEY {
        return Err(CryptoError::UnsupportedAlgorithm(alg.oid.to_string()));
    }
    let curve = alg
        .parameters
        .as_ref()
        .ok_or(CryptoError::MalformedKey("EC key without curve parameter"))?
        .decode_as::<const_oid::ObjectIdentifier>()
        .map_err(|_| CryptoError::MalformedKey("EC curve parameter is not a named curve"))?;
    Algorithm::from_curve_oid(&curve).ok_or(CryptoError::UnsupportedAlgorithm(curve.to_string()))
}
