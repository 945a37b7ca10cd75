//! The pages are served with every asset local: each `src`/`href` of `/holder` and
//! `/verify` is a path of this node that answers, nothing points elsewhere, and the
//! content security policy allows only the node's own scripts.

use super::*;

#[tokio::test]
async fn every_asset_of_the_pages_is_served_by_the_node_itself() {
    let n = HolderNode::new().await;
    for page in ["/holder", "/verify"] {
        let r = common::http::call(&n.app, "GET", page, None, None, &[]).await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.content_type.starts_with("text/html"));
        let csp = r.headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        let html = String::from_utf8(r.body.clone()).unwrap();
        assert!(html.contains("lang=\"zh-CN\"") && html.contains("width=device-width"));
        let refs: Vec<&str> = html
            .split(['"', '\''])
            .filter(|s| s.starts_with("/assets/") || s.starts_with("http") || s.starts_with("//"))
            .collect();
        assert!(refs.len() >= 3, "{refs:?}");
        for r in refs {
            assert!(r.starts_with("/assets/"), "{page} refers to {r}");
            let a = common::http::call(&n.app, "GET", r, None, None, &[]).await;
            assert_eq!(a.status, StatusCode::OK, "{r}");
            assert!(a.body.len() > 100, "{r}");
        }
    }
    let r = common::http::call(&n.app, "GET", "/assets/../Cargo.toml", None, None, &[]).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = common::http::call(
        &n.app,
        "GET",
        "/assets/vendor/jsQR.LICENSE",
        None,
        None,
        &[],
    )
    .await;
    assert!(String::from_utf8_lossy(&r.body).contains("Apache License"));
}
