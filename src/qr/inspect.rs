//! Layer-by-layer decoding of a QR text, for `deltaseal qr inspect` and for the
//! interoperability tests against the EU DCC test data: prefix, base45, zlib, COSE
//! structure, CWT claims, then — with a certificate — the `kid`, the signature, and at a
//! validation time the certificate's validity and `iat` ≤ at ≤ `exp`.

use super::codec::{decode_base45, inflate, strip_prefix};
use super::cose::{kid_of, parse};
use super::{Layer, QrError};
use crate::crypto::PublicKey;
use coset::cbor::value::Value;
use coset::cwt::{ClaimsSet, Timestamp};
use coset::CborSerializable;
use serde::Serialize;
use time::OffsetDateTime;

/// What to inspect against.
#[derive(Debug, Clone, Default)]
pub struct Options<'a> {
    /// The expected prefix.
    pub prefix: &'a str,
    /// The signer certificate (DER), when the signature is to be checked.
    pub cert_der: Option<&'a [u8]>,
    /// The validation time, when times are to be checked.
    pub at: Option<OffsetDateTime>,
}

/// A layer's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LayerOutcome {
    /// Decoded / checked.
    Passed,
    /// Did not decode / check.
    Failed,
    /// The algorithm is not one verified here.
    Unsupported,
    /// Not checked (no certificate or no time given).
    NotChecked,
    /// Not reached: an earlier layer did not decode.
    NotReached,
}

/// One layer in an [`Inspection`].
#[derive(Debug, Clone, Serialize)]
pub struct LayerResult {
    /// Which.
    pub layer: Layer,
    /// Its outcome.
    pub outcome: LayerOutcome,
    /// What was found, or why it failed.
    pub detail: String,
}

/// The layers of one QR text.
#[derive(Debug, Clone, Serialize)]
pub struct Inspection {
    /// Every layer, outermost first.
    pub layers: Vec<LayerResult>,
    /// The first layer that failed (or is unsupported).
    pub first_failure: Option<Layer>,
    /// The COSE algorithm, once the structure decoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// The kid (hex), once the structure decoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// The CWT claims as JSON (byte strings as hex), once they decoded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claims: Option<serde_json::Value>,
    /// Sizes: text characters, compressed and inflated bytes.
    pub sizes: Sizes,
}

/// Sizes of the layers, in characters or bytes (0 when not reached).
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Sizes {
    /// Characters of the whole text.
    pub text: usize,
    /// Bytes of the zlib stream.
    pub compressed: usize,
    /// Bytes of the COSE value.
    pub cose: usize,
}

impl Inspection {
    /// The outcome of `layer`.
    pub fn outcome(&self, layer: Layer) -> LayerOutcome {
        self.layers
            .iter()
            .find(|l| l.layer == layer)
            .map_or(LayerOutcome::NotReached, |l| l.outcome)
    }

    /// Exit code: 0 all decoded (and checked where asked), 1 kid, signature or times
    /// fail, 2 a layer does not decode or the prefix is wrong, 3 the algorithm is not
    /// supported.
    pub fn exit_code(&self) -> i32 {
        let decode = [
            Layer::Prefix,
            Layer::Base45,
            Layer::Zlib,
            Layer::Cose,
            Layer::Claims,
        ];
        if decode
            .iter()
            .any(|l| self.outcome(*l) != LayerOutcome::Passed)
        {
            return 2;
        }
        if self
            .layers
            .iter()
            .any(|l| l.outcome == LayerOutcome::Unsupported)
        {
            return 3;
        }
        if self
            .layers
            .iter()
            .any(|l| l.outcome == LayerOutcome::Failed)
        {
            return 1;
        }
        0
    }
}

struct Builder {
    layers: Vec<LayerResult>,
}

impl Builder {
    fn put(&mut self, layer: Layer, outcome: LayerOutcome, detail: impl Into<String>) {
        self.layers.push(LayerResult {
            layer,
            outcome,
            detail: detail.into(),
        });
    }

    fn fail(&mut self, e: &QrError) {
        let layer = e.layer().unwrap_or(Layer::Cose);
        let outcome = if matches!(e, QrError::UnsupportedAlgorithm(_)) {
            LayerOutcome::Unsupported
        } else {
            LayerOutcome::Failed
        };
        self.put(layer, outcome, e.to_string());
        self.rest_not_reached(layer);
    }

