//! Signed federation calls: a call signed by a province's show-license service for the
//! called node is answered; unsigned, replayed, expired, other-audience, other-route,
//! other-body, wrong-node and not-a-show-service tokens are refused, each with its
//! reason — both algorithms (SH signs with SM2, JS with P-256).

use super::gathered::seeded;
use crate::common::four_nodes::FourNodes;
use deltaseal::federation::{sign_node_call, CallTarget};
use deltaseal::pki::{Province, Role};
use rstest::rstest;
use serde_json::{json, Value};

const PATH: &str = "/v1/federation/holder-licenses";

#[allow(clippy::too_many_arguments)]
fn token(
    four: &FourNodes,
    from: Province,
    signer_role: Role,
    iss: &str,
    to: &str,
    path: &str,
    body: &[u8],
    iat_offset: i64,
    life: i64,
) -> String {
    let e = four.keys.find(signer_role, from).unwrap();
    sign_node_call(
        e.signer.as_ref(),
        std::slice::from_ref(&e.cert_der),
        iss,
        to,
        &CallTarget {
            method: "POST",
            path,
            body,
        },
        four.now() + time::Duration::seconds(iat_offset),
        life,
    )
    .unwrap()
}

async fn post(
    four: &FourNodes,
    to: Province,
    path: &str,
    token: Option<&str>,
    body: &[u8],
) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{}{path}", four.url(to)))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let r = req.send().await.unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

#[rstest]
#[case::sm2_caller(Province::Shanghai, Province::Jiangsu)]
#[case::p256_caller(Province::Jiangsu, Province::Shanghai)]
#[tokio::test]
async fn only_a_call_signed_for_this_node_route_and_body_by_a_listed_show_service_is_answered(
    #[case] from: Province,
    #[case] to: Province,
) {
    let four = seeded().await;
    let body = json!({"holder_code": "310101199003072014", "holder_code_type": "111"})
        .to_string()
        .into_bytes();
    let (iss, aud) = (four.url(from).to_string(), four.url(to).to_string());
    let good = token(
        &four,
        from,
        Role::ShowService,
        &iss,
        &aud,
        PATH,
        &body,
        0,
        60,
    );
    let (s, v) = post(&four, to, PATH, Some(&good), &body).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["province"], to.abbrev());
    let n = v["licenses"].as_array().unwrap().len();
    assert!(n >= 1, "{v}");
    assert!(v["licenses"][0]["credential"]
        .as_str()
        .unwrap()
        .contains('~'));

    // the same token again: replayed
    let (s, v) = post(&four, to, PATH, Some(&good), &body).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (401, Some("token_replayed")),
        "{v}"
    );

    let other = four.url(Province::Anhui).to_string();
    let other_body = json!({"holder_code": "320102198506123024", "holder_code_type": "111"})
        .to_string()
        .into_bytes();
    let cases: Vec<(&str, Option<String>, Vec<u8>, &str)> = vec![
        ("unsigned", None, body.clone(), "Authorization"),
        (
            "other audience",
            Some(token(
                &four,
                from,
                Role::ShowService,
                &iss,
                &other,
                PATH,
                &body,
                0,
                60,
            )),
            body.clone(),
            "another node",
        ),
        (
            "other body",
            Some(token(
                &four,
                from,
                Role::ShowService,
                &iss,
                &aud,
                PATH,
                &body,
                0,
                60,
            )),
            other_body.clone(),
            "another body",
        ),
        (
            "other route",
            Some(token(
                &four,
                from,
                Role::ShowService,
                &iss,
                &aud,
                "/v1/federation/other",
                &body,
                0,
                60,
            )),
            body.clone(),
            "another path",
        ),
        (
            "expired",
            Some(token(
                &four,
                from,
                Role::ShowService,
                &iss,
                &aud,
                PATH,
                &body,
                -600,
                60,
            )),
            body.clone(),
            "expired",
        ),
        (
            "too long",
            Some(token(
                &four,
                from,
                Role::ShowService,
                &iss,
                &aud,
                PATH,
                &body,
                0,
                290,
            )),
            body.clone(),
            "at most 120",
        ),
        (
            "claims another node",
            Some(token(
                &four,
                from,
                Role::ShowService,
                &other,
                &aud,
                PATH,
                &body,
                0,
                60,
            )),
            body.clone(),
            "is not",
        ),
        (
            "not a show service",
            Some(token(
                &four,
                from,
                Role::SealAuthority,
                &iss,
                &aud,
                PATH,
                &body,
                0,
                60,
            )),
            body.clone(),
            "not a show service",
        ),
        ("garbage", Some("a.b.c".into()), body.clone(), "malformed"),
    ];
    for (what, t, b, reason) in cases {
        let (s, v) = post(&four, to, PATH, t.as_deref(), &b).await;
        assert_eq!(s, 401, "{what}: {v}");
        assert!(
            v["detail"].as_str().unwrap_or_default().contains(reason),
            "{what}: {v}"
        );
    }
    // a hostile body under a good signature: 4xx, never a 500
    let junk = b"{\"holder_code\": 5}".to_vec();
    let t = token(
        &four,
        from,
        Role::ShowService,
        &iss,
        &aud,
        PATH,
        &junk,
        0,
        60,
    );
    let (s, v) = post(&four, to, PATH, Some(&t), &junk).await;
    assert!((400..500).contains(&s), "{s} {v}");
}
