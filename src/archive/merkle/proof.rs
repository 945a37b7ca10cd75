//! Inclusion and consistency proofs: their lengths, making them from a [`NodeStore`],
//! and checking them as RFC 9162 sections 2.1.3.2 and 2.1.4.2 specify.

use super::{empty_root, node_hash, subtree_root, Hash, NodeStore, ProveError};

/// Why a proof does not hold (or could not be asked for).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProofError {
    /// The leaf index is not below the tree size.
    #[error("leaf index {index} is not below the tree size {size}")]
    IndexOutOfRange {
        /// The leaf index given.
        index: u64,
        /// The tree size given.
        size: u64,
    },
    /// The first tree is larger than the second.
    #[error("first tree size {size1} is larger than the second, {size2}")]
    SizeOrder {
        /// The first (older) tree size.
        size1: u64,
        /// The second (newer) tree size.
        size2: u64,
    },
    /// A consistency proof from the empty tree to a larger one: RFC 9162 defines none
    /// (it needs `0 < first`), as every tree extends the empty one.
    #[error("no consistency proof starts at the empty tree (second size {size2})")]
    FromEmptyTree {
        /// The second tree size.
        size2: u64,
    },
    /// The proof has the wrong number of hashes for the index and sizes.
    #[error("proof has {got} hashes, {expected} expected")]
    WrongLength {
        /// The number the index and sizes call for.
        expected: usize,
        /// The number given.
        got: usize,
    },
    /// The proof does not lead to the root given for a tree size.
    #[error("proof does not lead to the root given for tree size {tree_size}")]
    RootMismatch {
        /// The tree size whose root differs.
        tree_size: u64,
    },
    /// A hash given as bytes is not 32 bytes long.
    #[error("a hash is 32 bytes, got {got}")]
    HashLength {
        /// The number of bytes given.
        got: usize,
    },
}

impl ProofError {
    /// The stable code of the error, for reports and API responses.
    pub fn code(&self) -> &'static str {
        match self {
            ProofError::IndexOutOfRange { .. } => "merkle.index_out_of_range",
            ProofError::SizeOrder { .. } => "merkle.size_order",
            ProofError::FromEmptyTree { .. } => "merkle.from_empty_tree",
            ProofError::WrongLength { .. } => "merkle.wrong_length",
            ProofError::RootMismatch { .. } => "merkle.root_mismatch",
            ProofError::HashLength { .. } => "merkle.hash_length",
        }
    }
}

/// A hash from untrusted bytes: exactly 32 of them.
pub fn parse_hash(bytes: &[u8]) -> Result<Hash, ProofError> {
    bytes
        .try_into()
        .map_err(|_| ProofError::HashLength { got: bytes.len() })
}

/// A proof from untrusted byte strings, each exactly 32 bytes.
pub fn parse_proof<B: AsRef<[u8]>>(hashes: &[B]) -> Result<Vec<Hash>, ProofError> {
    hashes
        .iter()
        .map(|hash| parse_hash(hash.as_ref()))
        .collect()
}

/// `x >> shift`, 0 once every bit is shifted out (`shift` may be 64).
fn shr(x: u64, shift: u32) -> u64 {
    x.checked_shr(shift).unwrap_or(0)
}

/// The number of bits needed to write `x` (0 for 0).
fn bit_len(x: u64) -> u32 {
    u64::BITS - x.leading_zeros()
}

/// The number of hashes in the inclusion proof of leaf `index` in a tree of `size`.
pub fn inclusion_proof_len(index: u64, size: u64) -> Result<usize, ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    // Siblings below the level where the paths to `index` and `size - 1` meet, then
    // one left sibling per set bit above it.
    let inner = bit_len(index ^ (size - 1));
    let border = shr(index, inner).count_ones();
    Ok((inner + border) as usize)
}

/// The number of hashes in the consistency proof from tree size `size1` to `size2`.
pub fn consistency_proof_len(size1: u64, size2: u64) -> Result<usize, ProofError> {
    if size1 > size2 {
        return Err(ProofError::SizeOrder { size1, size2 });
    }
    if size1 == size2 {
        return Ok(0);
    }
    if size1 == 0 {
        return Err(ProofError::FromEmptyTree { size2 });
    }
    // The inclusion path of leaf `size1 - 1` in `size2`, less the levels inside the
    // largest perfect subtree ending at `size1`, whose root leads the proof unless it
    // is the whole first tree.
    let last = size1 - 1;
    let inner = bit_len(last ^ (size2 - 1));
    let border = shr(last, inner).count_ones();
    let shift = size1.trailing_zeros();
    let seed = usize::from(!size1.is_power_of_two());
    Ok(inner.saturating_sub(shift) as usize + border as usize + seed)
}

