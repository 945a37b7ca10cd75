//! The archive log's outside inputs: a checkpoint as a peer serves it (C2SP signed
//! note: parse, the checkpoint text, the log's signature, a witness's cosignature, and
//! the check against a checkpoint seen before), and an inclusion answer (JSON) judged
//! as a verifier judges a license's archive evidence; an export's manifest (the note's
//! text read as one, the note's signature by the log's key), and a consent refusal as
//! another node relays it.
#![no_main]

use deltaseal::archive::audit::{check_growth, Seen};
use deltaseal::archive::checkpoint::{verify_cosignature, Checkpoint};
use deltaseal::archive::evidence::judge;
use deltaseal::archive::export::{valid_path, Manifest};
use deltaseal::consent::Refusal;
use deltaseal::archive::note::Note;
use deltaseal::archive::wire::{decode_hashes, InclusionView};
use deltaseal_fuzz::public_key;
use libfuzzer_sys::fuzz_target;

const ORIGIN: &str = "deltaseal.yrd/sh/archive";

fuzz_target!(|data: &[u8]| {
    let log = public_key("sh-show-service");
    let witness = public_key("js-show-service");
    if let Ok(note) = Note::parse(data) {
        let _ = note.to_text();
        let _ = note.verify(ORIGIN, &log);
        let _ = verify_cosignature(&note, "deltaseal.yrd/js/witness", &witness);
        if let Ok(m) = Manifest::from_text(&note.text) {
            let _ = m.to_text();
            let _ = m.files.iter().all(|f| valid_path(&f.path));
        }
        if let Ok(cp) = Checkpoint::from_text(&note.text) {
            let seen = Seen {
                origin: ORIGIN.into(),
                size: 3,
                root: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into(),
            };
            let _ = check_growth(Some(&seen), &cp, &[]);
            let _ = check_growth(Some(&seen), &cp, &[[7; 32]; 3]);
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Manifest::from_text(text);
    }
    if let Ok(r) = serde_json::from_slice::<Refusal>(data) {
        let _ = (r.code(), r.to_string());
    }
    if let Ok(view) = serde_json::from_slice::<InclusionView>(data) {
        let _ = decode_hashes(&view.proof);
        let witnesses = [("deltaseal.yrd/js/witness".to_string(), witness.clone())];
        let _ = judge("SH", "上海市", "Shanghai", ORIGIN, &[log], &witnesses, &view, "eyJ.e30.c2ln");
    }
});
