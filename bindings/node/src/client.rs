//! `Client`: the async NICEPAY SNAP client (`nicepay-snap-client`'s `AsyncClient` over the
//! `nicepay-snap-reqwest` transport) on napi's tokio runtime; every network method returns a `Promise`.
//!
//! The core client caches the access token (refreshing it before expiry, one refresh at a time),
//! retries once on `401xx01`, makes a fresh `X-EXTERNAL-ID` per request and reports an unknown
//! outcome of a money-moving call (a refund, a payout approve) as `ERR_NICEPAY_OUTCOME_UNKNOWN`
//! instead of resending it. Payloads are plain JavaScript objects with SNAP's camelCase field
//! names; they are decoded into the operation's typed request before anything is signed.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use napi::bindgen_prelude::{FnArgs, FromNapiValue, Function, JsObjectValue, Object, PromiseRaw, Unknown};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, Status};
use napi_derive::napi;
use nicepay_snap::status::Product;
use nicepay_snap::{Config, ConfigBuilder, NotificationVerifier, ENV_VARIABLES};
use nicepay_snap_client::binding_support::{exchange_value, Naming};
use nicepay_snap_client::{AsyncClient, ClientOptions as CoreClientOptions, Clock as _, SystemClock};
use nicepay_snap_reqwest::ReqwestTransport;
use serde_json::Value;

use crate::errors::{NodeError, NodeResult};
use crate::js;
use crate::types::{body_arg, body_bytes, headers_arg, json_object_arg, Options};

/// Options of `new Client(...)`. Keys may be texts or parsed `PrivateKey` / `PublicKey`
/// instances.
#[napi(object, object_to_js = false)]
#[allow(missing_debug_implementations)] // The TypeScript shape only: read field by field, never built.
pub struct ClientOptions {
    /// Client ID (iMid): `X-CLIENT-KEY`, `X-PARTNER-ID`.
    pub client_id: String,
    /// Client secret (the HMAC-SHA512 key of transactional signatures).
    pub client_secret: String,
    /// The merchant's RSA private key (PEM or bare base64, or a parsed `PrivateKey`), for the
    /// access-token request.
    #[napi(ts_type = "string | PrivateKey")]
    pub private_key: String,
    /// NICEPAY's notification public key (PEM or bare base64, or a parsed `PublicKey`); needed
    /// to verify notifications.
    #[napi(ts_type = "string | PublicKey")]
    pub notification_public_key: Option<String>,
    /// Host root such as `http://127.0.0.1:8080` (a simulator); overrides `environment`.
    pub base_url: Option<String>,
    /// `"sandbox"` (default), `"staging"` or `"production"`.
    pub environment: Option<String>,
    /// `"classic"` (default, `dev.nicepay.co.id`) or `"cloud"` (`dev-services.nicepay.co.id`).
    pub host_family: Option<String>,
    /// `CHANNEL-ID` header (default: client ID + `"01"`).
    pub channel_id: Option<String>,
    /// Overall timeout of one HTTP exchange in milliseconds (default 60 000).
    pub timeout_ms: Option<u32>,
    /// Connect timeout in milliseconds (default 10 000).
    pub connect_timeout_ms: Option<u32>,
    /// Called after every HTTP exchange (token requests, the `401xx01` retry and resends
    /// included) with what was sent and what came back, never a secret: for logs and metrics.
    /// It runs on the JavaScript thread shortly after the exchange and does not keep the process
    /// alive; an exception thrown by it cannot change the call and is reported as a process
    /// warning (`NicepayWarning`).
    #[napi(ts_type = "(exchange: Exchange) => void")]
    pub on_exchange: Option<String>,
    /// Byte-identical resends of a request that certainly never reached NICEPAY (connection
    /// refused, DNS, TLS handshake): default 1, at most 10.
    pub connect_retries: Option<u32>,
    /// Refresh the access token this many milliseconds before it expires: default 60 000, at
    /// most 600 000.
    pub token_refresh_margin_ms: Option<u32>,
    /// Where the shared token, money-call journal and notification dedupe live: `"memory:"`
    /// (default), `"sqlite:///abs/path.db"` or `"redis://host:port/db"` (README: State store).
    pub store: Option<String>,
}

