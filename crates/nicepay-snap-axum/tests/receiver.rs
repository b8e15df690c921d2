//! The axum adapter under axum on tokio, on a loopback port: the simulator pays a QRIS, a VA and
//! an e-wallet transaction and delivers their signed notifications (tests/receivers/scenario.json,
//! shared with the Python and Node adapter suites); `on_paid` runs once per payment; forged,
//! stale, foreign, malformed, oversize and replayed deliveries are refused or acknowledged as
//! the scenario says, without running `on_paid`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use nicepay_snap::api::notification::sign_notification;
use nicepay_snap::PrivateKey;
use nicepay_snap_axum::{notifications, HandledNotification, NotificationHandler};
use nicepay_snap_client::AsyncClient;
use nicepay_snap_reqwest::ReqwestTransport;
use nicepay_snap_simulator::{Simulator, SimulatorInfo};
use serde_json::{json, Value};

const SCENARIO: &str = include_str!("../../../tests/receivers/scenario.json");
const NICEPAY_KEY: &str = include_str!("../../../tests/keys/nicepay-notification-test-private-pkcs8.pem");
const MERCHANT_KEY: &str = include_str!("../../../tests/keys/merchant-test-private-pkcs8.pem");

fn client(info: &SimulatorInfo) -> AsyncClient<ReqwestTransport> {
    let transport = ReqwestTransport::builder().timeout(Duration::from_secs(10)).build();
    AsyncClient::new(info.client_config().expect("config"), transport.expect("reqwest"))
}

/// POSTs to the simulator's admin API, answering its JSON.
async fn admin(http: &reqwest::Client, info: &SimulatorInfo, path: &str) -> Value {
    let response = http
        .post(format!("{}{path}", info.base_url))
        .send()
        .await
        .expect("admin call");
    assert!(response.status().is_success(), "{path}: {}", response.status());
    serde_json::from_slice(&response.bytes().await.expect("admin body")).expect("admin JSON")
}

/// A delivery of `body` to `url` with the notification headers of `timestamp`.
struct Delivery {
    timestamp: String,
    client_key: String,
    signature: String,
    body: Vec<u8>,
}

impl Delivery {
    /// The delivery the simulator reported (`notification` of a pay answer), re-signed with
    /// NICEPAY's test key exactly as the simulator signed it.
    fn of(info: &SimulatorInfo, notification: &Value) -> Self {
        let timestamp = notification["timestamp"].as_str().expect("timestamp").to_owned();
        Self {
            signature: sign(NICEPAY_KEY, &info.client_id, &timestamp),
            timestamp,
            client_key: info.client_id.clone(),
            body: notification["body"].as_str().expect("body").as_bytes().to_vec(),
        }
    }

    /// This delivery with a scenario refusal's change applied.
    fn changed(&self, info: &SimulatorInfo, change: &Value) -> Self {
        let timestamp = change["timestamp"].as_str().unwrap_or(&self.timestamp).to_owned();
        let signature = match change["signWith"].as_str() {
            Some("merchant") => sign(MERCHANT_KEY, &info.client_id, &timestamp),
            Some(_) => sign(NICEPAY_KEY, &info.client_id, &timestamp),
            None => self.signature.clone(),
        };
        let body = match (change["body"].as_str(), change["bodyRepeat"].as_u64()) {
            (Some(text), _) => text.as_bytes().to_vec(),
            (None, Some(n)) => vec![b'x'; usize::try_from(n).expect("size")],
            (None, None) => self.body.clone(),
        };
        Self {
            timestamp,
            client_key: change["clientKey"].as_str().unwrap_or(&self.client_key).to_owned(),
            signature,
            body,
        }
    }

    /// Posts it; answers (status, responseCode).
    async fn post(&self, http: &reqwest::Client, url: &str) -> (u16, String) {
        let response = http
            .post(url)
            .header("Content-Type", "application/json")
            .header("X-TIMESTAMP", &self.timestamp)
            .header("X-CLIENT-KEY", &self.client_key)
            .header("X-SIGNATURE", &self.signature)
            .body(self.body.clone())
            .send()
            .await
            .expect("delivery");
        let status = response.status().as_u16();
        let body: Value = serde_json::from_slice(&response.bytes().await.expect("ack")).expect("ack JSON");
        (status, body["responseCode"].as_str().unwrap_or_default().to_owned())
    }
}

