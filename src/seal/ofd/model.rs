//! The OFD parts that signing touches (GB/T 33190): `OFD.xml` document bodies,
//! `Document.xml` pages, the `Signatures.xml` list and each `Signature.xml`.
//!
//! Owns: reading these parts from a package into typed values, with every location
//! resolved to a canonical entry name.
//! Must not touch: digests, signatures, writing (see `verify` and `stamp`).

use base64::Engine;

use super::container::{display_path, resolve, OfdPackage};
use super::error::OfdError;
use super::xml::{self, Element};

/// The package's entry file.
pub const OFD_XML: &str = "OFD.xml";

/// One `DocBody` of `OFD.xml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocBody {
    /// Canonical name of the document's `Document.xml`.
    pub doc_root: String,
    /// Canonical name of its `Signatures.xml`, when it has one.
    pub signatures: Option<String>,
}

/// One page of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// The page's `ID` (what `StampAnnot/@PageRef` points at).
    pub id: String,
    /// Canonical name of the page's `Content.xml`.
    pub content: String,
    /// Width and height in mm of the document's default page area
    /// (`CommonData/PageArea/PhysicalBox`), when given; see [`page_size`].
    pub default_size_mm: Option<(f64, f64)>,
}

/// Width and height of a `PhysicalBox` (`x y w h`), when they are positive numbers.
fn box_size(area: Option<&Element>) -> Option<(f64, f64)> {
    let text = &area?.child("PhysicalBox")?.text;
    let n: Vec<f64> = text
        .split_whitespace()
        .filter_map(|v| v.parse::<f64>().ok())
        .collect();
    match n.as_slice() {
        [_, _, w, h] if w.is_finite() && h.is_finite() && *w > 0.0 && *h > 0.0 => Some((*w, *h)),
        _ => None,
    }
}

/// A page's size in mm: its own `Area/PhysicalBox`, else the document's default page
/// area; `None` when neither says.
pub fn page_size(pkg: &OfdPackage, page: &Page) -> Option<(f64, f64)> {
    parse_part(pkg, &page.content)
        .ok()
        .and_then(|c| box_size(c.child("Area")))
        .or(page.default_size_mm)
}

/// Kind of signature, from `Signatures.xml` `Type` (default `Seal`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureKind {
    /// An electronic seal stamp: `SignedValue.dat` is a GB/T 38540 SES_Signature.
    Seal,
    /// A plain digital signature: `SignedValue.dat` is the signature value itself.
    Sign,
}

/// One entry of `Signatures.xml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureEntry {
    /// The `ID` attribute.
    pub id: String,
    /// The `Type` attribute.
    pub kind: SignatureKind,
    /// Canonical name of the signature's `Signature.xml`.
    pub base_loc: String,
}

/// A `Reference` of `SignedInfo/References`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// `FileRef` as written.
    pub file_ref: String,
    /// `CheckValue`, base64-decoded (None if it is not valid base64).
    pub check_value: Option<Vec<u8>>,
}

/// A `StampAnnot`: where the seal picture appears.
#[derive(Debug, Clone, PartialEq)]
pub struct StampAnnot {
    /// `ID`.
    pub id: String,
    /// `PageRef`: the page's `ID`.
    pub page_ref: String,
    /// `Boundary`: x y width height in mm.
    pub boundary: [f64; 4],
}

/// A parsed `Signature.xml`.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureFile {
    /// `Provider/@ProviderName`.
    pub provider: Option<String>,
    /// `SignatureMethod` (an OID or a name).
    pub method: Option<String>,
    /// `SignatureDateTime` as written.
    pub date_time: Option<String>,
    /// `References/@CheckMethod` (an OID or a name; `SM3` when absent is not assumed).
    pub check_method: Option<String>,
    /// The references, in order.
    pub references: Vec<Reference>,
    /// The stamp annotations.
    pub stamp_annots: Vec<StampAnnot>,
    /// Canonical name of `Seal/BaseLoc`, when present.
    pub seal: Option<String>,
    /// Canonical name of `SignedValue`.
    pub signed_value: String,
}

/// Parse one XML part of the package under the package's limits.
pub fn parse_part(pkg: &OfdPackage, name: &str) -> Result<Element, OfdError> {
    let l = pkg.limits();
    xml::parse(
        pkg.file(name)?,
        &display_path(name),
        l.max_xml_depth,
        l.max_xml_elements,
    )
}

/// Resolve `loc` written in `referrer`; a relative location that names no file is
/// tried from the package root too (some writers mean root-relative).
pub fn locate(pkg: &OfdPackage, referrer: &str, loc: &str) -> Result<String, OfdError> {
    let rel = resolve(referrer, loc)?;
    if pkg.contains(&rel) || loc.trim().starts_with('/') {
        return Ok(rel);
    }
    let root = resolve("", loc)?;
    Ok(if pkg.contains(&root) { root } else { rel })
}

