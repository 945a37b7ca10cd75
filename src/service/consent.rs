//! Consent-based retrieval (用证授权, 免提交): a signed-in holder grants, lists and revokes
//! consents and reads the accesses made under them ([`grant`], [`revoke`], [`list`],
//! [`accesses`]); an agency fetches, under a consent, the holder's licenses from every
//! province ([`retrieve`]).
//!
//! [`retrieve`] runs on the node that keeps the consent (the holder's), asked by the
//! agency's node: it gathers the holder's licenses across the provinces as the holder's
//! own pages do, keeps those the consent covers, and makes of each an SD-JWT
//! presentation carrying only the consented claims — so the agency's node never holds
//! a claim the holder did not release. The access is recorded, with its archive
//! entries, only while the consent is still in force; what is handed over is what was
//! recorded.

use super::holder_licenses::{gather, HolderLicenseStore, PeerNodes, ProvinceAnswer};
use super::store::StoreError;
use super::ServiceError;
use crate::consent::{self, Access, Consent, Grant, Refusal, Use, MAX_PER_HOLDER};
use crate::license::sdjwt;
use crate::license::HolderCodeType;
use crate::pki::Province;
use crate::trust_list::TrustList;
use serde::{Deserialize, Serialize};
use std::future::Future;

/// Most consents or accesses one listing returns.
pub const MAX_LISTED: usize = 500;

/// The store as consents need it.
pub trait ConsentStore: Sync {
    /// Keep a new consent (with its archive entry); `Ok(false)`: the holder keeps
    /// `max_per_holder` already.
    fn insert_consent(
        &self,
        c: &Consent,
        max_per_holder: usize,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// The consent `id`.
    fn consent(&self, id: &str)
        -> impl Future<Output = Result<Option<Consent>, StoreError>> + Send;
    /// The holder's consents, newest first.
    fn consents_of_holder(
        &self,
        code: &str,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Consent>, StoreError>> + Send;
    /// Revoke the holder's consent `id` at `at` (with its archive entry); none: no such
    /// consent of theirs.
    fn revoke_consent(
        &self,
        id: &str,
        code: &str,
        at: i64,
    ) -> impl Future<Output = Result<Option<Consent>, StoreError>> + Send;
    /// Record an access (with its archive entries) if its consent is in force at its
    /// time; `Ok(false)`: it no longer is.
    fn record_access(&self, a: &Access) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// The accesses under the holder's consents, newest first.
    fn accesses_of_holder(
        &self,
        code: &str,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Access>, StoreError>> + Send;
}

/// The signed-in holder a consent is granted by.
#[derive(Debug, Clone, Copy)]
pub struct GrantingHolder<'a> {
    /// The holder code.
    pub code: &'a str,
    /// Its type.
    pub kind: HolderCodeType,
}

/// Grant `g` for `holder` at `now`, kept by this node (`keeper`: its province, none for
/// a node of every province). The agency must be an issuing agency of `list`.
pub async fn grant<S: ConsentStore>(
    store: &S,
    list: &TrustList,
    keeper: Option<Province>,
    holder: GrantingHolder<'_>,
    g: Grant,
    now: i64,
) -> Result<Consent, ServiceError> {
    g.check(now)
        .map_err(|e| ServiceError::InvalidRequest(e.to_string()))?;
    let (province, agency) = listed_agency(list, &g.agency_uscc).ok_or_else(|| {
        ServiceError::InvalidRequest(format!(
            "agency {} is not an issuing agency of the trust list",
            g.agency_uscc.chars().take(64).collect::<String>()
        ))
    })?;
    let c = Consent {
        id: consent::new_id(keeper),
        holder_code: holder.code.to_string(),
        holder_code_type: holder.kind,
        agency_uscc: agency.uscc.clone(),
        agency_name: agency.name_zh.clone(),
        agency_province: province,
        type_code: g.type_code,
        license: g.license,
        purpose: g.purpose.trim().to_string(),
        claims: g.claims,
        granted_at: now,
        until: g.until,
        revoked_at: None,
    };
    if !store.insert_consent(&c, MAX_PER_HOLDER).await? {
        return Err(ServiceError::InvalidRequest(format!(
            "a holder keeps at most {MAX_PER_HOLDER} consents"
        )));
    }
    Ok(c)
}

/// The issuing agency `uscc` of `list`, with its province.
fn listed_agency<'a>(
    list: &'a TrustList,
    uscc: &str,
) -> Option<(Province, &'a crate::trust_list::AgencyEntry)> {
    list.provinces.iter().find_map(|p| {
        p.issuing_agencies
            .iter()
            .find(|a| a.uscc == uscc)
            .map(|a| (p.code, a))
    })
}

/// The consents of the holder `code`, newest first.
pub async fn list<S: ConsentStore>(store: &S, code: &str) -> Result<Vec<Consent>, ServiceError> {
    Ok(store.consents_of_holder(code, MAX_LISTED).await?)
}

/// Revoke the holder's consent `id` at `now`: `NotFound` when it is not theirs.
pub async fn revoke<S: ConsentStore>(
    store: &S,
    code: &str,
    id: &str,
    now: i64,
) -> Result<Consent, ServiceError> {
    store
        .revoke_consent(id, code, now)
        .await?
        .ok_or(ServiceError::NotFound)
}

/// The accesses made under the holder's consents, newest first.
pub async fn accesses<S: ConsentStore>(store: &S, code: &str) -> Result<Vec<Access>, ServiceError> {
    Ok(store.accesses_of_holder(code, MAX_LISTED).await?)
}

/// What an agency's node asks the consent's node for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ask {
    /// The consent.
    pub consent: String,
    /// The agency asking (authenticated by its node).
    pub agency_uscc: String,
    /// The holder code it names.
    pub holder_code: String,
    /// The license type it asks for.
    pub type_code: String,
    /// The claims it asks for; none: every claim of the consent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claims: Option<Vec<String>>,
}

