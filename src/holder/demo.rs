//! The demo identity provider of a node run with the demo keys: a few demo citizens and
//! a demo company, and ID tokens for them signed with the committed demo key
//! (`keys/demo-idp/idp.key.pem`). **Demo only**: anyone holding the repository can sign
//! in as these holders; a production node configures its own identity provider.

use super::id_token::Jwks;
use crate::crypto::{PublicKey, Signer};
use crate::jose::{sign_compact, JoseError};
use crate::license::HolderCodeType;
use serde_json::{Map, Value};

/// The demo client id (the `aud` of demo ID tokens).
pub const DEMO_CLIENT_ID: &str = "deltaseal-holder";
/// The `kid` of the demo key.
pub const DEMO_KID: &str = "demo-idp-1";
/// Lifetime of a demo ID token, seconds.
pub const DEMO_TOKEN_LIFETIME: i64 = 3600;
/// The demo key's file under the keys directory.
pub const DEMO_KEY_FILE: &str = "demo-idp/idp.key.pem";

/// A demo holder: who can sign in at the demo identity provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoHolder {
    /// The demo sign-in name (`sub`, and what `POST /demo-idp/sign-in` takes).
    pub id: &'static str,
    /// Name.
    pub name: &'static str,
    /// Name in Latin letters (the English page).
    pub name_en: &'static str,
    /// Citizen identity number or USCC (valid check characters).
    pub holder_code: &'static str,
    /// Its type.
    pub holder_code_type: HolderCodeType,
}

/// The demo citizens and the demo company.
pub const DEMO_HOLDERS: &[DemoHolder] = &[
    DemoHolder {
        id: "zhang-wei",
        name: "张伟",
        name_en: "Zhang Wei",
        holder_code: "310101199003072014",
        holder_code_type: HolderCodeType::CitizenId,
    },
    DemoHolder {
        id: "li-na",
        name: "李娜",
        name_en: "Li Na",
        holder_code: "320102198506123024",
        holder_code_type: HolderCodeType::CitizenId,
    },
    DemoHolder {
        id: "wang-qiang",
        name: "王强",
        name_en: "Wang Qiang",
        holder_code: "33010219920815403X",
        holder_code_type: HolderCodeType::CitizenId,
    },
    DemoHolder {
        id: "chen-jing",
        name: "陈静",
        name_en: "Chen Jing",
        holder_code: "340102197801015041",
        holder_code_type: HolderCodeType::CitizenId,
    },
    DemoHolder {
        id: "delta-trading",
        name: "上海长三角示范贸易有限公司",
        name_en: "Shanghai YRD Demo Trading Co., Ltd.",
        holder_code: "91310115MA1H7D2Q8Y",
        holder_code_type: HolderCodeType::Uscc,
    },
];

/// A demo holder by sign-in name.
pub fn demo_holder(id: &str) -> Option<&'static DemoHolder> {
    DEMO_HOLDERS.iter().find(|h| h.id == id)
}

/// The demo provider's key set.
pub fn demo_jwks(key: &PublicKey) -> Jwks {
    Jwks::single(DEMO_KID, key.clone())
}

/// An ID token for `holder` from the provider `issuer` for client `audience`, issued at
/// `now` (Unix seconds), living `lifetime` seconds.
pub fn make_id_token(
    signer: &dyn Signer,
    kid: &str,
    issuer: &str,
    audience: &str,
    holder: &DemoHolder,
    now: i64,
    lifetime: i64,
) -> Result<String, JoseError> {
    let mut header = Map::new();
    header.insert("typ".into(), "JWT".into());
    header.insert("kid".into(), kid.into());
    let mut c = Map::new();
    c.insert("iss".into(), issuer.into());
    c.insert("sub".into(), holder.id.into());
    c.insert("aud".into(), audience.into());
    c.insert("iat".into(), now.into());
    c.insert("exp".into(), (now + lifetime).into());
    c.insert("auth_time".into(), now.into());
    c.insert("name".into(), holder.name.into());
    c.insert("holder_code".into(), holder.holder_code.into());
    c.insert(
        "holder_code_type".into(),
        Value::String(holder.holder_code_type.code().into()),
    );
    sign_compact(signer, header, &c)
}
