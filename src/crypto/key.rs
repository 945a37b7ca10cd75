//! Private keys: generate, read PKCS#8 and SEC1 PEM, write PKCS#8 PEM, sign.

use super::public_key::algorithm_of;
use super::{raw_to_der, Algorithm, CryptoError, PublicKey, SignatureEncoding, SM2_DEFAULT_ID};
use der::Decode;
use pkcs8::EncodePrivateKey;
use signature::Signer as _;
use spki::AlgorithmIdentifierOwned;

/// A private key held in memory.
pub struct PrivateKey {
    public: PublicKey,
    inner: Inner,
}

enum Inner {
    P256 {
        ring_key: Box<ring::signature::EcdsaKeyPair>,
        /// The secret scalar, kept only to write the key out again.
        secret: [u8; 32],
    },
    Sm2 {
        key: Box<sm2::dsa::SigningKey>,
    },
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrivateKey({:?})", self.public)
    }
}

impl PrivateKey {
    /// Generate a fresh key from the operating system's random source.
    pub fn generate(algorithm: Algorithm) -> Result<Self, CryptoError> {
        match algorithm {
            Algorithm::EcdsaP256Sha256 => {
                let sk = p256::SecretKey::random(&mut rand_core::OsRng);
                Self::from_scalar(algorithm, &sk.to_bytes())
            }
            Algorithm::Sm2Sm3 => {
                let sk = sm2::SecretKey::random(&mut rand_core::OsRng);
                Self::from_scalar(algorithm, &sk.to_bytes())
            }
        }
    }

