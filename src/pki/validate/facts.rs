//! The facts the strict RFC 5280 checks need, read once from a parsed certificate:
//! version, serial, duplicate and malformed extensions, the shape of the key
//! identifiers, the subject public key's algorithm and size, name and policy constraints.

use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::{GeneralName, GeneralSubtree, ParsedExtension};
use x509_parser::x509::X509Name;

/// One RDN: its attributes as `(type OID, normalised value)`, sorted.
pub(crate) type Rdn = Vec<(String, Vec<u8>)>;

/// nameConstraints of a CA.
#[derive(Debug, Clone, Default)]
pub(crate) struct NameConstraints {
    /// Whether the extension is critical.
    pub critical: bool,
    /// Permitted directoryName subtrees.
    pub permitted: Vec<Vec<Rdn>>,
    /// Excluded directoryName subtrees.
    pub excluded: Vec<Vec<Rdn>>,
    /// Name forms present that are not processed (`dNSName`, `rfc822Name`, …).
    pub unsupported: Vec<&'static str>,
}

/// A policy extension the validator does not process: `(name, critical)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PolicyExtension {
    /// `policyConstraints` or `inhibitAnyPolicy`.
    pub name: &'static str,
    /// Whether it is critical.
    pub critical: bool,
}

/// Strict-profile facts of one certificate.
#[derive(Debug, Clone, Default)]
pub(crate) struct Facts {
    /// X.509 version number as encoded (0 = v1, 2 = v3).
    pub version: u32,
    /// Whether the certificate carries an extensions field.
    pub has_extensions: bool,
    /// Extension OIDs present more than once.
    pub duplicates: Vec<String>,
    /// Whether basicConstraints is present and critical.
    pub bc_critical: bool,
    /// Whether the authorityKeyIdentifier carries authorityCertIssuer or serial.
    pub aki_issuer_serial: bool,
    /// Why authorityInfoAccess is malformed, when it is.
    pub aia_malformed: Option<&'static str>,
    /// Whether the subject DN is empty.
    pub subject_empty: bool,
    /// The subject DN as RDNs, for name constraints.
    pub subject_rdns: Vec<Rdn>,
    /// The directoryName entries of subjectAltName, as RDNs, for name constraints.
    pub san_directory_names: Vec<Vec<Rdn>>,
    /// `EC P-256`, `SM2`, `RSA 1024`, … of the subject public key.
    pub key_description: String,
    /// nameConstraints, when present.
    pub name_constraints: Option<NameConstraints>,
    /// policyConstraints / inhibitAnyPolicy, when present.
    pub policy_extensions: Vec<PolicyExtension>,
}

const OID_AIA: &str = "1.3.6.1.5.5.7.1.1";
const OID_NAME_CONSTRAINTS: &str = "2.5.29.30";
const OID_POLICY_CONSTRAINTS: &str = "2.5.29.36";
const OID_INHIBIT_ANY_POLICY: &str = "2.5.29.54";

/// Read the facts of `cert`.
pub(crate) fn read(cert: &X509Certificate<'_>) -> Facts {
    let mut f = Facts {
        version: cert.version().0,
        has_extensions: !cert.extensions().is_empty(),
        subject_empty: cert.subject().iter_rdn().next().is_none(),
        subject_rdns: rdns(cert.subject()),
        key_description: describe_key(cert.public_key()),
        ..Facts::default()
    };
    let mut seen: Vec<String> = Vec::new();
    for ext in cert.extensions() {
        let id = ext.oid.to_id_string();
        if seen.contains(&id) {
            if !f.duplicates.contains(&id) {
                f.duplicates.push(id.clone());
            }
        } else {
            seen.push(id.clone());
        }
        match ext.parsed_extension() {
            ParsedExtension::BasicConstraints(_) => f.bc_critical = ext.critical,
            ParsedExtension::AuthorityKeyIdentifier(a) => {
                f.aki_issuer_serial =
                    a.authority_cert_issuer.is_some() || a.authority_cert_serial.is_some()
            }
            ParsedExtension::AuthorityInfoAccess(aia) => {
                if aia.accessdescs.is_empty() {
                    f.aia_malformed = Some("no access description");
                } else if ext.critical {
                    f.aia_malformed = Some("marked critical");
                }
            }
            ParsedExtension::SubjectAlternativeName(san) => {
                for n in &san.general_names {
                    if let GeneralName::DirectoryName(dn) = n {
                        f.san_directory_names.push(rdns(dn));
                    }
                }
            }
            ParsedExtension::NameConstraints(nc) => {
                let mut out = NameConstraints {
                    critical: ext.critical,
                    ..NameConstraints::default()
                };
                subtrees(
                    &nc.permitted_subtrees,
                    &mut out.permitted,
                    &mut out.unsupported,
                );
                subtrees(
                    &nc.excluded_subtrees,
                    &mut out.excluded,
                    &mut out.unsupported,
                );
                f.name_constraints = Some(out);
            }
            ParsedExtension::ParseError { .. } if id == OID_AIA => {
                f.aia_malformed = Some("does not parse");
            }
            ParsedExtension::ParseError { .. } if id == OID_NAME_CONSTRAINTS => {
                f.name_constraints = Some(NameConstraints {
                    critical: ext.critical,
                    unsupported: vec!["malformed nameConstraints"],
                    ..NameConstraints::default()
                });
            }
            _ => {}
        }
        let policy = match id.as_str() {
            OID_POLICY_CONSTRAINTS => Some("policyConstraints"),
            OID_INHIBIT_ANY_POLICY => Some("inhibitAnyPolicy"),
            _ => None,
        };
        if let Some(name) = policy {
            f.policy_extensions.push(PolicyExtension {
                name,
                critical: ext.critical,
            });
        }
    }
    f
}

