//! Holder sign-in: the demo provider's ID tokens sign a holder in; missing, tampered,
//! expired, other-audience, other-issuer, foreign-key and `alg: none` tokens are 401
//! problem+json, each for its own reason; an ID token made by a JOSE library nobody
//! here wrote (`jwcrypto`) is accepted from a configured JWKS file.

use super::*;
use deltaseal::crypto::{Algorithm, SoftwareSigner};
use deltaseal::holder::{self, demo_holder, make_id_token, IdTokenError, IdTokenPolicy, Jwks};
use deltaseal::jose::b64;

async fn me(n: &HolderNode, token: Option<&str>) -> common::http::Reply {
    common::http::call(&n.app, "GET", "/v1/holder/me", token, None, &[]).await
}

fn detail(r: &common::http::Reply) -> String {
    r.json()["detail"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn a_demo_holder_signs_in_and_is_named_by_the_token() {
    let n = HolderNode::new().await;
    let token = n.sign_in("zhang-wei").await;
    let r = me(&n, Some(&token)).await;
    assert_eq!(r.status, StatusCode::OK);
    let v = r.json();
    assert_eq!(v["subject"], "zhang-wei");
    assert_eq!(v["holder_code"], "310101199003072014");
    assert_eq!(v["holder_code_type"], "111");
    assert_eq!(v["name"], "张伟");
    let company = n.sign_in("delta-trading").await;
    let v = me(&n, Some(&company)).await.json();
    assert_eq!(
        (v["holder_code_type"].as_str(), v["holder_code"].as_str()),
        (Some("001"), Some("91310115MA1H7D2Q8Y"))
    );
    // the demo JWKS served is the key that verifies
    let r = common::http::call(&n.app, "GET", "/demo-idp/jwks.json", None, None, &[]).await;
    let jwks = Jwks::parse(&r.body).unwrap();
    let policy = IdTokenPolicy {
        issuer: format!("{BASE}/demo-idp"),
        audience: holder::DEMO_CLIENT_ID.into(),
    };
    let id = holder::verify_id_token(&token, &jwks, &policy, common::fixed_now().unix_timestamp())
        .unwrap();
    assert_eq!(id.subject, "zhang-wei");
    // unknown demo holders are a 400, not a token
    let r = common::http::call(
        &n.app,
        "POST",
        "/demo-idp/sign-in",
        None,
        Some(("application/json", br#"{"holder":"nobody"}"#.to_vec())),
        &[],
    )
    .await;
    r.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request");
}

#[tokio::test]
async fn refused_tokens_are_401_each_with_its_reason() {
    let n = HolderNode::new().await;
    let now = common::fixed_now().unix_timestamp();
    let good = n.sign_in("li-na").await;
    let key = demo_idp_key();
    let signer = SoftwareSigner::new("demo", key);
    let who = demo_holder("li-na").unwrap();
    let iss = format!("{BASE}/demo-idp");
    let make = |kid: &str, iss: &str, aud: &str, iat: i64, life: i64| {
        make_id_token(&signer, kid, iss, aud, who, iat, life).unwrap()
    };

    let r = me(&n, None).await;
    r.assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    assert!(detail(&r).contains("Authorization"), "{}", detail(&r));

    // one signature character changed
    let mut tampered = good.clone().into_bytes();
    let last = tampered.len() - 3;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    // the payload changed (another holder code), signature kept
    let parts: Vec<&str> = good.split('.').collect();
    let mut claims: serde_json::Value =
        serde_json::from_slice(&deltaseal::jose::b64_decode(parts[1], "t", 1 << 16).unwrap())
            .unwrap();
    claims["holder_code"] = "310101199003072014".into();
    let swapped = format!(
        "{}.{}.{}",
        parts[0],
        b64(claims.to_string().as_bytes()),
        parts[2]
    );
    // alg none
    let none = format!("{}.{}.", b64(br#"{"alg":"none","typ":"JWT"}"#), parts[1]);
    let other_key = SoftwareSigner::new(
        "x",
        PrivateKey::generate(Algorithm::EcdsaP256Sha256).unwrap(),
    );
    let foreign = make_id_token(
        &other_key,
        holder::demo::DEMO_KID,
        &iss,
        holder::DEMO_CLIENT_ID,
        who,
        now,
        600,
    )
    .unwrap();

    let cases: Vec<(&str, String, &str)> = vec![
        ("tampered signature", tampered, "signature does not verify"),
        ("swapped claims", swapped, "signature does not verify"),
        ("alg none", none, "alg \"none\""),
        ("foreign key", foreign, "signature does not verify"),
        (
            "unknown kid",
            make("other-kid", &iss, holder::DEMO_CLIENT_ID, now, 600),
            "no key of the identity provider",
        ),
        (
            "other audience",
            make(holder::demo::DEMO_KID, &iss, "another-client", now, 600),
            "not for client",
        ),
        (
            "other issuer",
            make(
                holder::demo::DEMO_KID,
                "https://idp.example",
                holder::DEMO_CLIENT_ID,
                now,
                600,
            ),
            "issuer",
        ),
        (
            "expired",
            make(
                holder::demo::DEMO_KID,
                &iss,
                holder::DEMO_CLIENT_ID,
                now - 7200,
                3600,
            ),
            "expired",
        ),
        (
            "issued in the future",
            make(
                holder::demo::DEMO_KID,
                &iss,
                holder::DEMO_CLIENT_ID,
                now + 600,
                600,
            ),
            "expired",
        ),
        (
            "too long-lived",
            make(
                holder::demo::DEMO_KID,
                &iss,
                holder::DEMO_CLIENT_ID,
                now,
                86400 * 30,
            ),
            "at most",
        ),
        ("garbage", "not a token at all".into(), "malformed"),
    ];
    for (what, token, reason) in cases {
        let r = me(&n, Some(&token)).await;
        r.assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
        assert!(detail(&r).contains(reason), "{what}: {}", detail(&r));
    }
    // the good token expires with the clock
    assert_eq!(me(&n, Some(&good)).await.status, StatusCode::OK);
    n.advance(holder::demo::DEMO_TOKEN_LIFETIME + 61);
    let r = me(&n, Some(&good)).await;
    r.assert_problem(StatusCode::UNAUTHORIZED, "unauthenticated");
    assert!(detail(&r).contains("expired"));
}

#[test]
fn an_invalid_holder_code_in_a_signed_token_is_refused() {
    let key = demo_idp_key();
    let public = key.public_key().clone();
    let signer = SoftwareSigner::new("demo", key);
    let mut who = *demo_holder("wang-qiang").unwrap();
    who.holder_code = "330102199208154031"; // check character should be X
    let now = common::fixed_now().unix_timestamp();
    let t = make_id_token(
        &signer,
        holder::demo::DEMO_KID,
        "https://i",
        "c",
        &who,
        now,
        60,
    )
    .unwrap();
    let jwks = holder::demo::demo_jwks(&public);
    let policy = IdTokenPolicy {
        issuer: "https://i".into(),
        audience: "c".into(),
    };
    assert!(matches!(
        holder::verify_id_token(&t, &jwks, &policy, now),
        Err(IdTokenError::HolderCode(_))
    ));
    who.holder_code = "330102199208154036";
    who.holder_code_type = deltaseal::license::HolderCodeType::Passport;
    let t = make_id_token(
        &signer,
        holder::demo::DEMO_KID,
        "https://i",
        "c",
        &who,
        now,
        60,
    )
    .unwrap();
    assert_eq!(
        holder::verify_id_token(&t, &jwks, &policy, now),
        Err(IdTokenError::Claim("holder_code_type"))
    );
}

#[tokio::test]
async fn a_jwcrypto_id_token_signs_in_through_a_configured_jwks_file() {
    let py = crate::license::interop::python();
    let dir = tempfile::tempdir().unwrap();
    let script = r#"
import json, sys, time
from jwcrypto import jwk, jwt
now = int(sys.argv[1])
k = jwk.JWK.generate(kty="EC", crv="P-256", kid="idp-2026")
claims = {"iss": "https://idp.example.gov.cn", "sub": "u-1", "aud": "deltaseal-sh",
          "iat": now, "exp": now + 300, "name": "陈静",
          "holder_code": "340102197801015041", "holder_code_type": "111"}
t = jwt.JWT(header={"alg": "ES256", "kid": "idp-2026", "typ": "JWT"}, claims=claims)
t.make_signed_token(k)
print(json.dumps({"jwks": {"keys": [json.loads(k.export_public())]}, "token": t.serialize()}))
"#;
    let out = std::process::Command::new(py)
        .arg("-c")
        .arg(script)
        .arg(common::fixed_now().unix_timestamp().to_string())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let file = dir.path().join("jwks.json");
    std::fs::write(&file, v["jwks"].to_string()).unwrap();
    let policy = IdTokenPolicy {
        issuer: "https://idp.example.gov.cn".into(),
        audience: "deltaseal-sh".into(),
    };
    let location = file.display().to_string();
    let n =
        HolderNode::with_idp(|| IdentityProvider::from_jwks_location(policy, &location).unwrap())
            .await;
    let token = v["token"].as_str().unwrap();
    let r = me(&n, Some(token)).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(r.json()["name"], "陈静");
    assert_eq!(r.json()["subject"], "u-1");
    // the demo routes are not served by a node with its own provider
    let r = common::http::call(
        &n.app,
        "POST",
        "/demo-idp/sign-in",
        None,
        Some(("application/json", br#"{"holder":"chen-jing"}"#.to_vec())),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
