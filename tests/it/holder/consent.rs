//! Consent-based retrieval across provinces: a Shanghai holder, signed in on the Shanghai
//! node, lets a Zhejiang agency fetch their Jiangsu-issued qualification certificate;
//! the agency, on the Zhejiang node, gets only the consented claims, verified; the
//! holder sees the access; every refusal has its own code; after revocation the next
//! fetch is refused. P-256 agencies (JS issues, ZJ fetches) and SM2 (SH issues, AH
//! fetches).

use super::gathered::{seeded, sign_in};
use crate::common::four_nodes::FourNodes;
use deltaseal::license::sdjwt::SdJwt;
use deltaseal::pki::Province::{self, Anhui, Jiangsu, Shanghai, Zhejiang};
use rstest::rstest;
use serde_json::{json, Value};

const ZHANG_WEI: &str = "310101199003072014";
const LI_NA: &str = "320102198506123024";
const QUALIFICATION: &str = "111000007178295102002";
const DRIVING: &str = "11100000000019713D002";

/// `method path` on `p`'s node with the holder's ID token → (status, body).
async fn as_holder(
    four: &FourNodes,
    p: Province,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut r = reqwest::Client::new()
        .request(method, format!("{}{path}", four.url(p)))
        .bearer_auth(token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let resp = r.send().await.unwrap();
    let s = resp.status().as_u16();
    (s, resp.json().await.unwrap_or(Value::Null))
}

/// Agency `id` asks its own province `p`'s node for the holder's licenses.
async fn fetch(four: &FourNodes, p: Province, id: &str, holder: &str, query: &str) -> (u16, Value) {
    let (s, _, b) = four
        .send(
            p,
            "GET",
            &format!("/v1/holders/{holder}/licenses?{query}"),
            Some(id),
            None,
        )
        .await;
    (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
}

fn uscc(four: &FourNodes, id: &str) -> String {
    four.keys.get(id).unwrap().info.uscc.clone().unwrap()
}

fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// The claim names a presentation discloses.
fn disclosed(presentation: &str) -> Vec<String> {
    let mut names: Vec<String> = SdJwt::parse(presentation)
        .unwrap()
        .disclosures
        .into_iter()
        .map(|d| d.name)
        .collect();
    names.sort();
    names
}

#[rstest]
#[case::p256_js_license_to_zj_agency(
    Jiangsu,
    QUALIFICATION,
    Zhejiang,
    "zj-agency-psb",
    "zj-agency-hrss"
)]
#[case::sm2_sh_license_to_ah_agency(Shanghai, DRIVING, Anhui, "ah-agency-civil", "ah-agency-samr")]
#[tokio::test]
async fn an_agency_fetches_a_license_of_another_province_with_only_the_consented_claims(
    #[case] issued_in: Province,
    #[case] type_code: &str,
    #[case] agency_home: Province,
    #[case] agency: &str,
    #[case] other_agency: &str,
) {
    let four = seeded().await;
    let token = sign_in(&four, Shanghai, "zhang-wei").await;
    let until = four.now() + time::Duration::days(7);
    let (s, c) = as_holder(
        &four,
        Shanghai,
        &token,
        reqwest::Method::POST,
        "/v1/holder/consents",
        Some(json!({
            "agency": uscc(&four, agency),
            "type_code": type_code,
            "purpose": "人才引进落户",
            "claims": ["name", "sex", "occupation", "level"],
            "until": rfc3339(until),
        })),
    )
    .await;
    assert_eq!(s, 201, "{c}");
    let id = c["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("sh-"), "{id}");
    assert_eq!(c["agency_province"], agency_home.abbrev());
    assert_eq!(c["holder_code"], ZHANG_WEI);

    // the agency, on its own node: the license, from the province that issued it,
    // carrying only the consented claims it has, verified there
    let q = format!("type={type_code}&consent={id}");
    let (s, v) = fetch(&four, agency_home, agency, ZHANG_WEI, &q).await;
    assert_eq!(s, 200, "{v}");
    let ls = v["licenses"].as_array().unwrap();
    assert_eq!(ls.len(), 1, "{v}");
    let l = &ls[0];
    assert_eq!(l["province"], issued_in.abbrev(), "{l}");
    assert_eq!(l["type_code"], type_code);
    let presentation = l["presentation"].as_str().unwrap();
    let expected: Vec<&str> = if type_code == QUALIFICATION {
        vec!["level", "name", "occupation"]
    } else {
        vec!["name", "sex"]
    };
    assert_eq!(disclosed(presentation), expected, "{l}");
    let verdict = &l["verdict"];
    assert_eq!(verdict["report"]["indication"], "TOTAL_PASSED", "{verdict}");
    assert_eq!(verdict["province"]["code"], issued_in.abbrev(), "{verdict}");
    let mut shown: Vec<&str> = verdict["claims"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    shown.sort();
    assert_eq!(shown, expected, "{verdict}");
    assert_eq!(v["purpose"], "人才引进落户");

    // fewer claims than the consent: only those
    let (s, v) = fetch(
        &four,
        agency_home,
        agency,
        ZHANG_WEI,
        &format!("{q}&claims=name"),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        disclosed(v["licenses"][0]["presentation"].as_str().unwrap()),
        ["name"]
    );

    // the holder sees both accesses: who, when, what, from which province
    let (s, a) = as_holder(
        &four,
        Shanghai,
        &token,
        reqwest::Method::GET,
        "/v1/holder/accesses",
        None,
    )
    .await;
    assert_eq!(s, 200, "{a}");
    let a = a["accesses"].as_array().unwrap();
    assert_eq!(a.len(), 2, "{a:?}");
    assert_eq!(a[0]["claims"], json!(["name"]), "newest first: {a:?}");
    assert_eq!(a[1]["agency_uscc"], uscc(&four, agency));
    assert_eq!(a[1]["province"], agency_home.abbrev());
    assert_eq!(a[1]["at"], four.now().unix_timestamp());
    assert_eq!(a[1]["licenses"], json!([l["identifier"]]));
    assert_eq!(a[1]["consent_id"], id.as_str());

    // each refusal with its own code
    let refused = |s: u16, v: &Value, code: &str| {
        assert_eq!((s, v["code"].as_str()), (403, Some(code)), "{v}");
    };
    let (s, v) = fetch(
        &four,
        agency_home,
        agency,
        ZHANG_WEI,
        &format!("{q}&claims=name,id_number"),
    )
    .await;
    refused(s, &v, "claims_outside_consent");
    assert!(v["detail"].as_str().unwrap().contains("id_number"), "{v}");
    let (s, v) = fetch(
        &four,
        agency_home,
        agency,
        ZHANG_WEI,
        &format!("type=11100000000019713D001&consent={id}"),
    )
    .await;
    refused(s, &v, "type_outside_consent");
    let (s, v) = fetch(&four, agency_home, agency, LI_NA, &q).await;
    refused(s, &v, "holder_mismatch");
    let (s, v) = fetch(&four, agency_home, other_agency, ZHANG_WEI, &q).await;
    refused(s, &v, "no_consent");
    let unknown = format!("type={type_code}&consent=sh-{}", "0".repeat(32));
    let (s, v) = fetch(&four, agency_home, agency, ZHANG_WEI, &unknown).await;
    refused(s, &v, "no_consent");
    let (s, v) = fetch(
        &four,
        agency_home,
        agency,
        ZHANG_WEI,
        "type=x&consent=nonsense",
    )
    .await;
    refused(s, &v, "no_consent");
    let (s, v) = fetch(&four, agency_home, agency, ZHANG_WEI, "consent=x").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (422, Some("invalid_request")),
        "{v}"
    );
    // an agency with no request token at all
    let (s, _, _) = four
        .send(
            agency_home,
            "GET",
            &format!("/v1/holders/{ZHANG_WEI}/licenses?{q}"),
            None,
            None,
        )
        .await;
    assert_eq!(s, 401);

    // past its end: expired
    let now = four.now();
    four.set_now(until + time::Duration::seconds(1));
    let (s, v) = fetch(&four, agency_home, agency, ZHANG_WEI, &q).await;
    refused(s, &v, "consent_expired");
    four.set_now(now);

    // the holder lists, then revokes: the next fetch is refused
    let (_, listed) = as_holder(
        &four,
        Shanghai,
        &token,
        reqwest::Method::GET,
        "/v1/holder/consents",
        None,
    )
    .await;
    assert_eq!(listed["consents"][0]["id"], id.as_str(), "{listed}");
    assert_eq!(listed["consents"][0]["active"], true);
    let (s, r) = as_holder(
        &four,
        Shanghai,
        &token,
        reqwest::Method::POST,
        &format!("/v1/holder/consents/{id}/revoke"),
        None,
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["revoked_at"], four.now().unix_timestamp());
    let (s, v) = fetch(&four, agency_home, agency, ZHANG_WEI, &q).await;
    refused(s, &v, "consent_revoked");
    let (_, listed) = as_holder(
        &four,
        Shanghai,
        &token,
        reqwest::Method::GET,
        "/v1/holder/consents",
        None,
    )
    .await;
    assert_eq!(listed["consents"][0]["active"], false);
    // another holder cannot revoke it, nor see its accesses
    let li = sign_in(&four, Shanghai, "li-na").await;
    let (s, v) = as_holder(
        &four,
        Shanghai,
        &li,
        reqwest::Method::POST,
        &format!("/v1/holder/consents/{id}/revoke"),
        None,
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (404, Some("not_found")), "{v}");
    let (_, a) = as_holder(
        &four,
        Shanghai,
        &li,
        reqwest::Method::GET,
        "/v1/holder/accesses",
        None,
    )
    .await;
    assert_eq!(a["accesses"], json!([]));

    // granting, revoking and each access are in the Shanghai node's archive log
    let acts = archive_acts(&four, Shanghai).await;
    for (act, n) in [
        ("consent.granted", 1),
        ("consent.revoked", 1),
        ("license.retrieved", 2),
    ] {
        assert_eq!(
            acts.iter().filter(|a| *a == act).count(),
            n,
            "{act}: {acts:?}"
        );
    }
}

/// The acts of `p`'s node's archive log, in order.
async fn archive_acts(four: &FourNodes, p: Province) -> Vec<String> {
    let (s, _, b) = four
        .send(
            p,
            "GET",
            "/v1/archive/entries?from=0&count=1000",
            None,
            None,
        )
        .await;
    assert_eq!(s, 200);
    let v: Value = serde_json::from_slice(&b).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|e| e["act"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn grants_are_checked_and_an_agency_missing_from_the_trust_list_is_refused() {
    let four = seeded().await;
    let token = sign_in(&four, Shanghai, "zhang-wei").await;
    let until = rfc3339(four.now() + time::Duration::days(1));
    let grant = |body: Value| {
        let four = &four;
        let token = &token;
        async move {
            as_holder(
                four,
                Shanghai,
                token,
                reqwest::Method::POST,
                "/v1/holder/consents",
                Some(body),
            )
            .await
        }
    };
    let good = json!({
        "agency": uscc(&four, "zj-agency-psb"), "type_code": QUALIFICATION,
        "purpose": "落户", "claims": ["name"], "until": until,
    });
    for (edit, needle) in [
        (
            json!({"agency": "91310000000000000X"}),
            "not an issuing agency",
        ),
        (json!({"claims": []}), "claims"),
        (json!({"purpose": ""}), "purpose"),
        (json!({"until": "2020-01-01T00:00:00Z"}), "future"),
        (json!({"until": "tomorrow"}), "RFC 3339"),
        (json!({"license": "x"}), "either"),
    ] {
        let mut body = good.clone();
        for (k, v) in edit.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (s, v) = grant(body).await;
        assert_eq!(s, 422, "{v}");
        assert!(
            v["detail"].as_str().unwrap().contains(needle),
            "{needle}: {v}"
        );
    }
    // no ID token: 401
    let (s, _) = as_holder(
        &four,
        Shanghai,
        "x",
        reqwest::Method::GET,
        "/v1/holder/consents",
        None,
    )
    .await;
    assert_eq!(s, 401);
    // one license by its identifier
    let (_, ls) = super::gathered::licenses(&four, Shanghai, &token).await;
    let js = ls["licenses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["province"] == "JS")
        .unwrap();
    let mut one = good.clone();
    one.as_object_mut().unwrap().remove("type_code");
    one["license"] = js["identifier"].clone();
    let (s, c) = grant(one).await;
    assert_eq!(s, 201, "{c}");
    assert_eq!(c["type_code"], QUALIFICATION);
    assert_eq!(c["license"], js["identifier"]);

    // the same agency once the trust list no longer names it: refused on its node
    let zj_psb = uscc(&four, "zj-agency-psb");
    let bare = FourNodes::start_with(|l| {
        for p in &mut l.provinces {
            p.issuing_agencies.retain(|a| a.uscc != zj_psb);
        }
    })
    .await;
    let q = format!("type={QUALIFICATION}&consent={}", c["id"].as_str().unwrap());
    let (s, v) = fetch(&bare, Zhejiang, "zj-agency-psb", ZHANG_WEI, &q).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (403, Some("agency_not_trusted")),
        "{v}"
    );
}
