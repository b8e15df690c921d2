//! Prepares and prints a signed QRIS refund request with the TEST-ONLY key.
//!
//! `cargo run -p nicepay-snap --example qris_refund`

use std::time::{SystemTime, UNIX_EPOCH};

use nicepay_snap::api::qris::{QrisRefund, QrisRefundAdditionalInfo, QrisRefundRequest};
use nicepay_snap::{AccessToken, Amount, Config, ExternalId, RequestContext, Timestamp};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::builder()
        .client_id("IONPAYTEST")
        .client_secret("test-client-secret")
        .private_key_text(include_str!("../../../tests/keys/merchant-test-private-pkcs8.pem"))
        .build()?;
    // The core never reads the clock: the example does, and passes the instant in.
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?;
    let timestamp = Timestamp::from_unix_seconds(now.as_secs() as i64)?;

    let token_request = config.prepare_access_token(timestamp)?;
    println!(
        "# 1. access token request\n{} {}",
        token_request.method, token_request.url
    );
    for (k, v) in &token_request.headers {
        println!("{k}: {v}");
    }
    println!("\n{}\n", token_request.body_str());

    let refund = QrisRefundRequest {
        original_reference_no: "IONPAYTEST08202106091121206416".into(),
        original_partner_reference_no: "ncpy20221017161458".into(),
        partner_refund_no: format!("refund{}", now.as_secs()),
        merchant_id: "IONPAYTEST".into(),
        external_store_id: "NICEPAY".into(),
        refund_amount: Amount::idr("10000.00")?,
        reason: "Refund Trans".into(),
        additional_info: QrisRefundAdditionalInfo::default(),
    };
    let token = AccessToken::new("EXAMPLE-ACCESS-TOKEN");
    let ctx = RequestContext {
        access_token: &token,
        timestamp,
        external_id: ExternalId::from_parts(now.as_millis() as u64, u64::from(now.subsec_nanos())),
    };
    let request = config.prepare::<QrisRefund>(&refund, &ctx)?;
    println!(
        "# 2. QRIS refund request (Authorization redacted)\n{} {}",
        request.method, request.url
    );
    for (k, v) in &request.headers {
        let v = if k == "Authorization" { "Bearer [redacted]" } else { v };
        println!("{k}: {v}");
    }
    println!("\n{}", request.body_str());
    println!(
        "\nstring-to-sign: POST:{}:<token>:{}:{}",
        request.path,
        nicepay_snap::canonical::body_sha256_hex(&request.body),
        timestamp
    );
    Ok(())
}
