//! What the HTTP handlers share: the store, the catalogue, the agencies whose keys
//! this node holds, the trusted province roots, limits, the clock and the metrics.

use super::metrics::Metrics;
use crate::adapters::storage::Store;
use crate::catalog::Catalog;
use crate::license::Agency;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
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
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: super::extract::DEFAULT_BODY_LIMIT,
            max_batch: 1000,
        }
    }
}

/// Node settings other than keys and storage.
#[derive(Clone)]
pub struct NodeSettings {
    /// This node's id: the `aud` request tokens must carry.
    pub audience: String,
    /// Public base URL (no trailing slash) used in status list URIs.
    pub public_base_url: String,
    /// Request limits.
    pub limits: Limits,
    /// The clock.
    pub clock: Clock,
}

impl std::fmt::Debug for NodeSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeSettings")
            .field("audience", &self.audience)
            .field("public_base_url", &self.public_base_url)
            .field("limits", &self.limits)
            .finish()
    }
}

/// The shared state of one node.
pub struct Node {
    pub(crate) store: Store,
    pub(crate) catalog: Arc<Catalog>,
    /// Hosted agencies by USCC.
    pub(crate) agencies: HashMap<String, Arc<Agency>>,
    /// Trusted province root certificates (DER).
    pub(crate) anchors: Vec<Vec<u8>>,
    pub(crate) settings: NodeSettings,
    pub(crate) metrics: Metrics,
    /// Seen request-token `jti`s and their expiry.
    pub(crate) seen_jti: Mutex<HashMap<String, i64>>,
    /// Signed status list tokens by (agency, list): (version, minted at, token).
    pub(crate) status_cache: Mutex<HashMap<(String, i64), CachedStatusList>>,
}

/// A signed status list token: (list version, minted at, token).
pub(crate) type CachedStatusList = (i64, i64, String);

/// The state handed to the router.
pub type AppState = Arc<Node>;

impl Node {
    /// A node over `store`, issuing for `agencies` (keyed by their USCC) and trusting
    /// request tokens whose certificates chain to `anchors`.
    pub fn new(
        store: Store,
        catalog: Catalog,
        agencies: Vec<Agency>,
        anchors: Vec<Vec<u8>>,
        settings: NodeSettings,
    ) -> AppState {
        let agencies = agencies
            .into_iter()
            .map(|a| {
                let uri = format!("{}/agencies/{}", settings.public_base_url, a.uscc());
                let a = a.with_issuer_uri(uri);
                (a.uscc().to_string(), Arc::new(a))
            })
            .collect();
        Arc::new(Node {
            store,
            catalog: Arc::new(catalog),
            agencies,
            anchors,
            settings,
            metrics: Metrics::default(),
            seen_jti: Mutex::new(HashMap::new()),
            status_cache: Mutex::new(HashMap::new()),
        })
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// A hosted agency by USCC.
    pub fn agency(&self, uscc: &str) -> Option<Arc<Agency>> {
        self.agencies.get(uscc).cloned()
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
}
