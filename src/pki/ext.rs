//! DER values of the extensions the project defines or sets (province, license types,
//! demo policy, key identifiers), encoded and decoded with the `der` crate.

use super::oids::{EXT_LICENSE_TYPES, EXT_PROVINCE};
use super::{PkiError, Province};
use der::asn1::{PrintableString, PrintableStringRef};
use der::{Decode, Encode};
use sha2::Digest;

/// Largest number of license types one agency certificate may carry.
pub const MAX_LICENSE_TYPES: usize = 256;

/// DER `PrintableString` of the province's administrative division code.
pub fn encode_province(province: Province) -> Result<Vec<u8>, PkiError> {
    Ok(PrintableStringRef::new(province.division_code())?.to_der()?)
}

/// Read the province extension value.
pub fn decode_province(value: &[u8]) -> Result<Province, PkiError> {
    let bad = |reason| PkiError::MalformedExtension {
        oid: EXT_PROVINCE.to_string(),
        reason,
    };
    let s = PrintableStringRef::from_der(value).map_err(|_| bad("not a PrintableString"))?;
    Province::parse(s.as_str())
        .filter(|p| p.division_code() == s.as_str())
        .ok_or(bad("not a YRD division code"))
}

/// DER `SEQUENCE OF PrintableString` of license type codes.
pub fn encode_license_types(types: &[String]) -> Result<Vec<u8>, PkiError> {
    if types.len() > MAX_LICENSE_TYPES {
        return Err(PkiError::InvalidTemplate("too many license types"));
    }
    let v = types
        .iter()
        .map(PrintableString::new)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(v.to_der()?)
}

/// Read the license types extension value.
pub fn decode_license_types(value: &[u8]) -> Result<Vec<String>, PkiError> {
    let v = Vec::<PrintableStringRef<'_>>::from_der(value).map_err(|_| {
        PkiError::MalformedExtension {
            oid: EXT_LICENSE_TYPES.to_string(),
            reason: "not a SEQUENCE OF PrintableString",
        }
    })?;
    if v.len() > MAX_LICENSE_TYPES {
        return Err(PkiError::MalformedExtension {
            oid: EXT_LICENSE_TYPES.to_string(),
            reason: "too many license types",
        });
    }
    Ok(v.into_iter().map(|s| s.as_str().to_owned()).collect())
}

/// Key identifier of a public key: the leftmost 160 bits of the SHA-256 of the
/// subjectPublicKey BIT STRING value (RFC 7093 section 2, method 1).
pub fn key_identifier(public_key: &crate::crypto::PublicKey) -> Vec<u8> {
    sha2::Sha256::digest(public_key.sec1_uncompressed())[..20].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn province_round_trip_and_rejects_others() {
        for p in Province::ALL {
            assert_eq!(decode_province(&encode_province(p).unwrap()).unwrap(), p);
        }
        let other = PrintableStringRef::new("110000").unwrap().to_der().unwrap();
        assert!(decode_province(&other).is_err());
        assert!(decode_province(&[0x13, 0x05, b'3']).is_err());
    }

    #[test]
    fn license_types_round_trip() {
        let t = vec![
            "111000000000131433001".to_string(),
            "111000000000131433002".to_string(),
        ];
        let der = encode_license_types(&t).unwrap();
        assert_eq!(der[0], 0x30);
        assert_eq!(decode_license_types(&der).unwrap(), t);
        assert!(decode_license_types(&der[..der.len() - 1]).is_err());
        assert!(encode_license_types(&["bad_underscore".to_string()]).is_err());
    }
}
