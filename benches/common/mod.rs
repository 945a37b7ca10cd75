//! What the engine benchmarks share: the demo resident ID card they issue, and the
//! committed demo trust list, verified with its pinned signer.

use deltaseal::adapters::keystore::KeyStore;
use deltaseal::license::{HolderCodeType, IssueRequest, StatusRef};
use deltaseal::trust_list::{self, VerifiedTrustList};
use serde_json::json;
use time::OffsetDateTime;

/// A resident ID card of the demo holder 张三.
pub fn id_card_request() -> IssueRequest {
    IssueRequest {
        type_code: "11100000000019713D001".into(),
        serial: "B00000001".into(),
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
            idx: 7,
            uri: "https://node.example/v1/status/a/1".into(),
        },
    }
}

/// `keys/trust-list.jws` verified at `now` against the demo trust-list signer.
pub fn demo_trust_list(root: &str, keys: &KeyStore, now: OffsetDateTime) -> VerifiedTrustList {
    let text = std::fs::read_to_string(format!("{root}/keys/trust-list.jws")).unwrap();
    let signer = keys.get("yrd-trust-list-signer").unwrap().cert_der.clone();
    trust_list::verify(
        &text,
        &trust_list::VerifyOptions {
            signer_cert: &signer,
            at: now,
            held_sequence: None,
            grace: time::Duration::days(1),
        },
    )
    .unwrap()
}
