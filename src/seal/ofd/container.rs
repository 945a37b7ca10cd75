//! The OFD zip container: reading it safely, resolving paths, writing it back.
//!
//! Owns: limits (entries, sizes, compression ratio), entry-name checks (`..`, absolute
//! paths, backslashes, duplicates), bounded decompression that never trusts declared
//! sizes, path resolution for OFD references (absolute `/Doc_0/…` or relative to the
//! referring file's folder), and writing a package.
//! Must not touch: XML meaning, signatures, the file system (bytes in, bytes out).

use std::collections::HashMap;
use std::io::{Cursor, Read, Write};

use bytes::Bytes;

use zip::write::SimpleFileOptions;
use zip::CompressionMethod;

use super::error::{OfdError, PathProblem};

/// Limits applied while reading an OFD package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted package (the zip file itself), in bytes.
    pub max_input: u64,
    /// Most entries (files and folders).
    pub max_entries: usize,
    /// Largest expanded size of one entry.
    pub max_entry_size: u64,
    /// Largest expanded size of all entries together.
    pub max_total_size: u64,
    /// Largest expansion ratio (expanded / compressed) of an entry larger than
    /// [`Limits::ratio_floor`].
    pub max_ratio: u64,
    /// Entries expanding to at most this many bytes are not ratio-checked.
    pub ratio_floor: u64,
    /// Deepest XML element nesting.
    pub max_xml_depth: usize,
    /// Most elements in one XML part.
    pub max_xml_elements: usize,
    /// Most signatures listed for one document.
    pub max_signatures: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input: 512 << 20,
            max_entries: 10_000,
            max_entry_size: 256 << 20,
            max_total_size: 1 << 30,
            max_ratio: 200,
            ratio_floor: 1 << 20,
            max_xml_depth: 64,
            max_xml_elements: 1_000_000,
            max_signatures: 256,
        }
    }
}

/// One entry of the package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Entry name as in the zip (relative, `/`-separated; folders end with `/`).
    pub name: String,
    /// Expanded bytes (empty for folders). A stored entry read from a package is a
    /// view of the package's bytes, not a copy of them.
    pub data: Bytes,
    /// Whether the entry is stored (not deflated); kept when written back.
    pub stored: bool,
    /// Its index in the package it was read from, while unchanged: written back by
    /// copying its compressed bytes as they were (no recompression, no second CRC).
    source: Option<usize>,
}

impl Entry {
    /// Whether this entry is a folder.
    pub fn is_dir(&self) -> bool {
        self.name.ends_with('/')
    }
}

/// An OFD package read into memory under [`Limits`].
#[derive(Debug, Clone, Default)]
pub struct OfdPackage {
    entries: Vec<Entry>,
    index: HashMap<String, usize>,
    limits: Limits,
    /// The zip bytes the package was read from, shared by its clones and by the
    /// stored entries read from them.
    source: Option<Bytes>,
}

impl OfdPackage {
    /// Read a package from the bytes of an `.ofd` file (copied once; see
    /// [`OfdPackage::read_owned`] to hand them over instead).
    pub fn read(bytes: &[u8], limits: Limits) -> Result<Self, OfdError> {
        if bytes.len() as u64 > limits.max_input {
            return Err(OfdError::InputTooLarge {
                max: limits.max_input,
            });
        }
        Self::read_owned(bytes.to_vec(), limits)
    }

