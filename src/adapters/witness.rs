//! Witnessing the other provinces' archive logs: fetch each peer node's checkpoint
//! (the trust list's `node_url`, bounded like every list fetch), have the use case
//! check it against the last one this node cosigned and cosign it, and hand the
//! cosignature back to the peer over a signed call. Run now and then by `serve` on a
//! provincial node, and on demand.

use crate::adapters::federation::fetch_signed_text;
use crate::adapters::http::archive::COSIGN_PATH;
use crate::adapters::http::state::Node;
use crate::archive::checkpoint::{origin, witness_name};
use crate::archive::merkle::Hash;
use crate::archive::wire::ConsistencyView;
use crate::pki::Province;
use crate::service::archive::{self as uc, WitnessError};
use std::time::Duration;

/// What witnessing one peer gave.
#[derive(Debug)]
pub enum Outcome {
    /// Cosigned, and the peer took the cosignature: the size witnessed.
    Cosigned(u64),
    /// Refused: it conflicts with what was witnessed before (recorded).
    Conflict(String),
    /// Not reached or not usable this time.
    Failed(String),
}

async fn consistency(node_url: String, from: u64, to: u64) -> Result<Vec<Hash>, String> {
    let url = format!("{node_url}/v1/archive/proofs/consistency?from={from}&to={to}");
    let text = fetch_signed_text(&url).await?;
    let v: ConsistencyView = serde_json::from_str(&text).map_err(|e| format!("{url}: {e}"))?;
    crate::archive::wire::decode_hashes(&v.proof)
        .ok_or_else(|| format!("{url}: a hash is not 32 bytes of base64"))
}

/// Witness every other province's log once → what each gave.
pub async fn witness_peers(node: &Node) -> Vec<(Province, Outcome)> {
    let Some((own, party)) = node.show_signer() else {
        return Vec::new();
    };
    let list = match node.current_trust_list().await {
        Ok(l) => l,
        Err(e) => return vec![(own, Outcome::Failed(format!("no trust list: {e}")))],
    };
    let mut out = Vec::new();
    for p in &list.verified.list.provinces {
        if p.code == own || node.hosts_province(p.code) {
            continue;
        }
        let base = p.node_url.trim_end_matches('/').to_string();
        let keys = p.show_service_keys();
        let text = match fetch_signed_text(&format!("{base}/v1/archive/checkpoint")).await {
            Ok(t) => t,
            Err(e) => {
                out.push((p.code, Outcome::Failed(e)));
                continue;
            }
        };
        let fetch_base = base.clone();
        let done = uc::witness(
            node.store(),
            party.signer.as_ref(),
            &witness_name(own),
            &origin(p.code),
            &keys,
            text.as_bytes(),
            move |a, b| consistency(fetch_base, a, b),
            node.now().unix_timestamp(),
        )
        .await;
        let outcome = match done {
            Ok((cp, line)) => {
                let body = serde_json::json!({"size": cp.size, "line": line.line()});
                match crate::adapters::signed_calls::call(
                    node,
                    &base,
                    reqwest::Method::POST,
                    COSIGN_PATH,
                    Some(body.to_string().into_bytes()),
                )
                .await
                {
                    Ok(a) if a.status == 204 => Outcome::Cosigned(cp.size),
                    Ok(a) => Outcome::Failed(format!(
                        "{base} answered {}: {}",
                        a.status,
                        String::from_utf8_lossy(&a.body[..a.body.len().min(300)])
                    )),
                    Err(e) => Outcome::Failed(e.to_string()),
                }
            }
            Err(WitnessError::Conflict(c)) => {
                tracing::error!(province = p.code.abbrev(), conflict = %c, "a peer's archive log conflicts with what this node witnessed");
                Outcome::Conflict(c.to_string())
            }
            Err(e) => Outcome::Failed(e.to_string()),
        };
        out.push((p.code, outcome));
    }
    out
}

/// Witness the peers every `every` (the first round after at most 10 s), until aborted.
pub fn spawn_witness(
    node: crate::adapters::http::state::AppState,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        // the first round a little after start, when the peers started beside it are up
        let first = tokio::time::Instant::now() + every.min(Duration::from_secs(10));
        let mut tick = tokio::time::interval_at(first, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            for (p, outcome) in witness_peers(&node).await {
                match outcome {
                    Outcome::Cosigned(size) => {
                        tracing::debug!(province = p.abbrev(), size, "witnessed")
                    }
                    Outcome::Conflict(_) => {}
                    Outcome::Failed(e) => {
                        tracing::warn!(province = p.abbrev(), error = %e, "witnessing failed")
                    }
                }
            }
        }
    })
}