/// The `onExchange` callback, callable from the runtime's threads; weak, so it never keeps the
/// process alive.
type ExchangeCallback = ThreadsafeFunction<Value, Unknown<'static>, Value, Status, false, true>;

/// Client options with `onExchange` wired to the core client's observer.
fn client_options(on_exchange: Option<ExchangeCallback>) -> CoreClientOptions {
    let mut options = CoreClientOptions::default();
    if let Some(callback) = on_exchange {
        options.on_exchange = Some(Arc::new(move |e: &nicepay_snap_client::Exchange| {
            // NonBlocking: the exchange is never held up by the JavaScript thread; the status is
            // `Closing` only while the environment shuts down, when nobody is listening anyway.
            // An exception thrown by the callback cannot undo the exchange: it is reported as a
            // process warning instead of an uncaught exception.
            let _ = callback.call_with_return_value(
                exchange_value(e, Naming::Camel),
                ThreadsafeFunctionCallMode::NonBlocking,
                |result, env| {
                    if let Err(err) = result {
                        emit_warning(&env, &format!("onExchange threw: {}", err.reason))?;
                    }
                    Ok(())
                },
            );
        }));
    }
    options
}

/// Builds the client `new Client(...)` / `Client.fromEnv(...)` describe: `config` completed by
/// what `o` gives, then the transport and client options (the JavaScript shape is
/// [`ClientOptions`]); the location strings given win over `fallback` (the environment's).
fn build_client(
    mut config: ConfigBuilder,
    o: Option<&Options<'_>>,
    fallback: impl Fn(&str) -> Option<String>,
) -> NodeResult<Inner> {
    if let Some(o) = o {
        if let Some(id) = o.opt_string("clientId")? {
            config = config.client_id(id);
        }
        if let Some(secret) = o.opt_string("clientSecret")? {
            config = config.client_secret(secret);
        }
        if let Some(key) = o.opt_public_key("notificationPublicKey")? {
            config = config.notification_public_key((*key).clone());
        }
        if let Some(channel) = o.opt_string("channelId")? {
            config = config.channel_id(channel);
        }
        let place =
            |js: &str, var: &str| -> NodeResult<Option<String>> { Ok(o.opt_string(js)?.or_else(|| fallback(var))) };
        config = config.location(
            place("baseUrl", "NICEPAY_BASE_URL")?.as_deref(),
            place("environment", "NICEPAY_ENVIRONMENT")?.as_deref(),
            place("hostFamily", "NICEPAY_HOST_FAMILY")?.as_deref(),
        )?;
    }
    let number = |js: &str| -> NodeResult<Option<u32>> { Ok(o.map(|o| o.opt_u32(js)).transpose()?.flatten()) };
    let millis = |js: &str| -> NodeResult<Option<Duration>> {
        match number(js)? {
            Some(0) => Err(NodeError::invalid_input(js, "must be positive")),
            ms => Ok(ms.map(|ms| Duration::from_millis(u64::from(ms)))),
        }
    };
    let (timeout, connect_timeout) = (millis("timeoutMs")?, millis("connectTimeoutMs")?);
    let mut options = client_options(o.map(exchange_callback).transpose()?.flatten());
    if let Some(retries) = number("connectRetries")? {
        options = options.with_connect_retries(retries.into())?;
    }
    if let Some(ms) = number("tokenRefreshMarginMs")? {
        options = options.with_token_refresh_margin(f64::from(ms) / 1000.0).map_err(|_| {
            let limit = CoreClientOptions::MAX_TOKEN_REFRESH_MARGIN.as_millis();
            NodeError::invalid_input("tokenRefreshMarginMs", &format!("must be at most {limit}"))
        })?;
    }
    if let Some(url) = o.map(|o| o.opt_string("store")).transpose()?.flatten() {
        options = options.with_store_url(&url)?;
    }
    let config = config.build().map_err(env_error)?;
    let transport = ReqwestTransport::builder().timeouts(timeout, connect_timeout);
    Ok(AsyncClient::new(config, transport.build()?).with_options(options))
}