    /// Read a package from the bytes of an `.ofd` file, keeping them: stored entries
    /// are views of these bytes (checked against their CRC-32), deflated ones are
    /// expanded, and unchanged entries are written back from them.
    pub fn read_owned(bytes: impl Into<Bytes>, limits: Limits) -> Result<Self, OfdError> {
        let source: Bytes = bytes.into();
        let bytes = &source[..];
        if bytes.len() as u64 > limits.max_input {
            return Err(OfdError::InputTooLarge {
                max: limits.max_input,
            });
        }
        let names = central_directory_names(bytes, limits.max_entries)?;
        let mut seen = HashMap::with_capacity(names.len());
        for n in &names {
            check_entry_name(n)?;
            if seen.insert(n.as_str(), ()).is_some() {
                return Err(OfdError::DuplicateEntry { name: n.clone() });
            }
        }
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes))?;
        if !names.is_empty() && archive.len() != names.len() {
            return Err(OfdError::Truncated("central directory count mismatch"));
        }
        if archive.len() > limits.max_entries {
            return Err(OfdError::TooManyEntries {
                count: archive.len(),
                max: limits.max_entries,
            });
        }
        let mut pkg = OfdPackage {
            entries: Vec::with_capacity(archive.len()),
            index: HashMap::with_capacity(archive.len()),
            limits,
            source: Some(source.clone()),
        };
        let mut total: u64 = 0;
        for i in 0..archive.len() {
            let mut file = archive.by_index(i)?;
            let name = file.name().to_string();
            check_entry_name(&name)?;
            let stored = file.compression() == CompressionMethod::Stored;
            let declared = file.size();
            let compressed = file.compressed_size().max(1);
            let data = if name.ends_with('/') {
                Bytes::new()
            } else if stored && !file.encrypted() {
                let start = usize::try_from(file.data_start()).unwrap_or(usize::MAX);
                let len = usize::try_from(file.compressed_size()).unwrap_or(usize::MAX);
                let view = stored_view(&source, start, len, &name, total, &limits)?;
                if crc32fast::hash(&view) != file.crc32() {
                    return Err(OfdError::CorruptEntry {
                        name: display_path(&name),
                        why: "its CRC-32 does not match its bytes".into(),
                    });
                }
                view
            } else {
                read_bounded(&mut file, &name, declared, compressed, total, &limits)?.into()
            };
            if data.len() as u64 != declared {
                return Err(OfdError::SizeMismatch { name });
            }
            total += data.len() as u64;
            pkg.push(Entry {
                name,
                data,
                stored,
                source: Some(i),
            });
        }
        Ok(pkg)
    }

    /// A new empty package with these limits.
    pub fn empty(limits: Limits) -> Self {
        OfdPackage {
            limits,
            ..Default::default()
        }
    }

    /// The limits this package was read with.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// All entries, in archive order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Whether an entry with this canonical name (no leading `/`) exists.
    pub fn contains(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    /// Bytes of the file at `path` (canonical name, with or without leading `/`).
    pub fn file(&self, path: &str) -> Result<&[u8], OfdError> {
        let name = path.strip_prefix('/').unwrap_or(path);
        match self.index.get(name) {
            Some(&i) if !self.entries[i].is_dir() => Ok(&self.entries[i].data),
            _ => Err(OfdError::MissingFile {
                path: display_path(name),
            }),
        }
    }

    /// Add or replace a file (canonical name without leading `/`). New files are deflated
    /// unless `stored`; replaced files keep their compression.
    pub fn put(
        &mut self,
        name: &str,
        data: impl Into<Bytes>,
        stored: bool,
    ) -> Result<(), OfdError> {
        check_entry_name(name)?;
        let data = data.into();
        if let Some(&i) = self.index.get(name) {
            self.entries[i].data = data;
            self.entries[i].source = None;
        } else {
            self.push(Entry {
                name: name.to_string(),
                data,
                stored,
                source: None,
            });
        }
        Ok(())
    }

    fn push(&mut self, e: Entry) {
        self.index.insert(e.name.clone(), self.entries.len());
        self.entries.push(e);
    }

    /// Write the package as zip bytes in one pass (entries in order, compression kept).
    /// Entries unchanged since [`OfdPackage::read`] are copied compressed as they were
    /// read; new and changed ones are compressed here.
    pub fn write(&self) -> Result<Vec<u8>, OfdError> {
        let total: usize = self.entries.iter().map(|e| e.data.len()).sum();
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(total + 4096)));
        let mut source = match &self.source {
            Some(bytes) if self.entries.iter().any(|e| e.source.is_some()) => {
                Some(zip::ZipArchive::new(Cursor::new(&bytes[..]))?)
            }
            _ => None,
        };
        for e in &self.entries {
            if let (Some(archive), Some(i)) = (source.as_mut(), e.source) {
                w.raw_copy_file(archive.by_index_raw(i)?)?;
                continue;
            }
            let method = if e.stored {
                CompressionMethod::Stored
            } else {
                CompressionMethod::Deflated
            };
            let opts = SimpleFileOptions::default()
                .compression_method(method)
                .large_file(e.data.len() as u64 >= u32::MAX as u64);
            if e.is_dir() {
                w.add_directory(e.name.trim_end_matches('/'), opts)?;
            } else {
                w.start_file(e.name.as_str(), opts)?;
                w.write_all(&e.data).map_err(zip::result::ZipError::Io)?;
            }
        }
        Ok(w.finish()?.into_inner())
    }
}

/// A stored entry's bytes as a view of the package: `len` bytes from `start`, under
/// the same limits as an expanded entry (a stored entry's ratio is 1).
fn stored_view(
    source: &Bytes,
    start: usize,
    len: usize,
    name: &str,
    total_so_far: u64,
    limits: &Limits,
) -> Result<Bytes, OfdError> {
    let end = start
        .checked_add(len)
        .filter(|&end| end <= source.len())
        .ok_or_else(|| OfdError::CorruptEntry {
            name: display_path(name),
            why: "the package ends inside it".into(),
        })?;
    within_size_limits(name, len as u64, total_so_far, limits)?;
    Ok(source.slice(start..end))
}

