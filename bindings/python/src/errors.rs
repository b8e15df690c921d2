//! The one place where Rust errors become Python exceptions.
//!
//! The exception classes are defined in Python (`nicepay_snap/_errors.py`) so that
//! `InvalidInputError` can inherit from both `NicepayError` and `ValueError` and every class can
//! carry attributes on all Pythons the abi3 wheel supports (a `#[pyclass(extends =
//! PyException)]` needs Python >= 3.12 under abi3). This module imports them once and raises
//! what `nicepay_snap_client::binding_support::ErrorReport` (the shared table) describes:
//!
//! the class (`InvalidInputError`, `ApiError`, ...) and its keyword attributes (`.field`,
//! `.http_status`, `.kind`, `.identifiers`, ...); `DecodeError` also gets the raw `.body`.
//!
//! No message built here contains a secret: the core's messages never do, and nothing is added.

use nicepay_snap::Error;
use nicepay_snap_client::binding_support::{ErrorReport, Naming};
use nicepay_snap_client::ClientError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyModule, PyType};

/// `nicepay_snap._errors`, imported once.
pub(crate) fn errors_module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    static MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    MODULE
        .get_or_try_init(py, || py.import("nicepay_snap._errors").map(Bound::unbind))
        .map(|m| m.bind(py))
}

/// Raises `report` as its exception class, with its attributes as keyword arguments. If that
/// itself fails (it cannot, short of a broken installation), the failure is raised instead.
pub(crate) fn raise(py: Python<'_>, report: ErrorReport) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let class = errors_module(py)?
            .getattr(report.class.python_class())?
            .cast_into::<PyType>()?;
        let kw = PyDict::new(py);
        for (name, value) in &report.attributes {
            kw.set_item(name, crate::json::to_py(py, value)?)?;
        }
        if report.class == nicepay_snap_client::binding_support::ErrorClass::Decode {
            kw.set_item("body", PyBytes::new(py, &report.body))?;
        }
        Ok(PyErr::from_value(class.call((report.message.as_str(),), Some(&kw))?))
    };
    build().unwrap_or_else(|e| e)
}

/// `InvalidInputError(message, field=field)`.
pub(crate) fn invalid_input(py: Python<'_>, field: &str, reason: &str) -> PyErr {
    raise(py, ErrorReport::invalid_input(field, reason, Naming::Snake))
}

/// Maps a transport failure to `TransportError`.
pub(crate) fn transport_error(py: Python<'_>, err: &nicepay_snap::TransportError) -> PyErr {
    raise(py, ErrorReport::of_transport(err, Naming::Snake))
}

/// Maps a client failure (core error, transport failure or unknown outcome).
pub(crate) fn client_error(py: Python<'_>, err: ClientError) -> PyErr {
    raise(py, ErrorReport::of_client_error(err, Naming::Snake))
}

/// `.py()?` turns a core `Result` into a `PyResult`, raising the mapped exception.
pub(crate) trait IntoPyResult<T> {
    /// Maps the error with [`ErrorReport::of_error`].
    fn py(self) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for Result<T, Error> {
    fn py(self) -> PyResult<T> {
        self.map_err(|e| Python::attach(|py| raise(py, ErrorReport::of_error(e, Naming::Snake))))
    }
}
