//! Auditing a log from outside: a new checkpoint against the last one seen (same size:
//! the same root, or the log forked; larger: a consistency proof; smaller: the log
//! shrank), and — with every entry fetched — the checkpoint's root rebuilt from the
//! entries themselves.

use super::checkpoint::Checkpoint;
use super::entry::Entry;
use super::merkle::{self, Hash, ProofError};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// What an auditor keeps of a log: the last checkpoint it accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seen {
    /// The log's origin.
    pub origin: String,
    /// Its size then.
    pub size: u64,
    /// Its root then, base64.
    pub root: String,
}

impl Seen {
    /// What to keep of `cp`.
    pub fn of(cp: &Checkpoint) -> Seen {
        Seen {
            origin: cp.origin.clone(),
            size: cp.size,
            root: STANDARD.encode(cp.root),
        }
    }

    fn root_hash(&self) -> Option<Hash> {
        STANDARD.decode(&self.root).ok()?.try_into().ok()
    }
}

/// What the audit found wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuditError {
    /// The checkpoint is of another log than the one seen.
    #[error("the checkpoint is of {got}, not {expected}")]
    Origin {
        /// the origin seen before
        expected: String,
        /// the checkpoint's
        got: String,
    },
    /// The log is smaller than when last seen: entries were removed.
    #[error("the log shrank from {seen} to {now} entries")]
    Shrunk {
        /// the size seen before
        seen: u64,
        /// the size now
        now: u64,
    },
    /// Two different roots for the same size: the log forked or was rewritten.
    #[error("two different roots for {size} entries: the log forked or was rewritten")]
    Fork {
        /// the size
        size: u64,
    },
    /// The new checkpoint does not extend the one seen.
    #[error("the log of {to} entries does not extend the one of {from} seen before: {reason}")]
    Inconsistent {
        /// the size seen before
        from: u64,
        /// the size now
        to: u64,
        /// what the proof check said
        reason: ProofError,
    },
    /// The kept state is unreadable.
    #[error("the state kept for {0} is unreadable")]
    State(String),
    /// The entries served are not the ones the checkpoint commits to.
    #[error("entry {index}: {reason}")]
    Entry {
        /// the first entry at fault
        index: u64,
        /// what is wrong with it
        reason: String,
    },
    /// The entries served do not hash to the checkpoint's root.
    #[error("the {size} entries served do not hash to the checkpoint's root")]
    Root {
        /// the size
        size: u64,
    },
}

/// Check `cp` against `seen` (the last checkpoint accepted of this log, if any), with
/// `proof` the consistency proof from `seen.size` to `cp.size` when it grew.
pub fn check_growth(
    seen: Option<&Seen>,
    cp: &Checkpoint,
    proof: &[Hash],
) -> Result<(), AuditError> {
    let Some(seen) = seen else {
        return Ok(());
    };
    if seen.origin != cp.origin {
        return Err(AuditError::Origin {
            expected: seen.origin.clone(),
            got: cp.origin.clone(),
        });
    }
    let old = seen
        .root_hash()
        .ok_or_else(|| AuditError::State(seen.origin.clone()))?;
    if cp.size < seen.size {
        return Err(AuditError::Shrunk {
            seen: seen.size,
            now: cp.size,
        });
    }
    if cp.size == seen.size {
        return if cp.root == old {
            Ok(())
        } else {
            Err(AuditError::Fork { size: cp.size })
        };
    }
    if seen.size == 0 {
        return Ok(());
    }
    merkle::verify_consistency(seen.size, cp.size, &old, &cp.root, proof).map_err(|reason| {
        AuditError::Inconsistent {
            from: seen.size,
            to: cp.size,
            reason,
        }
    })
}

