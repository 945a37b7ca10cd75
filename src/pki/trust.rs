//! Trust anchors, typed by purpose: the certificates a verifier trusts, each with the
//! purposes it is trusted for. Nothing is trusted by default; an empty set makes every
//! chain INDETERMINATE.
//!
//! Owns: which anchor may end a path for which [`Purpose`].
//! Must not touch: files, network — callers load the certificates and hand them in.

use super::validate::Purpose;

/// One trusted certificate and the purposes it is trusted for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustAnchor {
    der: Vec<u8>,
    purposes: Vec<Purpose>,
}

impl TrustAnchor {
    /// A certificate (DER) trusted for `purposes`; [`Purpose::Any`] among them trusts it
    /// for every purpose.
    pub fn new(der: Vec<u8>, purposes: &[Purpose]) -> Self {
        TrustAnchor {
            der,
            purposes: purposes.to_vec(),
        }
    }

    /// The certificate (DER).
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The purposes it is trusted for.
    pub fn purposes(&self) -> &[Purpose] {
        &self.purposes
    }

    /// Whether a path for `purpose` may end at this anchor. A policy of
    /// [`Purpose::Any`] (chain only) accepts every anchor.
    pub fn trusted_for(&self, purpose: Purpose) -> bool {
        purpose == Purpose::Any
            || self
                .purposes
                .iter()
                .any(|&p| p == Purpose::Any || p == purpose)
    }
}

/// The trust anchors of one verifier.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustAnchors {
    anchors: Vec<TrustAnchor>,
}

/// What a province root is trusted for: every leaf role a province certifies (the
/// trust-list signer is its own anchor, never a province root's).
pub const PROVINCE_ROOT_PURPOSES: &[Purpose] = &[
    Purpose::LicenseSigning,
    Purpose::SealMaking,
    Purpose::DocumentStamping,
    Purpose::ShowTokenSigning,
];

impl TrustAnchors {
    /// No anchors: nothing is trusted.
    pub const fn none() -> Self {
        TrustAnchors {
            anchors: Vec::new(),
        }
    }

    /// Certificates (DER) trusted for every purpose — what a user names with
    /// `--trust` on the command line.
    pub fn any_purpose(ders: impl IntoIterator<Item = Vec<u8>>) -> Self {
        Self::for_purposes(ders, &[Purpose::Any])
    }

    /// Certificates (DER) each trusted for `purposes`.
    pub fn for_purposes(ders: impl IntoIterator<Item = Vec<u8>>, purposes: &[Purpose]) -> Self {
        TrustAnchors {
            anchors: ders
                .into_iter()
                .map(|d| TrustAnchor::new(d, purposes))
                .collect(),
        }
    }

    /// Province root certificates (DER), trusted for [`PROVINCE_ROOT_PURPOSES`].
    pub fn province_roots(ders: impl IntoIterator<Item = Vec<u8>>) -> Self {
        Self::for_purposes(ders, PROVINCE_ROOT_PURPOSES)
    }

    /// Add one anchor.
    pub fn push(&mut self, anchor: TrustAnchor) {
        self.anchors.push(anchor);
    }

    /// Every anchor, in the order given.
    pub fn iter(&self) -> impl Iterator<Item = &TrustAnchor> {
        self.anchors.iter()
    }

    /// The anchors a path for `purpose` may end at, with their position in the set.
    pub fn for_purpose(&self, purpose: Purpose) -> impl Iterator<Item = (usize, &[u8])> {
        self.anchors
            .iter()
            .enumerate()
            .filter(move |(_, a)| a.trusted_for(purpose))
            .map(|(i, a)| (i, a.der()))
    }

    /// Whether `der` is one of the anchors (for any purpose).
    pub fn contains(&self, der: &[u8]) -> bool {
        self.anchors.iter().any(|a| a.der == der)
    }

    /// How many anchors.
    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }
}

impl Extend<TrustAnchor> for TrustAnchors {
    fn extend<I: IntoIterator<Item = TrustAnchor>>(&mut self, iter: I) {
        self.anchors.extend(iter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_serve_only_their_purposes() {
        let mut t = TrustAnchors::province_roots([vec![1]]);
        t.push(TrustAnchor::new(vec![2], &[Purpose::TrustListSigning]));
        let ids = |p| t.for_purpose(p).map(|(i, _)| i).collect::<Vec<_>>();
        assert_eq!(ids(Purpose::LicenseSigning), vec![0]);
        assert_eq!(ids(Purpose::DocumentStamping), vec![0]);
        assert_eq!(ids(Purpose::TrustListSigning), vec![1]);
        assert_eq!(ids(Purpose::Any), vec![0, 1]);
        let any = TrustAnchors::any_purpose([vec![3]]);
        assert_eq!(any.for_purpose(Purpose::SealMaking).count(), 1);
        assert!(TrustAnchors::none()
            .for_purpose(Purpose::Any)
            .next()
            .is_none());
    }
}
