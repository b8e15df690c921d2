//! An axum app receiving NICEPAY notifications, with a `/checkout` that creates a QRIS notified
//! to it. Against the simulator:
//!
//! ```text
//! nicepay-snap simulate --port 8800 &
//! NICEPAY_SIMULATOR=http://127.0.0.1:8800 cargo run -p nicepay-snap-axum --example receiver
//! curl -X POST http://127.0.0.1:8000/checkout           # answers the referenceNo and how to pay it
//! curl -X POST http://127.0.0.1:8800/__admin/qris/<referenceNo>/pay   # the app prints "paid: ..."
//! ```
//!
//! `APP_URL` (default `http://127.0.0.1:8000`) is where NICEPAY reaches the app.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::routing::post;
use axum::Json;
use nicepay_snap_axum::{notifications, HandledNotification, NotificationHandler};
use nicepay_snap_client::AsyncClient;
use nicepay_snap_reqwest::ReqwestTransport;
use nicepay_snap_simulator::SimulatorInfo;
use serde_json::{json, Value};

type Client = AsyncClient<ReqwestTransport>;

async fn client(simulator: &str) -> Result<Client, Box<dyn std::error::Error>> {
    let info: SimulatorInfo =
        serde_json::from_slice(&reqwest::get(format!("{simulator}/__admin/info")).await?.bytes().await?)?;
    let transport = ReqwestTransport::builder().timeout(Duration::from_secs(10)).build()?;
    Ok(AsyncClient::new(info.client_config()?, transport))
}

// ANCHOR: fulfil
/// `on_paid`: runs once per confirmed payment (a real app marks the order paid here).
async fn fulfil(paid: HandledNotification) {
    let notification = paid.notification.unwrap_or_default();
    let order = notification
        .get("originalPartnerReferenceNo")
        .or_else(|| notification.get("trxId"));
    println!(
        "paid: {} order {}",
        paid.product.map_or("?", |p| p.name()),
        order.unwrap_or(&Value::Null)
    );
}
// ANCHOR_END: fulfil

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let simulator = std::env::var("NICEPAY_SIMULATOR").unwrap_or_else(|_| "http://127.0.0.1:8800".into());
    let app_url = std::env::var("APP_URL").unwrap_or_else(|_| "http://127.0.0.1:8000".into());
    let merchant = Arc::new(client(&simulator).await?);
    let checkout = {
        let (simulator, app_url) = (simulator.clone(), app_url.clone());
        post(move || async move {
            let request = json!({
                "partnerReferenceNo": format!("order-{}", SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis()),
                "amount": {"value": "15000.00", "currency": "IDR"},
                "merchantId": merchant.config().client_id(),
                "storeId": "NICEPAY",
                "validityPeriod": "",
                "additionalInfo": {"goodsNm": "Kopi", "dbProcessUrl": format!("{app_url}/api/v1.0/qr/qr-mpm-notify")},
            });
            match merchant.execute_json("qris.generate", request).await {
                Ok(generated) => {
                    let reference = generated["referenceNo"].as_str().unwrap_or_default().to_owned();
                    let pay = format!("curl -X POST {simulator}/__admin/qris/{reference}/pay");
                    Json(json!({"referenceNo": reference, "pay": pay}))
                }
                Err(e) => Json(json!({"error": e.to_string()})),
            }
        })
    };
    // ANCHOR: router
    let app = notifications(NotificationHandler::new(client(&simulator).await?), fulfil).route("/checkout", checkout);
    let addr = app_url.trim_start_matches("http://").to_owned();
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on {addr}");
    axum::serve(listener, app).await?;
    // ANCHOR_END: router
    Ok(())
}