/// Check that `entries` — every entry of the log, in order, each with the index and
/// leaf hash the node served — are what `cp` commits to: contiguous from 0, each leaf
/// hash the hash of its entry, and together of `cp.size` entries hashing to `cp.root`.
pub fn check_entries(cp: &Checkpoint, entries: &[(u64, Entry, Hash)]) -> Result<(), AuditError> {
    let mut leaves = Vec::with_capacity(entries.len());
    for (want, (index, entry, leaf)) in (0u64..).zip(entries) {
        if *index != want {
            return Err(AuditError::Entry {
                index: want,
                reason: format!("missing (the next entry served is {index})"),
            });
        }
        if entry.leaf_hash() != *leaf {
            return Err(AuditError::Entry {
                index: want,
                reason: "its leaf hash is not the hash of its content".into(),
            });
        }
        leaves.push(*leaf);
    }
    if leaves.len() as u64 != cp.size {
        return Err(AuditError::Entry {
            index: leaves.len() as u64,
            reason: format!(
                "{} entries served, the checkpoint has {}",
                leaves.len(),
                cp.size
            ),
        });
    }
    if merkle::root(&leaves) != cp.root {
        return Err(AuditError::Root { size: cp.size });
    }
    Ok(())
}

/// Check what the node holds of each license its log says it issued: `records` are,
/// by entry index, the issuer-signed JWT the node now holds of the entry's license
/// (none: it holds no such license), and for each `evidence.kept` entry the text of the
/// validation data it holds. Every such entry of `entries` must have its record,
/// hashing to the entry's digest — a license row, or the validation data kept at
/// issuance, deleted or altered in the database after it was logged fails here. The
/// numbers checked: licenses, then validation data.
pub fn check_records(
    entries: &[(u64, Entry, Hash)],
    records: &std::collections::BTreeMap<u64, Option<Vec<u8>>>,
) -> Result<(usize, usize), AuditError> {
    use super::entry::Act;
    let mut checked = (0, 0);
    for (index, entry, _) in entries {
        let what = match entry.act {
            Act::LicenseIssued => format!("license {}", entry.subject),
            Act::EvidenceKept => format!("validation data of {}", entry.subject),
            _ => continue,
        };
        let fault = |reason: String| AuditError::Entry {
            index: *index,
            reason,
        };
        match records.get(index) {
            None => {
                return Err(fault(format!(
                    "the node did not say what it holds of {what}"
                )))
            }
            Some(None) => {
                return Err(fault(format!(
                    "{what} is in the log but the node no longer holds it"
                )))
            }
            Some(Some(r)) if !entry.records(r) => {
                return Err(fault(format!(
                    "the {what} the node holds is not the one it logged"
                )))
            }
            Some(Some(_)) if entry.act == Act::LicenseIssued => checked.0 += 1,
            Some(Some(_)) => checked.1 += 1,
        }
    }
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::entry::Act;
    use crate::archive::merkle::MemoryTree;

    fn log(n: u64) -> (Vec<(u64, Entry, Hash)>, MemoryTree) {
        let mut t = MemoryTree::new();
        let mut es = Vec::new();
        for i in 0..n {
            let e = Entry::of(
                Act::LicenseIssued,
                &format!("L{i}"),
                &i.to_be_bytes(),
                1_790_000_000,
            );
            t.push(e.leaf_hash());
            es.push((i, e.clone(), e.leaf_hash()));
        }
        (es, t)
    }

    fn cp(t: &MemoryTree, size: u64) -> Checkpoint {
        Checkpoint {
            origin: "o".into(),
            size,
            root: t.root_at(size).unwrap(),
            extensions: vec![],
        }
    }

    #[test]
    fn growth_is_checked_by_consistency_and_forks_are_caught() {
        let (_, t) = log(20);
        let seen = Seen::of(&cp(&t, 7));
        let proof = t.consistency_proof(7, 20).unwrap();
        assert_eq!(check_growth(Some(&seen), &cp(&t, 20), &proof), Ok(()));
        assert_eq!(check_growth(Some(&seen), &cp(&t, 7), &[]), Ok(()));
        assert_eq!(check_growth(None, &cp(&t, 20), &[]), Ok(()));
        assert_eq!(
            check_growth(Some(&seen), &cp(&t, 5), &[]),
            Err(AuditError::Shrunk { seen: 7, now: 5 })
        );
        // another log of 7 entries: a fork
        let (_, other) = log(8);
        let mut forked = cp(&other, 7);
        forked.root[0] ^= 1;
        assert_eq!(
            check_growth(Some(&seen), &forked, &[]),
            Err(AuditError::Fork { size: 7 })
        );
        // a rewritten log that grew: the proof does not tie it to the one seen
        let mut rewritten = cp(&t, 20);
        rewritten.root[5] ^= 1;
        assert!(matches!(
            check_growth(Some(&seen), &rewritten, &proof),
            Err(AuditError::Inconsistent {
                from: 7,
                to: 20,
                ..
            })
        ));
    }

    #[test]
    fn entries_are_checked_against_the_root() {
        let (es, t) = log(9);
        let c = cp(&t, 9);
        assert_eq!(check_entries(&c, &es), Ok(()));
        let mut altered = es.clone();
        altered[3].1.subject = "changed".into();
        assert!(matches!(
            check_entries(&c, &altered),
            Err(AuditError::Entry { index: 3, .. })
        ));
        let mut rehashed = altered.clone();
        rehashed[3].2 = rehashed[3].1.leaf_hash();
        assert_eq!(
            check_entries(&c, &rehashed),
            Err(AuditError::Root { size: 9 })
        );
        let mut deleted = es.clone();
        deleted.remove(4);
        assert!(matches!(
            check_entries(&c, &deleted),
            Err(AuditError::Entry { index: 4, .. })
        ));
        assert!(matches!(
            check_entries(&c, &es[..8]),
            Err(AuditError::Entry { index: 8, .. })
        ));
    }

    #[test]
    fn a_license_deleted_or_altered_after_it_was_logged_is_caught() {
        use super::super::entry::Act;
        let jwt = b"eyJhbGciOiJFUzI1NiJ9.e30.sig".to_vec();
        let issued = Entry::of(Act::LicenseIssued, "L1", &jwt, 1);
        let other = Entry::of(Act::StatusChanged, "L1", b"x", 2);
        let kept = Entry::of(Act::EvidenceKept, "A", b"{bundle}", 1);
        let entries = vec![
            (0, issued.clone(), issued.leaf_hash()),
            (1, other.clone(), other.leaf_hash()),
            (2, kept.clone(), kept.leaf_hash()),
        ];
        let mut held = std::collections::BTreeMap::new();
        held.insert(0, Some(jwt.clone()));
        held.insert(2, Some(b"{bundle}".to_vec()));
        assert_eq!(check_records(&entries, &held), Ok((1, 1)));
        held.insert(2, Some(b"{changed}".to_vec()));
        let e = check_records(&entries, &held).unwrap_err().to_string();
        assert!(
            e.contains("validation data of A the node holds is not the one it logged"),
            "{e}"
        );
        held.insert(2, None);
        let e = check_records(&entries, &held).unwrap_err().to_string();
        assert!(e.contains("validation data of A is in the log but"), "{e}");
        held.insert(2, Some(b"{bundle}".to_vec()));
        held.insert(0, Some(b"eyJhbGciOiJFUzI1NiJ9.e30.other".to_vec()));
        let e = check_records(&entries, &held).unwrap_err().to_string();
        assert!(e.contains("not the one it logged"), "{e}");
        held.insert(0, None);
        let e = check_records(&entries, &held).unwrap_err().to_string();
        assert!(e.contains("no longer holds"), "{e}");
        held.clear();
        assert!(matches!(
            check_records(&entries, &held),
            Err(AuditError::Entry { index: 0, .. })
        ));
    }
}
