//! Writes the seed corpora of the fuzz targets (`fuzz/corpus/<target>/`): the repo's
//! samples and fixtures, and small artifacts made with the demo hierarchy at
//! 2026-06-01 (licenses, presentations, seals, stamps, a stamped OFD, CRLs, status
//! list tokens, seal revocation lists, request tokens, request bodies, configs).
//!
//! Run: `cargo run --example fuzz_seeds` (rewrites the files it makes, keeps others).

use deltaseal::adapters::keystore::{KeyEntry, KeyStore};
use deltaseal::catalog::Catalog;
use deltaseal::jose::request_token::make_request_token;
use deltaseal::license::sdjwt;
use deltaseal::license::{
    Agency, HolderCodeType, IssueRequest, StatusList, StatusListToken, StatusRef,
};
use deltaseal::pki::{issue_crl, pem, RevocationReason, RevokedEntry};
use deltaseal::seal::make::{make_seal, CertListForm, SealRequest, SealType};
use deltaseal::seal::ofd::{stamp_ofd, Limits, OfdPackage, Placement, StampOptions};
use deltaseal::seal::picture::{png_picture, PictureSpec};
use deltaseal::seal::stamp::stamp_detached;
use deltaseal::seal::{self, SealRevocation, SealRevocationList, SignedRevocations};
use serde_json::json;
use std::path::{Path, PathBuf};
use time::macros::datetime;
use time::OffsetDateTime;

const AT: OffsetDateTime = datetime!(2026-06-01 00:00 UTC);
const AUD: &str = "http://127.0.0.1:8080";
const ID_CARD: &str = "11100000000019713D001";

struct Out {
    root: PathBuf,
}

impl Out {
    fn put(&self, target: &str, name: &str, bytes: impl AsRef<[u8]>) {
        let dir = self.root.join("fuzz/corpus").join(target);
        std::fs::create_dir_all(&dir).expect("corpus directory");
        std::fs::write(dir.join(name), bytes).expect("corpus file");
    }

    fn copy(&self, target: &str, from: &str) {
        let src = self.root.join(from);
        let name = src
            .file_name()
            .expect("file name")
            .to_string_lossy()
            .to_string();
        self.put(target, &name, std::fs::read(&src).expect("fixture"));
    }

    /// A JWS, into `targets`, with its decoded payload (the targets that sign fuzzed
    /// payloads start from it).
    fn jws(&self, targets: &[&str], name: &str, token: &str) {
        for t in targets {
            self.put(t, &format!("{name}.jws"), token);
            if let Some(p) = token.split('.').nth(1) {
                use base64::Engine;
                if let Ok(json) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(p) {
                    self.put(t, &format!("{name}.payload.json"), json);
                }
            }
        }
    }
}

fn entry<'a>(keys: &'a KeyStore, id: &str) -> &'a KeyEntry {
    keys.get(id).expect("demo key id")
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let out = Out { root: root.clone() };
    let keys = KeyStore::load(root.join("keys")).expect("demo key store");

    fixtures(&out, &root);
    licenses(&out, &keys);
    seals(&out, &keys);
    pki(&out, &keys);
    tokens(&out, &keys);
    bodies(&out);
}

