//! The one state every HTTP handler shares: the store, the catalogue, the parties
//! whose keys this node holds (issuing agencies, seal authorities, organisation
//! signers), the trust anchors request tokens must chain to, limits, the clock and the
//! metrics. The replay record of request tokens is in the store, shared by every node;
//! so are the accepted trust lists — the node's current list is a cache of the newest
//! stored one, checked against the store whenever it is served.

use super::metrics::Metrics;
use crate::adapters::storage::Store;
use crate::catalog::Catalog;
use crate::crypto::Signer;
use crate::license::Agency;
use crate::pki::{Role, TrustAnchors};
use crate::service::trust_list::{self, Acceptance, CurrentTrustList, TrustListPolicy};
use crate::service::ServiceError;
use crate::verify::ChainCache;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use time::OffsetDateTime;

/// A clock: tests fix it, `serve` uses the system time.
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

/// Limits a node enforces on requests.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest request body, bytes.
    pub max_body: usize,
    /// Most items in `POST /v1/licenses:batch`.
    pub max_batch: usize,
    /// Largest JSON body of the verify routes, bytes (an OFD travels base64 in it).
    pub max_verify_body: usize,
    /// Most artifacts in `POST /v1/verify:batch`.
    pub max_verify_batch: usize,
    /// How long a client may take to send a verify request's body.
    pub body_read_timeout: std::time::Duration,
    /// Requests per minute each client address may make to the anonymous verify
    /// routes (a token bucket refilled at this rate); 0: no limit.
    pub verify_rate_per_minute: u32,
    /// How many requests a client may make at once before the rate applies.
    pub verify_rate_burst: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: super::extract::DEFAULT_BODY_LIMIT,
            max_batch: 1000,
            max_verify_body: 16 * 1024 * 1024,
            max_verify_batch: 1000,
            body_read_timeout: std::time::Duration::from_secs(30),
            verify_rate_per_minute: 600,
            verify_rate_burst: 100,
        }
    }
}

/// Node settings other than keys and storage.
#[derive(Clone)]
pub struct NodeSettings {
    /// This node's id: the `aud` request tokens must carry.
    pub audience: String,
    /// Other names request tokens may give as `aud` (the public base URL is always
    /// accepted too); all are compared normalised ([`crate::jose::Audiences`]).
    pub audience_aliases: Vec<String>,
    /// Public base URL (no trailing slash) used in status list URIs.
    pub public_base_url: String,
    /// Request limits.
    pub limits: Limits,
    /// The clock.
    pub clock: Clock,
    /// The CRLs (DER) kept in the validation data of issuance ([`Config::crls`]).
    ///
    /// [`Config::crls`]: crate::adapters::config::Config::crls
    pub crls: Vec<Vec<u8>>,
}

impl std::fmt::Debug for NodeSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeSettings")
            .field("audience", &self.audience)
            .field("audience_aliases", &self.audience_aliases)
            .field("public_base_url", &self.public_base_url)
            .field("limits", &self.limits)
            .finish()
    }
}

/// A seal authority or organisation signer whose key this node holds.
pub struct Party {
    /// Manifest id.
    pub id: String,
    /// Its role ([`Role::SealAuthority`] or [`Role::OrganisationSigner`]).
    pub role: Role,
    /// Its certificate (DER).
    pub cert: Vec<u8>,
    /// Its key.
    pub signer: Arc<dyn Signer>,
}

impl std::fmt::Debug for Party {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Party")
            .field("id", &self.id)
            .field("role", &self.role)
            .finish()
    }
}

/// Who this node acts for and whom it trusts: what [`Node::new`] is built from.
pub struct Hosted {
    /// Issuing agencies (keyed by their USCC once hosted).
    pub agencies: Vec<Agency>,
    /// Seal authorities and organisation signers.
    pub parties: Vec<Party>,
    /// What request tokens must chain to.
    pub anchors: TrustAnchors,
}

/// What a node accepts trust lists against, and the list it starts with.
#[derive(Debug, Clone)]
pub struct NodeTrustList {
    /// The pinned signer and the grace.
    pub policy: TrustListPolicy,
    /// How often peers should re-fetch the list (its `Cache-Control: max-age`).
    pub poll_interval: std::time::Duration,
    /// The list accepted at start-up.
    pub current: Option<Arc<CurrentTrustList>>,
}

