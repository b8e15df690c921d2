//! A merchant-side notification endpoint on loopback, used by the demo.

use std::sync::mpsc;
use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use nicepay_snap::api::notification::Acknowledgement;
use nicepay_snap::api::qris::{QrisNotification, QRIS_NOTIFICATION_SERVICE_CODE};
use nicepay_snap::NotificationVerifier;
use nicepay_snap_client::{Clock, SystemClock};

/// What the endpoint received and how it judged it.
#[derive(Debug)]
pub(crate) struct Received {
    pub(crate) timestamp: Option<String>,
    pub(crate) verdict: Result<QrisNotification, String>,
    pub(crate) ack: Acknowledgement,
}

/// A running endpoint: `url` to give NICEPAY as `dbProcessUrl`, and a channel of notifications.
pub(crate) struct Receiver {
    pub(crate) url: String,
    pub(crate) notifications: mpsc::Receiver<Received>,
}

/// Starts the endpoint on a thread with its own runtime; it lives as long as the process.
pub(crate) fn start(verifier: NotificationVerifier) -> std::io::Result<Receiver> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_io().build()?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let url = format!("http://{}/api/v1.0/qr/qr-mpm-notify", listener.local_addr()?);
    let (tx, notifications) = mpsc::channel();
    let verifier = Arc::new(verifier);
    let app = axum::Router::new().route(
        "/api/v1.0/qr/qr-mpm-notify",
        post(move |headers: HeaderMap, body: Bytes| {
            let verifier = verifier.clone();
            let tx = tx.clone();
            async move {
                let pairs: Vec<(String, String)> = headers
                    .iter()
                    .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_owned(), v.to_owned())))
                    .collect();
                let verdict = verifier
                    .verify::<QrisNotification>(&pairs, &body, SystemClock.now())
                    .map_err(|e| e.to_string());
                let ack = match &verdict {
                    Ok(_) => Acknowledgement::success(QRIS_NOTIFICATION_SERVICE_CODE),
                    Err(_) => Acknowledgement::unauthorized(QRIS_NOTIFICATION_SERVICE_CODE),
                };
                let status = StatusCode::from_u16(ack.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let reply = (status, [("content-type", "application/json")], ack.body.clone());
                let timestamp = headers
                    .get("x-timestamp")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let _ = tx.send(Received {
                    timestamp,
                    verdict,
                    ack,
                });
                reply
            }
        }),
    );
    std::thread::spawn(move || {
        let _ = runtime.block_on(async { axum::serve(listener, app).await });
    });
    Ok(Receiver { url, notifications })
}
