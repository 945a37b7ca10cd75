//! A province node's defaults (`serve --province XX`): the database, listen address and
//! public base URL a node of one province takes when they are left at their defaults,
//! from the province and its `node_url` in the trust-list file.
//!
//! Owns: choosing those defaults. Must not touch: which parties the node hosts
//! ([`super::config::hosted_in`]) or how the trust list is accepted (the use case's).

use super::config::{read_limited_to, Config, ConfigError, DEFAULT_DATABASE, DEFAULT_LISTEN};
use crate::pki::Province;

/// A province from its abbreviation (`SH`, `JS`, `ZJ`, `AH`, any case) or division code.
pub fn parse_province(s: &str) -> Result<Province, ConfigError> {
    Province::parse(s).ok_or_else(|| ConfigError::BadValue {
        name: "province",
        reason: format!("{s:?} is not SH, JS, ZJ or AH"),
    })
}

fn is_postgres(database: &str) -> bool {
    database.starts_with("postgres://") || database.starts_with("postgresql://")
}

/// The `host:port` of an `http://` or `https://` URL (port 80 / 443 when it names none).
fn authority_of(url: &str) -> Option<String> {
    let (rest, port) = if let Some(r) = url.strip_prefix("http://") {
        (r, 80)
    } else {
        (url.strip_prefix("https://")?, 443)
    };
    let host = rest
        .split(['/', '?', '#'])
        .next()
        .filter(|h| !h.is_empty())?;
    let has_port = host
        .rsplit_once(':')
        .is_some_and(|(_, p)| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && !host.ends_with(']');
    Some(if has_port {
        host.to_string()
    } else {
        format!("{host}:{port}")
    })
}

impl Config {
    /// Fill in what a province node's settings default to, for the settings still at
    /// their defaults: the database `deltaseal-<sh|js|zj|ah>.db` (on PostgreSQL the
    /// schema `deltaseal_<sh|js|zj|ah>`), and the listen
    /// address (`host:port`) and public base URL from the province's `node_url` in the
    /// trust-list file (verified against the pinned signer at `now`). Without a
    /// province nothing changes.
    pub fn apply_province(&mut self, now: time::OffsetDateTime) -> Result<(), ConfigError> {
        let Some(p) = self.province else {
            return Ok(());
        };
        let lower = p.abbrev().to_ascii_lowercase();
        if self.database == DEFAULT_DATABASE {
            self.database = format!("deltaseal-{lower}.db");
        }
        if self.database_schema.is_none() && is_postgres(&self.database) {
            self.database_schema = Some(format!("deltaseal_{lower}"));
        }
        if self.listen != DEFAULT_LISTEN && self.public_base_url.is_some() {
            return Ok(());
        }
        let node_url = self.node_url_of(p, now)?;
        if self.listen == DEFAULT_LISTEN {
            self.listen = authority_of(&node_url).ok_or_else(|| ConfigError::BadValue {
                name: "listen",
                reason: format!(
                    "the trust list's node_url {node_url:?} for {} is not an http(s) URL; give listen",
                    p.abbrev()
                ),
            })?;
        }
        if self.public_base_url.is_none() {
            self.public_base_url = Some(node_url);
        }
        Ok(())
    }

    /// The `node_url` the trust-list file gives province `p`.
    fn node_url_of(&self, p: Province, now: time::OffsetDateTime) -> Result<String, ConfigError> {
        let policy = self.trust_list_policy()?;
        let path = self.trust_list_path();
        let text = read_limited_to(&path, 4 << 20)?;
        let opts = crate::trust_list::VerifyOptions {
            signer_cert: &policy.signer_cert,
            at: now,
            held_sequence: None,
            grace: policy.grace,
        };
        let refused = |reason: String| ConfigError::BadValue {
            name: "province",
            reason: format!(
                "{}: {reason}; give listen and public_base_url",
                path.display()
            ),
        };
        let verified =
            crate::trust_list::verify(&text, &opts).map_err(|e| refused(e.to_string()))?;
        verified
            .list
            .province(p)
            .map(|e| e.node_url.trim_end_matches('/').to_string())
            .filter(|u| !u.is_empty())
            .ok_or_else(|| refused(format!("no node_url for {}", p.abbrev())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::path::PathBuf;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn a_province_node_defaults_to_its_database_and_its_node_url() {
        let keys = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("keys");
        let at = time::macros::datetime!(2026-06-01 00:00 UTC);
        let base = |c: Config| Config {
            keys_dir: keys.clone(),
            ..c
        };
        // the committed demo list: JS at http://127.0.0.1:8082
        let mut c = base(Config::load(None, env(&[("DELTASEAL_PROVINCE", "js")])).unwrap());
        assert_eq!(c.province, Some(Province::Jiangsu));
        c.apply_province(at).unwrap();
        assert_eq!(c.database, "deltaseal-js.db");
        assert_eq!(c.database_schema, None);
        assert_eq!(c.listen, "127.0.0.1:8082");
        assert_eq!(c.base_url(None), "http://127.0.0.1:8082");
        // what is given explicitly stays
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path().join("c.toml");
        std::fs::write(
            &t,
            "province = \"AH\"\ndatabase = \"postgres://db/deltaseal_ah\"\nlisten = \"0.0.0.0:9004\"\n",
        )
        .unwrap();
        let mut c = base(Config::load(Some(&t), env(&[])).unwrap());
        c.apply_province(at).unwrap();
        assert_eq!(
            (c.database.as_str(), c.listen.as_str()),
            ("postgres://db/deltaseal_ah", "0.0.0.0:9004")
        );
        assert_eq!(c.database_schema.as_deref(), Some("deltaseal_ah"));
        let mut c = base(
            Config::load(
                Some(&t),
                env(&[("DELTASEAL_DATABASE_SCHEMA", "anhui_node")]),
            )
            .unwrap(),
        );
        c.apply_province(at).unwrap();
        assert_eq!(c.database_schema.as_deref(), Some("anhui_node"));
        assert_eq!(c.base_url(None), "http://127.0.0.1:8084");
        // without a province nothing changes; a bad one is refused
        let mut c = base(Config::default());
        c.apply_province(at).unwrap();
        assert_eq!(c, base(Config::default()));
        assert!(matches!(
            Config::load(None, env(&[("DELTASEAL_PROVINCE", "BJ")])),
            Err(ConfigError::BadValue { .. })
        ));
        // a trust list that does not verify gives no node_url
        let mut c = Config {
            province: Some(Province::Shanghai),
            trust_list: Some(dir.path().join("missing.jws")),
            ..base(Config::default())
        };
        assert!(c.apply_province(at).is_err());
        assert_eq!(
            authority_of("https://sh.example/x"),
            Some("sh.example:443".into())
        );
        assert_eq!(authority_of("http://[::1]"), Some("[::1]:80".into()));
        assert_eq!(authority_of("http://[::1]:81/"), Some("[::1]:81".into()));
        assert_eq!(authority_of("ftp://x"), None);
    }
}
