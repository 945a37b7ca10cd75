//! The node's identity provider for holders: where its keys come from (a JWKS file, a
//! JWKS URL fetched with a timeout and a size bound and re-fetched when a token names a
//! key not yet seen, at most once a minute), and the demo provider a node run with the
//! demo keys embeds (its committed key signs ID tokens for the demo holders).
//!
//! Owns: holding and fetching the key set. Must not touch: what makes an ID token
//! acceptable ([`crate::holder::id_token`]).

use crate::crypto::{PrivateKey, Signer, SoftwareSigner};
use crate::holder::{self, HolderIdentity, IdTokenError, IdTokenPolicy, Jwks};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

/// How long a JWKS fetch may take.
pub const JWKS_FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// Least time between two fetches of a JWKS URL.
pub const JWKS_REFETCH_AFTER: Duration = Duration::from_secs(60);

/// Where the provider's keys come from.
enum KeySource {
    /// A fixed set (a file, or the demo key).
    Fixed(Jwks),
    /// A URL, fetched when needed.
    Url {
        url: String,
        held: RwLock<Option<Arc<Jwks>>>,
        fetched: Mutex<Option<Instant>>,
    },
}

/// The demo provider's signing side.
pub struct DemoProvider {
    /// The committed demo key.
    pub signer: Arc<dyn Signer>,
}

/// The identity provider whose ID tokens sign holders in.
pub struct IdentityProvider {
    /// Issuer and client id expected.
    pub policy: IdTokenPolicy,
    keys: KeySource,
    /// Set when this is the embedded demo provider.
    pub demo: Option<DemoProvider>,
}

impl std::fmt::Debug for IdentityProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentityProvider")
            .field("policy", &self.policy)
            .field("demo", &self.demo.is_some())
            .finish_non_exhaustive()
    }
}

/// Why the provider cannot be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IdpError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// the file
        path: std::path::PathBuf,
        /// the cause
        source: std::io::Error,
    },
    /// The JWKS or key is not usable.
    #[error("{0}")]
    Keys(String),
}

impl IdentityProvider {
    /// A provider with a fixed key set.
    pub fn with_keys(policy: IdTokenPolicy, keys: Jwks) -> Self {
        IdentityProvider {
            policy,
            keys: KeySource::Fixed(keys),
            demo: None,
        }
    }

    /// A provider whose keys are read from a JWKS file or fetched from an `http(s)://`
    /// URL (at the first sign-in, then whenever a token names an unknown `kid`).
    pub fn from_jwks_location(policy: IdTokenPolicy, location: &str) -> Result<Self, IdpError> {
        if location.starts_with("http://") || location.starts_with("https://") {
            return Ok(IdentityProvider {
                policy,
                keys: KeySource::Url {
                    url: location.to_string(),
                    held: RwLock::new(None),
                    fetched: Mutex::new(None),
                },
                demo: None,
            });
        }
        let path = std::path::Path::new(location);
        let text =
            crate::adapters::config::read_limited_to(path, holder::id_token::MAX_JWKS_BYTES as u64)
                .map_err(|e| IdpError::Keys(e.to_string()))?;
        let keys = Jwks::parse(text.as_bytes()).map_err(|e| IdpError::Keys(e.to_string()))?;
        Ok(Self::with_keys(policy, keys))
    }

    /// The embedded demo provider: issuer `<base_url>/demo-idp`, client id
    /// [`holder::DEMO_CLIENT_ID`], the committed key `<keys_dir>/demo-idp/idp.key.pem`.
    pub fn demo(keys_dir: &std::path::Path, base_url: &str) -> Result<Self, IdpError> {
        let path = keys_dir.join(holder::demo::DEMO_KEY_FILE);
        let pem = std::fs::read_to_string(&path).map_err(|source| IdpError::Io {
            path: path.clone(),
            source,
        })?;
        let key = PrivateKey::from_pem(&pem).map_err(|e| IdpError::Keys(e.to_string()))?;
        Ok(Self::demo_with_key(key, base_url))
    }

