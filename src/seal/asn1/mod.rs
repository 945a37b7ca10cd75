//! The GB/T 38540 / GM/T 0031 structures: SESeal, SES_SealInfo, SES_Header,
//! SES_ESPropertyInfo, SES_ESPictrueInfo, SES_Signature, TBS_Sign, ExtensionDatas.
//!
//! Reads v1 (GM/T 0031-2014), v4 (GB/T 38540-2020) and v5 (GM/T 0031-2025), the version
//! detected from the structure; writes v4. Every value keeps the exact DER bytes that were
//! signed ([`Seal::signed_bytes`], [`Stamp::signed_bytes`]) so signatures are checked over
//! what was signed, not over a re-encoding. All ASN.1 goes through the `der` crate.
//! Must not touch: signature checking and policy (see `verify`), files.

mod encode;
mod model;
mod parse;
mod raw;
pub(crate) mod time;

pub use encode::{seal_complete_v4, seal_info_v4, stamp_complete_v4, tbs_sign_v4};
pub use model::{
    CertDigest, CertList, ExtData, Header, Picture, PropertyInfo, Seal, SealInfo, SealVersion,
    Stamp,
};
pub use parse::MAX_DER_LEN;
