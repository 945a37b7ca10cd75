//! Storage adapter against both engines: SQLite (a temp file) and PostgreSQL
//! (127.0.0.1:5432, a fresh schema per test, dropped afterwards). PostgreSQL being
//! unreachable is a failure, not a skip.

use crate::common::db::{postgres_url, TestDb};
use deltaseal::adapters::storage::{
    status_entry, LicenseStatus, NewLicense, ProofState, Slot, StorageError, Store,
};
use rstest::rstest;

fn license(slot: Slot, n: usize) -> NewLicense {
    NewLicense {
        identifier: format!(
            "1.2.156.3005.2.TEST.{}.{n}.{}",
            slot.seq,
            uuid::Uuid::new_v4()
        ),
        type_code: "11100000000013338W001".into(),
        holder_code: format!("31010119900101{n:04}"),
        credential: format!("eyJ.credential.{n}~"),
        slot,
        evidence: None,
    }
}

async fn issue(store: &Store, agency: &str, n: usize) -> Vec<NewLicense> {
    let mut tx = store.begin_issue(agency, n, 1000).await.unwrap();
    let rows: Vec<NewLicense> = tx
        .slots()
        .to_vec()
        .into_iter()
        .enumerate()
        .map(|(i, s)| license(s, i))
        .collect();
    tx.insert_licenses(&rows).await.unwrap();
    tx.commit().await.unwrap();
    rows
}

#[rstest]
#[case::sqlite("sqlite")]
#[case::postgres("postgres")]
#[tokio::test]
async fn committed_issuance_is_durable_and_slots_are_sequential(#[case] engine: &str) {
    let db = TestDb::new(engine).await;
    let first = issue(&db.store, "agency-a", 3).await;
    let second = issue(&db.store, "agency-a", 2).await;
    let other = issue(&db.store, "agency-b", 1).await;
    let seqs: Vec<i64> = first.iter().chain(&second).map(|l| l.slot.seq).collect();
    assert_eq!(seqs, vec![1, 2, 3, 4, 5]);
    assert_eq!(
        other[0].slot,
        Slot {
            seq: 1,
            list: 0,
            index: 0
        }
    );

    let again = db.reopen().await;
    assert_eq!(again.license_count().await.unwrap(), 6);
    let rec = again.license(&second[1].identifier).await.unwrap();
    assert_eq!(rec.agency_id, "agency-a");
    assert_eq!(rec.status, LicenseStatus::Valid);
    assert_eq!(rec.status_index, 4);
    assert_eq!(rec.credential, second[1].credential);
    assert_eq!(again.licenses_of("agency-a").await.unwrap().len(), 5);
    assert_eq!(
        again.agencies().await.unwrap(),
        vec!["agency-a", "agency-b"]
    );
    again.close().await;
    db.finish().await;
}

#[rstest]
#[case::sqlite("sqlite")]
#[case::postgres("postgres")]
#[tokio::test]
async fn an_uncommitted_issuance_leaves_nothing(#[case] engine: &str) {
    let db = TestDb::new(engine).await;
    {
        let mut tx = db.store.begin_issue("agency-a", 2, 1000).await.unwrap();
        let rows: Vec<_> = tx.slots().iter().map(|s| license(*s, 0)).collect();
        tx.insert_licenses(&rows[..1]).await.unwrap();
        tx.put_idempotency("k1", "h", "{}").await.unwrap();
        // dropped without commit
    }
    assert_eq!(db.store.license_count().await.unwrap(), 0);
    assert!(db
        .store
        .idempotent_response("agency-a", "k1")
        .await
        .unwrap()
        .is_none());
    // The counter rolled back with it: the next issuance reuses sequence 1.
    let rows = issue(&db.store, "agency-a", 1).await;
    assert_eq!(rows[0].slot.seq, 1);
    db.finish().await;
}

#[rstest]
#[case::sqlite("sqlite")]
#[case::postgres("postgres")]
#[tokio::test]
async fn idempotency_keys_are_unique_per_agency(#[case] engine: &str) {
    let db = TestDb::new(engine).await;
    let mut tx = db.store.begin_issue("agency-a", 1, 1000).await.unwrap();
    tx.put_idempotency("key-1", "hash-1", "{\"n\":1}")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut tx = db.store.begin_issue("agency-a", 1, 1000).await.unwrap();
    let err = tx
        .put_idempotency("key-1", "hash-2", "{}")
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::Duplicate), "{err:?}");
    drop(tx);
    let mut tx = db.store.begin_issue("agency-b", 1, 1000).await.unwrap();
    tx.put_idempotency("key-1", "hash-3", "{}").await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        db.store
            .idempotent_response("agency-a", "key-1")
            .await
            .unwrap(),
        Some(("hash-1".to_string(), "{\"n\":1}".to_string()))
    );
    db.finish().await;
}

