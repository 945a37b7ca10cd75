//! `deltaseal seal make` and `deltaseal seal stamp`: keys from the key store (`keys/`,
//! by manifest id) or explicit PEM files.

use super::cert_verify::read_der;
use super::seal::{parse_time, read_bounded};
use super::CliError;
use crate::adapters::keystore::KeyStore;
use crate::crypto::{PrivateKey, Signer, SoftwareSigner};
use crate::seal::make::{CertListForm, SealType};
use crate::seal::picture::DEFAULT_DPI;
use crate::seal::Seal;
use crate::service::seal_make::{self, PictureFormat, SealOrder};
use crate::service::seal_stamp;
use clap::Args;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A key and its certificate, from the key store or from files.
#[derive(Debug, Args)]
pub(crate) struct KeyArgs {
    /// Key store entry id (see keys/manifest.json).
    #[arg(long = "id")]
    id: Option<String>,
    /// Key store directory.
    #[arg(long = "keys", default_value = "keys")]
    keys: PathBuf,
    /// Private key, PEM (PKCS#8 or SEC1), instead of --id.
    #[arg(long = "key", requires = "cert", conflicts_with = "id")]
    key: Option<PathBuf>,
    /// Certificate, PEM or DER, with --key.
    #[arg(long = "cert", requires = "key")]
    cert: Option<PathBuf>,
}

struct Loaded {
    signer: Arc<dyn Signer>,
    cert: Vec<u8>,
}

fn load(k: &KeyArgs) -> Result<Loaded, CliError> {
    if let (Some(key), Some(cert)) = (&k.key, &k.cert) {
        let pem = super::read_text(key)?;
        let pk = PrivateKey::from_pem(&pem)
            .map_err(|e| CliError::Input(format!("{}: {e}", key.display())))?;
        return Ok(Loaded {
            signer: Arc::new(SoftwareSigner::with_thumbprint(pk)),
            cert: read_der(cert, "CERTIFICATE")?,
        });
    }
    let id = k.id.as_ref().ok_or_else(|| {
        CliError::Input("give --id ID (key store) or --key K.pem --cert C.pem".into())
    })?;
    let store = KeyStore::load(&k.keys).map_err(|e| CliError::Input(e.to_string()))?;
    let e = store
        .get(id)
        .ok_or_else(|| CliError::Input(format!("no key {id:?} in {}", k.keys.display())))?;
    Ok(Loaded {
        signer: e.signer.clone(),
        cert: e.cert_der.clone(),
    })
}

/// Arguments of `seal make`.
#[derive(Debug, Args)]
pub(crate) struct MakeArgs {
    /// The seal authority's key.
    #[command(flatten)]
    authority: KeyArgs,
    /// Key store id(s) of those allowed to stamp (repeatable).
    #[arg(long = "signer")]
    signer: Vec<String>,
    /// Certificate file(s) of those allowed to stamp (repeatable).
    #[arg(long = "signer-cert")]
    signer_cert: Vec<PathBuf>,
    /// Organisation name along the arc (default: the first signer's organisation).
    #[arg(long)]
    org: Option<String>,
    /// The seal's name (default: the organisation name followed by 电子印章).
    #[arg(long)]
    name: Option<String>,
    /// Text below the star: seal code or type, e.g. 合同专用章 (default: the signer's USCC).
    #[arg(long)]
    code: Option<String>,
    /// organisation or personal.
    #[arg(long = "type", default_value = "organisation")]
    seal_type: String,
    /// esID base; `-01` is appended (default: `<division code><YYYYMMDD><6 random
    /// digits>`, as every seal maker here).
    #[arg(long = "es-id")]
    es_id: Option<String>,
    /// Start of validity, RFC 3339 (default: now).
    #[arg(long = "valid-from")]
    valid_from: Option<String>,
    /// End of validity, RFC 3339 (default: three years after the start, clamped to the
    /// authority's and the signers' certificates; a later end is refused).
    #[arg(long = "valid-to")]
    valid_to: Option<String>,
    /// certList form: certs (certListType 1) or digests (certListType 2, SM3).
    #[arg(long = "cert-list", default_value = "certs")]
    cert_list: String,
    /// Picture format: png or svg.
    #[arg(long, default_value = "png")]
    picture: String,
    /// Picture diameter in mm.
    #[arg(long = "size-mm", default_value_t = 42)]
    size_mm: u32,
    /// PNG resolution.
    #[arg(long, default_value_t = DEFAULT_DPI)]
    dpi: u32,
    /// Creation time, RFC 3339 (default: now).
    #[arg(long)]
    at: Option<String>,
    /// Output file (.esl).
    #[arg(short = 'o', long = "out")]
    out: PathBuf,
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    std::fs::write(path, bytes).map_err(|e| CliError::io(path, e))
}

