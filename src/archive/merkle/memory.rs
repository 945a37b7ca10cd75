//! [`MemoryTree`]: a log held in memory, keeping every level of perfect-subtree hashes
//! so that each root and proof costs O(log n) lookups.

use super::{
    consistency_proof, inclusion_proof, leaf_hash, node_hash, subtree_root, Hash, NodeStore,
    ProveError,
};

/// A perfect subtree a store does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("no perfect subtree at level {level}, index {index}")]
pub struct NodeMissing {
    /// The level asked for (0 = leaves).
    pub level: u32,
    /// The index within the level.
    pub index: u64,
}

/// An append-only Merkle tree in memory.
///
/// Level `l` holds the hash of every complete run of `2^l` leaves, so the tree takes
/// about two hashes (64 bytes) per leaf.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryTree {
    levels: Vec<Vec<Hash>>,
}

impl MemoryTree {
    /// An empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of leaves.
    pub fn len(&self) -> u64 {
        self.levels.first().map_or(0, |leaves| leaves.len() as u64)
    }

    /// Whether the tree has no leaves.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends a leaf hash and returns its index.
    pub fn push(&mut self, leaf_hash: Hash) -> u64 {
        let index = self.len();
        let mut node = leaf_hash;
        let mut level = 0;
        loop {
            if self.levels.len() == level {
                self.levels.push(Vec::new());
            }
            let row = &mut self.levels[level];
            row.push(node);
            let n = row.len();
            if n % 2 == 1 {
                return index;
            }
            node = node_hash(&row[n - 2], &row[n - 1]);
            level += 1;
        }
    }

    /// Appends an entry (hashed with [`leaf_hash`]) and returns its index.
    pub fn append(&mut self, entry: &[u8]) -> u64 {
        self.push(leaf_hash(entry))
    }

    /// The leaf hash at `index`, if there is one.
    pub fn leaf_hash(&self, index: u64) -> Option<Hash> {
        self.perfect_subtree(0, index).ok()
    }

    /// The root of the whole tree.
    pub fn root(&self) -> Hash {
        match subtree_root(self, 0, self.len()) {
            Ok(root) => root,
            // Every subtree of the held leaves is held; recompute all the same.
            Err(_) => super::root(self.levels.first().map_or(&[], Vec::as_slice)),
        }
    }

    /// The root of the tree of the first `size` leaves.
    pub fn root_at(&self, size: u64) -> Result<Hash, ProveError<NodeMissing>> {
        self.holds(size)?;
        subtree_root(self, 0, size)
    }

    /// The inclusion proof of leaf `index` in the tree of the first `size` leaves.
    pub fn inclusion_proof(
        &self,
        index: u64,
        size: u64,
    ) -> Result<Vec<Hash>, ProveError<NodeMissing>> {
        self.holds(size)?;
        inclusion_proof(self, index, size)
    }

    /// The consistency proof from the tree of `size1` leaves to that of `size2`.
    pub fn consistency_proof(
        &self,
        size1: u64,
        size2: u64,
    ) -> Result<Vec<Hash>, ProveError<NodeMissing>> {
        self.holds(size2)?;
        consistency_proof(self, size1, size2)
    }

    fn holds(&self, size: u64) -> Result<(), ProveError<NodeMissing>> {
        let len = self.len();
        if size > len {
            return Err(ProveError::BeyondTree { size, len });
        }
        Ok(())
    }
}

impl NodeStore for MemoryTree {
    type Error = NodeMissing;

    fn perfect_subtree(&self, level: u32, index: u64) -> Result<Hash, NodeMissing> {
        usize::try_from(level)
            .ok()
            .and_then(|level| self.levels.get(level))
            .zip(usize::try_from(index).ok())
            .and_then(|(row, index)| row.get(index))
            .copied()
            .ok_or(NodeMissing { level, index })
    }
}

impl Extend<Hash> for MemoryTree {
    fn extend<I: IntoIterator<Item = Hash>>(&mut self, leaf_hashes: I) {
        for leaf_hash in leaf_hashes {
            self.push(leaf_hash);
        }
    }
}