/// The `responseCode` the app acknowledged a simulator delivery (`notification` of an admin
/// answer) with, after checking that it answered HTTP 200.
fn acknowledged(answer: &Value) -> Value {
    let delivery = &answer["notification"];
    assert_eq!(delivery["httpStatus"], json!(200), "{delivery}");
    let ack: Value = serde_json::from_str(delivery["responseBody"].as_str().expect("ack")).expect("ack JSON");
    ack["responseCode"].clone()
}

fn sign(pem: &str, client_id: &str, timestamp: &str) -> String {
    sign_notification(&PrivateKey::parse(pem).expect("key"), client_id, timestamp).expect("sign")
}

/// `{placeholder}`s of the scenario's request replaced.
fn fill(template: &Value, values: &[(&str, &str)]) -> Value {
    let mut text = template.to_string();
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), value);
    }
    serde_json::from_str(&text).expect("filled request")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_app_receives_verifies_and_acknowledges_notifications() {
    let scenario: Value = serde_json::from_str(SCENARIO).expect("scenario");
    let sim = Simulator::builder().start().await.expect("simulator");
    let info = sim.info().clone();
    let paid: Arc<Mutex<Vec<HandledNotification>>> = Arc::default();
    let record = paid.clone();
    let app = notifications(
        NotificationHandler::new(client(&info)),
        move |n: HandledNotification| {
            let record = record.clone();
            async move { record.lock().expect("paid").push(n) }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let merchant = client(&info);
    let http = reqwest::Client::builder().no_proxy().build().expect("http");

    let mut qris_delivery = None;
    let mut ids = Vec::new();
    for (i, payment) in scenario["payments"].as_array().expect("payments").iter().enumerate() {
        let order = format!("recv-{i}-{}", std::process::id());
        let request = fill(
            &payment["request"],
            &[("order", &order), ("clientId", &info.client_id), ("base", &base)],
        );
        let operation = payment["operation"].as_str().expect("operation");
        let created = merchant.execute_json(operation, request).await.expect(operation);
        let id = created
            .pointer(payment["idPointer"].as_str().expect("pointer"))
            .expect("id");
        let id = id.as_str().expect("id text").to_owned();
        let outcome = admin(
            &http,
            &info,
            &payment["pay"].as_str().expect("pay").replace("{id}", &id),
        )
        .await;
        assert_eq!(acknowledged(&outcome), payment["ack"], "{operation}");
        {
            let paid = paid.lock().expect("paid");
            assert_eq!(paid.len(), i + 1, "on_paid runs once per payment");
            let last = paid.last().expect("paid");
            assert_eq!(last.product.map(|p| p.name()), payment["product"].as_str());
            let notification = last.notification.as_ref().expect("notification");
            assert!(notification.to_string().contains(&order), "{notification}");
            assert!(last.paid && !last.duplicate);
        }
        if payment["product"] == "qris" {
            qris_delivery = Some(Delivery::of(&info, &outcome["notification"]));
        }
        ids.push((
            payment["resend"].as_str().expect("resend").replace("{id}", &id),
            payment["ack"].clone(),
        ));
    }

    let qris = qris_delivery.expect("a QRIS delivery");
    let qris_url = format!("{base}{}", scenario["payments"][0]["path"].as_str().expect("path"));
    for refusal in scenario["refusals"].as_array().expect("refusals") {
        let (status, code) = qris.changed(&info, &refusal["change"]).post(&http, &qris_url).await;
        assert_eq!(json!(status), refusal["status"], "{}", refusal["name"]);
        assert_eq!(json!(code), refusal["responseCode"], "{}", refusal["name"]);
    }
    assert_eq!(paid.lock().expect("paid").len(), 3, "no refusal runs on_paid");

    // Redeliveries: NICEPAY's retries and a replay of the exact request are acknowledged, and
    // fulfil nothing again.
    for (resend, ack) in &ids {
        assert_eq!(&acknowledged(&admin(&http, &info, resend).await), ack, "{resend}");
    }
    let (status, code) = qris.post(&http, &qris_url).await;
    assert_eq!((status, code.as_str()), (200, "2005200"));
    assert_eq!(paid.lock().expect("paid").len(), 3, "a redelivery runs on_paid again");

    server.abort();
    sim.shutdown().await;
}