pub(crate) fn make(a: MakeArgs) -> Result<i32, CliError> {
    let now = parse_time(a.at.as_deref(), "--at")?;
    let authority = load(&a.authority)?;
    let mut signers = Vec::new();
    let (mut org, mut code) = (None, None);
    if !a.signer.is_empty() {
        let store =
            KeyStore::load(&a.authority.keys).map_err(|e| CliError::Input(e.to_string()))?;
        for id in &a.signer {
            let e = store
                .get(id)
                .ok_or_else(|| CliError::Input(format!("no key {id:?} in the key store")))?;
            signers.push(e.cert_der.clone());
            org = org.or(Some(e.manifest.name_zh.clone()).filter(|s| !s.is_empty()));
            code = code.or(e.manifest.uscc.clone());
        }
    }
    for p in &a.signer_cert {
        signers.push(read_der(p, "CERTIFICATE")?);
    }
    if signers.is_empty() {
        return Err(CliError::Input(
            "name at least one --signer or --signer-cert".into(),
        ));
    }
    let org = a
        .org
        .or(org)
        .ok_or_else(|| CliError::Input("give --org (the organisation name)".into()))?;
    let code = a.code.or(code).unwrap_or_default();
    let picture = match a.picture.as_str() {
        "png" => PictureFormat::Png { dpi: a.dpi },
        "svg" => PictureFormat::Svg,
        other => {
            return Err(CliError::Input(format!(
                "--picture {other:?}: use png or svg"
            )))
        }
    };
    let valid_start = match &a.valid_from {
        Some(s) => parse_time(Some(s), "--valid-from")?,
        None => now,
    };
    let valid_end = match &a.valid_to {
        Some(s) => Some(parse_time(Some(s), "--valid-to")?),
        None => None,
    };
    let seal_type = match a.seal_type.as_str() {
        "organisation" | "org" => SealType::Organisation,
        "personal" | "person" => SealType::Personal,
        other => {
            return Err(CliError::Input(format!(
                "--type {other:?}: organisation or personal"
            )))
        }
    };
    let cert_list_form = match a.cert_list.as_str() {
        "certs" => CertListForm::Certificates,
        "digests" => CertListForm::Sm3Digests,
        other => {
            return Err(CliError::Input(format!(
                "--cert-list {other:?}: certs or digests"
            )))
        }
    };
    let order = SealOrder {
        name: a.name.unwrap_or_else(|| format!("{org}电子印章")),
        organisation: org,
        code,
        seal_type,
        signers,
        cert_list_form,
        valid_start,
        valid_end,
        es_id_base: a.es_id,
        diameter_mm: a.size_mm,
        picture,
    };
    let seal = seal_make::make(order, authority.signer.as_ref(), &authority.cert, now)
        .map_err(|e| CliError::Input(e.to_string()))?
        .seal;
    write(&a.out, seal.der())?;
    eprintln!(
        "seal {} ({}) written to {}",
        seal.es_id(),
        seal.info.property.name,
        a.out.display()
    );
    Ok(0)
}

/// Arguments of `seal stamp`.
#[derive(Debug, Args)]
pub(crate) struct StampArgs {
    /// The seal to stamp with (.esl).
    #[arg(long)]
    seal: PathBuf,
    /// The stamping signer's key (must be listed in the seal).
    #[command(flatten)]
    signer: KeyArgs,
    /// Signing time, RFC 3339 (default: now).
    #[arg(long)]
    at: Option<String>,
    /// Output file (.dat).
    #[arg(short = 'o', long = "out")]
    out: PathBuf,
    /// The file to stamp; an `.ofd` document gets an embedded stamp (see the OFD flags).
    file: PathBuf,
    /// Placement of an embedded OFD stamp.
    #[command(flatten)]
    ofd: super::seal_ofd::OfdPlacementArgs,
}

