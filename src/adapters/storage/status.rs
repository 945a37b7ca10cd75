//! Per-agency status lists: the raw 2-bit-per-entry array of the IETF Token Status
//! List, packed by the license domain's [`StatusList`], stored base64 and changed in
//! the same transaction as the license it belongs to.

use super::{StorageError, Store};
use crate::license::{Status, StatusList};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sqlx::{Any, Row, Transaction};

/// Entries per status list; an agency's next license after that many starts a new list.
pub const LIST_CAPACITY: i64 = 1 << 17;

/// A list's stored bits padded to its whole capacity (2 bits an entry): what a status
/// list token of it carries.
pub fn full_list_bits(mut bits: Vec<u8>) -> Result<Vec<u8>, StorageError> {
    let len = usize::try_from(LIST_CAPACITY / 4).unwrap_or(0);
    if bits.len() > len {
        return Err(StorageError::Corrupt(
            "status list longer than its capacity",
        ));
    }
    bits.resize(len, 0);
    Ok(bits)
}

/// One stored status list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusListRecord {
    /// Issuing agency id.
    pub agency_id: String,
    /// List number.
    pub list_id: i64,
    /// The raw (uncompressed) 2-bit entries; entries past the end are 0 (valid).
    pub bits: Vec<u8>,
    /// Bumped on every change.
    pub version: i64,
    /// Unix seconds of the last change.
    pub updated_at: i64,
}

/// The 2-bit status value at `index` of a raw status array (0 beyond its end), as the
/// license domain's [`StatusList`] reads it.
pub fn status_entry(bits: &[u8], index: i64) -> u8 {
    let Ok(i) = usize::try_from(index) else {
        return 0;
    };
    if i / 4 >= bits.len() {
        return 0;
    }
    StatusList::from_bytes(bits.to_vec())
        .and_then(|l| l.value(i))
        .unwrap_or(0)
}

/// Set entry `index` of a raw status array to `status`, growing it as needed; the
/// packing is the license domain's [`StatusList`].
fn set_entry(bits: Vec<u8>, index: usize, status: Status) -> Result<Vec<u8>, StorageError> {
    let mut bits = bits;
    if bits.len() <= index / 4 {
        bits.resize(index / 4 + 1, 0);
    }
    let mut list =
        StatusList::from_bytes(bits).map_err(|_| StorageError::Corrupt("status list bits"))?;
    list.set(index, status)
        .map_err(|_| StorageError::Corrupt("status index"))?;
    Ok(list.into_bytes())
}

pub(super) async fn set_entry_in_tx(
    tx: &mut Transaction<'static, Any>,
    agency: &str,
    list: i64,
    index: i64,
    status: Status,
    now: i64,
) -> Result<(), StorageError> {
    let row = sqlx::query("SELECT bits FROM status_lists WHERE agency_id = $1 AND list_id = $2")
        .bind(agency)
        .bind(list)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StorageError::Corrupt("status list missing"))?;
    let text: String = row.try_get("bits")?;
    let bits = STANDARD
        .decode(text)
        .map_err(|_| StorageError::Corrupt("status list bits"))?;
    let index = usize::try_from(index).map_err(|_| StorageError::Corrupt("status index"))?;
    let bits = set_entry(bits, index, status)?;
    sqlx::query(
        "UPDATE status_lists SET bits = $1, version = version + 1, updated_at = $2 \
         WHERE agency_id = $3 AND list_id = $4",
    )
    .bind(STANDARD.encode(&bits))
    .bind(now)
    .bind(agency)
    .bind(list)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn list_from_row(r: &sqlx::any::AnyRow) -> Result<StatusListRecord, StorageError> {
    let text: String = r.try_get("bits")?;
    Ok(StatusListRecord {
        agency_id: r.try_get("agency_id")?,
        list_id: r.try_get("list_id")?,
        bits: STANDARD
            .decode(text)
            .map_err(|_| StorageError::Corrupt("status list bits"))?,
        version: r.try_get("version")?,
        updated_at: r.try_get("updated_at")?,
    })
}

impl Store {
    /// One status list of an agency.
    pub async fn status_list(
        &self,
        agency: &str,
        list: i64,
    ) -> Result<StatusListRecord, StorageError> {
        let row = sqlx::query(
            "SELECT agency_id, list_id, bits, version, updated_at FROM status_lists \
             WHERE agency_id = $1 AND list_id = $2",
        )
        .bind(agency)
        .bind(list)
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StorageError::NotFound)?;
        list_from_row(&row)
    }

    /// Every status list of an agency, in list order.
    pub async fn status_lists_of(
        &self,
        agency: &str,
    ) -> Result<Vec<StatusListRecord>, StorageError> {
        let rows = sqlx::query(
            "SELECT agency_id, list_id, bits, version, updated_at FROM status_lists \
             WHERE agency_id = $1 ORDER BY list_id",
        )
        .bind(agency)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(list_from_row).collect()
    }

    /// Every agency that has issued at least once.
    pub async fn agencies(&self) -> Result<Vec<String>, StorageError> {
        let rows = sqlx::query("SELECT agency_id FROM agency_counters ORDER BY agency_id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| r.try_get::<String, _>("agency_id").map_err(Into::into))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_pack_two_bits_lsb_first() {
        let mut bits = Vec::new();
        for (i, s) in [
            (0, Status::Revoked),
            (1, Status::Suspended),
            (3, Status::Suspended),
            (5, Status::Revoked),
        ] {
            bits = set_entry(bits, i, s).unwrap();
        }
        // draft-ietf-oauth-status-list example layout: index 0 in the lowest bits.
        assert_eq!(bits, vec![0b1000_1001, 0b0000_0100]);
        assert_eq!(status_entry(&bits, 0), 1);
        assert_eq!(status_entry(&bits, 1), 2);
        assert_eq!(status_entry(&bits, 2), 0);
        assert_eq!(status_entry(&bits, 3), 2);
        assert_eq!(status_entry(&bits, 5), 1);
        assert_eq!(status_entry(&bits, 1000), 0);
        assert_eq!(status_entry(&bits, -1), 0);
        bits = set_entry(bits, 1, Status::Valid).unwrap();
        assert_eq!(status_entry(&bits, 1), 0);
        assert_eq!(status_entry(&bits, 0), 1);
    }
}
