//! Safe reading of the XML parts of an OFD package into a small element tree.
//!
//! Owns: refusing DTDs (so no entity declarations and no entity bombs), depth and size
//! limits, and the tree type the OFD model is read from; escaping text written back.
//! Must not touch: what the elements mean (see `model`), the zip container.

use quick_xml::events::Event;
use quick_xml::Reader;

use super::error::{OfdError, XmlProblem};

/// An XML element: local name (prefix dropped), attributes, children and its text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    /// Local name, e.g. `Reference` for `<ofd:Reference>`.
    pub name: String,
    /// Attributes by local name, in document order.
    pub attrs: Vec<(String, String)>,
    /// Child elements in order.
    pub children: Vec<Element>,
    /// Concatenated text directly inside this element (unescaped).
    pub text: String,
}

impl Element {
    /// The value of an attribute, by local name.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first child with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All children with this local name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Every descendant (depth first, self excluded) with this local name.
    pub fn descendants<'a>(&'a self, name: &str, out: &mut Vec<&'a Element>) {
        for c in &self.children {
            if c.name == name {
                out.push(c);
            }
            c.descendants(name, out);
        }
    }
}

/// Parse an XML part. `file` names it in errors (with leading `/`).
pub fn parse(
    bytes: &[u8],
    file: &str,
    max_depth: usize,
    max_elements: usize,
) -> Result<Element, OfdError> {
    let err = |problem| OfdError::Xml {
        file: file.to_string(),
        problem,
    };
    let malformed = |e: &dyn std::fmt::Display| err(XmlProblem::Malformed(e.to_string()));
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = Reader::from_reader(bytes);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut count = 0usize;
    loop {
        let ev = reader.read_event().map_err(|e| malformed(&e))?;
        match ev {
            Event::DocType(_) => return Err(err(XmlProblem::Doctype)),
            Event::Start(ref s) | Event::Empty(ref s) => {
                if root.is_some() {
                    return Err(malformed(&"content after the root element"));
                }
                count += 1;
                if count > max_elements {
                    return Err(err(XmlProblem::TooManyElements { max: max_elements }));
                }
                if stack.len() >= max_depth {
                    return Err(err(XmlProblem::TooDeep { max: max_depth }));
                }
                let name = std::str::from_utf8(s.local_name().as_ref())
                    .map_err(|e| malformed(&e))?
                    .to_string();
                let mut attrs = Vec::new();
                for a in s.attributes() {
                    let a = a.map_err(|e| malformed(&e))?;
                    let k = std::str::from_utf8(a.key.local_name().as_ref())
                        .map_err(|e| malformed(&e))?
                        .to_string();
                    let v = a.unescape_value().map_err(|e| malformed(&e))?.into_owned();
                    attrs.push((k, v));
                }
                let el = Element {
                    name,
                    attrs,
                    ..Default::default()
                };
                if matches!(ev, Event::Empty(_)) {
                    close(&mut stack, &mut root, el);
                } else {
                    stack.push(el);
                }
            }
            Event::End(_) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| malformed(&"unbalanced end tag"))?;
                close(&mut stack, &mut root, el);
            }
            Event::Text(t) => {
                let text = t.unescape().map_err(|e| malformed(&e))?;
                match stack.last_mut() {
                    Some(top) => top.text.push_str(&text),
                    None if text.trim().is_empty() => {}
                    None => return Err(malformed(&"text outside the root element")),
                }
            }
            Event::CData(c) => {
                let text = std::str::from_utf8(&c).map_err(|e| malformed(&e))?;
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(text);
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(malformed(&"unclosed element"));
    }
    root.ok_or_else(|| err(XmlProblem::Empty))
}

fn close(stack: &mut [Element], root: &mut Option<Element>, el: Element) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None => *root = Some(el),
    }
}

/// Escape text or an attribute value for writing.
pub fn escape(s: &str) -> std::borrow::Cow<'_, str> {
    quick_xml::escape::escape(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prefixed_elements() {
        let x = br#"<?xml version="1.0"?><ofd:A xmlns:ofd="u" ID="1"><ofd:B>x &amp; y</ofd:B><ofd:B/></ofd:A>"#;
        let e = parse(x, "/a.xml", 8, 100).unwrap();
        assert_eq!(e.name, "A");
        assert_eq!(e.attr("ID"), Some("1"));
        assert_eq!(e.children_named("B").count(), 2);
        assert_eq!(e.child("B").unwrap().text, "x & y");
    }

    #[test]
    fn refuses_doctype_and_depth() {
        let bomb = br#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><a>&lol2;</a>"#;
        assert!(matches!(
            parse(bomb, "/a.xml", 8, 100),
            Err(OfdError::Xml {
                problem: XmlProblem::Doctype,
                ..
            })
        ));
        let deep = "<a>".repeat(100) + &"</a>".repeat(100);
        assert!(matches!(
            parse(deep.as_bytes(), "/a.xml", 64, 1000),
            Err(OfdError::Xml {
                problem: XmlProblem::TooDeep { max: 64 },
                ..
            })
        ));
        assert!(matches!(
            parse(b"<a>&undefined;</a>", "/a.xml", 8, 100),
            Err(OfdError::Xml {
                problem: XmlProblem::Malformed(_),
                ..
            })
        ));
        assert!(parse(b"<a><b></a>", "/a.xml", 8, 100).is_err());
        assert!(parse(b"", "/a.xml", 8, 100).is_err());
    }
}
