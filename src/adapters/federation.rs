//! Federation client: calls to other nodes' public API — polling another node's
//! `GET /v1/trust-list` for a newer regional trust list, and fetching the status lists
//! and seal revocation lists a verification needs ([`status_lookups`],
//! [`revoked_seals`]; what is held and for how long is [`crate::service::held_lists`]'s).
//!
//! A fetched list is accepted exactly like the configured file (`Node::accept_trust_list`:
//! the pinned signer, the held sequence from the store, the node's clock); a rolled
//! back, tampered, wrongly signed or expired list is refused and logged and the current
//! list kept — never replaced by a worse one. Fetches are bounded: a timeout, a body
//! of at most [`MAX_TRUST_LIST_BYTES`].
//!
//! Owns: the HTTP client side (timeouts, sizes, `If-None-Match`) and the timer loop.
//! Must not touch: what makes a list acceptable (the domain's and the use case's).

use crate::adapters::http::{AppState, Node};
use crate::service::trust_list::Acceptance;
use crate::service::ServiceError;
use std::time::Duration;

/// Largest trust list fetched, bytes.
pub const MAX_TRUST_LIST_BYTES: usize = 4 * 1024 * 1024;

/// How long one fetch may take, connect to last byte.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(20);

/// Why a poll brought no newer list.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PollError {
    /// The request failed (connect, timeout, read).
    #[error("fetching {url}: {source}")]
    Fetch {
        /// the URL polled
        url: String,
        /// the cause
        source: reqwest::Error,
    },
    /// The peer answered something other than 200 or 304.
    #[error("{url} answered HTTP {status}")]
    Status {
        /// the URL polled
        url: String,
        /// the status
        status: u16,
    },
    /// The body is larger than [`MAX_TRUST_LIST_BYTES`] or not UTF-8.
    #[error("{url}: {why}")]
    Body {
        /// the URL polled
        url: String,
        /// what is wrong
        why: &'static str,
    },
    /// The list is refused (signer, signature, rollback, freshness, conflict).
    #[error("the trust list from {url} is refused: {source}")]
    Refused {
        /// the URL polled
        url: String,
        /// why
        source: ServiceError,
    },
}

/// What one poll did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PollOutcome {
    /// `304`: the peer's list is the one held.
    NotModified,
    /// A list was fetched and accepted (stored as newer, or already held).
    Accepted {
        /// its sequence
        sequence: u64,
        /// stored or already held
        acceptance: Acceptance,
    },
}

/// The HTTP client polls use: timeout, no redirects to other hosts' lists.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(FETCH_TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default()
}

/// Fetch `url` once (with `If-None-Match` naming the list the node holds) and, on a
/// `200`, accept the body as the node's newer trust list.
pub async fn poll_trust_list(
    node: &Node,
    client: &reqwest::Client,
    url: &str,
) -> Result<PollOutcome, PollError> {
    let fetch = |source| PollError::Fetch {
        url: url.to_string(),
        source,
    };
    let body = |why| PollError::Body {
        url: url.to_string(),
        why,
    };
    let mut req = client.get(url);
    if let Some(c) = node.cached_trust_list() {
        req = req.header(
            reqwest::header::IF_NONE_MATCH,
            format!("\"{}\"", c.digest()),
        );
    }
    let mut resp = req.send().await.map_err(fetch)?;
    match resp.status().as_u16() {
        304 => return Ok(PollOutcome::NotModified),
        200 => {}
        status => {
            return Err(PollError::Status {
                url: url.to_string(),
                status,
            })
        }
    }
    if resp
        .content_length()
        .is_some_and(|n| n > MAX_TRUST_LIST_BYTES as u64)
    {
        return Err(body("the trust list is larger than 4 MiB"));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(fetch)? {
        if bytes.len() + chunk.len() > MAX_TRUST_LIST_BYTES {
            return Err(body("the trust list is larger than 4 MiB"));
        }
        bytes.extend_from_slice(&chunk);
    }
    let text = String::from_utf8(bytes).map_err(|_| body("the trust list is not UTF-8"))?;
    let (current, acceptance) =
        node.accept_trust_list(&text)
            .await
            .map_err(|source| PollError::Refused {
                url: url.to_string(),
                source,
            })?;
    Ok(PollOutcome::Accepted {
        sequence: current.sequence(),
        acceptance,
    })
}

/// Poll `url` every `every` until the task is dropped or aborted; each outcome is
/// logged, a failure never changes the current list.
pub fn spawn_trust_list_poller(
    node: AppState,
    url: String,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let client = client();
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match poll_trust_list(&node, &client, &url).await {
                Ok(PollOutcome::NotModified) => tracing::debug!(%url, "trust list unchanged"),
                Ok(PollOutcome::Accepted {
                    sequence,
                    acceptance,
                }) => tracing::info!(%url, sequence, ?acceptance, "trust list fetched"),
                Err(e) => {
                    tracing::warn!(error = %e, "trust list poll failed; keeping the current list")
                }
            }
        }
    })
}

/// Largest status list token fetched, bytes.
pub const MAX_STATUS_LIST_BYTES: usize = crate::license::status::MAX_TOKEN_BYTES;

/// How long one status list fetch may take, connect to last byte.
pub const STATUS_FETCH_TIMEOUT: Duration = Duration::from_secs(5);

