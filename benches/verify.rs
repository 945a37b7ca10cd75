//! Library-level verification through the one engine (`verify::verify`) of an ES256 and
//! of an SM2 license under the committed demo trust list, with the chain cache warm,
//! next to the raw verify rate of the same algorithm: ring's ES256 verify (public key
//! parsed each time, as a JWS verifier does) and the project's SM2 verify, over a
//! message as long as the credential's signing input.
//!
//! Run: `cargo bench --bench verify -- --warm-up-time 1 --measurement-time 3`.

mod common;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use deltaseal::adapters::keystore::KeyStore;
use deltaseal::catalog::Catalog;
use deltaseal::crypto::{Algorithm, PrivateKey, SignatureEncoding};
use deltaseal::license::Agency;
use deltaseal::verify::{self, ChainCache, Context, Input, Policy};
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, KeyPair};
use time::macros::datetime;

fn bench(c: &mut Criterion) {
    let root = env!("CARGO_MANIFEST_DIR");
    let keys = KeyStore::load(format!("{root}/keys")).unwrap();
    let catalog = Catalog::from_json(deltaseal::catalog::BUILTIN_JSON).unwrap();
    let now = datetime!(2026-06-01 00:00 UTC);
    let list = common::demo_trust_list(root, &keys, now);
    let policy = Policy::default();
    let cache = ChainCache::default();
    let mut ctx = Context::new(&list, now, &policy);
    ctx.chains = Some(&cache);

    for (alg, id) in [
        (Algorithm::EcdsaP256Sha256, "zj-agency-psb"),
        (Algorithm::Sm2Sm3, "sh-agency-psb"),
    ] {
        let e = keys.get(id).unwrap();
        let issuer = keys.issuer_of(id).unwrap();
        let agency = Agency::new(
            e.signer.clone(),
            vec![e.cert_der.clone(), issuer.cert_der.clone()],
        )
        .unwrap();
        let cred = agency
            .issue(&catalog, &common::id_card_request(), now)
            .unwrap()
            .sd_jwt;
        let jwt = cred.split('~').next().unwrap();
        let signing_input = jwt.rsplit_once('.').unwrap().0.to_string();
        let mut g = c.benchmark_group(format!("verify/{}", alg.name()));
        g.throughput(Throughput::Elements(1));
        g.bench_function("license_cached_chain", |b| {
            b.iter(|| {
                let v = verify::verify(&Input::new(cred.as_bytes()), &ctx);
                assert!(v.report.passed());
            })
        });
        g.bench_function("license_no_cache", |b| {
            let ctx = Context::new(&list, now, &policy);
            b.iter(|| {
                let v = verify::verify(&Input::new(cred.as_bytes()), &ctx);
                assert!(v.report.passed());
            })
        });
        let msg = signing_input.as_bytes();
        match alg {
            Algorithm::EcdsaP256Sha256 => {
                let rng = SystemRandom::new();
                let alg = &signature::ECDSA_P256_SHA256_FIXED_SIGNING;
                let pkcs8 = EcdsaKeyPair::generate_pkcs8(alg, &rng).unwrap();
                let kp = EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng).unwrap();
                let sig = kp.sign(&rng, msg).unwrap();
                let public = kp.public_key().as_ref().to_vec();
                g.bench_function("raw_ring_verify", |b| {
                    b.iter(|| {
                        signature::UnparsedPublicKey::new(
                            &signature::ECDSA_P256_SHA256_FIXED,
                            &public,
                        )
                        .verify(msg, sig.as_ref())
                        .unwrap()
                    })
                });
            }
            Algorithm::Sm2Sm3 => {
                let key = PrivateKey::generate(Algorithm::Sm2Sm3).unwrap();
                let pk = key.public_key().clone();
                let sig = key.sign(msg, SignatureEncoding::Raw).unwrap();
                g.bench_function("raw_sm2_verify", |b| {
                    b.iter(|| pk.verify(msg, &sig).unwrap())
                });
            }
        }
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
