//! Issuance throughput: the raw sign rate of each algorithm next to durable issuance
//! (build + sign the SD-JWT VC, commit license row and status-list slot) of one license
//! and of a batch of 1,000 in one transaction, on SQLite (WAL, synchronous=FULL) and on
//! PostgreSQL (127.0.0.1:5432, `DELTASEAL_TEST_POSTGRES` overrides; skipped with a note
//! if unreachable). Also verifying one license at library level.
//!
//! `cargo bench --bench issuance`; criterion prints elements/s = licenses/s.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use deltaseal::adapters::config::{hosted, BUILTIN_CATALOG};
use deltaseal::adapters::http::issue::{issue_many, IssueBody};
use deltaseal::adapters::http::{AppState, Limits, Node, NodeSettings};
use deltaseal::adapters::keystore::KeyStore;
use deltaseal::adapters::storage::Store;
use deltaseal::catalog::Catalog;
use deltaseal::crypto::{Algorithm, SignatureEncoding};
use deltaseal::license::sdjwt::{verify, VerifyOptions};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

const BATCH: usize = 1000;

fn agency_id(alg: Algorithm) -> &'static str {
    match alg {
        Algorithm::Sm2Sm3 => "sh-agency-psb",
        Algorithm::EcdsaP256Sha256 => "zj-agency-psb",
    }
}

fn body(n: usize) -> IssueBody {
    let first17 = format!("310101199001{:05}", n % 100_000);
    let check = deltaseal::license::holder_code::citizen_id_check_char(&first17).unwrap();
    let code = format!("{first17}{check}");
    serde_json::from_value(json!({
        "type_code": "11100000000019713D001",
        "holder": "张三",
        "holder_code": code,
        "claims": {"name": "张三", "sex": "男", "ethnicity": "汉",
                   "birth_date": "1990-01-01", "id_number": code}
    }))
    .unwrap()
}

fn keys() -> KeyStore {
    KeyStore::load(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("keys")).unwrap()
}

fn node(store: Store, keys: &KeyStore) -> AppState {
    Node::new(
        store,
        Catalog::from_json(BUILTIN_CATALOG).unwrap(),
        hosted(keys).unwrap(),
        NodeSettings {
            audience: "https://bench.test".into(),
            audience_aliases: Vec::new(),
            public_base_url: "https://bench.test".into(),
            limits: Limits::default(),
            clock: Arc::new(time::OffsetDateTime::now_utc),
            crls: Vec::new(),
        },
    )
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let keys = keys();
    let tmp = tempfile::tempdir().unwrap();

    let mut raw = c.benchmark_group("raw_sign");
    raw.throughput(Throughput::Elements(1));
    for alg in Algorithm::ALL {
        let signer = keys.get(agency_id(alg)).unwrap().signer.clone();
        let msg = vec![7u8; 600];
        raw.bench_function(alg.name(), |b| {
            b.iter(|| signer.sign(&msg, SignatureEncoding::Raw).unwrap())
        });
    }
    raw.finish();

    let pg_url = std::env::var("DELTASEAL_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!("bench_{}", uuid::Uuid::new_v4().simple());
    let mut engines = vec![(
        "sqlite",
        rt.block_on(Store::connect(
            tmp.path().join("bench.db").to_str().unwrap(),
        ))
        .unwrap(),
    )];
    match rt.block_on(Store::connect_with(&pg_url, Some(&schema))) {
        Ok(s) => engines.push(("postgres", s)),
        Err(e) => eprintln!("PostgreSQL benchmarks skipped: {e}"),
    }

    for (engine, store) in &engines {
        let node = node(store.clone(), &keys);
        let mut one = c.benchmark_group(format!("issue_one_{engine}"));
        one.throughput(Throughput::Elements(1));
        for alg in Algorithm::ALL {
            let uscc = keys.get(agency_id(alg)).unwrap().info.uscc.clone().unwrap();
            let agency = node.agency(&uscc).unwrap();
            let items = vec![body(1)];
            one.bench_function(BenchmarkId::from_parameter(alg.name()), |b| {
                b.iter(|| {
                    rt.block_on(issue_many(&node, &agency, &items, false, None))
                        .unwrap()
                })
            });
        }
        one.finish();

        let mut batch = c.benchmark_group(format!("issue_batch_{engine}"));
        batch
            .throughput(Throughput::Elements(BATCH as u64))
            .sample_size(10)
            .measurement_time(Duration::from_secs(20));
        for alg in Algorithm::ALL {
            let uscc = keys.get(agency_id(alg)).unwrap().info.uscc.clone().unwrap();
            let agency = node.agency(&uscc).unwrap();
            let items: Vec<IssueBody> = (0..BATCH).map(body).collect();
            batch.bench_function(BenchmarkId::from_parameter(alg.name()), |b| {
                b.iter(|| {
                    rt.block_on(issue_many(&node, &agency, &items, true, None))
                        .unwrap()
                })
            });
        }
        batch.finish();
    }

    let mut ver = c.benchmark_group("verify_one");
    ver.throughput(Throughput::Elements(1));
    let node = node(engines[0].1.clone(), &keys);
    let anchors = hosted(&keys).unwrap().anchors;
    for alg in Algorithm::ALL {
        let uscc = keys.get(agency_id(alg)).unwrap().info.uscc.clone().unwrap();
        let agency = node.agency(&uscc).unwrap();
        let (issued, _) = rt
            .block_on(issue_many(&node, &agency, &[body(2)], false, None))
            .unwrap();
        let cred = issued[0].credential.clone();
        let at = time::OffsetDateTime::now_utc();
        ver.bench_function(alg.name(), |b| {
            b.iter(|| {
                let v = verify(&cred, &VerifyOptions::new(at, &anchors));
                assert!(v.report.passed());
            })
        });
    }
    ver.finish();

    for (engine, store) in engines {
        if engine == "postgres" {
            rt.block_on(store.drop_schema(&schema)).unwrap();
        }
        rt.block_on(store.close());
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
