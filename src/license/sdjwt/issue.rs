//! Issuing: [`Agency::prepare`] builds the disclosures and the bytes to sign,
//! [`Prepared::complete`] attaches the signature; [`Agency::issue`] does both with the
//! agency's [`crate::crypto::Signer`].

use super::super::metadata::{HolderCodeType, Metadata};
use super::super::{Agency, Identifier, LicenseError};
use super::{jwk_of, vct_for, Disclosure, LOCAL_TYPE_CODE, SD_ALG};
use crate::catalog::{Catalog, LicenseClass};
use crate::crypto::{PublicKey, SignatureEncoding};
use crate::jose::b64_into;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use time::{Date, Duration, OffsetDateTime, UtcOffset};

/// Longest purpose text of a proof (bytes).
pub const MAX_PURPOSE_BYTES: usize = 512;

/// Where a credential's status lives: entry `idx` of the list served at `uri`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusRef {
    /// Index in the list.
    pub idx: usize,
    /// URI of the status list token.
    pub uri: String,
}

/// What to issue.
#[derive(Debug, Clone)]
pub struct IssueRequest {
    /// National type code, or the issuing province's local code for it (the
    /// credential then names the national code as its type and carries the local one
    /// as `local_type_code`).
    pub type_code: String,
    /// Serial for the identifier (`0-9 A-Z`, 1–32), unique per agency and type.
    pub serial: String,
    /// Identifier version (0–999); 1 for a first issuance.
    pub version: u16,
    /// The number printed on the license; defaults to the serial.
    pub license_number: Option<String>,
    /// Holder's name.
    pub holder: String,
    /// Holder's code (citizen ID number, USCC…).
    pub holder_code: String,
    /// Kind of holder code.
    pub holder_code_type: HolderCodeType,
    /// The type's fields (checked against the catalogue schema).
    pub claims: Map<String, Value>,
    /// First day of validity; defaults to the issue date.
    pub valid_from: Option<Date>,
    /// Last day of validity; defaults to `valid_from` + the type's default validity.
    pub valid_to: Option<Date>,
    /// Stated purpose (required for proofs, refused for licenses).
    pub purpose: Option<String>,
    /// Holder key for key binding (`cnf`).
    pub holder_key: Option<PublicKey>,
    /// Entry in the agency's status list.
    pub status: StatusRef,
}

/// A credential ready to be signed.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The bytes to sign (`base64url(header).base64url(payload)`), with the agency's
    /// algorithm, as a raw `r||s` signature.
    pub signing_input: String,
    /// The metadata.
    pub metadata: Metadata,
    /// Every disclosure.
    pub disclosures: Vec<Disclosure>,
    /// The status entry.
    pub status: StatusRef,
    /// The province's local type code the credential was issued under, if any.
    pub local_type_code: Option<String>,
}

/// An issued credential.
#[derive(Debug, Clone)]
pub struct Credential {
    /// The metadata.
    pub metadata: Metadata,
    /// The compact SD-JWT with every disclosure (`jwt~d1~…~dn~`).
    pub sd_jwt: String,
    /// The status entry.
    pub status: StatusRef,
    /// The province's local type code the credential was issued under, if any.
    pub local_type_code: Option<String>,
}

impl Credential {
    /// The identifier.
    pub fn identifier(&self) -> &Identifier {
        &self.metadata.identifier
    }
}

/// China Standard Time, in which validity dates are reckoned.
fn cst() -> UtcOffset {
    UtcOffset::from_hms(8, 0, 0).expect("+08:00 is a valid offset")
}

fn start_of(d: Date) -> OffsetDateTime {
    d.midnight().assume_offset(cst())
}

