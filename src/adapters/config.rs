//! Node configuration: defaults, a config file (`--config`; TOML if it ends in
//! `.toml`, JSON otherwise), `DELTASEAL_*`
//! environment variables, in that order of precedence (later wins), and opening the
//! node they describe (store, keys, catalogue, the trust list).
//!
//! Owns: reading and checking the configuration, refusing demo keys in production,
//! reading the trust-list file and the pinned signer (what is accepted is the use
//! case's, `service::trust_list`).
//! Must not touch: serving (see `cli/serve.rs`) or what the keys are used for.

use crate::adapters::http::{
    AppState, Clock, Hosted, Limits, Node, NodeSettings, NodeTrustList, Party,
};
use crate::adapters::keystore::{KeyStore, KeyStoreError};
use crate::adapters::storage::{StorageError, Store};
use crate::catalog::{Catalog, CatalogError};
use crate::license::{Agency, LicenseError};
use crate::pki::{PkiError, Province, Role, TrustAnchors};
use crate::service::trust_list::{self, Offered, TrustListPolicy};
use crate::service::ServiceError;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The catalogue compiled into the binary (`fixtures/catalog/types.json`).
pub const BUILTIN_CATALOG: &str = crate::catalog::BUILTIN_JSON;

/// The default listen address (without a province).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// The default database (without a province).
pub const DEFAULT_DATABASE: &str = "deltaseal.db";

/// Largest config file read.
const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// A node's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Listen address (`DELTASEAL_LISTEN`), default `127.0.0.1:8080`.
    pub listen: String,
    /// SQLite file path or `postgres://` URL (`DELTASEAL_DATABASE`), default `deltaseal.db`.
    pub database: String,
    /// PostgreSQL only: the schema the node's tables live in, created if missing
    /// (`DELTASEAL_DATABASE_SCHEMA`; letters, digits, `_`); default the URL's search
    /// path, or `deltaseal_<province>` for a province node.
    pub database_schema: Option<String>,
    /// Keys directory with `manifest.json` (`DELTASEAL_KEYS_DIR`), default `keys`.
    pub keys_dir: PathBuf,
    /// The node's id: the audience request tokens must name (`DELTASEAL_NODE_ID`);
    /// default the public base URL.
    pub node_id: Option<String>,
    /// Other names request tokens may give as their audience (`DELTASEAL_AUDIENCES`,
    /// comma-separated; `serve --audience`), besides the node id and the public base
    /// URL; compared normalised (scheme and host case, default port, trailing slash).
    pub audiences: Vec<String>,
    /// Public base URL for status list URIs (`DELTASEAL_PUBLIC_BASE_URL`); default
    /// `http://<listen>`.
    pub public_base_url: Option<String>,
    /// A production node refuses demo keys (`DELTASEAL_PRODUCTION`).
    pub production: bool,
    /// Catalogue JSON file (`DELTASEAL_CATALOG`); default the built-in one.
    pub catalog: Option<PathBuf>,
    /// Most items in one batch (`DELTASEAL_MAX_BATCH`), default 1000.
    pub max_batch: usize,
    /// Largest request body in bytes (`DELTASEAL_MAX_BODY_BYTES`), default 4 MiB.
    pub max_body_bytes: usize,
    /// The trust-list file (compact JWS) offered at start-up (`DELTASEAL_TRUST_LIST`);
    /// default `<keys_dir>/trust-list.jws`.
    pub trust_list: Option<PathBuf>,
    /// The pinned trust-list signer certificate, PEM or DER
    /// (`DELTASEAL_TRUST_LIST_SIGNER`); default `<keys_dir>/yrd/trust-list-signer.cert.pem`.
    pub trust_list_signer: Option<PathBuf>,
    /// How long past its next update a list may still be used, seconds
    /// (`DELTASEAL_TRUST_LIST_GRACE_S`), default 86400.
    pub trust_list_grace_s: u64,
    /// Another node's `GET /v1/trust-list` to poll for newer lists
    /// (`DELTASEAL_TRUST_LIST_URL`); default none.
    pub trust_list_url: Option<String>,
    /// Seconds between polls, and the list's `Cache-Control: max-age`
    /// (`DELTASEAL_TRUST_LIST_POLL_S`), default 300.
    pub trust_list_poll_s: u64,
    /// Seconds between witnessing rounds of the other provinces' archive logs, on a
    /// provincial node (`DELTASEAL_WITNESS_S`), default 300; 0: never.
    pub witness_s: u64,
    /// CRL files (PEM or DER) the node holds for its agencies' certificate chains
    /// (`DELTASEAL_CRLS`, comma-separated): kept, as they were read at start-up, in
    /// the validation data of every issuance for long-term validation. Default none.
    pub crls: Vec<PathBuf>,
    /// The province this node serves (`DELTASEAL_PROVINCE`: `SH`, `JS`, `ZJ`, `AH`):
    /// it hosts only that province's parties, and its database, listen address and
    /// public base URL default to the province's (`Config::apply_province`). None:
    /// every party of the key store.
    pub province: Option<Province>,
    /// Largest JSON body of the verify routes in bytes
    /// (`DELTASEAL_MAX_VERIFY_BODY_BYTES`), default 16 MiB.
    pub max_verify_body_bytes: usize,
    /// Most artifacts in `POST /v1/verify:batch` (`DELTASEAL_MAX_VERIFY_BATCH`), default
    /// 1000.
    pub max_verify_batch: usize,
    /// Seconds a client may take to send a verify request's body
    /// (`DELTASEAL_BODY_READ_TIMEOUT_S`), default 30; slower is `408`.
    pub body_read_timeout_s: u64,
    /// Seconds a client may take to send a request's header, and an idle keep-alive
    /// connection may stay open (`DELTASEAL_HEADER_READ_TIMEOUT_S`), default 10.
    pub header_read_timeout_s: u64,
    /// Most connections served at once (`DELTASEAL_MAX_CONNECTIONS`), default 1024;
    /// further clients wait in the listen backlog.
    pub max_connections: usize,
    /// Verify requests per minute per client address (`DELTASEAL_VERIFY_RATE_PER_MINUTE`),
    /// default 600; 0: no limit.
    pub verify_rate_per_minute: u32,
    /// Verify requests a client may make at once before the rate applies
    /// (`DELTASEAL_VERIFY_RATE_BURST`), default 100.
    pub verify_rate_burst: u32,
    /// The identity provider holders sign in with: its issuer identifier, the `iss` of
    /// its ID tokens (`DELTASEAL_HOLDER_IDP_ISSUER`). Unset: the embedded demo provider
    /// (a node with demo keys), or no holder sign-in (a production node).
    pub holder_idp_issuer: Option<String>,
    /// This node's client id at that provider, required in `aud`
    /// (`DELTASEAL_HOLDER_IDP_AUDIENCE`).
    pub holder_idp_audience: Option<String>,
    /// The provider's JWKS: a file, or an `http(s)://` URL fetched when needed
    /// (`DELTASEAL_HOLDER_IDP_JWKS`).
    pub holder_idp_jwks: Option<String>,
    /// Whether `serve` issues the demo holders' licenses at start-up on a node with the
    /// demo identity provider, when its store holds none of them
    /// (`DELTASEAL_DEMO_HOLDERS`), default true.
    pub demo_holders: bool,
}

