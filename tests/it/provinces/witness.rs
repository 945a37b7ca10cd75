//! The provinces witness each other's archive logs: each node fetches the others'
//! checkpoints, checks each against the last one it cosigned, and hands its
//! cosignature back; the log's node serves its checkpoint with them. A node that
//! rewrites its log, or shows one witness one root and another witness another for the
//! same size, is caught by the witness that saw the first.

use super::business_license_as;
use super::JS_BUSINESS_LICENSE;
use crate::common::four_nodes::FourNodes;
use deltaseal::adapters::storage::Store;
use deltaseal::adapters::witness::{witness_peers, Outcome};
use deltaseal::archive::checkpoint::{origin, verify_cosignature, witness_name, Checkpoint};
use deltaseal::archive::entry::Entry;
use deltaseal::archive::note::Note;
use deltaseal::pki::Province::{self, Anhui, Jiangsu, Shanghai, Zhejiang};

async fn served(nodes: &FourNodes, p: Province) -> Note {
    let text = reqwest::get(format!("{}/v1/archive/checkpoint", nodes.url(p)))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    Note::parse(text.as_bytes()).unwrap()
}

/// What witnessing Jiangsu gave the node of `p`.
async fn witness_js(nodes: &FourNodes, p: Province) -> Outcome {
    witness_peers(nodes.node(p))
        .await
        .into_iter()
        .find(|(q, _)| *q == Jiangsu)
        .map(|(_, o)| o)
        .expect("Jiangsu witnessed")
}

fn show_key(nodes: &FourNodes, p: Province) -> deltaseal::crypto::PublicKey {
    nodes
        .keys
        .get(&format!("{}-show-service", p.abbrev().to_ascii_lowercase()))
        .unwrap()
        .signer
        .public_key()
        .clone()
}

/// Rewrite Jiangsu's log in its database with `edit` applied to its entries (nodes
/// and checkpoints redone: a consistent forgery).
async fn rewrite_js(nodes: &FourNodes, edit: impl FnOnce(&mut Vec<Entry>)) {
    let store = nodes.node(Jiangsu).store();
    let size = store.archive_size().await.unwrap();
    let mut entries: Vec<Entry> = store
        .archive_entries(0, size)
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.entry)
        .collect();
    edit(&mut entries);
    crate::archive::rewrite_log(&nodes.config(Jiangsu).database, store, &entries).await;
}

#[tokio::test]
async fn each_province_witnesses_the_others_and_catches_a_log_rewritten_behind_it() {
    let nodes = FourNodes::start().await;
    let mut issued = Vec::new();
    for _ in 0..3 {
        issued.push(
            nodes
                .issued("js-agency-samr", &business_license_as(JS_BUSINESS_LICENSE))
                .await,
        );
    }

    // Shanghai and Zhejiang witness Jiangsu (4 entries: the validation data kept at the
    // first issuance, then the 3 licenses): the served checkpoint carries both.
    for p in [Shanghai, Zhejiang] {
        let o = witness_js(&nodes, p).await;
        assert!(matches!(o, Outcome::Cosigned(4)), "{p:?}: {o:?}");
    }
    let note = served(&nodes, Jiangsu).await;
    let cp = Checkpoint::from_text(&note.text).unwrap();
    assert_eq!((cp.origin.as_str(), cp.size), (origin(Jiangsu).as_str(), 4));
    note.verify(&cp.origin, &show_key(&nodes, Jiangsu)).unwrap();
    for p in [Shanghai, Zhejiang] {
        verify_cosignature(&note, &witness_name(p), &show_key(&nodes, p)).unwrap();
    }
    assert!(verify_cosignature(&note, &witness_name(Anhui), &show_key(&nodes, Anhui)).is_err());

    // A verification answer carries the evidence: at Zhejiang (fetched from Jiangsu's
    // node) and at Jiangsu itself (its own log), for a presentation of two claims.
    let presented = deltaseal::license::sdjwt::present(&issued[1], &["holder"]).unwrap();
    for p in [Zhejiang, Jiangsu] {
        let v = super::verified(&nodes, p, serde_json::json!({ "artifact": presented })).await;
        assert_eq!(v["report"]["indication"], "TOTAL_PASSED", "{v}");
        let a = &v["archive"];
        assert_eq!(a["status"], "archived", "{p:?}: {a}");
        assert_eq!(
            (a["index"].as_u64(), a["size"].as_u64()),
            (Some(2), Some(4)),
            "{a}"
        );
        assert_eq!(a["witnessed_by"].as_array().unwrap().len(), 2, "{a}");
        assert_eq!(
            a["zh"], "已存档：江苏省 存档日志第 2 条，检查点已由 2 个省见证",
            "{a}"
        );
        assert_eq!(
            a["en"],
            "archived in Jiangsu's log at index 2; checkpoint witnessed by 2 provinces"
        );
        // with the validation data kept at issuance, proven against the same checkpoint
        assert_eq!(a["ltv"]["status"], "kept", "{a}");
        assert_eq!(a["ltv"]["index"], 0, "{a}");
    }

    // The log grows: witnessed again along a consistency proof.
    nodes
        .issued("js-agency-samr", &business_license_as(JS_BUSINESS_LICENSE))
        .await;
    let o = witness_js(&nodes, Shanghai).await;
    assert!(matches!(o, Outcome::Cosigned(5)), "{o:?}");

    // Jiangsu rewrites its log around a changed entry and shows the new root to Anhui,
    // which has not seen it before and cosigns: but Shanghai, which cosigned the old
    // root for 5 entries, refuses and records the fork.
    rewrite_js(&nodes, |es| es[0].subject = "forged".into()).await;
    let o = witness_js(&nodes, Anhui).await;
    assert!(matches!(o, Outcome::Cosigned(5)), "{o:?}");
    let o = witness_js(&nodes, Shanghai).await;
    let Outcome::Conflict(why) = o else {
        panic!("{o:?}")
    };
    assert!(why.contains("two different roots for 5 entries"), "{why}");
    let sh: &Store = nodes.node(Shanghai).store();
    let forks = sh.archive_forks(&origin(Jiangsu)).await.unwrap();
    assert_eq!(forks.len(), 1, "{forks:?}");
    assert_eq!(forks[0].size, 5);

    // Zhejiang last cosigned 4 entries: the rewritten log does not extend them.
    let o = witness_js(&nodes, Zhejiang).await;
    let Outcome::Conflict(why) = o else {
        panic!("{o:?}")
    };
    assert!(why.contains("does not extend"), "{why}");

    // Shrunk below what Shanghai witnessed: caught too.
    rewrite_js(&nodes, |es| es.truncate(2)).await;
    let o = witness_js(&nodes, Shanghai).await;
    let Outcome::Conflict(why) = o else {
        panic!("{o:?}")
    };
    assert!(why.contains("shrank from 5 to 2"), "{why}");
}
