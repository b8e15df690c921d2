//! A merchant-side notification endpoint on loopback, used by the demo. It serves the three
//! inbound paths NICEPAY documents (QRIS, VA, e-wallet), verifies each notification's headers
//! (signature over `clientId|X-TIMESTAMP`, freshness, client id) and answers the SNAP
//! acknowledgement with that product's service code.

use std::sync::mpsc;
use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use nicepay_snap::api::ewallet::EWALLET_NOTIFICATION_SERVICE_CODE;
use nicepay_snap::api::notification::Acknowledgement;
use nicepay_snap::api::qris::QRIS_NOTIFICATION_SERVICE_CODE;
use nicepay_snap::api::va::VA_NOTIFICATION_SERVICE_CODE;
use nicepay_snap::NotificationVerifier;
use nicepay_snap_client::{Clock, SystemClock};

/// Inbound paths and the service code each acknowledgement uses.
pub(crate) const QRIS_PATH: &str = "/api/v1.0/qr/qr-mpm-notify";
pub(crate) const VA_PATH: &str = "/api/v1.0/transfer-va/payment";
pub(crate) const EWALLET_PATH: &str = "/api/v1.0/debit/notify";
pub(crate) const PAYOUT_PATH: &str = "/api/v1.0/transfer/notify";

/// What the endpoint received and how it judged the headers.
#[derive(Debug)]
pub(crate) struct Received {
    pub(crate) timestamp: Option<String>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    /// `Ok` when the signature, timestamp and client id verified.
    pub(crate) verdict: Result<(), String>,
    pub(crate) ack: Acknowledgement,
}

/// A running endpoint: `base` + one of the paths above is the URL to give NICEPAY, and a
/// channel of notifications.
pub(crate) struct Receiver {
    pub(crate) base: String,
    pub(crate) notifications: mpsc::Receiver<Received>,
}

impl Receiver {
    /// The full URL of one inbound path.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// Starts the endpoint on a thread with its own runtime; it lives as long as the process.
pub(crate) fn start(verifier: NotificationVerifier) -> std::io::Result<Receiver> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_io().build()?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let base = format!("http://{}", listener.local_addr()?);
    let (tx, notifications) = mpsc::channel();
    let verifier = Arc::new(verifier);
    let mut app = axum::Router::new();
    for (path, service) in [
        (QRIS_PATH, QRIS_NOTIFICATION_SERVICE_CODE),
        (VA_PATH, VA_NOTIFICATION_SERVICE_CODE),
        (EWALLET_PATH, EWALLET_NOTIFICATION_SERVICE_CODE),
        (PAYOUT_PATH, nicepay_snap::api::payout::PAYOUT_NOTIFICATION_SERVICE_CODE),
    ] {
        let verifier = verifier.clone();
        let tx = tx.clone();
        app = app.route(
            path,
            post(move |headers: HeaderMap, body: Bytes| {
                let verifier = verifier.clone();
                let tx = tx.clone();
                async move {
                    let pairs: Vec<(String, String)> = headers
                        .iter()
                        .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_owned(), v.to_owned())))
                        .collect();
                    let verdict = verifier
                        .verify_headers(&pairs, SystemClock.now())
                        .map(|_| ())
                        .map_err(|e| e.to_string());
                    let ack = match &verdict {
                        Ok(()) => Acknowledgement::success(service),
                        Err(_) => Acknowledgement::unauthorized(service),
                    };
                    let status = StatusCode::from_u16(ack.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                    let reply = (status, [("content-type", "application/json")], ack.body.clone());
                    let timestamp = headers
                        .get("x-timestamp")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let _ = tx.send(Received {
                        timestamp,
                        headers: pairs,
                        body: body.to_vec(),
                        verdict,
                        ack,
                    });
                    reply
                }
            }),
        );
    }
    std::thread::spawn(move || {
        let _ = runtime.block_on(async { axum::serve(listener, app).await });
    });
    Ok(Receiver { base, notifications })
}
