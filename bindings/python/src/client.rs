//! `Client` (blocking, over ureq, GIL released during every call) and `AsyncClient` (asyncio,
//! over reqwest on the tokio runtime of `pyo3-async-runtimes`).
//!
//! Both wrap `nicepay-snap-client`, which caches the access token, retries once on `401xx01`,
//! makes a fresh `X-EXTERNAL-ID` per request, and reports an unknown outcome of a money-moving
//! call (refund) as `OutcomeUnknownError` instead of resending it.

use std::sync::Arc;
use std::time::Duration;

use nicepay_snap::status::Product;
use nicepay_snap::{Config, ConfigBuilder};
use nicepay_snap_client::{positive_seconds, AsyncClient, Client, ClientError, ClientOptions, Exchange};
use nicepay_snap_reqwest::ReqwestTransport;
use nicepay_snap_ureq::UreqTransport;
use pyo3::exceptions::{PyOverflowError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyMapping, PyString};

use crate::errors::{client_error, transport_kind, IntoPyResult as _};
use crate::json::{self, PyJson};
use crate::types::{private_key_arg, public_key_arg, Body};

/// Timeouts of a transport, in seconds as Python gives them.
#[derive(Debug, Clone, Copy)]
struct Timeouts {
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
}

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

impl Timeouts {
    fn new(timeout: Option<&Bound<'_, PyAny>>, connect_timeout: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        Ok(Self {
            timeout: seconds_arg("timeout", timeout)?,
            connect_timeout: seconds_arg("connect_timeout", connect_timeout)?,
        })
    }

    fn ureq(self) -> UreqTransport {
        let mut b = UreqTransport::builder();
        if let Some(t) = self.timeout {
            b = b.timeout(t);
        }
        if let Some(t) = self.connect_timeout {
            b = b.connect_timeout(t);
        }
        b.build()
    }

    fn reqwest(self, py: Python<'_>) -> PyResult<ReqwestTransport> {
        let mut b = ReqwestTransport::builder();
        if let Some(t) = self.timeout {
            b = b.timeout(t);
        }
        if let Some(t) = self.connect_timeout {
            b = b.connect_timeout(t);
        }
        b.build().map_err(|e| crate::errors::transport_error(py, &e))
    }
}

/// Builds the core `Config` from constructor arguments.
#[allow(clippy::too_many_arguments)]
fn build_config(
    client_id: &str,
    client_secret: &str,
    private_key: &Bound<'_, PyAny>,
    notification_public_key: Option<&Bound<'_, PyAny>>,
    base_url: Option<&str>,
    environment: &str,
    host_family: &str,
    channel_id: Option<&str>,
) -> PyResult<Config> {
    let mut builder = Config::builder()
        .client_id(client_id)
        .client_secret(client_secret)
        .private_key((*private_key_arg(private_key)?).clone());
    if let Some(key) = notification_public_key.filter(|k| !k.is_none()) {
        builder = builder.notification_public_key((*public_key_arg(key)?).clone());
    }
    builder = builder.location(base_url, Some(environment), Some(host_family)).py()?;
    if let Some(channel) = channel_id {
        builder = builder.channel_id(channel);
    }
    builder.build().py()
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
    let mut out = Vec::new();
    for item in pairs.try_iter()? {
        let (name, value): (String, String) = item?
            .extract()
            .map_err(|_| PyTypeError::new_err("headers must map str names to str values"))?;
        out.push((name, value));
    }
    Ok(out)
}

fn describe(config: &Config) -> String {
    format!(
        "client_id={:?}, base_url={:?}, notification_public_key={}",
        config.client_id(),
        config.base_url(),
        if config.notification_public_key().is_some() {
            "set"
        } else {
            "None"
        }
    )
}

fn py_client_error(err: ClientError) -> PyErr {
    Python::attach(|py| client_error(py, err))
}