/// An entry of `len` expanded bytes, after `total_so_far` bytes of the entries before
/// it, against the entry and total limits.
fn within_size_limits(
    name: &str,
    len: u64,
    total_so_far: u64,
    limits: &Limits,
) -> Result<(), OfdError> {
    if len > limits.max_entry_size {
        return Err(OfdError::EntryTooLarge {
            name: name.to_string(),
            max: limits.max_entry_size,
        });
    }
    if total_so_far + len > limits.max_total_size {
        return Err(OfdError::TotalTooLarge {
            max: limits.max_total_size,
        });
    }
    Ok(())
}

/// Read one entry, never past the limits and never trusting its declared size.
fn read_bounded<R: Read>(
    file: &mut R,
    name: &str,
    declared: u64,
    compressed: u64,
    total_so_far: u64,
    limits: &Limits,
) -> Result<Vec<u8>, OfdError> {
    let ratio_cap = compressed
        .saturating_mul(limits.max_ratio)
        .max(limits.ratio_floor);
    // The tightest limit: the read stops one byte past it, so an entry over it is known
    // without reading on. Reserve what the header declares only when within it.
    let cap = limits
        .max_entry_size
        .min(ratio_cap)
        .min(limits.max_total_size.saturating_sub(total_so_far));
    let mut out = Vec::with_capacity(declared.min(cap) as usize + 1);
    // Straight into the entry's buffer: no intermediate copy.
    file.take(cap.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| OfdError::CorruptEntry {
            name: display_path(name),
            why: corrupt_reason(&e),
        })?;
    let len = out.len() as u64;
    if len > limits.max_entry_size {
        return Err(OfdError::EntryTooLarge {
            name: name.to_string(),
            max: limits.max_entry_size,
        });
    }
    if len > ratio_cap {
        return Err(OfdError::CompressionRatio {
            name: name.to_string(),
            max_ratio: limits.max_ratio,
        });
    }
    within_size_limits(name, len, total_so_far, limits)?;
    Ok(out)
}

/// Refuse entry names that are absolute, climb out, use backslashes or control bytes.
pub fn check_entry_name(name: &str) -> Result<(), OfdError> {
    let bad = |problem| {
        Err(OfdError::UnsafePath {
            path: name.to_string(),
            problem,
        })
    };
    if name.is_empty() || name == "/" {
        return bad(PathProblem::Empty);
    }
    if name.contains('\\') {
        return bad(PathProblem::Backslash);
    }
    if name.starts_with('/') {
        return bad(PathProblem::Absolute);
    }
    if name.chars().any(char::is_control) || name.split('/').next().is_some_and(|s| s.contains(':'))
    {
        return bad(PathProblem::BadCharacter);
    }
    if name.split('/').any(|s| s == "..") {
        return bad(PathProblem::ParentDir);
    }
    Ok(())
}

/// Why an entry's bytes could not be inflated, in words: a corrupt deflate stream, a
/// CRC mismatch, or the package ending inside the entry.
fn corrupt_reason(e: &std::io::Error) -> String {
    let text = e.to_string();
    if text.to_ascii_lowercase().contains("checksum") || text.contains("CRC") {
        "its CRC-32 does not match its bytes".to_string()
    } else if e.kind() == std::io::ErrorKind::UnexpectedEof {
        "the package ends inside it".to_string()
    } else {
        format!("its compressed data is corrupt ({text})")
    }
}

/// Resolve a location written in an OFD XML part: absolute (`/Doc_0/…`) from the package
/// root, otherwise relative to the folder of `referrer` (a canonical name). Returns the
/// canonical entry name (no leading `/`).
pub fn resolve(referrer: &str, loc: &str) -> Result<String, OfdError> {
    let loc = loc.trim();
    let bad = |problem| OfdError::UnsafePath {
        path: loc.to_string(),
        problem,
    };
    if loc.contains('\\') {
        return Err(bad(PathProblem::Backslash));
    }
    if loc.chars().any(char::is_control) {
        return Err(bad(PathProblem::BadCharacter));
    }
    let mut parts: Vec<&str> = Vec::new();
    let rest = if let Some(abs) = loc.strip_prefix('/') {
        abs
    } else {
        let referrer = referrer.strip_prefix('/').unwrap_or(referrer);
        if let Some((dir, _)) = referrer.rsplit_once('/') {
            parts.extend(dir.split('/').filter(|s| !s.is_empty()));
        }
        loc
    };
    for seg in rest.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop().ok_or_else(|| bad(PathProblem::ParentDir))?;
            }
            s => parts.push(s),
        }
    }
    if parts.is_empty() {
        return Err(bad(PathProblem::Empty));
    }
    Ok(parts.join("/"))
}

