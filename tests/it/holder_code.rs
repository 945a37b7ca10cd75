//! Holder codes are checked by their type when a license is issued or a proof
//! requested: a citizen identity number by its GB 11643 check character, a USCC by its
//! GB 32100 check character; a code that does not fit is `422 invalid_holder_code`.

use crate::common::node::TestNode;
use crate::http::{business_license, citizen_id, id_card};
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_holder_code_that_does_not_fit_its_type_is_refused() {
    let api = TestNode::new().await;
    let good = citizen_id("31010119900101123");
    let last = good.chars().last().unwrap();
    let wrong_check = format!("{}{}", &good[..17], if last == '0' { '1' } else { '0' });
    for (code, detail) in [
        ("1", "has 18 characters, this one has 1"),
        (
            "31010119900101123x",
            "17 digits and a check character 0-9 or X",
        ),
        (wrong_check.as_str(), "check character"),
    ] {
        let mut body = id_card(1);
        body["holder_code"] = code.into();
        let (s, v) = api.post("sh-agency-psb", "/v1/licenses", &body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{code}: {v}");
        assert_eq!(v["code"], "invalid_holder_code", "{v}");
        assert!(v["detail"].as_str().unwrap().contains(detail), "{v}");
    }
    // the detail names the check character the code should have
    let mut body = id_card(1);
    body["holder_code"] = wrong_check.clone().into();
    let (_, v) = api.post("sh-agency-psb", "/v1/licenses", &body).await;
    assert!(
        v["detail"].as_str().unwrap().contains(&format!("{last:?}")),
        "{v}"
    );
    let mut body = id_card(1);
    body["holder_code"] = good.clone().into();
    let (s, v) = api.post("sh-agency-psb", "/v1/licenses", &body).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");

    // a USCC holder (type 001) by its own check character
    let mut bad_uscc = business_license();
    bad_uscc["holder_code"] = "91310000MA1FL8XQ30".into();
    let (s, v) = api.post("sh-agency-samr", "/v1/licenses", &bad_uscc).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("invalid_holder_code")
        ),
        "{v}"
    );
    assert!(v["detail"].as_str().unwrap().contains("'7'"), "{v}");
    let (s, v) = api
        .post("sh-agency-samr", "/v1/licenses", &business_license())
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");

    // in a batch, the refused item is named and nothing is issued
    let mut second = id_card(3);
    second["holder_code"] = "1".into();
    let (s, v) = api
        .post(
            "sh-agency-psb",
            "/v1/licenses:batch",
            &json!({"items": [id_card(2), second]}),
        )
        .await;
    assert_eq!(
        (s, v["code"].as_str(), v["item"].as_u64()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("invalid_holder_code"),
            Some(1)
        ),
        "{v}"
    );
    assert_eq!(api.count().await, 2);

    // a proof request's applicant code too, when it is made
    let req = |code: &str| {
        json!({"type_code": "11100000000019713D101", "applicant": "王五",
            "applicant_code": code, "purpose": "签证申请"})
    };
    let (s, v) = api
        .post("sh-agency-psb", "/v1/proofs/requests", &req("1"))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("invalid_holder_code")
        ),
        "{v}"
    );
    let (s, v) = api
        .post(
            "sh-agency-psb",
            "/v1/proofs/requests",
            &req(&citizen_id("31010119850505001")),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    api.db.finish().await;
}