fn status_client() -> &'static reqwest::Client {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(STATUS_FETCH_TIMEOUT)
            .connect_timeout(Duration::from_secs(2))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default()
    })
}

/// Fetch the signed text another node serves at `url` (a status list token, a seal
/// revocation list, an archive checkpoint or proof): `200`, at most
/// [`MAX_STATUS_LIST_BYTES`], UTF-8, within [`STATUS_FETCH_TIMEOUT`].
pub async fn fetch_signed_text(url: &str) -> Result<String, String> {
    let too_large = || format!("{url}: the answer is larger than {MAX_STATUS_LIST_BYTES} bytes");
    let mut resp = status_client()
        .get(url)
        .send()
        .await
        .map_err(|e| format!("fetching {url}: {e}"))?;
    if resp.status().as_u16() != 200 {
        return Err(format!("{url} answered HTTP {}", resp.status().as_u16()));
    }
    if resp
        .content_length()
        .is_some_and(|n| n > MAX_STATUS_LIST_BYTES as u64)
    {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = resp
        .chunk()
        .await
        .map_err(|e| format!("fetching {url}: {e}"))?
    {
        if bytes.len() + chunk.len() > MAX_STATUS_LIST_BYTES {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| format!("{url}: the answer is not UTF-8"))
}

/// One of this node's own lists.
enum Own {
    /// An agency's status list: (agency USCC, list number).
    Status(String, i64),
    /// A hosted seal authority's revocation list, by its certificate's SHA-256.
    SealRevocations(String),
}

/// The node as a list fetcher: its own lists from its store, others' over HTTP.
struct NodeFetcher<'a>(&'a Node);

impl NodeFetcher<'_> {
    /// Which own list `uri` names, if it is one of this node's.
    fn own(&self, uri: &str) -> Option<Own> {
        let rest = uri
            .strip_prefix(self.0.settings.public_base_url.trim_end_matches('/'))?
            .strip_prefix("/v1/")?;
        if let Some(fp) = rest.strip_prefix("seal-revocations/") {
            return self
                .0
                .seal_authority_by_fingerprint(fp)
                .map(|_| Own::SealRevocations(fp.to_owned()));
        }
        let (agency, list) = rest.strip_prefix("status/")?.split_once('/')?;
        let list = list.parse().ok()?;
        self.0
            .agencies
            .contains_key(agency)
            .then(|| Own::Status(agency.to_owned(), list))
    }
}

impl crate::service::held_lists::StatusFetcher for NodeFetcher<'_> {
    fn is_local(&self, uri: &str) -> bool {
        self.own(uri).is_some()
    }

    async fn fetch(&self, uri: &str) -> Result<String, String> {
        match self.own(uri) {
            Some(Own::Status(agency, list)) => {
                crate::adapters::http::status::own_status_token(self.0, &agency, list)
                    .await
                    .map_err(|e| e.to_string())
            }
            Some(Own::SealRevocations(fp)) => {
                crate::adapters::http::seals::make::own_seal_revocations(self.0, &fp)
                    .await
                    .map_err(|e| e.to_string())
            }
            None => fetch_signed_text(uri).await,
        }
    }
}

/// What the node knows of each status list in `uris` at `now`, under `trust` (see
/// [`crate::service::held_lists`]): for the verification engine's
/// [`crate::verify::StatusSource`].
pub async fn status_lookups(
    node: &Node,
    trust: &crate::trust_list::VerifiedTrustList,
    uris: impl IntoIterator<Item = String>,
    now: time::OffsetDateTime,
) -> Result<std::collections::HashMap<String, crate::verify::StatusLookup>, ServiceError> {
    let fetcher = NodeFetcher(node);
    let mut out = std::collections::HashMap::new();
    for uri in uris {
        if out.contains_key(&uri) {
            continue;
        }
        let found = node
            .status_lists
            .lookup(&node.store, &fetcher, trust, &uri, now)
            .await?;
        out.insert(uri, found.into());
    }
    Ok(out)
}

/// The revoked seals among `makers` (esID and maker certificate of each seal an
/// artifact carries, [`crate::verify::seal_revocations::seal_makers`]), from the
/// revocation lists of their seal authorities' nodes as held at `now`; `None` when no
/// list could be had (the report then makes no revocation check).
pub async fn revoked_seals(
    node: &Node,
    trust: &crate::trust_list::VerifiedTrustList,
    makers: &[(String, Vec<u8>)],
    now: time::OffsetDateTime,
) -> Result<Option<crate::seal::SealRevocationList>, ServiceError> {
    use crate::service::held_lists::Lookup;
    use crate::verify::seal_revocations::{merged, revocation_uris};
    let fetcher = NodeFetcher(node);
    let mut held = Vec::new();
    for uri in revocation_uris(trust, makers) {
        match node
            .seal_revocation_lists
            .lookup(&node.store, &fetcher, trust, &uri, now)
            .await?
        {
            Lookup::Held(h) => held.push(h),
            Lookup::Refused(why) | Lookup::Unavailable(why) => {
                tracing::warn!(%uri, %why, "no seal revocation list");
            }
        }
    }
    Ok((!held.is_empty()).then(|| merged(&held, makers)))
}
