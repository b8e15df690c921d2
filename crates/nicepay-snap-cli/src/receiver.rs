//! A merchant-side notification endpoint on loopback, used by the demo. It serves the inbound
//! paths NICEPAY documents (QRIS, VA, e-wallet, payout) with the client crate's
//! [`NotificationHandler`]: each notification's headers are verified (signature over
//! `clientId|X-TIMESTAMP`, freshness, client id) and answered with the SNAP acknowledgement of
//! its product. The handler does not confirm by query: the demo does that itself, as a step.

use std::sync::mpsc;
use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, Uri};
use axum::routing::post;
use nicepay_snap::api::notification::Acknowledgement;
use nicepay_snap_client::{Client, NotificationHandler, NOTIFICATION_PATHS};
use nicepay_snap_ureq::UreqTransport;

/// Inbound paths.
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
pub(crate) fn start(handler: NotificationHandler<Client<UreqTransport>>) -> std::io::Result<Receiver> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_io().build()?;
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let base = format!("http://{}", listener.local_addr()?);
    let (tx, notifications) = mpsc::channel();
    let handler = Arc::new(handler.confirm(false));
    let mut app = axum::Router::new();
    for (path, _) in NOTIFICATION_PATHS {
        let handler = handler.clone();
        let tx = tx.clone();
        app = app.route(
            path,
            post(move |uri: Uri, headers: HeaderMap, body: Bytes| {
                let handler = handler.clone();
                let tx = tx.clone();
                async move {
                    let pairs = nicepay_snap_axum::header_pairs(&headers);
                    // Verification only (no status query), so this does no IO.
                    let handled = handler.handle(uri.path(), &pairs, &body);
                    let reply = nicepay_snap_axum::response(&handled);
                    let timestamp = headers
                        .get("x-timestamp")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let _ = tx.send(Received {
                        timestamp,
                        headers: pairs,
                        body: body.to_vec(),
                        verdict: match (handled.refusal, handled.error) {
                            (None, _) => Ok(()),
                            (Some(_), Some(e)) => Err(e.to_string()),
                            (Some(refusal), None) => Err(format!("refused: {}", refusal.name())),
                        },
                        ack: Acknowledgement {
                            status: handled.status_code,
                            body: handled.body,
                        },
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