    /// The demo provider over `key`.
    pub fn demo_with_key(key: PrivateKey, base_url: &str) -> Self {
        let jwks = holder::demo::demo_jwks(key.public_key());
        IdentityProvider {
            policy: IdTokenPolicy {
                issuer: demo_issuer(base_url),
                audience: holder::DEMO_CLIENT_ID.into(),
            },
            keys: KeySource::Fixed(jwks),
            demo: Some(DemoProvider {
                signer: Arc::new(SoftwareSigner::new(holder::demo::DEMO_KID, key)),
            }),
        }
    }

    /// The key set as held now (fetched once if it is a URL not fetched yet).
    pub async fn keys(&self) -> Result<Arc<Jwks>, IdTokenError> {
        match &self.keys {
            KeySource::Fixed(k) => Ok(Arc::new(k.clone())),
            KeySource::Url { held, .. } => {
                if let Some(k) = held.read().ok().and_then(|g| g.clone()) {
                    return Ok(k);
                }
                self.refetch().await
            }
        }
    }

    /// Fetch the JWKS URL again, unless fetched within [`JWKS_REFETCH_AFTER`].
    async fn refetch(&self) -> Result<Arc<Jwks>, IdTokenError> {
        let KeySource::Url { url, held, fetched } = &self.keys else {
            return self.keys_fixed();
        };
        let recent = fetched
            .lock()
            .ok()
            .and_then(|g| *g)
            .is_some_and(|t| t.elapsed() < JWKS_REFETCH_AFTER);
        let current = held.read().ok().and_then(|g| g.clone());
        if recent {
            return current.ok_or_else(|| IdTokenError::Jwks("not fetched yet".into()));
        }
        if let Ok(mut g) = fetched.lock() {
            *g = Some(Instant::now());
        }
        match fetch_jwks(url).await {
            Ok(k) => {
                let k = Arc::new(k);
                if let Ok(mut g) = held.write() {
                    *g = Some(k.clone());
                }
                Ok(k)
            }
            Err(e) => {
                tracing::warn!(%url, error = %e, "identity provider JWKS fetch failed");
                current.ok_or(e)
            }
        }
    }

    fn keys_fixed(&self) -> Result<Arc<Jwks>, IdTokenError> {
        match &self.keys {
            KeySource::Fixed(k) => Ok(Arc::new(k.clone())),
            KeySource::Url { .. } => Err(IdTokenError::Jwks("not fixed".into())),
        }
    }

    /// Check an ID token at `now` (Unix seconds); a token naming a key not in the held
    /// set makes a URL provider fetch its set again (rate-limited) before refusing.
    pub async fn sign_in(&self, token: &str, now: i64) -> Result<HolderIdentity, IdTokenError> {
        let keys = self.keys().await?;
        match holder::verify_id_token(token, &keys, &self.policy, now) {
            Err(IdTokenError::UnknownKey(_)) if matches!(self.keys, KeySource::Url { .. }) => {
                let keys = self.refetch().await?;
                holder::verify_id_token(token, &keys, &self.policy, now)
            }
            r => r,
        }
    }
}

/// The demo provider's issuer for a node at `base_url`.
pub fn demo_issuer(base_url: &str) -> String {
    format!("{}/demo-idp", base_url.trim_end_matches('/'))
}

async fn fetch_jwks(url: &str) -> Result<Jwks, IdTokenError> {
    let bad = |e: String| IdTokenError::Jwks(format!("{url}: {e}"));
    let client = reqwest::Client::builder()
        .timeout(JWKS_FETCH_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| bad(e.to_string()))?;
    let mut resp = client
        .get(url)
        .send()
        .await
        .map_err(|e| bad(e.to_string()))?;
    if !resp.status().is_success() {
        return Err(bad(format!("HTTP {}", resp.status().as_u16())));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| bad(e.to_string()))? {
        if body.len() + chunk.len() > holder::id_token::MAX_JWKS_BYTES {
            return Err(bad("too large".into()));
        }
        body.extend_from_slice(&chunk);
    }
    Jwks::parse(&body)
}
