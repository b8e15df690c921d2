use std::sync::Arc;

use nicepay_snap::api;
use nicepay_snap::{
    AccessToken, AsyncTransport, Config, NotificationVerifier, Operation, PreparedRequest, RawResponse, TransportError,
    TransportErrorKind,
};
use serde::de::DeserializeOwned;

use crate::call::{Call, FetchStep, Step, TokenFetch};
use crate::observe;
use crate::policy::CachedToken;
use crate::token::{Lookup, Refresher, TokenCache};
use crate::{ClientError, ClientOptions, Clock, ExternalIdGenerator, SystemClock};

/// An async NICEPAY SNAP client over any [`AsyncTransport`] (e.g. `nicepay_snap_reqwest::ReqwestTransport`).
///
/// It caches the access token and refreshes it before expiry (one refresh at a time, shared by
/// all threads), retries once with a fresh token on `401xx01`, gives every request a fresh
/// `X-EXTERNAL-ID`, and reports an unknown outcome of a money-moving call as
/// [`ClientError::OutcomeUnknown`] instead of resending it. Cheap to share behind an `Arc`.
///
/// The send of a money-moving call (refund, payout approve) runs in a task of its own: if the
/// caller's future is dropped (a timeout around the call, a cancelled task) after the request
/// went out, the exchange still completes and is reported to [`ClientOptions::on_exchange`], so
/// its outcome reaches the logs even though it can no longer reach the caller. Needs a tokio
/// runtime, as the client's timers already do.
#[derive(Debug)]
pub struct AsyncClient<T> {
    config: Arc<Config>,
    transport: Arc<T>,
    options: ClientOptions,
    clock: Arc<dyn Clock>,
    ids: ExternalIdGenerator,
    tokens: TokenCache,
}

