//! Checkpoints (`c2sp.org/tlog-checkpoint`): a log's origin, tree size and root hash as
//! the text of a signed note, and witnesses' cosignatures of them
//! (`c2sp.org/tlog-cosignature`'s layout: the signed message is `cosignature/v1`,
//! `time <t>` and the checkpoint text; the signature line carries the 8-byte big-endian
//! time before the signature).
//!
//! The witness keys are P-256 or SM2, which the cosignature spec does not assign, so a
//! cosignature's type is `0xff` followed by [`COSIGNATURE_TYPE`] and the algorithm's
//! name, its key ID the recommended `SHA-256(name || 0x0A || type || SPKI)[:4]`.

use super::merkle::Hash;
use super::note::{valid_key_name, Note, NoteError, NoteSignature};
use crate::crypto::{PublicKey, SignatureEncoding, Signer};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The identifier after `0xff` of the project's cosignatures (the algorithm follows).
pub const COSIGNATURE_TYPE: &[u8] = b"deltaseal/cosignature/v1/";
/// Extension lines accepted after the root hash.
const MAX_EXTENSIONS: usize = 16;

/// A checkpoint a node signed, as it keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    /// The tree size.
    pub size: u64,
    /// The root hash.
    pub root: Hash,
    /// The signed note.
    pub note: String,
}

/// The origin of the archive log of the node of `province`.
pub fn origin(province: crate::pki::Province) -> String {
    format!(
        "deltaseal.yrd/{}/archive",
        province.abbrev().to_ascii_lowercase()
    )
}

/// The name under which the node of `province` cosigns other logs' checkpoints.
pub fn witness_name(province: crate::pki::Province) -> String {
    format!(
        "deltaseal.yrd/{}/witness",
        province.abbrev().to_ascii_lowercase()
    )
}

/// A checkpoint's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The log's origin (a schema-less URL naming it).
    pub origin: String,
    /// The number of entries.
    pub size: u64,
    /// The root hash (RFC 9162) of the tree of `size` entries.
    pub root: Hash,
    /// Extension lines, if any.
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// The note text: origin, size, base64 root, extension lines, each ending in `\n`.
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.root)
        );
        for e in &self.extensions {
            s.push_str(e);
            s.push('\n');
        }
        s
    }

    /// Parse a checkpoint note's text.
    pub fn from_text(text: &str) -> Result<Checkpoint, NoteError> {
        let body = text
            .strip_suffix('\n')
            .ok_or(NoteError::Malformed("a checkpoint ends in a newline"))?;
        let mut lines = body.split('\n');
        let origin = lines
            .next()
            .filter(|o| !o.is_empty())
            .ok_or(NoteError::Malformed("a checkpoint starts with its origin"))?;
        let size = lines
            .next()
            .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .filter(|s| s.len() == 1 || !s.starts_with('0'))
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or(NoteError::Malformed("the second line is the tree size"))?;
        let root: Hash = lines
            .next()
            .and_then(|r| STANDARD.decode(r).ok())
            .and_then(|r| r.try_into().ok())
            .ok_or(NoteError::Malformed(
                "the third line is a base64 32-byte root",
            ))?;
        let extensions: Vec<String> = lines.map(str::to_owned).collect();
        if extensions.len() > MAX_EXTENSIONS || extensions.iter().any(String::is_empty) {
            return Err(NoteError::Malformed("the extension lines"));
        }
        Ok(Checkpoint {
            origin: origin.to_string(),
            size,
            root,
            extensions,
        })
    }

    /// Sign as the log `origin`'s key → the signed note.
    pub fn sign(&self, signer: &dyn Signer) -> Result<Note, NoteError> {
        Note::sign(&self.to_text(), &self.origin, signer)
    }

    /// Read a signed checkpoint and verify its log's signature (key `log_key`, named by
    /// the origin) → the checkpoint and the note.
    pub fn open(bytes: &[u8], log_key: &PublicKey) -> Result<(Checkpoint, Note), NoteError> {
        let note = Note::parse(bytes)?;
        let cp = Checkpoint::from_text(&note.text)?;
        note.verify(&cp.origin, log_key)?;
        Ok((cp, note))
    }
}

/// The signature type of a cosignature by `key`.
fn cosignature_type(key: &PublicKey) -> Vec<u8> {
    let mut t = vec![0xff];
    t.extend_from_slice(COSIGNATURE_TYPE);
    t.extend_from_slice(key.algorithm().name().as_bytes());
    t
}

