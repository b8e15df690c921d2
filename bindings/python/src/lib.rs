//! `nicepay_snap._nicepay_snap`: the native module behind the `nicepay-snap` Python package.
//!
//! A thin layer over the sans-IO core crate: every function converts its arguments, calls one
//! core function and maps errors in `errors.rs`. The public facade is `nicepay_snap/__init__.py`
//! and the typed surface is the hand-written `_nicepay_snap.pyi` (checked by `mypy.stubtest`).
//!
//! Conventions:
//! - every argument but the body / path of the one-argument helpers is keyword-only;
//! - a `body` is `str` (signed as its UTF-8 bytes) or `bytes`/`bytearray` (signed as is), never
//!   re-serialised;
//! - outbound timestamps must already be in the canonical `yyyy-MM-ddTHH:mm:ss+07:00` form (the
//!   string is signed exactly as given); `normalize_timestamp` converts other offsets;
//! - RSA signing and verification run with the GIL released (`py.detach`).

use std::cell::RefCell;

use nicepay_snap::canonical;
use nicepay_snap::{SignerCache, SymmetricSigner};
use nicepay_snap_client::native;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString, PyTuple};

mod client;
mod errors;
mod json;
mod types;

use errors::IntoPyResult as _;
use nicepay_snap_client::binding_support::{client_and_timestamp, transaction_method};
use types::{private_key_arg, Body, PyPrivateKey, PyPublicKey};

/// `METHOD:path:accessToken:sha256hex(body):X-TIMESTAMP`, the string a transactional
/// `X-SIGNATURE` covers (`path` without `/nicepay`). Contains the access token: treat as secret.
#[pyfunction]
#[pyo3(signature = (*, method, path, access_token, body, timestamp))]
fn transaction_string_to_sign(
    method: &str,
    path: &str,
    access_token: &str,
    body: Body,
    timestamp: &str,
) -> PyResult<String> {
    let method = transaction_method(method, access_token, timestamp).py()?;
    canonical::transaction_string_to_sign(method, path, access_token, body.as_bytes(), timestamp).py()
}

/// base64(HMAC-SHA512(client_secret, transaction string-to-sign)): the `X-SIGNATURE` of a
/// transactional call.
#[pyfunction]
#[pyo3(signature = (*, client_secret, method, path, access_token, body, timestamp))]
fn sign_transaction(
    client_secret: &str,
    method: &str,
    path: &str,
    access_token: &str,
    body: Body,
    timestamp: &str,
) -> PyResult<String> {
    if client_secret.is_empty() {
        return Err(Python::attach(|py| {
            errors::invalid_input(py, "client_secret", "must not be empty")
        }));
    }
    let method = transaction_method(method, access_token, timestamp).py()?;
    with_signer(client_secret, |signer| {
        signer.sign_transaction(method, path, access_token, body.as_bytes(), timestamp)
    })
    .py()
}

thread_local! {
    /// The last client secret's prepared HMAC key, per thread (see [`SignerCache`]).
    static SIGNERS: RefCell<SignerCache> = const { RefCell::new(SignerCache::new()) };
}

/// Runs `f` with the prepared signer for `secret`.
fn with_signer<R>(secret: &str, f: impl FnOnce(&SymmetricSigner) -> R) -> R {
    SIGNERS.with(|cell| f(cell.borrow_mut().signer(secret)))
}

/// Lowercase hex SHA-256 of the body's exact bytes.
#[pyfunction]
#[pyo3(signature = (body))]
fn body_sha256_hex(body: Body) -> String {
    canonical::body_sha256_hex(body.as_bytes())
}

/// base64 SHA256withRSA over `clientId|X-TIMESTAMP`: the `X-SIGNATURE` of the access-token
/// request. The GIL is released while signing.
#[pyfunction]
#[pyo3(signature = (*, private_key, client_id, timestamp))]
fn sign_token_request(
    py: Python<'_>,
    private_key: &Bound<'_, PyAny>,
    client_id: &str,
    timestamp: &str,
) -> PyResult<String> {
    let key = private_key_arg(private_key)?;
    let message = client_and_timestamp(client_id, timestamp, false).py()?;
    py.detach(move || key.sign_base64(message.as_bytes())).py()
}

/// Removes insignificant whitespace from one JSON document and nothing else (key order,
/// numbers and escapes kept). Returns `str` for `str` input, `bytes` otherwise.
#[pyfunction]
#[pyo3(signature = (body))]
fn minify_json<'py>(py: Python<'py>, body: Body) -> PyResult<Bound<'py, PyAny>> {
    let out = nicepay_snap::minify_json(body.as_bytes()).py()?;
    if body.is_text() {
        // Minifying valid UTF-8 JSON only drops ASCII whitespace bytes, so it stays UTF-8.
        let text =
            String::from_utf8(out).map_err(|_| errors::invalid_input(py, "body", "minified JSON is not UTF-8"))?;
        Ok(PyString::new(py, &text).into_any())
    } else {
        Ok(PyBytes::new(py, &out).into_any())
    }
}

/// Runs the SDK function `name` (the table in `nicepay_snap_client::native`) with a dict of
/// camelCase arguments; the pure-Python facades in the package call this.
#[pyfunction]
#[pyo3(signature = (name, args=None))]
fn native_call<'py>(py: Python<'py>, name: &str, args: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyAny>> {
    let args = args.map(json::to_value).transpose()?.unwrap_or_default();
    let value = py
        .detach(|| native::call(name, args))
        .map_err(|e| errors::client_error(py, e))?;
    json::to_py(py, &value)
}

/// An SDK object of one kind (`nicepay_snap_client::native`), called by method name.
#[pyclass(frozen, name = "Native", module = "nicepay_snap")]
#[derive(Debug)]
struct PyNative(Box<dyn native::NativeObject>);

#[pymethods]
impl PyNative {
    #[new]
    #[pyo3(signature = (kind, args=None))]
    fn new(py: Python<'_>, kind: &str, args: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let args = args.map(json::to_value).transpose()?.unwrap_or_default();
        Ok(Self(
            py.detach(|| native::open(kind, args))
                .map_err(|e| errors::client_error(py, e))?,
        ))
    }

    /// Runs `method` with a dict of camelCase arguments.
    #[pyo3(signature = (method, args=None))]
    fn call<'py>(
        &self,
        py: Python<'py>,
        method: &str,
        args: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let args = args.map(json::to_value).transpose()?.unwrap_or_default();
        let value = py
            .detach(|| self.0.call(method, args))
            .map_err(|e| errors::client_error(py, e))?;
        json::to_py(py, &value)
    }
}

/// Native core of the `nicepay_snap` package (NICEPAY SNAP signatures and clients).
#[pymodule(gil_used = false)]
mod _nicepay_snap {
    #[pymodule_export]
    use super::client::{PyAsyncClient, PyClient};
    #[pymodule_export]
    use super::{
        body_sha256_hex, minify_json, native_call, sign_token_request, sign_transaction, transaction_string_to_sign,
        PyNative, PyPrivateKey, PyPublicKey,
    };
    use super::{errors, PyTuple};
    use pyo3::prelude::*;

    /// The version, the operation names and the exception classes (from `nicepay_snap._errors`).
    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", env!("CARGO_PKG_VERSION"))?;
        m.add("OPERATIONS", PyTuple::new(m.py(), nicepay_snap::api::OPERATION_NAMES)?)?;
        let errors = errors::errors_module(m.py())?;
        for name in errors.getattr("__all__")?.try_iter()? {
            let name: String = name?.extract()?;
            m.add(&name, errors.getattr(&name)?)?;
        }
        Ok(())
    }
}
