//! E-licenses and e-proofs: issuance, verification, presentations, status lists, the
//! proof flow, and an independent SD-JWT implementation agreeing.

pub(crate) mod interop;
mod issuance;
mod proof;
mod status;

use crate::common;
use crate::common::pki::certify;
use deltaseal::catalog::Catalog;
use deltaseal::crypto::{Algorithm, PrivateKey, Signer, SoftwareSigner};
use deltaseal::license::{Agency, HolderCodeType, IssueRequest, StatusRef};
use deltaseal::pki::{CertTemplate, Province, Role, SubjectName};
use serde_json::{json, Map, Value};
use std::sync::Arc;
use time::macros::datetime;

/// Resident identity card (Ministry of Public Security).
pub const ID_CARD: &str = "11100000000019713D001";
/// No-criminal-record proof.
pub const NO_CRIMINAL_RECORD: &str = "11100000000019713D101";
/// Business license (SAMR).
pub const BUSINESS_LICENSE: &str = "11100000MB014336X0001";
/// A Shanghai public security bureau's USCC.
pub const AGENCY_USCC: &str = "113100000024280004";

pub fn catalog() -> Catalog {
    let text = std::fs::read_to_string(common::fixtures().join("catalog/types.json")).unwrap();
    Catalog::from_json(&text).unwrap()
}

/// A province root and an issuing agency under it, both of `alg`.
pub struct Hierarchy {
    pub root_der: Vec<u8>,
    pub agency: Agency,
}

pub fn hierarchy(alg: Algorithm, types: &[&str]) -> Hierarchy {
    let from = datetime!(2026-01-01 00:00 UTC);
    let to = datetime!(2029-01-01 00:00 UTC);
    let root_t = CertTemplate::for_role(
        Role::ProvinceRoot,
        SubjectName::new(
            Some(Province::Shanghai),
            "上海市电子认证测试根",
            None,
            "SH Test Root",
        ),
        vec![],
        from,
        to,
        false,
    );
    let root = certify(alg, "root", &root_t, None);
    let agency_t = CertTemplate::for_role(
        Role::IssuingAgency,
        SubjectName::new(
            Some(Province::Shanghai),
            "上海市公安局",
            Some(AGENCY_USCC.into()),
            "Shanghai Public Security Bureau",
        ),
        types.iter().map(|s| s.to_string()).collect(),
        from,
        to,
        false,
    );
    let agency = certify(alg, "agency", &agency_t, Some(&root));
    let agency = Agency::new(Arc::new(agency.signer), vec![agency.cert]).unwrap();
    Hierarchy {
        root_der: root.cert,
        agency,
    }
}

pub fn id_card_claims() -> Map<String, Value> {
    json!({
        "name": "张三",
        "sex": "男",
        "ethnicity": "汉",
        "birth_date": "1990-03-07",
        "address": "上海市黄浦区人民大道200号",
        "id_number": "310101199003070019"
    })
    .as_object()
    .unwrap()
    .clone()
}

pub fn id_card_request(serial: &str, idx: usize) -> IssueRequest {
    IssueRequest {
        type_code: ID_CARD.into(),
        serial: serial.into(),
        version: 1,
        license_number: None,
        holder: "张三".into(),
        holder_code: "310101199003070019".into(),
        holder_code_type: HolderCodeType::CitizenId,
        claims: id_card_claims(),
        valid_from: None,
        valid_to: None,
        purpose: None,
        holder_key: None,
        status: StatusRef {
            idx,
            uri: "https://sh.example/v1/status/113100000024280004/1".into(),
        },
    }
}
