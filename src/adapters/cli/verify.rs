//! `deltaseal verify FILE|-`: any artifact through the one verification engine
//! ([`crate::verify`]) under the regional trust list, which is itself accepted first.
//! Must not touch: verification logic — this reads files, parses flags and prints.
//!
//! Exit codes: 0 passed, 1 failed, 3 indeterminate (and the trust list's own report and
//! code when it is refused), 2 bad input (unreadable or oversized file, bad `--at`, bad
//! policy or revocation JSON, a `--document` for something that is not a stamp, a stamp
//! without `--document`).

use super::cert_verify::read_der;
use super::seal::parse_time;
use super::CliError;
use crate::crypto::{Algorithm, DigestAlgorithm};
use crate::seal::{SealRevocationList, SignedData, Stamp};
use crate::trust_list;
use crate::verify::{self, Context, Input, Kind, Policy, Verdict};
use clap::Args;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Largest OFD document read.
const MAX_OFD: u64 = 64 * 1024 * 1024;
/// Largest artifact of any other kind, and largest trust list or policy file.
const MAX_OTHER: u64 = 1024 * 1024;

/// Arguments of `verify`.
#[derive(Debug, Args)]
pub(crate) struct VerifyArgs {
    /// The artifact: an SD-JWT VC, a seal, a detached stamp, an OFD document or a
    /// certificate; `-` reads standard input.
    file: PathBuf,
    /// Its kind (sd-jwt, seal, stamp, ofd, certificate); default: told from the bytes.
    #[arg(long = "type")]
    kind: Option<String>,
    /// The signed document of a detached stamp.
    #[arg(long)]
    document: Option<PathBuf>,
    /// Validation time, RFC 3339 (default: now).
    #[arg(long)]
    at: Option<String>,
    /// The signed regional trust list (compact JWS); default `keys/trust-list.jws`.
    #[arg(long, conflicts_with = "trust")]
    trust_list: Option<PathBuf>,
    /// What to trust: the trust-list file, or a folder holding `trust-list.jws` (and
    /// the signer's `yrd/trust-list-signer.cert.pem`, e.g. a key store folder).
    #[arg(long)]
    trust: Option<PathBuf>,
    /// The pinned trust-list signer certificate (PEM or DER); default
    /// `keys/yrd/trust-list-signer.cert.pem`, or the one in the `--trust` folder.
    #[arg(long)]
    trust_list_signer: Option<PathBuf>,
    /// The verification policy (JSON: provinces, license_types, required_disclosures,
    /// clock_skew_s).
    #[arg(long)]
    policy: Option<PathBuf>,
    /// Revoked seals: a JSON seal revocation list.
    #[arg(long)]
    revoked: Option<PathBuf>,
    /// A status list token (`statuslist+jwt`) held for offline use, e.g. saved from
    /// `GET /v1/status/…`; repeatable. Each is judged like a fetched one (chain to a
    /// listed root, listed agency, signature, expiry) and answers for its own `sub`.
    /// Without any, license status is not checked (a warning).
    #[arg(long = "status-list")]
    status_lists: Vec<PathBuf>,
    /// A name this verifier answers to as a show token's audience (e.g. its province
    /// code); repeatable. A token naming another audience fails `show.audience`.
    #[arg(long = "audience")]
    audiences: Vec<String>,
    /// An SD-JWT license's archive evidence (the answer of `GET
    /// /v1/archive/proofs/inclusion?digest=…`, kept with the license): when it holds,
    /// the certificate chain is validated at the logged issuance time, so a certificate
    /// that has expired since does not make the license INDETERMINATE.
    #[arg(long)]
    evidence: Option<PathBuf>,
    /// Print the verdict (and its report) as JSON.
    #[arg(long)]
    json: bool,
}

/// Read at most `max` bytes of `path` (`-`: standard input); more is an input error.
pub(crate) fn read_bounded(path: &Path, max: u64) -> Result<Vec<u8>, CliError> {
    let mut bytes = Vec::new();
    let res = if path == Path::new("-") {
        std::io::stdin().take(max + 1).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(max + 1).read_to_end(&mut bytes))
    };
    res.map_err(|e| CliError::io(path, e))?;
    if bytes.len() as u64 > max {
        return Err(CliError::Input(format!(
            "{}: larger than {max} bytes",
            path.display()
        )));
    }
    Ok(bytes)
}

