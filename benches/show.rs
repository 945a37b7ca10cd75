//! Show tokens: making one (COSE_Sign1 signature, zlib, base45) and its QR PNG, and
//! verifying a scanned offline token through the engine with the chain cache warm —
//! next to the raw verify rate of the same algorithm in the same run (an offline token
//! carries two signatures to check: the show service's and the issuing agency's).
//!
//! Run: `cargo bench --bench show -- --warm-up-time 1 --measurement-time 3`.

mod common;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use deltaseal::adapters::keystore::KeyStore;
use deltaseal::catalog::Catalog;
use deltaseal::crypto::{Algorithm, SignatureEncoding};
use deltaseal::license::Agency;
use deltaseal::pki::Province;
use deltaseal::qr::image::Qr;
use deltaseal::service::show::{
    attest, finish_show, plan_show, HeldCredential, Prepared, ShowRequest, ShowService,
};
use deltaseal::show::{read_token, sign_token, Mode};
use deltaseal::verify::{verify_show, ChainCache, Context, Policy};
use time::macros::datetime;

fn bench(c: &mut Criterion) {
    let root = env!("CARGO_MANIFEST_DIR");
    let keys = KeyStore::load(format!("{root}/keys")).unwrap();
    let catalog = Catalog::from_json(deltaseal::catalog::BUILTIN_JSON).unwrap();
    let now = datetime!(2026-06-01 00:00 UTC);
    let list = common::demo_trust_list(root, &keys, now);
    let policy = Policy::default();
    let cache = ChainCache::default();
    let mut ctx = Context::new(&list, now + time::Duration::seconds(5), &policy);
    ctx.chains = Some(&cache);

    for (alg, prov, agency_id) in [
        (Algorithm::EcdsaP256Sha256, "zj", "zj-agency-psb"),
        (Algorithm::Sm2Sm3, "sh", "sh-agency-psb"),
    ] {
        let e = keys.get(agency_id).unwrap();
        let issuer = keys.issuer_of(agency_id).unwrap();
        let agency = Agency::new(
            e.signer.clone(),
            vec![e.cert_der.clone(), issuer.cert_der.clone()],
        )
        .unwrap();
        let c1 = agency
            .issue(&catalog, &common::id_card_request(), now)
            .unwrap();
        let cred = HeldCredential {
            identifier: c1.identifier().to_string(),
            type_code: c1.metadata.type_code.clone(),
            holder_code: c1.metadata.holder_code.clone(),
            sd_jwt: c1.sd_jwt.clone(),
        };
        let s = keys.get(&format!("{prov}-show-service")).unwrap();
        let service = ShowService {
            province: Province::parse(prov).unwrap(),
            signer: s.signer.as_ref(),
            cert_der: &s.cert_der,
        };
        let disclose: Vec<String> = ["name", "birth_date", "license_number", "valid_to"]
            .map(String::from)
            .to_vec();
        let req = |mode| ShowRequest {
            license: cred.identifier.clone(),
            disclose: disclose.clone(),
            ttl_s: None,
            mode: Some(mode),
            audience: None,
        };
        let make = |mode, id| {
            let plan = plan_show(&cred, &cred.holder_code, &req(mode), now, id).unwrap();
            let prepared = match mode {
                Mode::Online => Prepared::Online {
                    province: agency.province(),
                },
                Mode::Offline => Prepared::Offline {
                    province: agency.province(),
                    attestation: attest(&agency, &cred.sd_jwt, &plan.prepare).unwrap(),
                },
            };
            finish_show(service, &plan, prepared).unwrap()
        };
        let online = make(Mode::Online, [1; 8]);
        let offline = make(Mode::Offline, [2; 8]);
        let (_, online_token) = read_token(&online.text).unwrap();

        let mut g = c.benchmark_group(format!("show/{}", alg.name()));
        g.throughput(Throughput::Elements(1));
        g.bench_function("online_token_and_png", |b| {
            b.iter(|| {
                let text = sign_token(&online_token, service.signer, service.cert_der).unwrap();
                let png = Qr::new(&text).unwrap().png();
                assert!(png.len() > 100);
            })
        });
        // The tail, which criterion's mean does not give: 2,000 timed makes.
        let mut times: Vec<std::time::Duration> = (0..2_000)
            .map(|_| {
                let t = std::time::Instant::now();
                let text = sign_token(&online_token, service.signer, service.cert_der).unwrap();
                let png = Qr::new(&text).unwrap().png();
                std::hint::black_box(png);
                t.elapsed()
            })
            .collect();
        times.sort_unstable();
        eprintln!(
            "show/{}/online_token_and_png: p50 {:?}, p99 {:?}, max {:?} (2,000 runs; online QR version {}, offline QR version {})",
            alg.name(),
            times[times.len() / 2],
            times[times.len() * 99 / 100],
            times[times.len() - 1],
            online.version,
            offline.version
        );
        g.bench_function("verify_scanned_offline_token", |b| {
            b.iter(|| {
                let v = verify_show(offline.text.as_bytes(), &ctx, None);
                assert!(v.report.passed(), "{}", v.report);
            })
        });
        // The raw verify rate of the algorithm, in the same run.
        let msg = c1
            .sd_jwt
            .split('~')
            .next()
            .unwrap()
            .rsplit_once('.')
            .unwrap()
            .0
            .to_string();
        let sig = e
            .signer
            .sign(msg.as_bytes(), SignatureEncoding::Raw)
            .unwrap();
        let pk = e.signer.public_key().clone();
        g.bench_function("raw_verify", |b| {
            b.iter(|| {
                pk.verify_encoded(msg.as_bytes(), &sig, SignatureEncoding::Raw)
                    .unwrap()
            })
        });
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);