/// The shared state of one node.
pub struct Node {
    pub(crate) store: Store,
    pub(crate) catalog: Arc<Catalog>,
    /// Hosted agencies by USCC.
    pub(crate) agencies: HashMap<String, Arc<Agency>>,
    /// Hosted seal authorities and organisation signers.
    pub(crate) parties: Vec<Arc<Party>>,
    /// What request tokens must chain to, by purpose.
    pub(crate) anchors: TrustAnchors,
    /// The `aud` values request tokens may carry: node id, base URL, aliases.
    pub(crate) audiences: crate::jose::Audiences,
    pub(crate) settings: NodeSettings,
    pub(crate) metrics: Metrics,
    /// Signed status list tokens by (agency, list): (version, minted at, token).
    pub(crate) status_cache: Mutex<HashMap<(String, i64), CachedStatusList>>,
    /// Status lists accepted for verification (own and other provinces'), remembered
    /// by token; the store holds the fetched ones.
    pub(crate) status_lists: crate::service::held_lists::StatusLists,
    /// Seal revocation lists accepted for verification, the same way.
    pub(crate) seal_revocation_lists: crate::service::held_lists::SealRevocationLists,
    /// The pinned trust-list signer and grace, and the poll interval; `None`: this
    /// node serves no trust list.
    pub(crate) trust: Option<(TrustListPolicy, std::time::Duration)>,
    /// The newest accepted trust list, as last read from the store.
    pub(crate) trust_list: RwLock<Option<Arc<CurrentTrustList>>>,
    /// Checked certificate paths, per trust-list digest (rebuilt by verifying; emptied
    /// when the trust list changes).
    pub(crate) chains: ChainCache,
    /// Per-client request budget of the verify routes (this node's memory only).
    pub(crate) rate: super::rate_limit::RateLimiter,
    /// When the store was last asked for the newest trust list on behalf of a
    /// verification.
    pub(crate) trust_checked: Mutex<Option<std::time::Instant>>,
    /// Verify batches running at once (each on at most one thread per core); more wait.
    pub(crate) batch_slots: tokio::sync::Semaphore,
    /// OFD packages being stamped at once (each is loaded whole); more wait, spooled
    /// on disk.
    pub(crate) ofd_stamp_slots: tokio::sync::Semaphore,
    /// Issuance signing jobs running at once (each split over the cores); more wait.
    pub(crate) sign_slots: tokio::sync::Semaphore,
    /// The identity provider holders sign in with (none: no holder sign-in).
    pub(crate) identity_provider: std::sync::OnceLock<Arc<crate::adapters::idp::IdentityProvider>>,
    /// This node's province and its show-license service (the key that signs its
    /// federation calls and show tokens); none for a node of no province.
    pub(crate) show_service: std::sync::OnceLock<(crate::pki::Province, Arc<Party>)>,
    /// On a node of every province: the show-license service it signs show tokens with
    /// (the first province whose key it holds); it is no province's node for anything else.
    pub(crate) signing_show_service: std::sync::OnceLock<(crate::pki::Province, Arc<Party>)>,
}

/// OFD packages a node stamps at once: with the 64 MiB upload limit, at most this many
/// packages (and their stamped copies) are in memory.
pub const OFD_STAMPS_AT_ONCE: usize = 2;

/// Issuance signing jobs a node runs at once.
pub const SIGN_JOBS_AT_ONCE: usize = 2;

/// Verify batches a node runs at once.
pub const VERIFY_BATCHES_AT_ONCE: usize = 2;

/// How long a verification relies on the trust list last read from the store before
/// asking the store again (a newer list stored by another node is used within this).
pub const TRUST_LIST_RECHECK: std::time::Duration = std::time::Duration::from_secs(1);

/// A signed status list token: (list version, minted at, token).
pub(crate) type CachedStatusList = (i64, i64, String);

/// The state handed to the router.
pub type AppState = Arc<Node>;

impl Node {
    /// A node over `store`, acting for the `hosted` parties and trusting request tokens
    /// whose certificates chain to its anchors.
    /// It holds no trust list ([`Node::with_trust_list`] gives it one).
    pub fn new(store: Store, catalog: Catalog, hosted: Hosted, settings: NodeSettings) -> AppState {
        Self::build(store, catalog, hosted, settings, None)
    }

    /// Like [`Node::new`], holding the trust list `trust` describes.
    pub fn with_trust_list(
        store: Store,
        catalog: Catalog,
        hosted: Hosted,
        settings: NodeSettings,
        trust: NodeTrustList,
    ) -> AppState {
        Self::build(store, catalog, hosted, settings, Some(trust))
    }

