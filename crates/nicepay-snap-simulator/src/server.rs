//! The top of the simulator: every route is registered here (the token endpoint, each product's
//! operations, the admin API), and the HTTP/1.1 accept loop serves them. The loop is hand-rolled
//! (rather than `axum::serve`) so that a fault can close one request's connection without
//! answering: each connection task races its hyper connection against a per-connection kill
//! switch that handlers reach through a request extension.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Request, State as Extract};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use hyper::body::{Body as _, Incoming};
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use nicepay_snap::Method;
use serde_json::json;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify, Semaphore};
use tokio::time::Instant;
use tower_service::Service;

use crate::fault::{self, ConnKill};
use crate::snap::{snap_body_response, HandlerResult, Operation, SnapError, NICEPAY_PREFIX};
use crate::state::{Limits, Shared, State};
use crate::{admin, auth, binding, dashboard, ewallet, payout, qris, token, va};

type Routes = Router<Arc<Shared>>;

/// How much of an oversize body is read and discarded so that the client sees the `413`.
const MAX_DRAIN_BYTES: usize = 64 * 1024 * 1024;

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
    let snap = mount(snap, binding::OPERATIONS);
    let snap = snap.route(
        &format!("{NICEPAY_PREFIX}{}", binding::CUSTOMER_TOKEN_PATH),
        any(
            |axum::extract::State(shared): axum::extract::State<Arc<Shared>>, req: Request| async move {
                let svc = binding::CUSTOMER_TOKEN_SERVICE_CODE;
                snap_request(&shared, svc, req, |parts, body| {
                    if !is_method(parts, Method::Post) {
                        return SnapError::method_not_allowed(svc, Method::Post).into_response();
                    }
                    respond(binding::customer_token(&shared, &parts.headers, body))
                })
                .await
            },
        ),
    );
    let codes: HashMap<String, &'static str> = std::iter::once((token::TOKEN_PATH, token::SERVICE_CODE))
        .chain(service_codes(qris::OPERATIONS))
        .chain(service_codes(va::OPERATIONS))
        .chain(service_codes(ewallet::OPERATIONS))
        .chain(service_codes(payout::OPERATIONS))
        .chain(service_codes(binding::OPERATIONS))
        .chain(std::iter::once((
            binding::CUSTOMER_TOKEN_PATH,
            binding::CUSTOMER_TOKEN_SERVICE_CODE,
        )))
        .map(|(path, code)| (format!("{NICEPAY_PREFIX}{path}"), code))
        .collect();
    snap.merge(admin::routes())
        .merge(dashboard::routes())
        .method_not_allowed_fallback(|method: axum::http::Method| async move {
            admin_error(
                StatusCode::METHOD_NOT_ALLOWED,
                &format!("method {method} not allowed here"),
            )
        })
        .fallback(|| async { snap_body_response(404, "4040000", "Not Found") })
        .layer(middleware::from_fn_with_state(
            (shared.settings.tunables.limits, Arc::new(codes)),
            read_whole_body,
        ))
        .layer(DefaultBodyLimit::disable())
        .with_state(shared)
}

fn service_codes<S>(operations: &'static [Operation<S>]) -> impl Iterator<Item = (&'static str, &'static str)> {
    operations.iter().map(|op| (op.path, op.service_code))
}

/// An admin API error: `{"error": message}`.
fn admin_error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

/// Why a request body could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyError {
    /// Longer than `max_body_bytes` (what fit in the drain was read and discarded).
    TooLarge,
    /// Not complete within `body_read_timeout`.
    TimedOut,
    /// The client broke off.
    Broken,
}

/// Reads a whole request body within the limits. An oversize body is read on and discarded
/// (up to [`MAX_DRAIN_BYTES`]) so that the client gets to read the `413` instead of a reset.
async fn read_body(mut body: Body, limits: &Limits) -> Result<Bytes, BodyError> {
    let deadline = Instant::now() + limits.body_read_timeout;
    let mut kept = Vec::new();
    let mut seen = 0usize;
    loop {
        let next = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx));
        let frame = match tokio::time::timeout_at(deadline, next).await {
            Err(_) => return Err(BodyError::TimedOut),
            Ok(None) => break,
            Ok(Some(Err(_))) => return Err(BodyError::Broken),
            Ok(Some(Ok(frame))) => frame,
        };
        if let Ok(data) = frame.into_data() {
            seen = seen.saturating_add(data.len());
            if seen <= limits.max_body_bytes {
                kept.extend_from_slice(&data);
            } else if seen > MAX_DRAIN_BYTES.max(limits.max_body_bytes) {
                return Err(BodyError::TooLarge);
            }
        }
    }
    if seen > limits.max_body_bytes {
        return Err(BodyError::TooLarge);
    }
    Ok(Bytes::from(kept))
}