/// A core configuration error, with a missing environment variable reported under the option
/// that would have given it (`NICEPAY_CLIENT_SECRET` -> `clientSecret`).
fn env_error(err: nicepay_snap::Error) -> NodeError {
    match err {
        nicepay_snap::Error::InvalidInput { field, reason } => {
            match ENV_VARIABLES.iter().find(|(var, _)| *var == field) {
                Some((var, option)) => NodeError::invalid_input(option, &format!("is required (set {var})")),
                None => NodeError::invalid_input(&field, &reason),
            }
        }
        other => other.into(),
    }
}

/// `process.emitWarning(message, 'NicepayWarning')`.
fn emit_warning(env: &Env, message: &str) -> napi::Result<()> {
    let process: Object<'_> = env.get_global()?.get_named_property("process")?;
    let emit: Function<'_, FnArgs<(String, String)>, Unknown<'_>> = process.get_named_property("emitWarning")?;
    emit.call(FnArgs::from((message.to_owned(), "NicepayWarning".to_owned())))?;
    Ok(())
}

/// Reads `onExchange` into a callback the runtime's threads can call.
fn exchange_callback(o: &Options<'_>) -> NodeResult<Option<ExchangeCallback>> {
    let Some(function) = o.opt_function::<Value, Unknown<'static>>("onExchange")? else {
        return Ok(None);
    };
    function
        .build_threadsafe_function::<Value>()
        .callee_handled::<false>()
        .weak::<true>()
        .build()
        .map(Some)
        .map_err(|_| NodeError::invalid_input("onExchange", "could not be prepared for calls from other threads"))
}

/// Verifies an inbound notification's headers (signature, `X-CLIENT-KEY`, freshness against the
/// system clock) and parses its raw body as JSON.
fn verify_request(
    verifier: &NotificationVerifier,
    env: &Env,
    headers: Unknown<'_>,
    body: Unknown<'_>,
) -> NodeResult<Value> {
    let headers = headers_arg(env, "headers", headers)?;
    let body = body_arg(env, "body", body).map_err(|_| {
        NodeError::invalid_input(
            "body",
            "must be the raw body as a Buffer or string (e.g. express.raw({ type: 'application/json' }))",
        )
    })?;
    Ok(verifier.verify(&headers, body_bytes(&body), SystemClock.now())?)
}

/// Runs `fut` on napi's tokio runtime; the Promise resolves with its JSON value or rejects with
/// the mapped `Error` (built on the JavaScript thread, so it carries every property).
fn promise<'env, T, F>(env: &'env Env, fut: F) -> napi::Result<PromiseRaw<'env, T>>
where
    T: napi::bindgen_prelude::ToNapiValue + Send + 'static,
    F: Future<Output = NodeResult<T>> + Send + 'static,
{
    env.spawn_future_with_callback(async move { Ok(fut.await) }, |env, result| {
        result.map_err(|e| e.into_napi(env))
    })
}

type Inner = AsyncClient<ReqwestTransport>;

/// A notification's headers and raw body, read on the JavaScript thread.
type Inbound = (Vec<(String, String)>, Vec<u8>);

/// An async NICEPAY SNAP client. Network methods return Promises; the access token is cached and
/// refreshed by the client. Neither `util.inspect` nor errors ever show the client secret, the
/// private key or the access token.
#[napi]
pub struct Client {
    inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client").field("config", self.inner.config()).finish()
    }
}

