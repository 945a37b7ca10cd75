//! Four provincial nodes side by side on loopback, each built the way
//! `deltaseal serve --province XX` builds it (`Config::apply_province`, then
//! `Config::open_node`), each with its own SQLite database, all holding one trust list
//! that names their real bound URLs, signed by the demo trust-list signer. Every node
//! shares one clock the test can move (it starts at [`super::fixed_now`]).
//!
//! The cross-node tests drive the nodes only over HTTP ([`FourNodes::issue`],
//! [`FourNodes::verify`], [`FourNodes::send`]); [`FourNodes::node`] gives the node state
//! for what has no route (accepting a trust list).

use super::http::{request_token, Chain};
use super::{fixed_now, pki, root};
use deltaseal::adapters::config::Config;
use deltaseal::adapters::http::{self, AppState, Clock};
use deltaseal::adapters::keystore::KeyStore;
use deltaseal::pki::Province;
use deltaseal::trust_list::{self, TrustList};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use time::OffsetDateTime;

/// Days from the list's issue (a day before [`fixed_now`]) to its next update.
pub const LIST_DAYS: i64 = 30;

/// One node of the four.
pub struct Served {
    pub node: AppState,
    pub url: String,
    pub config: Config,
    task: tokio::task::JoinHandle<()>,
    stop: Arc<tokio::sync::Notify>,
}

/// The four provincial nodes.
pub struct FourNodes {
    pub keys: KeyStore,
    /// the list every node started with, and its JWS
    pub list: TrustList,
    pub jws: String,
    nodes: BTreeMap<Province, Served>,
    clock: Arc<AtomicI64>,
    client: reqwest::Client,
    dir: tempfile::TempDir,
}

/// The province of a key-store entry (`js-agency-samr` → JS).
pub fn province_of(keys: &KeyStore, id: &str) -> Province {
    keys.get(id)
        .and_then(|e| e.manifest.province)
        .unwrap_or_else(|| panic!("{id} has no province"))
}

impl FourNodes {
    /// The four nodes under the demo trust list (sequence 1).
    pub async fn start() -> FourNodes {
        Self::start_with(|_| {}).await
    }

    /// The four nodes under the demo trust list as `edit` changes it before it is signed.
    pub async fn start_with(edit: impl FnOnce(&mut TrustList)) -> FourNodes {
        let keys = pki::keys();
        let dir = tempfile::tempdir().unwrap();
        let mut listeners = Vec::new();
        for p in Province::ALL {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            listeners.push((p, l));
        }
        let now = fixed_now();
        let mut list = pki::demo_trust_list(&keys, 1, now - time::Duration::days(1), LIST_DAYS);
        for (p, l) in &listeners {
            let url = format!("http://{}", l.local_addr().unwrap());
            list.provinces
                .iter_mut()
                .find(|e| e.code == *p)
                .unwrap()
                .node_url = url;
        }
        edit(&mut list);
        let jws = sign_list(&keys, &list);
        let file = dir.path().join("trust-list.jws");
        std::fs::write(&file, &jws).unwrap();

        let secs = Arc::new(AtomicI64::new(now.unix_timestamp()));
        let s = secs.clone();
        let clock: Clock = Arc::new(move || {
            OffsetDateTime::from_unix_timestamp(s.load(Ordering::SeqCst)).unwrap()
        });
        let mut nodes = BTreeMap::new();
        for (p, listener) in listeners {
            let bound = listener.local_addr().unwrap();
            let mut config = Config {
                keys_dir: root().join("keys"),
                database: dir
                    .path()
                    .join(format!("{}.db", p.abbrev()))
                    .display()
                    .to_string(),
                listen: bound.to_string(),
                trust_list: Some(file.clone()),
                province: Some(p),
                ..Config::default()
            };
            config.apply_province(now).unwrap();
            let node = config.open_node(Some(bound), clock.clone()).await.unwrap();
            let app = http::app(node.clone());
            let stop = Arc::new(tokio::sync::Notify::new());
            let stopped = stop.clone();
            let task = tokio::spawn(async move {
                http::serve(listener, app, async move { stopped.notified().await })
                    .await
                    .unwrap();
            });
            let url = config.public_base_url.clone().unwrap();
            nodes.insert(
                p,
                Served {
                    node,
                    url,
                    config,
                    task,
                    stop,
                },
            );
        }
        FourNodes {
            keys,
            list,
            jws,
            nodes,
            clock: secs,
            client: reqwest::Client::new(),
            dir,
        }
    }

    /// The node of province `p`.
    pub fn node(&self, p: Province) -> &AppState {
        &self.nodes[&p].node
    }

