//! OFD documents (GB/T 33190) carrying GB/T 38540 stamps: safe reading, verification
//! and stamping.
//!
//! Owns: the zip container and its limits ([`container`]), safe XML ([`xml`]), the
//! signing-related OFD parts ([`model`]), verifying every signature of a document into
//! one [`crate::report::Report`] ([`verify`]), and adding stamps ([`stamp`]).
//! Must not touch: the SES_Seal / SES_Signature structures and their cryptographic
//! checks (those belong to the seal module, which this module calls), files, network,
//! clocks (time is an argument).

pub mod container;
mod error;
pub mod model;
pub mod placement;
mod ses;
pub mod stamp;
pub mod verify;
pub mod xml;

pub use container::{Limits, OfdPackage};
pub use error::{OfdError, PathProblem, XmlProblem};
pub use placement::Placement;
pub use stamp::{prepare, stamp_ofd, PreparedStamp, StampOptions};
pub use verify::{verify_ofd, verify_package, VerifyOptions};
