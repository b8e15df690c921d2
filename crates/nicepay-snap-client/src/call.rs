//! The sans-IO call drivers: state machines that say what to do next (get a token, send, wait,
//! return) and take the results back, so that the blocking and async clients are short loops
//! that only perform IO. All decisions (token refresh on `401xx01`, byte-identical resends,
//! unknown outcomes of money-moving calls) are made here and in [`crate::policy`].

use std::time::{Duration, Instant};

use nicepay_snap::api::token::AccessTokenResponse;
use nicepay_snap::{
    AccessToken, Config, ExternalId, Operation, PreparedRequest, RawResponse, RequestContext, Timestamp, TransportError,
};

use crate::observe::{self, ACCESS_TOKEN_OPERATION};
use crate::policy::{decide, Next};
use crate::token::RefreshGuard;
use crate::{ClientError, ClientOptions};

/// What a driver must do next.
#[derive(Debug)]
pub(crate) enum Step<R> {
    /// Get a valid access token (after dropping `rejected` from the cache, when it is `Some`)
    /// and hand it to [`Call::token`].
    Token { rejected: Option<AccessToken> },
    /// Send [`Call::request`] once, as attempt `attempt`, and hand the result to `sent`.
    Send { attempt: u32 },
    /// Wait this long, then poll again.
    Sleep(Duration),
    /// The call is over.
    Done(Result<R, ClientError>),
}

/// What a driver must do next for a [`TokenFetch`].
#[derive(Debug)]
pub(crate) enum FetchStep {
    /// Send [`TokenFetch::request`] once, as attempt `attempt`, and hand the result to `sent`.
    Send { attempt: u32 },
    /// Wait this long, then poll again.
    Sleep(Duration),
    /// The token request is over.
    Done(Result<AccessTokenResponse, ClientError>),
}

#[derive(Debug)]
enum State<R> {
    NeedToken(Option<AccessToken>),
    AwaitingToken,
    Ready,
    InFlight,
    Backoff,
    Done(Result<R, ClientError>),
    Finished,
}

/// One call of operation `O`: prepare with a token, send, resend what certainly never arrived,
/// refresh the token once on `401xx01`, classify the outcome.
#[derive(Debug)]
pub(crate) struct Call<'a, O: Operation> {
    config: &'a Config,
    options: &'a ClientOptions,
    request: &'a O::Request,
    state: State<O::Response>,
    prepared: Option<(AccessToken, PreparedRequest)>,
    token_retry_left: bool,
    resend_left: u32,
    attempt: u32,
}

impl<'a, O: Operation> Call<'a, O> {
    pub(crate) fn new(config: &'a Config, options: &'a ClientOptions, request: &'a O::Request) -> Self {
        Self {
            config,
            options,
            request,
            state: State::NeedToken(None),
            prepared: None,
            token_retry_left: true,
            resend_left: options.connect_retries,
            attempt: 1,
        }
    }

    /// The next thing to do.
    pub(crate) fn poll(&mut self) -> Step<O::Response> {
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
                Step::Sleep(self.options.connect_retry_backoff)
            }
            State::Done(result) => Step::Done(result),
            State::AwaitingToken | State::InFlight | State::Finished => {
                Step::Done(Err(ClientError::Snap(nicepay_snap::Error::InvalidInput {
                    field: "call".into(),
                    reason: "polled out of turn".into(),
                })))
            }
        }
    }

    /// The token to sign with, the `X-TIMESTAMP` and a fresh `X-EXTERNAL-ID`: prepares the
    /// request (a new identity after a token refresh, as NICEPAY needs).
    pub(crate) fn token(&mut self, token: AccessToken, timestamp: Timestamp, external_id: ExternalId) {
        let ctx = RequestContext {
            access_token: &token,
            timestamp,
            external_id,
        };
        match self.config.prepare::<O>(self.request, &ctx) {
            Ok(prepared) => {
                self.prepared = Some((token, prepared));
                self.attempt = 1;
                self.resend_left = self.options.connect_retries;
                self.state = State::Ready;
            }
            Err(e) => self.state = State::Done(Err(e.into())),
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
        self.state = match decide::<O>(
            self.config,
            prepared,
            self.request,
            sent,
            self.token_retry_left,
            self.resend_left > 0,
        ) {
            Next::Done(result) => State::Done(result),
            Next::Resend => {
                self.resend_left -= 1;
                State::Backoff
            }
            Next::RefreshToken => {
                self.token_retry_left = false;
                State::NeedToken(Some(token.clone()))
            }
        };
    }
}

/// One access-token request: sent, resent byte-identical while it certainly never arrived,
/// parsed.
#[derive(Debug)]
pub(crate) struct TokenFetch<'a> {
    config: &'a Config,
    options: &'a ClientOptions,
    request: PreparedRequest,
    state: State<AccessTokenResponse>,
    resend_left: u32,
    attempt: u32,
}

impl<'a> TokenFetch<'a> {
    pub(crate) fn new(config: &'a Config, options: &'a ClientOptions, now: Timestamp) -> Result<Self, ClientError> {
        Ok(Self {
            config,
            options,
            request: config.prepare_access_token(now)?,
            state: State::Ready,
            resend_left: options.connect_retries,
            attempt: 1,
        })
    }

    /// The next thing to do.
    pub(crate) fn poll(&mut self) -> FetchStep {
        match std::mem::replace(&mut self.state, State::Finished) {
            State::Ready => {
                self.state = State::InFlight;
                FetchStep::Send { attempt: self.attempt }
            }
            State::Backoff => {
                self.attempt += 1;
                self.state = State::Ready;
                FetchStep::Sleep(self.options.connect_retry_backoff)
            }
            State::Done(result) => FetchStep::Done(result),
            State::NeedToken(_) | State::AwaitingToken | State::InFlight | State::Finished => {
                FetchStep::Done(Err(ClientError::Snap(nicepay_snap::Error::InvalidInput {
                    field: "token request".into(),
                    reason: "polled out of turn".into(),
                })))
            }
        }
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
        self.state = match sent {
            Err(e) if e.is_not_delivered() && self.resend_left > 0 => {
                self.resend_left -= 1;
                State::Backoff
            }
            Err(e) => State::Done(Err(e.into())),
            Ok(raw) => State::Done(
                self.config
                    .parse_access_token(&raw)
                    .map_err(|e| self.config.scrub_response_error(e, &self.request).into()),
            ),
        };
    }
}
