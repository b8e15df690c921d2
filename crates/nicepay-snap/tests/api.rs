//! Behaviour of the public API beyond the golden vectors.

use std::fs;
use std::path::Path;
use std::sync::OnceLock;

use nicepay_snap::api::notification::{sign_notification, Acknowledgement};
use nicepay_snap::api::qris::{
    QrisGenerate, QrisNotification, QrisQuery, QrisQueryRequest, QrisRefund, QrisRefundRequest, QrisRefundResponse,
};
use nicepay_snap::{
    AccessToken, Amount, Config, ConfigBuilder, Environment, Error, ExternalId, HostFamily, NotificationVerifier,
    Operation, PrivateKey, RawResponse, RequestContext, Timestamp, TransactionStatus,
};
use proptest::prelude::*;

fn key_text(name: &str) -> String {
    fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/keys")
            .join(name),
    )
    .unwrap()
}

fn merchant_key() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| PrivateKey::parse(&key_text("merchant-test-private-pkcs8.pem")).unwrap())
}

/// A builder with the test merchant's id, a throwaway secret and its key.
fn merchant() -> ConfigBuilder {
    Config::builder()
        .client_id("IONPAYTEST")
        .client_secret("x")
        .private_key(merchant_key().clone())
}

/// A request context for `token` at `timestamp` with `external_id`.
fn context<'a>(token: &'a AccessToken, timestamp: Timestamp, external_id: &str) -> RequestContext<'a> {
    RequestContext {
        access_token: token,
        timestamp,
        external_id: ExternalId::new(external_id).unwrap(),
    }
}

fn config() -> Config {
    Config::builder()
        .client_id("IONPAYTEST")
        .client_secret("very-secret-client-secret")
        .private_key(merchant_key().clone())
        .build()
        .unwrap()
}

const SECRET_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.secret-token-value";

#[test]
fn environments_and_channel_id() {
    let c = config();
    assert_eq!(c.base_url(), "https://dev.nicepay.co.id/nicepay");
    assert_eq!(c.channel_id(), "IONPAYTEST01");
    let prod = merchant()
        .environment(Environment::Production)
        .host_family(HostFamily::Cloud)
        .channel_id("IONPAYTEST")
        .build()
        .unwrap();
    assert_eq!(prod.base_url(), "https://services.nicepay.co.id/nicepay");
    assert_eq!(prod.channel_id(), "IONPAYTEST");
    let custom = merchant().base_url("http://127.0.0.1:9999/").build().unwrap();
    assert_eq!(
        custom.url_for("/api/v1.0/qr/qr-mpm-query"),
        "http://127.0.0.1:9999/nicepay/api/v1.0/qr/qr-mpm-query"
    );
}