impl FromIterator<Hash> for MemoryTree {
    fn from_iter<I: IntoIterator<Item = Hash>>(leaf_hashes: I) -> Self {
        let mut tree = MemoryTree::new();
        tree.extend(leaf_hashes);
        tree
    }
}

#[cfg(test)]
mod tests {
    use super::super::{root, verify_consistency, verify_inclusion, ProofError};
    use super::*;

    const REFERENCE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/vectors/merkle/reference-tree.json"
    );

    fn h(hex_str: &str) -> Hash {
        hex::decode(hex_str).unwrap().try_into().unwrap()
    }

    #[test]
    fn rfc6962_reference_tree() {
        let text = std::fs::read_to_string(REFERENCE).unwrap();
        let reference: serde_json::Value = serde_json::from_str(&text).unwrap();
        let hexes = |value: &serde_json::Value| -> Vec<String> {
            let list = value.as_array().unwrap().iter();
            list.map(|v| v.as_str().unwrap().to_owned()).collect()
        };
        let mut tree = MemoryTree::new();
        for input in hexes(&reference["leaf_inputs_hex"]) {
            tree.append(&hex::decode(input).unwrap());
        }
        assert_eq!(tree.len(), 8);
        let levels = reference["perfect_subtree_hashes_hex"].as_array().unwrap();
        for (level, row) in levels.iter().enumerate() {
            for (index, node) in hexes(row).iter().enumerate() {
                let got = tree.perfect_subtree(level as u32, index as u64);
                assert_eq!(got, Ok(h(node)), "level {level}, index {index}");
            }
        }
        let leaves: Vec<Hash> = (0..8).map(|i| tree.leaf_hash(i).unwrap()).collect();
        for (size, want) in hexes(&reference["root_by_size_hex"]).iter().enumerate() {
            assert_eq!(tree.root_at(size as u64).unwrap(), h(want), "size {size}");
            assert_eq!(root(&leaves[..size]), h(want), "size {size}");
        }
        assert_eq!(tree.root(), h(&hexes(&reference["root_by_size_hex"])[8]));
    }

    /// PATH(m, D[n]) of RFC 9162 section 2.1.3.1, recursively.
    fn path(m: usize, leaves: &[Hash]) -> Vec<Hash> {
        if leaves.len() <= 1 {
            return Vec::new();
        }
        let k = split(leaves.len());
        if m < k {
            [path(m, &leaves[..k]), vec![root(&leaves[k..])]].concat()
        } else {
            [path(m - k, &leaves[k..]), vec![root(&leaves[..k])]].concat()
        }
    }

    /// SUBPROOF(m, D[n], b) of RFC 9162 section 2.1.4.1, recursively.
    fn subproof(m: usize, leaves: &[Hash], whole: bool) -> Vec<Hash> {
        let n = leaves.len();
        if m == n {
            return if whole {
                Vec::new()
            } else {
                vec![root(leaves)]
            };
        }
        let k = split(n);
        if m <= k {
            [subproof(m, &leaves[..k], whole), vec![root(&leaves[k..])]].concat()
        } else {
            [
                subproof(m - k, &leaves[k..], false),
                vec![root(&leaves[..k])],
            ]
            .concat()
        }
    }

    fn split(n: usize) -> usize {
        1 << (usize::BITS - 1 - (n - 1).leading_zeros())
    }

    fn flipped(proof: &[Hash], i: usize, bit: u32) -> Vec<Hash> {
        let mut proof = proof.to_vec();
        proof[i][(bit / 8) as usize] ^= 1 << (bit % 8);
        proof
    }

    const MAX: u64 = 64;

    fn tree() -> (MemoryTree, Vec<Hash>) {
        let leaves: Vec<Hash> = (0..MAX).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        (leaves.iter().copied().collect(), leaves)
    }

    #[test]
    fn inclusion_round_trips_up_to_64() {
        let (tree, leaves) = tree();
        for size in 0..=MAX {
            let root = tree.root_at(size).unwrap();
            assert_eq!(root, super::super::root(&leaves[..size as usize]));
            for index in 0..size {
                let proof = tree.inclusion_proof(index, size).unwrap();
                let i = index as usize;
                assert_eq!(proof, path(i, &leaves[..size as usize]), "{index}/{size}");
                let leaf = &leaves[i];
                assert_eq!(verify_inclusion(index, size, leaf, &proof, &root), Ok(()));
                for p in 0..proof.len() {
                    for bit in [0, 77, 255] {
                        let bad = flipped(&proof, p, bit);
                        let got = verify_inclusion(index, size, leaf, &bad, &root);
                        assert_eq!(got, Err(ProofError::RootMismatch { tree_size: size }));
                    }
                }
                if size > 1 {
                    let other = (index + 1) % size;
                    let got = verify_inclusion(other, size, leaf, &proof, &root);
                    assert!(got.is_err(), "{index}/{size} verified as leaf {other}");
                }
            }
            let got = tree.inclusion_proof(size, size);
            assert!(matches!(
                got,
                Err(ProveError::Request(ProofError::IndexOutOfRange { .. }))
            ));
        }
    }

    #[test]
    fn consistency_round_trips_up_to_64() {
        let (tree, leaves) = tree();
        for size2 in 0..=MAX {
            let root2 = tree.root_at(size2).unwrap();
            for size1 in 0..=size2 {
                let root1 = tree.root_at(size1).unwrap();
                let made = tree.consistency_proof(size1, size2);
                if size1 == 0 && size2 > 0 {
                    let want = ProofError::FromEmptyTree { size2 };
                    assert!(matches!(made, Err(ProveError::Request(e)) if e == want));
                    assert_eq!(verify_consistency(0, size2, &root1, &root2, &[]), Err(want));
                    continue;
                }
                let proof = made.unwrap();
                let (m, n) = (size1 as usize, size2 as usize);
                assert_eq!(proof, subproof(m, &leaves[..n], true), "{size1}->{size2}");
                let ok = verify_consistency(size1, size2, &root1, &root2, &proof);
                assert_eq!(ok, Ok(()), "{size1}->{size2}");
                for p in 0..proof.len() {
                    let bad = flipped(&proof, p, 3);
                    let got = verify_consistency(size1, size2, &root1, &root2, &bad);
                    assert!(matches!(got, Err(ProofError::RootMismatch { .. })));
                }
                if size1 < size2 {
                    let got = verify_consistency(size1, size2, &root2, &root2, &proof);
                    assert!(got.is_err(), "{size1}->{size2} with the wrong first root");
                    let got = verify_consistency(size1, size2, &root1, &root1, &proof);
                    assert!(got.is_err(), "{size1}->{size2} with the wrong second root");
                }
            }
        }
        let got = tree.consistency_proof(5, 4);
        let want = ProofError::SizeOrder { size1: 5, size2: 4 };
        assert!(matches!(got, Err(ProveError::Request(e)) if e == want));
    }

    #[test]
    fn sizes_beyond_the_tree_are_refused() {
        let (tree, _) = tree();
        let beyond = ProveError::<NodeMissing>::BeyondTree {
            size: MAX + 1,
            len: MAX,
        };
        assert_eq!(tree.root_at(MAX + 1).unwrap_err().code(), beyond.code());
        assert!(matches!(
            tree.inclusion_proof(0, MAX + 1),
            Err(ProveError::BeyondTree { size: 65, len: 64 })
        ));
        assert!(matches!(
            tree.consistency_proof(1, MAX + 1),
            Err(ProveError::BeyondTree { .. })
        ));
        assert_eq!(tree.leaf_hash(MAX), None);
        assert_eq!(
            tree.perfect_subtree(7, 0),
            Err(NodeMissing { level: 7, index: 0 })
        );
        assert_eq!(MemoryTree::new().root(), super::super::empty_root());
    }
}
