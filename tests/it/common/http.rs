//! Driving a router without a socket: request tokens, one request through
//! `tower::ServiceExt::oneshot`, and the problem+json check.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use deltaseal::adapters::keystore::KeyStore;
use deltaseal::jose::make_request_token;
use serde_json::Value;
use time::OffsetDateTime;
use tower::ServiceExt;

/// The certificates a request token carries.
#[derive(Clone, Copy, Debug)]
pub enum Chain {
    /// the entry's certificate only
    Leaf,
    /// the entry's certificate, then its issuer's
    WithIssuer,
}

/// A request token signed by the key-store entry `id` (its USCC, or `id` when it has
/// none), for audience `aud`, issued at `iat`, valid for `life` seconds.
pub fn request_token(
    keys: &KeyStore,
    id: &str,
    chain: Chain,
    aud: &str,
    iat: OffsetDateTime,
    life: i64,
) -> String {
    let e = keys.get(id).unwrap();
    let certs = match chain {
        Chain::Leaf => vec![e.cert_der.clone()],
        Chain::WithIssuer => vec![
            e.cert_der.clone(),
            keys.issuer_of(id).unwrap().cert_der.clone(),
        ],
    };
    make_request_token(
        e.signer.as_ref(),
        &certs,
        e.info.uscc.as_deref().unwrap_or(id),
        aud,
        iat,
        life,
    )
    .unwrap()
}

/// What came back from one request.
pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The body as JSON, or as a JSON string of its text when it is not JSON.
    pub fn json_or_text(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&self.body).into()))
    }

    /// The reply has HTTP status `status` and is the problem+json of `code`.
    pub fn assert_problem(&self, status: StatusCode, code: &str) {
        assert_eq!(
            self.status,
            status,
            "{}",
            String::from_utf8_lossy(&self.body)
        );
        assert_problem(&self.content_type, &self.json(), status, code);
    }
}

/// Sends one request through `app`: `bearer` as the Authorization token, `body` with
/// its content type, and `headers` besides.
pub async fn call(
    app: &Router,
    method: &str,
    path: &str,
    bearer: Option<&str>,
    body: Option<(&str, Vec<u8>)>,
    headers: &[(&str, &str)],
) -> Reply {
    let mut b = Request::builder().method(method).uri(path);
    if let Some(t) = bearer {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    if let Some((content_type, _)) = &body {
        b = b.header("content-type", *content_type);
    }
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let req = b
        .body(
            body.map(|(_, bytes)| Body::from(bytes))
                .unwrap_or_else(Body::empty),
        )
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let content_type = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let headers = resp.headers().clone();
    let body = axum::body::to_bytes(resp.into_body(), 256 << 20)
        .await
        .unwrap()
        .to_vec();
    Reply {
        status,
        content_type,
        headers,
        body,
    }
}

/// `v` (of content type `ct`) is the problem+json of `code` with status `status`.
pub fn assert_problem(ct: &str, v: &Value, status: StatusCode, code: &str) {
    assert_eq!(ct, "application/problem+json", "{v}");
    assert_eq!(v["code"], code, "{v}");
    assert_eq!(v["status"], status.as_u16(), "{v}");
}
