//! What each provincial node hosts, `deltaseal serve --province` over a real socket, and
//! two nodes of one province on one database.

use super::*;
use crate::common::{self, fixed_now};
use crate::http::ID_CARD;
use deltaseal::pki::Province::{Anhui, Jiangsu, Zhejiang};
use rstest::rstest;
use serde_json::json;

#[tokio::test]
async fn each_node_hosts_only_its_own_provinces_parties() {
    let nodes = FourNodes::start().await;
    for p in Province::ALL {
        let c = nodes.config(p);
        assert_eq!(c.public_base_url.as_deref(), Some(nodes.url(p)));
        assert!(c.database.ends_with(&format!("{}.db", p.abbrev())));
    }
    // JS's agency on ZJ's node: authenticated, then refused as not hosted there
    let (s, v) = nodes
        .post_json(
            Zhejiang,
            "/v1/licenses",
            Some("js-agency-samr"),
            &business_license(),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (403, Some("agency_not_hosted")),
        "{v}"
    );
    // and SH's seal authority on AH's node
    let (s, v) = nodes
        .post_json(
            Anhui,
            "/v1/seals",
            Some("sh-seal-authority"),
            &seal_request("sh-org-1"),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (403, Some("agency_not_hosted")),
        "{v}"
    );
    // ZJ's own agency issues there
    let (s, v) = nodes
        .post_json(
            Zhejiang,
            "/v1/licenses",
            Some("zj-agency-psb"),
            &crate::http::id_card(3),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    assert_eq!(v["type_code"], ID_CARD);
}

/// A running `deltaseal serve` and the address it listens on.
struct Serve {
    child: std::process::Child,
    url: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test]
async fn serve_province_runs_that_provinces_node_with_its_defaults() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(common::bin())
        .current_dir(dir.path())
        .args([
            "serve",
            "--province",
            "zj",
            "--listen",
            "127.0.0.1:0",
            "--keys",
        ])
        .arg(common::root().join("keys"))
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("deltaseal: listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_string();
    let serve = Serve { child, url };
    // its own database file in the working directory
    assert!(dir.path().join("deltaseal-zj.db").exists());
    // its id and base URL are ZJ's node_url in the committed list
    let keys = common::pki::keys();
    let zj = "http://127.0.0.1:8083";
    let client = reqwest::Client::new();
    let post = |id: &str, body: Value| {
        let token = common::http::request_token(
            &keys,
            id,
            common::http::Chain::WithIssuer,
            zj,
            time::OffsetDateTime::now_utc(),
            120,
        );
        client
            .post(format!("{}/v1/licenses", serve.url))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let r = post("zj-agency-psb", crate::http::id_card(5))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let v: Value = r.json().await.unwrap();
    assert!(
        v["status_list"]["uri"].as_str().unwrap().starts_with(zj),
        "{v}"
    );
    let r = post("js-agency-samr", business_license()).await.unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["code"], "agency_not_hosted", "{v}");
    drop(serve);

    // a province that is not one of the four: exit 2, with the reason
    let out = std::process::Command::new(common::bin())
        .current_dir(dir.path())
        .args(["serve", "--province", "BJ", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not SH, JS, ZJ or AH"), "{err}");
}

#[rstest]
#[case::sqlite("sqlite")]
#[case::postgres("postgres")]
#[tokio::test]
async fn two_nodes_of_one_province_on_one_database_answer_alike(#[case] engine: &str) {
    use crate::common::http::{call, request_token, Chain};
    use deltaseal::adapters::config::Config;
    let db = crate::common::db::TestDb::new(engine).await;
    let base = "https://js.example";
    let config = Config {
        keys_dir: common::root().join("keys"),
        province: Some(Jiangsu),
        public_base_url: Some(base.into()),
        ..Config::default()
    };
    let now = fixed_now();
    let clock: deltaseal::adapters::http::Clock = std::sync::Arc::new(move || now);
    let mut apps = Vec::new();
    for _ in 0..2 {
        let node = config
            .open_node_on(db.reopen().await, None, clock.clone())
            .await
            .unwrap();
        apps.push(deltaseal::adapters::http::app(node));
    }
    let keys = common::pki::keys();
    let token = request_token(&keys, "js-agency-samr", Chain::WithIssuer, base, now, 120);
    let body = business_license_as(JS_BUSINESS_LICENSE)
        .to_string()
        .into_bytes();
    let r = call(
        &apps[0],
        "POST",
        "/v1/licenses",
        Some(&token),
        Some(("application/json", body.clone())),
        &[],
    )
    .await;
    assert_eq!(
        r.status.as_u16(),
        201,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let issued = r.json();
    // the same token is a replay on the other node
    call(
        &apps[1],
        "POST",
        "/v1/licenses",
        Some(&token),
        Some(("application/json", body)),
        &[],
    )
    .await
    .assert_problem(axum::http::StatusCode::UNAUTHORIZED, "token_replayed");
    // the other node serves the license, the same trust list, and judges alike
    let id = issued["identifier"].as_str().unwrap();
    let t2 = request_token(&keys, "js-agency-samr", Chain::WithIssuer, base, now, 120);
    let r = call(
        &apps[1],
        "GET",
        &format!("/v1/licenses/{id}"),
        Some(&t2),
        None,
        &[],
    )
    .await;
    assert_eq!(
        r.status.as_u16(),
        200,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let lists: Vec<Vec<u8>> = trust_lists_served(&apps).await;
    assert_eq!(lists[0], lists[1]);
    let verify = json!({ "artifact": issued["credential"] })
        .to_string()
        .into_bytes();
    for app in &apps {
        let r = call(
            app,
            "POST",
            "/v1/verify",
            None,
            Some(("application/json", verify.clone())),
            &[],
        )
        .await;
        let v = r.json();
        assert_verdict(&v, "TOTAL_PASSED", None, "issuer.type_authorised", "PASSED");
        assert_eq!(v["license_type"]["local_code"], JS_BUSINESS_LICENSE);
    }
    drop(apps);
    db.finish().await;
}

/// `GET /v1/trust-list` of each router.
async fn trust_lists_served(apps: &[axum::Router]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for app in apps {
        let r = crate::common::http::call(app, "GET", "/v1/trust-list", None, None, &[]).await;
        assert_eq!(r.status.as_u16(), 200);
        out.push(r.body);
    }
    out
}

#[tokio::test]
async fn provinces_on_one_postgresql_database_keep_to_their_own_schemas() {
    use deltaseal::adapters::config::Config;
    let run = uuid::Uuid::new_v4().simple().to_string();
    let now = fixed_now();
    let clock: deltaseal::adapters::http::Clock = std::sync::Arc::new(move || now);
    let keys = common::pki::keys();
    let mut nodes = Vec::new();
    for (p, agency) in [(Jiangsu, "js-agency-samr"), (Zhejiang, "zj-agency-psb")] {
        let schema = format!("it_{}_{run}", p.abbrev().to_ascii_lowercase());
        let mut config = Config {
            keys_dir: common::root().join("keys"),
            database: crate::common::db::postgres_url(),
            database_schema: Some(schema.clone()),
            province: Some(p),
            public_base_url: Some(format!("https://{}.example", p.abbrev())),
            ..Config::default()
        };
        config.apply_province(now).unwrap();
        assert_eq!(config.database_schema.as_deref(), Some(schema.as_str()));
        let node = config.open_node(None, clock.clone()).await.unwrap();
        nodes.push((p, agency, schema, node));
    }
    // JS issues one license: JS's schema holds it, ZJ's none
    let (_, agency, _, js) = &nodes[0];
    let token = crate::common::http::request_token(
        &keys,
        agency,
        crate::common::http::Chain::WithIssuer,
        "https://JS.example",
        now,
        120,
    );
    let r = crate::common::http::call(
        &deltaseal::adapters::http::app(js.clone()),
        "POST",
        "/v1/licenses",
        Some(&token),
        Some((
            "application/json",
            business_license().to_string().into_bytes(),
        )),
        &[],
    )
    .await;
    assert_eq!(
        r.status.as_u16(),
        201,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(nodes[0].3.store().license_count().await.unwrap(), 1);
    assert_eq!(nodes[1].3.store().license_count().await.unwrap(), 0);
    for (_, _, schema, node) in nodes {
        node.store().drop_schema(&schema).await.unwrap();
        node.store().close().await;
    }
}