    fn rest_not_reached(&mut self, after: Layer) {
        let from = Layer::ALL.iter().position(|l| *l == after).unwrap_or(0) + 1;
        for l in &Layer::ALL[from..] {
            self.put(
                *l,
                LayerOutcome::NotReached,
                "an earlier layer did not decode",
            );
        }
    }

    fn finish(self, mut out: Inspection) -> Inspection {
        out.first_failure = self
            .layers
            .iter()
            .find(|l| matches!(l.outcome, LayerOutcome::Failed | LayerOutcome::Unsupported))
            .map(|l| l.layer);
        out.layers = self.layers;
        out
    }
}

/// Decode `text` layer by layer. Never panics on hostile input.
pub fn inspect(text: &str, opts: &Options<'_>) -> Inspection {
    let mut b = Builder { layers: Vec::new() };
    let mut out = Inspection {
        layers: Vec::new(),
        first_failure: None,
        alg: None,
        kid: None,
        claims: None,
        sizes: Sizes {
            text: text.chars().count(),
            ..Sizes::default()
        },
    };
    let rest = match strip_prefix(text, opts.prefix) {
        Ok(r) => r,
        Err(e) => {
            b.fail(&e);
            return b.finish(out);
        }
    };
    b.put(
        Layer::Prefix,
        LayerOutcome::Passed,
        format!("{:?}", opts.prefix),
    );
    let compressed = match decode_base45(rest) {
        Ok(c) => c,
        Err(e) => {
            b.fail(&e);
            return b.finish(out);
        }
    };
    out.sizes.compressed = compressed.len();
    b.put(
        Layer::Base45,
        LayerOutcome::Passed,
        format!("{} characters → {} bytes", rest.len(), compressed.len()),
    );
    let cose = match inflate(&compressed) {
        Ok(c) => c,
        Err(e) => {
            b.fail(&e);
            return b.finish(out);
        }
    };
    out.sizes.cose = cose.len();
    b.put(
        Layer::Zlib,
        LayerOutcome::Passed,
        format!("{} bytes → {} bytes", compressed.len(), cose.len()),
    );
    let signed = match parse(&cose) {
        Ok(s) => s,
        Err(e) => {
            b.fail(&e);
            return b.finish(out);
        }
    };
    out.alg = Some(signed.alg.name());
    out.kid = Some(hex::encode(&signed.kid));
    b.put(
        Layer::Cose,
        LayerOutcome::Passed,
        format!(
            "COSE_Sign1, tags {:?}, alg {}, kid {}",
            signed.tags,
            signed.alg.name(),
            hex::encode(&signed.kid)
        ),
    );
    let claims = match ClaimsSet::from_slice(signed.payload()) {
        Ok(c) => c,
        Err(e) => {
            b.fail(&QrError::Claims(format!("{e:?}")));
            return b.finish(out);
        }
    };
    out.claims = Some(claims_json(&claims));
    if opts.prefix == super::DCC_PREFIX {
        if let Err(why) = dcc_structure(&claims) {
            b.fail(&QrError::Claims(why));
            return b.finish(out);
        }
    }
    b.put(
        Layer::Claims,
        LayerOutcome::Passed,
        format!("{} claims", count(&claims)),
    );

    // kid and signature, against the certificate.
    let cert = opts.cert_der.map(read_cert);
    match &cert {
        None => {
            b.put(Layer::Kid, LayerOutcome::NotChecked, "no certificate given");
            b.put(
                Layer::Signature,
                LayerOutcome::NotChecked,
                "no certificate given",
            );
        }
        Some(Err(e)) => {
            b.put(Layer::Kid, LayerOutcome::Failed, e.clone());
            b.put(Layer::Signature, LayerOutcome::Failed, e.clone());
        }
        Some(Ok(c)) => {
            let want = kid_of(opts.cert_der.unwrap_or_default());
            if signed.kid == want {
                b.put(
                    Layer::Kid,
                    LayerOutcome::Passed,
                    "the kid names the certificate",
                );
            } else {
                b.put(
                    Layer::Kid,
                    LayerOutcome::Failed,
                    format!(
                        "kid {} but the certificate's is {}",
                        hex::encode(&signed.kid),
                        hex::encode(want)
                    ),
                );
            }
            match (&c.key, signed.alg.algorithm()) {
                (_, None) => b.put(
                    Layer::Signature,
                    LayerOutcome::Unsupported,
                    format!("algorithm {} is not supported", signed.alg.name()),
                ),
                (None, Some(_)) => b.put(
                    Layer::Signature,
                    LayerOutcome::Failed,
                    "the certificate's key is neither P-256 nor SM2",
                ),
                (Some(key), Some(_)) => match signed.verify(key) {
                    Ok(()) => b.put(Layer::Signature, LayerOutcome::Passed, "verified"),
                    Err(e) => b.put(Layer::Signature, LayerOutcome::Failed, e.to_string()),
                },
            }
        }
    }

    // Times.
    match opts.at {
        None => b.put(
            Layer::Times,
            LayerOutcome::NotChecked,
            "no validation time given",
        ),
        Some(at) => {
            let cert_validity = match &cert {
                Some(Ok(c)) => Some((c.not_before, c.not_after)),
                _ => None,
            };
            match check_times(&claims, at, cert_validity) {
                Ok(d) => b.put(Layer::Times, LayerOutcome::Passed, d),
                Err(d) => b.put(Layer::Times, LayerOutcome::Failed, d),
            }
        }
    }
    b.finish(out)
}

