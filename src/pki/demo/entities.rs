//! Who is in the demo hierarchy: names, USCCs (GB 32100 check characters computed),
//! algorithms and the license types each agency may issue (national type codes of
//! `fixtures/catalog/types.json`).

use crate::crypto::Algorithm;
use crate::pki::{Province, Role};

/// One member of the demo hierarchy.
#[derive(Debug, Clone, Copy)]
pub struct DemoEntity {
    /// Manifest id.
    pub id: &'static str,
    /// Role.
    pub role: Role,
    /// Province (none for the regional trust-list signer).
    pub province: Option<Province>,
    /// Key algorithm.
    pub algorithm: Algorithm,
    /// Organisation, Chinese (subject O).
    pub name_zh: &'static str,
    /// Organisation, English.
    pub name_en: &'static str,
    /// Subject CN (carries the `DEMO` marker).
    pub common_name: &'static str,
    /// Unified social credit code.
    pub uscc: &'static str,
    /// License type codes (agencies).
    pub license_types: &'static [&'static str],
}

const P256: Algorithm = Algorithm::EcdsaP256Sha256;
const SM2: Algorithm = Algorithm::Sm2Sm3;

/// Public security: resident ID card, driving license, vehicle registration, household
/// register, residence permit, no-criminal-record proof, household registration proof.
const PUBLIC_SECURITY: &[&str] = &[
    "11100000000019713D001",
    "11100000000019713D002",
    "11100000000019713D003",
    "11100000000019713D004",
    "11100000000019713D005",
    "11100000000019713D101",
    "11100000000019713D102",
];
/// Market regulation: business license.
const MARKET_REGULATION: &[&str] = &["11100000MB014336X0001"];
/// Human resources and social security: social security card, qualification
/// certificates, social insurance payment proof, employment registration proof.
const HUMAN_RESOURCES: &[&str] = &[
    "111000007178295102001",
    "111000007178295102002",
    "111000007178295102003",
    "111000007178295102101",
    "111000007178295102102",
];
/// Civil affairs: marriage certificate, marital status proof.
const CIVIL_AFFAIRS: &[&str] = &["11100000000019289T001", "11100000000019289T101"];

macro_rules! e {
    ($id:literal, $role:ident, $prov:expr, $alg:ident, $zh:literal, $en:literal, $cn:literal, $uscc:literal, $types:expr) => {
        DemoEntity {
            id: $id,
            role: Role::$role,
            province: $prov,
            algorithm: $alg,
            name_zh: $zh,
            name_en: $en,
            common_name: $cn,
            uscc: $uscc,
            license_types: $types,
        }
    };
}

const SH: Option<Province> = Some(Province::Shanghai);
const JS: Option<Province> = Some(Province::Jiangsu);
const ZJ: Option<Province> = Some(Province::Zhejiang);
const AH: Option<Province> = Some(Province::Anhui);