fn fixtures(out: &Out, root: &Path) {
    for f in ["UserV1.esl", "UserV4.esl", "UserV5.esl"] {
        out.copy("seal_der", &format!("fixtures/samples/seal/{f}"));
        out.copy("verify_engine", &format!("fixtures/samples/seal/{f}"));
    }
    out.copy("stamp_der", "fixtures/samples/seal/SignedValueV4.dat");
    for f in [
        "helloworld.ofd",
        "DigitalSign.ofd",
        "signedFile.ofd",
        "v4signed.ofd",
        "SESV4SignDoc.ofd",
    ] {
        out.copy("ofd", &format!("fixtures/samples/ofd/{f}"));
    }
    out.copy("verify_engine", "fixtures/samples/ofd/v4signed.ofd");
    // The signatures inside the sample packages, as stamps.
    for f in [
        "signedFile.ofd",
        "v4signed.ofd",
        "SESV4SignDoc.ofd",
        "DigitalSign.ofd",
    ] {
        let bytes = std::fs::read(root.join("fixtures/samples/ofd").join(f)).expect("sample");
        let pkg = OfdPackage::read(&bytes, Limits::default()).expect("sample reads");
        for (i, e) in pkg.entries().iter().enumerate() {
            if e.name.ends_with("SignedValue.dat") {
                out.put("stamp_der", &format!("{f}.{i}.dat"), &e.data);
            }
        }
    }
    for f in [
        "fixtures/samples/keys/root.pem",
        "fixtures/samples/keys/sealer.pem",
        "fixtures/samples/keys/user.pem",
        "fixtures/samples/keys/sign_cert.pem",
    ] {
        out.copy("cert", f);
    }
    let mut n = 0;
    for dir in ["sh", "js", "zj", "ah", "yrd"] {
        for e in std::fs::read_dir(root.join("keys").join(dir)).expect("keys") {
            let p = e.expect("entry").path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if name.ends_with(".cert.pem") && (dir == "sh" || name.starts_with("root")) {
                let text = std::fs::read_to_string(&p).expect("pem");
                out.put("cert", &format!("{dir}-{name}"), &text);
                if let Ok(der) = pem::cert_from_pem_or_der(text.as_bytes()) {
                    out.put("cert", &format!("{dir}-{name}.der"), &der);
                    if n < 3 {
                        out.put("verify_engine", &format!("{dir}-{name}"), &text);
                        n += 1;
                    }
                }
            }
        }
    }
    let list = std::fs::read_to_string(root.join("keys/trust-list.jws")).expect("trust list");
    out.jws(&["trust_list", "jws"], "trust-list", list.trim());
    out.copy("trust_list", "keys/trust-list.json");
    out.copy("config", "fixtures/catalog/types.json");
    let lsts: serde_json::Value = serde_json::from_slice(
        &std::fs::read(root.join("fixtures/vectors/status-list/decode.json")).expect("vectors"),
    )
    .expect("vectors json");
    for (i, c) in lsts["cases"].as_array().into_iter().flatten().enumerate() {
        if let Some(lst) = c["lst"].as_str() {
            out.put("status_list", &format!("vector-{i}.lst"), lst);
        }
    }
}

fn licenses(out: &Out, keys: &KeyStore) {
    let catalog =
        Catalog::from_json(deltaseal::adapters::config::BUILTIN_CATALOG).expect("catalog");
    for id in ["sh-agency-psb", "zj-agency-psb"] {
        let e = entry(keys, id);
        let agency = Agency::new(e.signer.clone(), vec![e.cert_der.clone()]).expect("agency");
        let holder_key =
            deltaseal::crypto::PrivateKey::generate(e.signer.algorithm()).expect("key");
        let holder = deltaseal::crypto::SoftwareSigner::new("holder", holder_key);
        use deltaseal::crypto::Signer;
        let req = IssueRequest {
            type_code: ID_CARD.into(),
            serial: "0000000001".into(),
            version: 1,
            license_number: None,
            holder: "张三".into(),
            holder_code: "310101199003070011".into(),
            holder_code_type: HolderCodeType::CitizenId,
            claims: json!({"name": "张三", "sex": "男", "ethnicity": "汉",
                "birth_date": "1990-03-07", "address": "上海市黄浦区人民大道200号",
                "id_number": "310101199003070011"})
            .as_object()
            .expect("object")
            .clone(),
            valid_from: None,
            valid_to: None,
            purpose: None,
            holder_key: Some(holder.public_key().clone()),
            status: StatusRef {
                idx: 3,
                uri: format!("{AUD}/v1/status-lists/{id}/1"),
            },
        };
        let cred = agency.issue(&catalog, &req, AT).expect("license");
        out.put("sdjwt", &format!("{id}.sd-jwt"), &cred.sd_jwt);
        out.put("verify_engine", &format!("{id}.sd-jwt"), &cred.sd_jwt);
        let jwt = cred.sd_jwt.split('~').next().expect("jwt");
        out.jws(&["jws"], &format!("{id}.license"), jwt);
        if let Ok(p) = sdjwt::present(&cred.sd_jwt, &["name"]) {
            out.put("sdjwt", &format!("{id}.presented.sd-jwt"), p);
        }
        if let Ok(p) = sdjwt::present_with_key_binding(
            &cred.sd_jwt,
            &["name", "birth_date"],
            &holder,
            AUD,
            "nonce-1",
            AT,
        ) {
            out.put("sdjwt", &format!("{id}.kb.sd-jwt"), &p);
            out.put("verify_engine", &format!("{id}.kb.sd-jwt"), &p);
        }
        let mut list = StatusList::new(64).expect("list");
        let _ = list.revoke(3, "fuzz seed");
        let _ = list.suspend(5, "fuzz seed");
        out.put("status_list", &format!("{id}.lst"), list.to_lst());
        let t = StatusListToken {
            uri: format!("{AUD}/v1/status-lists/{id}/1"),
            iat: AT,
            exp: Some(AT + time::Duration::days(1)),
            ttl: Some(300),
            list,
        };
        let token = t
            .sign(e.signer.as_ref(), std::slice::from_ref(&e.cert_der))
            .expect("status list token");
        out.jws(&["status_list", "jws"], &format!("{id}.status"), &token);
    }
}

