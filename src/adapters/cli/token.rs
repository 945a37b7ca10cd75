//! `deltaseal token`: print a request token for calling a node by hand (`curl -H
//! "Authorization: Bearer $(deltaseal token --agency sh-agency-psb)"`), and the one
//! [`TokenSigner`] every CLI verb that talks to a node signs its tokens with.

use super::CliError;
use crate::adapters::keystore::KeyStore;
use crate::crypto::Signer;
use crate::jose::{make_request_token, MAX_TOKEN_LIFETIME};
use clap::Args;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The node URL the CLI talks to when none is given.
pub(crate) const DEFAULT_SERVER: &str = "http://127.0.0.1:8080";

/// A hosted party's key and certificate chain from the keys directory: what request
/// tokens are signed with.
pub(crate) struct TokenSigner {
    signer: Arc<dyn Signer>,
    chain: Vec<Vec<u8>>,
    uscc: String,
}

impl TokenSigner {
    /// The entry `id` of the keys directory `dir`, with its issuer's certificate.
    pub(crate) fn load(dir: &Path, id: &str) -> Result<TokenSigner, CliError> {
        let keys = KeyStore::load(dir).map_err(|e| CliError::Input(e.to_string()))?;
        let entry = keys
            .get(id)
            .ok_or_else(|| CliError::Input(format!("no key {id:?} in {}", dir.display())))?;
        let uscc = entry.info.uscc.clone().ok_or_else(|| {
            CliError::Input(format!(
                "{id}: its certificate names no USCC, so it cannot sign request tokens"
            ))
        })?;
        let mut chain = vec![entry.cert_der.clone()];
        if let Some(i) = keys.issuer_of(entry.id()) {
            if i.id() != entry.id() {
                chain.push(i.cert_der.clone());
            }
        }
        Ok(TokenSigner {
            signer: entry.signer.clone(),
            chain,
            uscc,
        })
    }

    /// A request token for `audience`, valid `lifetime` seconds from now.
    pub(crate) fn token(&self, audience: &str, lifetime: i64) -> Result<String, CliError> {
        make_request_token(
            self.signer.as_ref(),
            &self.chain,
            &self.uscc,
            audience,
            time::OffsetDateTime::now_utc(),
            lifetime,
        )
        .map_err(|e| CliError::Input(e.to_string()))
    }
}

/// `deltaseal token`.
#[derive(Debug, Args)]
pub(crate) struct TokenArgs {
    /// The party's key id in the keys manifest (e.g. sh-agency-psb, sh-seal-authority).
    #[arg(long, env = "DELTASEAL_AGENCY")]
    agency: String,
    /// The node the token is for (its `aud`): its base URL or configured node id.
    #[arg(long, env = "DELTASEAL_SERVER", default_value = DEFAULT_SERVER)]
    aud: String,
    /// Lifetime in seconds (at most 300).
    #[arg(long, default_value_t = 120)]
    ttl: i64,
    /// Keys directory.
    #[arg(long, default_value = "keys")]
    keys: PathBuf,
}

pub(crate) fn run(a: TokenArgs) -> Result<i32, CliError> {
    if a.ttl < 1 || a.ttl > MAX_TOKEN_LIFETIME {
        return Err(CliError::Input(format!(
            "--ttl must be 1 to {MAX_TOKEN_LIFETIME} seconds (nodes refuse longer tokens)"
        )));
    }
    let signer = TokenSigner::load(&a.keys, &a.agency)?;
    println!("{}", signer.token(a.aud.trim_end_matches('/'), a.ttl)?);
    Ok(0)
}
