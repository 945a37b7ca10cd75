//! The web pages the node serves, every asset local (no CDN): `/holder` (sign in, the
//! holder's licenses from every province, choose fields, the QR code with a countdown
//! that renews it) and `/verify` (camera scan, photo upload, paste → the verdict).
//! Each page is one HTML file and one small script over the node's own API; the
//! vendored QR decoder is listed with its licence in `assets/vendor/README.md`.
//!
//! Owns: serving the files with their media types and a content security policy that
//! allows only this node's own scripts, styles and images.

use axum::extract::Path;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

/// Scripts, styles and connections only to this node; images also as `data:` (the QR
/// PNG) and `blob:`; the camera's stream as `blob:`/`mediastream:`.
const CSP: &str =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
                   media-src 'self' blob: mediastream:; connect-src 'self'; object-src 'none'; \
                   base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// The assets: (name, media type, content).
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("assets/app.css"),
    ),
    (
        "i18n.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/i18n.js"),
    ),
    (
        "holder.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/holder.js"),
    ),
    (
        "verify.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/verify.js"),
    ),
    (
        "vendor/jsQR.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/vendor/jsQR.js"),
    ),
    (
        "vendor/jsQR.LICENSE",
        "text/plain; charset=utf-8",
        include_str!("assets/vendor/jsQR.LICENSE"),
    ),
];

fn page(html: &'static str) -> Response {
    let mut r = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

/// `GET /holder`.
pub async fn holder() -> Response {
    page(include_str!("assets/holder.html"))
}

/// `GET /verify`.
pub async fn verify() -> Response {
    page(include_str!("assets/verify.html"))
}

/// `GET /assets/{*name}`.
pub async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, ct, body)) => {
            let mut r = ([(header::CONTENT_TYPE, *ct)], *body).into_response();
            let h = r.headers_mut();
            h.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("max-age=300"),
            );
            r
        }
        None => super::ApiError::NoSuchRoute.into_response(),
    }
}
