//! The demo licenses of the demo holders ([`crate::holder::DEMO_HOLDERS`]), issued in
//! more than one province, so a node run with the demo keys (`serve`, the four
//! provincial nodes) shows the holder pages working alone. Each node issues, through
//! the one issuance use case, the demo licenses of the agencies it hosts — once: when
//! its store holds none of them yet.

use super::error::ApiError;
use super::issue::{run_issue, IssueBody};
use super::state::AppState;
use crate::holder::{demo_holder, DemoHolder};
use crate::license::HolderCodeType;
use serde_json::{json, Map, Value};

/// One demo license: the issuing agency's USCC (from the demo keys), the holder, the
/// type and its fields.
struct Planned {
    agency_uscc: &'static str,
    holder: &'static str,
    type_code: &'static str,
    license_number: &'static str,
    valid_from: &'static str,
    valid_to: Option<&'static str>,
    claims: fn(&DemoHolder) -> Value,
}

const SH_PSB: &str = "113100000024280004";
const ZJ_PSB: &str = "11330000002500076F";
const JS_HRSS: &str = "113200000140001234";
const ZJ_HRSS: &str = "11330000002479115G";
const SH_SAMR: &str = "11310000MB2F0317XQ";
const JS_SAMR: &str = "113200000140123285";

const ID_CARD: &str = "11100000000019713D001";
const DRIVING: &str = "11100000000019713D002";
const SOCIAL: &str = "111000007178295102001";
const QUALIFICATION: &str = "111000007178295102002";
const BUSINESS: &str = "11100000MB014336X0001";

fn birth(h: &DemoHolder) -> String {
    let c = h.holder_code;
    format!("{}-{}-{}", &c[6..10], &c[10..12], &c[12..14])
}

fn sex(h: &DemoHolder) -> &'static str {
    let d = h.holder_code.as_bytes()[16];
    if (d - b'0') % 2 == 1 {
        "男"
    } else {
        "女"
    }
}

