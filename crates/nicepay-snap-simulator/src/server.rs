//! The HTTP/1.1 accept loop. It is hand-rolled (rather than `axum::serve`) so that a fault can
//! close one request's connection without answering: each connection task races its hyper
//! connection against a per-connection kill switch that handlers reach through a request
//! extension.

use std::convert::Infallible;
use std::sync::Arc;

use axum::middleware;
use axum::routing::{any, post};
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify};
use tower_service::Service;

use crate::snap::{dispatch, snap_body_response, ENDPOINTS, NICEPAY_PREFIX};
use crate::state::Shared;
use crate::{admin, fault, token};

/// Closes the connection a request arrived on (no response is written).
#[derive(Debug, Clone)]
pub(crate) struct ConnKill(Arc<Notify>);

impl ConnKill {
    pub(crate) fn fire(&self) {
        self.0.notify_one();
    }
}

/// All routes: SNAP endpoints behind the fault layer, plus the admin API.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let mut snap: Router<Arc<Shared>> =
        Router::new().route(&format!("{NICEPAY_PREFIX}{}", token::TOKEN_PATH), post(token::handle));
    for endpoint in ENDPOINTS {
        // Every method is routed so that a wrong one (a POST to delete-va) gets a SNAP answer
        // (`405{svc}00`) rather than an empty 405.
        snap = snap.route(
            &format!("{NICEPAY_PREFIX}{}", endpoint.path),
            any(
                move |axum::extract::State(shared): axum::extract::State<Arc<Shared>>,
                      method: axum::http::Method,
                      uri: axum::http::Uri,
                      headers: axum::http::HeaderMap,
                      body: axum::body::Bytes| async move {
                    dispatch(&shared, endpoint, &method, &uri, &headers, &body)
                },
            ),
        );
    }
    let snap = snap.route_layer(middleware::from_fn_with_state(shared.clone(), fault::layer));
    snap.merge(admin::routes())
        .fallback(|| async { snap_body_response(404, "4040000", "Not Found") })
        .with_state(shared)
}

/// Accepts connections until `shutdown` turns `true`, then closes every connection.
pub(crate) async fn serve(listener: TcpListener, router: Router, shutdown: watch::Receiver<bool>) {
    let mut stop = shutdown.clone();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.wait_for(|s| *s) => break,
        };
        let Ok((stream, _peer)) = accepted else {
            // Transient accept errors (e.g. too many open files): back off briefly.
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let mut conn_stop = shutdown.clone();
        tokio::spawn(async move {
            let kill = ConnKill(Arc::new(Notify::new()));
            let request_kill = kill.clone();
            let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
                req.extensions_mut().insert(request_kill.clone());
                let mut router = router.clone();
                async move { Ok::<_, Infallible>(router.call(req).await.unwrap_or_else(|e| match e {})) }
            });
            let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = conn => {}
                () = kill.0.notified() => {}
                _ = conn_stop.wait_for(|s| *s) => {}
            }
        });
    }
}
