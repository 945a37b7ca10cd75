//! Where a stamp goes on a page: by coordinates, or over a keyword found in the page's
//! text (`TextObject/TextCode`).
//!
//! Owns: turning a [`Placement`] into a page `ID` and a `Boundary` in millimetres.
//! Must not touch: signatures, writing the package.

use super::container::OfdPackage;
use super::error::OfdError;
use super::model::{self, Page};
use super::xml::Element;

/// Where to put the seal picture.
#[derive(Debug, Clone, PartialEq)]
pub enum Placement {
    /// On page `page` (0-based, in document order) with its top-left corner at
    /// (`x`, `y`) mm from the page's top-left corner.
    Coordinates {
        /// page index, 0-based
        page: usize,
        /// left, mm
        x: f64,
        /// top, mm
        y: f64,
    },
    /// Centred over the first occurrence of `text` in the pages' text.
    Keyword {
        /// the text to find
        text: String,
    },
}

/// A resolved placement: the page's `ID` and the stamp's box `[x, y, w, h]` in mm.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// `PageRef` of the StampAnnot.
    pub page_id: String,
    /// `Boundary` of the StampAnnot.
    pub boundary: [f64; 4],
}

/// Resolve `placement` on the document whose pages are `pages`, for a stamp of
/// `size` = (width, height) mm.
pub fn resolve(
    pkg: &OfdPackage,
    pages: &[Page],
    placement: &Placement,
    size: (f64, f64),
) -> Result<Resolved, OfdError> {
    let (w, h) = size;
    match placement {
        Placement::Coordinates { page, x, y } => {
            let p = pages
                .get(*page)
                .ok_or(OfdError::Placement("no page with that index"))?;
            if !(x.is_finite() && y.is_finite() && *x >= 0.0 && *y >= 0.0) {
                return Err(OfdError::Placement(
                    "coordinates must be finite and non-negative",
                ));
            }
            if !on_page(model::page_size(pkg, p), [*x, *y, w, h]) {
                return Err(OfdError::Placement(
                    "the stamp would not lie on the page (x + width and y + height must stay within the page's PhysicalBox)",
                ));
            }
            Ok(Resolved {
                page_id: p.id.clone(),
                boundary: [*x, *y, w, h],
            })
        }
        Placement::Keyword { text } => {
            if text.is_empty() {
                return Err(OfdError::Placement("empty keyword"));
            }
            for p in pages {
                let content = model::parse_part(pkg, &p.content)?;
                if let Some((cx, cy)) = find_keyword(&content, text) {
                    // centred on the keyword, moved as little as needed to stay on the page
                    let (pw, ph) = model::page_size(pkg, p).unwrap_or((f64::MAX, f64::MAX));
                    let x = (cx - w / 2.0).min(pw - w).max(0.0);
                    let y = (cy - h / 2.0).min(ph - h).max(0.0);
                    return Ok(Resolved {
                        page_id: p.id.clone(),
                        boundary: [x, y, w, h],
                    });
                }
            }
            Err(OfdError::Placement("keyword not found in any page's text"))
        }
    }
}

/// How far (mm) a stamp may stick out of its page and still count as on it: readers
/// and writers round boxes differently.
pub const PAGE_TOLERANCE_MM: f64 = 1.0;

/// Whether the box `[x, y, w, h]` lies on a page of `size` (mm); a page of unknown
/// size takes any box.
pub fn on_page(size: Option<(f64, f64)>, b: [f64; 4]) -> bool {
    let Some((pw, ph)) = size else {
        return true;
    };
    b.iter().all(|v| v.is_finite())
        && b[0] >= -PAGE_TOLERANCE_MM
        && b[1] >= -PAGE_TOLERANCE_MM
        && b[0] + b[2] <= pw + PAGE_TOLERANCE_MM
        && b[1] + b[3] <= ph + PAGE_TOLERANCE_MM
}

