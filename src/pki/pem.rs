//! PEM for certificates and CRLs (`CERTIFICATE`, `X509 CRL`), over `der::pem`.
//!
//! Owns: text ↔ DER for certificate-shaped things. Must not touch: files.

use super::PkiError;

/// Largest PEM text accepted (certificates and CRLs here are a few KiB).
pub const MAX_PEM_LEN: usize = 4 * 1024 * 1024;

/// DER of every `CERTIFICATE` block in `text`, in order.
pub fn certs_from_pem(text: &str) -> Result<Vec<Vec<u8>>, PkiError> {
    blocks(text, "CERTIFICATE")
}

/// DER of the first `CERTIFICATE` block, or `text` itself if it is DER already.
pub fn cert_from_pem_or_der(bytes: &[u8]) -> Result<Vec<u8>, PkiError> {
    if bytes.first() == Some(&0x30) {
        return Ok(bytes.to_vec());
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| PkiError::MalformedCertificate("neither DER nor PEM"))?;
    certs_from_pem(text)?
        .into_iter()
        .next()
        .ok_or(PkiError::MalformedCertificate("no CERTIFICATE block"))
}

/// DER of every `X509 CRL` block of a PEM text, or the one CRL of DER `bytes`.
pub fn crls_from_pem_or_der(bytes: &[u8]) -> Result<Vec<Vec<u8>>, PkiError> {
    if bytes.first() == Some(&0x30) {
        return Ok(vec![bytes.to_vec()]);
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| PkiError::MalformedCertificate("neither DER nor PEM"))?;
    blocks(text, "X509 CRL")
}

/// PEM `CERTIFICATE`.
pub fn cert_to_pem(der: &[u8]) -> String {
    to_pem("CERTIFICATE", der)
}

/// PEM `X509 CRL`.
pub fn crl_to_pem(der: &[u8]) -> String {
    to_pem("X509 CRL", der)
}

fn to_pem(label: &str, der: &[u8]) -> String {
    der::pem::encode_string(label, der::pem::LineEnding::LF, der).unwrap_or_else(|_| String::new())
}

fn blocks(text: &str, want: &str) -> Result<Vec<Vec<u8>>, PkiError> {
    if text.len() > MAX_PEM_LEN {
        return Err(PkiError::MalformedCertificate("PEM text too large"));
    }
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start..];
        let end = after
            .find("-----END ")
            .and_then(|e| after[e + 9..].find("-----").map(|c| e + 9 + c + 5))
            .ok_or(PkiError::MalformedCertificate("unterminated PEM block"))?;
        let (label, der) = der::pem::decode_vec(&after.as_bytes()[..end])
            .map_err(|_| PkiError::MalformedCertificate("cannot decode PEM block"))?;
        if label == want {
            out.push(der);
        }
        rest = &after[end..];
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_round_trip_and_garbage() {
        let der = vec![0x30, 0x03, 0x02, 0x01, 0x05];
        let pem = cert_to_pem(&der);
        assert_eq!(
            certs_from_pem(&format!("junk\n{pem}{pem}")).unwrap(),
            vec![der.clone(), der.clone()]
        );
        assert_eq!(cert_from_pem_or_der(pem.as_bytes()).unwrap(), der);
        assert!(certs_from_pem("-----BEGIN CERTIFICATE-----\n!!!\n").is_err());
        assert!(cert_from_pem_or_der(b"hello").is_err());
    }
}
