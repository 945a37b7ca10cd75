//! A cache of checked paths: the signature-verified, constraint-checked path of a leaf,
//! held per scope (the trust-list version the anchors come from), so that validating
//! the same leaf again costs a lookup plus the time-dependent checks
//! (`chain.validity`, `chain.revocation`), which still run every time. The report is
//! exactly the one [`super::validate`] gives.
//!
//! Only a leaf with exactly one candidate path is cached (with several, which one wins
//! may depend on the time). Memory is bounded: past [`PathCache::new`]'s capacity the
//! cache starts over. Nothing in it needs to survive a restart: it is rebuilt by
//! validating.

use super::{prepare, CheckedPath, Policy, Prepared, Purpose, Validation};
use crate::pki::TrustAnchors;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

/// Checked paths by (scope, leaf and intermediates, purpose, license type).
pub struct PathCache {
    capacity: usize,
    inner: RwLock<Inner>,
    /// The anchors of the current scope, built once.
    anchors: RwLock<Option<(String, Arc<TrustAnchors>)>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

#[derive(Default)]
struct Inner {
    /// The scope every entry belongs to; another scope empties the cache.
    scope: String,
    paths: HashMap<[u8; 32], Arc<CheckedPath>>,
}

/// A cache and the scope to use it in: an identifier of the anchors (e.g. the
/// trust-list digest). One scope must always mean the same anchors.
#[derive(Debug, Clone, Copy)]
pub struct CacheScope<'a> {
    /// The cache.
    pub cache: &'a PathCache,
    /// The scope.
    pub scope: &'a str,
}

impl std::fmt::Debug for PathCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PathCache")
            .field("capacity", &self.capacity)
            .field("len", &self.len())
            .finish()
    }
}

impl Default for PathCache {
    fn default() -> Self {
        PathCache::new(4096)
    }
}

impl PathCache {
    /// An empty cache holding at most `capacity` paths.
    pub fn new(capacity: usize) -> Self {
        PathCache {
            capacity: capacity.max(1),
            inner: RwLock::new(Inner::default()),
            anchors: RwLock::new(None),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// How many paths it holds.
    pub fn len(&self) -> usize {
        self.inner.read().map_or(0, |g| g.paths.len())
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// (hits, misses) since it was made.
    pub fn stats(&self) -> (u64, u64) {
        (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        )
    }

    /// Forget every path.
    pub fn clear(&self) {
        if let Ok(mut g) = self.inner.write() {
            g.paths.clear();
            g.scope.clear();
        }
        if let Ok(mut g) = self.anchors.write() {
            *g = None;
        }
    }

    /// The anchors of `scope`, made by `make` the first time they are asked for.
    pub fn anchors(&self, scope: &str, make: impl FnOnce() -> TrustAnchors) -> Arc<TrustAnchors> {
        if let Some(a) = self.anchors.read().ok().and_then(|g| {
            g.as_ref()
                .filter(|(s, _)| s == scope)
                .map(|(_, a)| a.clone())
        }) {
            return a;
        }
        let a = Arc::new(make());
        if let Ok(mut g) = self.anchors.write() {
            *g = Some((scope.to_string(), a.clone()));
        }
        a
    }

    /// [`super::validate`], with the time-independent part taken from the cache when
    /// this leaf was validated before in `scope` for the same purpose and type.
    pub fn validate(
        &self,
        scope: &str,
        leaf: &[u8],
        intermediates: &[Vec<u8>],
        anchors: &TrustAnchors,
        policy: &Policy<'_>,
    ) -> Validation {
        self.validate_keyed(scope, leaf, intermediates, anchors, policy)
            .0
    }

    /// [`PathCache::validate`], and the checked path when it is cached (its leaf's key
    /// and names, so a signature check need not parse the leaf again).
    pub fn validate_keyed(
        &self,
        scope: &str,
        leaf: &[u8],
        intermediates: &[Vec<u8>],
        anchors: &TrustAnchors,
        policy: &Policy<'_>,
    ) -> (Validation, Option<Arc<CheckedPath>>) {
        let key = key(leaf, intermediates, policy.purpose, policy.license_type);
        let cached = self.inner.read().ok().and_then(|g| {
            (g.scope == scope)
                .then(|| g.paths.get(&key).cloned())
                .flatten()
        });
        if let Some(p) = cached {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return (p.finish(policy), Some(p));
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        match prepare(leaf, intermediates, anchors, policy) {
            Prepared::Single(p) => {
                let p = Arc::new(p);
                if let Ok(mut g) = self.inner.write() {
                    if g.scope != scope {
                        g.paths.clear();
                        g.scope = scope.to_string();
                    }
                    if g.paths.len() >= self.capacity {
                        g.paths.clear();
                    }
                    g.paths.insert(key, p.clone());
                }
                (p.finish(policy), Some(p))
            }
            Prepared::Done(v) => (v, None),
        }
    }
}

/// SHA-256 over the purpose, the license type and the length-prefixed certificates.
fn key(
    leaf: &[u8],
    intermediates: &[Vec<u8>],
    purpose: Purpose,
    license_type: Option<&str>,
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(format!("{purpose:?}\0").as_bytes());
    match license_type {
        Some(t) => {
            h.update([1]);
            h.update((t.len() as u64).to_be_bytes());
            h.update(t.as_bytes());
        }
        None => h.update([0]),
    }
    for der in std::iter::once(leaf).chain(intermediates.iter().map(Vec::as_slice)) {
        h.update((der.len() as u64).to_be_bytes());
        h.update(der);
    }
    h.finalize().into()
}
