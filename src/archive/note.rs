//! C2SP signed notes (`c2sp.org/signed-note`): a text ending in a newline, a blank
//! line, then one or more lines `— <key name> base64(key ID || signature)`.
//!
//! The project's keys are P-256 and SM2:
//! - P-256 signs with signature type `0x02` (ECDSA as the spec assigns it): a DER
//!   signature over the note text, the key ID the first four bytes of SHA-256 of the
//!   DER SubjectPublicKeyInfo.
//! - SM2 has no assigned byte, so it uses `0xff` followed by [`SM2_TYPE`] (the spec's
//!   rule for other types): a DER SM2 signature (default signer ID) over the note text,
//!   the key ID the recommended `SHA-256(name || 0x0A || type || SPKI)[:4]`.
//!
//! Parsing is bounded ([`MAX_NOTE_BYTES`], [`MAX_SIGNATURES`]) and strict: valid UTF-8,
//! no control character but newline, every signature line well formed.

use crate::crypto::{Algorithm, CryptoError, PublicKey, SignatureEncoding, Signer};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The longest note accepted.
pub const MAX_NOTE_BYTES: usize = 64 * 1024;
/// The most signature lines accepted in one note (the spec asks for at least 16).
pub const MAX_SIGNATURES: usize = 100;
/// The identifier after `0xff` of SM2-with-SM3 note signatures.
pub const SM2_TYPE: &[u8] = b"deltaseal/sm2-sm3";
/// The em dash and space opening a signature line.
const DASH: &str = "\u{2014} ";

/// Why a note does not parse or verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoteError {
    /// Longer than [`MAX_NOTE_BYTES`].
    #[error("the note is longer than {MAX_NOTE_BYTES} bytes")]
    TooLong,
    /// Not a well-formed signed note.
    #[error("not a signed note: {0}")]
    Malformed(&'static str),
    /// More than [`MAX_SIGNATURES`] signature lines.
    #[error("more than {MAX_SIGNATURES} signatures")]
    TooManySignatures,
    /// A key name is empty or holds a space or a plus sign.
    #[error("invalid key name {0:?}")]
    KeyName(String),
    /// No signature line of the expected key (name and key ID).
    #[error("no signature by {0}")]
    NotSigned(String),
    /// The expected key's signature does not verify.
    #[error("the signature by {0} does not verify")]
    BadSignature(String),
    /// Signing failed.
    #[error("signing failed: {0}")]
    Sign(#[from] CryptoError),
}

/// One signature line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    /// The key name.
    pub name: String,
    /// The key ID.
    pub key_id: [u8; 4],
    /// What follows the key ID (the signature, or for cosignatures a timestamp and the
    /// signature).
    pub body: Vec<u8>,
}

impl NoteSignature {
    /// The line, with its newline.
    pub fn line(&self) -> String {
        let mut raw = self.key_id.to_vec();
        raw.extend_from_slice(&self.body);
        format!("{DASH}{} {}\n", self.name, STANDARD.encode(raw))
    }
}

/// A signed note: its text and its signature lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The signed text, ending in a newline.
    pub text: String,
    /// The signatures, in order.
    pub signatures: Vec<NoteSignature>,
}

/// The signature type bytes of `algorithm`.
pub fn signature_type(algorithm: Algorithm) -> Vec<u8> {
    match algorithm {
        Algorithm::EcdsaP256Sha256 => vec![0x02],
        Algorithm::Sm2Sm3 => [&[0xff][..], SM2_TYPE].concat(),
    }
}

/// The key ID of `key` under `name`, as the spec gives it for the key's type.
pub fn key_id(name: &str, key: &PublicKey) -> [u8; 4] {
    let spki = key.to_spki_der();
    let digest: [u8; 32] = match key.algorithm() {
        Algorithm::EcdsaP256Sha256 => Sha256::digest(&spki).into(),
        Algorithm::Sm2Sm3 => {
            let mut h = Sha256::new();
            h.update(name.as_bytes());
            h.update([0x0a]);
            h.update(signature_type(key.algorithm()));
            h.update(&spki);
            h.finalize().into()
        }
    };
    [digest[0], digest[1], digest[2], digest[3]]
}

