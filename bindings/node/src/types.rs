//! Reading JavaScript arguments: option objects, bodies (`string` or `Buffer`), timestamps and
//! identifiers.
//!
//! Arguments arrive as `Unknown` and are checked here, so that a value of the wrong type is an
//! `ERR_NICEPAY_INVALID_INPUT` naming the field, never napi's own conversion error (whose message
//! would quote the offending value, which may be a secret).

use napi::bindgen_prelude::{
    Buffer, BufferSlice, Either, FromNapiValue, Function, JsValue, JsValuesTupleIntoVec, Object, Uint8Array, Unknown,
};
use napi::{Env, ValueType};
use std::sync::Arc;

use napi::bindgen_prelude::ClassInstance;
use nicepay_snap::{Error, PrivateKey, PublicKey};
use nicepay_snap_client::binding_support::headers_from_json;

use crate::keys::{JsPrivateKey, JsPublicKey};

use crate::errors::{NodeError, NodeResult};

/// A body exactly as the caller gave it: a `string` (signed as its UTF-8 bytes) or a `Buffer` /
/// `Uint8Array` (signed as is). Never re-serialised.
pub(crate) type Body = Either<String, Buffer>;

/// The exact bytes of a [`Body`].
pub(crate) fn body_bytes(body: &Body) -> &[u8] {
    match body {
        Either::A(text) => text.as_bytes(),
        Either::B(bytes) => bytes,
    }
}

fn unreadable(field: &str) -> NodeError {
    NodeError::invalid_input(field, "could not be read")
}

fn type_of(field: &str, value: &Unknown<'_>) -> NodeResult<ValueType> {
    value.get_type().map_err(|_| unreadable(field))
}

/// Reads a positional body argument (`string`, `Buffer` or `Uint8Array`).
pub(crate) fn body_arg(env: &Env, field: &str, value: Unknown<'_>) -> NodeResult<Body> {
    // napi's typed getters convert a property safely, so the value is read through a holder.
    Options::holding(env, field, value)?.body(field)
}

/// Converts the value of `obj[field]` (already read, of type `ty`) into a body. The type is
/// checked before napi converts it.
fn body_value(obj: &Object<'_>, field: &str, value: Unknown<'_>, ty: ValueType) -> NodeResult<Body> {
    match ty {
        ValueType::String => string_value(field, value).map(Either::A),
        ValueType::Object if value.is_buffer().unwrap_or(false) => {
            let slice = BufferSlice::from_unknown(value).map_err(|_| unreadable(field))?;
            Ok(Either::B(Buffer::from(&slice[..])))
        }
        ValueType::Object if value.is_typedarray().unwrap_or(false) => {
            let array: Option<Uint8Array> = obj
                .get(field)
                .map_err(|_| NodeError::invalid_input(field, "must be a string, a Buffer or a Uint8Array"))?;
            let array = array.ok_or_else(|| unreadable(field))?;
            Ok(Either::B(Buffer::from(&array[..])))
        }
        _ => Err(NodeError::invalid_input(field, "must be a string or a Buffer")),
    }
}

/// The text of a value whose type was checked to be `string` (no coercion).
fn string_value(field: &str, value: Unknown<'_>) -> NodeResult<String> {
    String::from_unknown(value).map_err(|_| unreadable(field))
}

/// A method of [`Options`] reading a key field: `$key::parse` of a text, or the key of a `$class`
/// instance (parsed once).
macro_rules! key_field {
    ($(#[doc = $doc:literal])* $method:ident -> $key:ident, $class:ident, $wrong:literal) => {
        $(#[doc = $doc])*
        pub(crate) fn $method(&self, field: &str) -> NodeResult<Arc<$key>> {
            let wrong = || NodeError::invalid_input(field, $wrong);
            match self.get(field)? {
                None => Err(NodeError::invalid_input(field, "is required")),
                Some((v, ValueType::String)) => Ok(Arc::new(
                    $key::parse(&string_value(field, v)?).map_err(|e| rename_key(e, field))?,
                )),
                Some((_, ValueType::Object)) => {
                    let key: Option<ClassInstance<'_, $class>> = self.obj.get(field).map_err(|_| wrong())?;
                    key.map(|k| Arc::clone(&k.inner)).ok_or_else(wrong)
                }
                Some(_) => Err(wrong()),
            }
        }
    };
}

/// An options object (`{ clientSecret, method, ... }`) whose fields are read one at a time.
pub(crate) struct Options<'env> {
    obj: Object<'env>,
}

impl std::fmt::Debug for Options<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Field values may be secrets.
        f.write_str("Options(..)")
    }
}

impl<'env> Options<'env> {
    /// Checks that the argument is a plain object.
    pub(crate) fn new(value: Unknown<'env>) -> NodeResult<Self> {
        match type_of("options", &value)? {
            ValueType::Object if !value.is_array().unwrap_or(false) => Ok(Self {
                obj: value.coerce_to_object().map_err(|_| unreadable("options"))?,
            }),
            _ => Err(NodeError::invalid_input("options", "must be an object")),
        }
    }

    /// An object holding `value` under `field`, so that one positional argument is read (and
    /// type-checked) like an options field.
    pub(crate) fn holding(env: &Env, field: &str, value: Unknown<'_>) -> NodeResult<Self> {
        let mut obj = Object::new(env).map_err(|_| unreadable(field))?;
        obj.set(field, value).map_err(|_| unreadable(field))?;
        Ok(Self { obj })
    }