/// The document bodies of `OFD.xml`.
pub fn doc_bodies(pkg: &OfdPackage) -> Result<Vec<DocBody>, OfdError> {
    let root = parse_part(pkg, OFD_XML)?;
    let file = display_path(OFD_XML);
    if root.name != "OFD" {
        return Err(OfdError::MissingElement {
            file,
            element: "OFD",
        });
    }
    let mut out = Vec::new();
    for body in root.children_named("DocBody") {
        let doc_root = body.child("DocRoot").ok_or(OfdError::MissingElement {
            file: file.clone(),
            element: "DocRoot",
        })?;
        let signatures = match body.child("Signatures") {
            Some(s) => Some(locate(pkg, OFD_XML, &s.text)?),
            None => None,
        };
        out.push(DocBody {
            doc_root: locate(pkg, OFD_XML, &doc_root.text)?,
            signatures,
        });
    }
    if out.is_empty() {
        return Err(OfdError::MissingElement {
            file,
            element: "DocBody",
        });
    }
    Ok(out)
}

/// The pages of a `Document.xml`, in order.
pub fn pages(pkg: &OfdPackage, document: &str) -> Result<Vec<Page>, OfdError> {
    let doc = parse_part(pkg, document)?;
    let pages = doc.child("Pages").ok_or(OfdError::MissingElement {
        file: display_path(document),
        element: "Pages",
    })?;
    let default = box_size(doc.child("CommonData").and_then(|c| c.child("PageArea")));
    let mut list = Vec::new();
    pages.descendants("Page", &mut list);
    list.into_iter()
        .map(|p| {
            let bad = |what| OfdError::BadValue {
                file: display_path(document),
                what,
            };
            let content = locate(
                pkg,
                document,
                p.attr("BaseLoc").ok_or(bad("Page/@BaseLoc"))?,
            )?;
            Ok(Page {
                id: p.attr("ID").ok_or(bad("Page/@ID"))?.to_string(),
                content,
                default_size_mm: default,
            })
        })
        .collect()
}

/// The entries of a `Signatures.xml`, and its `MaxSignId` values.
pub fn signature_list(
    pkg: &OfdPackage,
    name: &str,
) -> Result<(Vec<SignatureEntry>, Vec<String>), OfdError> {
    let root = parse_part(pkg, name)?;
    let bad = |what| OfdError::BadValue {
        file: display_path(name),
        what,
    };
    let mut entries = Vec::new();
    for s in root.children_named("Signature") {
        let kind = match s.attr("Type").unwrap_or("Seal") {
            "Seal" => SignatureKind::Seal,
            "Sign" => SignatureKind::Sign,
            _ => return Err(bad("Signature/@Type")),
        };
        let loc = s.attr("BaseLoc").ok_or(bad("Signature/@BaseLoc"))?;
        entries.push(SignatureEntry {
            id: s.attr("ID").unwrap_or_default().to_string(),
            kind,
            base_loc: locate(pkg, name, loc)?,
        });
    }
    let max_ids = root
        .children_named("MaxSignId")
        .map(|m| m.text.trim().to_string())
        .collect();
    Ok((entries, max_ids))
}

/// Parse a `Signature.xml`.
pub fn signature_file(pkg: &OfdPackage, name: &str) -> Result<SignatureFile, OfdError> {
    let root = parse_part(pkg, name)?;
    let file = display_path(name);
    let missing = |element| OfdError::MissingElement {
        file: file.clone(),
        element,
    };
    if root.name != "Signature" {
        return Err(missing("Signature"));
    }
    let info = root
        .child("SignedInfo")
        .ok_or_else(|| missing("SignedInfo"))?;
    let refs = info
        .child("References")
        .ok_or_else(|| missing("References"))?;
    let b64 = base64::engine::general_purpose::STANDARD;
    let references = refs
        .children_named("Reference")
        .map(|r| Reference {
            file_ref: r.attr("FileRef").unwrap_or_default().to_string(),
            check_value: r
                .child("CheckValue")
                .and_then(|c| b64.decode(c.text.trim()).ok()),
        })
        .collect();
    let stamp_annots = info
        .children_named("StampAnnot")
        .map(|a| {
            let nums: Vec<f64> = a
                .attr("Boundary")
                .unwrap_or_default()
                .split_whitespace()
                .filter_map(|n| n.parse().ok())
                .collect();
            let boundary = match nums[..] {
                [x, y, w, h] => [x, y, w, h],
                _ => [0.0; 4],
            };
            StampAnnot {
                id: a.attr("ID").unwrap_or_default().to_string(),
                page_ref: a.attr("PageRef").unwrap_or_default().to_string(),
                boundary,
            }
        })
        .collect();
    let seal = match info.child("Seal").and_then(|s| s.child("BaseLoc")) {
        Some(b) => Some(locate(pkg, name, &b.text)?),
        None => None,
    };
    let signed_value = root
        .child("SignedValue")
        .ok_or_else(|| missing("SignedValue"))?;
    Ok(SignatureFile {
        provider: info
            .child("Provider")
            .and_then(|p| p.attr("ProviderName"))
            .map(str::to_string),
        method: info
            .child("SignatureMethod")
            .map(|m| m.text.trim().to_string()),
        date_time: info
            .child("SignatureDateTime")
            .map(|m| m.text.trim().to_string()),
        check_method: refs.attr("CheckMethod").map(|m| m.trim().to_string()),
        references,
        stamp_annots,
        seal,
        signed_value: locate(pkg, name, &signed_value.text)?,
    })
}
