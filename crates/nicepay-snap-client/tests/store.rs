//! The state store against the simulator on 127.0.0.1: notification dedupe.

use nicepay_snap::api::qris::QrisNotification;
use nicepay_snap_client::{Client, ClientOptions, Store};
use nicepay_snap_simulator::SimulatorInfo;
use nicepay_snap_ureq::UreqTransport;

#[path = "common/sim.rs"]
mod sim;
use sim::{config, qris_generate, start_blocking, unique, Inbox, Received};

/// A blocking client on `store`.
fn client_on(info: &SimulatorInfo, store: &Store) -> Client<UreqTransport> {
    sim::ureq_client(info).with_options(ClientOptions::default().store(store.clone()))
}

/// A QRIS payment of `value` whose notification reached an inbox.
fn paid_notification(sim: &nicepay_snap_simulator::BlockingSimulator, value: &str) -> Received {
    let info = sim.info();
    let inbox = Inbox::start("2005200");
    let mut req = qris_generate(info, &unique("order"), value);
    req.additional_info.db_process_url = Some(inbox.url.clone());
    let client = sim::ureq_client(info);
    let reference_no = client.qris_generate(&req).unwrap().reference_no.unwrap();
    sim.pay_qris(&reference_no).unwrap();
    inbox.next()
}

#[test]
fn a_repeated_notification_is_a_duplicate_on_the_same_store_only() {
    let (sim, info, _) = start_blocking();
    let (headers, body) = paid_notification(&sim, "15000.00");
    let store = Store::memory();
    let first = client_on(&info, &store);
    // A forged body (edited amount) is not paid, and is not recorded: the genuine notification
    // that follows is not a repeat of it.
    let forged = String::from_utf8_lossy(&body).replace("15000.00", "99999.00");
    let forged = first.verify_and_confirm::<QrisNotification>(&headers, forged.as_bytes());
    let forged = forged.unwrap();
    assert!(!forged.paid && !forged.duplicate);
    let confirmed = first.verify_and_confirm::<QrisNotification>(&headers, &body).unwrap();
    assert!(confirmed.paid && !confirmed.duplicate);
    // Delivered again: to the same client, to another client on the same store, as JSON.
    let again = first.verify_and_confirm::<QrisNotification>(&headers, &body).unwrap();
    assert!(again.paid && again.duplicate);
    let sibling = client_on(&info, &store);
    let json = sibling
        .verify_and_confirm_json("qris".parse().unwrap(), &headers, &body)
        .unwrap();
    assert_eq!(
        (json["paid"].as_bool(), json["duplicate"].as_bool()),
        (Some(true), Some(true))
    );
    // A client with a store of its own (the default) has not seen it.
    let stranger = Client::new(config(&info), UreqTransport::default());
    let fresh = stranger
        .verify_and_confirm::<QrisNotification>(&headers, &body)
        .unwrap();
    assert!(fresh.paid && !fresh.duplicate);
    // Another payment is not a repeat.
    let (headers2, body2) = paid_notification(&sim, "15000.00");
    let other = first.verify_and_confirm::<QrisNotification>(&headers2, &body2).unwrap();
    assert!(other.paid && !other.duplicate);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_async_client_reports_duplicates_too() {
    let (sim, info, client) = sim::start_async().await;
    let inbox = Inbox::start("2005200");
    let mut req = qris_generate(&info, &unique("order"), "2500.00");
    req.additional_info.db_process_url = Some(inbox.url.clone());
    let reference_no = client.qris_generate(&req).await.unwrap().reference_no.unwrap();
    sim.pay_qris(&reference_no).await.unwrap();
    let (headers, body) = tokio::task::spawn_blocking(move || inbox.next()).await.unwrap();
    let first = client
        .verify_and_confirm::<QrisNotification>(&headers, &body)
        .await
        .unwrap();
    assert!(first.paid && !first.duplicate);
    let again = client
        .verify_and_confirm::<QrisNotification>(&headers, &body)
        .await
        .unwrap();
    assert!(again.paid && again.duplicate);
}
