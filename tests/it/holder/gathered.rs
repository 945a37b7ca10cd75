//! A holder signed in on the Shanghai node sees their licenses from all four
//! provinces: Shanghai's from its own store, the others' over the signed federation
//! call; a node that is down is reported as unavailable, not as an error.

use crate::common::four_nodes::FourNodes;
use deltaseal::adapters::http::demo_data;
use deltaseal::pki::Province;
use serde_json::Value;

/// Four nodes, each with its demo licenses issued.
pub async fn seeded() -> FourNodes {
    let four = FourNodes::start().await;
    for p in Province::ALL {
        demo_data::seed(four.node(p)).await.unwrap();
    }
    four
}

/// `POST /demo-idp/sign-in` on province `p`'s node → the ID token.
pub async fn sign_in(four: &FourNodes, p: Province, holder: &str) -> String {
    let (s, v) = four
        .post_json(
            p,
            "/demo-idp/sign-in",
            None,
            &serde_json::json!({ "holder": holder }),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    v["id_token"].as_str().unwrap().to_string()
}

/// `GET /v1/holder/licenses` on `p`'s node with `token` → (status, body).
pub async fn licenses(four: &FourNodes, p: Province, token: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .get(format!("{}/v1/holder/licenses", four.url(p)))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let s = resp.status().as_u16();
    (s, resp.json().await.unwrap_or(Value::Null))
}

fn outcome(v: &Value, p: &str) -> (String, u64) {
    let e = v["provinces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["province"] == p)
        .unwrap_or_else(|| panic!("no {p} in {v}"));
    (
        e["outcome"].as_str().unwrap().to_string(),
        e["count"].as_u64().unwrap(),
    )
}

#[tokio::test]
async fn a_holder_sees_licenses_from_every_province_and_a_down_node_is_named() {
    let mut four = seeded().await;
    // seeding again issues nothing
    for p in Province::ALL {
        assert_eq!(demo_data::seed(four.node(p)).await.unwrap(), 0);
    }
    let token = sign_in(&four, Province::Shanghai, "zhang-wei").await;
    let (s, v) = licenses(&four, Province::Shanghai, &token).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["holder"]["holder_code"], "310101199003072014");
    let ls = v["licenses"].as_array().unwrap();
    let by = |p: &str| ls.iter().filter(|l| l["province"] == p).count();
    assert_eq!(
        (by("SH"), by("JS"), by("ZJ"), by("AH")),
        (2, 1, 1, 0),
        "{v}"
    );
    for l in ls {
        assert_eq!(l["claims"]["holder_code"], "310101199003072014");
        assert_eq!(l["status"], "valid");
        assert!(
            l.get("credential").is_none(),
            "credentials stay between nodes"
        );
        assert!(
            l["issuer_name"].as_str().unwrap().contains("省")
                || l["issuer_name"].as_str().unwrap().contains("市")
        );
        assert!(!l["valid_from"].as_str().unwrap().is_empty());
    }
    let js = ls.iter().find(|l| l["province"] == "JS").unwrap();
    assert_eq!(js["type_name"], "职业资格证书");
    assert_eq!(js["issuer_code"], "113200000140001234");
    assert_eq!(js["province_name_en"], "Jiangsu");
    assert_eq!(outcome(&v, "SH"), ("local".into(), 2));
    assert_eq!(outcome(&v, "JS"), ("answered".into(), 1));
    assert_eq!(outcome(&v, "ZJ"), ("answered".into(), 1));
    assert_eq!(outcome(&v, "AH"), ("answered".into(), 0));

    // another holder sees only their own
    let li = sign_in(&four, Province::Shanghai, "li-na").await;
    let (_, v) = licenses(&four, Province::Shanghai, &li).await;
    let ls = v["licenses"].as_array().unwrap();
    assert_eq!(ls.len(), 2, "{v}");
    assert!(ls
        .iter()
        .all(|l| l["claims"]["holder_code"] == "320102198506123024"));

    // a status change on the issuing node shows
    let ident = js["identifier"].as_str().unwrap().to_string();
    let (s, _) = four
        .change_status("js-agency-hrss", &ident, "suspend", "check")
        .await;
    assert_eq!(s, 200);
    let (_, v) = licenses(&four, Province::Shanghai, &token).await;
    let js = v["licenses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["identifier"] == ident.as_str())
        .unwrap()
        .clone();
    assert_eq!(js["status"], "suspended");

    // Zhejiang's node stops: its part is unavailable, the rest still there
    four.stop(Province::Zhejiang).await;
    let (s, v) = licenses(&four, Province::Shanghai, &token).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(outcome(&v, "ZJ").0, "unavailable");
    let zj = v["provinces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["province"] == "ZJ")
        .unwrap();
    assert!(
        zj["detail"]
            .as_str()
            .unwrap()
            .contains(four.url(Province::Zhejiang)),
        "{zj}"
    );
    assert_eq!(outcome(&v, "JS"), ("answered".into(), 1));
    assert_eq!(v["licenses"].as_array().unwrap().len(), 3);

    // no token, or a token of another node's provider: 401
    let (s, _) = licenses(&four, Province::Shanghai, "x").await;
    assert_eq!(s, 401);
    let js_token = sign_in(&four, Province::Jiangsu, "zhang-wei").await;
    let (s, v) = licenses(&four, Province::Shanghai, &js_token).await;
    assert_eq!(s, 401, "{v}");
    assert!(v["detail"].as_str().unwrap().contains("issuer"), "{v}");
}