/// An EU DCC payload's structure: claim -260 (hcert) a map whose key 1 (eu_dgc_v1) is
/// a map.
fn dcc_structure(c: &ClaimsSet) -> Result<(), String> {
    let hcert = c
        .rest
        .iter()
        .find(|(n, _)| *n == coset::cwt::ClaimName::PrivateUse(-260) || matches!(n, coset::cwt::ClaimName::Assigned(a) if coset::iana::EnumI64::to_i64(a) == -260))
        .map(|(_, v)| v)
        .ok_or("no hcert claim (-260)")?;
    let Value::Map(m) = hcert else {
        return Err("the hcert claim (-260) is not a map".into());
    };
    match m
        .iter()
        .find(|(k, _)| k.as_integer().map(i128::from) == Some(1))
    {
        Some((_, Value::Map(_))) => Ok(()),
        Some(_) => Err("hcert key 1 (eu_dgc_v1) is not a map".into()),
        None => Err("hcert has no key 1 (eu_dgc_v1)".into()),
    }
}

struct Cert {
    key: Option<PublicKey>,
    not_before: i64,
    not_after: i64,
}

fn read_cert(der: &[u8]) -> Result<Cert, String> {
    let (rest, cert) = x509_parser::parse_x509_certificate(der)
        .map_err(|e| format!("the certificate does not parse: {e}"))?;
    if !rest.is_empty() {
        return Err("trailing bytes after the certificate".into());
    }
    let key = PublicKey::from_spki_der(cert.tbs_certificate.subject_pki.raw).ok();
    Ok(Cert {
        key,
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
    })
}

/// Seconds of a CWT timestamp (fractions dropped; non-finite refused).
pub fn seconds(t: &Timestamp) -> Option<i64> {
    match t {
        Timestamp::WholeSeconds(s) => Some(*s),
        Timestamp::FractionalSeconds(f) if f.is_finite() && f.abs() < 1e15 => {
            // Bounded above, so the cast cannot saturate.
            #[allow(clippy::cast_possible_truncation)]
            Some(f.floor() as i64)
        }
        Timestamp::FractionalSeconds(_) => None,
    }
}

