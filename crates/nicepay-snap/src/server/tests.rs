use super::*;
use crate::api::notification::sign_notification;
use crate::keys::PrivateKey;
use proptest::prelude::*;

const NICEPAY_PRIVATE: &str = include_str!("../../../../tests/keys/nicepay-notification-test-private-pkcs8.pem");
const NICEPAY_PUBLIC: &str = include_str!("../../../../tests/keys/nicepay-notification-test-public.pem");
const CLIENT_ID: &str = "NICEPAYNIVA";
const SECRET: &str = "merchant-issued-secret";
const NOW: i64 = 1_720_149_100; // 2024-07-05T10:11:40+07:00

fn now(offset: i64) -> Timestamp {
    Timestamp::from_unix_seconds(NOW + offset).unwrap()
}

fn server() -> MerchantServer {
    let config = ServerConfig::new(
        CLIENT_ID,
        ClientSecret::new(SECRET),
        PublicKey::parse(NICEPAY_PUBLIC).unwrap(),
    )
    .unwrap();
    MerchantServer::new(config)
}

fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

fn token_headers(client_id: &str, ts: &str, key: &PrivateKey) -> Vec<(String, String)> {
    let sig = sign_notification(key, client_id, ts).unwrap();
    h(&[
        ("Content-Type", "application/json"),
        ("X-TIMESTAMP", ts),
        ("X-CLIENT-KEY", client_id),
        ("X-SIGNATURE", &sig),
    ])
}

const TOKEN_BODY: &[u8] = br#"{"grantType":"client_credentials","additionalInfo":{}}"#;

fn body_json(r: &ServerResponse) -> Value {
    serde_json::from_slice(&r.body).unwrap()
}

fn respond(received: Received) -> ServerResponse {
    match received {
        Received::Respond(r) => r,
        other => panic!("expected a response, got {other:?}"),
    }
}

/// Issues a token as NICEPAY would ask for it.
fn token(server: &mut MerchantServer) -> String {
    let key = PrivateKey::parse(NICEPAY_PRIVATE).unwrap();
    let headers = token_headers(CLIENT_ID, &now(0).to_string(), &key);
    let r = respond(server.receive("POST", TOKEN_PATH, &headers, TOKEN_BODY, now(0), [7; 32]));
    assert_eq!(
        (r.status, r.response_code.as_str()),
        (200, "2007300"),
        "{}",
        r.body_str()
    );
    let v = body_json(&r);
    assert_eq!(v["tokenType"], "Bearer");
    assert_eq!(v["expiresIn"], "900");
    v["accessToken"].as_str().unwrap().to_owned()
}

fn signed(path: &str, token: &str, body: &str, ts: &str, external_id: &str) -> Vec<(String, String)> {
    let sig = SymmetricSigner::new(&ClientSecret::new(SECRET))
        .sign_transaction(Method::Post, path, token, body.as_bytes(), ts)
        .unwrap();
    h(&[
        ("Content-Type", "application/json"),
        ("Authorization", &format!("Bearer {token}")),
        ("X-TIMESTAMP", ts),
        ("X-SIGNATURE", &sig),
        ("X-PARTNER-ID", CLIENT_ID),
        ("X-EXTERNAL-ID", external_id),
        ("CHANNEL-ID", "95221"),
    ])
}

const INQUIRY: &str = r#"{"partnerServiceId":"   70014","customerNo":"0000000001","virtualAccountNo":"   700140000000001","inquiryRequestId":"INQ-1","trxDateInit":"2024-07-05T10:11:00+07:00","additionalInfo":{"bankCd":"BMRI"},"channelCode":6011}"#;
const PAYMENT: &str = r#"{"partnerServiceId":"   70014","customerNo":"0000000001","virtualAccountNo":"   700140000000001","paymentRequestId":"PAY-1","paidAmount":{"value":"15000.00","currency":"IDR"},"trxDateTime":"2024-07-05T10:12:00+07:00","referenceNo":"BANK-77"}"#;

fn bill(value: &str) -> BillAnswer {
    BillAnswer::Open(Bill {
        virtual_account_name: "Budi".into(),
        total_amount: Amount::idr(value).unwrap(),
        additional_info: None,
    })
}