/// The key ID of the witness key `key` named `name`.
pub fn witness_key_id(name: &str, key: &PublicKey) -> [u8; 4] {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update([0x0a]);
    h.update(cosignature_type(key));
    h.update(key.to_spki_der());
    let d = h.finalize();
    [d[0], d[1], d[2], d[3]]
}

/// The message a witness signs for `checkpoint_text` at `time` (Unix seconds).
fn cosigned_message(checkpoint_text: &str, time: u64) -> Vec<u8> {
    format!("cosignature/v1\ntime {time}\n{checkpoint_text}").into_bytes()
}

/// A witness `name` cosigns the note's checkpoint at `time` → the signature line to add.
pub fn cosign(
    note: &Note,
    name: &str,
    signer: &dyn Signer,
    time: u64,
) -> Result<NoteSignature, NoteError> {
    if !valid_key_name(name) {
        return Err(NoteError::KeyName(name.to_string()));
    }
    let sig = signer.sign(&cosigned_message(&note.text, time), SignatureEncoding::Der)?;
    let mut body = time.to_be_bytes().to_vec();
    body.extend_from_slice(&sig);
    Ok(NoteSignature {
        name: name.to_string(),
        key_id: witness_key_id(name, signer.public_key()),
        body,
    })
}

/// Verify the cosignature of the witness `key` named `name` in `note` → its time.
pub fn verify_cosignature(note: &Note, name: &str, key: &PublicKey) -> Result<u64, NoteError> {
    let id = witness_key_id(name, key);
    let sig = note
        .signatures
        .iter()
        .find(|s| s.name == name && s.key_id == id)
        .ok_or_else(|| NoteError::NotSigned(name.to_string()))?;
    if sig.body.len() < 9 {
        return Err(NoteError::Malformed(
            "a cosignature is shorter than its time",
        ));
    }
    let time = u64::from_be_bytes(sig.body[..8].try_into().expect("8 bytes"));
    key.verify_encoded(
        &cosigned_message(&note.text, time),
        &sig.body[8..],
        SignatureEncoding::Der,
    )
    .map_err(|_| NoteError::BadSignature(name.to_string()))?;
    Ok(time)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{Algorithm, PrivateKey, SoftwareSigner};

    fn cp() -> Checkpoint {
        Checkpoint {
            origin: "deltaseal.yrd/SH/archive".into(),
            size: 1234,
            root: [7; 32],
            extensions: vec![],
        }
    }

    #[test]
    fn text_round_trips_and_is_the_c2sp_layout() {
        let c = cp();
        let text = c.to_text();
        assert_eq!(
            text,
            format!(
                "deltaseal.yrd/SH/archive\n1234\n{}\n",
                STANDARD.encode([7u8; 32])
            )
        );
        assert_eq!(Checkpoint::from_text(&text).unwrap(), c);
        for bad in [
            "o\n01\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n",
            "o\n-1\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n",
            "o\n1\nBwcH\n",
            "o\n1\n",
            "\n1\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n",
        ] {
            assert!(Checkpoint::from_text(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn signed_and_cosigned_with_each_algorithm() {
        for alg in Algorithm::ALL {
            let log = SoftwareSigner::new("log", PrivateKey::generate(alg).unwrap());
            let mut note = cp().sign(&log).unwrap();
            let (back, _) = Checkpoint::open(note.to_text().as_bytes(), log.public_key()).unwrap();
            assert_eq!(back, cp());
            for w_alg in Algorithm::ALL {
                let w = SoftwareSigner::new("w", PrivateKey::generate(w_alg).unwrap());
                let line = cosign(&note, "deltaseal.yrd/JS/witness", &w, 1_800_000_000).unwrap();
                note.signatures.push(line);
                let parsed = Note::parse(note.to_text().as_bytes()).unwrap();
                assert_eq!(
                    verify_cosignature(&parsed, "deltaseal.yrd/JS/witness", w.public_key()),
                    Ok(1_800_000_000)
                );
                // the log's own signature still verifies with the cosignature beside it
                Checkpoint::open(parsed.to_text().as_bytes(), log.public_key()).unwrap();
                // a cosignature of another checkpoint does not count for this one
                let mut other = parsed.clone();
                other.text = Checkpoint { size: 1235, ..cp() }.to_text();
                assert!(
                    verify_cosignature(&other, "deltaseal.yrd/JS/witness", w.public_key()).is_err()
                );
                note.signatures.pop();
            }
        }
    }
}