/// Whether `name` may name a key: non-empty, no whitespace, no `+`.
pub fn valid_key_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || c == '+')
}

/// Check that `text` may be a note's text: ends in one newline, no blank line at its
/// end, no control character but newline.
fn check_text(text: &str) -> Result<(), NoteError> {
    if !text.ends_with('\n') || text.ends_with("\n\n") || text == "\n" {
        return Err(NoteError::Malformed(
            "the text must end in exactly one newline",
        ));
    }
    if text.chars().any(|c| c < ' ' && c != '\n') {
        return Err(NoteError::Malformed("a control character in the text"));
    }
    Ok(())
}

impl Note {
    /// Sign `text` as `name` with `signer` → a note with that one signature.
    pub fn sign(text: &str, name: &str, signer: &dyn Signer) -> Result<Note, NoteError> {
        check_text(text)?;
        let mut note = Note {
            text: text.to_string(),
            signatures: Vec::new(),
        };
        note.add_signature(name, signer)?;
        Ok(note)
    }

    /// Add a signature of this note's text by `signer` under `name`.
    pub fn add_signature(&mut self, name: &str, signer: &dyn Signer) -> Result<(), NoteError> {
        if !valid_key_name(name) {
            return Err(NoteError::KeyName(name.to_string()));
        }
        let body = signer.sign(self.text.as_bytes(), SignatureEncoding::Der)?;
        self.signatures.push(NoteSignature {
            name: name.to_string(),
            key_id: key_id(name, signer.public_key()),
            body,
        });
        Ok(())
    }

    /// Parse a signed note (bounded, strict).
    pub fn parse(bytes: &[u8]) -> Result<Note, NoteError> {
        if bytes.len() > MAX_NOTE_BYTES {
            return Err(NoteError::TooLong);
        }
        let s = std::str::from_utf8(bytes).map_err(|_| NoteError::Malformed("not UTF-8"))?;
        if s.chars().any(|c| c < ' ' && c != '\n') {
            return Err(NoteError::Malformed("a control character"));
        }
        let split = s
            .rfind("\n\n")
            .ok_or(NoteError::Malformed("no blank line before the signatures"))?;
        let (text, sigs) = (&s[..split + 1], &s[split + 2..]);
        check_text(text)?;
        if sigs.is_empty() || !sigs.ends_with('\n') {
            return Err(NoteError::Malformed(
                "the signature lines must end in a newline",
            ));
        }
        let mut signatures = Vec::new();
        for line in sigs[..sigs.len() - 1].split('\n') {
            if signatures.len() == MAX_SIGNATURES {
                return Err(NoteError::TooManySignatures);
            }
            let rest = line.strip_prefix(DASH).ok_or(NoteError::Malformed(
                "a signature line must start with an em dash",
            ))?;
            let (name, b64) = rest.split_once(' ').ok_or(NoteError::Malformed(
                "a signature line needs a name and a signature",
            ))?;
            if !valid_key_name(name) {
                return Err(NoteError::KeyName(name.to_string()));
            }
            let raw = STANDARD
                .decode(b64)
                .map_err(|_| NoteError::Malformed("a signature is not base64"))?;
            if raw.len() < 5 {
                return Err(NoteError::Malformed(
                    "a signature is shorter than its key ID",
                ));
            }
            signatures.push(NoteSignature {
                name: name.to_string(),
                key_id: [raw[0], raw[1], raw[2], raw[3]],
                body: raw[4..].to_vec(),
            });
        }
        Ok(Note {
            text: text.to_string(),
            signatures,
        })
    }

