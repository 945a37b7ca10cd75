//! The archive evidence a verification answer carries for an SD-JWT license, a seal, a
//! detached stamp, a stamped OFD document or a show token: the province's log entry of
//! the credential's issuer-signed JWT (`license.issued`), of the seal's DER
//! (`seal.made`), of the stamp or stamped document (`document.stamped`), of the show
//! token prepared at the license's node (`show.issued`), its inclusion proof and
//! checkpoint — from this node's own log when it is that province's, else from the
//! province's node (by digest — for a license also its JWT's `iat` — so a
//! presentation need not disclose its identifier) —
//! judged by [`crate::archive::evidence::judge_record`].

use super::super::state::Node;
use crate::archive::checkpoint::{origin, witness_name};
use crate::archive::entry::{issued_at, Act, Lookup};
use crate::archive::evidence::{judge_record, Archived};
use crate::archive::wire::InclusionView;
use crate::crypto::PublicKey;
use crate::license::sdjwt::SdJwt;
use crate::service::archive as uc;
use crate::service::trust_list::CurrentTrustList;
use crate::verify::{Kind, Verdict};
use sha2::{Digest, Sha256};

/// The evidence for `verdict` of the artifact `bytes`; `None` when it is not an
/// SD-JWT license, seal, stamp, OFD document or show token of a listed province.
pub async fn evidence(
    node: &Node,
    trust: &CurrentTrustList,
    bytes: &[u8],
    verdict: &Verdict,
) -> Option<Archived> {
    let (lookup, record): (Result<Lookup, &str>, std::borrow::Cow<[u8]>) = match verdict.kind {
        Some(Kind::SdJwt) => {
            let sd = SdJwt::parse(std::str::from_utf8(bytes).ok()?.trim()).ok()?;
            let lookup = Lookup::of(Act::LicenseIssued, issued_at(&sd.jws));
            (lookup, sd.jwt.into_bytes().into())
        }
        Some(Kind::Seal) => (Ok(Lookup::SealMade), bytes.into()),
        Some(Kind::Stamp | Kind::Ofd) => (Ok(Lookup::DocumentStamped), bytes.into()),
        Some(Kind::ShowToken) => (
            Ok(Lookup::ShowTokenIssued),
            show_record_of(bytes, verdict)?.into(),
        ),
        _ => return None,
    };
    let province = verdict.province.as_ref()?;
    let list = &trust.verified.list;
    let entry = list.provinces.iter().find(|p| p.code == province.code)?;
    let code = province.code.abbrev();
    let digest: [u8; 32] = Sha256::digest(&record).into();
    let witnesses: Vec<(String, PublicKey)> = list
        .provinces
        .iter()
        .filter(|p| p.code != province.code)
        .flat_map(|p| {
            p.show_service_keys()
                .into_iter()
                .map(move |k| (witness_name(p.code), k))
        })
        .collect();
    let unavailable = |why: String| {
        Some(Archived::unavailable(
            code,
            &province.name_zh,
            &province.name_en,
            &why,
        ))
    };
    let lookup = match lookup {
        Ok(l) => l,
        Err(why) => return unavailable(why.into()),
    };
    let (view, log_origin, log_keys) = if node.hosts_province(province.code) {
        // issued here: this node's own log
        let (own, party) = node.show_signer()?;
        let got = uc::issued_inclusion(
            node.store(),
            party.signer.as_ref(),
            &origin(own),
            lookup,
            &digest,
            node.now().unix_timestamp(),
        )
        .await;
        let view = match got {
            Ok(v) => v,
            Err(e) => return unavailable(e.to_string()),
        };
        (view, origin(own), vec![party.signer.public_key().clone()])
    } else {
        let mut url = format!(
            "{}/v1/archive/proofs/inclusion?digest={}&act={}",
            entry.node_url.trim_end_matches('/'),
            hex::encode(digest),
            lookup.act().name()
        );
        if let Lookup::LicenseIssued { at } = lookup {
            url.push_str(&format!("&at={at}"));
        }
        let text = match crate::adapters::federation::fetch_signed_text(&url).await {
            Ok(t) => t,
            Err(e) => return unavailable(e),
        };
        match serde_json::from_str::<InclusionView>(&text) {
            Ok(v) => (v, origin(province.code), entry.show_service_keys()),
            Err(e) => return unavailable(format!("{url}: {e}")),
        }
    };
    Some(judge_record(
        code,
        &province.name_zh,
        &province.name_en,
        &log_origin,
        &log_keys,
        &witnesses,
        &view,
        lookup.act(),
        &record,
    ))
}

/// The record of a show token's `show.issued` entry, rebuilt from the token and what
/// its verdict found (the chosen claims; the province whose show service signed);
/// `None` when the token did not get that far.
fn show_record_of(bytes: &[u8], verdict: &Verdict) -> Option<Vec<u8>> {
    let shown = verdict.show.as_ref()?;
    let (_, token) = crate::show::read_token(std::str::from_utf8(bytes).ok()?.trim()).ok()?;
    let mode = match shown.mode {
        crate::show::Mode::Online => "online",
        crate::show::Mode::Offline => "offline",
    };
    Some(crate::archive::entry::show_record(
        mode,
        token.issuer.abbrev(),
        &shown.token_id,
        &shown.chosen,
        shown.expires_at,
    ))
}