    fn build(
        store: Store,
        catalog: Catalog,
        hosted: Hosted,
        settings: NodeSettings,
        trust: Option<NodeTrustList>,
    ) -> AppState {
        let agencies = hosted
            .agencies
            .into_iter()
            .map(|a| {
                let uri = format!("{}/agencies/{}", settings.public_base_url, a.uscc());
                let a = a.with_issuer_uri(uri);
                (a.uscc().to_string(), Arc::new(a))
            })
            .collect();
        let rate = super::rate_limit::RateLimiter::new(
            settings.limits.verify_rate_per_minute,
            settings.limits.verify_rate_burst,
        );
        let audiences = crate::jose::Audiences::new(
            std::iter::once(&settings.audience)
                .chain(std::iter::once(&settings.public_base_url))
                .chain(settings.audience_aliases.iter()),
        );
        Arc::new(Node {
            audiences,
            store,
            catalog: Arc::new(catalog),
            agencies,
            parties: hosted.parties.into_iter().map(Arc::new).collect(),
            anchors: hosted.anchors,
            settings,
            metrics: Metrics::default(),
            status_cache: Mutex::new(HashMap::new()),
            status_lists: Default::default(),
            seal_revocation_lists: Default::default(),
            trust_list: RwLock::new(trust.as_ref().and_then(|t| t.current.clone())),
            trust: trust.map(|t| (t.policy, t.poll_interval)),
            chains: ChainCache::default(),
            rate,
            trust_checked: Mutex::new(None),
            batch_slots: tokio::sync::Semaphore::new(VERIFY_BATCHES_AT_ONCE),
            ofd_stamp_slots: tokio::sync::Semaphore::new(OFD_STAMPS_AT_ONCE),
            sign_slots: tokio::sync::Semaphore::new(SIGN_JOBS_AT_ONCE),
            identity_provider: std::sync::OnceLock::new(),
            show_service: std::sync::OnceLock::new(),
            signing_show_service: std::sync::OnceLock::new(),
        })
    }

    /// Give the node the identity provider holders sign in with (once; a second call
    /// is refused and returns `false`).
    pub fn set_identity_provider(&self, idp: crate::adapters::idp::IdentityProvider) -> bool {
        self.identity_provider.set(Arc::new(idp)).is_ok()
    }

    /// The identity provider holders sign in with.
    pub fn identity_provider(&self) -> Option<&Arc<crate::adapters::idp::IdentityProvider>> {
        self.identity_provider.get()
    }

    /// Give the node its province and that province's show-license service (once).
    pub fn set_show_service(&self, province: crate::pki::Province, service: Party) -> bool {
        self.show_service.set((province, Arc::new(service))).is_ok()
    }

    /// This node's province and its show-license service (signs federation calls and
    /// show tokens), when it serves one province.
    pub fn show_service(&self) -> Option<(crate::pki::Province, &Arc<Party>)> {
        self.show_service.get().map(|(p, s)| (*p, s))
    }

    /// Set the show-license service a node of every province signs show tokens with;
    /// `false` when one was already set.
    pub fn set_signing_show_service(&self, province: crate::pki::Province, service: Party) -> bool {
        self.signing_show_service
            .set((province, Arc::new(service)))
            .is_ok()
    }

