//! Status lists: the `lst` decoding (zlib, bounded inflation), status list tokens as
//! fetched (signature with the agency key, acceptance under the demo trust list), and
//! a fuzzed payload signed with the demo agency key so the claim checks are reached.
#![no_main]

use deltaseal::license::status::{decode_lst, entry, StatusList, StatusListToken, TYP};
use deltaseal::verify::accept_status_list;
use deltaseal_fuzz::{at, public_key, sign_with, text, trust};
use libfuzzer_sys::fuzz_target;

const URI: &str = "http://127.0.0.1:8080/v1/status-lists/sh-agency-psb/1";

fn token(t: &str) {
    let key = public_key("sh-agency-psb");
    let _ = StatusListToken::verify(t, &key, Some(at()));
    let _ = StatusListToken::verify(t, &key, None);
    if let Ok(held) = accept_status_list(t, URI, trust(), at()) {
        let _ = held.due(at(), 300);
    }
}

fuzz_target!(|data: &[u8]| {
    if let Some(t) = text(data) {
        if let Ok(bytes) = decode_lst(t) {
            for bits in [1, 2, 4, 8, 3] {
                let _ = entry(&bytes, bits, 0);
                let _ = entry(&bytes, bits, bytes.len() * 2);
            }
        }
        if let Ok(list) = StatusList::from_lst(t) {
            let _ = list.get(0);
            let _ = list.get(list.len());
        }
        token(t);
    }
    if let Some(t) = sign_with("sh-agency-psb", &[("typ", TYP.into())], data) {
        token(&t);
    }
});
