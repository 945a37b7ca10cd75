//! Path validation of a 3-certificate chain (root → intermediate CA → leaf), per algorithm.

use criterion::{criterion_group, criterion_main, Criterion};
use deltaseal::crypto::{Algorithm, PrivateKey, Signer, SoftwareSigner};
use deltaseal::pki::validate::{validate, Policy, Purpose};
use deltaseal::pki::{issue, CertTemplate, Issuer, Province, Role, SubjectName};
use time::macros::datetime;

fn template(role: Role, cn: &str) -> CertTemplate {
    let mut t = CertTemplate::for_role(
        role,
        SubjectName::new(Some(Province::Jiangsu), "基准测试", None, cn),
        vec![],
        datetime!(2026-01-01 00:00 UTC),
        datetime!(2030-01-01 00:00 UTC),
        true,
    );
    if role == Role::ProvinceRoot {
        t.path_len = Some(1);
    }
    t
}

fn chain(alg: Algorithm) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let root = SoftwareSigner::new("root", PrivateKey::generate(alg).unwrap());
    let root_cert = issue(
        &template(Role::ProvinceRoot, "Root"),
        root.public_key(),
        Issuer::SelfSigned(&root),
    )
    .unwrap();
    let inter = SoftwareSigner::new("inter", PrivateKey::generate(alg).unwrap());
    let mut t = template(Role::ProvinceRoot, "Intermediate");
    t.path_len = Some(0);
    t.authority_key_id = true;
    let inter_cert = issue(
        &t,
        inter.public_key(),
        Issuer::Cert {
            cert_der: &root_cert,
            signer: &root,
        },
    )
    .unwrap();
    let leaf = SoftwareSigner::new("leaf", PrivateKey::generate(alg).unwrap());
    let leaf_cert = issue(
        &template(Role::OrganisationSigner, "Leaf"),
        leaf.public_key(),
        Issuer::Cert {
            cert_der: &inter_cert,
            signer: &inter,
        },
    )
    .unwrap();
    (leaf_cert, inter_cert, root_cert)
}

fn bench(c: &mut Criterion) {
    for alg in Algorithm::ALL {
        let (leaf, inter, root) = chain(alg);
        let inters = vec![inter];
        let anchors = deltaseal::pki::TrustAnchors::any_purpose([root]);
        let mut policy = Policy::at(datetime!(2026-06-01 00:00 UTC));
        policy.purpose = Purpose::DocumentStamping;
        assert!(validate(&leaf, &inters, &anchors, &policy).passed());
        c.bench_function(&format!("validate 3-cert chain {alg}"), |b| {
            b.iter(|| validate(&leaf, &inters, &anchors, &policy))
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