fn seals(out: &Out, keys: &KeyStore) {
    let authority = entry(keys, "sh-seal-authority");
    let org = entry(keys, "sh-org-1");
    let picture =
        png_picture(&PictureSpec::new("上海测试有限公司", "合同专用章"), 72).expect("picture");
    let mut made = Vec::new();
    for (form, name) in [
        (CertListForm::Certificates, "certs"),
        (CertListForm::Sm3Digests, "digests"),
    ] {
        let req = SealRequest {
            es_id_base: "31000020260601".into(),
            seal_type: SealType::Organisation,
            name: "上海测试有限公司合同专用章".into(),
            signers: vec![org.cert_der.clone()],
            cert_list_form: form,
            valid_start: datetime!(2026-01-02 00:00 UTC),
            valid_end: datetime!(2027-12-31 00:00 UTC),
            picture: picture.clone(),
        };
        let s = make_seal(&req, authority.signer.as_ref(), &authority.cert_der, AT).expect("seal");
        out.put("seal_der", &format!("made-{name}.esl"), s.der());
        out.put("verify_engine", &format!("made-{name}.esl"), s.der());
        made.push(s);
    }
    let s = &made[0];
    let stamp = stamp_detached(
        s,
        org.signer.as_ref(),
        &org.cert_der,
        b"document",
        "doc",
        AT,
    )
    .expect("stamp");
    out.put("stamp_der", "made-detached.dat", stamp.der());
    out.put("verify_engine", "made-detached.dat", stamp.der());
    let sample = std::fs::read(out.root.join("fixtures/samples/ofd/helloworld.ofd")).expect("ofd");
    let pkg = OfdPackage::read(&sample, Limits::default()).expect("ofd reads");
    let opts = StampOptions {
        placement: Placement::Coordinates {
            page: 0,
            x: 20.0,
            y: 20.0,
        },
        size_mm: None,
    };
    let stamped =
        stamp_ofd(pkg, s, org.signer.as_ref(), &org.cert_der, &opts, AT).expect("stamped OFD");
    out.put("ofd", "made-stamped.ofd", &stamped);
    out.put("verify_engine", "made-stamped.ofd", &stamped);
    let mut list = SealRevocationList::new();
    list.add(SealRevocation {
        es_id: "310000202606010000001".into(),
        revoked_at: AT,
        reason: seal::RevocationReason::Superseded {
            by: "310000202606010000002".into(),
        },
    });
    out.put(
        "seal_revocations",
        "list.json",
        serde_json::to_vec(&list).expect("json"),
    );
    let signed = SignedRevocations {
        uri: format!("{AUD}/v1/seal-revocations/0"),
        iat: AT,
        exp: Some(AT + time::Duration::days(1)),
        ttl: Some(300),
        list,
    };
    let token = signed
        .sign(
            authority.signer.as_ref(),
            std::slice::from_ref(&authority.cert_der),
        )
        .expect("signed revocations");
    out.jws(&["seal_revocations", "jws"], "revocations", &token);
}

fn pki(out: &Out, keys: &KeyStore) {
    for id in ["sh-root", "js-root"] {
        let e = entry(keys, id);
        let revoked = [RevokedEntry {
            serial: vec![0x01, 0x23],
            revoked_at: AT - time::Duration::days(3),
            reason: Some(RevocationReason::KeyCompromise),
        }];
        let crl = issue_crl(
            &e.cert_der,
            e.signer.as_ref(),
            &revoked,
            AT - time::Duration::days(1),
            AT + time::Duration::days(6),
            7,
        )
        .expect("crl");
        out.put("crl", &format!("{id}.crl"), &crl);
        out.put("crl", &format!("{id}.crl.pem"), pem::crl_to_pem(&crl));
        let empty = issue_crl(
            &e.cert_der,
            e.signer.as_ref(),
            &[],
            AT - time::Duration::days(1),
            AT + time::Duration::days(6),
            8,
        )
        .expect("crl");
        out.put("crl", &format!("{id}.empty.crl"), &empty);
    }
}

