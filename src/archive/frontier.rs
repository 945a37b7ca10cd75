//! Appending to a log kept as perfect subtrees: the frontier of a tree (the perfect
//! subtrees it is made of, left to right, one per set bit of its size), the nodes that
//! appending leaves completes, and the two-pass way a store answers a proof (first the
//! nodes it will ask for, fetched at once, then the proof from them).

use super::merkle::{node_hash, Hash, NodeStore};
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};

/// A perfect subtree: its level (0: a leaf) and its index at that level.
pub type NodeId = (u32, u64);

/// The perfect subtrees a tree of `size` leaves is made of, left to right.
pub fn frontier_nodes(size: u64) -> Vec<NodeId> {
    let mut out = Vec::new();
    let mut start = 0u64;
    for level in (0..64u32).rev() {
        if size & (1u64 << level) != 0 {
            out.push((level, start >> level));
            start += 1u64 << level;
        }
    }
    out
}

/// Why an append cannot be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrontierError {
    /// The frontier given does not have one hash per set bit of the size.
    #[error("a tree of {size} leaves has a frontier of {expected} nodes, not {got}")]
    Length {
        /// the tree size
        size: u64,
        /// nodes expected
        expected: usize,
        /// nodes given
        got: usize,
    },
    /// The log would exceed 2^63 entries.
    #[error("the log is full")]
    Full,
}

/// Append `leaves` to a tree of `size` leaves whose frontier hashes are `frontier` (in
/// [`frontier_nodes`] order) → every perfect subtree the append completes, leaves
/// included, in the order they complete.
pub fn append(
    size: u64,
    frontier: &[Hash],
    leaves: &[Hash],
) -> Result<Vec<(NodeId, Hash)>, FrontierError> {
    let ids = frontier_nodes(size);
    if ids.len() != frontier.len() {
        return Err(FrontierError::Length {
            size,
            expected: ids.len(),
            got: frontier.len(),
        });
    }
    if size
        .checked_add(leaves.len() as u64)
        .map_or(true, |end| end > i64::MAX as u64)
    {
        return Err(FrontierError::Full);
    }
    let mut stack: Vec<(NodeId, Hash)> = ids.into_iter().zip(frontier.iter().copied()).collect();
    let mut out = Vec::with_capacity(leaves.len() * 2);
    for (i, leaf) in leaves.iter().enumerate() {
        let mut node = ((0u32, size + i as u64), *leaf);
        out.push(node);
        while let Some(&((level, index), left)) = stack.last() {
            if level != node.0 .0 {
                break;
            }
            stack.pop();
            node = ((level + 1, index >> 1), node_hash(&left, &node.1));
            out.push(node);
        }
        stack.push(node);
    }
    Ok(out)
}

/// A [`NodeStore`] that answers every request with zeros and remembers what was asked:
/// run a proof against it to learn which nodes the real one needs.
#[derive(Debug, Default)]
pub struct Recorder {
    asked: RefCell<BTreeSet<NodeId>>,
}

impl Recorder {
    /// The nodes asked for.
    pub fn into_asked(self) -> Vec<NodeId> {
        self.asked.into_inner().into_iter().collect()
    }
}

/// Recording never fails.
#[derive(Debug, thiserror::Error)]
#[error("never")]
pub struct Never;

impl NodeStore for Recorder {
    type Error = Never;
    fn perfect_subtree(&self, level: u32, index: u64) -> Result<Hash, Never> {
        self.asked.borrow_mut().insert((level, index));
        Ok([0; 32])
    }
}

/// A node the fetched set does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the log holds no node at level {0}, index {1}")]
pub struct Missing(pub u32, pub u64);

/// The nodes fetched for one proof.
#[derive(Debug, Default)]
pub struct Fetched(pub HashMap<NodeId, Hash>);

impl NodeStore for Fetched {
    type Error = Missing;
    fn perfect_subtree(&self, level: u32, index: u64) -> Result<Hash, Missing> {
        self.0
            .get(&(level, index))
            .copied()
            .ok_or(Missing(level, index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::merkle::{self, leaf_hash, MemoryTree};

    #[test]
    fn appending_in_any_batches_gives_the_memory_trees_nodes_and_roots() {
        let leaves: Vec<Hash> = (0..100u32).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let mut reference = MemoryTree::new();
        reference.extend(leaves.iter().copied());
        for batch in [1usize, 2, 3, 7, 64, 100] {
            let mut nodes: HashMap<NodeId, Hash> = HashMap::new();
            let mut size = 0u64;
            for chunk in leaves.chunks(batch) {
                let frontier: Vec<Hash> = frontier_nodes(size).iter().map(|id| nodes[id]).collect();
                for (id, h) in append(size, &frontier, chunk).unwrap() {
                    assert!(nodes.insert(id, h).is_none(), "{id:?} completed twice");
                    assert_eq!(reference.perfect_subtree(id.0, id.1).unwrap(), h);
                }
                size += chunk.len() as u64;
                let store = Fetched(nodes.clone());
                assert_eq!(
                    merkle::subtree_root(&store, 0, size).unwrap(),
                    reference.root_at(size).unwrap()
                );
            }
            // every perfect subtree of 100 leaves: 100 + 50 + 25 + 12 + 6 + 3 + 1
            assert_eq!(nodes.len(), 197);
        }
        assert_eq!(
            append(3, &[[0; 32]], &[]),
            Err(FrontierError::Length {
                size: 3,
                expected: 2,
                got: 1
            })
        );
    }

    #[test]
    fn a_proof_needs_only_the_nodes_the_recorder_saw() {
        let mut tree = MemoryTree::new();
        tree.extend((0..37u32).map(|i| leaf_hash(&i.to_be_bytes())));
        for (index, size) in [(0u64, 37u64), (36, 37), (5, 20), (16, 17)] {
            let r = Recorder::default();
            merkle::inclusion_proof(&r, index, size).unwrap();
            let asked = r.into_asked();
            assert!(asked.len() <= 2 * 6, "O(log n) nodes: {asked:?}");
            let fetched = Fetched(
                asked
                    .iter()
                    .map(|&(l, i)| ((l, i), tree.perfect_subtree(l, i).unwrap()))
                    .collect(),
            );
            assert_eq!(
                merkle::inclusion_proof(&fetched, index, size).unwrap(),
                tree.inclusion_proof(index, size).unwrap()
            );
        }
    }

    #[test]
    fn the_frontier_is_one_node_per_set_bit() {
        assert_eq!(frontier_nodes(0), vec![]);
        assert_eq!(frontier_nodes(1), vec![(0, 0)]);
        assert_eq!(frontier_nodes(6), vec![(2, 0), (1, 2)]);
        assert_eq!(frontier_nodes(7), vec![(2, 0), (1, 2), (0, 6)]);
    }
}
