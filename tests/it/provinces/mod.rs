//! Four provincial nodes side by side (`serve --province`), recognising each other
//! under one trust list, driven over loopback through [`crate::common::four_nodes`]:
//! [`licenses`] (a license from one province on another's `POST /v1/verify`, local type
//! codes, unlisted agencies and types), [`trust_list`] (tampered, rolled-back and
//! expired lists), [`seals`] (a stamped OFD across provinces) and [`nodes`] (what each
//! node hosts, `serve --province` itself, two nodes of one province on one database).
//! P-256 (JS, ZJ) and SM2 (SH, AH) issuers both.

mod licenses;
mod nodes;
mod revocation;
mod seals;
mod trust_list;
mod witness;

use crate::common::four_nodes::FourNodes;
use crate::http::business_license;
use deltaseal::pki::Province;
use deltaseal::trust_list::TrustList;
use serde_json::Value;

/// The local business-license codes of Shanghai and Jiangsu in the catalogue.
pub const SH_BUSINESS_LICENSE: &str = "11310000MB2F0317XQ001";
pub const JS_BUSINESS_LICENSE: &str = "113200000140123285001";

/// The check `code` of a verdict's report.
pub fn check<'a>(v: &'a Value, code: &str) -> &'a Value {
    v["report"]["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["code"] == code))
        .unwrap_or_else(|| panic!("no check {code} in {v}"))
}

/// The verdict has `indication` / `sub_indication`, and check `code` has `outcome`.
pub fn assert_verdict(v: &Value, indication: &str, sub: Option<&str>, code: &str, outcome: &str) {
    assert_eq!(v["report"]["indication"], indication, "{v}");
    assert_eq!(v["report"]["sub_indication"].as_str(), sub, "{v}");
    let c = check(v, code);
    assert_eq!(c["outcome"], outcome, "{v}");
    if outcome != "PASSED" {
        assert_eq!(c["sub_indication"].as_str(), sub, "{c}");
    }
}

/// A business license body with type code `code`.
pub fn business_license_as(code: &str) -> Value {
    let mut b = business_license();
    b["type_code"] = code.into();
    b
}

/// `POST /v1/verify` of `credential` on `p` → the verdict (200).
pub async fn verified(nodes: &FourNodes, p: Province, body: Value) -> Value {
    let (s, v) = nodes.verify(p, &body).await;
    assert_eq!(s, 200, "{v}");
    v
}

pub fn uscc(nodes: &FourNodes, id: &str) -> String {
    nodes.keys.get(id).unwrap().info.uscc.clone().unwrap()
}

/// `list` without the agency of key-store entry `id`.
pub fn without_agency(list: &mut TrustList, uscc: &str) {
    for p in &mut list.provinces {
        p.issuing_agencies.retain(|a| a.uscc != uscc);
    }
}

/// A seal request listing `signer`.
pub fn seal_request(signer: &str) -> Value {
    serde_json::json!({
        "name": "示范有限公司合同专用章",
        "organisation": "示范有限公司",
        "code": "合同专用章",
        "signers": [signer],
        "valid_to": "2028-01-01T00:00:00Z",
    })
}