#[rstest]
#[case::sqlite("sqlite")]
#[case::postgres("postgres")]
#[tokio::test]
async fn status_changes_update_the_list_in_the_same_transaction(#[case] engine: &str) {
    use LicenseStatus::*;
    let db = TestDb::new(engine).await;
    let rows = issue(&db.store, "agency-a", 3).await;
    let id = &rows[1].identifier;
    let s = &db.store;
    let rec = s
        .set_status(id, "agency-a", &[Valid], Suspended, Some("audit"), 2000)
        .await
        .unwrap();
    assert_eq!((rec.status, rec.version), (Suspended, 2));
    let list = s.status_list("agency-a", 0).await.unwrap();
    assert_eq!(status_entry(&list.bits, 1), 2);
    assert_eq!(status_entry(&list.bits, 0), 0);
    s.set_status(id, "agency-a", &[Suspended], Valid, None, 2001)
        .await
        .unwrap();
    assert_eq!(
        status_entry(&s.status_list("agency-a", 0).await.unwrap().bits, 1),
        0
    );
    s.set_status(
        id,
        "agency-a",
        &[Valid, Suspended],
        Revoked,
        Some("fraud"),
        2002,
    )
    .await
    .unwrap();
    let list = s.status_list("agency-a", 0).await.unwrap();
    assert_eq!(status_entry(&list.bits, 1), 1);
    assert_eq!(list.version, 4);

    let err = s
        .set_status(id, "agency-a", &[Suspended], Valid, None, 2003)
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::InvalidTransition { ref current } if current == "revoked"));
    let err = s
        .set_status(
            &rows[0].identifier,
            "agency-b",
            &[Valid],
            Revoked,
            None,
            2003,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::NotOwner), "{err:?}");
    assert_eq!(s.license(&rows[0].identifier).await.unwrap().status, Valid);
    let err = s
        .set_status("no-such-id", "agency-a", &[Valid], Revoked, None, 2003)
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::NotFound));
    db.finish().await;
}

#[rstest]
#[case::sqlite("sqlite")]
#[case::postgres("postgres")]
#[tokio::test]
async fn proof_requests_follow_their_states(#[case] engine: &str) {
    let db = TestDb::new(engine).await;
    let s = &db.store;
    let r = s
        .create_proof_request("r1", "agency-a", "T", "{\"purpose\":\"visa\"}", 10)
        .await
        .unwrap();
    assert_eq!(r.state, ProofState::Requested);
    let err = s
        .set_proof_state(
            "r1",
            "agency-b",
            ProofState::Requested,
            ProofState::Approved,
            "{}",
            11,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::NotOwner));
    // Issuing before approval is refused.
    let mut tx = s.begin_issue("agency-a", 1, 11).await.unwrap();
    assert!(tx.mark_proof_issued("r1", "id-1", "{}").await.is_err());
    drop(tx);
    s.set_proof_state(
        "r1",
        "agency-a",
        ProofState::Requested,
        ProofState::Approved,
        "{}",
        12,
    )
    .await
    .unwrap();
    let mut tx = s.begin_issue("agency-a", 1, 13).await.unwrap();
    let rows: Vec<_> = tx.slots().iter().map(|sl| license(*sl, 0)).collect();
    tx.insert_licenses(&rows).await.unwrap();
    tx.mark_proof_issued("r1", &rows[0].identifier, "{\"state\":\"issued\"}")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let r = s.proof_request("r1").await.unwrap();
    assert_eq!(r.state, ProofState::Issued);
    assert_eq!(r.identifier.as_deref(), Some(rows[0].identifier.as_str()));
    assert_eq!(r.request, "{\"state\":\"issued\"}");
    let err = s
        .set_proof_state(
            "r1",
            "agency-a",
            ProofState::Requested,
            ProofState::Refused,
            "{}",
            14,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::InvalidTransition { .. }));
    db.finish().await;
}

#[rstest]
#[case::sqlite("sqlite")]
#[case::postgres("postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_issuers_never_share_a_slot(#[case] engine: &str) {
    let db = TestDb::new(engine).await;
    let mut tasks = Vec::new();
    for t in 0..4 {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            for _ in 0..5 {
                let mut tx = store.begin_issue("agency-a", 5, 1000).await.unwrap();
                let rows: Vec<_> = tx
                    .slots()
                    .iter()
                    .map(|s| NewLicense {
                        identifier: format!("t{t}-{}", s.seq),
                        ..license(*s, 0)
                    })
                    .collect();
                tx.insert_licenses(&rows).await.unwrap();
                tx.commit().await.unwrap();
                ids.extend(rows.iter().map(|r| r.slot.index));
            }
            ids
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort();
    assert_eq!(all, (0..100).collect::<Vec<i64>>());
    assert_eq!(db.store.license_count().await.unwrap(), 100);
    db.finish().await;
}

