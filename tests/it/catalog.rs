//! The catalogue: the committed types, code rules, claims validation, and agreement
//! with the demo key hierarchy; GB/T 36904 identifiers.

use crate::common;
use deltaseal::catalog::{uscc, Catalog, CatalogError, ClaimsError, LicenseClass};
use deltaseal::license::identifier::{mod37_36_check, mod37_36_valid};
use deltaseal::license::{Identifier, LicenseError};
use deltaseal::pki::Province;
use serde_json::{json, Value};

fn text() -> String {
    std::fs::read_to_string(common::fixtures().join("catalog/types.json")).unwrap()
}

fn catalog() -> Catalog {
    Catalog::from_json(&text()).unwrap()
}

#[test]
fn committed_catalogue_has_the_high_frequency_types() {
    let c = catalog();
    assert!(c.len() >= 20, "{} types", c.len());
    let wanted = [
        "Resident Identity Card",
        "Business License",
        "Driving License",
        "Vehicle Registration Certificate",
        "Marriage Certificate",
        "Household Register",
        "Social Security Card",
        "Medical Insurance Card",
        "Professional Qualification Certificate",
        "Teacher Qualification Certificate",
        "Lawyer Practising Certificate",
        "Physician Practising Certificate",
        "Real Estate Title Certificate",
        "Residence Permit",
        "Birth Medical Certificate",
        "No-Criminal-Record Proof",
        "Marital Status Proof",
        "Social Insurance Payment Proof",
        "Tax Payment Proof",
    ];
    for name in wanted {
        assert!(
            c.types().iter().any(|t| t.name_en == name),
            "{name} missing"
        );
    }
    for t in c.types() {
        assert_eq!(t.code.len(), 21);
        assert!(t.code.starts_with(&t.authority));
        assert!(uscc::is_valid(&t.authority), "{}", t.authority);
        assert!(c.authority(&t.authority).is_some());
        assert!(!t.name_zh.is_empty() && !t.fields.is_empty());
        assert!(t.fields.iter().any(|f| f.required));
        if t.class == LicenseClass::Proof {
            assert!(
                t.validity_days.is_some_and(|d| d <= 180),
                "{} proof validity",
                t.code
            );
        }
    }
    assert!(c.types().iter().any(|t| t.class == LicenseClass::Proof));
    assert!(c
        .types()
        .iter()
        .any(|t| t.fields.iter().any(|f| f.personal)));
}

#[test]
fn provincial_codes_resolve_to_the_national_type() {
    let c = catalog();
    let id = c.get("11100000000019713D001").unwrap();
    let sh = id.code_in(Province::Shanghai);
    assert_ne!(sh, id.code);
    assert_eq!(c.get(sh).unwrap().code, id.code);
    assert_eq!(id.code_in(Province::Anhui), id.code);
}

#[test]
fn claims_validation() {
    let c = catalog();
    let t = c.get("11100000000019713D002").unwrap(); // driving license
    let ok = json!({"name": "李四", "sex": "女", "id_number": "320102198805050021",
        "license_class": "C1", "first_issued": "2010-07-01"});
    t.validate_claims(&ok).unwrap();
    let with = |k: &str, v: Value| {
        let mut o = ok.clone();
        o[k] = v;
        t.validate_claims(&o)
    };
    assert_eq!(
        with("shoe", json!(1)),
        Err(ClaimsError::UnknownField("shoe".into()))
    );
    assert_eq!(
        with("name", Value::Null),
        Err(ClaimsError::MissingField("name".into()))
    );
    assert!(matches!(
        with("first_issued", json!("2010-13-01")),
        Err(ClaimsError::WrongType { .. })
    ));
    assert!(matches!(
        with("first_issued", json!(20100701)),
        Err(ClaimsError::WrongType { .. })
    ));
    assert!(matches!(
        with("license_class", json!("Z9")),
        Err(ClaimsError::NotAllowed { .. })
    ));
    assert!(matches!(
        with("name", json!(["x"])),
        Err(ClaimsError::WrongType { .. })
    ));
    assert_eq!(
        t.validate_claims(&json!([1])),
        Err(ClaimsError::NotAnObject)
    );
    let tax = c.get("11100000000013004C101").unwrap();
    let tax_ok = json!({"taxpayer_name": "某公司", "taxpayer_id": "91310000MA1FL0000X",
        "period_from": "2025-01-01", "period_to": "2025-12-31", "total_paid": 1234.5});
    tax.validate_claims(&tax_ok).unwrap();
    let mut s = tax_ok.clone();
    s["total_paid"] = json!("1234.5");
    assert!(tax.validate_claims(&s).is_err());
}

