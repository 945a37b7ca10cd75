//! An issuing agency as the license domain sees it: a [`Signer`] and its certificate
//! chain, with what the leaf certificate authorises.

use super::LicenseError;
use crate::catalog::{Catalog, LicenseType};
use crate::crypto::Signer;
use crate::jose;
use crate::pki::{CertInfo, Province};
use std::sync::Arc;

/// An issuing agency: its key (through [`Signer`]) and certificate chain.
#[derive(Clone)]
pub struct Agency {
    signer: Arc<dyn Signer>,
    chain: Vec<Vec<u8>>,
    info: CertInfo,
    province: Province,
    uscc: String,
    name: String,
    issuer_uri: String,
    /// base64url of the credentials' JWS header — the same for every credential of the
    /// agency (`alg`, `typ`, and the `x5c` chain), so encoded once here.
    jws_header: Arc<str>,
}

impl std::fmt::Debug for Agency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Agency")
            .field("key_id", &self.signer.key_id())
            .field("uscc", &self.uscc)
            .field("name", &self.name)
            .field("license_types", &self.info.license_types)
            .finish()
    }
}

impl Agency {
    /// An agency from its signer and its certificate chain (DER, leaf first; the
    /// province root may be included or left out — it goes into `x5c` as given).
    /// The leaf must hold the signer's public key and name the agency's USCC
    /// (organizationIdentifier) and province (province extension).
    pub fn new(signer: Arc<dyn Signer>, chain: Vec<Vec<u8>>) -> Result<Self, LicenseError> {
        let leaf = chain
            .first()
            .ok_or(LicenseError::AgencyCertificate("empty certificate chain"))?;
        if chain.len() > jose::MAX_X5C {
            return Err(LicenseError::AgencyCertificate(
                "chain longer than 8 certificates",
            ));
        }
        if &jose::cert_public_key(leaf)? != signer.public_key() {
            return Err(LicenseError::AgencyCertificate(
                "leaf certificate does not hold the signer's public key",
            ));
        }
        let info = CertInfo::from_der(leaf)
            .map_err(|_| LicenseError::AgencyCertificate("leaf certificate does not parse"))?;
        let uscc = info
            .uscc
            .clone()
            .filter(|u| crate::catalog::uscc::is_well_formed(u))
            .ok_or(LicenseError::AgencyCertificate(
                "leaf certificate has no unified social credit code (organizationIdentifier)",
            ))?;
        let province = info.province.ok_or(LicenseError::AgencyCertificate(
            "leaf certificate has no province extension",
        ))?;
        let name = info
            .organisation
            .clone()
            .or_else(|| info.common_name.clone())
            .unwrap_or_else(|| uscc.clone());
        let mut header = serde_json::Map::new();
        header.insert("alg".into(), signer.algorithm().jose_alg().into());
        header.insert("typ".into(), super::sdjwt::TYP.into());
        header.insert("x5c".into(), jose::x5c_value(&chain));
        let jws_header = jose::b64(&serde_json::to_vec(&header).expect("JSON map serialises"));
        Ok(Agency {
            issuer_uri: format!("urn:uscc:{uscc}"),
            jws_header: jws_header.into(),
            signer,
            chain,
            info,
            province,
            uscc,
            name,
        })
    }

    /// Use `uri` as the credentials' `iss` instead of the default `urn:uscc:<USCC>`.
    pub fn with_issuer_uri(mut self, uri: impl Into<String>) -> Self {
        self.issuer_uri = uri.into();
        self
    }

    /// The signer.
    pub fn signer(&self) -> &dyn Signer {
        self.signer.as_ref()
    }

    /// base64url of the JWS header every credential of this agency carries:
    /// `{"alg", "typ": "dc+sd-jwt", "x5c": chain}`.
    pub fn jws_header(&self) -> &str {
        &self.jws_header
    }

    /// The certificate chain, leaf first.
    pub fn chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    /// The agency's USCC.
    pub fn uscc(&self) -> &str {
        &self.uscc
    }

    /// The agency's name (subject O, else CN).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The agency's province.
    pub fn province(&self) -> Province {
        self.province
    }

    /// The `iss` of its credentials.
    pub fn issuer_uri(&self) -> &str {
        &self.issuer_uri
    }

    /// The license type codes its certificate authorises.
    pub fn license_types(&self) -> &[String] {
        &self.info.license_types
    }

    /// Whether its certificate authorises `code`.
    pub fn authorises(&self, code: &str) -> bool {
        self.info.license_types.iter().any(|c| c == code)
    }

    /// The catalogue's type `code` (national, or a province's local code for it) if
    /// this agency may issue it: the first check of every issuance, cheap enough to run
    /// before anything is reserved. A local code must be the agency's own province's;
    /// the certificate must authorise the type's national code (the credential's type).
    pub fn may_issue<'c>(
        &self,
        catalog: &'c Catalog,
        code: &str,
    ) -> Result<&'c LicenseType, LicenseError> {
        let ty = catalog
            .get(code)
            .ok_or_else(|| LicenseError::UnknownType(code.to_owned()))?;
        if let Some(p) = ty.local_province(code) {
            if p != self.province {
                return Err(LicenseError::LocalCodeOfOtherProvince {
                    code: code.to_owned(),
                    province: p,
                    agency: self.province,
                });
            }
        }
        if !self.authorises(&ty.code) {
            return Err(LicenseError::TypeNotAuthorised(code.to_owned()));
        }
        Ok(ty)
    }
}
