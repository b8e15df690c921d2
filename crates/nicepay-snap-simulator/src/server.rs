//! The top of the simulator: every route is registered here (the token endpoint, each product's
//! operations, the admin API), and the HTTP/1.1 accept loop serves them. The loop is hand-rolled
//! (rather than `axum::serve`) so that a fault can close one request's connection without
//! answering: each connection task races its hyper connection against a per-connection kill
//! switch that handlers reach through a request extension.

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use nicepay_snap::Method;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_service::Service;

use crate::fault::{self, ConnKill};
use crate::snap::{snap_body_response, HandlerResult, Operation, SnapError, NICEPAY_PREFIX};
use crate::state::{Shared, State};
use crate::{admin, auth, ewallet, payout, qris, token, va};

type Routes = Router<Arc<Shared>>;

/// Largest request body the SNAP routes read.
const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// All routes: the token endpoint and every product's operations (each behind fault
/// injection), plus the admin API.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let snap = Router::new().route(
        &format!("{NICEPAY_PREFIX}{}", token::TOKEN_PATH),
        any(
            |axum::extract::State(shared): axum::extract::State<Arc<Shared>>, req: Request| async move {
                snap_request(&shared, token::SERVICE_CODE, req, |parts, body| {
                    if !is_method(parts, Method::Post) {
                        return SnapError::method_not_allowed(token::SERVICE_CODE, Method::Post).into_response();
                    }
                    respond(token::issue(&shared, &parts.headers, body))
                })
                .await
            },
        ),
    );
    let snap = mount(snap, qris::OPERATIONS);
    let snap = mount(snap, va::OPERATIONS);
    let snap = mount(snap, ewallet::OPERATIONS);
    let snap = mount(snap, payout::OPERATIONS);
    snap.merge(admin::routes())
        .fallback(|| async { snap_body_response(404, "4040000", "Not Found") })
        .with_state(shared)
}

/// Routes every operation of one product. Every method is routed so that a wrong one (a POST
/// to delete-va) gets a SNAP answer (`405{svc}00`) rather than an empty 405.
fn mount<S: 'static>(routes: Routes, operations: &'static [Operation<S>]) -> Routes
where
    State: AsMut<S>,
{
    operations.iter().fold(routes, |routes, op| {
        routes.route(
            &format!("{NICEPAY_PREFIX}{}", op.path),
            any(
                move |axum::extract::State(shared): axum::extract::State<Arc<Shared>>, req: Request| async move {
                    snap_request(&shared, op.service_code, req, |parts, body| {
                        if !is_method(parts, op.method) {
                            return SnapError::method_not_allowed(op.service_code, op.method).into_response();
                        }
                        let result = auth::verify_transactional(
                            &shared,
                            (op.method, op.service_code),
                            parts.uri.path(),
                            &parts.headers,
                            body,
                        )
                        .and_then(|verified| (op.handler)(AsMut::<S>::as_mut(&mut *shared.lock()), &verified));
                        respond(result)
                    })
                    .await
                },
            ),
        )
    })
}

fn is_method(parts: &Parts, method: Method) -> bool {
    parts.method.as_str().eq_ignore_ascii_case(method.as_str())
}

fn respond(result: HandlerResult) -> Response {
    match result {
        Ok(body) => (StatusCode::OK, Json(body)).into_response(),
        Err(err) => err.into_response(),
    }
}

/// One SNAP request of service `service_code`: reads the body, then runs `apply` as the first
/// matching fault rule says.
async fn snap_request(
    shared: &Shared,
    service_code: &'static str,
    req: Request,
    apply: impl FnOnce(&Parts, &[u8]) -> Response,
) -> Response {
    let kill = req.extensions().get::<ConnKill>().cloned();
    let (parts, body) = req.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return snap_body_response(413, &format!("413{service_code}00"), "Request Entity Too Large");
    };
    let fault = fault::take_matching(&mut shared.lock().faults, fault::signed_path(parts.uri.path()));
    fault::around(fault, service_code, kill, || apply(&parts, &body)).await
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
            let kill = ConnKill::default();
            let request_kill = kill.clone();
            let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
                req.extensions_mut().insert(request_kill.clone());
                let mut router = router.clone();
                async move { Ok::<_, Infallible>(router.call(req).await.unwrap_or_else(|e| match e {})) }
            });
            let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = conn => {}
                () = kill.fired() => {}
                _ = conn_stop.wait_for(|s| *s) => {}
            }
        });
    }
}
