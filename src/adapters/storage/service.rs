//! The service layer's storage traits, implemented over [`Store`] and [`IssueTx`].

use super::{IssueTx, StorageError, Store};
use crate::archive::checkpoint::StoredCheckpoint;
use crate::archive::entry::{Entry, LoggedEntry};
use crate::archive::merkle::Hash;
use crate::license::{ProofState, Status};
use crate::service::store::{
    ArchiveStore, ForkRecord, IdempotentResponse, Issuance, KeptEvidence, LicenseRecord,
    LicenseStore, NewLicense, ProofRequestRecord, ProofStore, SealRecord, SealStore, ShowUseStore,
    Slot, StoreError, TrustListInsert, TrustListRecord, TrustListStore,
};

impl From<StorageError> for StoreError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound => StoreError::NotFound,
            StorageError::NotOwner => StoreError::NotOwner,
            StorageError::InvalidTransition { current } => {
                StoreError::InvalidTransition { current }
            }
            StorageError::Duplicate => StoreError::Duplicate,
            e if e.is_unavailable() => StoreError::Unavailable(e.to_string()),
            other => StoreError::Failed(other.to_string()),
        }
    }
}

impl Issuance for IssueTx {
    fn slots(&self) -> &[Slot] {
        IssueTx::slots(self)
    }
    async fn insert_licenses(&mut self, licenses: &[NewLicense]) -> Result<(), StoreError> {
        Ok(IssueTx::insert_licenses(self, licenses).await?)
    }
    async fn put_idempotency(
        &mut self,
        key: &str,
        request_hash: &str,
        response: &str,
    ) -> Result<(), StoreError> {
        Ok(IssueTx::put_idempotency(self, key, request_hash, response).await?)
    }
    async fn mark_proof_issued(
        &mut self,
        request_id: &str,
        identifier: &str,
        request: &str,
    ) -> Result<(), StoreError> {
        Ok(IssueTx::mark_proof_issued(self, request_id, identifier, request).await?)
    }
    async fn status_list_state(&mut self, list: i64) -> Result<(Vec<u8>, i64), StoreError> {
        Ok(IssueTx::status_list_state(self, list).await?)
    }
    async fn latest_evidence(&mut self, list: i64) -> Result<Option<KeptEvidence>, StoreError> {
        Ok(IssueTx::latest_evidence(self, list).await?)
    }
    async fn keep_evidence(&mut self, kept: &KeptEvidence) -> Result<(), StoreError> {
        Ok(IssueTx::keep_evidence(self, kept).await?)
    }
    async fn commit(self) -> Result<(), StoreError> {
        Ok(IssueTx::commit(self).await?)
    }
}

impl LicenseStore for Store {
    type Issuance = IssueTx;
    async fn begin_issue(
        &self,
        agency: &str,
        count: usize,
        now: i64,
    ) -> Result<IssueTx, StoreError> {
        Ok(Store::begin_issue(self, agency, count, now).await?)
    }
    async fn idempotent_response(
        &self,
        agency: &str,
        key: &str,
    ) -> Result<Option<IdempotentResponse>, StoreError> {
        Ok(Store::idempotent_response(self, agency, key)
            .await?
            .map(|(request_hash, response)| IdempotentResponse {
                request_hash,
                response,
            }))
    }
    async fn license(&self, identifier: &str) -> Result<LicenseRecord, StoreError> {
        Ok(Store::license(self, identifier).await?)
    }
    async fn set_status(
        &self,
        identifier: &str,
        agency: &str,
        from: &[Status],
        to: Status,
        reason: Option<&str>,
        now: i64,
    ) -> Result<LicenseRecord, StoreError> {
        Ok(Store::set_status(self, identifier, agency, from, to, reason, now).await?)
    }
}

impl ProofStore for Store {
    async fn create_proof_request(
        &self,
        id: &str,
        agency: &str,
        type_code: &str,
        request: &str,
        now: i64,
    ) -> Result<ProofRequestRecord, StoreError> {
        Ok(Store::create_proof_request(self, id, agency, type_code, request, now).await?)
    }
    async fn proof_request(&self, id: &str) -> Result<ProofRequestRecord, StoreError> {
        Ok(Store::proof_request(self, id).await?)
    }
    async fn set_proof_state(
        &self,
        id: &str,
        agency: &str,
        from: ProofState,
        to: ProofState,
        request: &str,
        now: i64,
    ) -> Result<ProofRequestRecord, StoreError> {
        Ok(Store::set_proof_state(self, id, agency, from, to, request, now).await?)
    }
}

impl SealStore for Store {
    async fn insert_seal(&self, seal: &SealRecord) -> Result<(), StoreError> {
        Ok(Store::insert_seal(self, seal).await?)
    }
    async fn supersede_seal(&self, old_es_id: &str, new: &SealRecord) -> Result<(), StoreError> {
        Ok(Store::supersede_seal(self, old_es_id, new).await?)
    }
    async fn seal(&self, es_id: &str) -> Result<SealRecord, StoreError> {
        Ok(Store::seal(self, es_id).await?)
    }
}

impl TrustListStore for Store {
    async fn newest_trust_list(&self) -> Result<Option<TrustListRecord>, StoreError> {
        Ok(Store::newest_trust_list(self).await?)
    }
    async fn insert_trust_list(
        &self,
        list: &TrustListRecord,
    ) -> Result<TrustListInsert, StoreError> {
        Ok(Store::insert_trust_list(self, list).await?)
    }
}

