//! The OFD branches of `deltaseal seal stamp` and `deltaseal seal verify`: an `.ofd`
//! input is stamped into a stamped `.ofd`, or verified signature by signature.
//! Must not touch: OFD or seal logic (stamping is `crate::service::seal_stamp`,
//! verification `crate::seal::ofd`); this only reads files, parses flags and prints.

use std::path::Path;

use clap::Args;
use time::OffsetDateTime;

use super::CliError;
use crate::crypto::Signer;
use crate::seal::ofd::{self, Limits, OfdPackage, Placement, StampOptions, VerifyOptions};
use crate::seal::Seal;

/// Where to put the stamp on an OFD document (`seal stamp` with an `.ofd` input).
#[derive(Debug, Args, Default)]
pub(crate) struct OfdPlacementArgs {
    /// OFD: page index (0-based) for the stamp; with --x and --y (mm from the top left).
    #[arg(long)]
    page: Option<usize>,
    /// OFD: left edge of the stamp, mm.
    #[arg(long)]
    x: Option<f64>,
    /// OFD: top edge of the stamp, mm.
    #[arg(long)]
    y: Option<f64>,
    /// OFD: put the stamp over the first occurrence of this text instead.
    #[arg(long, conflicts_with_all = ["page", "x", "y"])]
    keyword: Option<String>,
    /// OFD: stamp width and height in mm (default: the seal picture's size).
    #[arg(long, num_args = 2, value_names = ["W", "H"])]
    size: Option<Vec<f64>>,
}

/// Whether `path` names an OFD document.
pub(crate) fn is_ofd(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("ofd"))
}

/// The bytes of the OFD file at `path`, refused when larger than a package may be.
fn read_bytes(path: &Path) -> Result<Vec<u8>, CliError> {
    let max = Limits::default().max_input;
    let meta = std::fs::metadata(path).map_err(|e| CliError::io(path, e))?;
    if meta.len() > max {
        return Err(CliError::Input(format!(
            "{}: larger than {max} bytes",
            path.display()
        )));
    }
    std::fs::read(path).map_err(|e| CliError::io(path, e))
}

fn read_package(path: &Path) -> Result<OfdPackage, CliError> {
    OfdPackage::read_owned(read_bytes(path)?, Limits::default())
        .map_err(|e| CliError::Input(format!("{}: {e}", path.display())))
}

/// Stamp the OFD `file` into `out`.
pub(crate) fn stamp(
    seal: &Seal,
    signer: &dyn Signer,
    signer_cert: &[u8],
    file: &Path,
    out: &Path,
    place: &OfdPlacementArgs,
    at: OffsetDateTime,
) -> Result<i32, CliError> {
    let placement = match (&place.keyword, place.page, place.x, place.y) {
        (Some(k), ..) => Placement::Keyword { text: k.clone() },
        (None, page, Some(x), Some(y)) => Placement::Coordinates {
            page: page.unwrap_or(0),
            x,
            y,
        },
        _ => {
            return Err(CliError::Input(
                "an OFD stamp needs --keyword TEXT, or --x and --y (and --page N)".into(),
            ))
        }
    };
    let size_mm = place.size.as_ref().map(|s| (s[0], s[1]));
    let document = read_bytes(file)?;
    let opts = StampOptions { placement, size_mm };
    let stamped =
        crate::service::seal_stamp::stamp_ofd(document, seal, signer, signer_cert, &opts, at)
            .map_err(|e| CliError::Input(format!("{}: {e}", file.display())))?;
    std::fs::write(out, stamped).map_err(|e| CliError::io(out, e))?;
    eprintln!(
        "{} stamped with seal {} into {}",
        file.display(),
        seal.es_id(),
        out.display()
    );
    Ok(0)
}

/// Verify the OFD `file` and print its report.
pub(crate) fn verify(
    file: &Path,
    anchors: crate::pki::TrustAnchors,
    intermediates: Vec<Vec<u8>>,
    signer_certs: Vec<Vec<u8>>,
    revoked_seals: Option<crate::seal::SealRevocationList>,
    at: OffsetDateTime,
    json: bool,
) -> Result<i32, CliError> {
    let pkg = read_package(file)?;
    let mut opts = VerifyOptions::new(at);
    opts.revoked_seals = revoked_seals;
    opts.trust_anchors = anchors;
    opts.intermediates = intermediates;
    opts.signer_certs = signer_certs;
    let report = ofd::verify_package(&pkg, &opts)
        .map_err(|e| CliError::Input(format!("{}: {e}", file.display())))?;
    if json {
        println!("{}", report.to_json());
    } else {
        print!("{report}");
    }
    Ok(report.exit_code())
}
