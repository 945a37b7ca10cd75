//! A province at scale: backfill N licenses of one agency into PostgreSQL through the
//! batch path (`issue_many`, the use case behind `POST /v1/licenses:batch`), with
//! synthetic holders; report licenses/s and the database size; serve every status list
//! of the agency through the node's router twice (signed, then from the cache) and hold
//! them as a verifier would; read a random sample of licenses back from the store and
//! verify each through the one engine under the committed trust list.
//!
//! ```text
//! cargo run --release --example backfill -- [--n 10000000] [--batch 1000]
//!     [--agency zj-agency-psb] [--database postgres://…] [--schema NAME] [--keep]
//!     [--sample 200] [--max-seconds S]
//! ```
//!
//! The schema (default: a fresh `backfill_<uuid>`) is dropped at the end unless
//! `--keep`. `--max-seconds` stops issuing after that long (the report says how many
//! were issued). The node's clock is fixed at 2026-06-01T00:00Z, when the demo
//! hierarchy and the committed trust list are valid.

use axum::body::Body;
use clap::Parser;
use deltaseal::adapters::config::{hosted, BUILTIN_CATALOG};
use deltaseal::adapters::http::issue::{issue_many, IssueBody};
use deltaseal::adapters::http::{app, Limits, Node, NodeSettings};
use deltaseal::adapters::keystore::KeyStore;
use deltaseal::adapters::storage::{Store, LIST_CAPACITY};
use deltaseal::catalog::Catalog;
use deltaseal::trust_list;
use deltaseal::verify::{self, Context, Input, Policy, StatusLookup};
use http_body_util::BodyExt;
use rand::Rng;
use serde_json::json;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

#[derive(Parser)]
struct Args {
    /// Licenses to issue.
    #[arg(long, default_value_t = 10_000_000)]
    n: u64,
    /// Licenses per batch (one transaction each; the node's default maximum is 1,000).
    #[arg(long, default_value_t = 1000)]
    batch: usize,
    /// Key-store id of the issuing agency.
    #[arg(long, default_value = "zj-agency-psb")]
    agency: String,
    /// PostgreSQL URL.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/test")]
    database: String,
    /// Schema to fill (default: a fresh one).
    #[arg(long)]
    schema: Option<String>,
    /// Keep the schema afterwards.
    #[arg(long)]
    keep: bool,
    /// Licenses read back and verified.
    #[arg(long, default_value_t = 200)]
    sample: usize,
    /// Stop issuing after this many seconds.
    #[arg(long)]
    max_seconds: Option<u64>,
}

/// A synthetic resident: a well-formed citizen ID from the sequence number.
fn body(n: u64) -> IssueBody {
    let birth = 1950 + (n / 100_000) % 60;
    let first17 = format!("330106{birth}0101{:03}", n % 1000);
    let check = deltaseal::license::holder_code::citizen_id_check_char(&first17).unwrap();
    let code = format!("{first17}{check}");
    serde_json::from_value(json!({
        "type_code": "11100000000019713D001",
        "holder": format!("居民{n:08}"),
        "holder_code": code,
        "claims": {"name": format!("居民{n:08}"), "sex": if n % 2 == 0 { "男" } else { "女" },
                   "ethnicity": "汉", "birth_date": format!("{birth}-01-01"), "id_number": code}
    }))
    .unwrap()
}

async fn database_bytes(url: &str, schema: &str) -> i64 {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .expect("PostgreSQL reachable");
    let (bytes,): (i64,) = sqlx::query_as(
        "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::BIGINT FROM pg_class c \
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'",
    )
    .bind(schema)
    .fetch_one(&pool)
    .await
    .expect("size query");
    pool.close().await;
    bytes
}

fn mib(b: usize) -> f64 {
    b as f64 / f64::from(1 << 20)
}

