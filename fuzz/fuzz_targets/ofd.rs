//! OFD packages (zip container + XML): reading, then verifying every signature with
//! no trust and with the demo province roots.
#![no_main]

use deltaseal::seal::ofd::{verify_package, Limits, OfdPackage, VerifyOptions};
use deltaseal_fuzz::{at, trust};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(pkg) = OfdPackage::read(data, Limits::default()) else {
        return;
    };
    let mut opts = VerifyOptions::new(at());
    let _ = verify_package(&pkg, &opts);
    opts.trust_anchors = trust().list.anchors();
    let _ = verify_package(&pkg, &opts);
});