/// One license handed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Presented {
    /// Its identifier.
    pub identifier: String,
    /// The issuing province.
    pub province: Province,
    /// Its type.
    pub type_code: String,
    /// Its status as the issuing node holds it.
    pub status: String,
    /// The SD-JWT presentation: only the consented claims.
    pub presentation: String,
}

/// What the consent's node answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Retrieved {
    /// The consent.
    pub consent: String,
    /// Its matter.
    pub purpose: String,
    /// The claims revealed.
    pub claims: Vec<String>,
    /// Until when the consent runs.
    pub until: i64,
    /// The licenses.
    pub licenses: Vec<Presented>,
    /// How each province answered the gathering.
    pub provinces: Vec<ProvinceAnswer>,
}

/// Where this node stands: its province (none: every province) and base URL.
#[derive(Debug, Clone, Copy)]
pub struct Keeper<'a> {
    /// Its province.
    pub province: Option<Province>,
    /// Its base URL.
    pub url: &'a str,
}

/// Answer `ask`, made by an agency of `caller`'s province at `now`, on the node that
/// keeps the consent: the agency must be listed in that province, the consent must be
/// the agency's and cover the holder, type and claims asked for; then the holder's
/// licenses of the type, gathered across provinces, as presentations of the consented
/// claims, and the access recorded.
pub async fn retrieve<S: ConsentStore + HolderLicenseStore, P: PeerNodes>(
    store: &S,
    peers: &P,
    list: &TrustList,
    here: Keeper<'_>,
    caller: Province,
    ask: &Ask,
    now: i64,
) -> Result<Retrieved, ServiceError> {
    let refuse = |r: Refusal| ServiceError::Consent(r);
    let sized = |t: &str| !t.is_empty() && t.len() <= 64;
    if !sized(&ask.holder_code) || !sized(&ask.type_code) || ask.consent.len() > 80 {
        return Err(ServiceError::InvalidRequest(
            "the holder code and the type must be 1-64 characters".into(),
        ));
    }
    if ask.claims.as_ref().is_some_and(|c| {
        c.is_empty()
            || c.len() > consent::MAX_CLAIMS
            || c.iter()
                .any(|n| n.is_empty() || n.len() > consent::MAX_CLAIM_NAME)
    }) {
        return Err(ServiceError::InvalidRequest(format!(
            "claims must name 1-{} claims of 1-{} bytes",
            consent::MAX_CLAIMS,
            consent::MAX_CLAIM_NAME
        )));
    }
    let agency = list
        .province(caller)
        .and_then(|p| {
            p.issuing_agencies
                .iter()
                .find(|a| a.uscc == ask.agency_uscc)
        })
        .ok_or_else(|| refuse(Refusal::AgencyNotTrusted(ask.agency_uscc.clone())))?;
    let c = store
        .consent(&ask.consent)
        .await?
        .ok_or_else(|| refuse(Refusal::NoConsent(ask.consent.clone())))?;
    let asked = Use {
        agency_uscc: &ask.agency_uscc,
        holder_code: &ask.holder_code,
        type_code: &ask.type_code,
        claims: ask.claims.as_deref(),
    };
    let claims = c.check(&asked, now).map_err(refuse)?;
    let gathered = gather(
        store,
        peers,
        list,
        here.province,
        here.url,
        &c.holder_code,
        c.holder_code_type,
    )
    .await?;
    let mut licenses = Vec::new();
    for l in gathered.licenses {
        if l.type_code != c.type_code || c.license.as_deref().is_some_and(|id| id != l.identifier) {
            continue;
        }
        let Some(credential) = l.credential.as_deref() else {
            continue;
        };
        let reveal: Vec<&str> = claims
            .iter()
            .map(String::as_str)
            .filter(|n| l.claims.contains_key(*n))
            .collect();
        let presentation = sdjwt::present(credential, &reveal)?;
        licenses.push(Presented {
            identifier: l.identifier,
            province: l.province,
            type_code: l.type_code,
            status: l.status,
            presentation,
        });
    }
    let access = Access {
        consent_id: c.id.clone(),
        agency_uscc: agency.uscc.clone(),
        agency_name: agency.name_zh.clone(),
        province: caller,
        at: now,
        type_code: c.type_code.clone(),
        claims: claims.clone(),
        licenses: licenses.iter().map(|l| l.identifier.clone()).collect(),
    };
    if !store.record_access(&access).await? {
        // revoked or expired while the licenses were gathered: refused as it now stands
        let now_stands = store.consent(&c.id).await?.unwrap_or(c);
        return Err(refuse(now_stands.check(&asked, now).err().unwrap_or_else(
            || Refusal::Revoked("while the licenses were gathered".into()),
        )));
    }
    Ok(Retrieved {
        consent: c.id,
        purpose: c.purpose,
        claims,
        until: c.until,
        licenses,
        provinces: gathered.provinces,
    })
}