#[napi]
impl Client {
    /// A client for one merchant. Throws `ERR_NICEPAY_INVALID_INPUT` for a missing field or an
    /// unusable key.
    #[napi(constructor, ts_args_type = "options: ClientOptions")]
    pub fn new(env: &Env, options: Unknown<'_>) -> napi::Result<Self> {
        js(env, || {
            let o = Options::new(options)?;
            // Required here (no environment to fall back on).
            let config = Config::builder()
                .client_id(o.string("clientId")?)
                .client_secret(o.string("clientSecret")?)
                .private_key((*o.private_key("privateKey")?).clone());
            let inner = build_client(config, Some(&o), |_| None)?;
            nicepay_snap::validate_client_id(inner.config().client_id())?;
            Ok(Self { inner: Arc::new(inner) })
        })
    }

    /// A client configured from `NICEPAY_CLIENT_ID`, `NICEPAY_CLIENT_SECRET`,
    /// `NICEPAY_PRIVATE_KEY`, and optionally `NICEPAY_NOTIFICATION_PUBLIC_KEY`, `NICEPAY_BASE_URL`,
    /// `NICEPAY_ENVIRONMENT`, `NICEPAY_HOST_FAMILY`, `NICEPAY_CHANNEL_ID`. Fields given in
    /// `options` win over the environment.
    #[napi(factory, ts_args_type = "options?: Partial<ClientOptions>")]
    pub fn from_env(env: &Env, options: Option<Unknown<'_>>) -> napi::Result<Self> {
        js(env, || {
            let overrides = options.map(Options::new).transpose()?;
            // The documented `NICEPAY_*` variables (the core's rules); fields given win.
            let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
            let mut config = ConfigBuilder::from_env_lookup(var).map_err(env_error)?;
            if let Some(o) = overrides.as_ref().filter(|o| o.has("privateKey").unwrap_or(true)) {
                config = config.private_key((*o.private_key("privateKey")?).clone());
            }
            let inner = build_client(config, overrides.as_ref(), var)?;
            Ok(Self { inner: Arc::new(inner) })
        })
    }

    /// The client ID.
    #[napi(getter)]
    pub fn client_id(&self) -> String {
        self.inner.config().client_id().to_owned()
    }

