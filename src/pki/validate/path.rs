//! Bounded path building: from the leaf up through candidate issuers to a trust anchor.

use super::{ParsedCert, MAX_CANDIDATE_PATHS, MAX_PATH_LEN};

/// Most issuer candidates examined in one path search, whatever the pool holds.
const MAX_STEPS: usize = 2_000;

/// A certificate in a path: the leaf, an intermediate from the pool, or an anchor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Node {
    Leaf,
    Inter(usize),
    Anchor(usize),
}

/// Resolve a node to its certificate.
pub(crate) fn at<'a>(
    n: Node,
    leaf: &'a ParsedCert,
    pool: &'a [ParsedCert],
    anchors: &'a [ParsedCert],
) -> &'a ParsedCert {
    match n {
        Node::Leaf => leaf,
        Node::Inter(i) => &pool[i],
        Node::Anchor(i) => &anchors[i],
    }
}

/// Whether `parent` may have issued `child`, judged by names and key identifiers
/// (signatures are checked afterwards, once per link of a candidate path).
fn may_issue(parent: &ParsedCert, child: &ParsedCert) -> bool {
    if parent.subject != child.issuer {
        return false;
    }
    match (&child.aki, &parent.ski) {
        (Some(a), Some(s)) => a == s,
        _ => true,
    }
}

/// Candidate paths, leaf first, each ending at an anchor. At most
/// [`MAX_CANDIDATE_PATHS`] paths of at most [`MAX_PATH_LEN`] certificates, found within
/// [`MAX_STEPS`] issuer comparisons.
pub(crate) fn build(
    leaf: &ParsedCert,
    pool: &[ParsedCert],
    anchors: &[ParsedCert],
) -> Vec<Vec<Node>> {
    let mut out = Vec::new();
    if anchors.iter().any(|a| a.der() == leaf.der()) {
        // The leaf is itself a trust anchor (e.g. the pinned trust-list signer).
        out.push(vec![Node::Leaf]);
        return out;
    }
    let mut steps = 0;
    let mut path = vec![Node::Leaf];
    dfs(leaf, pool, anchors, &mut path, &mut out, &mut steps);
    out
}

fn dfs(
    cur: &ParsedCert,
    pool: &[ParsedCert],
    anchors: &[ParsedCert],
    path: &mut Vec<Node>,
    out: &mut Vec<Vec<Node>>,
    steps: &mut usize,
) {
    if out.len() >= MAX_CANDIDATE_PATHS || path.len() >= MAX_PATH_LEN {
        return;
    }
    for (i, a) in anchors.iter().enumerate() {
        *steps += 1;
        if may_issue(a, cur) {
            let mut p = path.clone();
            p.push(Node::Anchor(i));
            out.push(p);
            if out.len() >= MAX_CANDIDATE_PATHS {
                return;
            }
        }
    }
    // A self-signed certificate ends the search; a self-issued one with another key
    // (a key rollover) chains on to its issuer of the same name.
    if cur.self_issued() && may_issue(cur, cur) {
        return;
    }
    for (i, c) in pool.iter().enumerate() {
        *steps += 1;
        if *steps > MAX_STEPS {
            return;
        }
        let used = path.iter().any(|n| matches!(n, Node::Inter(j) if *j == i));
        if used || c.der() == cur.der() || !may_issue(c, cur) {
            continue;
        }
        path.push(Node::Inter(i));
        dfs(c, pool, anchors, path, out, steps);
        path.pop();
        if out.len() >= MAX_CANDIDATE_PATHS || *steps > MAX_STEPS {
            return;
        }
    }
}

/// `CN=leaf → CN=intermediate → CN=root` for reports.
pub(crate) fn describe(chain: &[&ParsedCert]) -> String {
    chain
        .iter()
        .map(|c| c.label())
        .collect::<Vec<_>>()
        .join(" → ")
}