impl Default for Config {
    fn default() -> Self {
        let limits = Limits::default();
        Config {
            listen: DEFAULT_LISTEN.into(),
            database: DEFAULT_DATABASE.into(),
            database_schema: None,
            keys_dir: "keys".into(),
            node_id: None,
            audiences: Vec::new(),
            public_base_url: None,
            production: false,
            catalog: None,
            max_batch: limits.max_batch,
            max_body_bytes: limits.max_body,
            trust_list: None,
            trust_list_signer: None,
            trust_list_grace_s: 86_400,
            trust_list_url: None,
            trust_list_poll_s: 300,
            witness_s: 300,
            crls: Vec::new(),
            province: None,
            max_verify_body_bytes: limits.max_verify_body,
            max_verify_batch: limits.max_verify_batch,
            body_read_timeout_s: limits.body_read_timeout.as_secs(),
            header_read_timeout_s: crate::adapters::http::ServeOptions::default()
                .header_read_timeout
                .as_secs(),
            max_connections: crate::adapters::http::ServeOptions::default().max_connections,
            verify_rate_per_minute: limits.verify_rate_per_minute,
            verify_rate_burst: limits.verify_rate_burst,
            holder_idp_issuer: None,
            holder_idp_audience: None,
            holder_idp_jwks: None,
            demo_holders: true,
        }
    }
}

