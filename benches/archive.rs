//! The archive log: inclusion and consistency proofs of a log of 10 million entries
//! (synthetic, built in memory; the time to build it is printed), generated and
//! verified; and on SQLite, the log's share of a 1,000-license storage batch (the same
//! batch of rows committed with its 1,000 entries, next to appending 1,000 entries
//! alone) and inclusion proofs read from a stored log of 100,000 entries.
//!
//! Run: `cargo bench --bench archive -- --warm-up-time 1 --measurement-time 3`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use deltaseal::adapters::storage::{NewLicense, Store};
use deltaseal::archive::entry::{Act, Entry};
use deltaseal::archive::merkle::{self, leaf_hash, MemoryTree};
use std::time::Instant;

const TEN_MILLION: u64 = 10_000_000;
const STORED: u64 = 100_000;
const BATCH: usize = 1000;

/// A cheap deterministic sequence of indices in `[0, n)`.
fn indices(n: u64) -> impl Iterator<Item = u64> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    std::iter::repeat_with(move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    })
}

fn in_memory(c: &mut Criterion) {
    let started = Instant::now();
    let mut tree = MemoryTree::new();
    for i in 0..TEN_MILLION {
        tree.push(leaf_hash(&i.to_be_bytes()));
    }
    let root = tree.root();
    println!(
        "archive: a tree of {TEN_MILLION} synthetic entries built in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    let mut g = c.benchmark_group("archive/10M");
    g.throughput(Throughput::Elements(1));
    let mut at = indices(TEN_MILLION);
    g.bench_function("inclusion_proof", |b| {
        b.iter(|| {
            tree.inclusion_proof(at.next().unwrap(), TEN_MILLION)
                .unwrap()
        })
    });
    let mut at = indices(TEN_MILLION);
    let proofs: Vec<(u64, Vec<merkle::Hash>)> = (0..1000)
        .map(|_| {
            let i = at.next().unwrap();
            (i, tree.inclusion_proof(i, TEN_MILLION).unwrap())
        })
        .collect();
    let mut k = 0usize;
    g.bench_function("verify_inclusion", |b| {
        b.iter(|| {
            let (i, p) = &proofs[k % proofs.len()];
            k += 1;
            merkle::verify_inclusion(*i, TEN_MILLION, &leaf_hash(&i.to_be_bytes()), p, &root)
                .unwrap()
        })
    });
    let old = 7_654_321u64;
    let old_root = tree.root_at(old).unwrap();
    g.bench_function("consistency_proof_and_verify", |b| {
        b.iter(|| {
            let p = tree.consistency_proof(old, TEN_MILLION).unwrap();
            merkle::verify_consistency(old, TEN_MILLION, &old_root, &root, &p).unwrap()
        })
    });
    g.finish();
}

fn rows(slots: &[deltaseal::adapters::storage::Slot], n: usize) -> Vec<NewLicense> {
    slots
        .iter()
        .enumerate()
        .map(|(i, s)| NewLicense {
            identifier: format!("1.2.156.3005.2.BENCH.{n}.{i}.{}", s.seq),
            type_code: "11100000000019713D001".into(),
            holder_code: format!("31010119900101{:04}", i % 10_000),
            credential: format!(
                "eyJhbGciOiJFUzI1NiJ9.eyJsaWNlbnNlIjoie{i:0>900}.c2ln~WyJkIiwiZSJd~"
            ),
            slot: *s,
            evidence: None,
        })
        .collect()
}

fn stored(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive.db");
    let store = rt.block_on(Store::connect(db.to_str().unwrap())).unwrap();
    let entries = |from: u64| -> Vec<Entry> {
        (from..from + BATCH as u64)
            .map(|i| {
                Entry::of(
                    Act::LicenseIssued,
                    &format!("L{i}"),
                    &i.to_be_bytes(),
                    1_800_000_000,
                )
            })
            .collect()
    };
    let started = Instant::now();
    for from in (0..STORED).step_by(BATCH) {
        rt.block_on(store.archive_append(&entries(from))).unwrap();
    }
    println!(
        "archive: {STORED} entries appended to SQLite in batches of {BATCH} in {:.2} s",
        started.elapsed().as_secs_f64()
    );

    let mut g = c.benchmark_group("archive/sqlite");
    g.sample_size(10);
    g.throughput(Throughput::Elements(BATCH as u64));
    let mut n = 0usize;
    g.bench_function("batch_of_1000_licenses_with_their_entries", |b| {
        b.iter(|| {
            rt.block_on(async {
                let mut tx = store
                    .begin_issue("bench-agency", BATCH, 1_800_000_000)
                    .await
                    .unwrap();
                n += 1;
                let r = rows(tx.slots(), n);
                tx.insert_licenses(&r).await.unwrap();
                tx.commit().await.unwrap();
            })
        })
    });
    let mut from = 10 * STORED;
    g.bench_function("append_1000_entries_alone", |b| {
        b.iter(|| {
            from += BATCH as u64;
            rt.block_on(store.archive_append(&entries(from))).unwrap()
        })
    });
    g.throughput(Throughput::Elements(1));
    g.sample_size(30);
    let mut at = indices(STORED);
    g.bench_function("inclusion_proof_read", |b| {
        b.iter(|| {
            rt.block_on(store.archive_inclusion(at.next().unwrap(), STORED))
                .unwrap()
        })
    });
    g.finish();
    rt.block_on(store.close());
}

criterion_group!(benches, in_memory, stored);
criterion_main!(benches);