#[test]
fn the_whole_exchange_token_inquiry_payment() {
    let mut s = server();
    let t = token(&mut s);
    assert_eq!(t.len(), 43);
    let ts = now(1).to_string();
    let req = match s.receive(
        "POST",
        VA_INQUIRY_PATH,
        &signed(VA_INQUIRY_PATH, &t, INQUIRY, &ts, "E1"),
        INQUIRY.as_bytes(),
        now(1),
        [0; 32],
    ) {
        Received::VaInquiry(req) => req,
        other => panic!("{other:?}"),
    };
    assert_eq!(req.inquiry_request_id, "INQ-1");
    assert_eq!(req.extra["channelCode"], 6011, "unknown fields are kept");
    let r = s.answer_inquiry(&req, &bill("15000.00"));
    assert_eq!((r.status, r.response_code.as_str()), (200, "2002400"));
    let v = body_json(&r);
    assert_eq!(v["virtualAccountData"]["totalAmount"]["value"], "15000.00");
    assert_eq!(v["virtualAccountData"]["inquiryRequestId"], "INQ-1");
    assert_eq!(v["virtualAccountData"]["inquiryStatus"], "00");

    let req = match s.receive(
        "POST",
        VA_PAYMENT_PATH,
        &signed(VA_PAYMENT_PATH, &t, PAYMENT, &ts, "E2"),
        PAYMENT.as_bytes(),
        now(2),
        [0; 32],
    ) {
        Received::VaPayment(req) => req,
        other => panic!("{other:?}"),
    };
    assert_eq!(req.paid_amount.value(), "15000.00");
    let ok = s.answer_payment(&req, &bill("15000.00"));
    assert_eq!((ok.status, ok.response_code.as_str()), (200, "2002500"));
    assert_eq!(body_json(&ok)["virtualAccountData"]["paymentFlagStatus"], "00");
    for (answer, code) in [
        (bill("15000.01"), "4042513"),
        (BillAnswer::NotFound, "4042512"),
        (BillAnswer::Paid, "4042514"),
        (BillAnswer::Expired, "4042519"),
    ] {
        let r = s.answer_payment(&req, &answer);
        assert_eq!((r.status, r.response_code.as_str()), (404, code));
        assert_eq!(body_json(&r)["virtualAccountData"]["paymentFlagStatus"], "01");
    }
    assert_eq!(body_json(&ok)["virtualAccountData"]["trxId"], serde_json::Value::Null);
    let headers = ok.headers(now(2));
    assert_eq!(
        headers[1],
        ("X-TIMESTAMP".to_owned(), "2024-07-05T10:11:42+07:00".to_owned())
    );

    // A reversal of that payment.
    let reversal = r#"{"virtualAccountNo":"   700140000000001","paymentRequestId":"PAY-1","paidAmount":{"value":"15000.00","currency":"IDR"},"reason":"bank"}"#;
    let req = match s.receive(
        "POST",
        VA_REVERSAL_PATH,
        &signed(VA_REVERSAL_PATH, &t, reversal, &ts, "E3"),
        reversal.as_bytes(),
        now(3),
        [0; 32],
    ) {
        Received::VaReversal(req) => req,
        other => panic!("{other:?}"),
    };
    assert_eq!(req.payment_request_id.as_deref(), Some("PAY-1"));
    assert_eq!(req.extra["reason"], "bank");
    assert_eq!(s.answer_reversal(&req, true).response_code, "2002500");
    assert_eq!(s.answer_reversal(&req, false).response_code, "4042512");

    let r = s.answer_inquiry(
        &VaInquiryRequest {
            partner_service_id: "1".into(),
            customer_no: "2".into(),
            virtual_account_no: "12".into(),
            inquiry_request_id: "3".into(),
            trx_date_init: None,
            amount: None,
            additional_info: None,
            extra: Extra::new(),
        },
        &BillAnswer::NotFound,
    );
    assert_eq!(r.response_code, "4042412");
}

#[test]
fn token_requests_are_verified() {
    let mut s = server();
    let nicepay = PrivateKey::parse(NICEPAY_PRIVATE).unwrap();
    let other = PrivateKey::parse(include_str!("../../../../tests/keys/merchant-test-private-pkcs8.pem")).unwrap();
    let ts = now(0).to_string();
    let mut missing = token_headers(CLIENT_ID, &ts, &nicepay);
    missing.retain(|(k, _)| k != "X-SIGNATURE");
    type Case<'a> = (Vec<(String, String)>, &'a [u8], &'a str);
    let cases: Vec<Case<'_>> = vec![
        (token_headers(CLIENT_ID, &ts, &other), TOKEN_BODY, "4017300"),
        (token_headers("SOMEONE", &ts, &nicepay), TOKEN_BODY, "4017300"),
        (missing, TOKEN_BODY, "4007302"),
        (
            token_headers(CLIENT_ID, &now(-301).to_string(), &nicepay),
            TOKEN_BODY,
            "4007301",
        ),
        (
            token_headers(CLIENT_ID, &ts, &nicepay),
            br#"{"grantType":"password"}"#,
            "4007301",
        ),
        (token_headers(CLIENT_ID, &ts, &nicepay), br#"{}"#, "4007302"),
        (token_headers(CLIENT_ID, &ts, &nicepay), b"not json", "4007300"),
        (token_headers(CLIENT_ID, &ts, &nicepay), b"[]", "4007300"),
    ];
    for (headers, body, code) in cases {
        let r = respond(s.receive("POST", TOKEN_PATH_SHORT, &headers, body, now(0), [1; 32]));
        assert_eq!(r.response_code, code, "{}", r.body_str());
        assert!(!r.body_str().contains("accessToken"));
    }
    assert_eq!(s.live_tokens(now(0)), 0, "no refused request issued a token");
}

