//! Seal benchmarks: seal verification alone, and a detached stamp over a 10 MB file
//! (stamp, verify) next to plain SM3 hashing of the same bytes.
//!
//! Run: `cargo bench --bench seal`; compare with `openssl speed -evp sm3`.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use deltaseal::crypto::{Algorithm, DigestAlgorithm, PrivateKey, Signer, SoftwareSigner};
use deltaseal::pki::{issue, CertTemplate, Issuer, Province, Role, SubjectName};
use deltaseal::seal::make::{make_seal, CertListForm, SealRequest, SealType};
use deltaseal::seal::picture::{png_picture, PictureSpec};
use deltaseal::seal::stamp::stamp_detached;
use deltaseal::seal::{verify_detached, verify_seal, SealTrust};
use time::macros::datetime;

struct Party {
    signer: SoftwareSigner,
    cert: Vec<u8>,
}

fn cert_for(role: Role, cn: &str, issuer: Option<&Party>) -> Party {
    let key = PrivateKey::generate(Algorithm::Sm2Sm3).unwrap();
    let signer = SoftwareSigner::new(cn, key);
    let t = CertTemplate::for_role(
        role,
        SubjectName::new(Some(Province::Shanghai), "上海测试", None, cn),
        Vec::new(),
        datetime!(2025-01-01 00:00 UTC),
        datetime!(2030-01-01 00:00 UTC),
        true,
    );
    let cert = match issuer {
        None => issue(&t, signer.public_key(), Issuer::SelfSigned(&signer)),
        Some(i) => issue(
            &t,
            signer.public_key(),
            Issuer::Cert {
                cert_der: &i.cert,
                signer: &i.signer,
            },
        ),
    }
    .unwrap();
    Party { signer, cert }
}

fn bench(c: &mut Criterion) {
    let root = cert_for(Role::ProvinceRoot, "Root", None);
    let authority = cert_for(Role::SealAuthority, "Authority", Some(&root));
    let org = cert_for(Role::OrganisationSigner, "Org", Some(&root));
    let made = datetime!(2026-01-01 00:00 UTC);
    let req = SealRequest {
        es_id_base: "31000026000001".into(),
        seal_type: SealType::Organisation,
        name: "上海测试有限公司合同专用章".into(),
        signers: vec![org.cert.clone()],
        cert_list_form: CertListForm::Certificates,
        valid_start: made,
        valid_end: datetime!(2028-01-01 00:00 UTC),
        picture: png_picture(&PictureSpec::new("上海测试有限公司", "合同专用章"), 300).unwrap(),
    };
    let seal = make_seal(&req, &authority.signer, &authority.cert, made).unwrap();
    let anchors = deltaseal::pki::TrustAnchors::any_purpose([root.cert.clone()]);
    let trust = SealTrust::anchors(&anchors);
    let at = datetime!(2026-06-01 00:00 UTC);

    c.bench_function("seal verify (SM2, chain to root)", |b| {
        b.iter(|| assert!(verify_seal(seal.der(), &trust, at).passed()))
    });

    let doc: Vec<u8> = (0..10 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    let stamp_at = datetime!(2026-03-01 00:00 UTC);
    let stamp = stamp_detached(&seal, &org.signer, &org.cert, &doc, "doc", stamp_at).unwrap();
    let mut g = c.benchmark_group("10 MB");
    g.throughput(Throughput::Bytes(doc.len() as u64));
    g.sample_size(10);
    g.bench_function("SM3 hash only", |b| {
        b.iter(|| DigestAlgorithm::Sm3.digest(&doc))
    });
    g.bench_function("detached stamp (SM3 + SM2 sign)", |b| {
        b.iter(|| stamp_detached(&seal, &org.signer, &org.cert, &doc, "doc", stamp_at).unwrap())
    });
    g.bench_function("detached stamp verify", |b| {
        b.iter(|| assert!(verify_detached(stamp.der(), &doc, &trust, at).passed()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
