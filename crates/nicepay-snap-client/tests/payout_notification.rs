//! The payout result notification: the simulator posts it after an immediate payout's approve,
//! a reject and a scheduled payout's execution; the client verifies it and confirms it by payout
//! inquiry.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

use nicepay_snap::api::payout::{PayoutNotification, PayoutReference, PayoutRegistrationRequest};
use nicepay_snap::{Amount, Config};
use nicepay_snap_client::Client;
use nicepay_snap_simulator::{Simulator, SimulatorInfo};
use nicepay_snap_ureq::UreqTransport;

type Delivered = (Vec<(String, String)>, Vec<u8>);

/// A loopback receiver answering 200 to every POST and passing each on.
fn inbox() -> (String, mpsc::Receiver<Delivered>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api/v1.0/transfer/notify", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut headers = Vec::new();
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            loop {
                line.clear();
                reader.read_line(&mut line).unwrap();
                let trimmed = line.trim_end();
                if trimmed.is_empty() {
                    break;
                }
                let (k, v) = trimmed.split_once(':').unwrap();
                headers.push((k.trim().to_owned(), v.trim().to_owned()));
            }
            let len: usize = headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                .map_or(0, |(_, v)| v.parse().unwrap());
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            let ack = br#"{"responseCode":"2000000","responseMessage":"Success"}"#;
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                ack.len()
            )
            .unwrap();
            stream.write_all(ack).unwrap();
            if tx.send((headers, body)).is_err() {
                return;
            }
        }
    });
    (url, rx)
}

fn client(info: &SimulatorInfo) -> Client<UreqTransport> {
    let config = Config::builder()
        .client_id(&info.client_id)
        .client_secret(info.client_secret.as_str())
        .private_key_text(info.private_key_pem.as_deref().unwrap())
        .notification_public_key_text(&info.notification_public_key)
        .base_url(&info.base_url)
        .build()
        .unwrap();
    Client::new(config, UreqTransport::builder().timeout(Duration::from_secs(5)).build())
}

fn register(
    client: &Client<UreqTransport>,
    info: &SimulatorInfo,
    order: &str,
    value: &str,
    scheduled: bool,
) -> PayoutReference {
    let request: PayoutRegistrationRequest = serde_json::from_value(serde_json::json!({
        "partnerReferenceNo": order,
        "merchantId": info.client_id,
        "beneficiaryAccountNo": "5345000060",
        "beneficiaryName": "Ani Wijaya",
        "beneficiaryPhone": "08123456789",
        "beneficiaryCustomerResidence": "1",
        "beneficiaryCustomerType": "1",
        "beneficiaryPostalCode": "10110",
        "beneficiaryBankCode": "BNIA",
        "payoutMethod": "0",
        "description": "Seller payout",
        "reservedDt": if scheduled { "20991231" } else { "" },
        "reservedTm": if scheduled { "100000" } else { "" },
        "deliveryId": "",
        "deliveryNm": "Ani",
        "amount": {"value": value, "currency": "IDR"},
    }))
    .unwrap();
    let registered = client.payout_registration(&request).unwrap();
    PayoutReference {
        original_reference_no: registered.reference_no.unwrap(),
        original_partner_reference_no: order.to_owned(),
        merchant_id: info.client_id.clone(),
        beneficiary_account_no: None,
    }
}

#[test]
fn payout_notifications_are_sent_verified_and_confirmed() {
    let sim = Simulator::builder().start_blocking().unwrap();
    let info = sim.info().clone();
    let (url, inbox) = inbox();
    sim.set_payout_notification_url(&info.client_id, Some(url.clone()));
    let client = client(&info);
    let next = || inbox.recv_timeout(Duration::from_secs(10)).expect("a notification");

    // Approved immediately: notified 00, confirmed paid by inquiry.
    let paid = register(&client, &info, "po-notify-1", "1500.00", false);
    client.payout_approve(&paid).unwrap();
    let (headers, body) = next();
    assert!(headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("X-CLIENT-KEY") && *v == info.client_id));
    let confirmed = client
        .verify_and_confirm::<PayoutNotification>(&headers, &body)
        .unwrap();
    assert!(confirmed.paid);
    assert_eq!(
        confirmed.notification.original_reference_no.as_deref(),
        Some(paid.original_reference_no.as_str())
    );
    assert_eq!(confirmed.notification.amount, Some(Amount::idr("1500.00").unwrap()));
    // The body is not signed: an edited amount is caught by the inquiry.
    let edited = String::from_utf8(body.clone()).unwrap().replace("1500.00", "9999.00");
    assert!(
        !client
            .verify_and_confirm::<PayoutNotification>(&headers, edited.as_bytes())
            .unwrap()
            .paid
    );
    // The JSON form the bindings use, by product name.
    let json = client
        .verify_and_confirm_json("payout".parse().unwrap(), &headers, &body)
        .unwrap();
    assert_eq!(json["paid"], true);

    // Rejected: notified 05, confirmed not paid.
    let rejected = register(&client, &info, "po-notify-2", "1000.00", false);
    client.payout_reject(&rejected).unwrap();
    let (headers, body) = next();
    let confirmed = client
        .verify_and_confirm::<PayoutNotification>(&headers, &body)
        .unwrap();
    assert!(!confirmed.paid);
    assert_eq!(confirmed.notification.latest_transaction_status.unwrap().code(), "05");

    // Scheduled: approve sends nothing; execution notifies; an executed payout cannot be cancelled.
    let scheduled = register(&client, &info, "po-notify-3", "2000.00", true);
    client.payout_approve(&scheduled).unwrap();
    assert!(
        inbox.recv_timeout(Duration::from_millis(300)).is_err(),
        "no notification before execution"
    );
    let delivery = sim.execute_payout(&scheduled.original_reference_no).unwrap().unwrap();
    assert!(delivery.delivered);
    let (headers, body) = next();
    assert!(
        client
            .verify_and_confirm::<PayoutNotification>(&headers, &body)
            .unwrap()
            .paid
    );
    assert!(client.payout_cancel(&scheduled).is_err());
    assert!(
        sim.execute_payout(&scheduled.original_reference_no).is_err(),
        "executed once"
    );
    assert_eq!(sim.payout_notifications().len(), 3);

    // Forged: another key's signature is refused before any inquiry.
    let mut forged = headers.clone();
    for (k, v) in &mut forged {
        if k.eq_ignore_ascii_case("X-SIGNATURE") {
            *v = "AAAA".into();
        }
    }
    assert!(client.verify_and_confirm::<PayoutNotification>(&forged, &body).is_err());
}
