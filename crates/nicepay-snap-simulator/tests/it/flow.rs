//! Happy path and refund accounting.

use std::sync::Arc;
use std::time::Duration;

use nicepay_snap::api::qris::{QrisGenerateResponse, QrisQuery, QrisQueryResponse, QrisRefund, QrisRefundResponse};
use nicepay_snap::TransactionStatus;

use crate::common::*;

#[tokio::test]
async fn token_generate_pay_query_refund() {
    let (env, notify_url, mut notifications, token) = Env::with_receiver().await;

    // Generate.
    let partner_ref = unique("order");
    let raw = env
        .generate(
            &token,
            &env.generate_request(&partner_ref, "10000.00", Some(&notify_url)),
        )
        .await;
    assert_eq!(raw.status, 200);
    let generated: QrisGenerateResponse = env.config.parse::<nicepay_snap::api::qris::QrisGenerate>(&raw).unwrap();
    assert_eq!(generated.response_code.as_str(), "2004700");
    let reference_no = generated.reference_no.clone().unwrap();
    assert!(reference_no.starts_with("IONPAYTEST08"), "{reference_no}");
    assert_eq!(reference_no.len(), 30);
    assert!(reference_no["IONPAYTEST".len()..].bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(generated.partner_reference_no.as_deref(), Some(partner_ref.as_str()));
    assert!(generated.qr_content.as_deref().unwrap().starts_with("000201010212"));
    assert!(generated.qr_url.as_deref().unwrap().ends_with(&reference_no));

    // Pending.
    let raw = env.query(&token, &reference_no, &partner_ref).await;
    let q: QrisQueryResponse = env.config.parse::<QrisQuery>(&raw).unwrap();
    assert_eq!(q.response_code.as_str(), "2005100");
    assert_eq!(q.latest_transaction_status, Some(TransactionStatus::Pending));

    // Refund before payment is not permitted.
    let raw = env.refund(&token, &reference_no, &partner_ref, "1.00").await;
    assert_eq!((raw.status, code(&raw).as_str()), (403, "4037815"));

    // Pay: the notification reaches our receiver and verifies.
    let outcome = env.sim.pay_qris(&reference_no).await.unwrap();
    assert_eq!(outcome.latest_transaction_status, "00");
    let delivery = outcome.notification.expect("dbProcessUrl was set");
    assert!(delivery.delivered, "{delivery:?}");
    assert_eq!(delivery.http_status, Some(200));
    assert!(delivery.response_body.as_deref().unwrap().contains("2005200"));
    let received = tokio::time::timeout(Duration::from_secs(5), notifications.recv())
        .await
        .unwrap()
        .unwrap();
    let notification = received.verified.expect("notification verifies");
    assert_eq!(
        notification.original_reference_no.as_deref(),
        Some(reference_no.as_str())
    );
    assert_eq!(
        notification.original_partner_reference_no.as_deref(),
        Some(partner_ref.as_str())
    );
    assert_eq!(notification.latest_transaction_status, Some(TransactionStatus::Success));
    assert_eq!(notification.amount.as_ref().unwrap().value(), "10000.00");
    assert_eq!(notification.external_store_id.as_deref(), Some(STORE));
    let header = |name: &str| {
        received
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    assert_eq!(header("x-client-key").as_deref(), Some("IONPAYTEST"));
    assert!(header("x-timestamp").unwrap().ends_with("+07:00"));
    assert_eq!(header("content-type").as_deref(), Some("application/json"));
    assert!(String::from_utf8(received.body)
        .unwrap()
        .contains("\"externalStoreID\""));

    // Paying twice is a conflict.
    assert!(env.sim.pay_qris(&reference_no).await.is_err());

    // Paid.
    let raw = env.query(&token, &reference_no, &partner_ref).await;
    let q: QrisQueryResponse = env.config.parse::<QrisQuery>(&raw).unwrap();
    assert_eq!(q.latest_transaction_status, Some(TransactionStatus::Success));
    assert_eq!(q.amount.unwrap().value(), "10000.00");

    // Partial refund.
    let req = env.refund_request(&reference_no, &partner_ref, "refund-1", "2500.00");
    let raw = env.send_refund(&token, &req).await.unwrap();
    let r: QrisRefundResponse = env.config.parse::<QrisRefund>(&raw).unwrap();
    assert_eq!(r.response_code.as_str(), "2007800");
    assert_eq!(r.partner_refund_no.as_deref(), Some("refund-1"));
    assert_eq!(r.refund_amount.unwrap().value(), "2500.00");
    assert!(r.refund_time.unwrap().ends_with("+07:00"));
    assert!(r.reference_no.is_some());
    assert_eq!(r.additional_info.unwrap().cancel_trx_sn.unwrap().len(), 20);

    // Same partnerRefundNo again (fresh X-EXTERNAL-ID) → duplicate.
    let raw = env.send_refund(&token, &req).await.unwrap();
    assert_eq!((raw.status, code(&raw).as_str()), (409, "4097801"));

    // Still paid, refunded total reported.
    let raw = env.query(&token, &reference_no, &partner_ref).await;
    let body = json(&raw);
    assert_eq!(body["latestTransactionStatus"], "00");
    assert_eq!(body["additionalInfo"]["refundedAmount"]["value"], "2500.00");

    // Over-refund of a partially refunded payment.
    let raw = env.refund(&token, &reference_no, &partner_ref, "7500.01").await;
    assert_eq!((raw.status, code(&raw).as_str()), (403, "4037802"));
    assert_eq!(message(&raw), "Exceeds Transaction Amount Limit");

    // Refund the rest → fully refunded.
    let raw = env.refund(&token, &reference_no, &partner_ref, "7500.00").await;
    assert_eq!(code(&raw), "2007800");
    let raw = env.query(&token, &reference_no, &partner_ref).await;
    let q: QrisQueryResponse = env.config.parse::<QrisQuery>(&raw).unwrap();
    assert_eq!(q.latest_transaction_status, Some(TransactionStatus::Refunded));
    assert_eq!(json(&raw)["additionalInfo"]["refundedAmount"]["value"], "10000.00");

    // Nothing more to refund.
    let raw = env.refund(&token, &reference_no, &partner_ref, "0.01").await;
    assert_eq!((raw.status, code(&raw).as_str()), (403, "4037815"));

    let state = env.sim.state();
    let txn = state.qris.iter().find(|t| t.reference_no == reference_no).unwrap();
    assert_eq!(txn.refunded_amount, "10000.00");
    assert_eq!(txn.refunds.len(), 2);
    env.sim.shutdown().await;
}

#[tokio::test]
async fn query_accepts_service_code_51_and_resend_notification() {
    let (env, notify_url, mut notifications, token) = Env::with_receiver().await;
    let (reference_no, partner_ref) = env.new_qr(&token, "150.00", Some(&notify_url)).await;
    let mut req = nicepay_snap::api::qris::QrisQueryRequest::new(&reference_no, &partner_ref, "IONPAYTEST", STORE);
    req.service_code = "51".into();
    let raw = send(
        &env.http,
        &env.config.prepare::<QrisQuery>(&req, &env.ctx(&token)).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(code(&raw), "2005100");
    assert_eq!(json(&raw)["serviceCode"], "51");

    // Resending before payment is refused; after it, the same notification arrives again.
    assert!(env.sim.resend_qris_notification(&reference_no).await.is_err());
    env.sim.pay_qris(&reference_no).await.unwrap();
    let again = env.sim.resend_qris_notification(&reference_no).await.unwrap().unwrap();
    assert!(again.delivered);
    for _ in 0..2 {
        let n = tokio::time::timeout(Duration::from_secs(5), notifications.recv())
            .await
            .unwrap()
            .unwrap();
        assert!(n.verified.is_ok());
    }
}

#[tokio::test]
async fn pretty_printed_body_is_verified_over_raw_bytes() {
    // The simulator hashes exactly the bytes it received, not a re-serialisation.
    let (env, token) = Env::with_token().await;
    let body = format!(
        "{{\n  \"partnerReferenceNo\": \"{}\",\n  \"amount\": {{ \"value\": \"10.00\", \"currency\": \"IDR\" }},\n  \"merchantId\": \"IONPAYTEST\",\n  \"storeId\": \"S1\",\n  \"additionalInfo\": {{ \"dbProcessUrl\": \"https:\\/\\/merchant.example\\/notify\" }}\n}}",
        unique("pretty")
    );
    let ts = now().to_string();
    let path = "/api/v1.0/qr/qr-mpm-generate";
    let signature = env
        .config
        .signer()
        .sign_transaction(
            nicepay_snap::Method::Post,
            path,
            token.expose_secret(),
            body.as_bytes(),
            &ts,
        )
        .unwrap();
    let send_with = |sig: String, external_id: String| {
        env.http
            .post(format!("{}/nicepay{path}", env.sim.base_url()))
            .header("Content-Type", "application/json")
            .header("Authorization", format!("Bearer {}", token.expose_secret()))
            .header("X-TIMESTAMP", &ts)
            .header("X-SIGNATURE", sig)
            .header("X-PARTNER-ID", "IONPAYTEST")
            .header("X-EXTERNAL-ID", external_id)
            .header("CHANNEL-ID", "IONPAYTEST01")
            .body(body.clone())
            .send()
    };
    let resp = send_with(signature.clone(), unique("x")).await.unwrap();
    assert_eq!(resp.status(), 200);
    let value: serde_json::Value = body_json(resp).await;
    assert_eq!(value["responseCode"], "2004700");

    // The minified form's signature does not match the pretty bytes that are sent.
    let minified = nicepay_snap::minify_json(body.as_bytes()).unwrap();
    let wrong = env
        .config
        .signer()
        .sign_transaction(nicepay_snap::Method::Post, path, token.expose_secret(), &minified, &ts)
        .unwrap();
    assert_ne!(wrong, signature);
    let resp = send_with(wrong, unique("x")).await.unwrap();
    assert_eq!(resp.status(), 401);
    let value: serde_json::Value = body_json(resp).await;
    assert_eq!(value["responseCode"], "4014700");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_refunds_never_exceed_the_paid_amount() {
    let env = Arc::new(Env::start().await);
    let token = env.token().await;
    let (reference_no, partner_ref) = env.paid_qr(&token, "10000.00").await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let env = env.clone();
        let token = token.clone();
        let (reference_no, partner_ref) = (reference_no.clone(), partner_ref.clone());
        tasks.push(tokio::spawn(async move {
            let req = env.refund_request(&reference_no, &partner_ref, &format!("race-{i}"), "1000.00");
            let raw = env.send_refund(&token, &req).await.unwrap();
            code(&raw)
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap().as_str() {
            "2007800" => ok += 1,
            "4037815" | "4037802" => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(ok, 10);
    let state = env.sim.state();
    let txn = state.qris.iter().find(|t| t.reference_no == reference_no).unwrap();
    assert_eq!(txn.refunded_amount, "10000.00");
    assert_eq!(txn.latest_transaction_status, "04");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_uneven_refunds_stay_within_amount() {
    let env = Arc::new(Env::start().await);
    let token = env.token().await;
    let (reference_no, partner_ref) = env.paid_qr(&token, "1000.00").await;
    let amounts = [
        "300.00", "450.00", "125.50", "99.99", "500.00", "260.00", "10.01", "333.33",
    ];
    let mut tasks = Vec::new();
    for (i, amount) in amounts.iter().cycle().take(20).enumerate() {
        let env = env.clone();
        let token = token.clone();
        let (reference_no, partner_ref) = (reference_no.clone(), partner_ref.clone());
        let amount = (*amount).to_owned();
        tasks.push(tokio::spawn(async move {
            let req = env.refund_request(&reference_no, &partner_ref, &format!("u-{i}"), &amount);
            let raw = env.send_refund(&token, &req).await.unwrap();
            (code(&raw), amount)
        }));
    }
    let mut total = 0u64;
    for t in tasks {
        let (code, amount) = t.await.unwrap();
        if code == "2007800" {
            total += nicepay_snap::Amount::idr(amount).unwrap().minor_units().unwrap();
        }
    }
    assert!(total <= 100_000, "refunded {total}");
    let state = env.sim.state();
    let txn = state.qris.iter().find(|t| t.reference_no == reference_no).unwrap();
    let recorded = nicepay_snap::Amount::idr(txn.refunded_amount.clone())
        .unwrap()
        .minor_units()
        .unwrap();
    assert_eq!(recorded, total);
}