fn read_text(path: &Path) -> Result<String, CliError> {
    String::from_utf8(read_bounded(path, MAX_OTHER * 4)?)
        .map_err(|_| CliError::Input(format!("{}: not UTF-8 text", path.display())))
}

fn hash_file(path: &Path, alg: DigestAlgorithm) -> Result<Vec<u8>, CliError> {
    let mut f = std::fs::File::open(path).map_err(|e| CliError::io(path, e))?;
    let mut h = alg.hasher();
    std::io::copy(&mut f, &mut h).map_err(|e| CliError::io(path, e))?;
    Ok(h.finalize())
}

pub(crate) fn run(a: VerifyArgs) -> Result<i32, CliError> {
    let at = parse_time(a.at.as_deref(), "--at")?;
    let kind = match a.kind.as_deref() {
        None => None,
        Some(k) => Some(Kind::parse(k).ok_or_else(|| {
            CliError::Input(format!(
                "--type {k:?}: use sd-jwt, seal, stamp, ofd, certificate or show-token"
            ))
        })?),
    };
    let policy = match &a.policy {
        Some(p) => Policy::from_json(&read_text(p)?)
            .map_err(|e| CliError::Input(format!("{}: {e}", p.display())))?,
        None => Policy::default(),
    };
    let mut policy = policy;
    policy.audiences.extend(a.audiences.iter().cloned());
    let revoked = match &a.revoked {
        Some(p) => Some(
            serde_json::from_str::<SealRevocationList>(&read_text(p)?)
                .map_err(|e| CliError::Input(format!("{}: {e}", p.display())))?,
        ),
        None => None,
    };
    let bytes = read_bounded(&a.file, MAX_OFD)?;
    let kind = kind.or_else(|| verify::detect(&bytes));
    if kind != Some(Kind::Ofd) && bytes.len() as u64 > MAX_OTHER {
        return Err(CliError::Input(format!(
            "{}: larger than {MAX_OTHER} bytes and not an OFD document",
            a.file.display()
        )));
    }
    let digest;
    let document = match (&a.document, kind) {
        (None, Some(Kind::Stamp)) => {
            return Err(CliError::Input(
                "a detached stamp needs --document (the signed file)".into(),
            ))
        }
        (None, _) => None,
        (Some(doc), Some(Kind::Stamp)) => {
            let alg = Stamp::from_der(&bytes)
                .ok()
                .and_then(|s| Algorithm::from_signature_oid(&s.signature_algorithm))
                .map(Algorithm::digest)
                .unwrap_or(DigestAlgorithm::Sm3);
            digest = hash_file(doc, alg)?;
            Some(SignedData::Digest(alg, &digest))
        }
        (Some(_), _) => return Err(CliError::Input("--document is for detached stamps".into())),
    };

    // The trust list first: refused, its report decides.
    let (list_path, signer_path) = trust_paths(&a)?;
    let signer = read_der(&signer_path, "CERTIFICATE")?;
    let list_text = read_text(&list_path)?;
    let opts = trust_list::VerifyOptions {
        signer_cert: &signer,
        at,
        held_sequence: None,
        grace: time::Duration::days(1),
    };
    let (list_report, accepted) = trust_list::verify_report(&list_text, &opts);
    let Some(trust) = accepted else {
        if a.json {
            println!("{}", list_report.to_json());
        } else {
            print!("{list_report}");
        }
        return Ok(list_report.exit_code());
    };

    let mut held = std::collections::HashMap::new();
    for p in &a.status_lists {
        let token = read_text(p)?;
        let h = verify::accept_held_status_list(&token, &trust, at)
            .map_err(|e| CliError::Input(format!("{}: {e}", p.display())))?;
        held.insert(
            h.uri.clone(),
            verify::StatusLookup::Held(std::sync::Arc::new(h)),
        );
    }
    let mut ctx = Context::new(&trust, at, &policy);
    ctx.revoked_seals = revoked.as_ref();
    if !a.status_lists.is_empty() {
        ctx.status = Some(&held);
    }
    let input = Input {
        bytes: &bytes,
        document,
        kind,
    };
    let archived = match &a.evidence {
        Some(path) => Some(super::verify_evidence::judge_file(
            path,
            &bytes,
            &trust.list,
        )?),
        None => None,
    };
    // the validation data kept at issuance: its CRLs validate the chain at that time
    if let Some((evidence, poe)) = &archived {
        ctx.poe = *poe;
        if poe.is_some() {
            ctx.crls = evidence.crls_kept();
        }
    }
    let mut verdict = verify::verify(&input, &ctx);
    if let Some((evidence, _)) = archived {
        verdict.archive = Some(evidence);
    }
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&verdict).expect("the verdict serialises")
        );
    } else {
        print!("{}", header(&verdict));
        if let Some(ar) = &verdict.archive {
            println!("archive     {} / {}", ar.zh, ar.en);
            if let Some(k) = &ar.ltv {
                println!("ltv         {} / {}", k.zh, k.en);
            }
        }
        print!("{}", verdict.report);
    }
    Ok(verdict.exit_code())
}