    /// The note as text.
    pub fn to_text(&self) -> String {
        let mut out = self.text.clone();
        out.push('\n');
        for s in &self.signatures {
            out.push_str(&s.line());
        }
        out
    }

    /// The signature of the key `key` under `name`, if the note has one.
    pub fn signature_of(&self, name: &str, key: &PublicKey) -> Option<&NoteSignature> {
        let id = key_id(name, key);
        self.signatures
            .iter()
            .find(|s| s.name == name && s.key_id == id)
    }

    /// Verify the signature of `key` under `name` over the text.
    pub fn verify(&self, name: &str, key: &PublicKey) -> Result<(), NoteError> {
        let sig = self
            .signature_of(name, key)
            .ok_or_else(|| NoteError::NotSigned(name.to_string()))?;
        key.verify_encoded(self.text.as_bytes(), &sig.body, SignatureEncoding::Der)
            .map_err(|_| NoteError::BadSignature(name.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{PrivateKey, SoftwareSigner};

    fn signer(alg: Algorithm) -> SoftwareSigner {
        SoftwareSigner::new("k", PrivateKey::generate(alg).unwrap())
    }

    #[test]
    fn signs_parses_and_verifies_with_each_algorithm() {
        for alg in Algorithm::ALL {
            let s = signer(alg);
            let note = Note::sign("example.org/log\n3\nabc=\n", "example.org/log", &s).unwrap();
            let text = note.to_text();
            assert!(text.starts_with("example.org/log\n3\nabc=\n\n\u{2014} example.org/log "));
            let back = Note::parse(text.as_bytes()).unwrap();
            assert_eq!(back, note);
            back.verify("example.org/log", s.public_key()).unwrap();
            // another key under the same name is not a signature of this one
            let other = signer(alg);
            assert_eq!(
                back.verify("example.org/log", other.public_key()),
                Err(NoteError::NotSigned("example.org/log".into()))
            );
            // the text changed: the signature fails
            let mut changed = back.clone();
            changed.text = "example.org/log\n4\nabc=\n".into();
            assert_eq!(
                changed.verify("example.org/log", s.public_key()),
                Err(NoteError::BadSignature("example.org/log".into()))
            );
        }
    }

    #[test]
    fn the_p256_key_id_is_the_hash_of_the_spki() {
        let s = signer(Algorithm::EcdsaP256Sha256);
        let d = Sha256::digest(s.public_key().to_spki_der());
        assert_eq!(key_id("any", s.public_key()), d[..4]);
        let sm2 = signer(Algorithm::Sm2Sm3);
        assert_ne!(key_id("a", sm2.public_key()), key_id("b", sm2.public_key()));
    }

    #[test]
    fn malformed_notes_are_refused() {
        let s = signer(Algorithm::EcdsaP256Sha256);
        let good = Note::sign("o\n1\nx\n", "o", &s).unwrap().to_text();
        for (bad, why) in [
            ("o\n1\nx\n", "no signatures"),
            ("o\n1\nx\n\n", "empty signature block"),
            ("o\n1\nx\n\n-- o AAAAAAA=\n", "not an em dash"),
            ("o\n1\nx\n\n\u{2014} o AAAA\n", "shorter than a key ID"),
            ("o\n1\nx\n\n\u{2014} o !!!!\n", "not base64"),
            ("o\x01\n1\nx\n\n\u{2014} o AAAAAAA=\n", "control character"),
        ] {
            assert!(Note::parse(bad.as_bytes()).is_err(), "{why}");
        }
        assert!(Note::parse(&good.as_bytes()[..good.len() - 1]).is_err());
        assert_eq!(
            Note::parse(&vec![b'a'; MAX_NOTE_BYTES + 1]),
            Err(NoteError::TooLong)
        );
        assert!(matches!(
            Note::sign("no newline", "o", &s),
            Err(NoteError::Malformed(_))
        ));
        assert!(matches!(
            Note::sign("t\n", "two words", &s),
            Err(NoteError::KeyName(_))
        ));
    }
}