#[tokio::test]
async fn a_bad_schema_name_is_refused() {
    let err = Store::connect_with(&postgres_url(), Some("x; DROP TABLE y"))
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::InvalidSchema));
}

/// Licenses sharing a long JWS header store it once; every credential reads back byte
/// for byte, one by one and per agency; a short header stays inline.
#[rstest]
#[case::sqlite("sqlite")]
#[case::postgres("postgres")]
#[tokio::test]
async fn shared_jws_headers_are_stored_once_and_credentials_read_back_whole(#[case] engine: &str) {
    let db = TestDb::new(engine).await;
    let header = format!("eyJ{}", "x5c".repeat(400));
    let mut tx = db.store.begin_issue("agency-h", 4, 1000).await.unwrap();
    let rows: Vec<NewLicense> = tx
        .slots()
        .to_vec()
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let mut l = license(s, i);
            l.credential = if i == 3 {
                format!("eyJhbGci.short.{i}~")
            } else {
                format!("{header}.payload{i}.sig{i}~WyJkaXNjbG9zdXJlIl0~")
            };
            l
        })
        .collect();
    tx.insert_licenses(&rows).await.unwrap();
    tx.commit().await.unwrap();
    // The same header again in a later batch is not stored twice.
    let mut tx = db.store.begin_issue("agency-h", 1, 1001).await.unwrap();
    let mut late = license(tx.slots()[0], 9);
    late.credential = format!("{header}.payload9.sig9~");
    tx.insert_licenses(std::slice::from_ref(&late))
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let again = db.reopen().await;
    for l in rows.iter().chain([&late]) {
        assert_eq!(
            again.license(&l.identifier).await.unwrap().credential,
            l.credential
        );
    }
    let all: Vec<String> = again
        .licenses_of("agency-h")
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.credential)
        .collect();
    let expected: Vec<String> = rows
        .iter()
        .chain([&late])
        .map(|l| l.credential.clone())
        .collect();
    assert_eq!(all, expected);
    let used = again.credential_storage().await.unwrap();
    assert_eq!(used.headers, 1);
    assert_eq!(used.header_bytes, header.len() as i64);
    let whole: i64 = expected.iter().map(|c| c.len() as i64).sum();
    assert_eq!(used.row_bytes, whole - 4 * header.len() as i64);
    again.close().await;
    db.finish().await;
}

#[rstest]
#[case::sqlite("sqlite")]
#[case::postgres("postgres")]
#[tokio::test]
async fn the_archive_log_is_appended_with_each_act_and_only_when_it_commits(#[case] engine: &str) {
    use deltaseal::archive::entry::Act;
    use deltaseal::archive::merkle::{self, MemoryTree};
    let db = TestDb::new(engine).await;
    // issuers of several agencies at once, on one database
    let mut tasks = Vec::new();
    for a in 0..4 {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move {
            let mut all = Vec::new();
            for _ in 0..5 {
                all.extend(issue(&store, &format!("agency-{a}"), 3).await);
            }
            all
        }));
    }
    let mut issued = Vec::new();
    for t in tasks {
        issued.extend(t.await.unwrap());
    }
    // an issuance rolled back appends nothing
    {
        let mut tx = db.store.begin_issue("agency-0", 1, 1000).await.unwrap();
        let rows: Vec<_> = tx.slots().iter().map(|s| license(*s, 9)).collect();
        tx.insert_licenses(&rows).await.unwrap();
    }
    db.store
        .set_status(
            &issued[0].identifier,
            "agency-0",
            &[LicenseStatus::Valid],
            LicenseStatus::Revoked,
            Some("test"),
            2000,
        )
        .await
        .unwrap();

    let size = db.store.archive_size().await.unwrap();
    assert_eq!(size, 61);
    let logged = db.store.archive_entries(0, size).await.unwrap();
    let indexes: Vec<u64> = logged.iter().map(|l| l.index).collect();
    assert_eq!(indexes, (0..61).collect::<Vec<_>>(), "dense, in order");
    let mut tree = MemoryTree::new();
    for l in &logged {
        assert_eq!(l.leaf, l.entry.leaf_hash());
        tree.push(l.leaf);
    }
    for l in &issued {
        let e = logged
            .iter()
            .find(|e| e.entry.subject == l.identifier && e.entry.act == Act::LicenseIssued)
            .unwrap_or_else(|| panic!("{} is not in the log", l.identifier));
        assert!(e
            .entry
            .records(deltaseal::archive::entry::issued_record(&l.credential)));
    }
    assert_eq!(logged[60].entry.act, Act::StatusChanged);
    assert_eq!(logged[60].entry.subject, issued[0].identifier);
    // roots and proofs from the stored nodes agree with the tree rebuilt from the leaves
    for size in [1u64, 2, 7, 32, 33, 61] {
        let root = db.store.archive_root(size).await.unwrap();
        assert_eq!(root, tree.root_at(size).unwrap(), "size {size}");
        for index in [0, size / 2, size - 1] {
            let proof = db.store.archive_inclusion(index, size).await.unwrap();
            merkle::verify_inclusion(index, size, &logged[index as usize].leaf, &proof, &root)
                .unwrap();
        }
    }
    // every size, and every consistency proof to the whole log: the nodes below the
    // stored levels are hashed again from the leaves, across every 16-entry boundary
    for size in 1..=61u64 {
        assert_eq!(
            db.store.archive_root(size).await.unwrap(),
            tree.root_at(size).unwrap(),
            "size {size}"
        );
        let proof = db.store.archive_consistency(size, 61).await.unwrap();
        merkle::verify_consistency(
            size,
            61,
            &tree.root_at(size).unwrap(),
            &tree.root_at(61).unwrap(),
            &proof,
        )
        .unwrap_or_else(|e| panic!("{size} → 61: {e}"));
    }
    assert!(db.store.archive_root(62).await.is_err());
    db.finish().await;
}