/// Why the configuration or the node it describes cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// the file
        path: PathBuf,
        /// the cause
        source: std::io::Error,
    },
    /// The config file is not valid JSON of the expected shape.
    #[error("{path}: {source}")]
    Parse {
        /// the file
        path: PathBuf,
        /// the cause
        source: serde_json::Error,
    },
    /// The config file is not valid TOML of the expected shape.
    #[error("{path}: {source}")]
    ParseToml {
        /// the file
        path: PathBuf,
        /// the cause
        source: toml::de::Error,
    },
    /// A setting has an unusable value.
    #[error("{name}: {reason}")]
    BadValue {
        /// the setting
        name: &'static str,
        /// what is wrong
        reason: String,
    },
    /// The keys directory could not be loaded.
    #[error("keys: {0}")]
    Keys(#[from] KeyStoreError),
    /// A production node was given a demo key.
    #[error("production configuration refuses demo key {id}: {source}")]
    DemoKey {
        /// manifest id
        id: String,
        /// the check that refused it
        source: PkiError,
    },
    /// An agency key cannot issue.
    #[error("agency {id}: {source}")]
    Agency {
        /// manifest id
        id: String,
        /// why
        source: LicenseError,
    },
    /// The catalogue does not load.
    #[error("catalogue: {0}")]
    Catalog(#[from] CatalogError),
    /// The database cannot be opened.
    #[error("{0}")]
    Storage(#[from] StorageError),
    /// The pinned trust-list signer certificate does not read.
    #[error("trust list signer {path}: {source}")]
    TrustListSigner {
        /// the file
        path: PathBuf,
        /// why
        source: PkiError,
    },
    /// The trust-list file is refused and the database holds no valid list either.
    #[error("trust list {path}: {source}")]
    TrustList {
        /// the file
        path: PathBuf,
        /// why it is refused
        source: ServiceError,
    },
}

fn read_limited(path: &Path) -> Result<String, ConfigError> {
    read_limited_to(path, MAX_CONFIG_BYTES)
}

pub(crate) fn read_limited_to(path: &Path, max: u64) -> Result<String, ConfigError> {
    let io = |source| ConfigError::Io {
        path: path.to_owned(),
        source,
    };
    if std::fs::metadata(path).map_err(io)?.len() > max {
        return Err(ConfigError::BadValue {
            name: "config",
            reason: format!("{} is larger than {max} bytes", path.display()),
        });
    }
    std::fs::read_to_string(path).map_err(io)
}

impl Config {
    /// How `serve` bounds its clients (header read timeout, connection cap).
    pub fn serve_options(&self) -> crate::adapters::http::ServeOptions {
        crate::adapters::http::ServeOptions {
            header_read_timeout: std::time::Duration::from_secs(self.header_read_timeout_s),
            max_connections: self.max_connections,
            ..Default::default()
        }
    }

    /// Defaults, then `file` (TOML if it ends in `.toml`, else JSON) if given, then the
    /// environment as `env` reports it.
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut c = match file {
            Some(p) if p.extension().is_some_and(|e| e == "toml") => {
                toml::from_str(&read_limited(p)?).map_err(|source| ConfigError::ParseToml {
                    path: p.to_owned(),
                    source,
                })?
            }
            Some(p) => {
                serde_json::from_str(&read_limited(p)?).map_err(|source| ConfigError::Parse {
                    path: p.to_owned(),
                    source,
                })?
            }
            None => Config::default(),
        };
        if let Some(v) = env("DELTASEAL_LISTEN") {
            c.listen = v;
        }
        if let Some(v) = env("DELTASEAL_DATABASE").or_else(|| env("DELTASEAL_DATABASE_URL")) {
            c.database = v;
        }
        if let Some(v) = env("DELTASEAL_DATABASE_SCHEMA") {
            c.database_schema = (!v.is_empty()).then_some(v);
        }
        if let Some(v) = env("DELTASEAL_KEYS_DIR") {
            c.keys_dir = v.into();
        }
        if let Some(v) = env("DELTASEAL_NODE_ID") {
            c.node_id = Some(v);
        }
        if let Some(v) = env("DELTASEAL_AUDIENCES") {
            c.audiences = v
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(String::from)
                .collect();
        }
        if let Some(v) = env("DELTASEAL_PUBLIC_BASE_URL") {
            c.public_base_url = Some(v);
        }
        if let Some(v) = env("DELTASEAL_CATALOG") {
            c.catalog = Some(v.into());
        }
        if let Some(v) = env("DELTASEAL_PRODUCTION") {
            c.production = match v.to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" => true,
                "0" | "false" | "no" | "" => false,
                _ => {
                    return Err(ConfigError::BadValue {
                        name: "DELTASEAL_PRODUCTION",
                        reason: "use true or false".into(),
                    })
                }
            };
        }
        let num = |name: &'static str, v: String| {
            v.parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or(ConfigError::BadValue {
                    name,
                    reason: "must be a positive integer".into(),
                })
        };
        if let Some(v) = env("DELTASEAL_MAX_BATCH") {
            c.max_batch = num("DELTASEAL_MAX_BATCH", v)?;
        }
        if let Some(v) = env("DELTASEAL_MAX_BODY_BYTES") {
            c.max_body_bytes = num("DELTASEAL_MAX_BODY_BYTES", v)?;
        }
        if let Some(v) = env("DELTASEAL_MAX_VERIFY_BODY_BYTES") {
            c.max_verify_body_bytes = num("DELTASEAL_MAX_VERIFY_BODY_BYTES", v)?;
        }
        if let Some(v) = env("DELTASEAL_MAX_VERIFY_BATCH") {
            c.max_verify_batch = num("DELTASEAL_MAX_VERIFY_BATCH", v)?;
        }
        if let Some(v) = env("DELTASEAL_BODY_READ_TIMEOUT_S") {
            c.body_read_timeout_s = num("DELTASEAL_BODY_READ_TIMEOUT_S", v)? as u64;
        }
        if let Some(v) = env("DELTASEAL_HEADER_READ_TIMEOUT_S") {
            c.header_read_timeout_s = num("DELTASEAL_HEADER_READ_TIMEOUT_S", v)? as u64;
        }
        if let Some(v) = env("DELTASEAL_MAX_CONNECTIONS") {
            c.max_connections = num("DELTASEAL_MAX_CONNECTIONS", v)?;
        }
        let count = |name: &'static str, v: String| {
            v.parse::<u32>().map_err(|_| ConfigError::BadValue {
                name,
                reason: "must be a whole number".into(),
            })
        };
        if let Some(v) = env("DELTASEAL_VERIFY_RATE_PER_MINUTE") {
            c.verify_rate_per_minute = count("DELTASEAL_VERIFY_RATE_PER_MINUTE", v)?;
        }
        if let Some(v) = env("DELTASEAL_VERIFY_RATE_BURST") {
            c.verify_rate_burst = count("DELTASEAL_VERIFY_RATE_BURST", v)?;
        }
        if let Some(v) = env("DELTASEAL_TRUST_LIST") {
            c.trust_list = Some(v.into());
        }
        if let Some(v) = env("DELTASEAL_TRUST_LIST_SIGNER") {
            c.trust_list_signer = Some(v.into());
        }
        if let Some(v) = env("DELTASEAL_TRUST_LIST_GRACE_S") {
            c.trust_list_grace_s = v.parse::<u64>().map_err(|_| ConfigError::BadValue {
                name: "DELTASEAL_TRUST_LIST_GRACE_S",
                reason: "must be a whole number of seconds".into(),
            })?;
        }
        if let Some(v) = env("DELTASEAL_TRUST_LIST_URL") {
            c.trust_list_url = (!v.is_empty()).then_some(v);
        }
        if let Some(v) = env("DELTASEAL_TRUST_LIST_POLL_S") {
            c.trust_list_poll_s = num("DELTASEAL_TRUST_LIST_POLL_S", v)? as u64;
        }
        if let Some(v) = env("DELTASEAL_CRLS") {
            c.crls = v
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(PathBuf::from)
                .collect();
        }
        if let Some(v) = env("DELTASEAL_WITNESS_S") {
            c.witness_s = num("DELTASEAL_WITNESS_S", v)? as u64;
        }
        for (name, slot) in [
            ("DELTASEAL_HOLDER_IDP_ISSUER", &mut c.holder_idp_issuer),
            ("DELTASEAL_HOLDER_IDP_AUDIENCE", &mut c.holder_idp_audience),
            ("DELTASEAL_HOLDER_IDP_JWKS", &mut c.holder_idp_jwks),
        ] {
            if let Some(v) = env(name) {
                *slot = (!v.is_empty()).then_some(v);
            }
        }
        if let Some(v) = env("DELTASEAL_DEMO_HOLDERS") {
            c.demo_holders = match v.to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" => true,
                "0" | "false" | "no" => false,
                _ => {
                    return Err(ConfigError::BadValue {
                        name: "DELTASEAL_DEMO_HOLDERS",
                        reason: "use true or false".into(),
                    })
                }
            };
        }
        if let Some(v) = env("DELTASEAL_PROVINCE") {
            c.province = match v.as_str() {
                "" => None,
                v => Some(crate::adapters::province::parse_province(v)?),
            };
        }
        c.check()?;
        Ok(c)
    }

    /// Load with the process environment.
    pub fn from_env(file: Option<&Path>) -> Result<Config, ConfigError> {
        Config::load(file, |k| std::env::var(k).ok())
    }

    /// Check the values (after flags override them too).
    pub fn check(&self) -> Result<(), ConfigError> {
        if self.max_batch == 0 || self.max_body_bytes == 0 {
            return Err(ConfigError::BadValue {
                name: "limits",
                reason: "max_batch and max_body_bytes must be positive".into(),
            });
        }
        if self.max_verify_body_bytes == 0
            || self.max_verify_batch == 0
            || self.body_read_timeout_s == 0
            || self.header_read_timeout_s == 0
            || self.max_connections == 0
            || self.verify_rate_burst == 0
        {
            return Err(ConfigError::BadValue {
                name: "limits",
                reason: "max_verify_body_bytes, max_verify_batch, body_read_timeout_s, header_read_timeout_s, max_connections and verify_rate_burst must be positive".into(),
            });
        }
        if self.trust_list_poll_s == 0 {
            return Err(ConfigError::BadValue {
                name: "trust_list_poll_s",
                reason: "must be positive".into(),
            });
        }
        if i64::try_from(self.trust_list_grace_s).is_err() {
            return Err(ConfigError::BadValue {
                name: "trust_list_grace_s",
                reason: "too large".into(),
            });
        }
        if let Some(u) = &self.trust_list_url {
            if !(u.starts_with("http://") || u.starts_with("https://")) {
                return Err(ConfigError::BadValue {
                    name: "trust_list_url",
                    reason: "must be an http:// or https:// URL".into(),
                });
            }
        }
        let idp = [
            &self.holder_idp_issuer,
            &self.holder_idp_audience,
            &self.holder_idp_jwks,
        ];
        if idp.iter().any(|v| v.is_some()) && !idp.iter().all(|v| v.is_some()) {
            return Err(ConfigError::BadValue {
                name: "holder_idp",
                reason: "holder_idp_issuer, holder_idp_audience and holder_idp_jwks go together"
                    .into(),
            });
        }
        if self.database.is_empty() {
            return Err(ConfigError::BadValue {
                name: "database",
                reason: "empty".into(),
            });
        }
        Ok(())
    }

    /// The CRLs of [`Config::crls`] (DER), each checked to be a CRL.
    pub fn read_crls(&self) -> Result<Vec<Vec<u8>>, ConfigError> {
        const MAX: u64 = 1 << 20;
        let mut out = Vec::new();
        for path in &self.crls {
            let bad = |reason: String| ConfigError::BadValue {
                name: "crls",
                reason: format!("{}: {reason}", path.display()),
            };
            let io = |source| ConfigError::Io {
                path: path.clone(),
                source,
            };
            if std::fs::metadata(path).map_err(io)?.len() > MAX {
                return Err(bad("larger than 1 MiB, not a CRL".into()));
            }
            let bytes = std::fs::read(path).map_err(io)?;
            let ders =
                crate::pki::pem::crls_from_pem_or_der(&bytes).map_err(|e| bad(e.to_string()))?;
            if ders.is_empty() {
                return Err(bad("holds no X509 CRL".into()));
            }
            for der in ders {
                x509_parser::parse_x509_crl(&der).map_err(|e| bad(format!("not a CRL: {e}")))?;
                out.push(der);
            }
        }
        Ok(out)
    }

    /// The public base URL (no trailing slash).
    pub fn base_url(&self, bound: Option<std::net::SocketAddr>) -> String {
        let url = match (&self.public_base_url, bound) {
            (Some(u), _) => u.clone(),
            (None, Some(a)) => format!("http://{a}"),
            (None, None) => format!("http://{}", self.listen),
        };
        url.trim_end_matches('/').to_string()
    }

    /// The trust-list file offered at start-up.
    pub fn trust_list_path(&self) -> PathBuf {
        self.trust_list
            .clone()
            .unwrap_or_else(|| self.keys_dir.join("trust-list.jws"))
    }

    /// The pinned trust-list signer certificate file.
    pub fn trust_list_signer_path(&self) -> PathBuf {
        self.trust_list_signer
            .clone()
            .unwrap_or_else(|| self.keys_dir.join("yrd/trust-list-signer.cert.pem"))
    }

    /// What trust lists are accepted against: the pinned signer (read from its file;
    /// a production node refuses a demo signer) and the grace.
    pub fn trust_list_policy(&self) -> Result<TrustListPolicy, ConfigError> {
        let path = self.trust_list_signer_path();
        let bytes = std::fs::read(&path).map_err(|source| ConfigError::Io {
            path: path.clone(),
            source,
        })?;
        let signer_cert = crate::pki::pem::cert_from_pem_or_der(&bytes).map_err(|source| {
            ConfigError::TrustListSigner {
                path: path.clone(),
                source,
            }
        })?;
        if self.production {
            crate::pki::demo::refuse_demo(&signer_cert).map_err(|source| ConfigError::DemoKey {
                id: path.display().to_string(),
                source,
            })?;
        }
        Ok(TrustListPolicy {
            signer_cert,
            grace: time::Duration::seconds(
                i64::try_from(self.trust_list_grace_s).unwrap_or(i64::MAX),
            ),
        })
    }

    /// What exporting the node's archive log needs, without starting the node: the
    /// store (migrated), the province whose show-service key signs the log (the node's
    /// own; for a node of every province the first whose key it holds, as
    /// [`Config::open_node_on`] picks it), that key, and the trust list the node holds
    /// (the file offered, as at start-up, or the stored one) at `now`.
    pub async fn open_archive(
        &self,
        now: time::OffsetDateTime,
    ) -> Result<ArchiveParts, ConfigError> {
        let store = Store::connect_with(&self.database, self.database_schema.as_deref()).await?;
        let keys = KeyStore::load(&self.keys_dir)?;
        let found = match self.province {
            Some(p) => keys.find(Role::ShowService, p).map(|e| (p, e)),
            None => Province::ALL
                .into_iter()
                .find_map(|p| keys.find(Role::ShowService, p).map(|e| (p, e))),
        };
        let (province, entry) = found.ok_or_else(|| ConfigError::BadValue {
            name: "keys_dir",
            reason: "the keys hold no show-service key to sign the archive".into(),
        })?;
        let signer = entry.signer.clone();
        let policy = self.trust_list_policy()?;
        let path = self.trust_list_path();
        let text = read_limited_to(&path, 4 << 20);
        let offered = text.as_ref().ok().map(String::as_str);
        let started = trust_list::start(&store, offered, &policy, now)
            .await
            .map_err(|source| ConfigError::TrustList {
                path: path.clone(),
                source,
            })?;
        Ok(ArchiveParts {
            store,
            province,
            signer,
            trust_list: started.current.jws.clone(),
        })
    }

    /// Open the node: database (migrated), keys, catalogue, every party of the key
    /// store the node acts for, and the trust list ([`Config::open_node_on`]).
    /// `bound` is the address actually listened on (for the default base URL when the
    /// port was 0).
    pub async fn open_node(
        &self,
        bound: Option<std::net::SocketAddr>,
        clock: Clock,
    ) -> Result<AppState, ConfigError> {
        let store = Store::connect_with(&self.database, self.database_schema.as_deref()).await?;
        self.open_node_on(store, bound, clock).await
    }

    /// [`Config::open_node`] over an open `store`. The trust-list file is verified
    /// against the pinned signer with the newest stored sequence as the held one and
    /// stored when newer; the node serves the newest stored list. A file that is
    /// refused (bad signature, unknown signer, rollback, expired) or unreadable is an
    /// error unless the database already holds a valid list, which is then used (with a
    /// warning in the log).
    pub async fn open_node_on(
        &self,
        store: Store,
        bound: Option<std::net::SocketAddr>,
        clock: Clock,
    ) -> Result<AppState, ConfigError> {
        let catalog = match &self.catalog {
            Some(p) => Catalog::from_json(&read_limited(p)?)?,
            None => Catalog::from_json(BUILTIN_CATALOG)?,
        };
        let keys = KeyStore::load(&self.keys_dir)?;
        if self.production {
            for e in keys.entries() {
                crate::pki::demo::refuse_demo(&e.cert_der).map_err(|source| {
                    ConfigError::DemoKey {
                        id: e.id().to_string(),
                        source,
                    }
                })?;
            }
        }
        let hosted = hosted_in(&keys, self.province)?;
        let policy = self.trust_list_policy()?;
        let path = self.trust_list_path();
        let text = read_limited_to(&path, 4 << 20);
        let offered = text.as_ref().ok().map(String::as_str);
        let started = trust_list::start(&store, offered, &policy, clock())
            .await
            .map_err(|source| match (source, text) {
                (ServiceError::NoTrustList, Err(io)) => io,
                (source, _) => ConfigError::TrustList {
                    path: path.clone(),
                    source,
                },
            })?;
        match &started.offered {
            Offered::Refused(e) => tracing::warn!(
                file = %path.display(), error = %e, held = started.current.sequence(),
                "trust list file refused; using the newer list already stored"
            ),
            Offered::Missing => tracing::warn!(
                file = %path.display(), held = started.current.sequence(),
                "trust list file unreadable; using the list already stored"
            ),
            Offered::Accepted(a) => tracing::info!(
                sequence = started.current.sequence(), outcome = ?a, "trust list"
            ),
        }
        if started.current.verified.overdue {
            tracing::warn!(
                sequence = started.current.sequence(),
                "the trust list is past its next update (within the grace)"
            );
        }
        let trust = NodeTrustList {
            policy,
            poll_interval: std::time::Duration::from_secs(self.trust_list_poll_s),
            current: Some(started.current),
        };
        let base = self.base_url(bound);
        let settings = NodeSettings {
            audience: self.node_id.clone().unwrap_or_else(|| base.clone()),
            audience_aliases: self.audiences.clone(),
            public_base_url: base,
            limits: Limits {
                max_body: self.max_body_bytes,
                max_batch: self.max_batch,
                max_verify_body: self.max_verify_body_bytes,
                max_verify_batch: self.max_verify_batch,
                body_read_timeout: std::time::Duration::from_secs(self.body_read_timeout_s),
                verify_rate_per_minute: self.verify_rate_per_minute,
                verify_rate_burst: self.verify_rate_burst,
            },
            clock,
            crls: self.read_crls()?,
        };
        let base = settings.public_base_url.clone();
        let node = Node::with_trust_list(store, catalog, hosted, settings, trust);
        if let Some(idp) = self.identity_provider(&base)? {
            node.set_identity_provider(idp);
        }
        // A province node shows with its province's show-license service; a node of
        // every province signs show tokens with the first (SH, JS, ZJ, AH) whose key it
        // holds, so that `serve` alone can show licenses too.
        let party = |e: &crate::adapters::keystore::KeyEntry| Party {
            id: e.id().to_string(),
            role: Role::ShowService,
            cert: e.cert_der.clone(),
            signer: e.signer.clone(),
        };
        match self.province {
            Some(p) => {
                if let Some(e) = keys.find(Role::ShowService, p) {
                    node.set_show_service(p, party(e));
                }
            }
            None => {
                let first = crate::pki::Province::ALL
                    .into_iter()
                    .find_map(|p| keys.find(Role::ShowService, p).map(|e| (p, e)));
                if let Some((p, e)) = first {
                    node.set_signing_show_service(p, party(e));
                }
            }
        }
        Ok(node)
    }

    /// The identity provider holders sign in with: the configured one; else, on a node
    /// that is not production, the embedded demo provider (issuer `<base>/demo-idp`);
    /// else none.
    pub fn identity_provider(
        &self,
        base: &str,
    ) -> Result<Option<crate::adapters::idp::IdentityProvider>, ConfigError> {
        use crate::adapters::idp::IdentityProvider;
        let bad = |reason: String| ConfigError::BadValue {
            name: "holder_idp",
            reason,
        };
        match (
            &self.holder_idp_issuer,
            &self.holder_idp_audience,
            &self.holder_idp_jwks,
        ) {
            (Some(issuer), Some(audience), Some(jwks)) => {
                let policy = crate::holder::IdTokenPolicy {
                    issuer: issuer.clone(),
                    audience: audience.clone(),
                };
                IdentityProvider::from_jwks_location(policy, jwks)
                    .map(Some)
                    .map_err(|e| bad(e.to_string()))
            }
            _ if self.production => Ok(None),
            _ if !self
                .keys_dir
                .join(crate::holder::demo::DEMO_KEY_FILE)
                .exists() =>
            {
                tracing::warn!("no demo identity provider key; holders cannot sign in");
                Ok(None)
            }
            _ => IdentityProvider::demo(&self.keys_dir, base)
                .map(Some)
                .map_err(|e| bad(e.to_string())),
        }
    }
}