#[test]
fn transactional_requests_are_verified() {
    let mut s = server();
    let t = token(&mut s);
    let ts = now(0).to_string();
    let p = VA_INQUIRY_PATH;
    let run = |s: &mut MerchantServer, headers: Vec<(String, String)>, body: &str, at: i64| {
        respond(s.receive("POST", p, &headers, body.as_bytes(), now(at), [0; 32])).response_code
    };
    // Expired and unknown tokens.
    assert_eq!(
        run(&mut s, signed(p, &t, INQUIRY, &now(900).to_string(), "A"), INQUIRY, 900),
        "4012401"
    );
    assert_eq!(
        run(&mut s, signed(p, "not-issued", INQUIRY, &ts, "A"), INQUIRY, 0),
        "4012401"
    );
    // Signed under another secret, over another body, or over the path with /nicepay.
    let mut forged = signed(p, &t, INQUIRY, &ts, "B");
    forged[3].1 = SymmetricSigner::new(&ClientSecret::new("guess"))
        .sign_transaction(Method::Post, p, &t, INQUIRY.as_bytes(), &ts)
        .unwrap();
    assert_eq!(run(&mut s, forged, INQUIRY, 0), "4012400");
    assert_eq!(run(&mut s, signed(p, &t, "{}", &ts, "C"), INQUIRY, 0), "4012400");
    // Other partner, stale timestamp, missing header.
    let mut partner = signed(p, &t, INQUIRY, &ts, "D");
    partner[4].1 = "OTHER".into();
    assert_eq!(run(&mut s, partner, INQUIRY, 0), "4012400");
    assert_eq!(
        run(&mut s, signed(p, &t, INQUIRY, &now(-400).to_string(), "E"), INQUIRY, 0),
        "4002401"
    );
    let mut no_ext = signed(p, &t, INQUIRY, &ts, "F");
    no_ext.retain(|(k, _)| k != "X-EXTERNAL-ID");
    assert_eq!(run(&mut s, no_ext, INQUIRY, 0), "4002402");
    // Body problems are named after the field.
    let no_customer = INQUIRY.replace(r#""customerNo":"0000000001","#, "");
    assert_eq!(
        run(&mut s, signed(p, &t, &no_customer, &ts, "G"), &no_customer, 0),
        "4002402"
    );
    let numeric = INQUIRY.replace(r#""customerNo":"0000000001""#, r#""customerNo":1"#);
    assert_eq!(run(&mut s, signed(p, &t, &numeric, &ts, "H"), &numeric, 0), "4002401");
    assert_eq!(run(&mut s, signed(p, &t, "[1]", &ts, "I"), "[1]", 0), "4002400");
    let mut no_auth = signed(p, &t, INQUIRY, &ts, "J");
    no_auth.retain(|(k, _)| k != "Authorization");
    assert_eq!(run(&mut s, no_auth, INQUIRY, 0), "4012403");
    // Duplicate X-EXTERNAL-ID the same Jakarta day, accepted again the next day.
    assert!(matches!(
        s.receive(
            "POST",
            p,
            &signed(p, &t, INQUIRY, &ts, "DUP"),
            INQUIRY.as_bytes(),
            now(0),
            [0; 32]
        ),
        Received::VaInquiry(_)
    ));
    assert_eq!(run(&mut s, signed(p, &t, INQUIRY, &ts, "DUP"), INQUIRY, 0), "4092400");
    let mut s2 = server();
    let t2 = token(&mut s2);
    let day = 86_400;
    assert!(matches!(
        s2.receive(
            "POST",
            p,
            &signed(p, &t2, INQUIRY, &ts, "X"),
            INQUIRY.as_bytes(),
            now(0),
            [0; 32]
        ),
        Received::VaInquiry(_)
    ));
    let mut s2_late = s2;
    let tomorrow = now(day).to_string();
    let t3 = {
        let key = PrivateKey::parse(NICEPAY_PRIVATE).unwrap();
        let r = respond(s2_late.receive(
            "POST",
            TOKEN_PATH,
            &token_headers(CLIENT_ID, &tomorrow, &key),
            TOKEN_BODY,
            now(day),
            [9; 32],
        ));
        body_json(&r)["accessToken"].as_str().unwrap().to_owned()
    };
    assert!(matches!(
        s2_late.receive(
            "POST",
            p,
            &signed(p, &t3, INQUIRY, &tomorrow, "X"),
            INQUIRY.as_bytes(),
            now(day),
            [0; 32]
        ),
        Received::VaInquiry(_)
    ));
    // Routing.
    assert_eq!(
        respond(s.receive("POST", "/api/v1.0/other", &[], b"{}", now(0), [0; 32])).status,
        404
    );
    assert_eq!(
        respond(s.receive("GET", p, &[], b"", now(0), [0; 32])).response_code,
        "4052400"
    );
}

#[test]
fn a_mount_prefix_is_accepted_signed_either_way() {
    let config = ServerConfig::new(
        CLIENT_ID,
        ClientSecret::new(SECRET),
        PublicKey::parse(NICEPAY_PUBLIC).unwrap(),
    )
    .unwrap()
    .with_mount_prefix("/snap")
    .unwrap();
    let mut s = MerchantServer::new(config);
    let key = PrivateKey::parse(NICEPAY_PRIVATE).unwrap();
    let ts = now(0).to_string();
    let r = respond(s.receive(
        "POST",
        "/snap/api/v1.0/access-token/b2b?x=1",
        &token_headers(CLIENT_ID, &ts, &key),
        TOKEN_BODY,
        now(0),
        [3; 32],
    ));
    let t = body_json(&r)["accessToken"].as_str().unwrap().to_owned();
    let full = "/snap/api/v1.0/transfer-va/inquiry";
    for (signed_path, id) in [(VA_INQUIRY_PATH, "1"), (full, "2")] {
        let got = s.receive(
            "POST",
            full,
            &signed(signed_path, &t, INQUIRY, &ts, id),
            INQUIRY.as_bytes(),
            now(0),
            [0; 32],
        );
        assert!(matches!(got, Received::VaInquiry(_)), "{signed_path}: {got:?}");
    }
    assert!(ServerConfig::new(
        CLIENT_ID,
        ClientSecret::new(SECRET),
        PublicKey::parse(NICEPAY_PUBLIC).unwrap()
    )
    .unwrap()
    .with_mount_prefix("snap/")
    .is_err());
}

#[test]
fn secrets_and_tokens_never_print() {
    let mut s = server();
    let t = token(&mut s);
    let shown = format!("{s:?}");
    assert!(!shown.contains(SECRET) && !shown.contains(&t));
    let key = PrivateKey::parse(NICEPAY_PRIVATE).unwrap();
    let r = respond(s.receive(
        "POST",
        TOKEN_PATH,
        &token_headers(CLIENT_ID, &now(0).to_string(), &key),
        TOKEN_BODY,
        now(0),
        [5; 32],
    ));
    assert!(!format!("{r:?}").contains(&body_json(&r)["accessToken"].as_str().unwrap()[..10]));
    assert!(ServerConfig::new(
        CLIENT_ID,
        ClientSecret::new(""),
        PublicKey::parse(NICEPAY_PUBLIC).unwrap()
    )
    .is_err());
    assert!(ServerConfig::new("", ClientSecret::new(SECRET), PublicKey::parse(NICEPAY_PUBLIC).unwrap()).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    /// Whatever arrives, the answer is a SNAP JSON body with a 7-digit code, never a panic.
    #[test]
    fn any_request_gets_a_snap_answer(
        method in "(POST|GET|post|DELETE)",
        path in prop::sample::select(vec![TOKEN_PATH, TOKEN_PATH_SHORT, VA_INQUIRY_PATH, VA_PAYMENT_PATH, VA_REVERSAL_PATH, "/x", ""]),
        headers in prop::collection::vec(("(Authorization|X-TIMESTAMP|X-SIGNATURE|X-PARTNER-ID|X-EXTERNAL-ID|X-CLIENT-KEY)", "\\PC{0,60}"), 0..8),
        body in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let mut s = server();
        let headers: Vec<(String, String)> = headers;
        if let Received::Respond(r) = s.receive(&method, path, &headers, &body, now(0), [0; 32]) {
            let v = body_json(&r);
            let code = v["responseCode"].as_str().unwrap();
            prop_assert_eq!(code.len(), 7);
            prop_assert_eq!(&code[..3], r.status.to_string());
            prop_assert!(r.status != 200);
        } else {
            prop_assert!(false, "an unsigned request was accepted");
        }
    }
}