impl Agency {
    /// Check the request against the catalogue and the agency's authorisation, and build
    /// the credential up to the signature. `now` is the issuance time.
    pub fn prepare(
        &self,
        catalog: &Catalog,
        req: &IssueRequest,
        now: OffsetDateTime,
    ) -> Result<Prepared, LicenseError> {
        let ty = self.may_issue(catalog, &req.type_code)?;
        ty.validate_map(&req.claims)?;
        match (ty.class, &req.purpose) {
            (LicenseClass::Proof, None) => {
                return Err(LicenseError::BadProofRequest(
                    "a proof needs a stated purpose",
                ))
            }
            (LicenseClass::Proof, Some(p))
                if p.trim().is_empty() || p.len() > MAX_PURPOSE_BYTES =>
            {
                return Err(LicenseError::BadProofRequest("purpose must be 1-512 bytes"))
            }
            (LicenseClass::License, Some(_)) => {
                return Err(LicenseError::BadMetadata("only proofs carry a purpose"))
            }
            _ => {}
        }
        let definer = catalog
            .authority(&ty.authority)
            .ok_or(LicenseError::BadMetadata(
                "type's defining authority is not in the catalogue",
            ))?;
        // The credential's type is the national code; a local code travels beside it.
        let local_type_code = (ty.code != req.type_code).then(|| req.type_code.clone());
        let identifier = Identifier::new(&ty.code, self.uscc(), &req.serial, req.version)?;
        let issue_date = now.to_offset(cst()).date();
        let valid_from = req.valid_from.unwrap_or(issue_date);
        let valid_to = match (req.valid_to, ty.validity_days) {
            (Some(to), _) => Some(to),
            (None, Some(days)) => Some(
                valid_from
                    .checked_add(Duration::days(i64::from(days)))
                    .ok_or(LicenseError::BadMetadata("validity runs past the calendar"))?,
            ),
            (None, None) => None,
        };
        let metadata = Metadata {
            identifier,
            type_code: ty.code.clone(),
            type_name: ty.name_zh.clone(),
            license_number: req
                .license_number
                .clone()
                .unwrap_or_else(|| req.serial.clone()),
            license_name: ty.name_zh.clone(),
            issuer_name: self.name().to_owned(),
            issuer_code: self.uscc().to_owned(),
            issue_date,
            definer_name: definer.name_zh.clone(),
            definer_code: definer.code.clone(),
            valid_from,
            valid_to,
            jurisdiction_code: self.province().division_code().to_owned(),
            holder: req.holder.clone(),
            holder_code: req.holder_code.clone(),
            holder_code_type: req.holder_code_type,
        };
        metadata.check()?;

        let mut claims = metadata.to_claims();
        if let Some(p) = &req.purpose {
            claims.insert("purpose".into(), p.clone().into());
        }
        claims.extend(
            req.claims
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), v.clone())),
        );
        let disclosures: Vec<Disclosure> = claims
            .into_iter()
            .map(|(k, v)| Disclosure::new(&k, v))
            .collect();
        let mut digests: Vec<String> = disclosures.iter().map(Disclosure::digest).collect();
        digests.sort();

        let mut payload = Map::new();
        payload.insert("iss".into(), self.issuer_uri().into());
        payload.insert("iat".into(), now.unix_timestamp().into());
        payload.insert("nbf".into(), start_of(valid_from).unix_timestamp().into());
        if let Some(to) = valid_to {
            let end = start_of(to)
                .checked_add(Duration::days(1))
                .ok_or(LicenseError::BadMetadata("validity runs past the calendar"))?;
            payload.insert("exp".into(), end.unix_timestamp().into());
        }
        payload.insert("vct".into(), vct_for(&ty.code).into());
        if let Some(local) = &local_type_code {
            payload.insert(LOCAL_TYPE_CODE.into(), local.clone().into());
        }
        payload.insert("_sd_alg".into(), SD_ALG.into());
        payload.insert("_sd".into(), json!(digests));
        if let Some(k) = &req.holder_key {
            payload.insert("cnf".into(), json!({ "jwk": jwk_of(k) }));
        }
        payload.insert(
            "status".into(),
            json!({"status_list": {"idx": req.status.idx, "uri": req.status.uri}}),
        );

        // The header is the agency's, encoded once; only the payload is per credential.
        let payload = serde_json::to_vec(&payload).expect("JSON map serialises");
        let header = self.jws_header();
        let mut signing_input = String::with_capacity(header.len() + 1 + payload.len() * 4 / 3 + 4);
        signing_input.push_str(header);
        signing_input.push('.');
        b64_into(&payload, &mut signing_input);
        Ok(Prepared {
            signing_input,
            metadata,
            disclosures,
            status: req.status.clone(),
            local_type_code,
        })
    }

    /// Prepare, sign with the agency's signer and complete.
    pub fn issue(
        &self,
        catalog: &Catalog,
        req: &IssueRequest,
        now: OffsetDateTime,
    ) -> Result<Credential, LicenseError> {
        let prepared = self.prepare(catalog, req, now)?;
        let sig = self
            .signer()
            .sign(prepared.signing_input.as_bytes(), SignatureEncoding::Raw)?;
        prepared.complete(&sig)
    }
}

impl Prepared {
    /// Attach the raw `r||s` signature over [`Prepared::signing_input`].
    pub fn complete(self, signature: &[u8]) -> Result<Credential, LicenseError> {
        if signature.len() != 64 {
            return Err(LicenseError::BadSignature);
        }
        let len = self.signing_input.len()
            + 90
            + self
                .disclosures
                .iter()
                .map(|d| d.encoded.len() + 1)
                .sum::<usize>();
        let mut sd_jwt = String::with_capacity(len);
        sd_jwt.push_str(&self.signing_input);
        sd_jwt.push('.');
        b64_into(signature, &mut sd_jwt);
        sd_jwt.push('~');
        for d in &self.disclosures {
            sd_jwt.push_str(&d.encoded);
            sd_jwt.push('~');
        }
        Ok(Credential {
            metadata: self.metadata,
            sd_jwt,
            status: self.status,
            local_type_code: self.local_type_code,
        })
    }
}
