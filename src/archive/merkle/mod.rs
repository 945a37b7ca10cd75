//! Merkle trees of RFC 9162 (Certificate Transparency 2.0, section 2.1): leaf and node
//! hashes, tree roots, and inclusion and consistency proofs, both made and checked.
//!
//! Owns the hashing rules and the proof algorithms only. It must not touch I/O,
//! storage or an async runtime: where a log keeps its hashes is the caller's
//! [`NodeStore`]; [`MemoryTree`] is the in-memory one.
//!
//! A *perfect subtree* `(level, index)` is the complete binary tree over the leaves
//! `[index << level, (index + 1) << level)`; level 0 holds the leaf hashes. Every node
//! of a tree of any size is either a perfect subtree or the fold of at most one
//! perfect subtree per level, so a store that keeps perfect-subtree hashes (a "tiles"
//! layout) answers any root or proof with O(log n) lookups, however large the log.

mod memory;
mod proof;

pub use memory::{MemoryTree, NodeMissing};
pub use proof::{
    consistency_proof, consistency_proof_len, inclusion_proof, inclusion_proof_len, parse_hash,
    parse_proof, verify_consistency, verify_inclusion, ProofError,
};

use sha2::{Digest, Sha256};

/// A SHA-256 value: a leaf hash, a node hash or a tree root.
pub type Hash = [u8; 32];

/// The root of the empty tree: SHA-256 of the empty string.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The hash of a log entry: `SHA-256(0x00 || data)`.
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x00]);
    hasher.update(data);
    hasher.finalize().into()
}

/// The hash of an inner node: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([0x01]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The Merkle tree hash (MTH) of a list of leaf hashes.
///
/// Iterative: it keeps one perfect subtree per level (at most 64), so any number of
/// leaves takes O(n) hashing and O(log n) memory.
pub fn root(leaf_hashes: &[Hash]) -> Hash {
    let mut stack: Vec<(u32, Hash)> = Vec::with_capacity(64);
    for leaf in leaf_hashes {
        let mut node = (0u32, *leaf);
        while let Some(&(level, left)) = stack.last() {
            if level != node.0 {
                break;
            }
            stack.pop();
            node = (level + 1, node_hash(&left, &node.1));
        }
        stack.push(node);
    }
    let mut hashes = stack.iter().rev().map(|(_, hash)| *hash);
    match hashes.next() {
        None => empty_root(),
        Some(last) => hashes.fold(last, |right, left| node_hash(&left, &right)),
    }
}

/// A store of the perfect-subtree hashes of one append-only log.
///
/// Proofs ask only for subtrees that lie inside the tree sizes they are asked about.
pub trait NodeStore {
    /// The store's own failure (I/O, a missing node, ...).
    type Error: std::error::Error + 'static;

    /// The hash of the perfect subtree over the leaves
    /// `[index << level, (index + 1) << level)`; level 0 is the leaf hash at `index`.
    fn perfect_subtree(&self, level: u32, index: u64) -> Result<Hash, Self::Error>;
}

impl<S: NodeStore + ?Sized> NodeStore for &S {
    type Error = S::Error;

    fn perfect_subtree(&self, level: u32, index: u64) -> Result<Hash, Self::Error> {
        (**self).perfect_subtree(level, index)
    }
}

/// Why a root or a proof could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProveError<E: std::error::Error + 'static> {
    /// The index or sizes asked for admit no proof (the same rule verification applies).
    #[error(transparent)]
    Request(#[from] ProofError),
    /// The leaves `[start, end)` are not one node of any tree: `start` is not a multiple
    /// of the smallest power of two at least `end - start`, or the range is empty and
    /// not `[0, 0)`.
    #[error("leaves [{start}, {end}) are not one subtree")]
    NotASubtree {
        /// First leaf of the range.
        start: u64,
        /// One past the last leaf of the range.
        end: u64,
    },
    /// The tree size asked for is beyond the leaves the store holds.
    #[error("tree size {size} is beyond the {len} leaves held")]
    BeyondTree {
        /// The size asked for.
        size: u64,
        /// The number of leaves held.
        len: u64,
    },
    /// The store could not give a hash.
    #[error("node store failed")]
    Store(#[source] E),
}

impl<E: std::error::Error + 'static> ProveError<E> {
    /// The stable code of the error, for reports and API responses.
    pub fn code(&self) -> &'static str {
        match self {
            ProveError::Request(error) => error.code(),
            ProveError::NotASubtree { .. } => "merkle.not_a_subtree",
            ProveError::BeyondTree { .. } => "merkle.beyond_tree",
            ProveError::Store(_) => "merkle.store",
        }
    }
}

