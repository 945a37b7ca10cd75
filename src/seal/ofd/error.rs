//! The one error type of OFD reading, verification and stamping.

/// Why a path inside an OFD package is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PathProblem {
    /// The path is empty or names only a folder.
    Empty,
    /// The path starts with `/` (zip entry names must be relative).
    Absolute,
    /// A `..` segment would leave the package root.
    ParentDir,
    /// The path contains a backslash.
    Backslash,
    /// The path contains a NUL or other control character, or a drive letter.
    BadCharacter,
}

impl std::fmt::Display for PathProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PathProblem::Empty => "empty path",
            PathProblem::Absolute => "absolute path",
            PathProblem::ParentDir => "`..` leaves the package",
            PathProblem::Backslash => "backslash in path",
            PathProblem::BadCharacter => "control character or drive letter in path",
        })
    }
}

/// Why an XML part of an OFD package is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum XmlProblem {
    /// A `<!DOCTYPE …>` (and so possibly entity declarations) is present.
    Doctype,
    /// Elements are nested deeper than the limit.
    TooDeep {
        /// the nesting limit
        max: usize,
    },
    /// More elements than the limit.
    TooManyElements {
        /// the element limit
        max: usize,
    },
    /// The XML is not well formed (message from the parser).
    Malformed(String),
    /// No root element.
    Empty,
}

impl std::fmt::Display for XmlProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            XmlProblem::Doctype => f.write_str("DOCTYPE / entity declarations are not accepted"),
            XmlProblem::TooDeep { max } => write!(f, "elements nested deeper than {max}"),
            XmlProblem::TooManyElements { max } => write!(f, "more than {max} elements"),
            XmlProblem::Malformed(m) => write!(f, "not well-formed XML: {m}"),
            XmlProblem::Empty => f.write_str("no root element"),
        }
    }
}

/// An OFD package could not be read, verified or stamped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OfdError {
    /// The input is larger than the package size limit.
    #[error("OFD package is larger than {max} bytes")]
    InputTooLarge {
        /// the limit
        max: u64,
    },
    /// An entry's compressed bytes do not inflate (corrupt stream, CRC mismatch, cut
    /// off).
    #[error("OFD entry {name} cannot be read: {why}")]
    CorruptEntry {
        /// The entry (with leading `/`).
        name: String,
        /// Why.
        why: String,
    },
    /// The zip container is unreadable (truncated, not a zip, unsupported feature).
    #[error("OFD zip container unreadable: {0}")]
    Zip(#[from] zip::result::ZipError),
    /// The zip container is truncated or its central directory is inconsistent.
    #[error("OFD zip container is truncated or inconsistent: {0}")]
    Truncated(&'static str),
    /// More entries than the limit.
    #[error("OFD package has {count} entries, more than the limit {max}")]
    TooManyEntries {
        /// entries found
        count: usize,
        /// the limit
        max: usize,
    },
    /// One entry expands beyond the per-entry limit.
    #[error("entry {name} expands beyond {max} bytes")]
    EntryTooLarge {
        /// entry name
        name: String,
        /// the limit
        max: u64,
    },
    /// The entries together expand beyond the total limit.
    #[error("OFD package expands beyond {max} bytes in total")]
    TotalTooLarge {
        /// the limit
        max: u64,
    },
    /// An entry expands more than the compression-ratio limit (zip bomb).
    #[error("entry {name} expands more than {max_ratio}:1 (zip bomb)")]
    CompressionRatio {
        /// entry name
        name: String,
        /// the ratio limit
        max_ratio: u64,
    },
    /// An entry's expanded size differs from the size its header declares.
    #[error("entry {name}: expanded size differs from the declared size")]
    SizeMismatch {
        /// entry name
        name: String,
    },
    /// An entry name or a referenced path is unsafe.
    #[error("unsafe path {path:?}: {problem}")]
    UnsafePath {
        /// the path as written
        path: String,
        /// why it is refused
        problem: PathProblem,
    },
    /// Two entries have the same name.
    #[error("duplicate entry {name}")]
    DuplicateEntry {
        /// entry name
        name: String,
    },
    /// A document lists more signatures than the limit.
    #[error("document lists {count} signatures, more than the limit {max}")]
    TooManySignatures {
        /// signatures listed
        count: usize,
        /// the limit
        max: usize,
    },
    /// A file the document refers to is not in the package.
    #[error("referenced file {path} is missing from the package")]
    MissingFile {
        /// the path (with leading `/`)
        path: String,
    },
    /// An XML part is refused.
    #[error("{file}: {problem}")]
    Xml {
        /// the file (with leading `/`)
        file: String,
        /// why
        problem: XmlProblem,
    },
    /// A required element is missing from an OFD XML part.
    #[error("{file}: missing element {element}")]
    MissingElement {
        /// the file (with leading `/`)
        file: String,
        /// the element's local name
        element: &'static str,
    },
    /// A value in an OFD XML part cannot be used.
    #[error("{file}: bad {what}")]
    BadValue {
        /// the file (with leading `/`)
        file: String,
        /// what is wrong
        what: &'static str,
    },
    /// The page or keyword to place a stamp on was not found.
    #[error("stamp placement: {0}")]
    Placement(&'static str),
    /// Making the stamp's signed value failed.
    #[error("making the signed value failed: {0}")]
    Sign(#[source] Box<dyn std::error::Error + Send + Sync>),
}
