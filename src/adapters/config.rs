//! Node configuration: defaults, a config file (`--config`; TOML if it ends in
//! `.toml`, JSON otherwise), `DELTASEAL_*`
//! environment variables, in that order of precedence (later wins), and opening the
//! node they describe (store, keys, catalogue).
//!
//! Owns: reading and checking the configuration, refusing demo keys in production.
//! Must not touch: serving (see `cli/serve.rs`) or what the keys are used for.

use crate::adapters::http::{AppState, Clock, Hosted, Limits, Node, NodeSettings, Party};
use crate::adapters::keystore::{KeyStore, KeyStoreError};
use crate::adapters::storage::{StorageError, Store};
use crate::catalog::{Catalog, CatalogError};
use crate::license::{Agency, LicenseError};
use crate::pki::{PkiError, Role, TrustAnchors};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The catalogue compiled into the binary (`fixtures/catalog/types.json`).
pub const BUILTIN_CATALOG: &str = include_str!("../../fixtures/catalog/types.json");

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
    /// Keys directory with `manifest.json` (`DELTASEAL_KEYS_DIR`), default `keys`.
    pub keys_dir: PathBuf,
    /// The node's id: the audience request tokens must name (`DELTASEAL_NODE_ID`);
    /// default the public base URL.
    pub node_id: Option<String>,
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
}

impl Default for Config {
    fn default() -> Self {
        let limits = Limits::default();
        Config {
            listen: "127.0.0.1:8080".into(),
            database: "deltaseal.db".into(),
            keys_dir: "keys".into(),
            node_id: None,
            public_base_url: None,
            production: false,
            catalog: None,
            max_batch: limits.max_batch,
            max_body_bytes: limits.max_body,
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
}

fn read_limited(path: &Path) -> Result<String, ConfigError> {
    let io = |source| ConfigError::Io {
        path: path.to_owned(),
        source,
    };
    if std::fs::metadata(path).map_err(io)?.len() > MAX_CONFIG_BYTES {
        return Err(ConfigError::BadValue {
            name: "config",
            reason: "file larger than 1 MiB".into(),
        });
    }
    std::fs::read_to_string(path).map_err(io)
}

impl Config {
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
        if let Some(v) = env("DELTASEAL_KEYS_DIR") {
            c.keys_dir = v.into();
        }
        if let Some(v) = env("DELTASEAL_NODE_ID") {
            c.node_id = Some(v);
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
        c.check()?;
        Ok(c)
    }

    /// Load with the process environment.
    pub fn from_env(file: Option<&Path>) -> Result<Config, ConfigError> {
        Config::load(file, |k| std::env::var(k).ok())
    }

    fn check(&self) -> Result<(), ConfigError> {
        if self.max_batch == 0 || self.max_body_bytes == 0 {
            return Err(ConfigError::BadValue {
                name: "limits",
                reason: "max_batch and max_body_bytes must be positive".into(),
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

    /// The public base URL (no trailing slash).
    pub fn base_url(&self, bound: Option<std::net::SocketAddr>) -> String {
        let url = match (&self.public_base_url, bound) {
            (Some(u), _) => u.clone(),
            (None, Some(a)) => format!("http://{a}"),
            (None, None) => format!("http://{}", self.listen),
        };
        url.trim_end_matches('/').to_string()
    }

    /// Open the node: database (migrated), keys, catalogue, and every party of the key
    /// store the node acts for. `bound` is the address
    /// actually listened on (for the default base URL when the port was 0).
    pub async fn open_node(
        &self,
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
        let hosted = hosted(&keys)?;
        let store = Store::connect(&self.database).await?;
        let base = self.base_url(bound);
        let settings = NodeSettings {
            audience: self.node_id.clone().unwrap_or_else(|| base.clone()),
            public_base_url: base,
            limits: Limits {
                max_body: self.max_body_bytes,
                max_batch: self.max_batch,
            },
            clock,
        };
        Ok(Node::new(store, catalog, hosted, settings))
    }
}

/// Every party of a key store the node acts for: its issuing agencies (chain: leaf,
/// then its issuer), seal authorities and organisation signers; its province roots are
/// the anchors request tokens must chain to (trusted for the leaf roles a province
/// certifies).
pub fn hosted(keys: &KeyStore) -> Result<Hosted, ConfigError> {
    let mut agencies = Vec::new();
    for e in keys.by_role(Role::IssuingAgency) {
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
