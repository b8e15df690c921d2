//! The fixture both benches sign: one QRIS refund with a fixed token, timestamp and external id,
//! so the criterion figures and the instruction counts measure the same work.

use std::hint::black_box;

use hmac::{Hmac, KeyInit, Mac};
use nicepay_snap::api::qris::{QrisRefundAdditionalInfo, QrisRefundRequest};
use nicepay_snap::canonical::transaction_string_to_sign;
use nicepay_snap::{AccessToken, Amount, Config, ExternalId, Method, RequestContext, Timestamp};
use sha2::{Digest, Sha256, Sha512};

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

/// The floor of transaction signing for a body: SHA-256 of the body and HMAC-SHA512 (key
/// prepared once) over a string-to-sign of exactly the same bytes, nothing else.
pub(crate) struct Floor {
    /// The string-to-sign of the body (the fixture's path, token and timestamp).
    pub(crate) sts: String,
    keyed: Hmac<Sha512>,
}

impl Floor {
    pub(crate) fn new(body: &[u8]) -> Self {
        Self {
            sts: transaction_string_to_sign(Method::Post, PATH, TOKEN, body, TIMESTAMP).expect("sts"),
            keyed: <Hmac<Sha512> as KeyInit>::new_from_slice(SECRET.as_bytes()).expect("hmac key"),
        }
    }

    /// One floor's work on `body`.
    pub(crate) fn run(&self, body: &[u8]) {
        let digest = Sha256::digest(black_box(body));
        let mut mac = self.keyed.clone();
        mac.update(black_box(self.sts.as_bytes()));
        black_box((digest, mac.finalize()));
    }
}