/// Collect the directoryName subtrees of `list` into `into`, naming the other forms.
fn subtrees(
    list: &Option<Vec<GeneralSubtree<'_>>>,
    into: &mut Vec<Vec<Rdn>>,
    unsupported: &mut Vec<&'static str>,
) {
    for s in list.iter().flatten() {
        match &s.base {
            GeneralName::DirectoryName(n) => into.push(rdns(n)),
            other => {
                let form = form_name(other);
                if !unsupported.contains(&form) {
                    unsupported.push(form);
                }
            }
        }
    }
}

fn form_name(n: &GeneralName<'_>) -> &'static str {
    match n {
        GeneralName::OtherName(..) => "otherName",
        GeneralName::RFC822Name(_) => "rfc822Name",
        GeneralName::DNSName(_) => "dNSName",
        GeneralName::X400Address(_) => "x400Address",
        GeneralName::DirectoryName(_) => "directoryName",
        GeneralName::EDIPartyName(_) => "ediPartyName",
        GeneralName::URI(_) => "uniformResourceIdentifier",
        GeneralName::IPAddress(_) => "iPAddress",
        GeneralName::RegisteredID(_) => "registeredID",
    }
}

/// RDNs with string values trimmed, inner spaces folded and lower-cased (RFC 5280
/// §7.1, simplified), other values compared as encoded.
fn rdns(name: &X509Name<'_>) -> Vec<Rdn> {
    name.iter_rdn()
        .map(|rdn| {
            let mut v: Rdn = rdn
                .iter()
                .map(|atv| {
                    let value = match atv.as_str() {
                        Ok(s) => s
                            .split_whitespace()
                            .collect::<Vec<_>>()
                            .join(" ")
                            .to_lowercase()
                            .into_bytes(),
                        Err(_) => atv.attr_value().data.to_vec(),
                    };
                    (atv.attr_type().to_id_string(), value)
                })
                .collect();
            v.sort();
            v
        })
        .collect()
}

/// Whether `name` lies within the subtree `base` (its RDNs start with `base`'s).
pub(crate) fn within(name: &[Rdn], base: &[Rdn]) -> bool {
    name.len() >= base.len() && name.iter().zip(base).all(|(a, b)| a == b)
}

/// `EC P-256`, `EC P-192`, `SM2`, `RSA 2048`, `DSA`, or the algorithm OID.
fn describe_key(spki: &x509_parser::x509::SubjectPublicKeyInfo<'_>) -> String {
    let alg = spki.algorithm.algorithm.to_id_string();
    let param = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.as_oid().ok())
        .map(|o| o.to_id_string());
    match alg.as_str() {
        "1.2.840.10045.2.1" => match param.as_deref() {
            Some("1.2.840.10045.3.1.7") => "EC P-256".into(),
            Some("1.2.840.10045.3.1.1") => "EC P-192".into(),
            Some("1.3.132.0.33") => "EC P-224".into(),
            Some("1.3.132.0.34") => "EC P-384".into(),
            Some("1.3.132.0.35") => "EC P-521".into(),
            Some("1.2.156.10197.1.301") => "SM2".into(),
            Some(c) => format!("EC curve {c}"),
            None => "EC (no named curve)".into(),
        },
        "1.2.156.10197.1.301" => "SM2".into(),
        "1.2.840.113549.1.1.1" => match spki.parsed() {
            Ok(x509_parser::public_key::PublicKey::RSA(k)) => {
                format!("RSA {}", bit_len(k.modulus))
            }
            _ => "RSA (malformed key)".into(),
        },
        "1.2.840.10040.4.1" => "DSA".into(),
        other => format!("algorithm {other}"),
    }
}

/// Bits of a big-endian unsigned integer.
fn bit_len(bytes: &[u8]) -> usize {
    let digits: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    match digits.first() {
        None => 0,
        Some(first) => (digits.len() - 1) * 8 + (8 - first.leading_zeros() as usize),
    }
}
