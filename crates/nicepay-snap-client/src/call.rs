//! The sans-IO call drivers: state machines that say what to do next (get a token, send, wait,
//! return) and take the results back, so that the blocking and async clients are short loops
//! that only perform IO. All decisions (token refresh on `401xx01`, byte-identical resends,
//! unknown outcomes of money-moving calls) are made here and in [`crate::policy`].

use std::convert::Infallible;
use std::time::{Duration, Instant};

use nicepay_snap::api::token::AccessTokenResponse;
use nicepay_snap::{
    AccessToken, Config, ExternalId, Method, Operation, PreparedRequest, RawResponse, RequestContext, Timestamp,
    TransportError,
};

use crate::observe::{self, ACCESS_TOKEN_OPERATION};
use crate::policy::{decide, Next};
use crate::token::RefreshGuard;
use crate::{ClientError, ClientOptions};

/// What a driver must do next. `K` is what a token request carries: the token to drop for a
/// [`Call`], nothing ([`Infallible`]: never asked) for a [`TokenFetch`].
#[derive(Debug)]
pub(crate) enum Step<R, K = Option<AccessToken>> {
    /// Get a valid access token (after dropping `rejected` from the cache, when it is `Some`)
    /// and hand it to [`Call::token`].
    Token { rejected: K },
    /// Send the request (`request()`) once, as attempt `attempt`, and hand the result to `sent`.
    Send { attempt: u32 },
    /// Wait this long, then poll again.
    Sleep(Duration),
    /// The call is over.
    Done(Result<R, ClientError>),
}

#[derive(Debug)]
enum State<R, K> {
    NeedToken(K),
    AwaitingToken,
    Ready,
    InFlight,
    Backoff,
    Done(Result<R, ClientError>),
    Finished,
}

/// Where a call or token request stands: its state, the number of the send under way and the
/// resends left for it.
#[derive(Debug)]
struct Progress<R, K> {
    state: State<R, K>,
    attempt: u32,
    resend_left: u32,
}

impl<R, K> Progress<R, K> {
    /// A first attempt in `state`.
    fn new(state: State<R, K>, options: &ClientOptions) -> Self {
        Self {
            state,
            attempt: 1,
            resend_left: options.connect_retries,
        }
    }

    /// The next step from the current state; `what` names the driven thing in the error of a
    /// poll out of turn.
    fn poll(&mut self, options: &ClientOptions, what: &str) -> Step<R, K> {
        match std::mem::replace(&mut self.state, State::Finished) {
            State::NeedToken(rejected) => {
                self.state = State::AwaitingToken;
                Step::Token { rejected }
            }
            State::Ready => {
                self.state = State::InFlight;
                Step::Send { attempt: self.attempt }
            }
            State::Backoff => {
                self.attempt += 1;
                self.state = State::Ready;
                Step::Sleep(options.connect_retry_backoff)
            }
            State::Done(result) => Step::Done(result),
            State::AwaitingToken | State::InFlight | State::Finished => {
                Step::Done(Err(ClientError::Snap(nicepay_snap::Error::InvalidInput {
                    field: what.into(),
                    reason: "polled out of turn".into(),
                })))
            }
        }
    }

    /// Uses up one resend: the state to wait in before it.
    fn resend(&mut self) -> State<R, K> {
        self.resend_left -= 1;
        State::Backoff
    }
}

/// What a [`Call`] sends and how it reads the answer: a typed operation ([`Typed`]) or a raw
/// signed request ([`Raw`]).
pub(crate) trait Spec {
    /// The success response.
    type Response;
    /// Operation name, for reports and errors.
    fn name(&self) -> &'static str;
    /// Whether a timeout or 5xx is an unknown outcome (never resent with a new identity).
    fn money_moving(&self) -> bool;
    /// Signs the request with the per-attempt inputs.
    fn prepare(&self, config: &Config, ctx: &RequestContext<'_>) -> nicepay_snap::Result<PreparedRequest>;
    /// Reads a response.
    fn parse(&self, config: &Config, raw: &RawResponse) -> nicepay_snap::Result<Self::Response>;
    /// The request body as JSON, for the identifiers of an unknown outcome.
    fn body_json(&self) -> Option<serde_json::Value>;
}

/// A typed operation `O` and its request.
pub(crate) struct Typed<'a, O: Operation>(pub(crate) &'a O::Request);

impl<O: Operation> Spec for Typed<'_, O> {
    type Response = O::Response;
    fn name(&self) -> &'static str {
        O::NAME
    }
    fn money_moving(&self) -> bool {
        O::MONEY_MOVING
    }
    fn prepare(&self, config: &Config, ctx: &RequestContext<'_>) -> nicepay_snap::Result<PreparedRequest> {
        config.prepare::<O>(self.0, ctx)
    }
    fn parse(&self, config: &Config, raw: &RawResponse) -> nicepay_snap::Result<O::Response> {
        config.parse::<O>(raw)
    }
    fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::to_value(self.0).ok()
    }
}

/// Operation name of raw calls in reports and errors.
pub const RAW_OPERATION: &str = "raw";

/// A raw signed call: any method, path and JSON body (minified once; those bytes are signed and
/// sent on every attempt), the answer read as JSON with the SNAP envelope's rules.
pub(crate) struct Raw {
    pub(crate) method: Method,
    pub(crate) path: String,
    pub(crate) body: Vec<u8>,
    pub(crate) money_moving: bool,
}