/// Middleware in front of every route: reads the whole body (bounded in size and time) before
/// any handler answers, so that no answer races a client still sending. A body that is too
/// large or too slow is answered `413` / `408` — the SNAP envelope (`413{svc}00`,
/// `408{svc}00`) on SNAP paths, `{"error"}` elsewhere — and the connection is closed.
async fn read_whole_body(
    Extract((limits, codes)): Extract<(Limits, Arc<HashMap<String, &'static str>>)>,
    req: Request,
    next: Next,
) -> Response {
    let (parts, body) = req.into_parts();
    let error = match read_body(body, &limits).await {
        Ok(bytes) => return next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Err(error) => error,
    };
    let (status, message) = match error {
        BodyError::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large"),
        BodyError::TimedOut => (StatusCode::REQUEST_TIMEOUT, "Request Timeout"),
        BodyError::Broken => (StatusCode::BAD_REQUEST, "Bad Request"),
    };
    let path = parts.uri.path();
    let mut response = if path.starts_with(&format!("{NICEPAY_PREFIX}/")) {
        let service = codes.get(path.trim_end_matches('/')).copied().unwrap_or("00");
        snap_body_response(status.as_u16(), &format!("{}{service}00", status.as_u16()), message)
    } else {
        admin_error(status, message)
    };
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
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
                    let response = snap_request(&shared, op.service_code, req, |parts, body| {
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
                    .await;
                    // Notifications a handler queued (payout results) go out after the answer.
                    admin::deliver_payout_outbox(&shared);
                    response
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
    // The body was read whole (within the limits) by `read_whole_body`.
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap_or_default();
    let fault = fault::take_matching(&mut shared.lock().faults, fault::signed_path(parts.uri.path()));
    fault::around(fault, service_code, kill, || apply(&parts, &body)).await
}

/// What one connection is doing, for its timeouts and for the connection cap.
#[derive(Debug)]
struct Activity {
    /// Requests being handled.
    in_flight: usize,
    /// When the connection was opened or its last request ended.
    idle_since: Instant,
    /// When the first byte of the next request's headers arrived.
    head_started: Option<Instant>,
}

/// One open connection as the accept loop and its watchdog see it.
#[derive(Debug)]
struct Tracked {
    activity: Mutex<Activity>,
    /// Asks the connection to close as soon as it is idle (the cap needs its slot).
    evict: Notify,
    /// Wakes the watchdog when a request's headers begin or a request ends.
    changed: Notify,
}

impl Tracked {
    fn new() -> Self {
        Self {
            activity: Mutex::new(Activity {
                in_flight: 0,
                idle_since: Instant::now(),
                head_started: None,
            }),
            evict: Notify::new(),
            changed: Notify::new(),
        }
    }

    fn activity(&self) -> std::sync::MutexGuard<'_, Activity> {
        self.activity.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// When the connection became idle, or `None` while a request is handled.
    fn idle_since(&self) -> Option<Instant> {
        let a = self.activity();
        (a.in_flight == 0).then_some(a.idle_since)
    }

    /// Bytes arrived: outside a request they start the next request's headers.
    fn saw_bytes(&self) {
        let mut a = self.activity();
        if a.in_flight == 0 && a.head_started.is_none() {
            a.head_started = Some(Instant::now());
            self.changed.notify_one();
        }
    }

    /// A request's headers are complete; the guard marks its end.
    fn begin(self: &Arc<Self>) -> InFlight {
        let mut a = self.activity();
        a.in_flight += 1;
        a.head_started = None;
        InFlight(self.clone())
    }

    /// Resolves when the connection must be closed: idle (no request bytes) for
    /// `idle_timeout`, headers begun but unfinished for `header_read_timeout`, or evicted
    /// while idle. Never while a request is handled (the body has its own timeout).
    async fn expired(&self, limits: &Limits) {
        let recheck = limits
            .header_read_timeout
            .min(limits.idle_timeout)
            .min(Duration::from_secs(1));
        let mut evicted = false;
        loop {
            let deadline = {
                let a = self.activity();
                match (a.in_flight, a.head_started) {
                    (0, _) if evicted => return,
                    (0, Some(started)) => Some(started + limits.header_read_timeout),
                    (0, None) => Some(a.idle_since + limits.idle_timeout),
                    _ => None,
                }
            };
            if deadline.is_some_and(|d| d <= Instant::now()) {
                return;
            }
            let wake = deadline.unwrap_or_else(|| Instant::now() + recheck);
            tokio::select! {
                () = tokio::time::sleep_until(wake) => {}
                () = self.evict.notified() => evicted = true,
                () = self.changed.notified() => {}
            }
        }
    }
}

/// Marks one request handled while alive.
struct InFlight(Arc<Tracked>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut a = self.0.activity();
        a.in_flight = a.in_flight.saturating_sub(1);
        a.idle_since = Instant::now();
        self.0.changed.notify_one();
    }
}

/// The TCP stream, reporting arriving bytes to its [`Tracked`] record.
struct TrackedIo {
    stream: TcpStream,
    tracked: Arc<Tracked>,
}

impl AsyncRead for TrackedIo {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            this.tracked.saw_bytes();
        }
        polled
    }
}

