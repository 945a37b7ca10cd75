//! The OFD side of a seal stamp's `SignedValue.dat` (a GB/T 38540 SES_Signature).
//!
//! Owns: what the OFD adds to a stamp — the signed data is the bytes of its own
//! `Signature.xml`, and a `Seal/BaseLoc` file must be the seal inside the stamp — and
//! folding the seal module's stamp report (format, TBS signature, signer listed,
//! seal signature, chains, validity, dataHash) into the document report under the
//! signature's label.
//! Must not touch: the SES structures and their signature/chain checks (seal module).

use crate::report::{Outcome, Reason, ReportBuilder, SubIndication};
use crate::seal::{verify_embedded, SealTrust, Stamp};

use super::container::display_path;
use super::error::OfdError;
use super::verify::VerifyOptions;

/// Verify `SignedValue.dat` of the seal stamp labelled `tag`, adding checks to `b`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn verify_seal_stamp(
    tag: &str,
    signed_value: &[u8],
    signed_value_name: &str,
    signature_xml: &[u8],
    signature_xml_name: &str,
    seal_file: Option<(&str, Result<&[u8], OfdError>)>,
    opts: &VerifyOptions,
    b: &mut ReportBuilder,
) {
    let code = |c: &str| format!("sign[{tag}].{c}");
    let sig_path = display_path(signature_xml_name);
    let trust = SealTrust {
        anchors: &opts.trust_anchors,
        intermediates: &opts.intermediates,
        crls: &opts.crls,
        revoked_seals: opts.revoked_seals.as_ref(),
    };
    let report = verify_embedded(signed_value, signature_xml, &trust, opts.at);
    for c in &report.checks {
        // The stamp verifier names the signed data by TBS_Sign.propertyInfo; in an OFD
        // the signed data is this signature's Signature.xml, named here by its path.
        let subject = match c.code.as_str() {
            "stamp.data_hash" => Some(sig_path.clone()),
            "stamp.format" => Some(display_path(signed_value_name)),
            _ => c.subject.clone(),
        };
        let mut reason = c.reason.clone();
        if c.code == "stamp.data_hash" && c.outcome == Outcome::Failed {
            reason = Reason::new(
                format!("文件 {sig_path} 已被修改：{}", reason.zh),
                format!("file {sig_path} was changed: {}", reason.en),
            );
        }
        b.push(&code(&c.code), subject, c.outcome, c.sub_indication, reason);
    }
    if let (Some((name, file)), Ok(stamp)) = (seal_file, Stamp::from_der(signed_value)) {
        let path = display_path(name);
        match file {
            Ok(bytes) if bytes == stamp.seal.der() => {
                b.pass(
                    &code("seal_file"),
                    Some(path),
                    Reason::new(
                        "印章文件与签章中的印章一致",
                        "the seal file is the seal inside the stamp",
                    ),
                );
            }
            Ok(_) => {
                b.fail(
                    &code("seal_file"),
                    Some(path.clone()),
                    SubIndication::HashFailure,
                    Reason::new(
                        format!("印章文件 {path} 与签章中的印章不一致"),
                        format!("seal file {path} differs from the seal inside the stamp"),
                    ),
                );
            }
            Err(e) => {
                b.fail(
                    &code("seal_file"),
                    Some(path),
                    SubIndication::SignedDataNotFound,
                    Reason::new(format!("印章文件不可用：{e}"), e.to_string()),
                );
            }
        }
    }
}
