//! The decisions shared by the blocking and async clients: token freshness, what to do with
//! each response, and how to report unknown outcomes. Pure functions, no IO.

use std::fmt;
use std::time::Duration;

use nicepay_snap::api::token::AccessTokenResponse;
use nicepay_snap::{AccessToken, Config, Error, Outcome, PreparedRequest, RawResponse, TransportError};

use crate::call::Spec;
use crate::{ClientError, ExchangeObserver, Store};

/// Tunables of a client.
#[derive(Clone)]
pub struct ClientOptions {
    /// Refresh the access token this long before it expires.
    pub token_refresh_margin: Duration,
    /// Lifetime assumed when the token response has no usable `expiresIn`.
    pub default_token_lifetime: Duration,
    /// How many times to resend a request that certainly never reached the server
    /// (connection refused, DNS, TLS handshake). Resends are byte-identical.
    pub connect_retries: u32,
    /// Pause before such a resend.
    pub connect_retry_backoff: Duration,
    /// Called after every HTTP exchange (token requests, retries and resends included) with
    /// what was sent and what came back, minus anything secret: for logs, metrics and audit
    /// trails. `None` (the default) costs nothing.
    pub on_exchange: Option<ExchangeObserver>,
    /// Where the shared token, the money-call journal and the processed notifications live
    /// (see [`crate::Store`]); set with [`ClientOptions::store`]. The default is a fresh
    /// in-memory store: clones of these options share it.
    pub store: Store,
}

impl fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientOptions")
            .field("token_refresh_margin", &self.token_refresh_margin)
            .field("default_token_lifetime", &self.default_token_lifetime)
            .field("connect_retries", &self.connect_retries)
            .field("connect_retry_backoff", &self.connect_retry_backoff)
            .field("on_exchange", &self.on_exchange.as_ref().map(|_| "<observer>"))
            .field("store", &self.store)
            .finish()
    }
}

impl ClientOptions {
    /// The most `connect_retries` accepted by [`ClientOptions::with_connect_retries`] (and the
    /// language bindings).
    pub const MAX_CONNECT_RETRIES: u32 = 10;
    /// The largest `token_refresh_margin` accepted by
    /// [`ClientOptions::with_token_refresh_margin`] (NICEPAY tokens live 900 s).
    pub const MAX_TOKEN_REFRESH_MARGIN: Duration = Duration::from_secs(600);

    /// Uses `store` for the token, the journal and notification dedupe.
    pub fn store(mut self, store: Store) -> Self {
        self.store = store;
        self
    }

    /// Opens the store a URL names ([`Store::open`]) and uses it: the language bindings'
    /// `store` option.
    pub fn with_store_url(self, url: &str) -> Result<Self, ClientError> {
        Ok(self.store(Store::open(url)?))
    }

    /// Sets [`ClientOptions::connect_retries`], checked: at most
    /// [`ClientOptions::MAX_CONNECT_RETRIES`] (any wider integer a binding received is accepted
    /// here, so that an out-of-range number is this error and not an overflow).
    pub fn with_connect_retries(mut self, retries: i128) -> Result<Self, ClientError> {
        let retries = u32::try_from(retries).ok().filter(|r| *r <= Self::MAX_CONNECT_RETRIES);
        self.connect_retries = checked(retries, "connect_retries", || {
            format!("must be a whole number from 0 to {}", Self::MAX_CONNECT_RETRIES)
        })?;
        Ok(self)
    }

    /// Sets [`ClientOptions::token_refresh_margin`] from seconds, checked: a finite number from
    /// 0 to [`ClientOptions::MAX_TOKEN_REFRESH_MARGIN`].
    pub fn with_token_refresh_margin(mut self, seconds: f64) -> Result<Self, ClientError> {
        let margin = Duration::try_from_secs_f64(seconds)
            .ok()
            .filter(|d| *d <= Self::MAX_TOKEN_REFRESH_MARGIN);
        self.token_refresh_margin = checked(margin, "token_refresh_margin", || {
            format!("must be from 0 to {} seconds", Self::MAX_TOKEN_REFRESH_MARGIN.as_secs())
        })?;
        Ok(self)
    }
}

/// A positive, finite number of seconds as a [`Duration`] (transport timeouts), checked: the
/// error names `field`.
pub fn positive_seconds(field: &str, seconds: f64) -> Result<Duration, ClientError> {
    let timeout = Duration::try_from_secs_f64(seconds)
        .ok()
        .filter(|d| !d.is_zero() && d.as_secs() <= MAX_TIMEOUT_SECONDS);
    checked(timeout, field, || {
        format!("must be a positive number of seconds, at most {MAX_TIMEOUT_SECONDS}")
    })
}

/// The longest timeout [`positive_seconds`] accepts: one day.
pub const MAX_TIMEOUT_SECONDS: u64 = 86_400;

