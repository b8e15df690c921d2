//! The one place where Rust errors become Python exceptions.
//!
//! The exception classes are defined in Python (`nicepay_snap/_errors.py`) so that
//! `InvalidInputError` can inherit from both `NicepayError` and `ValueError` and every class can
//! carry attributes on all Pythons the abi3 wheel supports (a `#[pyclass(extends =
//! PyException)]` needs Python >= 3.12 under abi3). This module imports them once and maps:
//!
//! | core error | Python exception |
//! |---|---|
//! | `Error::InvalidInput { field, .. }` | `InvalidInputError` (`.field`) |
//! | `Error::InvalidKey { field, .. }` | `InvalidInputError` (`.field` = the key's name) |
//! | `Error::SignatureMismatch` | `SignatureError` |
//! | `Error::Api { .. }` | `ApiError` (`.http_status .response_code .service_code .case_code .response_message`) |
//! | `Error::Decode { .. }` | `DecodeError` (`.http_status .body`) |
//! | `TransportError`, `ClientError::Transport` | `TransportError` (`.kind .not_delivered`) |
//! | `ClientError::OutcomeUnknown` | `OutcomeUnknownError` (`.operation .external_id .identifiers .http_status .response_code`) |
//! | `ClientError::Snap(e)` | as `e` above |
//!
//! No message built here contains a secret: the core's messages never do, and nothing is added.

use nicepay_snap::{Error, TransportErrorKind};
use nicepay_snap_client::ClientError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule, PyType};

/// The Python module that defines the exception classes.
pub(crate) const ERRORS_MODULE: &str = "nicepay_snap._errors";

/// Names of the classes re-exported by the native module.
pub(crate) const EXCEPTION_NAMES: &[&str] = &[
    "NicepayError",
    "InvalidInputError",
    "SignatureError",
    "ApiError",
    "DecodeError",
    "TransportError",
    "OutcomeUnknownError",
];

/// `nicepay_snap._errors`, imported once.
pub(crate) fn errors_module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    static MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    MODULE
        .get_or_try_init(py, || py.import(ERRORS_MODULE).map(Bound::unbind))
        .map(|m| m.bind(py))
}

/// Instantiates exception class `name` with `message` and keyword attributes. If that itself
/// fails (it cannot, short of a broken installation), the failure is raised instead.
pub(crate) fn new_exception<'py>(
    py: Python<'py>,
    name: &str,
    message: &str,
    kwargs: impl FnOnce(&Bound<'py, PyDict>) -> PyResult<()>,
) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let class = errors_module(py)?.getattr(name)?.cast_into::<PyType>()?;
        let kw = PyDict::new(py);
        kwargs(&kw)?;
        let value = class.call((message,), Some(&kw))?;
        Ok(PyErr::from_value(value))
    };
    build().unwrap_or_else(|e| e)
}

/// `InvalidInputError(message, field=field)`.
pub(crate) fn invalid_input(py: Python<'_>, field: &str, reason: &str) -> PyErr {
    let message = format!(
        "invalid input for `{}`: {}",
        nicepay_snap::error::bounded(field),
        nicepay_snap::error::bounded(reason)
    );
    new_exception(py, "InvalidInputError", &message, |kw| kw.set_item("field", field))
}

/// Maps a core error to its Python exception (see the module table).
pub(crate) fn core_error(py: Python<'_>, err: Error) -> PyErr {
    let message = err.to_string();
    match err {
        Error::InvalidInput { field, .. } | Error::InvalidKey { field, .. } => {
            new_exception(py, "InvalidInputError", &message, |kw| kw.set_item("field", field))
        }
        Error::SignatureMismatch { .. } => new_exception(py, "SignatureError", &message, |_| Ok(())),
        Error::Api {
            http_status,
            response_code,
            response_message,
        } => new_exception(py, "ApiError", &message, |kw| {
            kw.set_item("http_status", http_status)?;
            kw.set_item("response_code", response_code.as_str())?;
            kw.set_item("response_message", response_message)
        }),
        Error::Decode { http_status, body, .. } => new_exception(py, "DecodeError", &message, |kw| {
            kw.set_item("http_status", http_status)?;
            kw.set_item("body", pyo3::types::PyBytes::new(py, &body))
        }),
        // `Error` is `#[non_exhaustive]`: a variant added to the core later still arrives as a
        // `NicepayError` with the core's (secret-free) message until it gets its own row above.
        _ => new_exception(py, "NicepayError", &message, |_| Ok(())),
    }
}

/// Maps a transport failure to `TransportError`.
pub(crate) fn transport_error(py: Python<'_>, err: &nicepay_snap::TransportError) -> PyErr {
    let kind = transport_kind(err.kind());
    new_exception(py, "TransportError", &err.to_string(), |kw| {
        kw.set_item("kind", kind)?;
        kw.set_item("not_delivered", err.is_not_delivered())
    })
}

/// The stable Python spelling of a transport failure kind.
pub(crate) fn transport_kind(kind: TransportErrorKind) -> &'static str {
    match kind {
        TransportErrorKind::Connect => "connect",
        TransportErrorKind::Timeout => "timeout",
        TransportErrorKind::Io => "io",
        TransportErrorKind::BodyTooLarge => "body_too_large",
        _ => "other",
    }
}

/// Maps a client failure (core error, transport failure or unknown outcome).
pub(crate) fn client_error(py: Python<'_>, err: ClientError) -> PyErr {
    let message = err.to_string();
    match err {
        ClientError::Snap(e) => core_error(py, e),
        ClientError::Transport(e) => transport_error(py, &e),
        ClientError::OutcomeUnknown {
            operation,
            external_id,
            identifiers,
            response_code,
            ..
        } => new_exception(py, "OutcomeUnknownError", &message, |kw| {
            let ids = PyDict::new(py);
            for (name, value) in identifiers {
                ids.set_item(name, value)?;
            }
            kw.set_item("operation", operation)?;
            kw.set_item("external_id", external_id.as_str())?;
            kw.set_item("identifiers", ids)?;
            kw.set_item("http_status", response_code.as_ref().map_or(0, |c| c.http_status()))?;
            kw.set_item("response_code", response_code.as_ref().map(|c| c.as_str()))
        }),
        // `ClientError` is `#[non_exhaustive]` too.
        _ => new_exception(py, "NicepayError", &message, |_| Ok(())),
    }
}

/// `.py()?` turns a core `Result` into a `PyResult`, raising the mapped exception.
pub(crate) trait IntoPyResult<T> {
    /// Maps the error with [`core_error`].
    fn py(self) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for Result<T, Error> {
    fn py(self) -> PyResult<T> {
        self.map_err(|e| Python::attach(|py| core_error(py, e)))
    }
}
