//! Holders: signing in with an OpenID Connect ID token (the demo provider and a
//! configured one), the signed federation calls between nodes, and the licenses a
//! holder gathers from every province.

mod browser;
mod consent;
mod gathered;
mod node_calls;
mod pages;
mod serve_alone;
mod show;
mod sign_in;

use crate::common;
use axum::http::StatusCode;
use axum::Router;
use deltaseal::adapters::config::{hosted, BUILTIN_CATALOG};
use deltaseal::adapters::http::{app, Limits, Node, NodeSettings};
use deltaseal::adapters::idp::IdentityProvider;
use deltaseal::adapters::storage::Store;
use deltaseal::catalog::Catalog;
use deltaseal::crypto::PrivateKey;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use time::OffsetDateTime;

/// The base URL of the single test node.
pub const BASE: &str = "https://node.test";

/// The committed demo identity provider key.
pub fn demo_idp_key() -> PrivateKey {
    let pem = std::fs::read_to_string(common::root().join("keys/demo-idp/idp.key.pem")).unwrap();
    PrivateKey::from_pem(&pem).unwrap()
}

/// A node with the demo identity provider, its clock movable.
pub struct HolderNode {
    pub app: Router,
    pub clock: Arc<AtomicI64>,
    _db: common::db::TestDb,
}

impl HolderNode {
    pub async fn new() -> HolderNode {
        Self::with_idp(|| IdentityProvider::demo_with_key(demo_idp_key(), BASE)).await
    }

    pub async fn with_idp(idp: impl FnOnce() -> IdentityProvider) -> HolderNode {
        let db = common::db::TestDb::new("sqlite").await;
        Self::on(db.store.clone(), db, idp())
    }

    fn on(store: Store, db: common::db::TestDb, idp: IdentityProvider) -> HolderNode {
        let keys = common::pki::keys();
        let clock = Arc::new(AtomicI64::new(common::fixed_now().unix_timestamp()));
        let c = clock.clone();
        let node = Node::new(
            store,
            Catalog::from_json(BUILTIN_CATALOG).unwrap(),
            hosted(&keys).unwrap(),
            NodeSettings {
                audience: BASE.into(),
                audience_aliases: vec![],
                public_base_url: BASE.into(),
                limits: Limits::default(),
                clock: Arc::new(move || {
                    OffsetDateTime::from_unix_timestamp(c.load(Ordering::SeqCst)).unwrap()
                }),
                crls: Vec::new(),
            },
        );
        assert!(node.set_identity_provider(idp));
        HolderNode {
            app: app(node),
            clock,
            _db: db,
        }
    }

    pub fn advance(&self, secs: i64) {
        self.clock.fetch_add(secs, Ordering::SeqCst);
    }

    /// `POST /demo-idp/sign-in` for `holder` → the ID token.
    pub async fn sign_in(&self, holder: &str) -> String {
        let r = common::http::call(
            &self.app,
            "POST",
            "/demo-idp/sign-in",
            None,
            Some((
                "application/json",
                serde_json::json!({ "holder": holder })
                    .to_string()
                    .into_bytes(),
            )),
            &[],
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&r.body)
        );
        r.json()["id_token"].as_str().unwrap().to_string()
    }
}