/// The client options of a Python client: the defaults, plus what the caller gave (checked by
/// the core's rules).
fn client_options(
    on_exchange: Option<Bound<'_, PyAny>>,
    connect_retries: Option<&Bound<'_, PyAny>>,
    token_refresh_margin: Option<&Bound<'_, PyAny>>,
) -> PyResult<ClientOptions> {
    let mut options = ClientOptions::default();
    if let Some(retries) = number(connect_retries, i128::MAX, |v| v.extract::<i128>())? {
        options = options.with_connect_retries(retries).map_err(py_client_error)?;
    }
    if let Some(margin) = number(token_refresh_margin, f64::INFINITY, |v| v.extract::<f64>())? {
        options = options.with_token_refresh_margin(margin).map_err(py_client_error)?;
    }
    if let Some(callback) = on_exchange.filter(|c| !c.is_none()) {
        if !callback.is_callable() {
            return Err(PyTypeError::new_err("on_exchange must be callable"));
        }
        let callback = callback.unbind();
        options.on_exchange = Some(Arc::new(move |exchange: &Exchange| {
            Python::attach(|py| {
                // The exchange already happened: an exception in the callback cannot undo it,
                // so it is reported the way Python reports errors in callbacks, not raised.
                if let Err(err) = exchange_dict(py, exchange).and_then(|d| callback.call1(py, (d,))) {
                    err.write_unraisable(py, Some(callback.bind(py)));
                }
            });
        }));
    }
    Ok(options)
}

/// An `Exchange` as the dict `on_exchange` receives (documented in the stubs as `types.Exchange`).
fn exchange_dict<'py>(py: Python<'py>, e: &Exchange) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("operation", e.operation)?;
    d.set_item("method", e.method.as_str())?;
    d.set_item("path", &e.path)?;
    d.set_item("external_id", e.external_id.as_deref())?;
    d.set_item("attempt", e.attempt)?;
    d.set_item("elapsed_ms", e.elapsed.as_secs_f64() * 1000.0)?;
    d.set_item("http_status", e.http_status)?;
    d.set_item("response_code", e.response_code.as_deref())?;
    d.set_item("transport_error", e.transport_error.map(transport_kind))?;
    Ok(d)
}

/// Blocking NICEPAY SNAP client.
#[pyclass(frozen, name = "Client", module = "nicepay_snap")]
#[derive(Debug)]
pub(crate) struct PyClient {
    inner: Client<UreqTransport>,
}