/// The validation data kept in an issuance's transaction, on both engines: the list's
/// state as the transaction sees it (its whole capacity), kept once (a second keep of
/// the same bundle adds no entry), logged ahead of the licenses, named by each license
/// row and served back byte for byte; none of it survives a rollback.
#[rstest]
#[case::sqlite("sqlite")]
#[case::postgres("postgres")]
#[tokio::test]
async fn validation_data_is_kept_with_the_licenses_it_was_kept_for(#[case] engine: &str) {
    use deltaseal::archive::entry::Act;
    use deltaseal::archive::ltv::{Bundle, VERSION};
    use deltaseal::service::store::KeptEvidence;
    use sha2::{Digest, Sha256};
    let db = TestDb::new(engine).await;
    let bundle = |at: i64| {
        Bundle {
            v: VERSION.into(),
            agency: "agency-a".into(),
            at,
            chain: vec!["MIIB".into()],
            trust_list: None,
            crls: vec![],
            status_list: "eyJ.e30.sig".into(),
        }
        .text()
    };
    let kept = |text: String| KeptEvidence {
        digest: hex::encode(Sha256::digest(text.as_bytes())),
        list: 0,
        status_version: 1,
        basis: "b".into(),
        at: 1000,
        text,
    };

    // rolled back: nothing kept
    let mut tx = db.store.begin_issue("agency-a", 1, 1000).await.unwrap();
    tx.keep_evidence(&kept(bundle(999))).await.unwrap();
    drop(tx);
    let mut tx = db.store.begin_issue("agency-a", 2, 1000).await.unwrap();
    assert_eq!(tx.latest_evidence(0).await.unwrap(), None);
    let (bits, version) = tx.status_list_state(0).await.unwrap();
    assert_eq!(
        bits.len() as i64,
        deltaseal::adapters::storage::LIST_CAPACITY / 4
    );
    assert!(bits.iter().all(|b| *b == 0));
    assert_eq!(version, 1);
    let k = kept(bundle(1000));
    tx.keep_evidence(&k).await.unwrap();
    tx.keep_evidence(&k).await.unwrap();
    assert_eq!(tx.latest_evidence(0).await.unwrap().as_ref(), Some(&k));
    let rows: Vec<NewLicense> = tx
        .slots()
        .to_vec()
        .into_iter()
        .enumerate()
        .map(|(i, s)| NewLicense {
            evidence: Some(k.digest.clone()),
            ..license(s, i)
        })
        .collect();
    tx.insert_licenses(&rows).await.unwrap();
    tx.commit().await.unwrap();

    let logged = db.store.archive_entries(0, 10).await.unwrap();
    let acts: Vec<Act> = logged.iter().map(|l| l.entry.act).collect();
    assert_eq!(
        acts,
        [Act::EvidenceKept, Act::LicenseIssued, Act::LicenseIssued]
    );
    assert!(logged[0].entry.records(k.text.as_bytes()));
    assert_eq!(logged[0].entry.subject, "agency-a");
    for r in &rows {
        assert_eq!(
            db.store.license_evidence(&r.identifier).await.unwrap(),
            Some((k.digest.clone(), k.text.clone()))
        );
    }
    assert_eq!(
        db.store.evidence_text(&k.digest).await.unwrap(),
        Some(k.text.clone())
    );
    assert_eq!(db.store.evidence_text("00").await.unwrap(), None);
    // a license issued before any was kept names none
    let plain = issue(&db.store, "agency-a", 1).await;
    assert_eq!(
        db.store
            .license_evidence(&plain[0].identifier)
            .await
            .unwrap(),
        None
    );
}
