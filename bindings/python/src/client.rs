//! `Client` (blocking, over ureq, GIL released during every call) and `AsyncClient` (asyncio,
//! over reqwest on the tokio runtime of `pyo3-async-runtimes`).
//!
//! Both wrap `nicepay-snap-client`, which caches the access token, retries once on `401xx01`,
//! makes a fresh `X-EXTERNAL-ID` per request, and reports an unknown outcome of a money-moving
//! call (refund) as `OutcomeUnknownError` instead of resending it.

use std::sync::Arc;
use std::time::Duration;

use nicepay_snap::api::qris::{QrisGenerateRequest, QrisQueryRequest, QrisRefundRequest};
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

    /// QRIS generate (`POST /api/v1.0/qr/qr-mpm-generate`).
    #[pyo3(signature = (request, /))]
    fn qris_generate<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let request: QrisGenerateRequest = json::request(request)?;
        let response = py
            .detach(|| self.inner.qris_generate(&request))
            .map_err(py_client_error)?;
        json::to_py(py, &json::response(&response)?)
    }

    /// QRIS status query (`POST /api/v1.0/qr/qr-mpm-query`).
    #[pyo3(signature = (request, /))]
    fn qris_query<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let request: QrisQueryRequest = json::request(request)?;
        let response = py.detach(|| self.inner.qris_query(&request)).map_err(py_client_error)?;
        json::to_py(py, &json::response(&response)?)
    }

    /// QRIS refund (`POST /api/v1.0/qr/qr-mpm-refund`). Moves money: on a timeout or 5xx it
    /// raises `OutcomeUnknownError` instead of resending.
    #[pyo3(signature = (request, /))]
    fn qris_refund<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let request: QrisRefundRequest = json::request(request)?;
        let response = py
            .detach(|| self.inner.qris_refund(&request))
            .map_err(py_client_error)?;
        json::to_py(py, &json::response(&response)?)
    }

    /// Virtual account create (`va.create`); same as `execute("va.create", request)`.
    #[pyo3(signature = (request, /))]
    fn va_create<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.execute(py, "va.create", request)
    }

    /// Virtual account status inquiry (`va.status`); same as `execute("va.status", request)`.
    #[pyo3(signature = (request, /))]
    fn va_status<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.execute(py, "va.status", request)
    }

    /// Virtual account delete (signed with `delete`) (`va.delete`); same as `execute("va.delete", request)`.
    #[pyo3(signature = (request, /))]
    fn va_delete<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.execute(py, "va.delete", request)
    }

    /// E-wallet direct-debit payment (moves money) (`ewallet.payment`); same as `execute("ewallet.payment", request)`.
    #[pyo3(signature = (request, /))]
    fn ewallet_payment<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.execute(py, "ewallet.payment", request)
    }

    /// E-wallet payment status (`ewallet.status`); same as `execute("ewallet.status", request)`.
    #[pyo3(signature = (request, /))]
    fn ewallet_status<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.execute(py, "ewallet.status", request)
    }

    /// E-wallet refund (moves money) (`ewallet.refund`); same as `execute("ewallet.refund", request)`.
    #[pyo3(signature = (request, /))]
    fn ewallet_refund<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.execute(py, "ewallet.refund", request)
    }

    /// Payout registration (`payout.registration`); same as `execute("payout.registration", request)`.
    #[pyo3(signature = (request, /))]
    fn payout_registration<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.execute(py, "payout.registration", request)
    }

    /// Payout approval (moves money) (`payout.approve`); same as `execute("payout.approve", request)`.
    #[pyo3(signature = (request, /))]
    fn payout_approve<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.execute(py, "payout.approve", request)
    }

    /// Payout status inquiry (`payout.inquiry`); same as `execute("payout.inquiry", request)`.
    #[pyo3(signature = (request, /))]
    fn payout_inquiry<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.execute(py, "payout.inquiry", request)
    }

    /// Payout cancel (`payout.cancel`); same as `execute("payout.cancel", request)`.
    #[pyo3(signature = (request, /))]
    fn payout_cancel<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.execute(py, "payout.cancel", request)
    }

    /// Payout reject (`payout.reject`); same as `execute("payout.reject", request)`.
    #[pyo3(signature = (request, /))]
    fn payout_reject<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.execute(py, "payout.reject", request)
    }

    /// Merchant balance inquiry (`payout.balance`); same as `execute("payout.balance", request)`.
    /// Named `balance_inquiry` as in the Rust (`balance_inquiry`) and Node (`balanceInquiry`)
    /// clients.
    #[pyo3(signature = (request, /))]
    fn balance_inquiry<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.execute(py, "payout.balance", request)
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

    /// Awaitable QRIS generate.
    #[pyo3(signature = (request, /))]
    fn qris_generate<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let request: QrisGenerateRequest = json::request(request)?;
        let client = Arc::clone(&self.inner);
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            let response = client.qris_generate(&request).await.map_err(py_client_error)?;
            Ok(PyJson(json::response(&response)?))
        })
    }

    /// Awaitable QRIS status query.
    #[pyo3(signature = (request, /))]
    fn qris_query<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let request: QrisQueryRequest = json::request(request)?;
        let client = Arc::clone(&self.inner);
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            let response = client.qris_query(&request).await.map_err(py_client_error)?;
            Ok(PyJson(json::response(&response)?))
        })
    }

    /// Awaitable QRIS refund (moves money: see `OutcomeUnknownError`).
    #[pyo3(signature = (request, /))]
    fn qris_refund<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let request: QrisRefundRequest = json::request(request)?;
        let client = Arc::clone(&self.inner);
        pyo3_async_runtimes::tokio::future_into_py(py, async move {
            let response = client.qris_refund(&request).await.map_err(py_client_error)?;
            Ok(PyJson(json::response(&response)?))
        })
    }

    /// Awaitable Virtual Account create (`va.create`).
    #[pyo3(signature = (request, /))]
    fn va_create<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.execute(py, "va.create", request)
    }

    /// Awaitable Virtual Account status inquiry (`va.status`).
    #[pyo3(signature = (request, /))]
    fn va_status<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.execute(py, "va.status", request)
    }

    /// Awaitable Virtual Account delete (signed with `DELETE`) (`va.delete`).
    #[pyo3(signature = (request, /))]
    fn va_delete<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.execute(py, "va.delete", request)
    }

    /// Awaitable e-wallet direct-debit payment (moves money) (`ewallet.payment`).
    #[pyo3(signature = (request, /))]
    fn ewallet_payment<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.execute(py, "ewallet.payment", request)
    }

    /// Awaitable e-wallet payment status (`ewallet.status`).
    #[pyo3(signature = (request, /))]
    fn ewallet_status<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.execute(py, "ewallet.status", request)
    }

    /// Awaitable e-wallet refund (moves money) (`ewallet.refund`).
    #[pyo3(signature = (request, /))]
    fn ewallet_refund<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.execute(py, "ewallet.refund", request)
    }

    /// Awaitable payout registration (`payout.registration`).
    #[pyo3(signature = (request, /))]
    fn payout_registration<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.execute(py, "payout.registration", request)
    }

    /// Awaitable payout approval (moves money) (`payout.approve`).
    #[pyo3(signature = (request, /))]
    fn payout_approve<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.execute(py, "payout.approve", request)
    }

    /// Awaitable payout status inquiry (`payout.inquiry`).
    #[pyo3(signature = (request, /))]
    fn payout_inquiry<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.execute(py, "payout.inquiry", request)
    }

    /// Awaitable payout cancel (`payout.cancel`).
    #[pyo3(signature = (request, /))]
    fn payout_cancel<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.execute(py, "payout.cancel", request)
    }

    /// Awaitable payout reject (`payout.reject`).
    #[pyo3(signature = (request, /))]
    fn payout_reject<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.execute(py, "payout.reject", request)
    }

    /// Awaitable merchant balance inquiry (`payout.balance`).
    #[pyo3(signature = (request, /))]
    fn balance_inquiry<'py>(&self, py: Python<'py>, request: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        self.execute(py, "payout.balance", request)
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
