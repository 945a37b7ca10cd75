//! `deltaseal license bulk`: issue every line of a JSON Lines file through the node's
//! batch endpoint, `--batch-size` lines per request.
//!
//! Each batch carries an idempotency key derived from the numbers and contents of its
//! lines, so a rerun of the same file (with the same batch size) replays what was
//! already issued and reports it as replayed. A batch is all-or-none on the node: when
//! it refuses one item (naming its index), that line is reported failed and the rest of
//! the batch is sent again without it — deterministically, so a rerun takes the same
//! steps and replays them. Every failed line's reason is printed on stderr, above the
//! progress bar on a terminal and plainly otherwise.

use super::license::{problem_text, Client, EXIT_FAILED};
use super::CliError;
use serde_json::Value;
use std::io::{BufRead, Write};
use std::path::Path;
use std::time::Duration;

/// Lines per batch request when `--batch-size` is not given.
pub(crate) const DEFAULT_BATCH_SIZE: usize = 200;
/// Times a batch is sent again when the node answers 503 (busy or unreachable DB).
const RETRIES_WHEN_UNAVAILABLE: usize = 3;

/// One line to issue: its number (1-based), its text, its body.
struct Line {
    number: usize,
    text: String,
    body: Value,
}

/// The idempotency key of a batch of lines: their numbers and contents.
fn batch_key(lines: &[Line]) -> String {
    let mut data = Vec::new();
    for l in lines {
        data.extend_from_slice(format!("{}\n{}\n", l.number, l.text).as_bytes());
    }
    let digest = crate::crypto::DigestAlgorithm::Sha256.digest(&data);
    format!("bulk-{}", hex::encode(&digest[..16]))
}

/// What one run did.
#[derive(Debug, Default)]
struct Tally {
    issued: usize,
    replayed: usize,
    failed: usize,
}

pub(crate) fn bulk(client: &Client, file: &Path, batch_size: usize) -> Result<i32, CliError> {
    if batch_size == 0 {
        return Err(CliError::Input("--batch-size must be at least 1".into()));
    }
    let f = std::fs::File::open(file).map_err(|e| CliError::io(file, e))?;
    let texts: Vec<String> = std::io::BufReader::new(f)
        .lines()
        .collect::<Result<_, _>>()
        .map_err(|e| CliError::io(file, e))?;
    let bar = indicatif::ProgressBar::new(texts.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {per_sec} ETA {eta} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    // printed whether or not stderr is a terminal (a hidden bar runs it plainly)
    let report = |text: String| bar.suspend(|| eprintln!("{text}"));
    let mut tally = Tally::default();
    let mut lines = Vec::new();
    for (n, text) in texts.into_iter().enumerate() {
        if text.trim().is_empty() {
            bar.inc(1);
            continue;
        }
        match serde_json::from_str::<Value>(&text) {
            Ok(body) => lines.push(Line {
                number: n + 1,
                text,
                body,
            }),
            Err(e) => {
                report(format!("line {}: not JSON: {e}", n + 1));
                tally.failed += 1;
                bar.inc(1);
            }
        }
    }
    let mut out = std::io::stdout().lock();
    let mut rest = lines.into_iter().peekable();
    while rest.peek().is_some() {
        let batch: Vec<Line> = rest.by_ref().take(batch_size).collect();
        let n = batch.len() as u64;
        send_batch(client, batch, &mut tally, &mut out, &report);
        bar.inc(n);
    }
    bar.finish_and_clear();
    eprintln!(
        "deltaseal: issued {}, replayed {}, failed {}",
        tally.issued, tally.replayed, tally.failed
    );
    Ok(if tally.failed == 0 { 0 } else { EXIT_FAILED })
}

/// Send `batch` until the node takes what is left of it; refused lines are reported
/// and removed.
fn send_batch(
    client: &Client,
    mut batch: Vec<Line>,
    tally: &mut Tally,
    out: &mut impl Write,
    report: &impl Fn(String),
) {
    let mut attempts = 0;
    while !batch.is_empty() {
        let body = serde_json::json!({
            "items": batch.iter().map(|l| l.body.clone()).collect::<Vec<_>>()
        });
        let key = batch_key(&batch);
        match client.send_full(
            reqwest::Method::POST,
            "/v1/licenses:batch",
            Some(&body),
            Some(&key),
        ) {
            Ok((201, replayed, v)) => {
                let issued = v.get("issued").and_then(Value::as_array);
                for (i, l) in batch.iter().enumerate() {
                    let id = issued
                        .and_then(|a| a.get(i))
                        .and_then(|x| x.get("identifier"))
                        .and_then(Value::as_str)
                        .unwrap_or("");
                    let _ = writeln!(out, "{}\t{id}", l.number);
                }
                let _ = out.flush();
                if replayed {
                    tally.replayed += batch.len();
                } else {
                    tally.issued += batch.len();
                }
                break;
            }
            Ok((status, _, v)) => {
                let item = v.get("item").and_then(Value::as_u64).map(|i| i as usize);
                match item {
                    Some(i) if i < batch.len() => {
                        let l = batch.remove(i);
                        report(format!("line {}: {}", l.number, problem_text(status, &v)));
                        tally.failed += 1;
                    }
                    _ if status == 503 && attempts < RETRIES_WHEN_UNAVAILABLE => {
                        attempts += 1;
                        std::thread::sleep(Duration::from_secs(2));
                    }
                    _ => {
                        fail_all(&batch, &problem_text(status, &v), tally, report);
                        break;
                    }
                }
            }
            Err(e) => {
                fail_all(&batch, &e, tally, report);
                break;
            }
        }
    }
}

fn fail_all(batch: &[Line], why: &str, tally: &mut Tally, report: &impl Fn(String)) {
    for l in batch {
        report(format!("line {}: {why}", l.number));
    }
    tally.failed += batch.len();
}