impl<T: AsyncTransport + 'static> AsyncClient<T> {
    /// A client with default options and the system clock.
    pub fn new(config: Config, transport: T) -> Self {
        Self {
            config: Arc::new(config),
            transport: Arc::new(transport),
            options: ClientOptions::default(),
            clock: Arc::new(SystemClock),
            ids: ExternalIdGenerator::default(),
            tokens: TokenCache::default(),
        }
    }

    /// Replaces the options.
    pub fn with_options(mut self, options: ClientOptions) -> Self {
        self.options = options;
        self
    }

    /// Replaces the clock (tests).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// Sends a money-moving request from a task of its own, which finishes (and reports the
    /// exchange) even when the caller stops waiting. A panic in the transport counts as an I/O
    /// failure: the request may have gone out.
    async fn send_detached(
        &self,
        prepared: &PreparedRequest,
        operation: &'static str,
        attempt: u32,
    ) -> Result<RawResponse, TransportError> {
        let transport = Arc::clone(&self.transport);
        let options = self.options.clone();
        let request = prepared.clone();
        let task =
            tokio::spawn(async move { send_reported(&*transport, &options, operation, &request, attempt).await });
        task.await.unwrap_or_else(|e| {
            Err(TransportError::new(
                TransportErrorKind::Io,
                format!("the send task of {operation} failed: {e}"),
            ))
        })
    }

    /// A valid access token: the cached one, or a new one (single-flight: concurrent callers
    /// wait for one refresh). No lock is held while the token is fetched or while
    /// [`ClientOptions::on_exchange`] runs, so the observer may call the client; cancelling the
    /// call that is refreshing lets the next waiter refresh.
    pub async fn access_token(&self) -> Result<AccessToken, ClientError> {
        let mut refresh = loop {
            match self
                .tokens
                .lookup(self.clock.now_unix_millis(), Refresher::this_task(), &self.options)?
            {
                Lookup::Fresh(token) => return Ok(token),
                Lookup::Busy => self.tokens.wait_async().await,
                Lookup::Refresh(guard) => break guard,
            }
        };
        let now = self.clock.now_unix_millis();
        let mut fetch = TokenFetch::new(&self.config, &self.options, self.clock.now())?;
        let response = loop {
            match fetch.poll() {
                FetchStep::Send { attempt } => {
                    let started = observe::start(&self.options);
                    let sent = self.transport.send(fetch.request()).await;
                    fetch.sent(sent, started, attempt, &mut refresh);
                }
                FetchStep::Sleep(pause) => tokio::time::sleep(pause).await,
                FetchStep::Done(result) => break result?,
            }
        };
        Ok(refresh.store(CachedToken::new(response, now, &self.options)))
    }

    /// Executes any typed operation.
    pub async fn execute<O: Operation>(&self, request: &O::Request) -> Result<O::Response, ClientError> {
        let mut call = Call::<O>::new(&self.config, &self.options, request);
        loop {
            match call.poll() {
                Step::Token { rejected } => {
                    if let Some(rejected) = rejected {
                        self.tokens.invalidate(&rejected);
                    }
                    let token = self.access_token().await?;
                    call.token(token, self.clock.now(), self.ids.next(self.clock.now_unix_millis()));
                }
                Step::Send { attempt } => {
                    let sent = if O::MONEY_MOVING {
                        self.send_detached(call.request(), O::NAME, attempt).await
                    } else {
                        send_reported(&*self.transport, &self.options, O::NAME, call.request(), attempt).await
                    };
                    call.sent(sent);
                }
                Step::Sleep(pause) => tokio::time::sleep(pause).await,
                Step::Done(result) => return result,
            }
        }
    }

    /// Executes an operation by name (`"qris.refund"`, `"va.create"`, ... see
    /// [`nicepay_snap::api::OPERATION_NAMES`]) with a JSON request, returning the JSON of the typed
    /// response. The JSON is first decoded into the operation's typed request, so unknown shapes
    /// are rejected before anything is signed. Used by the language bindings.
    pub async fn execute_json(
        &self,
        operation: &str,
        request: serde_json::Value,
    ) -> Result<serde_json::Value, ClientError> {
        nicepay_snap::with_operation!(
            operation,
            Op => {
                let typed = crate::decode_request::<Op>(request)?;
                let response = self.execute::<Op>(&typed).await?;
                crate::encode_response(&response)
            },
            Err(crate::unknown_operation(operation))
        )
    }

    /// A notification verifier for the configured NICEPAY notification public key.
    pub fn notification_verifier(&self) -> Result<NotificationVerifier, ClientError> {
        crate::notification_verifier(&self.config)
    }

    /// Verifies an inbound notification's headers against the current time and parses its body.
    pub fn verify_notification<N: DeserializeOwned>(
        &self,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<N, ClientError> {
        Ok(self.notification_verifier()?.verify(headers, body, self.clock.now())?)
    }

    /// Verifies a notification (signature, freshness, client id), then confirms it with a status
    /// query, because the signature does not cover the body. Fulfil the order only when
    /// [`crate::Confirmed::paid`] is `true`.
    pub async fn verify_and_confirm<N: crate::Confirmable>(
        &self,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<crate::Confirmed<N>, ClientError> {
        let notification: N = self.verify_notification(headers, body)?;
        let request = notification.status_request(&self.config)?;
        let status = self.execute::<N::Query>(&request).await?;
        let paid = notification.confirms(&status);
        Ok(crate::Confirmed {
            notification,
            status,
            paid,
        })
    }

    /// [`verify_and_confirm`](Self::verify_and_confirm) for the notification type of `product`,
    /// as JSON: `{"notification": ..., "status": ..., "paid": bool}`. Used by the language
    /// bindings.
    pub async fn verify_and_confirm_json(
        &self,
        product: nicepay_snap::status::Product,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<serde_json::Value, ClientError> {
        crate::confirm::with_notification!(product, N => {
            crate::confirm::confirmed_json(self.verify_and_confirm::<N>(headers, body).await?)
        })
    }
}

/// One method per row of the core's operation registry ([`nicepay_snap::for_each_operation!`]).
macro_rules! named_methods {
    ([] $($module:ident { $($method:ident => $marker:ident($req:ident -> $resp:ident), $label:literal,
        $http:ident, $path:literal, $svc:literal, money: $money:tt, $doc:literal;)* })*) => {
        impl<T: AsyncTransport + 'static> AsyncClient<T> {
            $($(
                #[doc = $doc]
                #[doc = ""]
                #[doc = concat!("Runs [`api::", stringify!($module), "::", stringify!($marker), "`] (`", $label, "`).")]
                #[doc = crate::money_note!($money)]
                pub async fn $method(
                    &self,
                    request: &api::$module::$req,
                ) -> Result<api::$module::$resp, ClientError> {
                    self.execute::<api::$module::$marker>(request).await
                }
            )*)*
        }
    };
}
nicepay_snap::for_each_operation!(named_methods);

/// Sends `request` once and reports the exchange to the observer, if there is one.
async fn send_reported<T: AsyncTransport>(
    transport: &T,
    options: &ClientOptions,
    operation: &'static str,
    request: &PreparedRequest,
    attempt: u32,
) -> Result<RawResponse, TransportError> {
    let started = observe::start(options);
    let sent = transport.send(request).await;
    observe::report(options, started, operation, request, attempt, &sent);
    sent
}
