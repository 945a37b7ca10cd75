//! Compact JWS, shared by every signed JSON artifact: parsing, `alg`, `x5c`, and a
//! signature check with the key of its own `x5c` leaf.
#![no_main]

use deltaseal::jose::{self, CompactJws};
use deltaseal_fuzz::text;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(t) = text(data) else { return };
    let Ok(jws) = CompactJws::parse(t, "fuzz", 1 << 20) else {
        return;
    };
    let _ = jws.algorithm();
    if let Ok(chain) = jws.x5c() {
        if let Ok(key) = jose::cert_public_key(&chain[0]) {
            let _ = jws.verify_with(&key);
        }
    }
});