    /// The show-license service that signs this node's show tokens: its province's, or
    /// on a node of every province the one [`Node::set_signing_show_service`] gave.
    pub fn show_signer(&self) -> Option<(crate::pki::Province, &Arc<Party>)> {
        self.show_service()
            .or_else(|| self.signing_show_service.get().map(|(p, s)| (*p, s)))
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// A hosted agency by USCC.
    pub fn agency(&self, uscc: &str) -> Option<Arc<Agency>> {
        self.agencies.get(uscc).cloned()
    }

    /// Whether this node hosts an issuing agency of `province` (it is that province's
    /// issuing node).
    pub fn hosts_province(&self, province: crate::pki::Province) -> bool {
        self.agencies.values().any(|a| a.province() == province)
    }

    /// A hosted seal authority or organisation signer by manifest id.
    pub fn party(&self, id: &str) -> Option<Arc<Party>> {
        self.parties.iter().find(|p| p.id == id).cloned()
    }

    /// The hosted seal authority whose certificate has SHA-256 `fp` (lowercase hex).
    pub fn seal_authority_by_fingerprint(&self, fp: &str) -> Option<Arc<Party>> {
        self.parties
            .iter()
            .find(|p| {
                p.role == Role::SealAuthority && crate::trust_list::fingerprint(&p.cert) == fp
            })
            .cloned()
    }

    /// The audiences request tokens may name (normalised; the node id first).
    pub fn audiences(&self) -> &crate::jose::Audiences {
        &self.audiences
    }

    /// The current time from the node's clock.
    pub fn now(&self) -> OffsetDateTime {
        (self.settings.clock)()
    }

    /// The URI of an agency's status list.
    pub fn status_list_uri(&self, agency: &str, list: i64) -> String {
        format!(
            "{}/v1/status/{agency}/{list}",
            self.settings.public_base_url
        )
    }

    /// What the validation data kept at issuance holds of this node: the version of the
    /// trust list it holds and the CRLs it was given.
    pub fn ltv_basis(&self) -> crate::service::ltv::LtvBasis {
        crate::service::ltv::LtvBasis {
            trust_list: self
                .cached_trust_list()
                .map(|c| crate::archive::ltv::TrustListVersion {
                    sequence: c.sequence(),
                    digest: c.digest().to_string(),
                }),
            crls: self.settings.crls.clone(),
        }
    }

    /// The trust list as last read from the store (no freshness check).
    pub fn cached_trust_list(&self) -> Option<Arc<CurrentTrustList>> {
        self.trust_list.read().ok().and_then(|g| g.clone())
    }

    /// How often peers should re-fetch the trust list.
    pub fn trust_list_poll_interval(&self) -> Option<std::time::Duration> {
        self.trust.as_ref().map(|(_, p)| *p)
    }

    fn set_trust_list(&self, current: &Arc<CurrentTrustList>) {
        if let Ok(mut g) = self.trust_list.write() {
            if g.as_ref().map(|c| c.digest()) != Some(current.digest()) {
                self.chains.clear();
            }
            *g = Some(current.clone());
        }
        self.status_lists.clear();
        self.seal_revocation_lists.clear();
    }

    /// The checked certificate paths this node holds (per trust-list digest).
    pub fn chain_cache(&self) -> &ChainCache {
        &self.chains
    }

    /// The trust list to serve now: the newest stored one (the cached copy when it
    /// still is), within its grace. No list, an expired one, or one that no longer
    /// verifies is an error: fail closed.
    pub async fn current_trust_list(&self) -> Result<Arc<CurrentTrustList>, ServiceError> {
        let (policy, _) = self.trust.as_ref().ok_or(ServiceError::NoTrustList)?;
        let cached = self.cached_trust_list();
        let current = trust_list::current(&self.store, cached.as_ref(), policy, self.now())
            .await?
            .ok_or(ServiceError::NoTrustList)?;
        let seen = |c: &CurrentTrustList| (c.digest().to_string(), c.verified.overdue);
        if cached.as_deref().map(seen) != Some(seen(&current)) {
            self.set_trust_list(&current);
        }
        Ok(current)
    }

    /// The trust list to verify with: [`Node::current_trust_list`], read from the store
    /// at most once per [`TRUST_LIST_RECHECK`]; in between the cached list, still
    /// checked for freshness at the node's clock every time.
    pub async fn trust_list_for_verify(&self) -> Result<Arc<CurrentTrustList>, ServiceError> {
        let (policy, _) = self.trust.as_ref().ok_or(ServiceError::NoTrustList)?;
        let recent = self
            .trust_checked
            .lock()
            .ok()
            .and_then(|g| *g)
            .is_some_and(|t| t.elapsed() < TRUST_LIST_RECHECK);
        if recent {
            if let Some(c) = self.cached_trust_list() {
                c.usable_at(self.now(), policy.grace)
                    .map_err(ServiceError::TrustList)?;
                return Ok(c);
            }
        }
        let current = self.current_trust_list().await?;
        if let Ok(mut g) = self.trust_checked.lock() {
            *g = Some(std::time::Instant::now());
        }
        Ok(current)
    }

    /// Accept `text` as a newer trust list (pinned signer, held sequence from the
    /// store, freshness at the node's clock), store it and make it current.
    pub async fn accept_trust_list(
        &self,
        text: &str,
    ) -> Result<(Arc<CurrentTrustList>, Acceptance), ServiceError> {
        let (policy, _) = self.trust.as_ref().ok_or(ServiceError::NoTrustList)?;
        let (current, acceptance) =
            trust_list::accept(&self.store, text, policy, self.now()).await?;
        self.set_trust_list(&current);
        Ok((current, acceptance))
    }
}