/// Every party of a key store the node acts for: its issuing agencies (chain: leaf,
/// then its issuer), seal authorities and organisation signers; its province roots are
/// the anchors request tokens must chain to (trusted for the leaf roles a province
/// certifies).
pub fn hosted(keys: &KeyStore) -> Result<Hosted, ConfigError> {
    hosted_in(keys, None)
}

/// Like [`hosted`], for the parties of `province` only (every one with `None`). The
/// anchors stay every province root, so a token of another province's party is
/// authenticated and then refused as not hosted here.
pub fn hosted_in(keys: &KeyStore, province: Option<Province>) -> Result<Hosted, ConfigError> {
    let ours = |e: &&crate::adapters::keystore::KeyEntry| {
        province.is_none() || e.manifest.province == province
    };
    let mut agencies = Vec::new();
    for e in keys.by_role(Role::IssuingAgency).filter(ours) {
        let mut chain = vec![e.cert_der.clone()];
        if let Some(issuer) = keys.issuer_of(e.id()) {
            if issuer.id() != e.id() {
                chain.push(issuer.cert_der.clone());
            }
        }
        let a = Agency::new(e.signer.clone(), chain).map_err(|source| ConfigError::Agency {
            id: e.id().to_string(),
            source,
        })?;
        agencies.push(a);
    }
    let parties = keys
        .entries()
        .iter()
        .filter(ours)
        .filter_map(|e| {
            let role = e.info.role?;
            matches!(role, Role::SealAuthority | Role::OrganisationSigner).then(|| Party {
                id: e.id().to_string(),
                role,
                cert: e.cert_der.clone(),
                signer: e.signer.clone(),
            })
        })
        .collect();
    let anchors =
        TrustAnchors::province_roots(keys.by_role(Role::ProvinceRoot).map(|e| e.cert_der.clone()));
    Ok(Hosted {
        agencies,
        parties,
        anchors,
    })
}