/// Checks that `leaf_hash` is leaf `index` of the tree of `size` whose root is `root`
/// (RFC 9162 section 2.1.3.2).
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf_hash: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    let expected = inclusion_proof_len(index, size)?;
    let wrong_length = ProofError::WrongLength {
        expected,
        got: proof.len(),
    };
    if proof.len() != expected {
        return Err(wrong_length);
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf_hash;
    for p in proof {
        if sn == 0 {
            return Err(wrong_length);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(wrong_length);
    }
    if r != *root {
        return Err(ProofError::RootMismatch { tree_size: size });
    }
    Ok(())
}

/// Checks that the tree of `size2` with root `root2` extends the tree of `size1` with
/// root `root1` (RFC 9162 section 2.1.4.2).
///
/// Equal sizes need an empty proof and equal roots; at size 0 both must be
/// [`empty_root`]. A proof from size 0 to a larger tree is [`ProofError::FromEmptyTree`].
pub fn verify_consistency(
    size1: u64,
    size2: u64,
    root1: &Hash,
    root2: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    let expected = consistency_proof_len(size1, size2)?;
    let wrong_length = ProofError::WrongLength {
        expected,
        got: proof.len(),
    };
    if proof.len() != expected {
        return Err(wrong_length);
    }
    if size1 == size2 {
        if size1 == 0 && *root1 != empty_root() {
            return Err(ProofError::RootMismatch { tree_size: 0 });
        }
        if root1 != root2 {
            return Err(ProofError::RootMismatch { tree_size: size2 });
        }
        return Ok(());
    }
    // Step 2: a first tree of 2^k leaves is itself the seed of the path.
    let (seed, path) = match size1.is_power_of_two() {
        true => (root1, proof),
        false => match proof.split_first() {
            Some((first, rest)) => (first, rest),
            None => return Err(wrong_length),
        },
    };
    let (mut fn_, mut sn) = (size1 - 1, size2 - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut fr, mut sr) = (*seed, *seed);
    for c in path {
        if sn == 0 {
            return Err(wrong_length);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(wrong_length);
    }
    if fr != *root1 {
        return Err(ProofError::RootMismatch { tree_size: size1 });
    }
    if sr != *root2 {
        return Err(ProofError::RootMismatch { tree_size: size2 });
    }
    Ok(())
}

/// The largest power of two below `n` (`n >= 2`): where RFC 9162 splits a tree of `n`.
fn split(n: u64) -> u64 {
    1 << (bit_len(n - 1) - 1)
}

/// The inclusion proof of leaf `index` in the tree of `size` (RFC 9162 section
/// 2.1.3.1), from at most O(log size) store lookups.
pub fn inclusion_proof<S: NodeStore + ?Sized>(
    store: &S,
    index: u64,
    size: u64,
) -> Result<Vec<Hash>, ProveError<S::Error>> {
    let mut proof = Vec::with_capacity(inclusion_proof_len(index, size)?);
    // Walk down from the root; the siblings come out top first.
    let (mut lo, mut hi) = (0u64, size);
    while hi - lo > 1 {
        let k = split(hi - lo);
        if index < lo + k {
            proof.push(subtree_root(store, lo + k, hi)?);
            hi = lo + k;
        } else {
            proof.push(subtree_root(store, lo, lo + k)?);
            lo += k;
        }
    }
    proof.reverse();
    Ok(proof)
}

/// The consistency proof from tree size `size1` to `size2` (RFC 9162 section
/// 2.1.4.1), from at most O(log size2) store lookups. Equal sizes give an empty proof.
pub fn consistency_proof<S: NodeStore + ?Sized>(
    store: &S,
    size1: u64,
    size2: u64,
) -> Result<Vec<Hash>, ProveError<S::Error>> {
    let mut proof = Vec::with_capacity(consistency_proof_len(size1, size2)?);
    if size1 == size2 {
        return Ok(proof);
    }
    // SUBPROOF(m, D[lo:hi], whole), walked down from the root.
    let (mut lo, mut hi, mut whole) = (0u64, size2, true);
    loop {
        if size1 == hi {
            if !whole {
                proof.push(subtree_root(store, lo, hi)?);
            }
            break;
        }
        let k = split(hi - lo);
        if size1 - lo <= k {
            proof.push(subtree_root(store, lo + k, hi)?);
            hi = lo + k;
        } else {
            proof.push(subtree_root(store, lo, lo + k)?);
            lo += k;
            whole = false;
        }
    }
    proof.reverse();
    Ok(proof)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use serde::Deserialize;
    use std::path::{Path, PathBuf};

    const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/vectors/merkle");

    /// Vectors whose expected acceptance rests on comparing opaque byte strings: their
    /// "roots" are 12 bytes, which a [`Hash`] cannot be, so they are rejected here.
    const OPAQUE_ROOTS: [&str; 2] = [
        "consistency/additional/sizes-are-equal-one-and-proof-is-empty.json",
        "consistency/additional/sizes-are-equal-zero-and-proof-is-empty.json",
    ];

    #[derive(Deserialize)]
    struct InclusionVector {
        #[serde(rename = "leafIdx", alias = "leafIndex")]
        leaf_idx: u64,
        #[serde(rename = "treeSize")]
        tree_size: u64,
        root: String,
        #[serde(rename = "leafHash")]
        leaf_hash: String,
        proof: Option<Vec<String>>,
        #[serde(rename = "wantErr")]
        want_err: bool,
    }

    #[derive(Deserialize)]
    struct ConsistencyVector {
        size1: u64,
        size2: u64,
        root1: String,
        root2: String,
        proof: Option<Vec<String>>,
        #[serde(rename = "wantErr")]
        want_err: bool,
    }

    fn b64(text: &str) -> Vec<u8> {
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .expect("base64")
    }

    fn hash(text: &str) -> Result<Hash, ProofError> {
        parse_hash(&b64(text))
    }

    fn proof(texts: &Option<Vec<String>>) -> Result<Vec<Hash>, ProofError> {
        let bytes: Vec<Vec<u8>> = texts.iter().flatten().map(|t| b64(t)).collect();
        parse_proof(&bytes)
    }

    fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("vector folder") {
            let path = entry.unwrap().path();
            if path.is_dir() {
                json_files(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "json") {
                out.push(path);
            }
        }
    }

    /// Every vector file of one kind, with its name relative to the vector folder.
    fn vectors(kind: &str) -> Vec<(String, String)> {
        let mut files = Vec::new();
        json_files(&Path::new(VECTORS).join(kind), &mut files);
        files.sort();
        files
            .into_iter()
            .map(|path| {
                let name = path.strip_prefix(VECTORS).unwrap().display().to_string();
                (name, std::fs::read_to_string(&path).unwrap())
            })
            .collect()
    }

    fn check_inclusion(v: &InclusionVector) -> Result<(), ProofError> {
        let (leaf, root, proof) = (hash(&v.leaf_hash)?, hash(&v.root)?, proof(&v.proof)?);
        verify_inclusion(v.leaf_idx, v.tree_size, &leaf, &proof, &root)
    }

    fn check_consistency(v: &ConsistencyVector) -> Result<(), ProofError> {
        let (root1, root2, proof) = (hash(&v.root1)?, hash(&v.root2)?, proof(&v.proof)?);
        verify_consistency(v.size1, v.size2, &root1, &root2, &proof)
    }

    #[test]
    fn inclusion_vectors() {
        let files = vectors("inclusion");
        assert_eq!(files.len(), 98);
        let mut happy = 0;
        for (name, text) in &files {
            let v: InclusionVector = serde_json::from_str(text).expect(name);
            let result = check_inclusion(&v);
            assert_eq!(result.is_err(), v.want_err, "{name}: {result:?}");
            happy += usize::from(!v.want_err);
        }
        assert_eq!(happy, 6);
    }

    #[test]
    fn consistency_vectors() {
        let files = vectors("consistency");
        assert_eq!(files.len(), 98);
        let mut happy = 0;
        for (name, text) in &files {
            let v: ConsistencyVector = serde_json::from_str(text).expect(name);
            let result = check_consistency(&v);
            if OPAQUE_ROOTS.contains(&name.as_str()) {
                assert_eq!(result, Err(ProofError::HashLength { got: 12 }), "{name}");
                continue;
            }
            assert_eq!(result.is_err(), v.want_err, "{name}: {result:?}");
            happy += usize::from(!v.want_err);
        }
        assert_eq!(happy, 5);
    }

    fn read<T: serde::de::DeserializeOwned>(name: &str) -> T {
        let text = std::fs::read_to_string(Path::new(VECTORS).join(name)).expect(name);
        serde_json::from_str(&text).expect(name)
    }

    #[test]
    fn generated_proofs_match_the_happy_paths() {
        // Every vector tree is a prefix of the RFC 6962 reference tree of 8 leaves.
        let reference: serde_json::Value = read("reference-tree.json");
        let inputs = reference["leaf_inputs_hex"].as_array().unwrap();
        let tree: super::super::MemoryTree = inputs
            .iter()
            .map(|input| super::super::leaf_hash(&hex::decode(input.as_str().unwrap()).unwrap()))
            .collect();
        for case in 0..5 {
            let v: InclusionVector = read(&format!("inclusion/{case}/happy-path.json"));
            let made = tree.inclusion_proof(v.leaf_idx, v.tree_size).unwrap();
            assert_eq!(made, proof(&v.proof).unwrap(), "inclusion case {case}");
            assert_eq!(tree.root_at(v.tree_size).unwrap(), hash(&v.root).unwrap());
            let v: ConsistencyVector = read(&format!("consistency/{case}/happy-path.json"));
            let made = tree.consistency_proof(v.size1, v.size2).unwrap();
            assert_eq!(made, proof(&v.proof).unwrap(), "consistency case {case}");
        }
    }

    #[test]
    fn edge_cases_have_their_own_errors() {
        let (a, b) = (super::super::leaf_hash(b"a"), super::super::leaf_hash(b"b"));
        let ab = node_hash(&a, &b);
        assert_eq!(verify_inclusion(0, 2, &a, &[b], &ab), Ok(()));
        assert_eq!(
            verify_inclusion(2, 2, &a, &[b], &ab),
            Err(ProofError::IndexOutOfRange { index: 2, size: 2 })
        );
        assert_eq!(
            verify_inclusion(0, 2, &a, &[b, b], &ab),
            Err(ProofError::WrongLength {
                expected: 1,
                got: 2
            })
        );
        assert_eq!(
            verify_inclusion(1, 2, &a, &[b], &ab),
            Err(ProofError::RootMismatch { tree_size: 2 })
        );
        assert_eq!(verify_consistency(1, 2, &a, &ab, &[b]), Ok(()));
        assert_eq!(
            verify_consistency(2, 1, &ab, &a, &[]),
            Err(ProofError::SizeOrder { size1: 2, size2: 1 })
        );
        assert_eq!(verify_consistency(2, 2, &ab, &ab, &[]), Ok(()));
        assert_eq!(
            verify_consistency(2, 2, &ab, &a, &[]),
            Err(ProofError::RootMismatch { tree_size: 2 })
        );
        assert_eq!(
            verify_consistency(2, 2, &ab, &ab, &[b]),
            Err(ProofError::WrongLength {
                expected: 0,
                got: 1
            })
        );
        assert_eq!(
            verify_consistency(0, 0, &empty_root(), &empty_root(), &[]),
            Ok(())
        );
        assert_eq!(
            verify_consistency(0, 0, &a, &a, &[]),
            Err(ProofError::RootMismatch { tree_size: 0 })
        );
        assert_eq!(
            verify_consistency(0, 2, &empty_root(), &ab, &[]),
            Err(ProofError::FromEmptyTree { size2: 2 })
        );
        assert_eq!(
            verify_consistency(1, 2, &a, &ab, &[]),
            Err(ProofError::WrongLength {
                expected: 1,
                got: 0
            })
        );
        // A first tree of 2^k leaves seeds the path with its own root, so a wrong one
        // shows in the second root; otherwise the first root is checked on its own.
        assert_eq!(
            verify_consistency(1, 2, &b, &ab, &[b]),
            Err(ProofError::RootMismatch { tree_size: 2 })
        );
        let tree: super::super::MemoryTree = [a, b, a, b].into_iter().collect();
        let (root3, root4) = (tree.root_at(3).unwrap(), tree.root_at(4).unwrap());
        let proof = tree.consistency_proof(3, 4).unwrap();
        assert_eq!(verify_consistency(3, 4, &root3, &root4, &proof), Ok(()));
        assert_eq!(
            verify_consistency(3, 4, &root4, &root4, &proof),
            Err(ProofError::RootMismatch { tree_size: 3 })
        );
        assert_eq!(
            parse_hash(&[0; 31]),
            Err(ProofError::HashLength { got: 31 })
        );
        assert_eq!(
            parse_proof(&[vec![0u8; 32], vec![]]),
            Err(ProofError::HashLength { got: 0 })
        );
    }

    #[test]
    fn hostile_sizes_do_not_panic() {
        let x = [7u8; 32];
        let big = [
            0,
            1,
            2,
            3,
            (1 << 63) - 1,
            1 << 63,
            (1 << 63) + 1,
            u64::MAX - 1,
            u64::MAX,
        ];
        for &a in &big {
            for &b in &big {
                for len in [0, 1, 2, 63, 64, 65, 130] {
                    let proof = vec![x; len];
                    let _ = verify_inclusion(a, b, &x, &proof, &x);
                    let _ = verify_consistency(a, b, &x, &x, &proof);
                }
                let _ = inclusion_proof_len(a, b);
                let _ = consistency_proof_len(a, b);
            }
        }
        assert_eq!(inclusion_proof_len(0, u64::MAX), Ok(64));
        assert_eq!(inclusion_proof_len(u64::MAX - 1, u64::MAX), Ok(63));
    }
}