impl Spec for Raw {
    type Response = serde_json::Value;
    fn name(&self) -> &'static str {
        RAW_OPERATION
    }
    fn money_moving(&self) -> bool {
        self.money_moving
    }
    fn prepare(&self, config: &Config, ctx: &RequestContext<'_>) -> nicepay_snap::Result<PreparedRequest> {
        config.prepare_json(self.method, &self.path, &self.body, ctx)
    }
    fn parse(&self, _config: &Config, raw: &RawResponse) -> nicepay_snap::Result<serde_json::Value> {
        nicepay_snap::response::parse_response(raw)
    }
    fn body_json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }
}

/// One call: prepare with a token, send, resend what certainly never arrived, refresh the token
/// once on `401xx01`, classify the outcome.
pub(crate) struct Call<'a, S: Spec> {
    config: &'a Config,
    options: &'a ClientOptions,
    spec: S,
    progress: Progress<S::Response, Option<AccessToken>>,
    prepared: Option<(AccessToken, PreparedRequest)>,
    token_retry_left: bool,
}

impl<'a, S: Spec> Call<'a, S> {
    pub(crate) fn new(config: &'a Config, options: &'a ClientOptions, spec: S) -> Self {
        Self {
            config,
            options,
            spec,
            progress: Progress::new(State::NeedToken(None), options),
            prepared: None,
            token_retry_left: true,
        }
    }

    /// The next thing to do.
    pub(crate) fn poll(&mut self) -> Step<S::Response> {
        self.progress.poll(self.options, "call")
    }

    /// The operation's name.
    pub(crate) fn name(&self) -> &'static str {
        self.spec.name()
    }

    /// Whether the call moves money.
    pub(crate) fn money_moving(&self) -> bool {
        self.spec.money_moving()
    }

    /// The request body as JSON (for the journal).
    pub(crate) fn body_json(&self) -> Option<serde_json::Value> {
        self.spec.body_json()
    }

    /// The token to sign with, the `X-TIMESTAMP` and a fresh `X-EXTERNAL-ID`: prepares the
    /// request (a new identity after a token refresh, as NICEPAY needs).
    pub(crate) fn token(&mut self, token: AccessToken, timestamp: Timestamp, external_id: ExternalId) {
        let ctx = RequestContext {
            access_token: &token,
            timestamp,
            external_id,
        };
        match self.spec.prepare(self.config, &ctx) {
            Ok(prepared) => {
                self.prepared = Some((token, prepared));
                self.progress = Progress::new(State::Ready, self.options);
            }
            Err(e) => self.progress.state = State::Done(Err(e.into())),
        }
    }

    /// The prepared request of the current attempt.
    ///
    /// # Panics
    /// Before a token was given (a driver bug: [`Step::Send`] comes only after [`Call::token`]).
    pub(crate) fn request(&self) -> &PreparedRequest {
        &self
            .prepared
            .as_ref()
            .expect("a request is prepared before it is sent")
            .1
    }

    /// What the send of [`Call::request`] gave.
    pub(crate) fn sent(&mut self, sent: Result<RawResponse, TransportError>) {
        let Some((token, prepared)) = self.prepared.as_ref() else {
            return;
        };
        self.progress.state = match decide(
            self.config,
            &self.spec,
            prepared,
            sent,
            self.token_retry_left,
            self.progress.resend_left > 0,
        ) {
            Next::Done(result) => State::Done(result),
            Next::Resend => self.progress.resend(),
            Next::RefreshToken => {
                self.token_retry_left = false;
                State::NeedToken(Some(token.clone()))
            }
        };
    }
}

/// One access-token request: sent, resent byte-identical while it certainly never arrived,
/// parsed. It never asks for a token.
#[derive(Debug)]
pub(crate) struct TokenFetch<'a> {
    config: &'a Config,
    options: &'a ClientOptions,
    request: PreparedRequest,
    progress: Progress<AccessTokenResponse, Infallible>,
}

impl<'a> TokenFetch<'a> {
    pub(crate) fn new(config: &'a Config, options: &'a ClientOptions, now: Timestamp) -> Result<Self, ClientError> {
        Ok(Self {
            config,
            options,
            request: config.prepare_access_token(now)?,
            progress: Progress::new(State::Ready, options),
        })
    }

    /// The next thing to do.
    pub(crate) fn poll(&mut self) -> Step<AccessTokenResponse, Infallible> {
        self.progress.poll(self.options, "token request")
    }

    /// The token request.
    pub(crate) fn request(&self) -> &PreparedRequest {
        &self.request
    }

    /// What the send of [`TokenFetch::request`] (attempt `attempt`, begun at `started`) gave;
    /// its exchange is kept in `refresh`, to be reported when the refresh is over.
    pub(crate) fn sent(
        &mut self,
        sent: Result<RawResponse, TransportError>,
        started: Option<Instant>,
        attempt: u32,
        refresh: &mut RefreshGuard<'_>,
    ) {
        refresh.record(observe::exchange(
            started,
            ACCESS_TOKEN_OPERATION,
            &self.request,
            attempt,
            &sent,
        ));
        self.progress.state = match sent {
            Err(e) if e.is_not_delivered() && self.progress.resend_left > 0 => self.progress.resend(),
            Err(e) => State::Done(Err(e.into())),
            Ok(raw) => State::Done(
                self.config
                    .parse_access_token(&raw)
                    .map_err(|e| self.config.scrub_response_error(e, &self.request).into()),
            ),
        };
    }
}
