//! An export of a node's archive log as a package an archive keeps: a folder of
//! files and `manifest.note`, a signed note (the node's log key, the log's origin as
//! its name) whose text lists every other file with its SHA-256 and size, and the
//! checkpoint the package stands on.
//!
//! Manifest text:
//!
//! ```text
//! deltaseal-archive-export/v1
//! origin deltaseal.yrd/SH/archive
//! size 1234
//! root <base64 root hash>
//! created 1780272000
//! <sha256 hex> <bytes> <path>
//! …
//! ```

use super::merkle::Hash;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// The first line of a manifest.
pub const MANIFEST_VERSION: &str = "deltaseal-archive-export/v1";
/// The manifest's file name.
pub const MANIFEST: &str = "manifest.note";
/// Most files a manifest lists.
pub const MAX_FILES: usize = 64;

/// The layout, written to the package as `README.txt`.
pub const LAYOUT: &str = "\
deltaseal archive export
========================

manifest.note    the manifest: a C2SP signed note, signed with the node's archive key
                 (the show-service key of its province, named by the log's origin);
                 its text lists every other file with its SHA-256 (hex) and size
checkpoint.txt   the log's signed checkpoint the export stands on, with the peer
                 provinces' cosignatures
entries.jsonl    every entry of the log up to that checkpoint, one JSON object a line:
                 index, act, subject, digest (hex SHA-256 of the act's record), at
                 (Unix seconds), leaf_hash (base64 RFC 9162 leaf hash)
records.jsonl    for every license.issued entry: index, subject (the license) and the
                 issuer-signed JWT the node held of it when exported (null: none)
trust-list.jws   the regional trust list the node held: every province's roots, issuing
                 agencies with their certificates, show-service certificates
README.txt       this text

Checking a package: deltaseal archive verify --export DIR — the manifest's signature,
every file's hash and size, the checkpoint's signature, the entries rebuilt to its
root, each license record against its entry's digest.
";

/// One file of a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// Its path in the package (relative, `/`-separated).
    pub path: String,
    /// SHA-256 of its bytes.
    pub sha256: Hash,
    /// Its size.
    pub bytes: u64,
}

/// A manifest's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The log's origin.
    pub origin: String,
    /// The checkpoint's size.
    pub size: u64,
    /// Its root.
    pub root: Hash,
    /// When the package was made (Unix seconds).
    pub created: i64,
    /// Its files.
    pub files: Vec<Listed>,
}

/// Why a manifest or a package path is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the manifest: {0}")]
pub struct ManifestError(pub String);

/// Whether `p` may name a file of a package: 1-128 bytes of letters, digits, `.`, `_`,
/// `-` and `/`, relative, without `..` or empty segments.
pub fn valid_path(p: &str) -> bool {
    !p.is_empty()
        && p.len() <= 128
        && p.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-/".contains(&b))
        && p.split('/').all(|s| !s.is_empty() && s != "." && s != "..")
}

impl Manifest {
    /// The manifest's text (the note's text).
    pub fn to_text(&self) -> String {
        let mut t = format!(
            "{MANIFEST_VERSION}\norigin {}\nsize {}\nroot {}\ncreated {}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.root),
            self.created
        );
        for f in &self.files {
            t.push_str(&format!(
                "{} {} {}\n",
                hex::encode(f.sha256),
                f.bytes,
                f.path
            ));
        }
        t
    }

    /// Read a manifest's text.
    pub fn from_text(text: &str) -> Result<Manifest, ManifestError> {
        let bad = |m: &str| ManifestError(m.to_string());
        let mut lines = text.lines();
        if lines.next() != Some(MANIFEST_VERSION) {
            return Err(bad("not a deltaseal-archive-export/v1 manifest"));
        }
        let mut field = |name: &str| {
            lines
                .next()
                .and_then(|l| l.strip_prefix(name))
                .and_then(|l| l.strip_prefix(' '))
                .map(str::to_string)
                .ok_or_else(|| bad(&format!("no {name} line")))
        };
        let origin = field("origin")?;
        let size = field("size")?
            .parse()
            .map_err(|_| bad("size is not a number"))?;
        let root: Hash = STANDARD
            .decode(field("root")?)
            .ok()
            .and_then(|r| r.try_into().ok())
            .ok_or_else(|| bad("root is not a base64 hash"))?;
        let created = field("created")?
            .parse()
            .map_err(|_| bad("created is not a number"))?;
        let mut files: Vec<Listed> = Vec::new();
        for l in lines {
            let mut parts = l.splitn(3, ' ');
            let (Some(h), Some(n), Some(p)) = (parts.next(), parts.next(), parts.next()) else {
                return Err(bad("a file line is not <sha256> <bytes> <path>"));
            };
            let sha256: Hash = hex::decode(h)
                .ok()
                .and_then(|d| d.try_into().ok())
                .ok_or_else(|| bad("a file's hash is not hex SHA-256"))?;
            let bytes = n
                .parse()
                .map_err(|_| bad("a file's size is not a number"))?;
            if !valid_path(p) || p == MANIFEST {
                return Err(bad("a file's path is not a plain relative path"));
            }
            if files.iter().any(|f| f.path == p) {
                return Err(bad("a file is listed twice"));
            }
            if files.len() == MAX_FILES {
                return Err(bad("too many files"));
            }
            files.push(Listed {
                path: p.to_string(),
                sha256,
                bytes,
            });
        }
        Ok(Manifest {
            origin,
            size,
            root,
            created,
            files,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_reads_back_and_refuses_what_it_must() {
        let m = Manifest {
            origin: "deltaseal.yrd/SH/archive".into(),
            size: 3,
            root: [7; 32],
            created: 1_780_272_000,
            files: vec![Listed {
                path: "entries.jsonl".into(),
                sha256: [1; 32],
                bytes: 42,
            }],
        };
        assert_eq!(Manifest::from_text(&m.to_text()).unwrap(), m);
        for bad in [
            "../x",
            "/etc/passwd",
            "a//b",
            "a b",
            "",
            "./x",
            "manifest.note",
        ] {
            let t = m.to_text().replace("entries.jsonl", bad);
            assert!(Manifest::from_text(&t).is_err(), "{bad:?}");
        }
        let twice = format!(
            "{}{} 1 entries.jsonl\n",
            m.to_text(),
            hex::encode([2u8; 32])
        );
        assert!(Manifest::from_text(&twice).is_err());
        assert!(Manifest::from_text("other/v1\n").is_err());
    }
}