/// What [`Config::open_archive`] opens.
pub struct ArchiveParts {
    /// The store.
    pub store: Store,
    /// The province whose key signs the log.
    pub province: Province,
    /// That key.
    pub signer: std::sync::Arc<dyn crate::crypto::Signer>,
    /// The trust list held (compact JWS).
    pub trust_list: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn defaults_then_file_then_environment() {
        let c = Config::load(None, env(&[])).unwrap();
        assert_eq!(c, Config::default());
        assert_eq!(c.listen, "127.0.0.1:8080");
        assert_eq!(c.base_url(None), "http://127.0.0.1:8080");

        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("c.json");
        std::fs::write(
            &f,
            r#"{"listen": "0.0.0.0:9000", "database": "postgres://db/x", "production": true,
                "public_base_url": "https://sh.example/"}"#,
        )
        .unwrap();
        let c = Config::load(Some(&f), env(&[("DELTASEAL_LISTEN", "127.0.0.1:1")])).unwrap();
        assert_eq!(c.listen, "127.0.0.1:1");
        assert_eq!(c.database, "postgres://db/x");
        assert!(c.production);
        assert_eq!(c.base_url(None), "https://sh.example");
        let c = Config::load(Some(&f), env(&[("DELTASEAL_PRODUCTION", "false")])).unwrap();
        assert!(!c.production);

