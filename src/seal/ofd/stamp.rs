//! Adding a seal stamp to an OFD document, in the layout of the field's stamped OFDs:
//! `Doc_0/Signs/Signatures.xml` (created or extended, and named from `OFD.xml`),
//! `Doc_0/Signs/Sign_N/Seal.esl`, `Sign_N/Signature.xml` with one `Reference` per file of
//! the package (except the new signature's own `Signature.xml` and `SignedValue.dat`, and
//! the `Signatures.xml` list that later stamps extend — as current ofdrw does),
//! a `StampAnnot` placing the seal picture, and `SignedValue.dat` = SES_Signature whose
//! dataHash is the digest of that `Signature.xml`.
//!
//! Owns: writing these parts. Split as [`prepare`] (returns the `Signature.xml` to be
//! signed) and [`PreparedStamp::complete`] (adds the signed value) so a remote signer
//! fits; [`stamp_ofd`] does both with the seal module's stamping.
//! Must not touch: existing files other than `Signatures.xml` (and `OFD.xml` when the
//! document had no signature yet), so earlier stamps stay verifiable under the
//! multi-stamp policy of `verify`.

use base64::Engine;
use quick_xml::events::Event;
use time::OffsetDateTime;

use crate::crypto::{Algorithm, DigestAlgorithm, Signer};
use crate::seal::{Seal, SealError};

use super::container::{display_path, OfdPackage};
use super::error::OfdError;
use super::model::{self, SignatureKind, OFD_XML};
use super::placement::{self, Placement};
use super::xml::escape;

const NS: &str = "http://www.ofdspec.org/2016";
const PROVIDER: &str = "deltaseal";

/// How to stamp.
#[derive(Debug, Clone, PartialEq)]
pub struct StampOptions {
    /// Where the seal picture goes.
    pub placement: Placement,
    /// Picture size in mm; the seal's own picture size when `None`.
    pub size_mm: Option<(f64, f64)>,
}

/// A stamp whose `Signature.xml` is written and waits for its signed value.
#[derive(Debug, Clone)]
pub struct PreparedStamp {
    pkg: OfdPackage,
    signature_xml_name: String,
    signed_value_name: String,
}

impl PreparedStamp {
    /// The bytes of the new `Signature.xml`: the stamp's dataHash is their digest.
    pub fn signature_xml(&self) -> &[u8] {
        self.pkg
            .file(&self.signature_xml_name)
            .expect("prepare wrote Signature.xml")
    }

    /// The package path of the new `Signature.xml` (e.g. `/Doc_0/Signs/Sign_1/Signature.xml`),
    /// used as TBS_Sign.propertyInfo.
    pub fn signature_xml_path(&self) -> String {
        display_path(&self.signature_xml_name)
    }

    /// Add `SignedValue.dat` and write the stamped package.
    pub fn complete(mut self, signed_value: Vec<u8>) -> Result<Vec<u8>, OfdError> {
        self.pkg.put(&self.signed_value_name, signed_value, false)?;
        self.pkg.write()
    }
}