impl AsyncWrite for TrackedIo {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// The open connections.
type Registry = Arc<Mutex<Vec<Arc<Tracked>>>>;

/// Asks the longest-idle connection to close; `false` when every connection is busy.
fn evict_longest_idle(registry: &Registry) -> bool {
    let conns = registry.lock().unwrap_or_else(|e| e.into_inner());
    let victim = conns
        .iter()
        .filter_map(|c| c.idle_since().map(|since| (since, c)))
        .min_by_key(|(since, _)| *since);
    match victim {
        Some((_, conn)) => {
            conn.evict.notify_one();
            true
        }
        None => false,
    }
}

/// Accepts connections until `shutdown` turns `true`, then closes every connection. At most
/// `limits.max_connections` are open; a new client beyond that closes the longest-idle one
/// (or waits for a busy one to end). Every connection is closed when idle for
/// `limits.idle_timeout` or when its headers take longer than `limits.header_read_timeout`.
pub(crate) async fn serve(listener: TcpListener, router: Router, limits: Limits, shutdown: watch::Receiver<bool>) {
    let mut stop = shutdown.clone();
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let registry: Registry = Arc::default();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.wait_for(|s| *s) => break,
        };
        let Ok((stream, _peer)) = accepted else {
            // Transient accept errors, e.g. too many open files: free a descriptor held by an
            // idle client, back off briefly.
            evict_longest_idle(&registry);
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let slot = match slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                evict_longest_idle(&registry);
                tokio::select! {
                    slot = slots.clone().acquire_owned() => match slot {
                        Ok(slot) => slot,
                        Err(_) => break,
                    },
                    _ = stop.wait_for(|s| *s) => break,
                }
            }
        };
        let _ = stream.set_nodelay(true);
        let tracked = Arc::new(Tracked::new());
        registry.lock().unwrap_or_else(|e| e.into_inner()).push(tracked.clone());
        let registry = registry.clone();
        let router = router.clone();
        let mut conn_stop = shutdown.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let kill = ConnKill::default();
            let request_kill = kill.clone();
            let request_tracked = tracked.clone();
            let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
                let in_flight = request_tracked.begin();
                req.extensions_mut().insert(request_kill.clone());
                let mut router = router.clone();
                async move {
                    let response = router.call(req).await.unwrap_or_else(|e| match e {});
                    drop(in_flight);
                    Ok::<_, Infallible>(response)
                }
            });
            let io = TrackedIo {
                stream,
                tracked: tracked.clone(),
            };
            let conn = http1::Builder::new().serve_connection(TokioIo::new(io), service);
            tokio::select! {
                _ = conn => {}
                () = kill.fired() => {}
                () = tracked.expired(&limits) => {}
                _ = conn_stop.wait_for(|s| *s) => {}
            }
            registry
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .retain(|c| !Arc::ptr_eq(c, &tracked));
        });
    }
}
