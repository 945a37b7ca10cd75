//! Library-level license benchmarks, per algorithm: issue (sign) one SD-JWT VC, verify
//! one (signature, chain to the root, disclosures), and the raw sign rate of the same
//! algorithm for comparison.
//!
//! Run: `cargo bench --bench license`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use deltaseal::catalog::Catalog;
use deltaseal::crypto::{Algorithm, PrivateKey, SignatureEncoding, Signer, SoftwareSigner};
use deltaseal::license::sdjwt::{self, VerifyOptions};
use deltaseal::license::{Agency, HolderCodeType, IssueRequest, StatusRef};
use deltaseal::pki::{issue, CertTemplate, Issuer, Province, Role, SubjectName};
use serde_json::json;
use std::sync::Arc;
use time::macros::datetime;

const ID_CARD: &str = "11100000000019713D001";

fn hierarchy(alg: Algorithm) -> (Vec<u8>, Agency) {
    let (from, to) = (
        datetime!(2026-01-01 00:00 UTC),
        datetime!(2029-01-01 00:00 UTC),
    );
    let root_key = SoftwareSigner::new("root", PrivateKey::generate(alg).unwrap());
    let root_subject =
        SubjectName::new(Some(Province::Shanghai), "上海市测试根", None, "Bench Root");
    let root_t = CertTemplate::for_role(Role::ProvinceRoot, root_subject, vec![], from, to, false);
    let root = issue(
        &root_t,
        root_key.public_key(),
        Issuer::SelfSigned(&root_key),
    )
    .unwrap();
    let key = SoftwareSigner::new("agency", PrivateKey::generate(alg).unwrap());
    let subject = SubjectName::new(
        Some(Province::Shanghai),
        "上海市公安局",
        Some("113100000024280004".into()),
        "Bench Agency",
    );
    let t = CertTemplate::for_role(
        Role::IssuingAgency,
        subject,
        vec![ID_CARD.into()],
        from,
        to,
        false,
    );
    let issuer = Issuer::Cert {
        cert_der: &root,
        signer: &root_key,
    };
    let der = issue(&t, key.public_key(), issuer).unwrap();
    (root, Agency::new(Arc::new(key), vec![der]).unwrap())
}

fn request(n: u64) -> IssueRequest {
    IssueRequest {
        type_code: ID_CARD.into(),
        serial: format!("B{n:08}"),
        version: 1,
        license_number: None,
        holder: "张三".into(),
        holder_code: "310101199003070019".into(),
        holder_code_type: HolderCodeType::CitizenId,
        claims: json!({"name": "张三", "sex": "男", "ethnicity": "汉", "birth_date": "1990-03-07",
            "address": "上海市黄浦区人民大道200号", "id_number": "310101199003070019"})
        .as_object()
        .unwrap()
        .clone(),
        valid_from: None,
        valid_to: None,
        purpose: None,
        holder_key: None,
        status: StatusRef {
            idx: (n % 1_000_000) as usize,
            uri: "https://sh.example/v1/status/a/1".into(),
        },
    }
}

fn bench(c: &mut Criterion) {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/catalog/types.json"
    ))
    .unwrap();
    let catalog = Catalog::from_json(&text).unwrap();
    let now = datetime!(2026-06-01 00:00 UTC);
    for alg in Algorithm::ALL {
        let (root, agency) = hierarchy(alg);
        let mut g = c.benchmark_group(format!("license/{}", alg.name()));
        g.throughput(Throughput::Elements(1));
        let mut n = 0u64;
        g.bench_function("issue", |b| {
            b.iter(|| {
                n += 1;
                agency.issue(&catalog, &request(n), now).unwrap()
            })
        });
        let cred = agency.issue(&catalog, &request(0), now).unwrap();
        let anchors = deltaseal::pki::TrustAnchors::any_purpose([root]);
        g.bench_function("verify", |b| {
            b.iter(|| {
                let v = sdjwt::verify(&cred.sd_jwt, &VerifyOptions::new(now, &anchors));
                assert!(v.report.passed());
            })
        });
        let msg = vec![0x5au8; 600];
        g.bench_function("raw_sign", |b| {
            b.iter(|| agency.signer().sign(&msg, SignatureEncoding::Raw).unwrap())
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