/// The trust-list file and the pinned signer: `--trust-list` / `--trust-list-signer`,
/// or what `--trust` names (the list file, or a folder holding it and its signer).
fn trust_paths(a: &VerifyArgs) -> Result<(PathBuf, PathBuf), CliError> {
    let default_signer = PathBuf::from("keys/yrd/trust-list-signer.cert.pem");
    let Some(t) = &a.trust else {
        let list = a
            .trust_list
            .clone()
            .unwrap_or_else(|| "keys/trust-list.jws".into());
        return Ok((list, a.trust_list_signer.clone().unwrap_or(default_signer)));
    };
    if t.is_dir() {
        let list = t.join("trust-list.jws");
        if !list.is_file() {
            return Err(CliError::Input(format!(
                "--trust {}: the folder holds no trust-list.jws",
                t.display()
            )));
        }
        let signer = a.trust_list_signer.clone().unwrap_or_else(|| {
            [
                t.join("yrd/trust-list-signer.cert.pem"),
                t.join("trust-list-signer.cert.pem"),
            ]
            .into_iter()
            .find(|p| p.is_file())
            .unwrap_or(default_signer)
        });
        Ok((list, signer))
    } else {
        Ok((
            t.clone(),
            a.trust_list_signer.clone().unwrap_or(default_signer),
        ))
    }
}

/// The lines above the report: what was verified, by whom, under which list.
fn header(v: &Verdict) -> String {
    let mut s = String::new();
    let kind = v.kind.map_or("unknown", Kind::name);
    s.push_str(&format!("kind        {kind}\n"));
    if let Some(p) = &v.province {
        s.push_str(&format!(
            "province    {} {} / {}\n",
            p.code.abbrev(),
            p.name_zh,
            p.name_en
        ));
    }
    if let Some(a) = &v.agency {
        let who = if v.kind == Some(Kind::SdJwt) {
            "agency     "
        } else {
            "authority  "
        };
        let uscc = a
            .uscc
            .as_deref()
            .map(|u| format!(" (USCC {u})"))
            .unwrap_or_default();
        let unlisted = if a.listed {
            ""
        } else {
            " [not in the trust list]"
        };
        s.push_str(&format!(
            "{who} {} / {}{uscc}{unlisted}\n",
            a.name_zh, a.name_en
        ));
    }
    if let Some(t) = &v.license_type {
        s.push_str(&format!(
            "type        {} {} / {}",
            t.code, t.name_zh, t.name_en
        ));
        s.push('\n');
        if let Some(local) = &t.local_code {
            let (zh, en) = t
                .local_province
                .map_or(("", ""), |p| (p.name_zh(), p.name_en()));
            s.push_str(&format!(
                "            {zh} {} {local} → 本地认可为 {} / {en} local code, recognised as {}\n",
                t.name_zh, t.name_zh, t.name_en
            ));
        }
    }
    if !v.claims.is_empty() {
        s.push_str("claims\n");
        for (k, val) in &v.claims {
            let shown = match val {
                serde_json::Value::String(x) => x.clone(),
                other => other.to_string(),
            };
            s.push_str(&format!("  {k} = {shown}\n"));
        }
    }
    let short = v
        .trust_list
        .digest
        .get(..16)
        .unwrap_or(&v.trust_list.digest);
    s.push_str(&format!(
        "trust list  #{} (sha256 {short}…)\n\n",
        v.trust_list.sequence
    ));
    s
}
