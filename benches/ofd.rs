//! Stamping and verifying a 10 MB OFD: the helloworld sample plus a 10 MB stored resource,
//! stamped with the demo Shanghai seal. Throughput is reported in MB/s of package bytes;
//! compare with `openssl speed -evp sm3` (README, Benchmarks).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use deltaseal::crypto::{DigestAlgorithm, PrivateKey, SoftwareSigner};
use deltaseal::seal::asn1::Picture;
use deltaseal::seal::make::{make_seal, CertListForm, SealRequest, SealType};
use deltaseal::seal::ofd::{
    stamp_ofd, verify_ofd, Limits, OfdPackage, Placement, StampOptions, VerifyOptions,
};
use std::path::Path;
use time::macros::datetime;

const SIZE: usize = 10 << 20;

fn pem_der(path: &Path) -> Vec<u8> {
    let text = std::fs::read_to_string(path).expect("pem");
    der::pem::decode_vec(text.as_bytes()).expect("pem").1
}

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let keys = root.join("keys/sh");
    let key = |n: &str| {
        PrivateKey::from_pem(&std::fs::read_to_string(keys.join(format!("{n}.key.pem"))).unwrap())
            .unwrap()
    };
    let authority_cert = pem_der(&keys.join("seal-authority.cert.pem"));
    let signer_cert = pem_der(&keys.join("org-1.cert.pem"));
    let at = datetime!(2026-06-01 00:00 UTC);
    let seal = make_seal(
        &SealRequest {
            es_id_base: "SH0000000099".into(),
            seal_type: SealType::Organisation,
            name: "基准测试专用章".into(),
            signers: vec![signer_cert.clone()],
            cert_list_form: CertListForm::Certificates,
            valid_start: datetime!(2026-01-02 00:00 UTC),
            valid_end: datetime!(2028-12-31 00:00 UTC),
            picture: Picture {
                kind: "PNG".into(),
                data: vec![0x89, b'P', b'N', b'G'],
                width_mm: 40,
                height_mm: 40,
            },
        },
        &SoftwareSigner::new("sa", key("seal-authority")),
        &authority_cert,
        at,
    )
    .unwrap();
    let signer = SoftwareSigner::new("org", key("org-1"));

    let sample = root.join("fixtures/samples/ofd/helloworld.ofd");
    let mut pkg = OfdPackage::read(&std::fs::read(sample).unwrap(), Limits::default()).unwrap();
    let blob: Vec<u8> = (0..SIZE)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    pkg.put("Doc_0/Res/attachment.bin", blob, true).unwrap();
    let input = pkg.write().unwrap();
    let opts = StampOptions {
        placement: Placement::Coordinates {
            page: 0,
            x: 20.0,
            y: 20.0,
        },
        size_mm: None,
    };
    let stamped = stamp_ofd(pkg.clone(), &seal, &signer, &signer_cert, &opts, at).unwrap();
    let mut vopts = VerifyOptions::new(at);
    vopts.trust_anchors =
        deltaseal::pki::TrustAnchors::any_purpose([pem_der(&keys.join("root.cert.pem"))]);
    assert!(verify_ofd(&stamped, &vopts).unwrap().passed());

    let mut g = c.benchmark_group("ofd_10MB");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(input.len() as u64));
    g.bench_function("sm3_only", |b| {
        b.iter(|| DigestAlgorithm::Sm3.digest(&input))
    });
    // The service hands the upload over (`read_owned`): the input's copy is set up
    // outside the timing, as the body arrives in its own buffer.
    let owned = || input.clone();
    let per_iter = criterion::BatchSize::PerIteration;
    g.bench_function("read_only", |b| {
        b.iter_batched(
            owned,
            |doc| OfdPackage::read_owned(doc, Limits::default()).unwrap(),
            per_iter,
        )
    });
    g.bench_function("write_only", |b| b.iter(|| pkg.write().unwrap()));
    g.bench_function("stamp", |b| {
        b.iter_batched(
            owned,
            |doc| {
                let pkg = OfdPackage::read_owned(doc, Limits::default()).unwrap();
                stamp_ofd(pkg, &seal, &signer, &signer_cert, &opts, at).unwrap()
            },
            per_iter,
        )
    });
    g.bench_function("verify", |b| {
        b.iter(|| verify_ofd(&stamped, &vopts).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
