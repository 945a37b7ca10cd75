//! Holders (the people and companies licenses are issued to) signing in: OpenID Connect
//! ID tokens checked against the identity provider's keys ([`id_token`]), and the demo
//! identity provider of a node run with the demo keys ([`demo`]), and a holder's licenses
//! as their pages and the federation answer show them ([`licenses`]).
//!
//! Owns: what makes an ID token acceptable and who it names.
//! Must not touch: HTTP, storage, fetching a JWKS, clocks — time is an argument.

pub mod demo;
pub mod id_token;
pub mod licenses;

pub use demo::{demo_holder, make_id_token, DemoHolder, DEMO_CLIENT_ID, DEMO_HOLDERS};
pub use id_token::{token_kid, verify_id_token, HolderIdentity, IdTokenError, IdTokenPolicy, Jwks};
pub use licenses::{summarise, HolderLicense};
