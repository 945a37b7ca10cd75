//! Sign and verify for each algorithm through the project's own API
//! (`PrivateKey::sign`, `PublicKey::verify`), the figures compared with
//! `openssl speed ecdsap256 sm2` in the README.
//!
//! SM2 verification also runs on the `sm2` crate's verifier (`sm2-crate-verify`), the
//! implementation the project used before, over the same key, message and signature.
//!
//! Run: `cargo bench --bench crypto`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use deltaseal::crypto::{der_to_raw, Algorithm, PrivateKey, SignatureEncoding, SM2_DEFAULT_ID};
use signature::Verifier as _;

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
        if alg == Algorithm::Sm2Sm3 {
            let point = pk.sec1_uncompressed().to_vec();
            g.bench_with_input(
                BenchmarkId::new("sm2-crate-verify-der", alg.name()),
                &msg,
                |b, m| {
                    b.iter(|| {
                        let key = sm2::PublicKey::from_sec1_bytes(&point).expect("key");
                        let vk = sm2::dsa::VerifyingKey::new(SM2_DEFAULT_ID, key).expect("id");
                        let sig = sm2::dsa::Signature::from_slice(&der_to_raw(&der).expect("der"))
                            .expect("sig");
                        vk.verify(m, &sig).expect("verify")
                    })
                },
            );
        }
    }
    g.finish();
}

criterion_group!(benches, sign_and_verify);
criterion_main!(benches);
