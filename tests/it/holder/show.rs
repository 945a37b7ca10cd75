//! Show a license across provinces: a holder signed in on the Shanghai node shows a
//! Jiangsu-issued license; Zhejiang's node verifies the QR text (online: redeemed at
//! Jiangsu's node over a signed call, single use; offline: from the PNG, with the trust
//! list alone); a second scan is replayed, a late one expired, garbage a problem.

use super::gathered::{licenses, seeded, sign_in};
use base64::Engine;
use deltaseal::pki::Province;
use serde_json::{json, Value};

async fn show(
    four: &crate::common::four_nodes::FourNodes,
    token: &str,
    body: &Value,
) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(format!("{}/v1/show", four.url(Province::Shanghai)))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let s = resp.status().as_u16();
    (s, resp.json().await.unwrap_or(Value::Null))
}

async fn verify_raw(
    four: &crate::common::four_nodes::FourNodes,
    p: Province,
    media: &str,
    body: Vec<u8>,
) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(format!("{}/v1/verify", four.url(p)))
        .header("content-type", media)
        .body(body)
        .send()
        .await
        .unwrap();
    let s = resp.status().as_u16();
    (s, resp.json().await.unwrap_or(Value::Null))
}

fn check<'v>(v: &'v Value, code: &str) -> &'v Value {
    v["report"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {v}"))
}

#[tokio::test]
async fn a_jiangsu_license_shown_in_shanghai_verifies_in_zhejiang_once() {
    let four = seeded().await;
    let token = sign_in(&four, Province::Shanghai, "zhang-wei").await;
    let (_, v) = licenses(&four, Province::Shanghai, &token).await;
    let js = v["licenses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["province"] == "JS")
        .unwrap()
        .clone();
    let id = js["identifier"].as_str().unwrap();
    let chosen = ["holder", "license_number"];

    // Online, for Zhejiang.
    let (s, shown) = show(
        &four,
        &token,
        &json!({"license": id, "disclose": chosen, "mode": "online", "audience": "ZJ"}),
    )
    .await;
    assert_eq!(s, 200, "{shown}");
    let text = shown["text"].as_str().unwrap().to_string();
    assert!(text.starts_with("DS1:"));
    // the issuing node (JS) has the token on its archive log, under the license
    let logged = four
        .node(Province::Jiangsu)
        .store()
        .archive_entries_of(id)
        .await
        .unwrap();
    assert!(
        logged
            .iter()
            .any(|l| l.entry.act == deltaseal::archive::entry::Act::ShowTokenIssued),
        "{logged:?}"
    );
    let png = base64::engine::general_purpose::STANDARD
        .decode(shown["png"].as_str().unwrap())
        .unwrap();
    let read = deltaseal::qr::image::decode_picture(&png).unwrap();
    assert_eq!(read[0].text, text);
    assert!(shown["svg"].as_str().unwrap().contains("<svg"));

    let (s, v) = verify_raw(
        &four,
        Province::Zhejiang,
        "text/plain",
        text.clone().into_bytes(),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["report"]["indication"], "TOTAL_PASSED", "{v}");
    let mut names: Vec<&str> = v["claims"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    assert_eq!(names, vec!["holder", "license_number"], "{v}");
    assert_eq!(v["show"]["mode"], "online");
    assert!(v["show"]["holder_code_masked"]
        .as_str()
        .unwrap()
        .contains('*'));
    assert_eq!(v["province"]["code"], "JS", "{v}");
    assert_eq!(check(&v, "show.single_use")["outcome"], "PASSED");
    // with its archive evidence: the token's entry on the issuing node's (JS) log,
    // found by the record rebuilt from the token and the claims redeemed
    let shown_at = logged
        .iter()
        .find(|l| l.entry.act == deltaseal::archive::entry::Act::ShowTokenIssued)
        .unwrap()
        .index;
    assert_eq!(v["archive"]["status"], "archived", "{v}");
    assert_eq!(v["archive"]["province"], "JS", "{v}");
    assert_eq!(v["archive"]["index"], shown_at, "{v}");

    // The same token again, at another province's node: replayed.
    let (s, v) = verify_raw(
        &four,
        Province::Zhejiang,
        "text/plain",
        text.clone().into_bytes(),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["report"]["indication"], "TOTAL_FAILED", "{v}");
    assert_eq!(check(&v, "show.single_use")["outcome"], "FAILED");
    assert!(check(&v, "show.single_use")["reason"]["en"]
        .as_str()
        .unwrap()
        .contains("replayed"));

    // Anhui is not the audience: refused before anything is redeemed.
    let (_, fresh) = show(
        &four,
        &token,
        &json!({"license": id, "disclose": chosen, "audience": "ZJ"}),
    )
    .await;
    let fresh = fresh["text"].as_str().unwrap().to_string();
    let (_, v) = verify_raw(
        &four,
        Province::Anhui,
        "text/plain",
        fresh.clone().into_bytes(),
    )
    .await;
    assert_eq!(check(&v, "show.audience")["outcome"], "FAILED", "{v}");
    // ... so Zhejiang can still use it.
    let (_, v) = verify_raw(&four, Province::Zhejiang, "text/plain", fresh.into_bytes()).await;
    assert_eq!(v["report"]["indication"], "TOTAL_PASSED", "{v}");

    // Offline, scanned from the PNG a clerk photographs.
    let (s, shown) = show(
        &four,
        &token,
        &json!({"license": id, "disclose": chosen, "mode": "offline", "ttl_s": 60}),
    )
    .await;
    assert_eq!(s, 200, "{shown}");
    let png = base64::engine::general_purpose::STANDARD
        .decode(shown["png"].as_str().unwrap())
        .unwrap();
    let (s, v) = verify_raw(&four, Province::Zhejiang, "image/png", png.clone()).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["report"]["indication"], "TOTAL_PASSED", "{v}");
    assert_eq!(v["show"]["mode"], "offline");
    assert_eq!(v["claims"].as_object().unwrap().len(), 2);
    assert_eq!(v["archive"]["status"], "archived", "{v}");
    assert!(v["archive"]["index"].as_u64().unwrap() > shown_at, "{v}");

    // Past its expiry and the skew: expired.
    four.set_now(four.now() + time::Duration::seconds(60 + 31));
    let (_, v) = verify_raw(&four, Province::Zhejiang, "image/png", png).await;
    assert_eq!(check(&v, "show.expiry")["outcome"], "FAILED", "{v}");

    // Garbage: a problem for a picture, a failed verdict for text; never a 500.
    let (s, v) = verify_raw(
        &four,
        Province::Zhejiang,
        "image/png",
        b"\x89PNGnope".to_vec(),
    )
    .await;
    assert!((400..500).contains(&s), "{s} {v}");
    let (s, v) = verify_raw(
        &four,
        Province::Zhejiang,
        "text/plain",
        b"DS1:%%%%".to_vec(),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(check(&v, "show.decode")["outcome"], "FAILED", "{v}");

    // Another holder cannot show it.
    let li = sign_in(&four, Province::Shanghai, "li-na").await;
    let (s, _) = show(&four, &li, &json!({"license": id, "disclose": chosen})).await;
    assert_eq!(s, 404);
    let (s, _) = show(&four, "nope", &json!({"license": id, "disclose": chosen})).await;
    assert_eq!(s, 401);
}
