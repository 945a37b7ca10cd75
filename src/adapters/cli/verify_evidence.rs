//! `deltaseal verify --evidence FILE`: an SD-JWT license's archive evidence, kept for
//! long-term validation — the issuance entry, its inclusion proof and the signed
//! checkpoint, as `GET /v1/archive/proofs/inclusion?digest=…` answers it. Judged like
//! the verify API judges what it fetches ([`crate::archive::evidence::judge`]) under the
//! trust list, with the keys of the province whose log the checkpoint names; when it
//! holds, the entry's time is the proof of existence the engine validates the
//! certificate chain at.

use super::CliError;
use crate::archive::checkpoint::{origin, witness_name, Checkpoint};
use crate::archive::evidence::{judge, Archived};
use crate::archive::note::Note;
use crate::archive::wire::InclusionView;
use crate::crypto::PublicKey;
use crate::license::sdjwt::SdJwt;
use crate::pki::Province;
use crate::trust_list::TrustList;
use crate::verify::Poe;
use std::path::Path;

/// Largest evidence file read.
const MAX_EVIDENCE: u64 = 1 << 20;

/// The evidence in `path` for the credential `artifact`, judged under `list`: what the
/// report says of it, and the proof of existence when it holds.
pub(crate) fn judge_file(
    path: &Path,
    artifact: &[u8],
    list: &TrustList,
) -> Result<(Archived, Option<Poe>), CliError> {
    let text = super::verify::read_bounded(path, MAX_EVIDENCE)?;
    let view: InclusionView = serde_json::from_slice(&text).map_err(|e| {
        CliError::Input(format!(
            "{}: not an inclusion answer of an archive log: {e}",
            path.display()
        ))
    })?;
    let credential = std::str::from_utf8(artifact)
        .ok()
        .and_then(|t| SdJwt::parse(t.trim()).ok())
        .ok_or_else(|| CliError::Input("--evidence is for SD-JWT licenses".into()))?;
    let log = view
        .checkpoint
        .as_deref()
        .and_then(|c| Note::parse(c.as_bytes()).ok())
        .and_then(|n| Checkpoint::from_text(&n.text).ok())
        .and_then(|cp| Province::ALL.into_iter().find(|p| origin(*p) == cp.origin))
        .ok_or_else(|| {
            CliError::Input(format!(
                "{}: its checkpoint is not of a province's archive log",
                path.display()
            ))
        })?;
    let keys = list
        .province(log)
        .map(|p| p.show_service_keys())
        .unwrap_or_default();
    let witnesses: Vec<(String, PublicKey)> = list
        .provinces
        .iter()
        .filter(|p| p.code != log)
        .flat_map(|p| {
            p.show_service_keys()
                .into_iter()
                .map(move |k| (witness_name(p.code), k))
        })
        .collect();
    let archived = judge(
        log.abbrev(),
        log.name_zh(),
        log.name_en(),
        &origin(log),
        &keys,
        &witnesses,
        &view,
        &credential.jwt,
    );
    let poe = match (archived.status, archived.at, archived.index) {
        ("archived", Some(at), Some(index)) => time::OffsetDateTime::from_unix_timestamp(at)
            .ok()
            .map(|at| Poe {
                at,
                province: log,
                index,
            }),
        _ => None,
    };
    Ok((archived, poe))
}
