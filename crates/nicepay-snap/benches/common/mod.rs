//! The fixture both benches sign: one QRIS refund with a fixed token, timestamp and external id,
//! so the criterion figures and the instruction counts measure the same work.

use nicepay_snap::api::qris::{QrisRefundAdditionalInfo, QrisRefundRequest};
use nicepay_snap::{AccessToken, Amount, Config, ExternalId, RequestContext, Timestamp};

pub(crate) const MERCHANT_KEY: &str = include_str!("../../../../tests/keys/merchant-test-private-pkcs8.pem");
pub(crate) const SECRET: &str = "IONPAYTESTSECRET";
pub(crate) const PATH: &str = "/nicepay/api/v1.0/qr/qr-mpm-refund";
pub(crate) const TIMESTAMP: &str = "2024-12-31T10:11:40+07:00";
pub(crate) const TOKEN: &str = "SEEDTESTACCESSTOKEN";

pub(crate) fn config() -> Config {
    Config::builder()
        .client_id("IONPAYTEST")
        .client_secret(SECRET)
        .private_key_text(MERCHANT_KEY)
        .base_url("http://127.0.0.1:8080")
        .build()
        .expect("bench config")
}

pub(crate) fn refund() -> QrisRefundRequest {
    QrisRefundRequest {
        original_reference_no: "IONPAYTEST08202412311011400001".into(),
        original_partner_reference_no: "ord20241231101140".into(),
        partner_refund_no: "refund20241231101140".into(),
        merchant_id: "IONPAYTEST".into(),
        external_store_id: "NicepayStoreID1".into(),
        refund_amount: Amount::idr("10000.00").expect("amount"),
        reason: "Refund Trans".into(),
        additional_info: QrisRefundAdditionalInfo::default(),
    }
}

/// The request context for `token` at `TIMESTAMP`.
pub(crate) fn context(token: &AccessToken) -> RequestContext<'_> {
    RequestContext {
        access_token: token,
        timestamp: Timestamp::parse(TIMESTAMP).expect("timestamp"),
        external_id: ExternalId::new("202402111402271707638098").expect("external id"),
    }
}
