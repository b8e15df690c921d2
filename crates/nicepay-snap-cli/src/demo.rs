//! `nicepay-snap demo`: the whole QRIS flow against an embedded simulator, step by step.

use std::time::Duration;

use nicepay_snap::api::qris::{
    QrisGenerateAdditionalInfo, QrisGenerateRequest, QrisQueryRequest, QrisRefundAdditionalInfo, QrisRefundRequest,
};
use nicepay_snap::status::Product;
use nicepay_snap::{Amount, Config};
use nicepay_snap_client::{Client, Clock, SystemClock};
use nicepay_snap_simulator::Simulator;
use nicepay_snap_ureq::UreqTransport;

use crate::receiver;
use crate::Failure;

struct Steps(u32);

impl Steps {
    fn print(&mut self, what: &str, code: &str, detail: impl AsRef<str>) {
        self.0 += 1;
        println!("[{}] {what:<28} {code:<8} {}", self.0, detail.as_ref());
    }
}

fn fail(step: &str, e: impl std::fmt::Display) -> Failure {
    Failure(format!("{step} failed: {e}"))
}

pub(crate) fn qris() -> Result<(), Failure> {
    let sim = Simulator::builder()
        .start_blocking()
        .map_err(|e| fail("starting the simulator", e))?;
    let info = sim.info().clone();
    println!(
        "simulator listening on {} (client id {})",
        info.base_url, info.client_id
    );

    let config = Config::builder()
        .client_id(&info.client_id)
        .client_secret(info.client_secret.as_str())
        .private_key_text(info.private_key_pem.as_deref().unwrap_or_default())
        .notification_public_key_text(&info.notification_public_key)
        .base_url(&info.base_url)
        .build()?;
    let client = Client::new(
        config,
        UreqTransport::builder().timeout(Duration::from_secs(10)).build(),
    );
    let verifier = client.notification_verifier()?;
    let webhook = receiver::start(verifier).map_err(|e| fail("starting the notification endpoint", e))?;
    let mut steps = Steps(0);

    client.access_token().map_err(|e| fail("access token", e))?;
    steps.print("access token", "2007300", "Bearer token cached by the client (900 s)");

    let order = format!("order-{}", SystemClock.now_unix_millis());
    let merchant_id = info.client_id.clone();
    let generated = client
        .qris_generate(&QrisGenerateRequest {
            partner_reference_no: order.clone(),
            amount: Amount::idr("10000.00")?,
            merchant_id: merchant_id.clone(),
            store_id: "NICEPAY".into(),
            sub_merchant_id: None,
            validity_period: None,
            additional_info: QrisGenerateAdditionalInfo {
                goods_nm: Some("Kopi Susu".into()),
                db_process_url: Some(webhook.url.clone()),
                mitra_cd: Some("QSHP".into()),
                ..Default::default()
            },
        })
        .map_err(|e| fail("QRIS generate", e))?;
    let reference_no = generated.reference_no.clone().unwrap_or_default();
    steps.print(
        "QRIS generate 10000.00 IDR",
        generated.response_code.as_str(),
        format!(
            "referenceNo={reference_no} qrContent={}…",
            generated
                .qr_content
                .as_deref()
                .unwrap_or("")
                .chars()
                .take(24)
                .collect::<String>()
        ),
    );

    let paid = sim.pay_qris(&reference_no).map_err(|e| fail("simulated payment", e))?;
    let delivery = paid
        .notification
        .map(|d| format!("notification → {} answered HTTP {}", d.url, d.http_status.unwrap_or(0)))
        .unwrap_or_else(|| "no notification URL".into());
    steps.print("customer pays (simulator)", &paid.latest_transaction_status, delivery);

    let received = webhook
        .notifications
        .recv_timeout(Duration::from_secs(10))
        .map_err(|_| Failure("no notification arrived within 10 s".into()))?;
    let notification = received.verdict.map_err(|e| fail("notification verification", e))?;
    let ack: serde_json::Value = serde_json::from_slice(&received.ack.body)?;
    steps.print(
        "notification verified",
        ack["responseCode"].as_str().unwrap_or_default(),
        format!(
            "signature OK (X-TIMESTAMP {}), status {} {}",
            received.timestamp.unwrap_or_default(),
            notification
                .latest_transaction_status
                .as_ref()
                .map(|s| s.code())
                .unwrap_or("?"),
            notification
                .amount
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default()
        ),
    );

    let query = QrisQueryRequest::new(&reference_no, &order, &merchant_id, "NICEPAY");
    let status = client.qris_query(&query).map_err(|e| fail("QRIS query", e))?;
    let describe = |s: &Option<nicepay_snap::TransactionStatus>| {
        s.as_ref()
            .map(|s| format!("{} ({})", s.code(), s.describe(Product::Qris)))
            .unwrap_or_default()
    };
    steps.print(
        "QRIS query (confirm payment)",
        status.response_code.as_str(),
        format!(
            "latestTransactionStatus={}",
            describe(&status.latest_transaction_status)
        ),
    );

    let refund = |no: &str, value: &str| QrisRefundRequest {
        original_reference_no: reference_no.clone(),
        original_partner_reference_no: order.clone(),
        partner_refund_no: format!("{order}-{no}"),
        merchant_id: merchant_id.clone(),
        external_store_id: "NICEPAY".into(),
        refund_amount: Amount::idr(value).expect("literal amount"),
        reason: "Customer request".into(),
        additional_info: QrisRefundAdditionalInfo::default(),
    };
    for (no, value, label) in [
        ("r1", "4000.00", "partial refund 4000.00"),
        ("r2", "6000.00", "refund the rest 6000.00"),
    ] {
        let r = client.qris_refund(&refund(no, value)).map_err(|e| fail(label, e))?;
        steps.print(
            label,
            r.response_code.as_str(),
            format!("refund referenceNo={}", r.reference_no.unwrap_or_default()),
        );
    }

    match client.qris_refund(&refund("r3", "1.00")) {
        Err(e) => steps.print(
            "over-refund 1.00 (rejected)",
            e.response_code()
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default()
                .as_str(),
            e.to_string(),
        ),
        Ok(_) => return Err(Failure("the simulator accepted a refund above the paid amount".into())),
    }

    let status = client.qris_query(&query).map_err(|e| fail("QRIS query", e))?;
    steps.print(
        "QRIS query (final)",
        status.response_code.as_str(),
        format!(
            "latestTransactionStatus={}",
            describe(&status.latest_transaction_status)
        ),
    );
    sim.shutdown();
    println!("demo finished: every step answered as NICEPAY's sandbox would");
    Ok(())
}