#[tokio::main]
async fn main() {
    let a = Args::parse();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let keys = KeyStore::load(root.join("keys")).expect("keys/ loads");
    let at = time::macros::datetime!(2026-06-01 00:00 UTC);
    let schema = a
        .schema
        .clone()
        .unwrap_or_else(|| format!("backfill_{}", uuid::Uuid::new_v4().simple()));
    let store = Store::connect_with(&a.database, Some(&schema))
        .await
        .expect("PostgreSQL reachable");
    let base = "https://zj.node.test";
    let node = Node::new(
        store.clone(),
        Catalog::from_json(BUILTIN_CATALOG).unwrap(),
        hosted(&keys).unwrap(),
        NodeSettings {
            audience: base.into(),
            audience_aliases: Vec::new(),
            public_base_url: base.into(),
            limits: Limits::default(),
            clock: Arc::new(move || at),
            crls: Vec::new(),
        },
    );
    let uscc = keys
        .get(&a.agency)
        .and_then(|e| e.info.uscc.clone())
        .expect("an agency of the key store");
    let agency = node.agency(&uscc).expect("a hosted agency");
    println!(
        "backfill: {} licenses of {} ({}) into schema {schema}, batches of {}",
        a.n,
        a.agency,
        agency.signer().algorithm(),
        a.batch
    );

    // Issue.
    let started = Instant::now();
    let deadline = a.max_seconds.map(Duration::from_secs);
    let mut rng = rand::thread_rng();
    let mut sample: Vec<String> = Vec::with_capacity(a.sample);
    let mut issued: u64 = 0;
    let mut last_report = Instant::now();
    while issued < a.n {
        if deadline.is_some_and(|d| started.elapsed() >= d) {
            break;
        }
        let count = a
            .batch
            .min(usize::try_from(a.n - issued).unwrap_or(a.batch));
        let items: Vec<IssueBody> = (issued..issued + count as u64).map(body).collect();
        let (licenses, _) = issue_many(&node, &agency, &items, true, None)
            .await
            .expect("batch issued");
        // Reservoir sample of identifiers.
        for l in licenses {
            issued += 1;
            if sample.len() < a.sample {
                sample.push(l.identifier);
            } else if a.sample > 0 {
                let j = rng.gen_range(0..issued);
                if (j as usize) < a.sample {
                    sample[j as usize] = l.identifier;
                }
            }
        }
        if last_report.elapsed() >= Duration::from_secs(10) {
            let s = started.elapsed().as_secs_f64();
            println!("  {issued} issued, {:.0} licenses/s", issued as f64 / s);
            last_report = Instant::now();
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let rate = issued as f64 / secs;
    let db = database_bytes(&a.database, &schema).await;
    println!(
        "issued {issued} licenses in {secs:.1} s: {rate:.0} licenses/s; database {:.1} MiB \
         ({:.0} bytes per license)",
        mib(db as usize),
        db as f64 / issued.max(1) as f64
    );

    // Serve every status list through the router: signed the first time, cached after.
    let router = app(node.clone());
    let lists = (issued as i64 + LIST_CAPACITY - 1) / LIST_CAPACITY;
    let trust_text = std::fs::read_to_string(root.join("keys/trust-list.jws")).unwrap();
    let signer = der::pem::decode_vec(
        std::fs::read(root.join("keys/yrd/trust-list-signer.cert.pem"))
            .unwrap()
            .as_slice(),
    )
    .unwrap()
    .1;
    let trust = trust_list::verify(
        &trust_text,
        &trust_list::VerifyOptions {
            signer_cert: &signer,
            at,
            held_sequence: None,
            grace: time::Duration::days(1),
        },
    )
    .expect("the committed trust list verifies");
    let mut held = HashMap::new();
    let (mut first, mut cached, mut largest, mut total) = (Duration::ZERO, Duration::ZERO, 0, 0);
    for list in 0..lists {
        let uri = format!("/v1/status/{uscc}/{list}");
        let mut token = String::new();
        for pass in 0..2 {
            let t = Instant::now();
            let resp = router
                .clone()
                .oneshot(axum::http::Request::get(&uri).body(Body::empty()).unwrap())
                .await
                .unwrap();
            assert!(resp.status().is_success(), "{uri}: {}", resp.status());
            let bytes = resp.into_body().collect().await.unwrap().to_bytes();
            *if pass == 0 { &mut first } else { &mut cached } += t.elapsed();
            token = String::from_utf8(bytes.to_vec()).unwrap();
        }
        largest = largest.max(token.len());
        total += token.len();
        let h = verify::accept_held_status_list(&token, &trust, at).expect("status list accepted");
        held.insert(h.uri.clone(), StatusLookup::Held(Arc::new(h)));
    }
    println!(
        "status lists: {lists} of {LIST_CAPACITY} entries ({} entries), {total} bytes in all, \
         largest token {largest} bytes; served in {:.1} ms each signed, {:.3} ms each cached",
        lists * LIST_CAPACITY,
        first.as_secs_f64() * 1e3 / lists.max(1) as f64,
        cached.as_secs_f64() * 1e3 / lists.max(1) as f64,
    );

    // Verify a random sample read back from the store, with the held status lists.
    let policy = Policy::default();
    let mut ctx = Context::new(&trust, at, &policy);
    ctx.status = Some(&held);
    let t = Instant::now();
    let mut passed = 0;
    for id in &sample {
        let rec = store.license(id).await.expect("sampled license stored");
        let v = verify::verify(&Input::new(rec.credential.as_bytes()), &ctx);
        if v.report.passed() {
            passed += 1;
        } else {
            println!("{id} did not pass:\n{}", v.report);
        }
    }
    println!(
        "verified a random sample of {} read back from the store: {passed} passed ({:.0}/s)",
        sample.len(),
        sample.len() as f64 / t.elapsed().as_secs_f64()
    );

    if !a.keep {
        store.drop_schema(&schema).await.expect("schema dropped");
    }
    store.close().await;
    if passed != sample.len() {
        std::process::exit(1);
    }
}