pub(crate) fn stamp(a: StampArgs) -> Result<i32, CliError> {
    let now = parse_time(a.at.as_deref(), "--at")?;
    let seal = Seal::from_der(&read_bounded(&a.seal)?)
        .map_err(|e| CliError::Input(format!("{}: {e}", a.seal.display())))?;
    let signer = load(&a.signer)?;
    if super::seal_ofd::is_ofd(&a.file) {
        return super::seal_ofd::stamp(
            &seal,
            signer.signer.as_ref(),
            &signer.cert,
            &a.file,
            &a.out,
            &a.ofd,
            now,
        );
    }
    let f = std::fs::File::open(&a.file).map_err(|e| CliError::io(&a.file, e))?;
    let name = a
        .file
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| n.is_ascii())
        .unwrap_or("document");
    let st = seal_stamp::stamp_detached(
        std::io::BufReader::with_capacity(1 << 16, f),
        &seal,
        signer.signer.as_ref(),
        &signer.cert,
        name,
        now,
    )
    .map_err(|e| CliError::Input(e.to_string()))?;
    write(&a.out, st.der())?;
    eprintln!(
        "stamp with seal {} written to {}",
        seal.es_id(),
        a.out.display()
    );
    Ok(0)
}

/// Arguments of `seal reissue`.
#[derive(Debug, Args)]
pub(crate) struct ReissueArgs {
    /// The current seal (.esl).
    #[arg(long)]
    seal: PathBuf,
    /// The seal authority's key.
    #[command(flatten)]
    authority: KeyArgs,
    /// Key store id(s) of those allowed to stamp from now on (repeatable).
    #[arg(long = "signer")]
    signer: Vec<String>,
    /// Certificate file(s) of those allowed to stamp from now on (repeatable).
    #[arg(long = "signer-cert")]
    signer_cert: Vec<PathBuf>,
    /// Seal revocation list (JSON) to add the old seal to; created when missing.
    #[arg(long)]
    revoked: PathBuf,
    /// Time of the change, RFC 3339 (default: now).
    #[arg(long)]
    at: Option<String>,
    /// Output file for the new version (.esl).
    #[arg(short = 'o', long = "out")]
    out: PathBuf,
}

pub(crate) fn reissue(a: ReissueArgs) -> Result<i32, CliError> {
    use crate::seal::SealRevocationList;
    let now = parse_time(a.at.as_deref(), "--at")?;
    let old = Seal::from_der(&read_bounded(&a.seal)?)
        .map_err(|e| CliError::Input(format!("{}: {e}", a.seal.display())))?;
    let authority = load(&a.authority)?;
    let mut signers = Vec::new();
    if !a.signer.is_empty() {
        let store =
            KeyStore::load(&a.authority.keys).map_err(|e| CliError::Input(e.to_string()))?;
        for id in &a.signer {
            let e = store
                .get(id)
                .ok_or_else(|| CliError::Input(format!("no key {id:?} in the key store")))?;
            signers.push(e.cert_der.clone());
        }
    }
    for p in &a.signer_cert {
        signers.push(read_der(p, "CERTIFICATE")?);
    }
    let mut list = if a.revoked.exists() {
        serde_json::from_str::<SealRevocationList>(&super::read_text(&a.revoked)?)
            .map_err(|e| CliError::Input(format!("{}: {e}", a.revoked.display())))?
    } else {
        SealRevocationList::new()
    };
    let (seal, revocation) = seal_make::reissue(
        &old,
        signers,
        authority.signer.as_ref(),
        &authority.cert,
        now,
    )
    .map_err(|e| CliError::Input(e.to_string()))?;
    list.add(revocation);
    write(&a.out, seal.der())?;
    let json = serde_json::to_string_pretty(&list)
        .map_err(|e| CliError::Input(format!("revocation list: {e}")))?;
    write(&a.revoked, json.as_bytes())?;
    eprintln!(
        "seal {} supersedes {} (listed in {}); written to {}",
        seal.es_id(),
        old.es_id(),
        a.revoked.display(),
        a.out.display()
    );
    Ok(0)
}
