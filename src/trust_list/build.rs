//! Building a trust list from a key manifest's entries and the catalogue.

use super::model::{
    fingerprint, AgencyEntry, CertEntry, LocalCode, PartyEntry, ProvinceEntry, TrustList,
    TypeMapping, FORMAT_VERSION,
};
use super::TrustListError;
use crate::catalog::Catalog;
use crate::pki::{ManifestEntry, Province, Role};
use std::collections::BTreeMap;
use time::OffsetDateTime;

/// One entry of a key manifest with its certificate (DER).
#[derive(Debug, Clone, Copy)]
pub struct Listed<'a> {
    /// The manifest entry.
    pub entry: &'a ManifestEntry,
    /// Its certificate.
    pub cert_der: &'a [u8],
}

/// What a build needs besides the entries.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The sequence number of the new list.
    pub sequence: u64,
    /// Its issue time.
    pub issued_at: OffsetDateTime,
    /// When the next list is due.
    pub next_update: OffsetDateTime,
    /// Each province's node base URL; a province without one gets
    /// `http://127.0.0.1:<8081..8084>` (SH, JS, ZJ, AH), the four-node demo layout.
    pub node_urls: BTreeMap<Province, String>,
}

fn demo_port(p: Province) -> u16 {
    match p {
        Province::Shanghai => 8081,
        Province::Jiangsu => 8082,
        Province::Zhejiang => 8083,
        Province::Anhui => 8084,
    }
}

/// Build the list: every province root, issuing agency, seal authority and
/// show-license service of `entries`, grouped by province, and `catalog`'s local codes.
/// Organisation signers are not listed: a seal names who may stamp with it.
pub fn build(
    entries: &[Listed<'_>],
    catalog: &Catalog,
    opts: &BuildOptions,
) -> Result<TrustList, TrustListError> {
    if opts.next_update <= opts.issued_at {
        return Err(TrustListError::Malformed(
            "next update must come after the issue time".into(),
        ));
    }
    let mut provinces = Vec::new();
    for p in Province::ALL {
        let mut e = ProvinceEntry {
            code: p,
            division: p.division_code().to_string(),
            name_zh: p.name_zh().to_string(),
            name_en: p.name_en().to_string(),
            roots: Vec::new(),
            node_url: opts
                .node_urls
                .get(&p)
                .cloned()
                .unwrap_or_else(|| format!("http://127.0.0.1:{}", demo_port(p))),
            issuing_agencies: Vec::new(),
            seal_authorities: Vec::new(),
            show_services: Vec::new(),
        };
        for l in entries.iter().filter(|l| l.entry.province == Some(p)) {
            let m = l.entry;
            let party = || PartyEntry {
                uscc: m.uscc.clone(),
                name_zh: m.name_zh.clone(),
                name_en: m.name_en.clone(),
                cert_sha256: vec![fingerprint(l.cert_der)],
                certs: vec![CertEntry::new(l.cert_der)],
            };
            match m.role {
                Role::ProvinceRoot => e.roots.push(CertEntry::new(l.cert_der)),
                Role::IssuingAgency => {
                    let uscc = m.uscc.clone().ok_or_else(|| TrustListError::Build {
                        id: m.id.clone(),
                        why: "an issuing agency needs a USCC".into(),
                    })?;
                    e.issuing_agencies.push(AgencyEntry {
                        uscc,
                        name_zh: m.name_zh.clone(),
                        name_en: m.name_en.clone(),
                        cert_sha256: vec![fingerprint(l.cert_der)],
                        license_types: m.license_types.clone(),
                        certs: vec![CertEntry::new(l.cert_der)],
                    })
                }
                Role::SealAuthority => e.seal_authorities.push(party()),
                Role::ShowService => e.show_services.push(party()),
                _ => {}
            }
        }
        if !e.roots.is_empty() {
            provinces.push(e);
        }
    }
    let catalogue = catalog
        .types()
        .iter()
        .map(|t| TypeMapping {
            code: t.code.clone(),
            name_zh: t.name_zh.clone(),
            name_en: t.name_en.clone(),
            local: t
                .local_codes
                .iter()
                .filter_map(|(p, code)| {
                    Some(LocalCode {
                        province: Province::parse(p)?,
                        code: code.clone(),
                    })
                })
                .collect(),
        })
        .collect();
    Ok(TrustList {
        version: FORMAT_VERSION,
        sequence: opts.sequence,
        issued_at: opts.issued_at,
        next_update: opts.next_update,
        provinces,
        catalogue,
    })
}
