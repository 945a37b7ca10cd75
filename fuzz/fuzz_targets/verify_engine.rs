//! The one verification engine on arbitrary bytes, under the committed demo trust
//! list: kind detection, then every kind by name, with and without a detached
//! document.
#![no_main]

use deltaseal::seal::SignedData;
use deltaseal::verify::{self, Context, Input, Kind, Policy};
use deltaseal_fuzz::{at, trust};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let policy = Policy::default();
    let ctx = Context::new(trust(), at(), &policy);
    let _ = verify::detect(data);
    let v = verify::verify(&Input::new(data), &ctx);
    let _ = v.exit_code();
    let _ = serde_json::to_string(&v);
    let kinds = ["sd-jwt", "seal", "stamp", "ofd", "certificate"];
    let Some(&first) = data.first() else { return };
    let kind = Kind::parse(kinds[usize::from(first) % kinds.len()]);
    let input = Input {
        bytes: &data[1..],
        document: Some(SignedData::Bytes(b"document")),
        kind,
    };
    let _ = verify::verify(&input, &ctx);
});