/// Every member, issuers before the certificates they issue. The trust-list signer is
/// P-256 so that the trust list (a JWS) verifies with any JOSE library (`ES256`).
/// SH and AH roots are SM2, JS and ZJ roots P-256; agencies and show services use their
/// root's algorithm; seal authorities and organisation signers are SM2 everywhere.
pub const DEMO_ENTITIES: &[DemoEntity] = &[
    e!(
        "yrd-trust-list-signer",
        TrustListSigner,
        None,
        P256,
        "长三角区域合作办公室",
        "Yangtze River Delta Regional Cooperation Office",
        "YRD Trust List Signer (DEMO)",
        "11000000MB0A20260U",
        &[]
    ),
    // Shanghai (SM2 root)
    e!(
        "sh-root",
        ProvinceRoot,
        SH,
        SM2,
        "上海市大数据中心",
        "Shanghai Big Data Center",
        "Shanghai Government Root CA (DEMO)",
        "12310000MB0Y10001E",
        &[]
    ),
    e!(
        "sh-agency-psb",
        IssuingAgency,
        SH,
        SM2,
        "上海市公安局",
        "Shanghai Municipal Public Security Bureau",
        "Shanghai Public Security Bureau License Signing (DEMO)",
        "113100000024280004",
        PUBLIC_SECURITY
    ),
    e!(
        "sh-agency-samr",
        IssuingAgency,
        SH,
        SM2,
        "上海市市场监督管理局",
        "Shanghai Administration for Market Regulation",
        "Shanghai Market Regulation License Signing (DEMO)",
        "11310000MB2F0317XQ",
        MARKET_REGULATION
    ),
    e!(
        "sh-seal-authority",
        SealAuthority,
        SH,
        SM2,
        "上海市电子印章服务中心",
        "Shanghai E-Seal Service Center",
        "Shanghai E-Seal Authority (DEMO)",
        "12310000MB0P12345C",
        &[]
    ),
    e!(
        "sh-org-1",
        OrganisationSigner,
        SH,
        SM2,
        "上海浦江数智科技有限公司",
        "Shanghai Pujiang Digital Technology Co., Ltd.",
        "Shanghai Pujiang Digital Technology Stamping (DEMO)",
        "91310000MA1FL8X2Y4",
        &[]
    ),
    e!(
        "sh-org-2",
        OrganisationSigner,
        SH,
        SM2,
        "上海申城国际贸易有限公司",
        "Shanghai Shencheng International Trading Co., Ltd.",
        "Shanghai Shencheng Trading Stamping (DEMO)",
        "91310115MA1H7Q3K5M",
        &[]
    ),
    e!(
        "sh-show-service",
        ShowService,
        SH,
        SM2,
        "上海市大数据中心",
        "Shanghai Big Data Center",
        "Shanghai Show-License Service (DEMO)",
        "12310000MB0Y10001E",
        &[]
    ),
    // Jiangsu (P-256 root)
    e!(
        "js-root",
        ProvinceRoot,
        JS,
        P256,
        "江苏省大数据管理中心",
        "Jiangsu Big Data Administration Center",
        "Jiangsu Government Root CA (DEMO)",
        "12320000MB0Y20002D",
        &[]
    ),
    e!(
        "js-agency-samr",
        IssuingAgency,
        JS,
        P256,
        "江苏省市场监督管理局",
        "Jiangsu Administration for Market Regulation",
        "Jiangsu Market Regulation License Signing (DEMO)",
        "113200000140123285",
        MARKET_REGULATION
    ),
    e!(
        "js-agency-hrss",
        IssuingAgency,
        JS,
        P256,
        "江苏省人力资源和社会保障厅",
        "Jiangsu Department of Human Resources and Social Security",
        "Jiangsu Human Resources License Signing (DEMO)",
        "113200000140001234",
        HUMAN_RESOURCES
    ),
    e!(
        "js-seal-authority",
        SealAuthority,
        JS,
        SM2,
        "江苏省电子印章服务中心",
        "Jiangsu E-Seal Service Center",
        "Jiangsu E-Seal Authority (DEMO)",
        "12320000MB0P234569",
        &[]
    ),
    e!(
        "js-org-1",
        OrganisationSigner,
        JS,
        SM2,
        "江苏金陵智造科技有限公司",
        "Jiangsu Jinling Intelligent Manufacturing Technology Co., Ltd.",
        "Jiangsu Jinling Manufacturing Stamping (DEMO)",
        "91320000MA1MQ9R2X4",
        &[]
    ),
    e!(
        "js-org-2",
        OrganisationSigner,
        JS,
        SM2,
        "苏州姑苏数字服务有限公司",
        "Suzhou Gusu Digital Services Co., Ltd.",
        "Suzhou Gusu Digital Services Stamping (DEMO)",
        "91320500MA1N8T4P6N",
        &[]
    ),
    e!(
        "js-show-service",
        ShowService,
        JS,
        P256,
        "江苏省大数据管理中心",
        "Jiangsu Big Data Administration Center",
        "Jiangsu Show-License Service (DEMO)",
        "12320000MB0Y20002D",
        &[]
    ),
    // Zhejiang (P-256 root)
    e!(
        "zj-root",
        ProvinceRoot,
        ZJ,
        P256,
        "浙江省大数据发展管理局",
        "Zhejiang Big Data Development Administration",
        "Zhejiang Government Root CA (DEMO)",
        "12330000MB0Y30003C",
        &[]
    ),
    e!(
        "zj-agency-psb",
        IssuingAgency,
        ZJ,
        P256,
        "浙江省公安厅",
        "Zhejiang Provincial Public Security Department",
        "Zhejiang Public Security License Signing (DEMO)",
        "11330000002500076F",
        PUBLIC_SECURITY
    ),
    e!(
        "zj-agency-hrss",
        IssuingAgency,
        ZJ,
        P256,
        "浙江省人力资源和社会保障厅",
        "Zhejiang Department of Human Resources and Social Security",
        "Zhejiang Human Resources License Signing (DEMO)",
        "11330000002479115G",
        HUMAN_RESOURCES
    ),
    e!(
        "zj-seal-authority",
        SealAuthority,
        ZJ,
        SM2,
        "浙江省电子印章服务中心",
        "Zhejiang E-Seal Service Center",
        "Zhejiang E-Seal Authority (DEMO)",
        "12330000MB0P345676",
        &[]
    ),
    e!(
        "zj-org-1",
        OrganisationSigner,
        ZJ,
        SM2,
        "浙江之江云数据有限公司",
        "Zhejiang Zhijiang Cloud Data Co., Ltd.",
        "Zhejiang Zhijiang Cloud Data Stamping (DEMO)",
        "91330000MA27U5A3F5",
        &[]
    ),
    e!(
        "zj-org-2",
        OrganisationSigner,
        ZJ,
        SM2,
        "杭州西湖智慧物流有限公司",
        "Hangzhou Xihu Smart Logistics Co., Ltd.",
        "Hangzhou Xihu Smart Logistics Stamping (DEMO)",
        "91330100MA2H3K7D96",
        &[]
    ),
    e!(
        "zj-show-service",
        ShowService,
        ZJ,
        P256,
        "浙江省大数据发展管理局",
        "Zhejiang Big Data Development Administration",
        "Zhejiang Show-License Service (DEMO)",
        "12330000MB0Y30003C",
        &[]
    ),
    // Anhui (SM2 root)
    e!(
        "ah-root",
        ProvinceRoot,
        AH,
        SM2,
        "安徽省数据资源管理局",
        "Anhui Data Resources Administration",
        "Anhui Government Root CA (DEMO)",
        "12340000MB0Y40004B",
        &[]
    ),
    e!(
        "ah-agency-civil",
        IssuingAgency,
        AH,
        SM2,
        "安徽省民政厅",
        "Anhui Department of Civil Affairs",
        "Anhui Civil Affairs License Signing (DEMO)",
        "11340000003184028B",
        CIVIL_AFFAIRS
    ),
    e!(
        "ah-agency-samr",
        IssuingAgency,
        AH,
        SM2,
        "安徽省市场监督管理局",
        "Anhui Administration for Market Regulation",
        "Anhui Market Regulation License Signing (DEMO)",
        "11340000003184123H",
        MARKET_REGULATION
    ),
    e!(
        "ah-seal-authority",
        SealAuthority,
        AH,
        SM2,
        "安徽省电子印章服务中心",
        "Anhui E-Seal Service Center",
        "Anhui E-Seal Authority (DEMO)",
        "12340000MB0P456783",
        &[]
    ),
    e!(
        "ah-org-1",
        OrganisationSigner,
        AH,
        SM2,
        "安徽江淮新能源科技有限公司",
        "Anhui Jianghuai New Energy Technology Co., Ltd.",
        "Anhui Jianghuai New Energy Stamping (DEMO)",
        "91340000MA2N4P8R10",
        &[]
    ),
    e!(
        "ah-org-2",
        OrganisationSigner,
        AH,
        SM2,
        "合肥庐州数字文化有限公司",
        "Hefei Luzhou Digital Culture Co., Ltd.",
        "Hefei Luzhou Digital Culture Stamping (DEMO)",
        "91340100MA2T6W1E49",
        &[]
    ),
    e!(
        "ah-show-service",
        ShowService,
        AH,
        SM2,
        "安徽省数据资源管理局",
        "Anhui Data Resources Administration",
        "Anhui Show-License Service (DEMO)",
        "12340000MB0Y40004B",
        &[]
    ),
];