#[test]
fn bad_catalogues_refused() {
    let good: Value = serde_json::from_str(&text()).unwrap();
    let edit = |f: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        f(&mut v);
        Catalog::from_json(&v.to_string())
    };
    assert!(matches!(
        edit(&|v| v["types"][0]["code"] = json!("11100000000019713D01")),
        Err(CatalogError::BadTypeCode { .. })
    ));
    assert!(matches!(
        edit(&|v| v["types"][2]["code"] = v["types"][0]["code"].clone()),
        Err(CatalogError::DuplicateCode { .. })
    ));
    assert!(matches!(
        edit(&|v| v["types"][1]["code"] = v["types"][0]["code"].clone()),
        Err(CatalogError::UnknownAuthority { .. })
    ));
    assert!(matches!(
        edit(&|v| v["authorities"][0]["code"] = json!("11100000000019713E")),
        Err(CatalogError::BadAuthority { .. })
    ));
    assert!(matches!(
        edit(&|v| v["types"][0]["fields"][0]["name"] = json!("license_id")),
        Err(CatalogError::BadField { .. })
    ));
    assert!(matches!(
        edit(&|v| v["types"][0]["local_codes"]["XX"] = json!("113100000024280004009")),
        Err(CatalogError::BadField { .. })
    ));
    assert!(matches!(
        Catalog::from_json("{"),
        Err(CatalogError::Json(_))
    ));
    assert!(matches!(
        Catalog::from_json(&"[".repeat(100_000)),
        Err(CatalogError::Json(_))
    ));
}

#[test]
fn demo_agencies_issue_catalogue_types() {
    let path = common::root().join("keys/manifest.json");
    let manifest: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let c = catalog();
    let mut agencies = 0;
    for e in manifest["entries"].as_array().unwrap() {
        for code in e["license_types"].as_array().into_iter().flatten() {
            let code = code.as_str().unwrap();
            assert!(
                c.get(code).is_some(),
                "{} authorised for {code}, not in the catalogue",
                e["id"]
            );
        }
        agencies += usize::from(e["role"] == "issuing-agency");
    }
    assert!(agencies > 0);
}

#[test]
fn identifier_round_trip_and_rejections() {
    let id = Identifier::new("11100000000019713D001", "113100000024280004", "A00001", 1).unwrap();
    let text = id.to_string();
    assert!(text.starts_with("1.2.156.3005.2.11100000000019713D001.113100000024280004.A00001.001."));
    let data = "11100000000019713D001113100000024280004A00001001";
    let check = mod37_36_check(data).unwrap();
    assert!(text.ends_with(&format!(".{check}")));
    assert!(mod37_36_valid(&format!("{data}{check}")));
    assert_eq!(text.parse::<Identifier>().unwrap(), id);

    // Every other check character is refused, naming the right one.
    for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        .chars()
        .filter(|c| *c != check)
    {
        let wrong = format!("{}{c}", &text[..text.len() - 1]);
        match wrong.parse::<Identifier>() {
            Err(LicenseError::CheckCharacterMismatch { found, expected }) => {
                assert_eq!((found, expected), (c, check))
            }
            other => panic!("{wrong}: {other:?}"),
        }
    }
    // A single changed or two swapped characters in the data are caught.
    let changed = text.replace(".A00001.", ".A00002.");
    assert!(matches!(
        changed.parse::<Identifier>(),
        Err(LicenseError::CheckCharacterMismatch { .. })
    ));
    let swapped = text.replace(".A00001.", ".0A0001.");
    assert!(matches!(
        swapped.parse::<Identifier>(),
        Err(LicenseError::CheckCharacterMismatch { .. })
    ));

    let malformed = [
        "",
        "1.2.156.3005.2",
        "1.2.156.3005.3.11100000000019713D001.113100000024280004.A00001.001.X",
        "1.2.156.3005.2.11100000000019713D01.113100000024280004.A00001.001.X",
        "1.2.156.3005.2.11100000000019713D001.11310000002428000.A00001.001.X",
        "1.2.156.3005.2.11100000000019713D001.113100000024280004.a00001.001.X",
        "1.2.156.3005.2.11100000000019713D001.113100000024280004..001.X",
        "1.2.156.3005.2.11100000000019713D001.113100000024280004.A00001.01.X",
        "1.2.156.3005.2.11100000000019713D001.113100000024280004.A00001.001.XY",
        "1.2.156.3005.2.11100000000019713D001.113100000024280004.A00001.001",
        "1.2.156.3005.2.11100000000019713D001.113100000024280004.A00001.001.X.Y",
    ];
    for m in malformed {
        assert!(
            matches!(m.parse::<Identifier>(), Err(LicenseError::BadIdentifier(_))),
            "{m}"
        );
    }
    let long = format!("1.2.156.3005.2.{}", "A".repeat(100_000));
    assert!(long.parse::<Identifier>().is_err());
}