    /// The base URL, including the `/nicepay` prefix.
    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.inner.config().base_url().to_owned()
    }

    /// A valid B2B access token: the cached one, or a fresh one (concurrent callers share one
    /// refresh). Treat the value as a secret.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn access_token<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, String>> {
        let inner = Arc::clone(&self.inner);
        promise(env, async move {
            let token = inner.access_token().await?;
            Ok(token.expose_secret().to_owned())
        })
    }

    /// Runs any SNAP operation by name (`"qris.generate"`, `"qris.query"`, `"qris.refund"`,
    /// `"va.create"`, ...) with a request object; resolves with the response object.
    #[napi(
        ts_args_type = "operation: string, request: Record<string, unknown>",
        ts_return_type = "Promise<Record<string, any>>"
    )]
    pub fn execute<'env>(
        &self,
        env: &'env Env,
        operation: Unknown<'_>,
        request: Unknown<'_>,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let operation = Options::holding(env, "operation", operation).and_then(|o| o.string("operation"));
        match operation {
            Ok(operation) => self.run(env, operation, request),
            Err(e) => promise(env, async move { Err(e) }),
        }
    }

    /// A raw signed call under the named methods' token, retry and money-safety rules, for
    /// endpoints the SDK does not type yet; `moneyMoving` makes a timeout or 5xx an unknown outcome.
    #[napi(
        ts_args_type = "method: string, path: string, body: Record<string, unknown>, moneyMoving: boolean",
        ts_return_type = "Promise<Record<string, any>>"
    )]
    pub fn execute_raw<'env>(
        &self,
        env: &'env Env,
        method: Unknown<'_>,
        path: Unknown<'_>,
        body: Unknown<'_>,
        money_moving: Unknown<'_>,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let text = |field, v| Options::holding(env, field, v).and_then(|o| o.string(field));
        let args = (
            text("method", method),
            text("path", path),
            json_object_arg(env, "body", body),
        );
        let money =
            bool::from_unknown(money_moving).map_err(|_| NodeError::invalid_input("moneyMoving", "must be a boolean"));
        let inner = Arc::clone(&self.inner);
        promise(env, async move {
            Ok(inner.execute_raw_json(&args.0?, &args.1?, args.2?, money?).await?)
        })
    }

    /// A customer (B2B2C) token for an account binding: `{ grantType: 'AUTHORIZATION_CODE',
    /// authCode }` or `{ grantType: 'REFRESH_TOKEN', refreshToken }`.
    #[napi(
        ts_args_type = "request: Record<string, unknown>",
        ts_return_type = "Promise<Record<string, any>>"
    )]
    pub fn customer_token<'env>(&self, env: &'env Env, request: Unknown<'_>) -> napi::Result<PromiseRaw<'env, Value>> {
        let request = json_object_arg(env, "request", request);
        let inner = Arc::clone(&self.inner);
        promise(env, async move { Ok(inner.customer_token_json(request?).await?) })
    }

    /// Verifies an incoming notification from a Node request: `headers` as `req.headers`
    /// (`node:http`, Express, Fastify) or `req.rawHeaders`, `body` the raw body as a `Buffer` or
    /// string (`express.raw({ type: 'application/json' })`, Fastify's raw body). Checks the
    /// signature with the configured notification public key, `X-CLIENT-KEY` and freshness (300 s),
    /// then returns the parsed body. The signature does **not** cover the body: confirm the
    /// payment with `qrisQuery` before fulfilling an order.
    #[napi(
        ts_args_type = "headers: Record<string, string | string[] | undefined> | string[] | Array<[string, string]>, body: string | Buffer",
        ts_return_type = "Record<string, any>"
    )]
    pub fn verify_notification(&self, env: &Env, headers: Unknown<'_>, body: Unknown<'_>) -> napi::Result<Value> {
        js(env, || {
            verify_request(&self.inner.notification_verifier()?, env, headers, body)
        })
    }

    /// The safe way to act on a notification: verifies it like `verifyNotification`, then asks
    /// NICEPAY for the transaction's status (the signature does not cover the body). Resolves with
    /// `{ notification, status, paid, duplicate }`; fulfil the order only when `paid` (status success,
    /// same amount) and not `duplicate` (already confirmed on the client's `store`): any product.
    #[napi(
        ts_generic_types = "P extends keyof Confirmations",
        ts_args_type = "product: P, headers: Record<string, string | string[] | undefined> | string[] | Array<[string, string]>, body: string | Buffer",
        ts_return_type = "Promise<Confirmations[P]>"
    )]
    pub fn verify_and_confirm<'env>(
        &self,
        env: &'env Env,
        product: Unknown<'_>,
        headers: Unknown<'_>,
        body: Unknown<'_>,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        let args = || -> NodeResult<(String, Inbound)> {
            let product = Options::holding(env, "product", product)?.string("product")?;
            let headers = headers_arg(env, "headers", headers)?;
            let body = body_arg(env, "body", body)?;
            Ok((product, (headers, body_bytes(&body).to_vec())))
        };
        let inner = Arc::clone(&self.inner);
        let args = args();
        promise(env, async move {
            let (product, (headers, body)) = args?;
            let product: Product = product.parse()?;
            Ok(inner.verify_and_confirm_json(product, &headers, &body).await?)
        })
    }

    /// The money-moving calls whose outcome is open in the client's `store` (any process's).
    #[napi(ts_return_type = "Promise<Array<JournalEntry>>")]
    pub fn pending_outcomes<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, Value>> {
        let inner = Arc::clone(&self.inner);
        promise(env, async move { Ok(inner.journal_json(false).await?) })
    }

    /// Settles the pending outcomes by status query (never by resending); resolves with them.
    #[napi(ts_return_type = "Promise<Array<JournalEntry>>")]
    pub fn resolve_pending<'env>(&self, env: &'env Env) -> napi::Result<PromiseRaw<'env, Value>> {
        let inner = Arc::clone(&self.inner);
        promise(env, async move { Ok(inner.journal_json(true).await?) })
    }
}