#[pymethods]
impl PyClient {
    #[new]
    #[pyo3(signature = (
        *, client_id, client_secret, private_key, notification_public_key=None, base_url=None,
        environment="sandbox", host_family="classic", channel_id=None, timeout=None, connect_timeout=None,
        on_exchange=None, connect_retries=None, token_refresh_margin=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        client_id: &str,
        client_secret: &str,
        private_key: &Bound<'_, PyAny>,
        notification_public_key: Option<&Bound<'_, PyAny>>,
        base_url: Option<&str>,
        environment: &str,
        host_family: &str,
        channel_id: Option<&str>,
        timeout: Option<Bound<'_, PyAny>>,
        connect_timeout: Option<Bound<'_, PyAny>>,
        on_exchange: Option<Bound<'_, PyAny>>,
        connect_retries: Option<Bound<'_, PyAny>>,
        token_refresh_margin: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let config = build_config(
            client_id,
            client_secret,
            private_key,
            notification_public_key,
            base_url,
            environment,
            host_family,
            channel_id,
        )?;
        let transport = Timeouts::new(timeout.as_ref(), connect_timeout.as_ref())?.ureq();
        Ok(Self {
            inner: Client::new(config, transport).with_options(client_options(
                on_exchange,
                connect_retries.as_ref(),
                token_refresh_margin.as_ref(),
            )?),
        })
    }

    /// A client configured from `NICEPAY_*` environment variables.
    #[staticmethod]
    #[pyo3(signature = (
        *, timeout=None, connect_timeout=None, on_exchange=None, connect_retries=None, token_refresh_margin=None
    ))]
    fn from_env(
        timeout: Option<Bound<'_, PyAny>>,
        connect_timeout: Option<Bound<'_, PyAny>>,
        on_exchange: Option<Bound<'_, PyAny>>,
        connect_retries: Option<Bound<'_, PyAny>>,
        token_refresh_margin: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let transport = Timeouts::new(timeout.as_ref(), connect_timeout.as_ref())?.ureq();
        Ok(Self {
            inner: Client::new(env_config()?, transport).with_options(client_options(
                on_exchange,
                connect_retries.as_ref(),
                token_refresh_margin.as_ref(),
            )?),
        })
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
    fn access_token(&self, py: Python<'_>) -> PyResult<String> {
        let token = py.detach(|| self.inner.access_token()).map_err(py_client_error)?;
        Ok(token.expose_secret().to_owned())
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
        let response = py
            .detach(|| self.inner.execute_json(operation, request))
            .map_err(py_client_error)?;
        json::to_py(py, &response)
    }

    /// Verifies an inbound notification (`X-TIMESTAMP` fresh, `X-CLIENT-KEY`, `X-SIGNATURE`)
    /// and returns its JSON body as a dict.
    #[pyo3(signature = (*, headers, body))]
    fn verify_notification<'py>(
        &self,
        py: Python<'py>,
        headers: &Bound<'py, PyAny>,
        body: Body,
    ) -> PyResult<Bound<'py, PyAny>> {
        let headers = headers_arg(headers)?;
        let parsed: serde_json::Value = py
            .detach(|| self.inner.verify_notification(&headers, body.as_bytes()))
            .map_err(py_client_error)?;
        json::to_py(py, &parsed)
    }

    /// Verifies a notification, then confirms it with a status query (the signature does not
    /// cover the body). Returns `{"notification": dict, "status": dict, "paid": bool}`: fulfil
    /// the order only when `paid` is `True`. `product` is `"qris"`, `"va"` or `"ewallet"`.
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
        let value = py
            .detach(|| self.inner.verify_and_confirm_json(product, &headers, body.as_bytes()))
            .map_err(py_client_error)?;
        json::to_py(py, &value)
    }

    fn __repr__(&self) -> String {
        format!("Client({})", describe(self.inner.config()))
    }
}

/// asyncio NICEPAY SNAP client.
#[pyclass(frozen, name = "AsyncClient", module = "nicepay_snap")]
#[derive(Debug)]
pub(crate) struct PyAsyncClient {
    inner: Arc<AsyncClient<ReqwestTransport>>,
}