fn tokens(out: &Out, keys: &KeyStore) {
    for id in ["sh-agency-psb", "js-agency-samr", "sh-seal-authority"] {
        let e = entry(keys, id);
        let iss = e.info.uscc.clone().unwrap_or_default();
        let t = make_request_token(
            e.signer.as_ref(),
            std::slice::from_ref(&e.cert_der),
            &iss,
            AUD,
            AT,
            120,
        )
        .expect("request token");
        out.jws(&["request_token", "jws"], &format!("{id}.request"), &t);
    }
}

fn bodies(out: &Out) {
    let issue = json!({
        "type_code": ID_CARD,
        "holder": "张三",
        "holder_code": "310101199003070011",
        "holder_code_type": "111",
        "claims": {"name": "张三", "sex": "男", "ethnicity": "汉", "birth_date": "1990-03-07",
            "address": "上海市黄浦区人民大道200号", "id_number": "310101199003070011"},
        "valid_from": "2026-01-01",
        "valid_to": "2036-01-01",
        "holder_key": {"kty": "EC", "crv": "P-256",
            "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
            "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}
    });
    let bodies = [
        ("issue.json", issue.clone()),
        ("batch.json", json!({"items": [issue.clone(), issue]})),
        ("reason.json", json!({"reason": "lost"})),
        (
            "verify.json",
            json!({"artifact": "MIIB", "encoding": "base64", "type": "seal",
                "document": "ZG9j", "at": "2026-06-01T00:00:00Z",
                "policy": {"provinces": ["SH", "JS"], "clock_skew_s": 60}}),
        ),
        (
            "proof-request.json",
            json!({"type_code": "11100000MB014336X0001", "applicant": "张三",
                "applicant_code": "310101199003070011", "applicant_code_type": "111",
                "purpose": "出国"}),
        ),
        ("refuse.json", json!({"reason": "materials incomplete"})),
        (
            "seal.json",
            json!({"name": "上海测试有限公司合同专用章", "organisation": "上海测试有限公司",
                "code": "91310000MA1FL0000X", "seal_type": "organisation",
                "signers": ["sh-org-1"], "valid_from": "2026-01-02T00:00:00Z",
                "valid_to": "2027-01-01T00:00:00Z", "es_id_base": "3100002026",
                "diameter_mm": 42}),
        ),
        ("signers.json", json!({"signers": ["sh-org-1", "MIIB"]})),
        (
            "policy.json",
            json!({"provinces": ["SH", "JS", "ZJ", "AH"], "clock_skew_s": 300,
                "max_status_age_s": 86400, "warn_trust_list_age_s": 3600}),
        ),
    ];
    for (name, v) in bodies {
        out.put(
            "json_bodies",
            name,
            serde_json::to_vec_pretty(&v).expect("json"),
        );
    }
    out.put(
        "json_bodies",
        "stamp-query.txt",
        "format=ofd&page=0&x=20.5&y=30&size_mm=40",
    );
    out.put(
        "config",
        "node.toml",
        "listen = \"127.0.0.1:8081\"\ndatabase = \"postgres://localhost/test\"\n\
         database_schema = \"deltaseal_sh\"\nkeys_dir = \"keys\"\nprovince = \"SH\"\n\
         public_base_url = \"http://127.0.0.1:8081\"\nmax_batch = 100\n\
         max_body_bytes = 1048576\ntrust_list_grace_s = 3600\n\
         trust_list_url = \"http://127.0.0.1:8082/v1/trust-list\"\ntrust_list_poll_s = 60\n",
    );
    out.put(
        "config",
        "node.json",
        serde_json::to_vec_pretty(&json!({"listen": "0.0.0.0:8080", "database": "deltaseal.db",
            "production": true, "node_id": "https://sh.example", "catalog": "types.json", "trust_list_grace_s": 86400,
            "trust_list": "keys/trust-list.jws", "trust_list_signer": "keys/yrd/signer.pem"}))
        .expect("json"),
    );
}
