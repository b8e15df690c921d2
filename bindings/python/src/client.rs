//! `Client` (blocking, over ureq, GIL released during every call) and `AsyncClient` (asyncio,
//! over `nicepay-snap-reqwest` on the tokio runtime of `pyo3-async-runtimes`), both from one template
//! ([`py_client!`]): they differ only in the transport and in how a call runs ([`blocking!`],
//! [`awaitable!`]).
//!
//! Both wrap `nicepay-snap-client`, which caches the access token, retries once on `401xx01`,
//! makes a fresh `X-EXTERNAL-ID` per request, and reports an unknown outcome of a money-moving
//! call (refund) as `OutcomeUnknownError` instead of resending it.

use std::sync::Arc;
use std::time::Duration;

use nicepay_snap::status::Product;
use nicepay_snap::{Config, ConfigBuilder};
use nicepay_snap_client::binding_support::{exchange_value, Naming};
use nicepay_snap_client::{positive_seconds, AsyncClient, Client, ClientError, ClientOptions, Exchange};
use nicepay_snap_reqwest::ReqwestTransport;
use nicepay_snap_ureq::UreqTransport;
use pyo3::exceptions::{PyOverflowError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyMapping, PyString, PyType};
use serde_json::Value;

use crate::errors::{client_error, transport_error, IntoPyResult as _};
use crate::json::{self, PyJson};
use crate::types::{private_key_arg, public_key_arg, Body};

/// A numeric option as Python gives it. A number too large for Rust (an `OverflowError`, e.g.
/// `2**2000`) becomes `too_large`, so that the range check reports it as the documented
/// `InvalidInputError` instead.
fn number<T>(
    value: Option<&Bound<'_, PyAny>>,
    too_large: T,
    extract: impl Fn(&Bound<'_, PyAny>) -> PyResult<T>,
) -> PyResult<Option<T>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    match extract(value) {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_instance_of::<PyOverflowError>(value.py()) => Ok(Some(too_large)),
        Err(e) => Err(e),
    }
}

fn seconds_arg(field: &str, value: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Duration>> {
    number(value, f64::INFINITY, |v| v.extract::<f64>())?
        .map(|s| positive_seconds(field, s).map_err(py_client_error))
        .transpose()
}

/// The keyword arguments both constructors (`__new__` and `from_env`) of both classes take
/// besides the configuration, checked by the core's rules.
struct Tuning {
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    options: ClientOptions,
}

impl Tuning {
    /// From `[timeout, connect_timeout, on_exchange, connect_retries, token_refresh_margin, store]`.
    fn new(args: [Option<Bound<'_, PyAny>>; 6]) -> PyResult<Self> {
        let [timeout, connect_timeout, on_exchange, connect_retries, token_refresh_margin, store] = args;
        let timeout = seconds_arg("timeout", timeout.as_ref())?;
        let connect_timeout = seconds_arg("connect_timeout", connect_timeout.as_ref())?;
        let mut options = ClientOptions::default();
        if let Some(retries) = number(connect_retries.as_ref(), i128::MAX, |v| v.extract::<i128>())? {
            options = options.with_connect_retries(retries).map_err(py_client_error)?;
        }
        if let Some(margin) = number(token_refresh_margin.as_ref(), f64::INFINITY, |v| v.extract::<f64>())? {
            options = options.with_token_refresh_margin(margin).map_err(py_client_error)?;
        }
        if let Some(url) = store.filter(|s| !s.is_none()) {
            options = options
                .with_store_url(&url.extract::<String>()?)
                .map_err(py_client_error)?;
        }
        if let Some(callback) = on_exchange.filter(|c| !c.is_none()) {
            if !callback.is_callable() {
                return Err(PyTypeError::new_err("on_exchange must be callable"));
            }
            let callback = callback.unbind();
            options.on_exchange = Some(Arc::new(move |exchange: &Exchange| {
                Python::attach(|py| {
                    // The exchange already happened: an exception in the callback cannot undo
                    // it, so it is reported the way Python reports errors in callbacks.
                    let dict = json::to_py(py, &exchange_value(exchange, Naming::Snake));
                    if let Err(err) = dict.and_then(|d| callback.call1(py, (d,))) {
                        err.write_unraisable(py, Some(callback.bind(py)));
                    }
                });
            }));
        }
        Ok(Self {
            timeout,
            connect_timeout,
            options,
        })
    }

    fn ureq(&self, _py: Python<'_>) -> PyResult<UreqTransport> {
        Ok(UreqTransport::builder()
            .timeouts(self.timeout, self.connect_timeout)
            .build())
    }

    fn reqwest(&self, py: Python<'_>) -> PyResult<ReqwestTransport> {
        ReqwestTransport::builder()
            .timeouts(self.timeout, self.connect_timeout)
            .build()
            .map_err(|e| transport_error(py, &e))
    }
}

/// The configuration given by the documented `NICEPAY_*` environment variables (the core's
/// rules: [`ConfigBuilder::from_env_lookup`]).
fn env_config() -> PyResult<Config> {
    ConfigBuilder::from_env_lookup(|name| std::env::var(name).ok())
        .and_then(ConfigBuilder::build)
        .py()
}

/// Notification headers: a mapping (dict, `http.client.HTTPMessage`, Starlette `Headers`, ...)
/// or an iterable of `(name, value)` pairs.
fn headers_arg(obj: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    let pairs = if let Ok(m) = obj.cast::<PyMapping>() {
        m.items()?.into_any()
    } else if obj.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err("headers must be a mapping or (name, value) pairs"));
    } else {
        obj.clone()
    };
    pairs
        .try_iter()?
        .map(|item| {
            item?
                .extract()
                .map_err(|_| PyTypeError::new_err("headers must map str names to str values"))
        })
        .collect()
}