/// Prepare a seal stamp on the first document of `pkg` (taken by value: the package
/// is extended in place, not copied). `digest` is the reference
/// digest (SM3 for SM2 stamps), `method` the signer's algorithm.
pub fn prepare(
    mut pkg: OfdPackage,
    seal: &Seal,
    digest: DigestAlgorithm,
    method: Algorithm,
    opts: &StampOptions,
    at: OffsetDateTime,
) -> Result<PreparedStamp, OfdError> {
    let body = model::doc_bodies(&pkg)?.remove(0);
    let pages = model::pages(&pkg, &body.doc_root)?;
    let pic = &seal.info.picture;
    let size = opts.size_mm.unwrap_or((
        if pic.width_mm > 0 {
            pic.width_mm as f64
        } else {
            40.0
        },
        if pic.height_mm > 0 {
            pic.height_mm as f64
        } else {
            40.0
        },
    ));
    if !(size.0.is_finite() && size.1.is_finite() && size.0 > 0.0 && size.1 > 0.0) {
        return Err(OfdError::Placement("stamp size must be positive"));
    }
    let place = placement::resolve(&pkg, &pages, &opts.placement, size)?;

    // The signature list: named by OFD.xml, else created beside Document.xml.
    let list_name = match &body.signatures {
        Some(n) => n.clone(),
        None => {
            let doc_dir = body.doc_root.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
            let name = if doc_dir.is_empty() {
                "Signs/Signatures.xml".to_string()
            } else {
                format!("{doc_dir}/Signs/Signatures.xml")
            };
            let ofd = add_signatures_to_ofd_xml(pkg.file(OFD_XML)?, &display_path(&name))?;
            pkg.put(OFD_XML, ofd, false)?;
            name
        }
    };
    let (entries, max_ids) = if pkg.contains(&list_name) {
        model::signature_list(&pkg, &list_name)?
    } else {
        (Vec::new(), Vec::new())
    };
    let top = entries
        .iter()
        .map(|e| e.id.as_str())
        .chain(max_ids.iter().map(String::as_str))
        .filter_map(id_number)
        .max()
        .unwrap_or(0);
    let (sig_id, annot_id) = (top + 1, top + 2);
    let signs_dir = list_name.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let sign_dir = (0..)
        .map(|k| join(signs_dir, &format!("Sign_{k}")))
        .find(|d| {
            let prefix = format!("{d}/");
            !pkg.entries().iter().any(|e| e.name.starts_with(&prefix))
        })
        .expect("an unused Sign_N exists");
    let seal_name = format!("{sign_dir}/Seal.esl");
    let signature_xml_name = format!("{sign_dir}/Signature.xml");
    let signed_value_name = format!("{sign_dir}/SignedValue.dat");
    pkg.put(&seal_name, seal.der().to_vec(), false)?;

    // Rewrite the list with the earlier entries kept as they were, and the new one.
    let mut list =
        format!(r#"<?xml version="1.0" encoding="UTF-8"?><ofd:Signatures xmlns:ofd="{NS}">"#);
    for e in &entries {
        let kind = match e.kind {
            SignatureKind::Seal => "Seal",
            SignatureKind::Sign => "Sign",
        };
        list.push_str(&format!(
            r#"<ofd:Signature ID="{}" Type="{kind}" BaseLoc="{}"/>"#,
            escape(&e.id),
            escape(&display_path(&e.base_loc))
        ));
    }
    list.push_str(&format!(
        r#"<ofd:Signature ID="{sig_id}" Type="Seal" BaseLoc="{}"/><ofd:MaxSignId>{annot_id}</ofd:MaxSignId></ofd:Signatures>"#,
        escape(&display_path(&signature_xml_name))
    ));
    pkg.put(&list_name, list.into_bytes(), false)?;

    // References over every file now in the package except the signature list, which
    // later stamps extend (the new Signature.xml and SignedValue.dat do not exist yet).
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut refs = String::new();
    for e in pkg
        .entries()
        .iter()
        .filter(|e| !e.is_dir() && e.name != list_name)
    {
        refs.push_str(&format!(
            r#"<ofd:Reference FileRef="{}"><ofd:CheckValue>{}</ofd:CheckValue></ofd:Reference>"#,
            escape(&display_path(&e.name)),
            b64.encode(digest.digest(&e.data))
        ));
    }
    let [x, y, w, h] = place.boundary;
    let time = at
        .to_offset(time::UtcOffset::UTC)
        .format(time::macros::format_description!(
            "[year][month][day][hour][minute][second]Z"
        ))
        .map_err(|_| OfdError::Placement("signing time cannot be written"))?;
    let xml = format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?><ofd:Signature xmlns:ofd="{ns}"><ofd:SignedInfo>"#,
            r#"<ofd:Provider ProviderName="{provider}" Company="{provider}" Version="{version}"/>"#,
            r#"<ofd:SignatureMethod>{method}</ofd:SignatureMethod>"#,
            r#"<ofd:SignatureDateTime>{time}</ofd:SignatureDateTime>"#,
            r#"<ofd:References CheckMethod="{check}">{refs}</ofd:References>"#,
            r#"<ofd:StampAnnot ID="{annot}" PageRef="{page}" Boundary="{x} {y} {w} {h}"/>"#,
            r#"<ofd:Seal><ofd:BaseLoc>{seal}</ofd:BaseLoc></ofd:Seal>"#,
            r#"</ofd:SignedInfo><ofd:SignedValue>{sv}</ofd:SignedValue></ofd:Signature>"#
        ),
        ns = NS,
        provider = PROVIDER,
        version = env!("CARGO_PKG_VERSION"),
        method = method.signature_oid(),
        time = time,
        check = digest.oid(),
        refs = refs,
        annot = annot_id,
        page = escape(&place.page_id),
        x = mm(x),
        y = mm(y),
        w = mm(w),
        h = mm(h),
        seal = escape(&display_path(&seal_name)),
        sv = escape(&display_path(&signed_value_name)),
    );
    pkg.put(&signature_xml_name, xml.into_bytes(), false)?;
    Ok(PreparedStamp {
        pkg,
        signature_xml_name,
        signed_value_name,
    })
}

