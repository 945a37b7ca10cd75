//! Signed calls between the provinces' nodes. Each call carries a short-lived JWT
//! ([`call`]) signed by the calling node's show-license service key; the called node
//! accepts it only if the trust list lists that key as a show service of a province,
//! the certificate chains to that province's root, the `iss` is that province's node
//! URL, the `aud` is the called node, and the method, path and body are the ones
//! signed.
//!
//! Owns: making and checking those tokens.
//! Must not touch: HTTP, storage (remembering `jti`s against replay is the caller's),
//! clocks — time is an argument.

pub mod call;

pub use call::{
    sign_node_call, verify_node_call, CallTarget, NodeCallError, NodeCaller,
    MAX_NODE_CALL_LIFETIME, NODE_CALL_TYP,
};