impl ShowUseStore for Store {
    async fn register_show_token(
        &self,
        province: &str,
        token_id: &str,
        license_id: &str,
        claims: &[String],
        expires_at: i64,
        keep_until: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        Ok(Store::register_show_token(
            self, province, token_id, license_id, claims, expires_at, keep_until, now,
        )
        .await?)
    }
    async fn show_token(
        &self,
        province: &str,
        token_id: &str,
    ) -> Result<Option<(String, Vec<String>)>, StoreError> {
        Ok(Store::show_token(self, province, token_id).await?)
    }
    async fn first_show_use(
        &self,
        province: &str,
        token_id: &str,
        license_id: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        Ok(Store::first_show_use(self, province, token_id, license_id, expires_at, now).await?)
    }
}

impl crate::service::holder_licenses::HolderLicenseStore for Store {
    async fn licenses_of_holder(
        &self,
        code: &str,
        limit: usize,
    ) -> Result<Vec<crate::service::store::LicenseRecord>, StoreError> {
        Ok(Store::licenses_of_holder(self, code, limit).await?)
    }
}

impl From<super::ArchiveReadError> for StoreError {
    fn from(e: super::ArchiveReadError) -> Self {
        match e {
            super::ArchiveReadError::Request(d) => StoreError::OutOfRange(d),
            super::ArchiveReadError::Storage(e) => e.into(),
        }
    }
}

impl ArchiveStore for Store {
    async fn archive_size(&self) -> Result<u64, StoreError> {
        Ok(Store::archive_size(self).await?)
    }
    async fn archive_append(&self, entries: &[Entry]) -> Result<u64, StoreError> {
        Ok(Store::archive_append(self, entries).await?)
    }
    async fn archive_entries(&self, from: u64, count: u64) -> Result<Vec<LoggedEntry>, StoreError> {
        Ok(Store::archive_entries(self, from, count).await?)
    }
    async fn archive_entry_by_digest(
        &self,
        lookup: crate::archive::entry::Lookup,
        digest: &Hash,
    ) -> Result<Option<LoggedEntry>, StoreError> {
        Ok(Store::archive_entry_by_digest(self, lookup, digest).await?)
    }
    async fn license_evidence(
        &self,
        identifier: &str,
    ) -> Result<Option<(String, String)>, StoreError> {
        Ok(Store::license_evidence(self, identifier).await?)
    }
    async fn evidence_text(&self, digest: &str) -> Result<Option<String>, StoreError> {
        Ok(Store::evidence_text(self, digest).await?)
    }
    async fn archive_root(&self, size: u64) -> Result<Hash, StoreError> {
        Ok(Store::archive_root(self, size).await?)
    }
    async fn archive_inclusion(&self, index: u64, size: u64) -> Result<Vec<Hash>, StoreError> {
        Ok(Store::archive_inclusion(self, index, size).await?)
    }
    async fn archive_consistency(&self, size1: u64, size2: u64) -> Result<Vec<Hash>, StoreError> {
        Ok(Store::archive_consistency(self, size1, size2).await?)
    }
    async fn archive_checkpoint(
        &self,
        size: Option<u64>,
    ) -> Result<Option<StoredCheckpoint>, StoreError> {
        Ok(Store::archive_checkpoint(self, size).await?)
    }
    async fn put_archive_checkpoint(
        &self,
        checkpoint: &StoredCheckpoint,
        now: i64,
    ) -> Result<(), StoreError> {
        Ok(Store::put_archive_checkpoint(self, checkpoint, now).await?)
    }
    async fn archive_witnessed(
        &self,
        origin: &str,
    ) -> Result<Option<StoredCheckpoint>, StoreError> {
        Ok(Store::archive_witnessed(self, origin).await?)
    }
    async fn put_archive_witnessed(
        &self,
        origin: &str,
        checkpoint: &StoredCheckpoint,
        now: i64,
    ) -> Result<(), StoreError> {
        Ok(Store::put_archive_witnessed(self, origin, checkpoint, now).await?)
    }
    async fn record_archive_fork(&self, fork: &ForkRecord) -> Result<(), StoreError> {
        Ok(Store::record_archive_fork(self, fork).await?)
    }
    async fn put_archive_cosignature(
        &self,
        size: u64,
        witness: &str,
        line: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        Ok(Store::put_archive_cosignature(self, size, witness, line, now).await?)
    }
    async fn archive_cosignatures(&self, size: u64) -> Result<Vec<String>, StoreError> {
        Ok(Store::archive_cosignatures(self, size).await?)
    }
}

impl crate::service::consent::ConsentStore for Store {
    async fn insert_consent(
        &self,
        c: &crate::consent::Consent,
        max_per_holder: usize,
    ) -> Result<bool, StoreError> {
        Ok(Store::insert_consent(self, c, max_per_holder).await?)
    }
    async fn consent(&self, id: &str) -> Result<Option<crate::consent::Consent>, StoreError> {
        Ok(Store::consent(self, id).await?)
    }
    async fn consents_of_holder(
        &self,
        code: &str,
        limit: usize,
    ) -> Result<Vec<crate::consent::Consent>, StoreError> {
        Ok(Store::consents_of_holder(self, code, limit).await?)
    }
    async fn revoke_consent(
        &self,
        id: &str,
        code: &str,
        at: i64,
    ) -> Result<Option<crate::consent::Consent>, StoreError> {
        Ok(Store::revoke_consent(self, id, code, at).await?)
    }
    async fn record_access(&self, a: &crate::consent::Access) -> Result<bool, StoreError> {
        Ok(Store::record_access(self, a).await?)
    }
    async fn accesses_of_holder(
        &self,
        code: &str,
        limit: usize,
    ) -> Result<Vec<crate::consent::Access>, StoreError> {
        Ok(Store::accesses_of_holder(self, code, limit).await?)
    }
}
