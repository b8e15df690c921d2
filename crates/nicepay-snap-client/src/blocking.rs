use std::sync::{Arc, Mutex, MutexGuard};

use nicepay_snap::api;
use nicepay_snap::{
    AccessToken, Config, NotificationVerifier, Operation, PreparedRequest, RawResponse, RequestContext, SyncTransport,
    TransportError,
};
use serde::de::DeserializeOwned;

use crate::observe::{self, ACCESS_TOKEN_OPERATION};
use crate::policy::{decide, CachedToken, Next};
use crate::{ClientError, ClientOptions, Clock, ExternalIdGenerator, SystemClock};

/// A blocking NICEPAY SNAP client over any [`SyncTransport`] (e.g. `nicepay_snap_ureq::UreqTransport`).
///
/// It caches the access token and refreshes it before expiry (one refresh at a time, shared by
/// all threads), retries once with a fresh token on `401xx01`, gives every request a fresh
/// `X-EXTERNAL-ID`, and reports an unknown outcome of a money-moving call as
/// [`ClientError::OutcomeUnknown`] instead of resending it. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Client<T> {
    config: Arc<Config>,
    transport: T,
    options: ClientOptions,
    clock: Arc<dyn Clock>,
    ids: ExternalIdGenerator,
    token: Mutex<Option<CachedToken>>,
}

impl<T: SyncTransport> Client<T> {
    /// A client with default options and the system clock.
    pub fn new(config: Config, transport: T) -> Self {
        Self {
            config: Arc::new(config),
            transport,
            options: ClientOptions::default(),
            clock: Arc::new(SystemClock),
            ids: ExternalIdGenerator::default(),
            token: Mutex::new(None),
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

    fn lock(&self) -> MutexGuard<'_, Option<CachedToken>> {
        // A panic while holding the lock cannot leave the cache inconsistent (it is a plain
        // Option), so a poisoned lock is still usable.
        self.token.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn send_token_request(&self, request: &PreparedRequest) -> Result<RawResponse, TransportError> {
        let mut resends = self.options.connect_retries;
        let mut attempt = 1;
        loop {
            let sent = send_reported(&self.transport, &self.options, ACCESS_TOKEN_OPERATION, request, attempt);
            match sent {
                Err(e) if e.is_not_delivered() && resends > 0 => {
                    resends -= 1;
                    attempt += 1;
                    std::thread::sleep(self.options.connect_retry_backoff);
                }
                other => return other,
            }
        }
    }

    /// A valid access token: the cached one, or a new one (single-flight: concurrent callers
    /// wait for one refresh).
    pub fn access_token(&self) -> Result<AccessToken, ClientError> {
        let mut cache = self.lock();
        let now = self.clock.now_unix_millis();
        if let Some(cached) = cache.as_ref().filter(|c| c.is_fresh(now)) {
            return Ok(cached.token.clone());
        }
        let request = self.config.prepare_access_token(self.clock.now())?;
        let raw = self.send_token_request(&request)?;
        let response = self.config.parse_access_token(&raw)?;
        let fresh = CachedToken::new(response, now, &self.options);
        let token = fresh.token.clone();
        *cache = Some(fresh);
        Ok(token)
    }

    /// Forgets the cached token if it is still `rejected`.
    fn invalidate(&self, rejected: &AccessToken) {
        let mut cache = self.lock();
        if cache.as_ref().is_some_and(|c| &c.token == rejected) {
            *cache = None;
        }
    }

    /// Executes any typed operation.
    pub fn execute<O: Operation>(&self, request: &O::Request) -> Result<O::Response, ClientError> {
        let mut token_retry_left = true;
        loop {
            let token = self.access_token()?;
            let ctx = RequestContext {
                access_token: &token,
                timestamp: self.clock.now(),
                external_id: self.ids.next(self.clock.now_unix_millis()),
            };
            let prepared = self.config.prepare::<O>(request, &ctx)?;
            let mut resend_left = self.options.connect_retries;
            let mut attempt = 1;
            loop {
                let sent = send_reported(&self.transport, &self.options, O::NAME, &prepared, attempt);
                match decide::<O>(&self.config, &prepared, sent, token_retry_left, resend_left > 0) {
                    Next::Done(result) => return result,
                    Next::Resend => {
                        resend_left -= 1;
                        attempt += 1;
                        std::thread::sleep(self.options.connect_retry_backoff);
                    }
                    Next::RefreshToken => {
                        self.invalidate(&token);
                        token_retry_left = false;
                        break;
                    }
                }
            }
        }
    }

    /// Executes an operation by name (`"qris.refund"`, `"va.create"`, ... see
    /// [`nicepay_snap::api::OPERATION_NAMES`]) with a JSON request, returning the JSON of the typed
    /// response. The JSON is first decoded into the operation's typed request, so unknown shapes
    /// are rejected before anything is signed. Used by the language bindings.
    pub fn execute_json(&self, operation: &str, request: serde_json::Value) -> Result<serde_json::Value, ClientError> {
        nicepay_snap::with_operation!(
            operation,
            Op => {
                let typed = crate::decode_request::<Op>(request)?;
                let response = self.execute::<Op>(&typed)?;
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
    pub fn verify_and_confirm<N: crate::Confirmable>(
        &self,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<crate::Confirmed<N>, ClientError> {
        let notification: N = self.verify_notification(headers, body)?;
        let request = notification.status_request(&self.config)?;
        let status = self.execute::<N::Query>(&request)?;
        let paid = notification.confirms(&status);
        Ok(crate::Confirmed {
            notification,
            status,
            paid,
        })
    }
}

/// One method per row of the core's operation registry ([`nicepay_snap::for_each_operation!`]).
macro_rules! named_methods {
    ([] $($module:ident { $($method:ident => $marker:ident($req:ident -> $resp:ident), $label:literal,
        $http:ident, $path:literal, $svc:literal, money: $money:tt, $doc:literal;)* })*) => {
        impl<T: SyncTransport> Client<T> {
            $($(
                #[doc = $doc]
                #[doc = ""]
                #[doc = concat!("Runs [`api::", stringify!($module), "::", stringify!($marker), "`] (`", $label, "`).")]
                #[doc = crate::money_note!($money)]
                pub fn $method(
                    &self,
                    request: &api::$module::$req,
                ) -> Result<api::$module::$resp, ClientError> {
                    self.execute::<api::$module::$marker>(request)
                }
            )*)*
        }
    };
}
nicepay_snap::for_each_operation!(named_methods);

/// Sends `request` once and reports the exchange to the observer, if there is one.
fn send_reported<T: SyncTransport>(
    transport: &T,
    options: &ClientOptions,
    operation: &'static str,
    request: &PreparedRequest,
    attempt: u32,
) -> Result<RawResponse, TransportError> {
    let started = observe::start(options);
    let sent = transport.send(request);
    observe::report(options, started, operation, request, attempt, &sent);
    sent
}
