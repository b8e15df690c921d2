//! Admin API, SimulatorInfo and the blocking handle.

use nicepay_snap_simulator::{Simulator, SimulatorInfo, StateSnapshot};

use crate::common::*;

#[tokio::test]
async fn admin_pay_state_and_info_over_http() {
    let (env, notify_url, mut rx, token) = Env::with_receiver().await;
    let (reference_no, partner_ref) = env.new_qr(&token, "500.00", Some(&notify_url)).await;

    let resp = env.post(&format!("/__admin/qris/{reference_no}/pay"), "").await;
    assert_eq!(resp.status(), 200);
    let outcome: serde_json::Value = body_json(resp).await;
    assert_eq!(outcome["referenceNo"], reference_no.as_str());
    assert_eq!(outcome["latestTransactionStatus"], "00");
    assert_eq!(outcome["notification"]["delivered"], true);
    assert_eq!(outcome["notification"]["httpStatus"], 200);
    assert!(rx.recv().await.unwrap().verified.is_ok());

    let resp = env.post(&format!("/__admin/qris/{reference_no}/pay"), "").await;
    assert_eq!(resp.status(), 409);
    let resp = env.post("/__admin/qris/NOPE/pay", "").await;
    assert_eq!(resp.status(), 404);
    let resp = env.post(&format!("/__admin/qris/{reference_no}/notify"), "").await;
    assert_eq!(resp.status(), 200);

    let state: StateSnapshot = body_json(env.get("/__admin/state").await).await;
    assert_eq!(state.client_ids, vec!["IONPAYTEST".to_owned()]);
    assert_eq!(state.active_tokens, 1);
    let txn = state.qris.iter().find(|t| t.reference_no == reference_no).unwrap();
    assert_eq!(txn.partner_reference_no, partner_ref);
    assert_eq!(txn.latest_transaction_status, "00");
    assert_eq!(txn.amount, "500.00");
    let dump = env.get("/__admin/state").await.text().await.unwrap();
    assert!(
        !dump.contains(token.expose_secret()),
        "the state dump must not leak tokens"
    );

    let served: SimulatorInfo = body_json(env.get("/__admin/info").await).await;
    assert_eq!(&served, env.sim.info());

    let resp = env.post("/__admin/tokens/expire", "").await;
    assert_eq!(resp.status(), 200);
    let raw = env.query(&token, &reference_no, &partner_ref).await;
    assert_eq!(code(&raw), "4015101");
}

#[tokio::test]
async fn notification_to_a_dead_or_foreign_url_is_reported() {
    let (env, token) = Env::with_token().await;
    // A closed port on loopback.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (reference_no, _) = env
        .new_qr(&token, "1.00", Some(&format!("http://127.0.0.1:{port}/n")))
        .await;
    let outcome = env.sim.pay_qris(&reference_no).await.unwrap();
    let delivery = outcome.notification.unwrap();
    assert!(!delivery.delivered);
    assert!(delivery.error.is_some());

    // Never leaves the machine.
    let (reference_no, _) = env
        .new_qr(&token, "1.00", Some("https://merchant.example/notify"))
        .await;
    let delivery = env.sim.pay_qris(&reference_no).await.unwrap().notification.unwrap();
    assert!(!delivery.delivered);
    assert!(delivery.error.unwrap().contains("loopback"));

    // No dbProcessUrl: nothing to deliver.
    let (reference_no, _) = env.new_qr(&token, "1.00", None).await;
    assert!(env.sim.pay_qris(&reference_no).await.unwrap().notification.is_none());
}

#[tokio::test]
async fn info_is_one_json_line_and_debug_redacts() {
    let sim = Simulator::builder()
        .client_secret("s3cr3t-value")
        .start()
        .await
        .unwrap();
    let line = sim.info().to_json_line();
    assert!(!line.contains('\n'));
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "baseUrl",
            "clientId",
            "clientSecret",
            "privateKeyPem",
            "notificationPublicKey"
        ]
    );
    assert_eq!(v["clientSecret"], "s3cr3t-value");
    assert!(v["privateKeyPem"].as_str().unwrap().contains("BEGIN PRIVATE KEY"));
    assert!(v["notificationPublicKey"]
        .as_str()
        .unwrap()
        .starts_with("-----BEGIN PUBLIC KEY-----"));
    let debug = format!("{sim:?}");
    assert!(!debug.contains("s3cr3t-value"));
    assert!(!debug.contains("PRIVATE KEY"));
    sim.shutdown().await;

    let public_only = Simulator::builder()
        .merchant_public_key_pem(include_str!("../../../../tests/keys/merchant-test-public.pem"))
        .start()
        .await
        .unwrap();
    assert!(public_only.info().private_key_pem.is_none());
    assert!(Simulator::builder()
        .merchant_private_key_pem("garbage")
        .build()
        .is_err());
}

/// Sends `request` on a raw std `TcpStream` and reads the answer until the server closes.
fn exchange(addr: std::net::SocketAddr, request: &[u8]) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream.write_all(request).unwrap();
    let mut out = String::new();
    stream.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn blocking_simulator_runs_without_a_runtime() {
    let sim = Simulator::builder().start_blocking().unwrap();
    let base = sim.base_url().to_owned();
    assert!(base.starts_with("http://127.0.0.1:"));
    // Any blocking HTTP client works; here a raw std TcpStream to keep the test dependency-free.
    let out = exchange(
        sim.addr(),
        b"GET /__admin/state HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    assert!(out.contains("\"clientIds\":[\"IONPAYTEST\"]"));
    assert!(sim.pay_qris("NOPE").is_err());
    assert!(sim.state().qris.is_empty());
    sim.shutdown();
    assert!(std::net::TcpStream::connect(base.trim_start_matches("http://")).is_err());
}

#[tokio::test]
async fn blocking_calls_inside_a_runtime_are_errors_not_panics() {
    assert!(Simulator::builder().start_blocking().is_err());
}

#[test]
fn admin_shutdown_ends_wait() {
    let sim = Simulator::builder().start_blocking().unwrap();
    let addr = sim.addr();
    let waiter = std::thread::spawn(move || sim.wait());
    let out = exchange(
        addr,
        b"POST /__admin/shutdown HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    assert!(out.starts_with("HTTP/1.1 200"), "{out}");
    waiter.join().unwrap().unwrap();
    assert!(std::net::TcpStream::connect(addr).is_err());
}
