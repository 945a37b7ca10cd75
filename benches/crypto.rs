//! Sign and verify for each algorithm through the project's own API
//! (`PrivateKey::sign`, `PublicKey::verify`), the figures compared with
//! `openssl speed ecdsap256 sm2` in the README.
//!
//! Run: `cargo bench --bench crypto`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use deltaseal::crypto::{Algorithm, PrivateKey, SignatureEncoding};

fn sign_and_verify(c: &mut Criterion) {
    // OpenSSL's `speed` signs a 20-byte digest-sized input; use a short message too.
    let msg = [0x5au8; 32];
    let mut g = c.benchmark_group("crypto");
    g.throughput(Throughput::Elements(1));
    for alg in Algorithm::ALL {
        let key = PrivateKey::generate(alg).expect("key generation");
        let pk = key.public_key().clone();
        let der = key.sign(&msg, SignatureEncoding::Der).expect("sign");
        let raw = key.sign(&msg, SignatureEncoding::Raw).expect("sign");
        g.bench_with_input(BenchmarkId::new("sign", alg.name()), &msg, |b, m| {
            b.iter(|| key.sign(m, SignatureEncoding::Der).expect("sign"))
        });
        g.bench_with_input(BenchmarkId::new("verify-der", alg.name()), &msg, |b, m| {
            b.iter(|| pk.verify(m, &der).expect("verify"))
        });
        g.bench_with_input(BenchmarkId::new("verify-raw", alg.name()), &msg, |b, m| {
            b.iter(|| pk.verify(m, &raw).expect("verify"))
        });
    }
    g.finish();
}

criterion_group!(benches, sign_and_verify);
criterion_main!(benches);
