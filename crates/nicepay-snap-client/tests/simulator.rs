//! Both transports and both clients against the simulator on 127.0.0.1: the happy path and
//! every error the simulator models, including unknown outcomes from injected faults.

use std::sync::Arc;
use std::time::Duration;

use nicepay_snap::api::qris::QrisNotification;
use nicepay_snap::{Config, ExternalId, RequestContext, SyncTransport, Timestamp, TransactionStatus};
use nicepay_snap_client::{Client, ClientError, Clock, SystemClock};
use nicepay_snap_simulator::Fault;
use nicepay_snap_ureq::UreqTransport;

#[path = "common/sim.rs"]
mod sim;
use sim::{
    config, confirm_unless_forged, faults_around, paid_qr, qris_generate, qris_query, qris_refund, start_async,
    start_blocking, unique, ureq_client, ureq_client_within, Inbox,
};

const REFUND: &str = "/api/v1.0/qr/qr-mpm-refund";

fn code(e: &ClientError) -> String {
    e.response_code()
        .map(|c| c.as_str().to_owned())
        .unwrap_or_else(|| format!("{e:?}"))
}

#[test]
fn blocking_client_over_ureq_full_flow() {
    let (sim, info, client) = start_blocking();
    let order = unique("order");
    let generated = client.qris_generate(&qris_generate(&info, &order, "10000.00")).unwrap();
    assert_eq!(generated.response_code.as_str(), "2004700");
    let reference_no = generated.reference_no.clone().unwrap();
    let query = qris_query(&info, &reference_no, &order);
    assert_eq!(
        client.qris_query(&query).unwrap().latest_transaction_status,
        Some(TransactionStatus::Pending)
    );

    // Refund before payment is not permitted.
    let early = client
        .qris_refund(&qris_refund(&info, &reference_no, &order, &unique("r"), "1.00"))
        .unwrap_err();
    assert_eq!(code(&early), "4037815");

    sim.pay_qris(&reference_no).unwrap();
    let paid = client.qris_query(&query).unwrap();
    assert_eq!(paid.latest_transaction_status, Some(TransactionStatus::Success));
    assert_eq!(paid.amount.unwrap().value(), "10000.00");

    let r1 = unique("r");
    let partial = client
        .qris_refund(&qris_refund(&info, &reference_no, &order, &r1, "4000.00"))
        .unwrap();
    assert_eq!(partial.response_code.as_str(), "2007800");
    assert_eq!(partial.refund_amount.unwrap().value(), "4000.00");
    assert!(partial.refund_time.unwrap().ends_with("+07:00"));
    // The same partnerRefundNo again is a duplicate, never a second refund.
    let dup = client
        .qris_refund(&qris_refund(&info, &reference_no, &order, &r1, "4000.00"))
        .unwrap_err();
    assert_eq!(code(&dup), "4097801");
    assert!(dup.is_duplicate() && !dup.is_outcome_unknown());
    // More than what is left is refused.
    let over = client
        .qris_refund(&qris_refund(&info, &reference_no, &order, &unique("r"), "6000.01"))
        .unwrap_err();
    assert!(code(&over).starts_with("403"), "{over:?}");
    assert!(!over.is_duplicate());
    client
        .qris_refund(&qris_refund(&info, &reference_no, &order, &unique("r"), "6000.00"))
        .unwrap();
    assert_eq!(
        client.qris_query(&query).unwrap().latest_transaction_status,
        Some(TransactionStatus::Refunded)
    );

    // Unknown reference, duplicate order id.
    let missing = client
        .qris_query(&qris_query(&info, "IONPAYTEST99999999999999999999", "nope"))
        .unwrap_err();
    assert_eq!(code(&missing), "4045101");
    let dup_order = client.qris_generate(&qris_generate(&info, &order, "1.00")).unwrap_err();
    assert_eq!(code(&dup_order), "4094701");
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_client_over_reqwest_full_flow() {
    let (sim, info, client) = start_async().await;
    let order = unique("order");
    let generated = client
        .qris_generate(&qris_generate(&info, &order, "50000.00"))
        .await
        .unwrap();
    let reference_no = generated.reference_no.unwrap();
    sim.pay_qris(&reference_no).await.unwrap();
    let query = qris_query(&info, &reference_no, &order);
    assert_eq!(
        client.qris_query(&query).await.unwrap().latest_transaction_status,
        Some(TransactionStatus::Success)
    );
    let refunded = client
        .qris_refund(&qris_refund(&info, &reference_no, &order, &unique("r"), "50000.00"))
        .await
        .unwrap();
    assert_eq!(refunded.response_code.as_str(), "2007800");
    // Kotlin SDK's serviceCode "51" is accepted too.
    let mut q51 = query.clone();
    q51.service_code = "51".into();
    assert_eq!(
        client.qris_query(&q51).await.unwrap().latest_transaction_status,
        Some(TransactionStatus::Refunded)
    );
    sim.shutdown().await;
}

#[test]
fn expired_tokens_are_refreshed_transparently() {
    let (sim, info, client) = start_blocking();
    let first = client.access_token().unwrap();
    sim.expire_tokens();
    let order = unique("order");
    client.qris_generate(&qris_generate(&info, &order, "1.00")).unwrap();
    let second = client.access_token().unwrap();
    assert_ne!(first, second, "a fresh token replaced the rejected one");
    sim.shutdown();
}

#[test]
fn wrong_credentials_and_clock_skew_are_rejected_with_snap_codes() {
    let (sim, info, _) = start_blocking();

    let wrong_secret = Config::builder()
        .client_id(&info.client_id)
        .client_secret("not-the-secret")
        .private_key_text(info.private_key_pem.as_deref().unwrap())
        .base_url(&info.base_url)
        .build()
        .unwrap();
    let client = Client::new(wrong_secret, UreqTransport::new());
    let err = client
        .qris_generate(&qris_generate(&info, &unique("o"), "1.00"))
        .unwrap_err();
    assert_eq!(code(&err), "4014700");

    let other_key = Config::builder()
        .client_id(&info.client_id)
        .client_secret(info.client_secret.as_str())
        .private_key_text(include_str!(
            "../../../tests/keys/nicepay-notification-test-private-pkcs8.pem"
        ))
        .base_url(&info.base_url)
        .build()
        .unwrap();
    let err = Client::new(other_key, UreqTransport::new()).access_token().unwrap_err();
    assert_eq!(code(&err), "4017300");

    #[derive(Debug)]
    struct Skewed;
    impl Clock for Skewed {
        fn now_unix_millis(&self) -> u64 {
            SystemClock.now_unix_millis() + 3_600_000
        }
    }
    let skewed = ureq_client(&info).with_clock(Arc::new(Skewed));
    let err = skewed.access_token().unwrap_err();
    assert_eq!(code(&err), "4007301");
    sim.shutdown();
}

#[test]
fn reused_external_id_on_the_same_day_is_a_conflict() {
    let (sim, info, client) = start_blocking();
    let token = client.access_token().unwrap();
    let cfg = config(&info);
    let transport = UreqTransport::new();
    let ctx = RequestContext {
        access_token: &token,
        timestamp: SystemClock.now(),
        external_id: ExternalId::new("123456789012345").unwrap(),
    };
    let query = qris_query(&info, "IONPAYTEST99999999999999999999", "o");
    let first = transport
        .send(&cfg.prepare::<nicepay_snap::api::qris::QrisQuery>(&query, &ctx).unwrap())
        .unwrap();
    assert!(std::str::from_utf8(&first.body).unwrap().contains("4045101"));
    let second = transport
        .send(&cfg.prepare::<nicepay_snap::api::qris::QrisQuery>(&query, &ctx).unwrap())
        .unwrap();
    assert!(
        std::str::from_utf8(&second.body).unwrap().contains("4095100"),
        "{:?}",
        String::from_utf8_lossy(&second.body)
    );
    let _ = Timestamp::from_unix_seconds(0);
    sim.shutdown();
}

#[test]
fn faults_on_refund_become_unknown_outcomes_resolved_by_the_same_identity() {
    let (sim, info, client) = start_blocking();
    let accepted = ("202 after apply", Fault::respond_after(REFUND, 202).times(1), true);
    for (name, fault, applied) in faults_around(REFUND).into_iter().chain([accepted]) {
        let (reference_no, order) = paid_qr(&sim, &client, "10000.00");
        sim.set_fault(fault).unwrap();
        let refund_no = unique("r");
        let req = qris_refund(&info, &reference_no, &order, &refund_no, "10000.00");
        match client.qris_refund(&req) {
            Err(ClientError::OutcomeUnknown { identifiers, .. }) => {
                assert!(
                    identifiers.contains(&("partnerRefundNo".into(), refund_no.clone())),
                    "{name}"
                );
            }
            other => panic!("{name}: expected an unknown outcome, got {other:?}"),
        }
        // Resolve: resend the very same refund (same partnerRefundNo). If the first attempt
        // was applied it is a duplicate; otherwise it is applied now. Never twice.
        match client.qris_refund(&req) {
            Ok(_) => assert!(!applied, "{name}: applied twice?"),
            Err(e) => {
                assert!(applied, "{name}: {e:?}");
                assert_eq!(code(&e), "4097801", "{name}");
            }
        }
        let status = client.qris_query(&qris_query(&info, &reference_no, &order)).unwrap();
        assert_eq!(
            status.latest_transaction_status,
            Some(TransactionStatus::Refunded),
            "{name}"
        );
    }
    // A slow server: the refund times out client-side (unknown), a query is a transport error.
    let (reference_no, order) = paid_qr(&sim, &client, "10000.00");
    let impatient = ureq_client_within(&info, Duration::from_millis(300));
    impatient.access_token().unwrap();
    sim.set_fault(Fault::latency(REFUND, 1_000).times(1)).unwrap();
    let err = impatient
        .qris_refund(&qris_refund(&info, &reference_no, &order, &unique("r"), "1.00"))
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
    sim.set_fault(Fault::latency("/api/v1.0/qr/qr-mpm-query", 1_000).times(1))
        .unwrap();
    let err = impatient
        .qris_query(&qris_query(&info, &reference_no, &order))
        .unwrap_err();
    assert!(matches!(err, ClientError::Transport(_)), "{err:?}");
    sim.shutdown();
}

#[test]
fn notifications_from_the_simulator_verify_with_the_client() {
    let (sim, info, client) = start_blocking();
    // A minimal merchant endpoint that records the request.
    let inbox = Inbox::start("2005200");
    let order = unique("order");
    let mut req = qris_generate(&info, &order, "12345.00");
    req.additional_info.db_process_url = Some(inbox.url.clone());
    let reference_no = client.qris_generate(&req).unwrap().reference_no.unwrap();
    let outcome = sim.pay_qris(&reference_no).unwrap();
    assert!(outcome.notification.unwrap().delivered);
    let (headers, body) = inbox.next();
    let n: QrisNotification = client.verify_notification(&headers, &body).unwrap();
    assert_eq!(n.original_reference_no.as_deref(), Some(reference_no.as_str()));
    assert_eq!(n.latest_transaction_status, Some(TransactionStatus::Success));
    assert_eq!(n.amount.unwrap().value(), "12345.00");
    // The signature does not cover the body: confirm by query before fulfilling.
    // A body edited in transit must not be confirmed.
    let received = (headers, body);
    let confirmed = confirm_unless_forged::<QrisNotification>(&client, &received, "12345.00", "99999.00");
    let (headers, body) = received;
    assert!(confirmed.paid);
    assert_eq!(
        confirmed.status.latest_transaction_status,
        Some(TransactionStatus::Success)
    );
    // Tampering with the timestamp breaks the signature.
    let tampered: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| {
            if k.eq_ignore_ascii_case("x-timestamp") {
                (k.clone(), v.replace(":0", ":1"))
            } else {
                (k.clone(), v.clone())
            }
        })
        .collect();
    assert!(client
        .verify_notification::<serde_json::Value>(&tampered, &body)
        .is_err());
    sim.shutdown();
}
