//! The test node: the one node state over a test store and every party of the demo keys,
//! and its one router, the way `deltaseal serve` builds them (`Config::open_node`, then
//! `http::app(node)`). When the server's state changes, this is the one place the tests
//! build it.

use super::db::TestDb;
use super::http::{call, request_token, Chain};
use axum::http::StatusCode;
use axum::Router;
use deltaseal::adapters::config::{hosted, BUILTIN_CATALOG};
use deltaseal::adapters::http::{app, Limits, Node, NodeSettings};
use deltaseal::adapters::keystore::KeyStore;
use deltaseal::adapters::storage::Store;
use deltaseal::catalog::Catalog;
use serde_json::Value;
use std::sync::Arc;
use time::OffsetDateTime;

/// The audience (node id) and public base URL of the test node.
pub const AUD: &str = "https://node.test";

/// The router the server runs, over `store`, hosting every party of `keys`, its clock
/// fixed at `now`.
pub fn node_app(store: Store, keys: &KeyStore, limits: Limits, now: OffsetDateTime) -> Router {
    node_app_named(store, keys, limits, now, AUD, &[])
}

/// Like [`node_app`], the node's public base URL (and id) `base`, accepting also the
/// audiences `aliases`.
pub fn node_app_named(
    store: Store,
    keys: &KeyStore,
    limits: Limits,
    now: OffsetDateTime,
    base: &str,
    aliases: &[&str],
) -> Router {
    let node = Node::new(
        store,
        Catalog::from_json(BUILTIN_CATALOG).unwrap(),
        hosted(keys).unwrap(),
        NodeSettings {
            audience: base.into(),
            audience_aliases: aliases.iter().map(|a| a.to_string()).collect(),
            public_base_url: base.into(),
            limits,
            clock: Arc::new(move || now),
            crls: Vec::new(),
        },
    );
    app(node)
}

/// A node over a test store and the demo keys, at a fixed time.
pub struct TestNode {
    /// every route the server serves
    pub app: Router,
    pub keys: KeyStore,
    pub db: TestDb,
    pub now: OffsetDateTime,
}

impl TestNode {
    /// A node on `engine` (`sqlite` or `postgres`) with `limits`.
    pub async fn on(engine: &str, limits: Limits) -> TestNode {
        let db = TestDb::new(engine).await;
        let keys = super::pki::keys();
        let now = super::fixed_now();
        TestNode {
            app: node_app(db.store.clone(), &keys, limits, now),
            keys,
            db,
            now,
        }
    }

    /// A node on SQLite with the default limits.
    pub async fn new() -> TestNode {
        Self::on("sqlite", Limits::default()).await
    }

    /// A node on SQLite with `limits`.
    pub async fn with_limits(limits: Limits) -> TestNode {
        Self::on("sqlite", limits).await
    }

    /// A fresh request token of the agency with manifest id `id` (its certificate and
    /// its issuer's).
    pub fn token(&self, id: &str) -> String {
        self.token_with(id, AUD, self.now, 120)
    }

    pub fn token_with(&self, id: &str, aud: &str, iat: OffsetDateTime, life: i64) -> String {
        request_token(&self.keys, id, Chain::WithIssuer, aud, iat, life)
    }

    pub fn uscc(&self, id: &str) -> String {
        self.keys.get(id).unwrap().info.uscc.clone().unwrap()
    }

    /// One request with bearer `token`, a JSON `body` and `extra` headers → (status,
    /// content type, the body as JSON or as a JSON string of its text).
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<String>,
        extra: &[(&str, &str)],
    ) -> (StatusCode, String, Value) {
        let body = body.map(|b| ("application/json", b.into_bytes()));
        let r = call(&self.app, method, path, token, body, extra).await;
        let v = r.json_or_text();
        (r.status, r.content_type, v)
    }

    /// POST JSON as agency `id`.
    pub async fn post(&self, id: &str, path: &str, body: &Value) -> (StatusCode, Value) {
        let (s, _, v) = self
            .call(
                "POST",
                path,
                Some(&self.token(id)),
                Some(body.to_string()),
                &[],
            )
            .await;
        (s, v)
    }

    /// How many licenses the store holds.
    pub async fn count(&self) -> i64 {
        self.db.store.license_count().await.unwrap()
    }
}