/// Expands one `#[napi] impl Client` block with a Promise method per row of the core's operation
/// registry ([`nicepay_snap::for_each_operation!`]): a thin wrapper over the `execute` path,
/// named in camelCase by napi (`va_create` → `vaCreate`). Their TypeScript declarations (typed
/// with the payload interfaces) are generated from the same registry by `cargo run -p xtask --
/// codegen` into `payload-types.d.ts`, as an `interface Client` that merges with this class.
macro_rules! named_operations {
    ([] $($module:ident { $($method:ident => $marker:ident($req:ident -> $resp:ident), $label:literal,
        $http:ident, $path:literal, $svc:literal, money: $money:tt, $doc:literal;)* })*) => {
        #[napi]
        impl Client {
            $($(
                #[doc = $doc]
                #[napi(skip_typescript)]
                pub fn $method<'env>(
                    &self,
                    env: &'env Env,
                    request: Unknown<'_>,
                ) -> napi::Result<PromiseRaw<'env, Value>> {
                    self.run(env, $label.to_owned(), request)
                }
            )*)*
        }
    };
}
nicepay_snap::for_each_operation!(named_operations);

impl Client {
    fn run<'env>(
        &self,
        env: &'env Env,
        operation: String,
        request: Unknown<'_>,
    ) -> napi::Result<PromiseRaw<'env, Value>> {
        // Bad arguments reject the Promise too, so callers handle one failure path.
        let request = json_object_arg(env, "request", request);
        let inner = Arc::clone(&self.inner);
        promise(env, async move { Ok(inner.execute_json(&operation, request?).await?) })
    }
}

/// Options of `verifyNotificationRequest`.
#[napi(object, object_to_js = false)]
#[derive(Debug)]
pub struct VerifyNotificationRequestOptions {
    /// NICEPAY's notification public key (PEM or bare base64, or a parsed `PublicKey`).
    #[napi(ts_type = "string | PublicKey")]
    pub public_key: String,
    /// The merchant's client ID (checked against `X-CLIENT-KEY` when present).
    pub client_id: String,
    /// Accepted distance between `X-TIMESTAMP` and now, in seconds (default 300).
    pub max_skew_seconds: Option<u32>,
}

/// Verifies an incoming notification from a Node request without a `Client`: see
/// `Client.verifyNotification`. Returns the parsed body.
#[napi(
    ts_args_type = "options: VerifyNotificationRequestOptions, headers: Record<string, string | string[] | undefined> | string[] | Array<[string, string]>, body: string | Buffer",
    ts_return_type = "Record<string, any>"
)]
pub fn verify_notification_request(
    env: &Env,
    options: Unknown<'_>,
    headers: Unknown<'_>,
    body: Unknown<'_>,
) -> napi::Result<Value> {
    js(env, || {
        let opts = Options::new(options)?;
        let public_key = opts.public_key("publicKey")?;
        let client_id = opts.string("clientId")?;
        let max_skew_seconds = opts.opt_u32("maxSkewSeconds")?;
        nicepay_snap::validate_client_id(&client_id)?;
        let mut verifier = NotificationVerifier::new((*public_key).clone(), client_id);
        if let Some(skew) = max_skew_seconds {
            verifier = verifier.with_max_skew_seconds(skew);
        }
        verify_request(&verifier, env, headers, body)
    })
}