    /// A key from its 32-byte secret scalar.
    pub fn from_scalar(algorithm: Algorithm, scalar: &[u8]) -> Result<Self, CryptoError> {
        if scalar.len() != 32 {
            return Err(CryptoError::MalformedKey("secret scalar is not 32 bytes"));
        }
        match algorithm {
            Algorithm::EcdsaP256Sha256 => {
                let sk = p256::SecretKey::from_slice(scalar)
                    .map_err(|_| CryptoError::MalformedKey("P-256 scalar out of range"))?;
                let public = PublicKey::from_sec1(
                    algorithm,
                    elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&sk.public_key(), false)
                        .as_bytes(),
                )?;
                let ring_key = ring::signature::EcdsaKeyPair::from_private_key_and_public_key(
                    &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                    scalar,
                    public.sec1_uncompressed(),
                    &ring::rand::SystemRandom::new(),
                )
                .map_err(|_| CryptoError::MalformedKey("ring rejected the P-256 key"))?;
                let mut s = [0u8; 32];
                s.copy_from_slice(scalar);
                Ok(PrivateKey {
                    public,
                    inner: Inner::P256 {
                        ring_key: Box::new(ring_key),
                        secret: s,
                    },
                })
            }
            Algorithm::Sm2Sm3 => {
                let sk = sm2::SecretKey::from_slice(scalar)
                    .map_err(|_| CryptoError::MalformedKey("SM2 scalar out of range"))?;
                let key = sm2::dsa::SigningKey::new(SM2_DEFAULT_ID, &sk)
                    .map_err(|_| CryptoError::MalformedKey("SM2 key rejected"))?;
                let public = PublicKey::from_sec1(
                    algorithm,
                    elliptic_curve::sec1::ToEncodedPoint::to_encoded_point(&sk.public_key(), false)
                        .as_bytes(),
                )?;
                Ok(PrivateKey {
                    public,
                    inner: Inner::Sm2 { key: Box::new(key) },
                })
            }
        }
    }

    /// Read a private key from PEM: PKCS#8 `PRIVATE KEY` or SEC1 `EC PRIVATE KEY`.
    /// Other blocks in the text (e.g. `EC PARAMETERS`) are skipped.
    pub fn from_pem(pem: &str) -> Result<Self, CryptoError> {
        for block in pem_blocks(pem) {
            let (label, der_bytes) = der::pem::decode_vec(block.as_bytes())
                .map_err(|_| CryptoError::MalformedPem("cannot decode PEM block"))?;
            match label {
                "PRIVATE KEY" => return Self::from_pkcs8_der(&der_bytes),
                "EC PRIVATE KEY" => return Self::from_sec1_der(&der_bytes, None),
                "ENCRYPTED PRIVATE KEY" => {
                    return Err(CryptoError::MalformedPem(
                        "encrypted private keys are not supported; decrypt with openssl pkcs8",
                    ))
                }
                _ => continue,
            }
        }
        Err(CryptoError::MalformedPem(
            "no PRIVATE KEY or EC PRIVATE KEY block found",
        ))
    }

    /// Read a DER PKCS#8 PrivateKeyInfo.
    pub fn from_pkcs8_der(der_bytes: &[u8]) -> Result<Self, CryptoError> {
        let info = pkcs8::PrivateKeyInfo::from_der(der_bytes)
            .map_err(|_| CryptoError::MalformedKey("not a DER PKCS#8 PrivateKeyInfo"))?;
        let alg = AlgorithmIdentifierOwned {
            oid: info.algorithm.oid,
            parameters: info.algorithm.parameters.map(|p| p.into()),
        };
        let algorithm = algorithm_of(&alg)?;
        Self::from_sec1_der(info.private_key, Some(algorithm))
    }

    /// Read a DER SEC1 ECPrivateKey; `algorithm` comes from an enclosing PKCS#8 when there is one.
    pub fn from_sec1_der(
        der_bytes: &[u8],
        algorithm: Option<Algorithm>,
    ) -> Result<Self, CryptoError> {
        let ec = sec1::EcPrivateKey::from_der(der_bytes)
            .map_err(|_| CryptoError::MalformedKey("not a DER SEC1 ECPrivateKey"))?;
        let named = ec
            .parameters
            .and_then(|p| p.named_curve())
            .map(|oid| {
                Algorithm::from_curve_oid(&oid)
                    .ok_or(CryptoError::UnsupportedAlgorithm(oid.to_string()))
            })
            .transpose()?;
        let algorithm = match (algorithm, named) {
            (Some(a), Some(b)) if a != b => {
                return Err(CryptoError::MalformedKey(
                    "PKCS#8 algorithm and SEC1 curve disagree",
                ))
            }
            (Some(a), _) | (None, Some(a)) => a,
            (None, None) => return Err(CryptoError::MalformedKey("EC key names no curve")),
        };
        let key = Self::from_scalar(algorithm, ec.private_key)?;
        if let Some(pk) = ec.public_key {
            let declared = PublicKey::from_sec1(algorithm, pk)?;
            if declared != key.public {
                return Err(CryptoError::MalformedKey(
                    "embedded public key does not match the private key",
                ));
            }
        }
        Ok(key)
    }

    /// The algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.public.algorithm()
    }

    /// The matching public key.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// PKCS#8 DER (id-ecPublicKey with the named curve), as OpenSSL writes it.
    pub fn to_pkcs8_der(&self) -> Vec<u8> {
        let doc = match &self.inner {
            Inner::P256 { secret, .. } => p256::SecretKey::from_slice(secret)
                .expect("stored scalar is valid")
                .to_pkcs8_der(),
            Inner::Sm2 { key } => sm2::SecretKey::from_bytes(&key.to_bytes())
                .expect("stored scalar is valid")
                .to_pkcs8_der(),
        }
        .expect("PKCS#8 encoding of a valid key cannot fail");
        doc.as_bytes().to_vec()
    }

    /// PKCS#8 PEM `PRIVATE KEY`.
    pub fn to_pkcs8_pem(&self) -> String {
        der::pem::encode_string(
            "PRIVATE KEY",
            der::pem::LineEnding::LF,
            &self.to_pkcs8_der(),
        )
        .expect("PEM encoding of DER cannot fail")
    }

    /// Sign `msg` (the algorithm hashes it; SM2 with the default signer ID) and return
    /// the signature in the requested encoding.
    pub fn sign(&self, msg: &[u8], encoding: SignatureEncoding) -> Result<Vec<u8>, CryptoError> {
        let raw: Vec<u8> = match &self.inner {
            Inner::P256 { ring_key, .. } => ring_key
                .sign(&ring::rand::SystemRandom::new(), msg)
                .map_err(|_| CryptoError::SigningFailed)?
                .as_ref()
                .to_vec(),
            Inner::Sm2 { key } => {
                let sig: sm2::dsa::Signature =
                    key.try_sign(msg).map_err(|_| CryptoError::SigningFailed)?;
                sig.to_bytes().to_vec()
            }
        };
        match encoding {
            SignatureEncoding::Raw => Ok(raw),
            SignatureEncoding::Der => raw_to_der(&raw),
        }
    }

    /// Sign with an SM2 signer ID other than the default.
    pub fn sign_sm2_with_id(&self, msg: &[u8], id: &str) -> Result<Vec<u8>, CryptoError> {
        match &self.inner {
            Inner::Sm2 { key } => {
                let sk = sm2::SecretKey::from_bytes(&key.to_bytes())
                    .map_err(|_| CryptoError::SigningFailed)?;
                let k = sm2::dsa::SigningKey::new(id, &sk)
                    .map_err(|_| CryptoError::MalformedKey("bad SM2 signer ID"))?;
                let sig: sm2::dsa::Signature =
                    k.try_sign(msg).map_err(|_| CryptoError::SigningFailed)?;
                Ok(sig.to_bytes().to_vec())
            }
            Inner::P256 { .. } => Err(CryptoError::AlgorithmMismatch {
                key: "P-256",
                wanted: "SM2",
            }),
        }
    }
}

/// Split text into `-----BEGIN ...-----` … `-----END ...-----` blocks.
fn pem_blocks(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start..];
        let Some(end_marker) = after.find("-----END ") else {
            break;
        };
        let tail = &after[end_marker + 9..];
        let Some(close) = tail.find("-----") else {
            break;
        };
        let len = end_marker + 9 + close + 5;
        out.push(&after[..len]);
        rest = &after[len..];
    }
    out
}