/// A canonical name written the way OFD references and reports show it (`/Doc_0/…`).
pub fn display_path(name: &str) -> String {
    format!("/{}", name.trim_start_matches('/'))
}

/// Names in the zip central directory, in order, read with bounds checks (the zip crate
/// merges duplicate names, so they are counted here first).
fn central_directory_names(bytes: &[u8], max_entries: usize) -> Result<Vec<String>, OfdError> {
    const EOCD: [u8; 4] = [0x50, 0x4b, 0x05, 0x06];
    const CDH: [u8; 4] = [0x50, 0x4b, 0x01, 0x02];
    let u16_at = |b: &[u8], i: usize| -> Option<usize> {
        b.get(i..i + 2)
            .map(|s| u16::from_le_bytes([s[0], s[1]]) as usize)
    };
    let u32_at = |b: &[u8], i: usize| -> Option<u64> {
        b.get(i..i + 4)
            .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]) as u64)
    };
    if bytes.len() < 22 {
        return Err(OfdError::Truncated(
            "shorter than an end-of-central-directory record",
        ));
    }
    let search_from = bytes.len().saturating_sub(22 + 65_535);
    let eocd = (search_from..=bytes.len() - 22)
        .rev()
        .find(|&i| bytes[i..i + 4] == EOCD)
        .ok_or(OfdError::Truncated("no end-of-central-directory record"))?;
    let count = u16_at(bytes, eocd + 10).ok_or(OfdError::Truncated("end record"))?;
    let cd_offset = u32_at(bytes, eocd + 16).ok_or(OfdError::Truncated("end record"))?;
    if count == 0xFFFF || cd_offset == 0xFFFF_FFFF {
        // Zip64: the zip crate reads the zip64 records; duplicates are then caught by
        // the count comparison after opening.
        return Ok(Vec::new());
    }
    if count > max_entries {
        return Err(OfdError::TooManyEntries {
            count,
            max: max_entries,
        });
    }
    let mut names = Vec::with_capacity(count);
    let mut p = cd_offset as usize;
    for _ in 0..count {
        if bytes.get(p..p + 4) != Some(&CDH[..]) {
            return Err(OfdError::Truncated("central directory header"));
        }
        let name_len = u16_at(bytes, p + 28).ok_or(OfdError::Truncated("central directory"))?;
        let extra_len = u16_at(bytes, p + 30).ok_or(OfdError::Truncated("central directory"))?;
        let comment_len = u16_at(bytes, p + 32).ok_or(OfdError::Truncated("central directory"))?;
        let name = bytes
            .get(p + 46..p + 46 + name_len)
            .ok_or(OfdError::Truncated("central directory name"))?;
        names.push(String::from_utf8_lossy(name).into_owned());
        p += 46 + name_len + extra_len + comment_len;
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_absolute_and_relative() {
        assert_eq!(
            resolve("Doc_0/Document.xml", "Pages/Page_0/Content.xml").unwrap(),
            "Doc_0/Pages/Page_0/Content.xml"
        );
        assert_eq!(
            resolve("Doc_0/Document.xml", "/Doc_0/Signs/Signatures.xml").unwrap(),
            "Doc_0/Signs/Signatures.xml"
        );
        assert_eq!(
            resolve("OFD.xml", "Doc_0/Document.xml").unwrap(),
            "Doc_0/Document.xml"
        );
        assert_eq!(
            resolve("Doc_0/Pages/Page_0/Content.xml", "../../Res/a.png").unwrap(),
            "Doc_0/Res/a.png"
        );
        assert!(matches!(
            resolve("Doc_0/Document.xml", "../../x"),
            Err(OfdError::UnsafePath {
                problem: PathProblem::ParentDir,
                ..
            })
        ));
        assert!(matches!(
            resolve("OFD.xml", "Doc_0\\a.xml"),
            Err(OfdError::UnsafePath {
                problem: PathProblem::Backslash,
                ..
            })
        ));
    }

    #[test]
    fn refuses_bad_entry_names() {
        for (n, p) in [
            ("../x", PathProblem::ParentDir),
            ("a/../../x", PathProblem::ParentDir),
            ("/etc/passwd", PathProblem::Absolute),
            ("a\\b", PathProblem::Backslash),
            ("C:/x", PathProblem::BadCharacter),
            ("", PathProblem::Empty),
        ] {
            match check_entry_name(n) {
                Err(OfdError::UnsafePath { problem, .. }) => assert_eq!(problem, p, "{n}"),
                other => panic!("{n}: {other:?}"),
            }
        }
        assert!(check_entry_name("Doc_0/Pages/Page_0/Content.xml").is_ok());
        assert!(check_entry_name("Doc_0/").is_ok());
    }
}