    /// `obj[field]` and its type, or `None` when it is `undefined` or `null`: one property
    /// lookup and one `typeof` per field (this runs for every field of every call).
    fn get(&self, field: &str) -> NodeResult<Option<(Unknown<'env>, ValueType)>> {
        let value: Option<Unknown<'env>> = self.obj.get(field).map_err(|_| unreadable(field))?;
        match value {
            None => Ok(None),
            Some(v) => match type_of(field, &v)? {
                ValueType::Undefined | ValueType::Null => Ok(None),
                ty => Ok(Some((v, ty))),
            },
        }
    }

    /// A required `string` field.
    pub(crate) fn string(&self, field: &str) -> NodeResult<String> {
        self.opt_string(field)?
            .ok_or_else(|| NodeError::invalid_input(field, "is required"))
    }

    /// An optional `string` field (`undefined` and `null` mean absent).
    pub(crate) fn opt_string(&self, field: &str) -> NodeResult<Option<String>> {
        match self.get(field)? {
            None => Ok(None),
            Some((v, ValueType::String)) => string_value(field, v).map(Some),
            Some(_) => Err(NodeError::invalid_input(field, "must be a string")),
        }
    }

    /// A required body field (`string` or `Buffer`).
    pub(crate) fn body(&self, field: &str) -> NodeResult<Body> {
        match self.get(field)? {
            None => Err(NodeError::invalid_input(field, "is required")),
            Some((v, ty)) => body_value(&self.obj, field, v, ty),
        }
    }

    key_field! {
        /// A private key field: key text (PEM or base64) or a `PrivateKey` instance.
        private_key -> PrivateKey, JsPrivateKey, "must be a key text (PEM or base64) or a PrivateKey"
    }

    key_field! {
        /// A public key field: key text (PEM or base64) or a `PublicKey` instance.
        public_key -> PublicKey, JsPublicKey, "must be a key text (PEM or base64) or a PublicKey"
    }

    /// `true` when the field is present (not `undefined` or `null`).
    pub(crate) fn has(&self, field: &str) -> NodeResult<bool> {
        Ok(self.get(field)?.is_some())
    }

    /// An optional public key field.
    pub(crate) fn opt_public_key(&self, field: &str) -> NodeResult<Option<Arc<PublicKey>>> {
        if self.has(field)? {
            self.public_key(field).map(Some)
        } else {
            Ok(None)
        }
    }

    /// An optional function field (`undefined` and `null` mean absent).
    pub(crate) fn opt_function<Args: JsValuesTupleIntoVec, Return: FromNapiValue>(
        &self,
        field: &str,
    ) -> NodeResult<Option<Function<'env, Args, Return>>> {
        match self.get(field)? {
            None => Ok(None),
            Some((v, ValueType::Function)) => Function::from_unknown(v).map(Some).map_err(|_| unreadable(field)),
            Some(_) => Err(NodeError::invalid_input(field, "must be a function")),
        }
    }

    /// An optional non-negative whole-number field (`undefined` and `null` mean absent).
    pub(crate) fn opt_u32(&self, field: &str) -> NodeResult<Option<u32>> {
        match self.get(field)? {
            None => Ok(None),
            Some((v, ValueType::Number)) => {
                let n = v
                    .coerce_to_number()
                    .and_then(|n| n.get_double())
                    .map_err(|_| unreadable(field))?;
                if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= f64::from(u32::MAX) {
                    // Checked above: a whole number in u32 range.
                    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                    Ok(Some(n as u32))
                } else {
                    Err(NodeError::invalid_input(field, "must be a non-negative whole number"))
                }
            }
            Some(_) => Err(NodeError::invalid_input(field, "must be a number")),
        }
    }
}

/// A key error reported under the caller's field name (`notificationPublicKey`, ...).
pub(crate) fn rename_key(err: Error, field: &str) -> NodeError {
    match err {
        Error::InvalidKey { reason, .. } => NodeError::invalid_input(field, &reason),
        other => other.into(),
    }
}

/// Reads request headers in any of the shapes Node servers hand out (the rules:
/// [`headers_from_json`]): `req.headers` of `node:http`, Express or Fastify, an array of
/// `[name, value]` pairs, or `req.rawHeaders`.
pub(crate) fn headers_arg(env: &Env, field: &str, value: Unknown<'_>) -> NodeResult<Vec<(String, String)>> {
    let shape = || {
        NodeError::invalid_input(
            field,
            "must be an object of header values or an array of [name, value] pairs",
        )
    };
    let holder = Options::holding(env, field, value)?;
    let (_, ty) = holder
        .get(field)?
        .ok_or_else(|| NodeError::invalid_input(field, "is required"))?;
    if ty != ValueType::Object {
        return Err(shape());
    }
    let json: Option<serde_json::Value> = holder.obj.get(field).map_err(|_| shape())?;
    json.as_ref().and_then(headers_from_json).ok_or_else(shape)
}

/// Reads a JSON-compatible object (a request payload) as a `serde_json::Value`.
pub(crate) fn json_object_arg(env: &Env, field: &str, value: Unknown<'_>) -> NodeResult<serde_json::Value> {
    let holder = Options::holding(env, field, value)?;
    let (value, ty) = holder
        .get(field)?
        .ok_or_else(|| NodeError::invalid_input(field, "is required"))?;
    if ty != ValueType::Object || value.is_array().unwrap_or(false) {
        return Err(NodeError::invalid_input(field, "must be an object"));
    }
    let json: Option<serde_json::Value> = holder.obj.get(field).map_err(|_| {
        NodeError::invalid_input(field, "must contain only JSON values (strings, numbers, objects, ...)")
    })?;
    json.ok_or_else(|| unreadable(field))
}