#[test]
fn builder_names_the_bad_field() {
    let field = |r: Result<Config, Error>| match r {
        Err(Error::InvalidInput { field, .. } | Error::InvalidKey { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    let base = || {
        Config::builder()
            .client_id("IONPAYTEST")
            .client_secret("s")
            .private_key(merchant_key().clone())
    };
    assert_eq!(field(Config::builder().build()), "client_id");
    assert_eq!(field(Config::builder().client_id("A B").build()), "client_id");
    assert_eq!(field(Config::builder().client_id("A|B").build()), "client_id");
    assert_eq!(
        field(Config::builder().client_id("IONPAYTEST").build()),
        "client_secret"
    );
    assert_eq!(
        field(Config::builder().client_id("IONPAYTEST").client_secret("s").build()),
        "private_key"
    );
    assert_eq!(
        field(
            Config::builder()
                .client_id("IONPAYTEST")
                .client_secret("s")
                .private_key_text("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")
                .build()
        ),
        "private_key"
    );
    assert_eq!(
        field(base().notification_public_key_text("nope").build()),
        "notification_public_key"
    );
    assert_eq!(field(base().base_url("ftp://x").build()), "base_url");
    assert_eq!(field(base().channel_id("").build()), "channel_id");
}

#[test]
fn secrets_never_leak_through_debug_display_or_errors() {
    let c = config();
    let token = AccessToken::new(SECRET_TOKEN);
    let ctx = context(&token, Timestamp::from_unix_seconds(1_764_000_000).unwrap(), "1");
    let req = c
        .prepare::<QrisQuery>(&QrisQueryRequest::new("T1", "O1", "IONPAYTEST", "NICEPAY"), &ctx)
        .unwrap();
    let pem = key_text("merchant-test-private-pkcs8.pem");
    let key_body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect::<Vec<_>>()[1].to_owned();
    let outputs = [
        format!("{c:?}"),
        format!("{c:#?}"),
        format!("{req:?}"),
        format!("{:?}", req.headers),
        format!("{:?}", req.headers.iter()),
        format!("{token:?}"),
        format!("{:?}", merchant_key()),
        format!(
            "{:?}",
            Config::builder()
                .client_secret("very-secret-client-secret")
                .private_key_text(&pem)
        ),
        format!(
            "{}",
            Config::builder()
                .client_secret("very-secret-client-secret")
                .build()
                .unwrap_err()
        ),
        format!("{:?}", PrivateKey::parse(&pem[..200]).unwrap_err()),
    ];
    for out in &outputs {
        assert!(!out.contains("very-secret-client-secret"), "{out}");
        assert!(!out.contains("secret-token-value"), "{out}");
        assert!(!out.contains(&key_body), "{out}");
    }
    // The real header still carries the token.
    assert_eq!(
        req.header("authorization"),
        Some(format!("Bearer {SECRET_TOKEN}").as_str())
    );
}

#[test]
fn undecodable_token_responses_do_not_leak_the_token_through_debug() {
    let body = br#"{"responseCode":"2007300","responseMessage":"Successful","accessToken":"LEAKY-TOKEN-VALUE","expiresIn":900,"tokenType":7}"#;
    let raw = RawResponse::new(200, vec![], body.to_vec());
    let err = config().parse_access_token(&raw).unwrap_err();
    for text in [
        format!("{err:?}"),
        format!("{err:#?}"),
        format!("{err}"),
        format!("{raw:?}"),
    ] {
        assert!(!text.contains("LEAKY-TOKEN-VALUE"), "{text}");
        // Bytes of the token rendered as a number list must not appear either.
        assert!(!text.contains("76, 69, 65, 75, 89"), "{text}");
    }
    // The body is not kept at all for the token endpoint (a binding exposes `body` to callers).
    match err {
        Error::Decode { body: kept, .. } => assert!(kept.is_empty(), "{} bytes kept", kept.len()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn prepare_sets_every_header_in_order() {
    let c = config();
    let token = AccessToken::new("TOK");
    let ctx = context(&token, Timestamp::parse("2024-07-05T03:11:40Z").unwrap(), "123456");
    let req = c
        .prepare::<QrisQuery>(&QrisQueryRequest::new("T1", "O1", "IONPAYTEST", "NICEPAY"), &ctx)
        .unwrap();
    let names: Vec<&str> = req.headers.iter().map(|(k, _)| k).collect();
    assert_eq!(
        names,
        [
            "Content-Type",
            "Authorization",
            "X-TIMESTAMP",
            "X-SIGNATURE",
            "X-PARTNER-ID",
            "X-EXTERNAL-ID",
            "CHANNEL-ID"
        ]
    );
    assert_eq!(req.header("X-TIMESTAMP"), Some("2024-07-05T10:11:40+07:00"));
    assert_eq!(req.path, "/api/v1.0/qr/qr-mpm-query");
    assert_eq!(
        req.body_str(),
        r#"{"originalReferenceNo":"T1","originalPartnerReferenceNo":"O1","merchantId":"IONPAYTEST","externalStoreId":"NICEPAY","serviceCode":"47","additionalInfo":{}}"#
    );
    c.signer()
        .verify_transaction(
            req.method,
            &req.path,
            "TOK",
            &req.body,
            "2024-07-05T10:11:40+07:00",
            req.header("X-SIGNATURE").unwrap(),
        )
        .unwrap();
}

#[test]
fn invalid_requests_are_typed_errors_naming_the_json_field() {
    let c = config();
    let token = AccessToken::new("TOK");
    let ctx = context(&token, Timestamp::from_unix_seconds(0).unwrap(), "1");
    let mut q = QrisQueryRequest::new("", "O1", "IONPAYTEST", "NICEPAY");
    let field = |e: Error| match e {
        Error::InvalidInput { field, .. } => field,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        field(c.prepare::<QrisQuery>(&q, &ctx).unwrap_err()),
        "originalReferenceNo"
    );
    q.original_reference_no = "x".repeat(41);
    assert_eq!(
        field(c.prepare::<QrisQuery>(&q, &ctx).unwrap_err()),
        "originalReferenceNo"
    );
    q.original_reference_no = "T".into();
    q.service_code = "4".into();
    assert_eq!(field(c.prepare::<QrisQuery>(&q, &ctx).unwrap_err()), "serviceCode");
    let empty = AccessToken::new("");
    let bad_ctx = RequestContext {
        access_token: &empty,
        ..ctx.clone()
    };
    assert_eq!(
        field(
            c.prepare::<QrisQuery>(&QrisQueryRequest::new("T", "O", "M", "S"), &bad_ctx)
                .unwrap_err()
        ),
        "access_token"
    );
    assert_eq!(
        field(
            c.prepare_json(nicepay_snap::Method::Post, "/api/x", b"{not json", &ctx)
                .unwrap_err()
        ),
        "body"
    );
    assert_eq!(
        field(
            c.prepare_json(nicepay_snap::Method::Post, "api/x", b"{}", &ctx)
                .unwrap_err()
        ),
        "path"
    );
    let refund: QrisRefundRequest = serde_json::from_str(
        r#"{"originalReferenceNo":"T","originalPartnerReferenceNo":"O","partnerRefundNo":"R","merchantId":"M","externalStoreId":"S","refundAmount":{"value":"10000","currency":"IDR"},"reason":"r","additionalInfo":{"cancelType":"1"}}"#,
    )
    .unwrap();
    assert_eq!(
        field(c.prepare::<QrisRefund>(&refund, &ctx).unwrap_err()),
        "refundAmount.value"
    );
}

#[test]
fn seed_refund_response_parses_and_keeps_unknown_fields() {
    let body = br#"{"responseCode":"2007800","responseMessage":"Successful","originalReferenceNo":"ncpy20221017161458","originalPartnerReferenceNo":"IONPAYTEST08202106091121206416","referenceNo":"IONPAYTEST08202106091121206416","partnerRefundNo":"ncpy20221017161458","refundAmount":{"value":"10000.00","currency":"IDR"},"refundTime":"2022-07-20T07:15:00+07:00","additionalInfo":{"cancelTrxSn":"07202210051341224326","newField":1},"brandNewTopLevel":{"a":[1]}}"#;
    let r: QrisRefundResponse = config()
        .parse::<QrisRefund>(&RawResponse::new(200, vec![], body.to_vec()))
        .unwrap();
    assert_eq!(r.response_code.as_str(), "2007800");
    assert_eq!(r.refund_amount.unwrap().minor_units().unwrap(), 1_000_000);
    let info = r.additional_info.unwrap();
    assert_eq!(info.cancel_trx_sn.as_deref(), Some("07202210051341224326"));
    assert_eq!(info.extra["newField"], 1);
    assert_eq!(r.extra["brandNewTopLevel"]["a"][0], 1);
}

#[test]
fn api_errors_carry_code_and_message() {
    let raw = RawResponse::new(
        404,
        vec![],
        br#"{"responseCode":"4045101","responseMessage":"Transaction Not Found"}"#.to_vec(),
    );
    match config().parse::<QrisQuery>(&raw) {
        Err(e @ Error::Api { .. }) => {
            assert_eq!(e.response_code().unwrap().service_code(), "51");
            assert!(e.to_string().contains("4045101"));
            assert!(e.to_string().contains("Transaction Not Found"));
        }
        other => panic!("{other:?}"),
    }
    // 202 is not a success: it must not be mistaken for a completed refund.
    let raw = RawResponse::new(
        202,
        vec![],
        br#"{"responseCode":"2027800","responseMessage":"Request In Progress"}"#.to_vec(),
    );
    assert!(matches!(config().parse::<QrisRefund>(&raw), Err(Error::Api { .. })));
    const { assert!(<QrisRefund as Operation>::MONEY_MOVING) };
    const { assert!(!<QrisGenerate as Operation>::MONEY_MOVING) };
}

fn notification_setup() -> (PrivateKey, NotificationVerifier) {
    let nicepay = PrivateKey::parse(&key_text("nicepay-notification-test-private-pkcs8.pem")).unwrap();
    let public = nicepay_snap::PublicKey::parse(&key_text("nicepay-notification-test-public.pem")).unwrap();
    (
        nicepay,
        NotificationVerifier::new(public, "IONPAYTEST").with_max_skew_seconds(300),
    )
}

fn headers(ts: &str, sig: &str, client: &str) -> Vec<(String, String)> {
    vec![
        ("content-type".into(), "application/json".into()),
        ("x-timestamp".into(), ts.into()),
        ("x-client-key".into(), client.into()),
        ("x-signature".into(), sig.into()),
    ]
}

#[test]
fn notification_verification_checks_signature_freshness_and_client() {
    let (nicepay, verifier) = notification_setup();
    let ts = "2026-11-25T19:30:00+07:00";
    let now = Timestamp::parse(ts).unwrap();
    let sig = sign_notification(&nicepay, "IONPAYTEST", ts).unwrap();
    let body = br#"{"originalReferenceNo":"T1","originalPartnerReferenceNo":"O1","latestTransactionStatus":"00","transactionStatusDesc":"Success","amount":{"value":"10000.00","currency":"IDR"},"externalStoreID":"NICEPAY","additionalInfo":{},"somethingNew":true}"#;
    let n: QrisNotification = verifier.verify(&headers(ts, &sig, "IONPAYTEST"), body, now).unwrap();
    assert_eq!(n.latest_transaction_status, Some(TransactionStatus::Success));
    assert_eq!(n.external_store_id.as_deref(), Some("NICEPAY"));
    assert_eq!(n.extra["somethingNew"], true);

    // Within the window on either side; outside it fails with a typed error.
    let later = Timestamp::from_unix_seconds(now.unix_seconds() + 300).unwrap();
    assert!(verifier.verify_headers(&headers(ts, &sig, "IONPAYTEST"), later).is_ok());
    let too_late = Timestamp::from_unix_seconds(now.unix_seconds() + 301).unwrap();
    assert!(
        matches!(verifier.verify_headers(&headers(ts, &sig, "IONPAYTEST"), too_late), Err(Error::InvalidInput { ref field, .. }) if field == "X-TIMESTAMP")
    );
    let too_early = Timestamp::from_unix_seconds(now.unix_seconds() - 301).unwrap();
    assert!(verifier
        .verify_headers(&headers(ts, &sig, "IONPAYTEST"), too_early)
        .is_err());

    // Wrong client, wrong key, tampered timestamp, missing header.
    assert!(
        matches!(verifier.verify_headers(&headers(ts, &sig, "OTHER"), now), Err(Error::InvalidInput { ref field, .. }) if field == "X-CLIENT-KEY")
    );
    let merchant_sig = sign_notification(merchant_key(), "IONPAYTEST", ts).unwrap();
    assert!(matches!(
        verifier.verify_headers(&headers(ts, &merchant_sig, "IONPAYTEST"), now),
        Err(Error::SignatureMismatch { .. })
    ));
    let moved = "2026-11-25T19:30:01+07:00";
    assert!(matches!(
        verifier.verify_headers(&headers(moved, &sig, "IONPAYTEST"), now),
        Err(Error::SignatureMismatch { .. })
    ));
    assert!(verifier
        .verify_headers(&headers(ts, &sig, "IONPAYTEST")[..2], now)
        .is_err());
    // A malformed body after a valid signature is a Decode error that keeps the bytes.
    match verifier.verify::<QrisNotification>(&headers(ts, &sig, "IONPAYTEST"), b"nope", now) {
        Err(Error::Decode { body, .. }) => assert_eq!(body, b"nope"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn acknowledgements() {
    let ok = Acknowledgement::success("52");
    assert_eq!(
        (ok.status, ok.body_str()),
        (200, r#"{"responseCode":"2005200","responseMessage":"Successful"}"#)
    );
    let bad = Acknowledgement::unauthorized("52");
    assert_eq!(bad.status, 401);
    assert!(bad.body_str().starts_with(r#"{"responseCode":"4015200""#));
}

#[test]
fn amounts_in_requests_reject_numbers() {
    let bad = r#"{"originalReferenceNo":"T","originalPartnerReferenceNo":"O","partnerRefundNo":"R","merchantId":"M","externalStoreId":"S","refundAmount":{"value":10000,"currency":"IDR"},"reason":"r","additionalInfo":{"cancelType":"1"}}"#;
    assert!(serde_json::from_str::<QrisRefundRequest>(bad).is_err());
    assert!(Amount::idr("10000.00").is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn rsa_sign_verify_round_trips(message in proptest::collection::vec(any::<u8>(), 0..512), flip in 0usize..512) {
        let key = merchant_key();
        let sig = key.sign_base64(&message).unwrap();
        prop_assert!(key.public_key().verify_base64(&message, &sig).is_ok());
        let mut tampered = message.clone();
        if tampered.is_empty() { tampered.push(1) } else { let i = flip % tampered.len(); tampered[i] ^= 0x01; }
        prop_assert!(key.public_key().verify_base64(&tampered, &sig).is_err());
    }

    #[test]
    fn token_signature_changes_with_client_or_timestamp(unix in 0i64..4_000_000_000, bump in 1i64..1000) {
        let c = config();
        let a = Timestamp::from_unix_seconds(unix).unwrap();
        let b = Timestamp::from_unix_seconds(unix + bump).unwrap();
        let ra = c.prepare_access_token(a).unwrap();
        let rb = c.prepare_access_token(b).unwrap();
        prop_assert_ne!(ra.header("X-SIGNATURE"), rb.header("X-SIGNATURE"));
        prop_assert!(c.private_key().public_key().verify_base64(c.token_string_to_sign(a).as_bytes(), ra.header("X-SIGNATURE").unwrap()).is_ok());
    }

    #[test]
    fn parsers_never_panic_on_arbitrary_bytes(body in proptest::collection::vec(any::<u8>(), 0..300), status in any::<u16>()) {
        let c = config();
        let raw = RawResponse::new(status, vec![], body.clone());
        let _ = c.parse::<QrisGenerate>(&raw);
        let _ = c.parse::<QrisQuery>(&raw);
        let _ = c.parse::<QrisRefund>(&raw);
        let _ = c.parse_access_token(&raw);
        let _ = nicepay_snap::api::notification::parse_notification::<QrisNotification>(&body);
        let _ = nicepay_snap::minify_json(&body);
        let text = String::from_utf8_lossy(&body);
        let _ = PrivateKey::parse(&text);
        let _ = nicepay_snap::PublicKey::parse(&text);
        let _ = Timestamp::parse(&text);
        let _ = nicepay_snap::ResponseCode::parse(&text);
    }
}