/// Whether any of the box `[x, y, w, h]` shows on a page of `size` (mm). A seal across
/// the edge of consecutive pages (骑缝章) shows part of itself on each: that counts; a
/// box wholly off the page does not. A page of unknown size takes any box.
pub fn shows_on_page(size: Option<(f64, f64)>, b: [f64; 4]) -> bool {
    let Some((pw, ph)) = size else {
        return true;
    };
    b.iter().all(|v| v.is_finite())
        && b[0] < pw
        && b[1] < ph
        && b[0] + b[2] > 0.0
        && b[1] + b[3] > 0.0
}

/// Centre (mm, page space) of the first occurrence of `keyword` in a page content.
fn find_keyword(content: &Element, keyword: &str) -> Option<(f64, f64)> {
    let mut objects = Vec::new();
    content.descendants("TextObject", &mut objects);
    for obj in objects {
        let b = numbers(obj.attr("Boundary").unwrap_or_default());
        let (bx, by) = (b.first().copied()?, b.get(1).copied()?);
        let size = obj
            .attr("Size")
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s > 0.0)
            .unwrap_or(3.5);
        for code in obj.children_named("TextCode") {
            let chars: Vec<char> = code.text.chars().collect();
            let Some(start) = code.text.find(keyword) else {
                continue;
            };
            let first = code.text[..start].chars().count();
            let count = keyword.chars().count();
            let deltas = expand_deltas(code.attr("DeltaX").unwrap_or_default(), chars.len());
            let advance = |i: usize| deltas.get(i).copied().unwrap_or(size);
            let before: f64 = (0..first).map(advance).sum();
            let width: f64 = (first..first + count - 1).map(advance).sum::<f64>() + size;
            let x = code
                .attr("X")
                .and_then(|s| s.trim().parse::<f64>().ok())
                .unwrap_or(0.0);
            let y = code
                .attr("Y")
                .and_then(|s| s.trim().parse::<f64>().ok())
                .unwrap_or(size);
            let cx = bx + x + before + width / 2.0;
            let cy = by + y - size / 2.0;
            if cx.is_finite() && cy.is_finite() {
                return Some((cx, cy));
            }
        }
    }
    None
}

fn numbers(s: &str) -> Vec<f64> {
    s.split_whitespace()
        .filter_map(|n| n.parse::<f64>().ok())
        .filter(|n| n.is_finite())
        .collect()
}

/// Expand an OFD `DeltaX` (numbers, with `g N v` meaning N copies of v), at most `max`.
fn expand_deltas(s: &str, max: usize) -> Vec<f64> {
    let mut out = Vec::new();
    let mut it = s.split_whitespace();
    while let Some(t) = it.next() {
        if out.len() >= max {
            break;
        }
        if t == "g" {
            let n: usize = it.next().and_then(|n| n.parse().ok()).unwrap_or(0);
            let v: f64 = it.next().and_then(|v| v.parse().ok()).unwrap_or(0.0);
            for _ in 0..n.min(max - out.len()) {
                out.push(v);
            }
        } else if let Ok(v) = t.parse() {
            out.push(v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_delta_shorthand() {
        assert_eq!(expand_deltas("g 3 1.5 2", 10), vec![1.5, 1.5, 1.5, 2.0]);
        assert_eq!(expand_deltas("g 1000000000 1", 4).len(), 4);
    }

    #[test]
    fn finds_keyword_centre() {
        let xml = r#"<ofd:Page xmlns:ofd="u"><ofd:Content><ofd:Layer><ofd:TextObject Boundary="10 20 50 5" Size="3"><ofd:TextCode X="0" Y="3" DeltaX="3 3 3 3">ABCDE</ofd:TextCode></ofd:TextObject></ofd:Layer></ofd:Content></ofd:Page>"#;
        let e = super::super::xml::parse(xml.as_bytes(), "/p.xml", 16, 100).unwrap();
        let (cx, cy) = find_keyword(&e, "CD").unwrap();
        // C starts at 10 + 6; the keyword spans 3 (C→D) + 3 (D's glyph).
        assert!((cx - (16.0 + 3.0)).abs() < 1e-9, "{cx}");
        assert!((cy - 21.5).abs() < 1e-9, "{cy}");
        assert!(find_keyword(&e, "XYZ").is_none());
    }
}