    /// The base URL of province `p`'s node (its `node_url` in the list).
    pub fn url(&self, p: Province) -> &str {
        &self.nodes[&p].url
    }

    /// How province `p`'s node was configured.
    pub fn config(&self, p: Province) -> &Config {
        &self.nodes[&p].config
    }

    /// The nodes' clock.
    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(self.clock.load(Ordering::SeqCst)).unwrap()
    }

    /// Move every node's clock to `t`.
    pub fn set_now(&self, t: OffsetDateTime) {
        self.clock.store(t.unix_timestamp(), Ordering::SeqCst);
    }

    /// A fresh request token of key-store entry `id` for province `p`'s node (an
    /// agency's carries its issuer's certificate too, a seal party's only its own).
    pub fn token_for(&self, p: Province, id: &str) -> String {
        let chain = if id.contains("-agency-") {
            Chain::WithIssuer
        } else {
            Chain::Leaf
        };
        request_token(&self.keys, id, chain, self.url(p), self.now(), 120)
    }

    /// One request to province `p`'s node over TCP: `method path`, as key-store entry
    /// `as_id` (a token for that node) if given, with `body` of `content_type` →
    /// (status, content type, body).
    pub async fn send(
        &self,
        p: Province,
        method: &str,
        path: &str,
        as_id: Option<&str>,
        body: Option<(&str, Vec<u8>)>,
    ) -> (u16, String, Vec<u8>) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.url(p)));
        if let Some(id) = as_id {
            req = req.bearer_auth(self.token_for(p, id));
        }
        if let Some((ct, bytes)) = body {
            req = req.header("content-type", ct).body(bytes);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let ct = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        (status, ct, resp.bytes().await.unwrap().to_vec())
    }

    /// POST JSON to province `p`'s node as `as_id` → (status, the body as JSON).
    pub async fn post_json(
        &self,
        p: Province,
        path: &str,
        as_id: Option<&str>,
        body: &Value,
    ) -> (u16, Value) {
        let (s, _, b) = self
            .send(
                p,
                "POST",
                path,
                as_id,
                Some(("application/json", body.to_string().into_bytes())),
            )
            .await;
        (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
    }

    /// Agency `id` issues `body` on its own province's node → (status, answer).
    pub async fn issue(&self, id: &str, body: &Value) -> (u16, Value) {
        let p = province_of(&self.keys, id);
        self.post_json(p, "/v1/licenses", Some(id), body).await
    }

    /// Agency `id` issues `body` on its own province's node; the credential.
    pub async fn issued(&self, id: &str, body: &Value) -> String {
        let (s, v) = self.issue(id, body).await;
        assert_eq!(s, 201, "{v}");
        v["credential"].as_str().unwrap().to_string()
    }

    /// Agency `id` changes the status of license `identifier` on its own province's
    /// node (`action`: `suspend`, `reinstate`, `revoke`) → (status, answer).
    pub async fn change_status(
        &self,
        id: &str,
        identifier: &str,
        action: &str,
        reason: &str,
    ) -> (u16, Value) {
        let p = province_of(&self.keys, id);
        let path = format!("/v1/licenses/{identifier}/{action}");
        self.post_json(p, &path, Some(id), &serde_json::json!({ "reason": reason }))
            .await
    }

    /// `POST /v1/verify` on province `p`'s node with `body` → (status, verdict or problem).
    pub async fn verify(&self, p: Province, body: &Value) -> (u16, Value) {
        self.post_json(p, "/v1/verify", None, body).await
    }

    /// Stop province `p`'s node: it stops listening and closes its open connections
    /// (idle keep-alive ones included), so nothing answers on its port any more.
    pub async fn stop(&mut self, p: Province) {
        if let Some(s) = self.nodes.get_mut(&p) {
            s.stop.notify_one();
            let done = tokio::time::timeout(std::time::Duration::from_secs(10), &mut s.task).await;
            assert!(done.is_ok(), "the {p:?} node did not stop");
        }
    }

    /// The trust list file every node started with.
    pub fn list_file(&self) -> std::path::PathBuf {
        self.dir.path().join("trust-list.jws")
    }
}

impl Drop for FourNodes {
    fn drop(&mut self) {
        for s in self.nodes.values() {
            s.task.abort();
        }
    }
}

/// `list` signed by the demo trust-list signer.
pub fn sign_list(keys: &KeyStore, list: &TrustList) -> String {
    let e = keys.get("yrd-trust-list-signer").unwrap();
    trust_list::sign(list, e.signer.as_ref(), std::slice::from_ref(&e.cert_der)).unwrap()
}
