//! What the scripted-transport suites share: a config that never reaches a network, the token
//! endpoint's answer, and a QRIS query with its successful answer.

use nicepay_snap::api::qris::QrisQueryRequest;
use nicepay_snap::{Config, RawResponse};

pub(crate) fn config() -> Config {
    Config::builder()
        .client_id("IONPAYTEST")
        .client_secret("secret")
        .private_key_text(include_str!("../../../../tests/keys/merchant-test-private-pkcs8.pem"))
        .base_url("http://127.0.0.1:9")
        .build()
        .unwrap()
}

/// The token endpoint's answer, issuing `TOKEN{n}` for 900 s.
pub(crate) fn token_reply(n: usize) -> RawResponse {
    RawResponse::new(
        200,
        vec![],
        format!(
            r#"{{"responseCode":"2007300","responseMessage":"Successful","accessToken":"TOKEN{n}","tokenType":"Bearer","expiresIn":"900"}}"#
        ),
    )
}

pub(crate) const QUERY_OK: &str =
    r#"{"responseCode":"2005100","responseMessage":"Successful","latestTransactionStatus":"03"}"#;

pub(crate) fn query() -> QrisQueryRequest {
    QrisQueryRequest::new("IONPAYTEST00000000000000000001", "order-1", "IONPAYTEST", "NICEPAY")
}