#[pymethods]
impl PyAsyncClient {
    #[new]
    #[pyo3(signature = (
        *, client_id, client_secret, private_key, notification_public_key=None, base_url=None,
        environment="sandbox", host_family="classic", channel_id=None, timeout=None, connect_timeout=None,
        on_exchange=None, connect_retries=None, token_refresh_margin=None
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
        timeout: Option<Bound<'_, PyAny>>,
        connect_timeout: Option<Bound<'_, PyAny>>,
        on_exchange: Option<Bound<'_, PyAny>>,
        connect_retries: Option<Bound<'_, PyAny>>,
        token_refresh_margin: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let config = build_config(
            client_id,
            client_secret,
            private_key,
            notification_public_key,
            base_url,
            environment,
            host_family,
            channel_id,
        )?;
        let transport = Timeouts::new(timeout.as_ref(), connect_timeout.as_ref())?.reqwest(py)?;
        Ok(Self {
            inner: Arc::new(AsyncClient::new(config, transport).with_options(client_options(
                on_exchange,
                connect_retries.as_ref(),
                token_refresh_margin.as_ref(),
            )?)),
        })
    }

    /// A client configured from `NICEPAY_*` environment variables.
    #[staticmethod]
    #[pyo3(signature = (
        *, timeout=None, connect_timeout=None, on_exchange=None, connect_retries=None, token_refresh_margin=None
    ))]
    fn from_env(
        py: Python<'_>,
        timeout: Option<Bound<'_, PyAny>>,
        connect_timeout: Option<Bound<'_, PyAny>>,
        on_exchange: Option<Bound<'_, PyAny>>,
        connect_retries: Option<Bound<'_, PyAny>>,
        token_refresh_margin: Option<Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let transport = Timeouts::new(timeout.as_ref(), connect_timeout.as_ref())?.reqwest(py)?;
        Ok(Self {
            inner: Arc::new(AsyncClient::new(env_config()?, transport).with_options(client_options(
                on_exchange,
                connect_retries.as_ref(),
                token_refresh_margin.as_ref(),
            )?)),
        })
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

    /// Awaitable: a valid access token (cached). A secret: do not log it.
    fn access_token<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let client = Arc::clone(&self.inner);
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            let token = client.access_token().await.map_err(py_client_error)?;
            Ok(token.expose_secret().to_owned())
        })
    }

    /// Awaitable: any operation by name (one of `OPERATIONS`) with a dict payload.
    #[pyo3(signature = (operation, request, /))]
    fn execute<'py>(
        &self,
        py: Python<'py>,
        operation: &str,
        request: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let request = json::request_value(request)?;
        let operation = operation.to_owned();
        let client = Arc::clone(&self.inner);
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            let response = client
                .execute_json(&operation, request)
                .await
                .map_err(py_client_error)?;
            Ok(PyJson(response))
        })
    }

    /// Verifies an inbound notification and returns its JSON body (synchronous: no IO).
    #[pyo3(signature = (*, headers, body))]
    fn verify_notification<'py>(
        &self,
        py: Python<'py>,
        headers: &Bound<'py, PyAny>,
        body: Body,
    ) -> PyResult<Bound<'py, PyAny>> {
        let headers = headers_arg(headers)?;
        let parsed: serde_json::Value = py
            .detach(|| self.inner.verify_notification(&headers, body.as_bytes()))
            .map_err(py_client_error)?;
        json::to_py(py, &parsed)
    }

    /// Awaitable: verifies a notification, then confirms it with a status query; resolves to
    /// `{"notification": dict, "status": dict, "paid": bool}`.
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
        let client = Arc::clone(&self.inner);
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            let confirmed = client.verify_and_confirm_json(product, &headers, body.as_bytes()).await;
            Ok(PyJson(confirmed.map_err(py_client_error)?))
        })
    }

    fn __repr__(&self) -> String {
        format!("AsyncClient({})", describe(self.inner.config()))
    }
}

/// The named methods of both classes, one per row of the core's operation registry
/// ([`nicepay_snap::for_each_operation!`]), from one template: `Client.qris_refund(request)` runs
/// the Rust client's `qris_refund` with the GIL released; `AsyncClient.qris_refund(request)` is
/// the same as an awaitable. Their `.pyi` declarations are generated from the same registry
/// (`cargo run -p xtask -- codegen`). A second `#[pymethods]` block per class
/// (pyo3's `multiple-pymethods`), so the hand-written methods above stay as they are.
macro_rules! named_methods {
    ([] $($module:ident { $($method:ident => $marker:ident($req:ident -> $resp:ident), $label:literal,
        $http:ident, $path:literal, $svc:literal, money: $money:tt, $doc:literal;)* })*) => {
        #[pymethods]
        impl PyClient {
            $($(
                #[doc = $doc]
                #[pyo3(signature = (request, /))]
                fn $method<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                    let request: nicepay_snap::api::$module::$req = json::request(request)?;
                    let response = py.detach(|| self.inner.$method(&request)).map_err(py_client_error)?;
                    json::to_py(py, &json::response(&response)?)
                }
            )*)*
        }

        #[pymethods]
        impl PyAsyncClient {
            $($(
                #[doc = $doc]
                #[pyo3(signature = (request, /))]
                fn $method<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
                    let request: nicepay_snap::api::$module::$req = json::request(request)?;
                    let client = Arc::clone(&self.inner);
                    pyo3_async_runtimes::tokio::future_into_py(py, async move {
                        let response = client.$method(&request).await.map_err(py_client_error)?;
                        Ok(PyJson(json::response(&response)?))
                    })
                }
            )*)*
        }
    };
}
nicepay_snap::for_each_operation!(named_methods);