/// The Merkle tree hash of the leaves `[start, end)`, from at most one perfect subtree
/// per level.
///
/// The range must be a node of some tree: `start` a multiple of the smallest power of
/// two at least `end - start` (every node of the RFC 9162 tree is such a range). The
/// empty range is allowed only at 0 and gives [`empty_root`].
pub fn subtree_root<S: NodeStore + ?Sized>(
    store: &S,
    start: u64,
    end: u64,
) -> Result<Hash, ProveError<S::Error>> {
    let not_a_subtree = ProveError::NotASubtree { start, end };
    if end <= start {
        return if start == 0 && end == 0 {
            Ok(empty_root())
        } else {
            Err(not_a_subtree)
        };
    }
    let len = end - start;
    let aligned = match len.checked_next_power_of_two() {
        Some(width) => start % width == 0,
        None => start == 0,
    };
    if !aligned {
        return Err(not_a_subtree);
    }
    // Right to left: the pieces grow a level at a time, each folded in on the left.
    let mut pos = end;
    let mut acc: Option<Hash> = None;
    for level in 0..u64::BITS {
        let width = 1u64 << level;
        if len & width == 0 {
            continue;
        }
        pos -= width;
        let piece = store
            .perfect_subtree(level, pos >> level)
            .map_err(ProveError::Store)?;
        acc = Some(match acc {
            None => piece,
            Some(right) => node_hash(&piece, &right),
        });
    }
    // `len > 0`, so at least one piece was folded in.
    Ok(acc.unwrap_or_else(empty_root))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(hex_str: &str) -> Hash {
        hex::decode(hex_str).unwrap().try_into().unwrap()
    }

    #[test]
    fn rfc6962_hasher_vectors() {
        assert_eq!(
            empty_root(),
            h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        );
        assert_eq!(
            leaf_hash(b""),
            h("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
        );
        assert_eq!(
            leaf_hash(b"L123456"),
            h("395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56")
        );
        // Domain separation: a node is not the leaf of its children's concatenation,
        // and the order of children counts.
        let (a, b) = (leaf_hash(b"Hello"), leaf_hash(b"World"));
        assert_ne!(node_hash(&a, &b), leaf_hash(&[a, b].concat()));
        assert_ne!(node_hash(&a, &b), node_hash(&b, &a));
    }

    /// The RFC 9162 definition of MTH, recursively, for comparison.
    fn mth(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => empty_root(),
            1 => leaves[0],
            n => {
                let k = 1usize << (usize::BITS - 1 - (n - 1).leading_zeros());
                node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
            }
        }
    }

    #[test]
    fn root_matches_the_recursive_definition() {
        let leaves: Vec<Hash> = (0u32..300).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        for n in 0..=leaves.len() {
            assert_eq!(root(&leaves[..n]), mth(&leaves[..n]), "size {n}");
        }
    }

    /// A log whose leaves are all the same hash: every perfect subtree of a level has
    /// the same hash, so a store of any size, up to `u64::MAX` leaves, costs nothing.
    struct Uniform([Hash; 64]);

    impl Uniform {
        fn new() -> Self {
            let mut levels = [leaf_hash(b"same"); 64];
            for level in 1..64 {
                levels[level] = node_hash(&levels[level - 1], &levels[level - 1]);
            }
            Uniform(levels)
        }
    }

    impl NodeStore for Uniform {
        type Error = NodeMissing;
        fn perfect_subtree(&self, level: u32, index: u64) -> Result<Hash, NodeMissing> {
            self.0
                .get(level as usize)
                .copied()
                .ok_or(NodeMissing { level, index })
        }
    }

    #[test]
    fn subtree_root_folds_perfect_subtrees() {
        let store = Uniform::new();
        let leaves = vec![leaf_hash(b"same"); 37];
        assert_eq!(subtree_root(&store, 0, 37).unwrap(), root(&leaves));
        assert_eq!(subtree_root(&store, 32, 37).unwrap(), root(&leaves[32..]));
        assert_eq!(subtree_root(&store, 0, 0).unwrap(), empty_root());
        for (start, end) in [(1, 3), (2, 5), (4, 4), (5, 4), (3, 1 << 40)] {
            assert!(matches!(
                subtree_root(&store, start, end),
                Err(ProveError::NotASubtree { .. })
            ));
        }
        // The largest trees fold without overflow.
        assert!(subtree_root(&store, 0, u64::MAX).is_ok());
        assert!(subtree_root(&store, 1 << 63, u64::MAX).is_ok());
    }

    #[test]
    fn proofs_for_huge_trees() {
        // 10 million entries and sizes up to u64::MAX: O(log n) lookups, no overflow.
        let store = Uniform::new();
        let leaf = leaf_hash(b"same");
        for size in [
            10_000_000,
            (1 << 40) + 12_345,
            1 << 63,
            (1 << 63) + 5,
            u64::MAX,
        ] {
            let root = subtree_root(&store, 0, size).unwrap();
            for index in [0, size / 3, size / 2, size - 2, size - 1] {
                let proof = inclusion_proof(&store, index, size).unwrap();
                assert_eq!(proof.len(), inclusion_proof_len(index, size).unwrap());
                assert_eq!(verify_inclusion(index, size, &leaf, &proof, &root), Ok(()));
            }
            for size1 in [1, 2, 3, size / 2 + 1, size - 1, size] {
                let root1 = subtree_root(&store, 0, size1).unwrap();
                let proof = consistency_proof(&store, size1, size).unwrap();
                assert_eq!(proof.len(), consistency_proof_len(size1, size).unwrap());
                assert_eq!(
                    verify_consistency(size1, size, &root1, &root, &proof),
                    Ok(())
                );
            }
        }
    }

    #[test]
    fn large_tree_root_is_iterative() {
        // 2^17 + 3 leaves: no recursion, the same root as the stored levels give.
        let leaves: Vec<Hash> = (0u32..(1 << 17) + 3)
            .map(|i| leaf_hash(&i.to_le_bytes()))
            .collect();
        let tree: MemoryTree = leaves.iter().copied().collect();
        assert_eq!(root(&leaves), tree.root());
    }
}
