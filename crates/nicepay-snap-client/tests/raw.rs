//! Raw signed calls (`execute_raw`) against the simulator: the same token, signing and
//! money-safety rules as the typed calls, for endpoints the SDK does not type.

use std::time::Duration;

use nicepay_snap::{Config, Method};
use nicepay_snap_client::{AsyncClient, Client, ClientError, RAW_OPERATION};
use nicepay_snap_reqwest::ReqwestTransport;
use nicepay_snap_simulator::{Fault, Simulator, SimulatorInfo};
use nicepay_snap_ureq::UreqTransport;

const GENERATE: &str = "/api/v1.0/qr/qr-mpm-generate";
const REFUND: &str = "/api/v1.0/qr/qr-mpm-refund";

fn config(info: &SimulatorInfo) -> Config {
    Config::builder()
        .client_id(&info.client_id)
        .client_secret(info.client_secret.as_str())
        .private_key_text(info.private_key_pem.as_deref().unwrap())
        .base_url(&info.base_url)
        .build()
        .unwrap()
}

fn generate_body(info: &SimulatorInfo, order: &str) -> String {
    // Pretty-printed on purpose: the raw call minifies it once and signs what it sends.
    format!(
        "{{\n  \"partnerReferenceNo\": \"{order}\",\n  \"amount\": {{\"value\": \"10000.00\", \"currency\": \"IDR\"}},\n  \"merchantId\": \"{}\",\n  \"storeId\": \"NICEPAY\",\n  \"additionalInfo\": {{\"goodsNm\": \"Kopi\", \"futureField\": [1, 2]}}\n}}",
        info.client_id
    )
}

#[test]
fn a_raw_call_is_signed_sent_and_parsed_like_a_typed_one() {
    let sim = Simulator::builder().start_blocking().unwrap();
    let info = sim.info().clone();
    let client = Client::new(
        config(&info),
        UreqTransport::builder().timeout(Duration::from_secs(5)).build(),
    );
    let generated = client
        .execute_raw(
            Method::Post,
            &format!("/nicepay{GENERATE}"),
            generate_body(&info, "raw-1").as_bytes(),
            false,
        )
        .unwrap();
    assert_eq!(generated["responseCode"], "2004700");
    assert!(generated["qrContent"].as_str().unwrap().len() > 20);
    let reference_no = generated["referenceNo"].as_str().unwrap().to_owned();
    sim.pay_qris(&reference_no).unwrap();

    // A money-moving raw call whose answer is lost after it was applied: unknown outcome, with
    // the identifiers read from the raw body, never resent.
    sim.set_fault(Fault::respond_after(REFUND, 504).times(1)).unwrap();
    let refund = format!(
        r#"{{"originalReferenceNo":"{reference_no}","originalPartnerReferenceNo":"raw-1","partnerRefundNo":"raw-refund-1","merchantId":"{}","externalStoreId":"","refundAmount":{{"value":"10000.00","currency":"IDR"}},"reason":"test","additionalInfo":{{"cancelType":"1"}}}}"#,
        info.client_id
    );
    match client.execute_raw(Method::Post, REFUND, refund.as_bytes(), true) {
        Err(ClientError::OutcomeUnknown {
            operation, identifiers, ..
        }) => {
            assert_eq!(operation, RAW_OPERATION);
            assert!(
                identifiers.contains(&("partnerRefundNo".into(), "raw-refund-1".into())),
                "{identifiers:?}"
            );
        }
        other => panic!("expected an unknown outcome, got {other:?}"),
    }
    // Not money-moving: the same loss is a plain error, not an unknown outcome.
    sim.set_fault(Fault::respond_after(GENERATE, 504).times(1)).unwrap();
    let err = client
        .execute_raw(Method::Post, GENERATE, generate_body(&info, "raw-2").as_bytes(), false)
        .unwrap_err();
    assert!(!matches!(err, ClientError::OutcomeUnknown { .. }), "{err:?}");
    // API refusals keep their response code.
    match client.execute_raw(Method::Post, GENERATE, br#"{"partnerReferenceNo":"x"}"#, false) {
        Err(ClientError::Snap(nicepay_snap::Error::Api { response_code, .. })) => {
            assert!(response_code.as_str().starts_with("400"), "{response_code}")
        }
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[test]
fn bad_raw_input_is_refused_before_anything_is_sent() {
    let sim = Simulator::builder().start_blocking().unwrap();
    let info = sim.info().clone();
    let client = Client::new(config(&info), UreqTransport::builder().build());
    for (path, body) in [
        ("https://evil.example/api", &b"{}"[..]),
        ("/api/v1.0/x?query=1", b"{}"),
        (GENERATE, b"{not json"),
        (GENERATE, b""),
    ] {
        let err = client.execute_raw(Method::Post, path, body, true).unwrap_err();
        assert!(
            matches!(err, ClientError::Snap(nicepay_snap::Error::InvalidInput { .. })),
            "{path}: {err:?}"
        );
    }
    assert_eq!(
        sim.state().active_tokens,
        0,
        "nothing was sent, not even a token request"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_async_client_makes_raw_calls_too() {
    let sim = Simulator::builder().start().await.unwrap();
    let info = sim.info().clone();
    let client = AsyncClient::new(config(&info), ReqwestTransport::new().unwrap());
    let generated = client
        .execute_raw(
            Method::Post,
            GENERATE,
            generate_body(&info, "raw-async").as_bytes(),
            false,
        )
        .await
        .unwrap();
    assert_eq!(generated["responseCode"], "2004700");
}