fn describe(config: &Config) -> String {
    let key = config.notification_public_key().map_or("None", |_| "set");
    format!(
        "client_id={:?}, base_url={:?}, notification_public_key={key}",
        config.client_id(),
        config.base_url()
    )
}

fn py_client_error(err: ClientError) -> PyErr {
    Python::attach(|py| client_error(py, err))
}

/// The access token as the JSON string a method returns.
fn token_value(token: nicepay_snap::AccessToken) -> Value {
    Value::String(token.expose_secret().to_owned())
}

/// A call on the blocking client `$c` (bound to `$inner`), with the GIL released; the result
/// (a JSON value, after `$map`) becomes plain Python objects.
macro_rules! blocking {
    ($py:ident, $c:ident = $inner:expr, $call:expr $(, $map:expr)?) => {{
        let $c = &$inner;
        let value = $py.detach(|| $call).map_err(py_client_error)?;
        $(let value = $map(value);)?
        json::to_py($py, &value)
    }};
}

/// The same call on the async client, as an awaitable on the tokio runtime.
macro_rules! awaitable {
    ($py:ident, $c:ident = $inner:expr, $call:expr $(, $map:expr)?) => {{
        let $c = Arc::clone(&$inner);
        pyo3_async_runtimes::tokio::future_into_py($py, async move {
            let value = $call.await.map_err(py_client_error)?;
            $(let value = $map(value);)?
            Ok(PyJson(value))
        })
    }};
}

