//! Conversions of Python arguments: bodies (`str` or bytes-like), keys (text or parsed objects),
//! (the checks of timestamps and identifiers are `nicepay_snap_client::binding_support`'s).

use std::sync::Arc;

use nicepay_snap::{PrivateKey, PublicKey};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::{PyBackedBytes, PyBackedStr};
use pyo3::types::{PyByteArray, PyBytes, PyString};

use crate::errors::{invalid_input, IntoPyResult as _};

/// A body exactly as the caller gave it: a `str` (signed as its UTF-8 bytes) or a bytes-like
/// object (signed as is). Never re-serialised.
#[derive(Debug)]
pub(crate) enum Body {
    /// A `str`, UTF-8 encoded.
    Text(PyBackedStr),
    /// `bytes` or `bytearray`.
    Bytes(PyBackedBytes),
}

impl Body {
    /// The exact bytes.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Text(s) => s.as_bytes(),
            Self::Bytes(b) => b,
        }
    }

    /// `true` when the caller passed a `str`.
    pub(crate) fn is_text(&self) -> bool {
        matches!(self, Self::Text(_))
    }
}

impl<'a, 'py> FromPyObject<'a, 'py> for Body {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let py = obj.py();
        if obj.is_instance_of::<PyString>() {
            // A str with lone surrogates has no UTF-8 form: that is bad input, not a TypeError.
            obj.extract::<PyBackedStr>()
                .map(Self::Text)
                .map_err(|_| invalid_input(py, "body", "str is not encodable as UTF-8 (lone surrogate?)"))
        } else if obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() {
            Ok(Self::Bytes(obj.extract::<PyBackedBytes>()?))
        } else {
            let type_name = obj.get_type().name().map(|n| n.to_string()).unwrap_or_default();
            Err(PyTypeError::new_err(format!(
                "body must be str, bytes or bytearray, not {type_name}"
            )))
        }
    }
}

/// The constructor of a key class `$class` holding a parsed `$key` (from key text; documented by
/// `$new`), and `$arg`, reading an argument that is key text or a `$class` (whose key is shared,
/// not re-parsed). The other methods are in a second `#[pymethods]` block (`multiple-pymethods`).
macro_rules! key_class {
    ($class:ident($key:ident), new: $new:literal, $arg:ident: $wrong:literal) => {
        #[pymethods]
        impl $class {
            #[doc = $new]
            #[new]
            #[pyo3(signature = (text, /))]
            fn new(text: &str) -> PyResult<Self> {
                Ok(Self {
                    inner: Arc::new($key::parse(text).py()?),
                })
            }
        }

        #[doc = concat!("A `", stringify!($arg), "` argument: key text or a parsed [`", stringify!($class), "`].")]
        pub(crate) fn $arg(obj: &Bound<'_, PyAny>) -> PyResult<Arc<$key>> {
            if let Ok(key) = obj.cast::<$class>() {
                return Ok(Arc::clone(&key.get().inner));
            }
            if let Ok(text) = obj.cast::<PyString>() {
                return Ok(Arc::new($key::parse(&text.to_cow()?).py()?));
            }
            Err(PyTypeError::new_err($wrong))
        }
    };
}

/// The merchant's RSA private key, parsed once; pass it wherever a `private_key` is accepted to
/// skip re-parsing.
#[pyclass(frozen, name = "PrivateKey", module = "nicepay_snap")]
#[derive(Debug, Clone)]
pub(crate) struct PyPrivateKey {
    pub(crate) inner: Arc<PrivateKey>,
}

/// An RSA public key (NICEPAY's notification key, or the merchant's own).
#[pyclass(frozen, eq, name = "PublicKey", module = "nicepay_snap")]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PyPublicKey {
    pub(crate) inner: Arc<PublicKey>,
}

key_class! {
    PyPrivateKey(PrivateKey),
    new: "Parses bare base64 PKCS#8, PEM PKCS#8 or PEM PKCS#1, with line breaks or literal `\\n`.",
    private_key_arg: "private_key must be str or PrivateKey"
}

key_class! {
    PyPublicKey(PublicKey),
    new: "Parses bare base64 SPKI, PEM `PUBLIC KEY` or PEM `RSA PUBLIC KEY`.",
    public_key_arg: "public_key must be str or PublicKey"
}

#[pymethods]
impl PyPrivateKey {
    /// The matching public key (the one registered with NICEPAY).
    fn public_key(&self) -> PyPublicKey {
        PyPublicKey {
            inner: Arc::new(self.inner.public_key().clone()),
        }
    }

    /// base64 SHA256withRSA (PKCS#1 v1.5) over `message`'s exact bytes; the GIL is released
    /// while signing.
    #[pyo3(signature = (message, /))]
    fn sign(&self, py: Python<'_>, message: Body) -> PyResult<String> {
        let key = Arc::clone(&self.inner);
        py.detach(move || key.sign_base64(message.as_bytes())).py()
    }

    fn __repr__(&self) -> &'static str {
        "PrivateKey([redacted])"
    }
}

#[pymethods]
impl PyPublicKey {
    /// Bare base64 of the SubjectPublicKeyInfo DER (the form NICEPAY exchanges).
    fn to_base64(&self) -> String {
        self.inner.to_base64_spki()
    }

    /// PEM `PUBLIC KEY` text.
    fn to_pem(&self) -> String {
        self.inner.to_pem()
    }

    /// `True` when `signature` (base64 SHA256withRSA) verifies over `message`'s exact bytes.
    /// A signature that is not base64 does not verify. The GIL is released while verifying.
    #[pyo3(signature = (message, signature, /))]
    fn verify(&self, py: Python<'_>, message: Body, signature: &str) -> bool {
        let key = Arc::clone(&self.inner);
        let signature = signature.to_owned();
        py.detach(move || key.verify_base64(message.as_bytes(), &signature).is_ok())
    }

    fn __repr__(&self) -> String {
        format!("PublicKey({:?})", self.inner.to_base64_spki())
    }
}
