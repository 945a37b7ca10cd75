//! `deltaseal license …`: issue, bulk-issue, suspend/reinstate/revoke and show
//! licenses against a node's HTTP API, authenticating each call with a request token
//! signed by the agency's key from the keys directory.

use super::token::{TokenSigner, DEFAULT_SERVER};
use super::CliError;
use crate::license::sdjwt::SdJwt;
use clap::{Args, Subcommand};
use serde_json::{Map, Value};

use std::path::{Path, PathBuf};
use std::time::Duration;

/// Exit code when some licenses of a bulk run failed.
pub(crate) const EXIT_FAILED: i32 = 1;
/// Request token lifetime, seconds.
const TOKEN_LIFETIME: i64 = 120;

#[derive(Debug, Args)]
pub(crate) struct Conn {
    /// The node's base URL.
    #[arg(long, default_value = DEFAULT_SERVER, env = "DELTASEAL_SERVER")]
    server: String,
    /// The agency's key id in the keys manifest (e.g. sh-agency-psb).
    #[arg(long, env = "DELTASEAL_AGENCY")]
    agency: String,
    /// Keys directory.
    #[arg(long, default_value = "keys")]
    keys: PathBuf,
    /// The node id request tokens are addressed to (default: the server URL).
    #[arg(long)]
    audience: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum LicenseCommand {
    /// Issue one license.
    Issue {
        #[command(flatten)]
        conn: Conn,
        /// License type code.
        #[arg(long = "type")]
        type_code: String,
        /// Holder's name (or `holder` in the claims).
        #[arg(long)]
        holder: Option<String>,
        /// Holder's code (or `holder_code` in the claims).
        #[arg(long)]
        holder_code: Option<String>,
        /// JSON file with the type's fields.
        #[arg(long)]
        claims: Option<PathBuf>,
        /// One field, `name=value` (a string) or `name:=json` (a JSON value); repeatable.
        #[arg(long = "claim")]
        claim: Vec<String>,
        /// Idempotency key (a retry with the same key never issues twice).
        #[arg(long)]
        idempotency_key: Option<String>,
    },
    /// Issue every line of a JSON Lines file (one issuance body per line), in batches.
    Bulk {
        #[command(flatten)]
        conn: Conn,
        /// The file.
        file: PathBuf,
        /// Lines per batch request (at most the node's max_batch).
        #[arg(long, default_value_t = super::license_bulk::DEFAULT_BATCH_SIZE)]
        batch_size: usize,
    },
    /// Fetch a holder's licenses under their consent (免提交): the presentations of the
    /// consented claims from whichever province issued them, each with its verdict.
    Fetch {
        #[command(flatten)]
        conn: Conn,
        /// The holder's code (citizen identity number or USCC).
        #[arg(long)]
        holder: String,
        /// The license type code the consent covers.
        #[arg(long = "type")]
        type_code: String,
        /// The consent id the holder gave.
        #[arg(long)]
        consent: String,
        /// Only these claims (comma-separated; default: every consented claim).
        #[arg(long)]
        claims: Option<String>,
    },
    /// Suspend a license.
    Suspend(StatusArgs),
    /// Reinstate a suspended license.
    Reinstate(StatusArgs),
    /// Revoke a license.
    Revoke(StatusArgs),
    /// Show a license: a local SD-JWT file, or fetched from the node by identifier.
    Show {
        /// File with a compact SD-JWT, or an identifier.
        what: String,
        /// Fetch from a node (identifier) with these settings.
        #[arg(long, env = "DELTASEAL_SERVER")]
        server: Option<String>,
        /// The agency's key id (needed to fetch).
        #[arg(long, env = "DELTASEAL_AGENCY")]
        agency: Option<String>,
        /// Keys directory.
        #[arg(long, default_value = "keys")]
        keys: PathBuf,
    },
}

#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    #[command(flatten)]
    conn: Conn,
    /// The license identifier.
    identifier: String,
    /// Why (required to suspend and to revoke).
    #[arg(long)]
    reason: Option<String>,
}

/// An authenticated client for one agency.
pub(crate) struct Client {
    http: reqwest::blocking::Client,
    base: String,
    audience: String,
    signer: TokenSigner,
}

