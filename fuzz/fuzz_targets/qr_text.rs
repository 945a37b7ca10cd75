//! QR text (show tokens and EU DCC payloads): every layer of `qr inspect` with and
//! without a certificate, the show-token reader, and the verification engine's show
//! path under the demo trust list.
#![no_main]

use deltaseal::qr::{inspect, Options, DCC_PREFIX, PREFIX};
use deltaseal::verify::{verify_show, Context, OnlineAnswer, Policy};
use deltaseal_fuzz::{at, cert, text, trust};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(t) = text(data) else {
        return;
    };
    for prefix in [PREFIX, DCC_PREFIX] {
        let _ = inspect(
            t,
            &Options {
                prefix,
                cert_der: Some(cert("sh-show-service")),
                at: Some(at()),
            },
        );
    }
    let _ = deltaseal::show::read_token(t);
    let list = trust();
    let policy = Policy::default();
    let ctx = Context::new(&list, at(), &policy);
    let _ = verify_show(t.as_bytes(), &ctx, None);
    let _ = verify_show(t.as_bytes(), &ctx, Some(&OnlineAnswer::Replayed));
});
