//! Receive NICEPAY SNAP payment notifications in [axum]: each notification is verified
//! (signature over `clientId|X-TIMESTAMP`, freshness, `X-CLIENT-KEY`), confirmed with a status
//! query (the signature does not cover the body), and answered with its SNAP acknowledgement;
//! `on_paid` runs for a confirmed payment that the client's store has not seen before.
//!
//! ```no_run
//! use nicepay_snap_axum::{notifications, HandledNotification};
//! use nicepay_snap_client::{AsyncClient, NotificationHandler};
//! # async fn run(client: AsyncClient<nicepay_snap_reqwest::ReqwestTransport>) {
//! let app = notifications(NotificationHandler::new(client), |paid: HandledNotification| async move {
//!     // Fulfil the order named in paid.notification (original partner reference / trxId).
//!     println!("paid: {:?}", paid.notification);
//! });
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await.unwrap();
//! axum::serve(listener, app).await.unwrap();
//! # }
//! ```
//!
//! The router serves `POST` on every path of [`NOTIFICATION_PATHS`] (nest it under a prefix
//! with [`axum::Router::nest`] if you like). The body is taken as raw bytes, never as
//! re-serialized JSON.

use std::future::Future;
use std::sync::Arc;

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use nicepay_snap::AsyncTransport;
use nicepay_snap_client::AsyncClient;
pub use nicepay_snap_client::{HandledNotification, NotificationHandler, NOTIFICATION_PATHS};

/// The headers of a request as the handler takes them (names as received, values that are
/// not text left out).
pub fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter_map(|(k, v)| v.to_str().ok().map(|v| (k.as_str().to_owned(), v.to_owned())))
        .collect()
}

/// The HTTP response of a handled notification: its status, headers and exact body bytes.
pub fn response(handled: &HandledNotification) -> Response {
    let status = StatusCode::from_u16(handled.status_code).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = (status, handled.body.clone()).into_response();
    for (name, value) in &handled.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::try_from(value.as_str()),
        ) {
            response.headers_mut().insert(name, value);
        }
    }
    response
}

/// Handles one request received at `uri`, runs `on_paid` when it should fulfil an order
/// ([`HandledNotification::fulfil`]), and answers its acknowledgement. For routers of your own.
pub async fn handle<T, F, Fut>(
    handler: &NotificationHandler<AsyncClient<T>>,
    on_paid: &F,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Response
where
    T: AsyncTransport + 'static,
    F: Fn(HandledNotification) -> Fut,
    Fut: Future<Output = ()>,
{
    let handled = handler.handle(uri.path(), &header_pairs(headers), body).await;
    let reply = response(&handled);
    if handled.fulfil() {
        on_paid(handled).await;
    }
    reply
}

/// A router that receives notifications on every path of [`NOTIFICATION_PATHS`] with
/// `handler`, and calls `on_paid` once for each confirmed, new payment before acknowledging it.
pub fn notifications<T, F, Fut>(handler: NotificationHandler<AsyncClient<T>>, on_paid: F) -> Router
where
    T: AsyncTransport + Send + Sync + 'static,
    F: Fn(HandledNotification) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let shared = Arc::new((handler, on_paid));
    let mut router = Router::new();
    for (path, _) in NOTIFICATION_PATHS {
        let shared = shared.clone();
        router = router.route(
            path,
            post(move |uri: Uri, headers: HeaderMap, body: Bytes| async move {
                let (handler, on_paid) = &*shared;
                handle(handler, on_paid, &uri, &headers, &body).await
            }),
        );
    }
    router
}