const PLAN: &[Planned] = &[
    Planned {
        agency_uscc: SH_PSB,
        holder: "zhang-wei",
        type_code: ID_CARD,
        license_number: "310101199003072014",
        valid_from: "2020-03-07",
        valid_to: Some("2040-03-07"),
        claims: |h| {
            json!({"name": h.name, "sex": sex(h), "ethnicity": "汉", "birth_date": birth(h),
            "address": "上海市黄浦区人民大道200号", "id_number": h.holder_code})
        },
    },
    Planned {
        agency_uscc: SH_PSB,
        holder: "zhang-wei",
        type_code: DRIVING,
        license_number: "310101199003072014",
        valid_from: "2022-05-10",
        valid_to: Some("2032-05-10"),
        claims: |h| {
            json!({"name": h.name, "sex": sex(h), "id_number": h.holder_code,
            "license_class": "C1", "first_issued": "2012-05-10"})
        },
    },
    Planned {
        agency_uscc: JS_HRSS,
        holder: "zhang-wei",
        type_code: QUALIFICATION,
        license_number: "JS2024-0310-7781",
        valid_from: "2024-09-01",
        valid_to: None,
        claims: |h| {
            json!({"name": h.name, "id_number": h.holder_code, "occupation": "电工",
            "level": "三级", "certificate_number": "JS2024-0310-7781"})
        },
    },
    Planned {
        agency_uscc: ZJ_HRSS,
        holder: "zhang-wei",
        type_code: SOCIAL,
        license_number: "ZJ33010088123",
        valid_from: "2023-01-01",
        valid_to: Some("2033-01-01"),
        claims: |h| {
            json!({"name": h.name, "id_number": h.holder_code,
            "card_number": "ZJ33010088123", "bank": "中国工商银行"})
        },
    },
    Planned {
        agency_uscc: JS_HRSS,
        holder: "li-na",
        type_code: SOCIAL,
        license_number: "JS32010256781",
        valid_from: "2021-07-01",
        valid_to: Some("2031-07-01"),
        claims: |h| {
            json!({"name": h.name, "id_number": h.holder_code,
            "card_number": "JS32010256781", "bank": "中国建设银行"})
        },
    },
    Planned {
        agency_uscc: SH_PSB,
        holder: "li-na",
        type_code: DRIVING,
        license_number: "320102198506123024",
        valid_from: "2019-11-20",
        valid_to: Some("2029-11-20"),
        claims: |h| {
            json!({"name": h.name, "sex": sex(h), "id_number": h.holder_code,
            "license_class": "C2", "first_issued": "2009-11-20"})
        },
    },
    Planned {
        agency_uscc: ZJ_PSB,
        holder: "wang-qiang",
        type_code: ID_CARD,
        license_number: "33010219920815403X",
        valid_from: "2018-08-15",
        valid_to: Some("2038-08-15"),
        claims: |h| {
            json!({"name": h.name, "sex": sex(h), "ethnicity": "汉", "birth_date": birth(h),
            "address": "浙江省杭州市上城区解放路1号", "id_number": h.holder_code})
        },
    },
    Planned {
        agency_uscc: JS_HRSS,
        holder: "wang-qiang",
        type_code: QUALIFICATION,
        license_number: "JS2025-0102-1150",
        valid_from: "2025-03-01",
        valid_to: None,
        claims: |h| {
            json!({"name": h.name, "id_number": h.holder_code, "occupation": "焊工",
            "level": "四级", "certificate_number": "JS2025-0102-1150"})
        },
    },
    Planned {
        agency_uscc: ZJ_HRSS,
        holder: "chen-jing",
        type_code: SOCIAL,
        license_number: "ZJ33010299410",
        valid_from: "2024-02-01",
        valid_to: Some("2034-02-01"),
        claims: |h| {
            json!({"name": h.name, "id_number": h.holder_code,
            "card_number": "ZJ33010299410"})
        },
    },
    Planned {
        agency_uscc: SH_PSB,
        holder: "chen-jing",
        type_code: DRIVING,
        license_number: "340102197801015041",
        valid_from: "2020-06-30",
        valid_to: Some("2030-06-30"),
        claims: |h| {
            json!({"name": h.name, "sex": sex(h), "id_number": h.holder_code,
            "license_class": "C1", "first_issued": "2004-06-30"})
        },
    },
    Planned {
        agency_uscc: SH_SAMR,
        holder: "delta-trading",
        type_code: BUSINESS,
        license_number: "310115000201907",
        valid_from: "2019-07-18",
        valid_to: None,
        claims: |h| {
            json!({"entity_name": h.name, "uscc": h.holder_code, "entity_type": "有限责任公司",
            "legal_representative": "张伟", "registered_capital": 5000000, "established": "2019-07-18",
            "domicile": "中国（上海）自由贸易试验区张杨路500号", "business_scope": "货物进出口；技术进出口"})
        },
    },
    Planned {
        agency_uscc: JS_SAMR,
        holder: "delta-trading",
        type_code: BUSINESS,
        license_number: "320100000202311",
        valid_from: "2023-11-02",
        valid_to: None,
        claims: |h| {
            json!({"entity_name": format!("{}南京分公司", h.name), "uscc": h.holder_code,
            "entity_type": "有限责任公司分公司", "legal_representative": "张伟",
            "established": "2023-11-02", "domicile": "江苏省南京市玄武区中山路18号"})
        },
    },
];

/// Issue the demo licenses of the agencies `node` hosts, unless its store already
/// holds a license of a demo holder from one of them. The number issued.
pub async fn seed(node: &AppState) -> Result<usize, ApiError> {
    let mine: Vec<&Planned> = PLAN
        .iter()
        .filter(|p| node.agency(p.agency_uscc).is_some())
        .collect();
    for p in &mine {
        let Some(h) = demo_holder(p.holder) else {
            continue;
        };
        let held = node.store.licenses_of_holder(h.holder_code, 50).await?;
        if held.iter().any(|r| r.agency_id == p.agency_uscc) {
            return Ok(0);
        }
    }
    let mut n = 0;
    for p in mine {
        let (Some(h), Some(agency)) = (demo_holder(p.holder), node.agency(p.agency_uscc)) else {
            continue;
        };
        let claims: Map<String, Value> = match (p.claims)(h) {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let body = IssueBody {
            type_code: p.type_code.into(),
            holder: h.name.into(),
            holder_code: h.holder_code.into(),
            holder_code_type: Some(
                match h.holder_code_type {
                    HolderCodeType::Uscc => "001",
                    _ => "111",
                }
                .into(),
            ),
            claims,
            license_number: Some(p.license_number.into()),
            valid_from: Some(p.valid_from.into()),
            valid_to: p.valid_to.map(Into::into),
            purpose: None,
            holder_key: None,
        };
        let out = run_issue(node, &agency, std::slice::from_ref(&body), false, None).await?;
        n += out.licenses.len();
    }
    Ok(n)
}