/// The accepted `value`, or (`None`) an error naming `field` and what it `must` be.
fn checked<T>(value: Option<T>, field: &str, must: impl FnOnce() -> String) -> Result<T, ClientError> {
    value.ok_or_else(|| {
        ClientError::Snap(Error::InvalidInput {
            field: field.into(),
            reason: must(),
        })
    })
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            token_refresh_margin: Duration::from_secs(60),
            default_token_lifetime: Duration::from_secs(900),
            connect_retries: 1,
            connect_retry_backoff: Duration::from_millis(200),
            on_exchange: None,
            store: Store::memory(),
        }
    }
}

/// A token and when it stops being usable.
#[derive(Debug, Clone)]
pub(crate) struct CachedToken {
    pub(crate) token: AccessToken,
    /// Unix milliseconds after which the token must be refreshed (expiry minus margin).
    pub(crate) refresh_at_millis: u64,
}

impl CachedToken {
    pub(crate) fn new(response: AccessTokenResponse, now_millis: u64, options: &ClientOptions) -> Self {
        let lifetime = response
            .expires_in_seconds()
            .map(Duration::from_secs)
            .unwrap_or(options.default_token_lifetime);
        let usable = lifetime.saturating_sub(options.token_refresh_margin);
        Self {
            token: response.access_token,
            refresh_at_millis: now_millis.saturating_add(u64::try_from(usable.as_millis()).unwrap_or(u64::MAX)),
        }
    }

    pub(crate) fn is_fresh(&self, now_millis: u64) -> bool {
        now_millis < self.refresh_at_millis
    }
}

/// What to do after one exchange.
pub(crate) enum Next<T> {
    /// Return this to the caller.
    Done(Result<T, ClientError>),
    /// The token was rejected (`401xx01`): drop it, fetch a new one, and prepare again.
    RefreshToken,
    /// The request certainly never arrived: send the same bytes again.
    Resend,
}

/// Decides the fate of one exchange of operation `O`.
pub(crate) fn decide<S: Spec>(
    config: &Config,
    spec: &S,
    prepared: &PreparedRequest,
    sent: Result<RawResponse, TransportError>,
    token_retry_left: bool,
    resend_left: bool,
) -> Next<S::Response> {
    let money = spec.money_moving();
    let raw = match sent {
        Ok(raw) => raw,
        Err(e) if e.is_not_delivered() && resend_left => return Next::Resend,
        Err(e) if e.is_not_delivered() || !money => return Next::Done(Err(ClientError::Transport(e))),
        Err(e) => return Next::Done(Err(unknown(spec, prepared, format!("transport failure: {e}"), None))),
    };
    match spec
        .parse(config, &raw)
        .map_err(|e| config.scrub_response_error(e, prepared))
    {
        Ok(response) => Next::Done(Ok(response)),
        Err(Error::Api { response_code, .. }) if response_code.is_access_token_invalid() && token_retry_left => {
            Next::RefreshToken
        }
        Err(Error::Api {
            response_code,
            response_message,
            http_status,
        }) => {
            let outcome = response_code.outcome();
            if money && matches!(outcome, Outcome::Unknown | Outcome::InProgress) {
                let reason = format!("{response_code} {response_message}");
                Next::Done(Err(unknown(spec, prepared, reason, Some(response_code))))
            } else {
                Next::Done(Err(ClientError::Snap(Error::Api {
                    http_status,
                    response_code,
                    response_message,
                })))
            }
        }
        // A body we cannot read on a money-moving call is only proof of rejection when the
        // HTTP status says so (4xx); anything else may hide an applied request.
        Err(Error::Decode {
            http_status, reason, ..
        }) if money && !(400..500).contains(&http_status) => Next::Done(Err(unknown(
            spec,
            prepared,
            format!("HTTP {http_status}, {reason}"),
            None,
        ))),
        Err(other) => Next::Done(Err(ClientError::Snap(other))),
    }
}

/// Top-level body fields that identify a transaction for a status query.
const IDENTIFIER_FIELDS: &[&str] = &[
    "originalReferenceNo",
    "originalPartnerReferenceNo",
    "partnerReferenceNo",
    "partnerRefundNo",
    "referenceNo",
    "trxId",
    "virtualAccountNo",
    "merchantId",
];

/// The identifying top-level string fields of a request body ([`IDENTIFIER_FIELDS`]).
pub(crate) fn identifiers(body: &serde_json::Value) -> Vec<(String, String)> {
    IDENTIFIER_FIELDS
        .iter()
        .filter_map(|k| Some(((*k).to_owned(), body.get(*k)?.as_str()?.to_owned())))
        .collect()
}

pub(crate) fn unknown<S: Spec>(
    spec: &S,
    prepared: &PreparedRequest,
    reason: String,
    response_code: Option<nicepay_snap::ResponseCode>,
) -> ClientError {
    // From the request (a typed one's top-level string fields), not from the signed bytes.
    let identifiers = identifiers(&spec.body_json().unwrap_or_default());
    let external_id = prepared
        .header("X-EXTERNAL-ID")
        .and_then(|id| nicepay_snap::ExternalId::new(id).ok())
        .unwrap_or_else(|| nicepay_snap::ExternalId::from_parts(0, 0));
    ClientError::OutcomeUnknown {
        operation: spec.name(),
        reason,
        external_id,
        identifiers,
        response_code,
    }
}
