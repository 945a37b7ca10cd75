//! Unit tests of the use cases over an in-memory store, the clock fixed.

use super::issue::{issue, Idempotency, IssueBody, Issuer};
use super::seal_make::{make, PictureFormat, SealOrder};
use super::store::*;
use super::{Inline, ServiceError};
use crate::catalog::Catalog;
use crate::license::{Agency, Status};
use crate::seal::make::{default_es_id_base, CertListForm, SealType};
use serde_json::json;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use time::macros::datetime;
use time::OffsetDateTime;

const NOW: OffsetDateTime = datetime!(2026-02-01 08:00 UTC);

/// Drive a future that never waits (the in-memory store answers at once).
fn block_on<F: Future>(f: F) -> F::Output {
    struct Noop;
    impl Wake for Noop {
        fn wake(self: Arc<Self>) {}
    }
    let waker = Waker::from(Arc::new(Noop));
    let mut cx = Context::from_waker(&waker);
    let mut f = std::pin::pin!(f);
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

#[derive(Default)]
struct Counts {
    idempotency_reads: usize,
    begun: usize,
    inserted: usize,
    idempotency_puts: usize,
    committed: usize,
}

#[derive(Default)]
struct Memory {
    stored: Option<IdempotentResponse>,
    counts: Arc<Mutex<Counts>>,
    next_seq: Mutex<i64>,
}

struct Tx(Arc<Mutex<Counts>>, Vec<Slot>);

impl Issuance for Tx {
    fn slots(&self) -> &[Slot] {
        &self.1
    }
    async fn insert_licenses(&mut self, l: &[NewLicense]) -> Result<(), StoreError> {
        self.0.lock().unwrap().inserted += l.len();
        Ok(())
    }
    async fn put_idempotency(&mut self, _: &str, _: &str, _: &str) -> Result<(), StoreError> {
        self.0.lock().unwrap().idempotency_puts += 1;
        Ok(())
    }
    async fn mark_proof_issued(&mut self, _: &str, _: &str, _: &str) -> Result<(), StoreError> {
        Ok(())
    }
    async fn status_list_state(&mut self, _: i64) -> Result<(Vec<u8>, i64), StoreError> {
        Ok((vec![0; 16], 1))
    }
    async fn latest_evidence(&mut self, _: i64) -> Result<Option<KeptEvidence>, StoreError> {
        Ok(None)
    }
    async fn keep_evidence(&mut self, _: &KeptEvidence) -> Result<(), StoreError> {
        Ok(())
    }
    async fn commit(self) -> Result<(), StoreError> {
        self.0.lock().unwrap().committed += 1;
        Ok(())
    }
}

impl LicenseStore for Memory {
    type Issuance = Tx;
    async fn begin_issue(&self, _: &str, count: usize, _: i64) -> Result<Tx, StoreError> {
        self.counts.lock().unwrap().begun += 1;
        let mut seq = self.next_seq.lock().unwrap();
        let slots = (0..count as i64)
            .map(|i| Slot {
                seq: *seq + i + 1,
                list: 0,
                index: *seq + i,
            })
            .collect();
        *seq += count as i64;
        Ok(Tx(self.counts.clone(), slots))
    }
    async fn idempotent_response(
        &self,
        _: &str,
        _: &str,
    ) -> Result<Option<IdempotentResponse>, StoreError> {
        self.counts.lock().unwrap().idempotency_reads += 1;
        Ok(self.stored.clone())
    }
    async fn license(&self, _: &str) -> Result<LicenseRecord, StoreError> {
        Err(StoreError::NotFound)
    }
    async fn set_status(
        &self,
        _: &str,
        _: &str,
        _: &[Status],
        _: Status,
        _: Option<&str>,
        _: i64,
    ) -> Result<LicenseRecord, StoreError> {
        Err(StoreError::NotFound)
    }
}

use crate::catalog::BUILTIN_JSON as BUILTIN_CATALOG;

/// One demo party read straight from `keys/<path>.{key,cert}.pem`.
struct DemoParty {
    cert_der: Vec<u8>,
    signer: Arc<dyn crate::crypto::Signer>,
}

fn demo(path: &str) -> DemoParty {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("keys");
    let read = |ext: &str| std::fs::read_to_string(dir.join(format!("{path}.{ext}.pem"))).unwrap();
    let key = crate::crypto::PrivateKey::from_pem(&read("key")).unwrap();
    let cert_der = crate::pki::pem::certs_from_pem(&read("cert"))
        .unwrap()
        .remove(0);
    DemoParty {
        cert_der,
        signer: Arc::new(crate::crypto::SoftwareSigner::new(path.to_string(), key)),
    }
}

fn sh_agency() -> Arc<Agency> {
    let agency = demo("sh/agency-psb");
    let root = demo("sh/root").cert_der;
    Arc::new(Agency::new(agency.signer, vec![agency.cert_der, root]).unwrap())
}

fn id_card() -> IssueBody {
    serde_json::from_value(json!({
        "type_code": "11100000000019713D001",
        "holder": "张三",
        "holder_code": "310101199001010004",
        "claims": {"name": "张三", "sex": "男", "ethnicity": "汉",
                   "birth_date": "1990-01-01", "id_number": "310101199001010004"}
    }))
    .unwrap()
}

fn run_issue(
    store: &Memory,
    items: &[IssueBody],
    hash: &str,
) -> Result<super::issue::Issued, ServiceError> {
    let catalog = Arc::new(Catalog::from_json(BUILTIN_CATALOG).unwrap());
    let agency = sh_agency();
    let uri = |list: i64| format!("https://node.test/v1/status/x/{list}");
    let issuer = Issuer {
        catalog: &catalog,
        agency: &agency,
        status_uri: &uri,
        ltv: None,
    };
    let idem = Idempotency {
        key: "k1",
        request_hash: hash,
    };
    block_on(issue(
        store,
        &Inline,
        &issuer,
        items,
        false,
        Some(idem),
        NOW,
    ))
}

#[test]
fn a_known_idempotency_key_is_read_once_and_replayed_without_issuing() {
    let store = Memory {
        stored: Some(IdempotentResponse {
            request_hash: "h".into(),
            response: "{\"stored\":true}".into(),
        }),
        ..Memory::default()
    };
    let out = run_issue(&store, &[id_card()], "h").unwrap();
    assert!(out.replayed);
    assert_eq!(out.response, "{\"stored\":true}");
    let c = store.counts.lock().unwrap();
    assert_eq!((c.idempotency_reads, c.begun), (1, 0));
}

#[test]
fn a_reused_idempotency_key_is_refused_after_one_read() {
    let store = Memory {
        stored: Some(IdempotentResponse {
            request_hash: "other".into(),
            response: String::new(),
        }),
        ..Memory::default()
    };
    let err = run_issue(&store, &[id_card()], "h").unwrap_err();
    assert!(matches!(err, ServiceError::IdempotencyKeyReused), "{err}");
    let c = store.counts.lock().unwrap();
    assert_eq!((c.idempotency_reads, c.begun), (1, 0));
}

#[test]
fn a_fresh_idempotency_key_is_read_once_then_stored_with_the_licenses() {
    let store = Memory::default();
    let out = run_issue(&store, &[id_card()], "h").unwrap();
    assert!(!out.replayed);
    assert_eq!(out.licenses.len(), 1);
    assert_eq!(out.licenses[0].issued_at, NOW);
    let c = store.counts.lock().unwrap();
    assert_eq!(
        (
            c.idempotency_reads,
            c.begun,
            c.inserted,
            c.idempotency_puts,
            c.committed
        ),
        (1, 1, 1, 1, 1)
    );
}

#[test]
fn an_unknown_type_is_refused_before_any_slot_is_reserved() {
    let store = Memory::default();
    let mut body = id_card();
    body.type_code = "99999999999999999X999".into();
    let err = run_issue(&store, &[body], "h").unwrap_err();
    assert!(
        matches!(
            err,
            ServiceError::License(crate::license::LicenseError::UnknownType(_))
        ),
        "{err}"
    );
    assert_eq!(store.counts.lock().unwrap().begun, 0);
}

#[test]
fn the_default_es_id_base_is_division_date_and_six_digits() {
    let sh = &demo("sh/seal-authority").cert_der;
    assert_eq!(default_es_id_base(sh, NOW, 42), "31000020260201000042");
    assert_eq!(
        default_es_id_base(sh, NOW, 1_234_567),
        "31000020260201234567"
    );
    // A certificate that names no province.
    assert_eq!(
        default_es_id_base(b"not a cert", NOW, 7),
        "00000020260201000007"
    );
}

#[test]
fn every_seal_made_follows_the_one_es_id_rule() {
    let authority = demo("sh/seal-authority");
    let signer = demo("sh/org-1").cert_der;
    let order = |base: Option<&str>| SealOrder {
        name: "上海某某有限公司合同专用章".into(),
        organisation: "上海某某有限公司".into(),
        code: String::new(),
        seal_type: SealType::Organisation,
        signers: vec![signer.clone()],
        cert_list_form: CertListForm::Certificates,
        valid_start: NOW,
        valid_end: Some(datetime!(2028-01-01 00:00 UTC)),
        es_id_base: base.map(str::to_string),
        diameter_mm: 42,
        picture: PictureFormat::Svg,
    };
    let made = make(
        order(None),
        authority.signer.as_ref(),
        &authority.cert_der,
        NOW,
    )
    .unwrap();
    let es_id = made.seal.es_id();
    assert!(es_id.starts_with("31000020260201"), "{es_id}");
    assert!(es_id.ends_with("-01") && es_id.len() == 23, "{es_id}");
    assert!(made.svg.starts_with("<svg") || made.svg.contains("<svg"));
    let given = make(
        order(Some("JS0000000777")),
        authority.signer.as_ref(),
        &authority.cert_der,
        NOW,
    )
    .unwrap();
    assert_eq!(given.seal.es_id(), "JS0000000777-01");
}