        let t = dir.path().join("c.toml");
        std::fs::write(
            &t,
            "listen = \"0.0.0.0:9001\"\nkeys_dir = \"/etc/deltaseal/keys\"\nmax_batch = 50\n",
        )
        .unwrap();
        let c = Config::load(Some(&t), env(&[])).unwrap();
        assert_eq!(c.listen, "0.0.0.0:9001");
        assert_eq!(c.keys_dir, PathBuf::from("/etc/deltaseal/keys"));
        assert_eq!((c.max_batch, c.database.as_str()), (50, "deltaseal.db"));
        std::fs::write(&t, "listen = 5\n").unwrap();
        assert!(matches!(
            Config::load(Some(&t), env(&[])),
            Err(ConfigError::ParseToml { .. })
        ));
    }

    #[test]
    fn bad_config_is_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("c.json");
        std::fs::write(&f, r#"{"listen": "x", "unknown_setting": 1}"#).unwrap();
        assert!(matches!(
            Config::load(Some(&f), env(&[])),
            Err(ConfigError::Parse { .. })
        ));
        std::fs::write(&f, "{not json").unwrap();
        assert!(matches!(
            Config::load(Some(&f), env(&[])),
            Err(ConfigError::Parse { .. })
        ));
        assert!(matches!(
            Config::load(None, env(&[("DELTASEAL_MAX_BATCH", "0")])),
            Err(ConfigError::BadValue { .. })
        ));
        assert!(matches!(
            Config::load(None, env(&[("DELTASEAL_PRODUCTION", "maybe")])),
            Err(ConfigError::BadValue { .. })
        ));
        assert!(matches!(
            Config::load(Some(&dir.path().join("missing.json")), env(&[])),
            Err(ConfigError::Io { .. })
        ));
    }

    #[test]
    fn trust_list_settings_have_defaults_file_keys_and_environment() {
        let c = Config::load(None, env(&[])).unwrap();
        assert_eq!(c.trust_list_path(), PathBuf::from("keys/trust-list.jws"));
        assert_eq!(
            c.trust_list_signer_path(),
            PathBuf::from("keys/yrd/trust-list-signer.cert.pem")
        );
        assert_eq!((c.trust_list_grace_s, c.trust_list_poll_s), (86_400, 300));
        assert_eq!(c.trust_list_url, None);
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path().join("c.toml");
        std::fs::write(
            &t,
            "trust_list = \"/srv/list.jws\"\ntrust_list_url = \"http://sh.example/v1/trust-list\"\n",
        )
        .unwrap();
        let c = Config::load(
            Some(&t),
            env(&[
                ("DELTASEAL_TRUST_LIST_SIGNER", "/srv/signer.pem"),
                ("DELTASEAL_TRUST_LIST_GRACE_S", "0"),
                ("DELTASEAL_TRUST_LIST_POLL_S", "60"),
            ]),
        )
        .unwrap();
        assert_eq!(c.trust_list_path(), PathBuf::from("/srv/list.jws"));
        assert_eq!(c.trust_list_signer_path(), PathBuf::from("/srv/signer.pem"));
        assert_eq!((c.trust_list_grace_s, c.trust_list_poll_s), (0, 60));
        assert_eq!(
            c.trust_list_url.as_deref(),
            Some("http://sh.example/v1/trust-list")
        );
        for bad in [
            ("DELTASEAL_TRUST_LIST_POLL_S", "0"),
            ("DELTASEAL_TRUST_LIST_GRACE_S", "-1"),
            ("DELTASEAL_TRUST_LIST_URL", "ftp://x"),
        ] {
            assert!(
                matches!(
                    Config::load(None, env(&[bad])),
                    Err(ConfigError::BadValue { .. })
                ),
                "{bad:?}"
            );
        }
    }

    #[tokio::test]
    async fn a_production_node_refuses_the_demo_keys() {
        let keys = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("keys");
        let dir = tempfile::tempdir().unwrap();
        let c = Config {
            keys_dir: keys,
            database: dir.path().join("p.db").display().to_string(),
            production: true,
            ..Config::default()
        };
        let clock: Clock = std::sync::Arc::new(time::OffsetDateTime::now_utc);
        let err = c.open_node(None, clock.clone()).await.err().unwrap();
        assert!(matches!(err, ConfigError::DemoKey { .. }), "{err}");
        let demo = Config {
            production: false,
            ..c
        };
        assert!(demo.open_node(None, clock).await.is_ok());
    }
}