/// notBefore ≤ iat ≤ at ≤ exp ≤ notAfter (the certificate's bounds when given).
fn check_times(
    claims: &ClaimsSet,
    at: OffsetDateTime,
    cert: Option<(i64, i64)>,
) -> Result<String, String> {
    let at_s = at.unix_timestamp();
    let iat = claims.issued_at.as_ref().map(seconds);
    let exp = claims.expiration_time.as_ref().map(seconds);
    let (Some(Some(iat)), Some(Some(exp))) = (iat, exp) else {
        return Err("iat or exp is missing or not a number".into());
    };
    if let Some((nb, na)) = cert {
        if iat < nb {
            return Err(format!(
                "iat {iat} is before the certificate's notBefore {nb}"
            ));
        }
        if exp > na {
            return Err(format!(
                "exp {exp} is after the certificate's notAfter {na}"
            ));
        }
        if at_s < nb || at_s > na {
            return Err("the certificate is not valid at the validation time".into());
        }
    }
    if at_s < iat {
        return Err(format!("validation time {at_s} is before iat {iat}"));
    }
    if at_s > exp {
        return Err(format!(
            "expired: exp {exp} is before the validation time {at_s}"
        ));
    }
    Ok(format!("iat {iat} ≤ {at_s} ≤ exp {exp}"))
}

fn count(c: &ClaimsSet) -> usize {
    [
        c.issuer.is_some(),
        c.subject.is_some(),
        c.audience.is_some(),
        c.expiration_time.is_some(),
        c.not_before.is_some(),
        c.issued_at.is_some(),
        c.cwt_id.is_some(),
    ]
    .iter()
    .filter(|x| **x)
    .count()
        + c.rest.len()
}

/// The claims as JSON, standard claims by name, others by their key.
fn claims_json(c: &ClaimsSet) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    let mut put = |k: &str, v: serde_json::Value| {
        m.insert(k.to_string(), v);
    };
    if let Some(v) = &c.issuer {
        put("iss", v.clone().into());
    }
    if let Some(v) = &c.subject {
        put("sub", v.clone().into());
    }
    if let Some(v) = &c.audience {
        put("aud", v.clone().into());
    }
    for (k, t) in [
        ("exp", &c.expiration_time),
        ("nbf", &c.not_before),
        ("iat", &c.issued_at),
    ] {
        if let Some(t) = t {
            put(k, seconds(t).map_or(serde_json::Value::Null, Into::into));
        }
    }
    if let Some(v) = &c.cwt_id {
        put("cti", hex::encode(v).into());
    }
    for (name, v) in &c.rest {
        let k = match name {
            coset::cwt::ClaimName::Assigned(a) => coset::iana::EnumI64::to_i64(a).to_string(),
            coset::cwt::ClaimName::PrivateUse(i) => i.to_string(),
            coset::cwt::ClaimName::Text(t) => t.clone(),
        };
        put(&k, cbor_json(v, 0));
    }
    serde_json::Value::Object(m)
}

/// A CBOR value as JSON for display: byte strings as hex, tags dropped, depth bounded.
pub fn cbor_json(v: &Value, depth: usize) -> serde_json::Value {
    use serde_json::Value as J;
    if depth > 16 {
        return J::String("…".into());
    }
    match v {
        Value::Integer(i) => {
            i64::try_from(*i).map_or_else(|_| J::String(format!("{i:?}")), J::from)
        }
        Value::Bytes(b) => J::String(hex::encode(b)),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        Value::Text(t) => J::String(t.clone()),
        Value::Bool(b) => J::Bool(*b),
        Value::Null => J::Null,
        Value::Tag(_, inner) => cbor_json(inner, depth + 1),
        Value::Array(a) => J::Array(a.iter().map(|x| cbor_json(x, depth + 1)).collect()),
        Value::Map(m) => J::Object(
            m.iter()
                .map(|(k, x)| {
                    let key = match k {
                        Value::Text(t) => t.clone(),
                        other => cbor_json(other, depth + 1).to_string(),
                    };
                    (key, cbor_json(x, depth + 1))
                })
                .collect(),
        ),
        _ => J::Null,
    }
}

/// A validation time: RFC 3339, or an ISO 8601 date-time without an offset (UTC), as
/// the EU DCC test data writes them.
pub fn parse_time(s: &str) -> Option<OffsetDateTime> {
    use time::format_description::well_known::{Iso8601, Rfc3339};
    let s = s.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t);
    }
    if let Ok(t) = OffsetDateTime::parse(&format!("{s}Z"), &Rfc3339) {
        return Some(t);
    }
    if let Ok(t) = OffsetDateTime::parse(s, &Iso8601::DEFAULT) {
        return Some(t);
    }
    time::PrimitiveDateTime::parse(s, &Iso8601::DEFAULT)
        .ok()
        .map(time::PrimitiveDateTime::assume_utc)
}