/// One Python client class: `$class` (Python name `$name`) over the Rust `$core` client and the
/// transport `Tuning::$transport` builds; every network call runs through the `$run` macro.
macro_rules! py_client {
    ($(#[doc = $doc:literal])* $class:ident($name:literal, $core:ident<$transport:ident>, $build:ident, $run:ident)) => {
        py_client! {
            $(#[doc = $doc])* $class($name, $core<$transport>, $build, $run)
            // The keyword arguments of `Tuning::new`, taken by both constructors.
            tuning: [timeout, connect_timeout, on_exchange, connect_retries, token_refresh_margin, store]
        }
    };
    ($(#[doc = $doc:literal])* $class:ident($name:literal, $core:ident<$transport:ident>, $build:ident, $run:ident)
        tuning: [$($tune:ident),*]) => {
        $(#[doc = $doc])*
        #[pyclass(frozen, name = $name, module = "nicepay_snap")]
        #[derive(Debug)]
        pub(crate) struct $class {
            inner: Arc<$core<$transport>>,
        }

        impl $class {
            fn with(py: Python<'_>, config: Config, tuning: Tuning) -> PyResult<Self> {
                let transport = tuning.$build(py)?;
                Ok(Self {
                    inner: Arc::new($core::new(config, transport).with_options(tuning.options)),
                })
            }
        }

        #[pymethods]
        impl $class {
            #[new]
            #[pyo3(signature = (
                *, client_id, client_secret, private_key, notification_public_key=None, base_url=None,
                environment="sandbox", host_family="classic", channel_id=None, $($tune=None),*
            ))]
            #[allow(clippy::too_many_arguments)]
            fn new(
                py: Python<'_>,
                client_id: &str,
                client_secret: &str,
                private_key: &Bound<'_, PyAny>,
                notification_public_key: Option<&Bound<'_, PyAny>>,
                base_url: Option<&str>,
                environment: &str,
                host_family: &str,
                channel_id: Option<&str>,
                $($tune: Option<Bound<'_, PyAny>>,)*
            ) -> PyResult<Self> {
                let mut config = Config::builder()
                    .client_id(client_id)
                    .client_secret(client_secret)
                    .private_key((*private_key_arg(private_key)?).clone());
                if let Some(key) = notification_public_key.filter(|k| !k.is_none()) {
                    config = config.notification_public_key((*public_key_arg(key)?).clone());
                }
                config = config.location(base_url, Some(environment), Some(host_family)).py()?;
                if let Some(channel) = channel_id {
                    config = config.channel_id(channel);
                }
                let config = config.build().py()?;
                Self::with(py, config, Tuning::new([$($tune),*])?)
            }

            /// A client configured from `NICEPAY_*` environment variables.
            #[classmethod]
            #[pyo3(signature = (*, $($tune=None),*))]
            fn from_env(cls: &Bound<'_, PyType>, $($tune: Option<Bound<'_, PyAny>>),*) -> PyResult<Self> {
                Self::with(cls.py(), env_config()?, Tuning::new([$($tune),*])?)
            }

            /// The client id.
            #[getter]
            fn client_id(&self) -> &str {
                self.inner.config().client_id()
            }

            /// The base URL including `/nicepay`.
            #[getter]
            fn base_url(&self) -> &str {
                self.inner.config().base_url()
            }

            /// A valid access token (cached; refreshed before it expires). A secret: do not log it.
            fn access_token<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                $run!(py, c = self.inner, c.access_token(), token_value)
            }

            /// Any operation by name (one of `OPERATIONS`, e.g. `"va.create"`, `"payout.inquiry"`)
            /// with a dict payload; returns the response dict. Same token, retry and money-safety
            /// rules as the named methods.
            #[pyo3(signature = (operation, request, /))]
            fn execute<'py>(
                &self,
                py: Python<'py>,
                operation: &str,
                request: &Bound<'py, PyAny>,
            ) -> PyResult<Bound<'py, PyAny>> {
                let request = json::request_value(request)?;
                let operation = operation.to_owned();
                $run!(py, c = self.inner, c.execute_json(&operation, request))
            }

            /// A raw signed call (`method`, `path`, JSON `body`) under the named methods' token,
            /// retry and money-safety rules, for endpoints the SDK does not type yet.
            #[pyo3(signature = (method, path, body, /, *, money_moving))]
            fn execute_raw<'py>(
                &self,
                py: Python<'py>,
                method: &str,
                path: &str,
                body: &Bound<'py, PyAny>,
                money_moving: bool,
            ) -> PyResult<Bound<'py, PyAny>> {
                let (body, method, path) = (json::request_value(body)?, method.to_owned(), path.to_owned());
                $run!(py, c = self.inner, c.execute_raw_json(&method, &path, body, money_moving))
            }

            /// A customer (B2B2C) token for an account binding: `{"grantType": "AUTHORIZATION_CODE",
            /// "authCode": ...}` or `{"grantType": "REFRESH_TOKEN", "refreshToken": ...}`.
            #[pyo3(signature = (request, /))]
            fn customer_token<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                let request = json::request_value(request)?;
                $run!(py, c = self.inner, c.customer_token_json(request))
            }

            /// Verifies an inbound notification (`X-TIMESTAMP` fresh, `X-CLIENT-KEY`,
            /// `X-SIGNATURE`) and returns its JSON body as a dict (synchronous: no IO).
            #[pyo3(signature = (*, headers, body))]
            fn verify_notification<'py>(
                &self,
                py: Python<'py>,
                headers: &Bound<'py, PyAny>,
                body: Body,
            ) -> PyResult<Bound<'py, PyAny>> {
                let headers = headers_arg(headers)?;
                blocking!(py, c = self.inner, c.verify_notification::<Value>(&headers, body.as_bytes()))
            }

            /// Verifies a notification, then confirms it with a status query (the signature does
            /// not cover the body). Returns `{"notification", "status", "paid", "duplicate"}`: fulfil
            /// the order only when `paid` and not `duplicate` (already confirmed on the `store`).
            /// `product` is `"qris"`, `"va"`, `"ewallet"` or `"payout"`.
            #[pyo3(signature = (*, product, headers, body))]
            fn verify_and_confirm<'py>(
                &self,
                py: Python<'py>,
                product: &str,
                headers: &Bound<'py, PyAny>,
                body: Body,
            ) -> PyResult<Bound<'py, PyAny>> {
                let product: Product = product.parse().py()?;
                let headers = headers_arg(headers)?;
                $run!(py, c = self.inner, c.verify_and_confirm_json(product, &headers, body.as_bytes()))
            }

            /// The money-moving calls whose outcome is open in the client's `store` (any process's).
            fn pending_outcomes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                $run!(py, c = self.inner, c.journal_json(false))
            }

            /// Settles the pending outcomes by status query (never by resending); returns them.
            fn resolve_pending<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                $run!(py, c = self.inner, c.journal_json(true))
            }

            fn __repr__(&self) -> String {
                format!("{}({})", $name, describe(self.inner.config()))
            }
        }

        nicepay_snap::for_each_operation!(named_methods, $class);
    };
}