/// Stamp the first document of `pkg` with `seal`, signed by `signer` whose
/// certificate `signer_cert` (DER) must be listed in the seal, at time `at`.
pub fn stamp_ofd(
    pkg: OfdPackage,
    seal: &Seal,
    signer: &dyn Signer,
    signer_cert: &[u8],
    opts: &StampOptions,
    at: OffsetDateTime,
) -> Result<Vec<u8>, OfdError> {
    let digest = crate::seal::stamp::data_hash_algorithm(signer_cert).map_err(sign_err)?;
    let prepared = prepare(pkg, seal, digest, signer.algorithm(), opts, at)?;
    let data_hash = digest.digest(prepared.signature_xml());
    let stamp = crate::seal::stamp::stamp_digest(
        seal,
        signer,
        signer_cert,
        &data_hash,
        &prepared.signature_xml_path(),
        at,
    )
    .map_err(sign_err)?;
    prepared.complete(stamp.der().to_vec())
}

fn sign_err(e: SealError) -> OfdError {
    OfdError::Sign(Box::new(e))
}

/// Insert `<Signatures>loc</Signatures>` as the last child of the first `DocBody`.
fn add_signatures_to_ofd_xml(ofd: &[u8], loc: &str) -> Result<Vec<u8>, OfdError> {
    let bad = || OfdError::MissingElement {
        file: display_path(OFD_XML),
        element: "DocBody",
    };
    let mut reader = quick_xml::Reader::from_reader(ofd);
    loop {
        let before = reader.buffer_position() as usize;
        match reader.read_event() {
            Ok(Event::End(e)) if e.local_name().as_ref() == b"DocBody" => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let prefix = name.strip_suffix("DocBody").unwrap_or("");
                let mut out = Vec::with_capacity(ofd.len() + 64 + loc.len());
                out.extend_from_slice(&ofd[..before]);
                out.extend_from_slice(
                    format!("<{prefix}Signatures>{}</{prefix}Signatures>", escape(loc)).as_bytes(),
                );
                out.extend_from_slice(&ofd[before..]);
                return Ok(out);
            }
            Ok(Event::Eof) | Err(_) => return Err(bad()),
            Ok(_) => {}
        }
    }
}

/// The number in an OFD ID (`12`, or `s012` as some writers use).
fn id_number(id: &str) -> Option<u64> {
    let digits: String = id.chars().filter(char::is_ascii_digit).collect();
    digits.get(digits.len().saturating_sub(15)..)?.parse().ok()
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// A millimetre value without needless digits.
fn mm(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
