//! Changing a license's status (suspend, reinstate, revoke) and reading a license its
//! agency owns. The license domain decides whether a change is allowed and checks the
//! reason; the store applies it only if nobody changed the license meanwhile.

use super::store::{LicenseRecord, LicenseStore};
use super::ServiceError;
use crate::license::{Identifier, StatusList};
use time::OffsetDateTime;

/// A status change asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusAction {
    /// valid → suspended (reason required).
    Suspend,
    /// suspended → valid.
    Reinstate,
    /// valid or suspended → revoked, for good (reason required).
    Revoke,
}

/// The license `identifier` if `agency` issued it.
pub async fn owned_license<S: LicenseStore>(
    store: &S,
    agency: &str,
    identifier: &str,
) -> Result<LicenseRecord, ServiceError> {
    identifier.parse::<Identifier>()?;
    let rec = store.license(identifier).await?;
    if rec.agency_id != agency {
        return Err(ServiceError::NotOwner);
    }
    Ok(rec)
}

/// Apply `action` to the license `identifier` of `agency` at `now`.
pub async fn change_status<S: LicenseStore>(
    store: &S,
    agency: &str,
    identifier: &str,
    action: StatusAction,
    reason: Option<&str>,
    now: OffsetDateTime,
) -> Result<LicenseRecord, ServiceError> {
    let rec = owned_license(store, agency, identifier).await?;
    let mut one = StatusList::new(1)?;
    one.set(0, rec.status)?;
    let r = reason.unwrap_or("");
    let change = match action {
        StatusAction::Suspend => one.suspend(0, r)?,
        StatusAction::Reinstate => one.reinstate(0)?,
        StatusAction::Revoke => one.revoke(0, r)?,
    };
    Ok(store
        .set_status(
            identifier,
            agency,
            &[change.from],
            change.to,
            change.reason.as_deref(),
            now.unix_timestamp(),
        )
        .await?)
}