impl Client {
    fn new(conn: &Conn) -> Result<Client, CliError> {
        let signer = TokenSigner::load(&conn.keys, &conn.agency)?;
        let base = conn.server.trim_end_matches('/').to_string();
        let http = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| CliError::Input(e.to_string()))?;
        Ok(Client {
            http,
            audience: conn.audience.clone().unwrap_or_else(|| base.clone()),
            base,
            signer,
        })
    }

    fn token(&self) -> Result<String, CliError> {
        self.signer.token(&self.audience, TOKEN_LIFETIME)
    }

    /// Send a request; returns (status, body JSON) or a transport error text.
    fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        idempotency_key: Option<&str>,
    ) -> Result<(u16, Value), String> {
        self.send_full(method, path, body, idempotency_key)
            .map(|(s, _, v)| (s, v))
    }

    /// Like `send`, and whether the node answered with a stored response
    /// (`idempotent-replayed: true`).
    pub(crate) fn send_full(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
        idempotency_key: Option<&str>,
    ) -> Result<(u16, bool, Value), String> {
        let token = self.token().map_err(|e| e.to_string())?;
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(b);
        }
        if let Some(k) = idempotency_key {
            req = req.header("Idempotency-Key", k);
        }
        let resp = req.send().map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        let replayed = resp
            .headers()
            .get("idempotent-replayed")
            .is_some_and(|v| v.as_bytes() == b"true");
        let text = resp.text().map_err(|e| e.to_string())?;
        Ok((
            status,
            replayed,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        ))
    }
}

pub(crate) fn problem_text(status: u16, body: &Value) -> String {
    match (body.get("code"), body.get("detail")) {
        (Some(c), Some(d)) => format!(
            "{status} {}: {}",
            c.as_str().unwrap_or(""),
            d.as_str().unwrap_or("")
        ),
        _ => format!("{status} {body}"),
    }
}

/// A node's answer that should be `want`: its body, or `None` once a refusal is
/// reported on stderr; a node that cannot be reached is an input error naming `server`.
fn answer(
    sent: Result<(u16, Value), String>,
    want: u16,
    server: &str,
) -> Result<Option<Value>, CliError> {
    match sent {
        Ok((s, v)) if s == want => Ok(Some(v)),
        Ok((s, v)) => {
            eprintln!("deltaseal: refused: {}", problem_text(s, &v));
            Ok(None)
        }
        Err(e) => Err(CliError::Input(format!("cannot reach {server}: {e}"))),
    }
}

fn print_json(v: &Value) {
    println!("{}", serde_json::to_string_pretty(v).unwrap_or_default());
}

pub(crate) fn run(cmd: LicenseCommand) -> Result<i32, CliError> {
    match cmd {
        LicenseCommand::Issue {
            conn,
            type_code,
            holder,
            holder_code,
            claims,
            claim,
            idempotency_key,
        } => {
            let body = issue_body(&type_code, holder, holder_code, claims.as_deref(), &claim)?;
            let client = Client::new(&conn)?;
            let key = idempotency_key.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            let sent = client.send(
                reqwest::Method::POST,
                "/v1/licenses",
                Some(&body),
                Some(&key),
            );
            match answer(sent, 201, &conn.server)? {
                Some(v) => {
                    print_json(&v);
                    Ok(0)
                }
                None => Ok(EXIT_FAILED),
            }
        }
        LicenseCommand::Bulk {
            conn,
            file,
            batch_size,
        } => super::license_bulk::bulk(&Client::new(&conn)?, &file, batch_size),
        LicenseCommand::Fetch {
            conn,
            holder,
            type_code,
            consent,
            claims,
        } => fetch(&conn, &holder, &type_code, &consent, claims.as_deref()),
        LicenseCommand::Suspend(a) => status_change(a, "suspend"),
        LicenseCommand::Reinstate(a) => status_change(a, "reinstate"),
        LicenseCommand::Revoke(a) => status_change(a, "revoke"),
        LicenseCommand::Show {
            what,
            server,
            agency,
            keys,
        } => show(&what, server, agency, keys),
    }
}

fn issue_body(
    type_code: &str,
    holder: Option<String>,
    holder_code: Option<String>,
    claims_file: Option<&Path>,
    claim: &[String],
) -> Result<Value, CliError> {
    let mut claims: Map<String, Value> = match claims_file {
        Some(p) => match serde_json::from_str(&super::read_text(p)?) {
            Ok(Value::Object(m)) => m,
            _ => {
                return Err(CliError::Input(format!(
                    "{}: not a JSON object",
                    p.display()
                )))
            }
        },
        None => Map::new(),
    };
    for c in claim {
        let (k, v) = c
            .split_once('=')
            .ok_or_else(|| CliError::Input(format!("--claim {c:?}: use name=value")))?;
        let (k, v) = match k.strip_suffix(':') {
            Some(k) => (
                k,
                serde_json::from_str(v)
                    .map_err(|e| CliError::Input(format!("--claim {c:?}: {e}")))?,
            ),
            None => (k, Value::String(v.to_string())),
        };
        claims.insert(k.to_string(), v);
    }
    let mut take = |name: &str, flag: Option<String>| -> Result<Value, CliError> {
        let from_claims = claims.remove(name);
        flag.map(Value::String).or(from_claims).ok_or_else(|| {
            CliError::Input(format!(
                "--{} (or {name} in the claims) is required",
                name.replace('_', "-")
            ))
        })
    };
    let holder = take("holder", holder)?;
    let holder_code = take("holder_code", holder_code)?;
    let mut body = Map::new();
    for meta in [
        "holder_code_type",
        "license_number",
        "valid_from",
        "valid_to",
        "purpose",
    ] {
        if let Some(v) = claims.remove(meta) {
            body.insert(meta.into(), v);
        }
    }
    body.insert("type_code".into(), type_code.into());
    body.insert("holder".into(), holder);
    body.insert("holder_code".into(), holder_code);
    body.insert("claims".into(), Value::Object(claims));
    Ok(Value::Object(body))
}

