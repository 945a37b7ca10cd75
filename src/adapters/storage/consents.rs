//! Holders' consents and the accesses made under them, kept by the holder's node and
//! shared by every node of its province. Granting, revoking and each access append
//! their archive entries in the same transaction; an access is recorded only while its
//! consent is still in force, checked in the statement that records it.

use super::{StorageError, Store};
use crate::archive::entry::{Act, Entry};
use crate::consent::{Access, Consent};
use crate::pki::Province;
use sqlx::any::AnyRow;
use sqlx::Row;

const CONSENT_COLUMNS: &str = "id, holder_code, holder_code_type, agency_uscc, agency_name, \
     agency_province, type_code, license, purpose, claims, granted_at, valid_until, revoked_at";

fn names(v: &[String]) -> String {
    serde_json::to_string(v).expect("a list of strings serialises")
}

fn read_names(text: &str, what: &'static str) -> Result<Vec<String>, StorageError> {
    serde_json::from_str(text).map_err(|_| StorageError::Corrupt(what))
}

fn province(text: &str, what: &'static str) -> Result<Province, StorageError> {
    Province::parse(text).ok_or(StorageError::Corrupt(what))
}

fn consent_of(row: &AnyRow) -> Result<Consent, StorageError> {
    Ok(Consent {
        id: row.try_get("id")?,
        holder_code: row.try_get("holder_code")?,
        holder_code_type: serde_json::from_value(serde_json::Value::String(
            row.try_get("holder_code_type")?,
        ))
        .map_err(|_| StorageError::Corrupt("consents.holder_code_type"))?,
        agency_uscc: row.try_get("agency_uscc")?,
        agency_name: row.try_get("agency_name")?,
        agency_province: province(
            &row.try_get::<String, _>("agency_province")?,
            "consents.agency_province",
        )?,
        type_code: row.try_get("type_code")?,
        license: row.try_get("license")?,
        purpose: row.try_get("purpose")?,
        claims: read_names(&row.try_get::<String, _>("claims")?, "consents.claims")?,
        granted_at: row.try_get("granted_at")?,
        until: row.try_get("valid_until")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

fn access_of(row: &AnyRow) -> Result<Access, StorageError> {
    Ok(Access {
        consent_id: row.try_get("consent_id")?,
        agency_uscc: row.try_get("agency_uscc")?,
        agency_name: row.try_get("agency_name")?,
        province: province(
            &row.try_get::<String, _>("province")?,
            "consent_accesses.province",
        )?,
        at: row.try_get("at")?,
        type_code: row.try_get("type_code")?,
        claims: read_names(
            &row.try_get::<String, _>("claims")?,
            "consent_accesses.claims",
        )?,
        licenses: read_names(
            &row.try_get::<String, _>("licenses")?,
            "consent_accesses.licenses",
        )?,
    })
}

impl Store {
    /// Keep a new consent, with its archive entry. `Ok(false)`: its holder already keeps
    /// `max_per_holder` consents, and nothing was kept.
    pub async fn insert_consent(
        &self,
        c: &Consent,
        max_per_holder: usize,
    ) -> Result<bool, StorageError> {
        let mut tx = self.pool.begin().await?;
        let (held,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM consents WHERE holder_code = $1")
                .bind(&c.holder_code)
                .fetch_one(&mut *tx)
                .await?;
        if usize::try_from(held).unwrap_or(usize::MAX) >= max_per_holder {
            return Ok(false);
        }
        sqlx::query(&format!(
            "INSERT INTO consents ({CONSENT_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL)"
        ))
        .bind(&c.id)
        .bind(&c.holder_code)
        .bind(c.holder_code_type.code())
        .bind(&c.agency_uscc)
        .bind(&c.agency_name)
        .bind(c.agency_province.abbrev())
        .bind(&c.type_code)
        .bind(c.license.as_deref())
        .bind(&c.purpose)
        .bind(names(&c.claims))
        .bind(c.granted_at)
        .bind(c.until)
        .execute(&mut *tx)
        .await?;
        let entry = Entry::of(Act::ConsentGranted, &c.id, &c.grant_record(), c.granted_at);
        super::archive::append(&mut tx, &[entry]).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The consent `id`.
    pub async fn consent(&self, id: &str) -> Result<Option<Consent>, StorageError> {
        let row = sqlx::query(&format!(
            "SELECT {CONSENT_COLUMNS} FROM consents WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(consent_of).transpose()
    }

    /// The consents of the holder `code`, newest first, at most `limit`.
    pub async fn consents_of_holder(
        &self,
        code: &str,
        limit: usize,
    ) -> Result<Vec<Consent>, StorageError> {
        let rows = sqlx::query(&format!(
            "SELECT {CONSENT_COLUMNS} FROM consents WHERE holder_code = $1 \
             ORDER BY granted_at DESC, id LIMIT $2"
        ))
        .bind(code)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(consent_of).collect()
    }

    /// Revoke the consent `id` of the holder `code` at `at`, with its archive entry; the
    /// consent as it now stands (revoked before: unchanged), or `None` when the holder
    /// has no such consent.
    pub async fn revoke_consent(
        &self,
        id: &str,
        code: &str,
        at: i64,
    ) -> Result<Option<Consent>, StorageError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE consents SET revoked_at = $1 \
             WHERE id = $2 AND holder_code = $3 AND revoked_at IS NULL",
        )
        .bind(at)
        .bind(id)
        .bind(code)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(&format!(
            "SELECT {CONSENT_COLUMNS} FROM consents WHERE id = $1 AND holder_code = $2"
        ))
        .bind(id)
        .bind(code)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(consent) = row.as_ref().map(consent_of).transpose()? else {
            return Ok(None);
        };
        if done.rows_affected() == 1 {
            let entry = Entry::of(Act::ConsentRevoked, id, &consent.revoke_record(at), at);
            super::archive::append(&mut tx, &[entry]).await?;
        }
        tx.commit().await?;
        Ok(Some(consent))
    }

    /// Record `a`, with one archive entry per license handed over (one for the consent
    /// when none was), provided its consent is still in force at `a.at`. `Ok(false)`:
    /// it no longer is (revoked or expired meanwhile), and nothing was recorded.
    pub async fn record_access(&self, a: &Access) -> Result<bool, StorageError> {
        let mut tx = self.pool.begin().await?;
        let (active,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM consents WHERE id = $1 AND revoked_at IS NULL AND valid_until > $2",
        )
        .bind(&a.consent_id)
        .bind(a.at)
        .fetch_one(&mut *tx)
        .await?;
        if active != 1 {
            return Ok(false);
        }
        let subjects: Vec<&str> = if a.licenses.is_empty() {
            vec![a.consent_id.as_str()]
        } else {
            a.licenses.iter().map(String::as_str).collect()
        };
        let entries: Vec<Entry> = subjects
            .iter()
            .map(|s| Entry::of(Act::LicenseRetrieved, s, &a.record(s), a.at))
            .collect();
        // the access is numbered by its first entry's place in the log: unique, and in
        // the order the accesses were made
        let first = super::archive::append(&mut tx, &entries).await?;
        sqlx::query(
            "INSERT INTO consent_accesses \
             (id, consent_id, agency_uscc, agency_name, province, at, type_code, claims, licenses) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(i64::try_from(first).map_err(|_| StorageError::Corrupt("archive index"))?)
        .bind(&a.consent_id)
        .bind(&a.agency_uscc)
        .bind(&a.agency_name)
        .bind(a.province.abbrev())
        .bind(a.at)
        .bind(&a.type_code)
        .bind(names(&a.claims))
        .bind(names(&a.licenses))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The accesses made under the consents of the holder `code`, newest first, at most
    /// `limit`.
    pub async fn accesses_of_holder(
        &self,
        code: &str,
        limit: usize,
    ) -> Result<Vec<Access>, StorageError> {
        let rows = sqlx::query(
            "SELECT a.consent_id, a.agency_uscc, a.agency_name, a.province, a.at, a.type_code, \
             a.claims, a.licenses FROM consent_accesses a JOIN consents c ON c.id = a.consent_id \
             WHERE c.holder_code = $1 ORDER BY a.id DESC LIMIT $2",
        )
        .bind(code)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(access_of).collect()
    }
}