/// The named methods of a class, one per row of the core's operation registry
/// ([`nicepay_snap::for_each_operation!`]): `Client.qris_refund(request)` is
/// `Client.execute("qris.refund", request)` (the same typed request and response);
/// `AsyncClient.qris_refund(request)` is its awaitable. Their `.pyi` declarations are generated
/// from the same registry (`cargo run -p xtask -- codegen`). A second `#[pymethods]` block per
/// class (pyo3's `multiple-pymethods`).
macro_rules! named_methods {
    ([$class:ident] $($module:ident { $($method:ident => $marker:ident($req:ident -> $resp:ident), $label:literal,
        $http:ident, $path:literal, $svc:literal, money: $money:tt, $doc:literal;)* })*) => {
        #[pymethods]
        impl $class {
            $($(
                #[doc = $doc]
                #[pyo3(signature = (request, /))]
                fn $method<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                    self.execute(py, $label, request)
                }
            )*)*
        }
    };
}

py_client! {
    /// Blocking NICEPAY SNAP client.
    PyClient("Client", Client<UreqTransport>, ureq, blocking)
}

py_client! {
    /// asyncio NICEPAY SNAP client: network methods return awaitables.
    PyAsyncClient("AsyncClient", AsyncClient<ReqwestTransport>, reqwest, awaitable)
}