fn status_change(a: StatusArgs, action: &str) -> Result<i32, CliError> {
    if action != "reinstate" && a.reason.as_deref().map_or(true, |r| r.trim().is_empty()) {
        return Err(CliError::Input(format!(
            "license {action} needs --reason TEXT (the node records why)"
        )));
    }
    let client = Client::new(&a.conn)?;
    let mut body = Map::new();
    if let Some(r) = a.reason {
        body.insert("reason".into(), r.into());
    }
    let path = format!("/v1/licenses/{}/{action}", a.identifier);
    let sent = client.send(
        reqwest::Method::POST,
        &path,
        Some(&Value::Object(body)),
        None,
    );
    let Some(v) = answer(sent, 200, &a.conn.server)? else {
        return Ok(EXIT_FAILED);
    };
    // the new status, not the whole credential
    let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("?").to_string();
    println!(
        "{}\t{}\t{}",
        text("identifier"),
        text("status"),
        text("reason")
    );
    Ok(0)
}

fn fetch(
    conn: &Conn,
    holder: &str,
    type_code: &str,
    consent: &str,
    claims: Option<&str>,
) -> Result<i32, CliError> {
    let mut query = vec![("type", type_code), ("consent", consent)];
    if let Some(c) = claims {
        query.push(("claims", c));
    }
    let query = serde_urlencoded::to_string(&query).map_err(|e| CliError::Input(e.to_string()))?;
    let holder: String = url::form_urlencoded::byte_serialize(holder.as_bytes()).collect();
    let client = Client::new(conn)?;
    let sent = client.send(
        reqwest::Method::GET,
        &format!("/v1/holders/{holder}/licenses?{query}"),
        None,
        None,
    );
    let Some(v) = answer(sent, 200, &conn.server)? else {
        return Ok(EXIT_FAILED);
    };
    for l in v["licenses"].as_array().into_iter().flatten() {
        eprintln!(
            "{} {} {}: {}",
            l["identifier"].as_str().unwrap_or(""),
            l["province"].as_str().unwrap_or(""),
            l["type_code"].as_str().unwrap_or(""),
            l["verdict"]["report"]["indication"].as_str().unwrap_or("?")
        );
    }
    print_json(&v);
    Ok(0)
}

fn show(
    what: &str,
    server: Option<String>,
    agency: Option<String>,
    keys: PathBuf,
) -> Result<i32, CliError> {
    let path = Path::new(what);
    if path.is_file() {
        let text = super::read_text(path)?;
        let sd = SdJwt::parse(&text).map_err(|e| CliError::Input(e.to_string()))?;
        let mut claims = Map::new();
        for d in &sd.disclosures {
            claims.insert(d.name.clone(), d.value.clone());
        }
        let mut payload = sd.jws.payload.clone();
        payload.remove("_sd");
        print_json(&serde_json::json!({
            "header": {"alg": sd.jws.header.get("alg"), "typ": sd.jws.header.get("typ")},
            "payload": payload,
            "disclosed": claims,
            "note": "decoded only; use a verifier to check the signature and status",
        }));
        return Ok(0);
    }
    let agency = agency.ok_or_else(|| {
        CliError::Input(format!(
            "{what} is not a file; to fetch it give --agency (and --server)"
        ))
    })?;
    let conn = Conn {
        server: server.unwrap_or_else(|| DEFAULT_SERVER.into()),
        agency,
        keys,
        audience: None,
    };
    let client = Client::new(&conn)?;
    match client.send(
        reqwest::Method::GET,
        &format!("/v1/licenses/{what}"),
        None,
        None,
    ) {
        Ok((200, v)) => {
            print_json(&v);
            Ok(0)
        }
        Ok((s, v)) => {
            eprintln!("deltaseal: {}", problem_text(s, &v));
            Ok(EXIT_FAILED)
        }
        Err(e) => Err(CliError::Input(format!(
            "cannot reach {}: {e}",
            conn.server
        ))),
    }
}
