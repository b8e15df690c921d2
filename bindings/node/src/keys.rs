//! `PrivateKey` and `PublicKey`: RSA keys parsed once, accepted wherever a key text is.

use std::fmt;
use std::sync::Arc;

use napi::bindgen_prelude::Unknown;
use napi::Env;
use napi_derive::napi;
use nicepay_snap::{PrivateKey, PublicKey};

use crate::js;
use crate::types::{body_arg, body_bytes, Options};

/// The merchant's RSA private key, parsed once. Pass it as `privateKey` to skip re-parsing the
/// PEM on every call. Neither `util.inspect` nor errors ever show key material.
#[napi(js_name = "PrivateKey")]
pub struct JsPrivateKey {
    pub(crate) inner: Arc<PrivateKey>,
}

impl fmt::Debug for JsPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PrivateKey([redacted])")
    }
}

#[napi]
impl JsPrivateKey {
    /// Parses PEM (`PRIVATE KEY` or `RSA PRIVATE KEY`) or bare base64 PKCS#8, with line breaks or
    /// literal `\n`. Throws `ERR_NICEPAY_INVALID_INPUT` (field `privateKey`) otherwise.
    #[napi(constructor, ts_args_type = "text: string")]
    pub fn new(env: &Env, text: Unknown<'_>) -> napi::Result<Self> {
        js(env, || {
            let inner = Options::holding(env, "privateKey", text)?.private_key("privateKey")?;
            Ok(Self { inner })
        })
    }

    /// The matching public key (the one registered with NICEPAY).
    #[napi]
    pub fn public_key(&self) -> JsPublicKey {
        JsPublicKey {
            inner: Arc::new(self.inner.public_key().clone()),
        }
    }

    /// base64 SHA256withRSA (PKCS#1 v1.5) over the message's exact bytes.
    #[napi(ts_args_type = "message: string | Buffer")]
    pub fn sign(&self, env: &Env, message: Unknown<'_>) -> napi::Result<String> {
        js(env, || {
            Ok(self
                .inner
                .sign_base64(body_bytes(&body_arg(env, "message", message)?))?)
        })
    }
}

/// An RSA public key (NICEPAY's notification key), parsed once. Pass it as `publicKey` to skip
/// re-parsing on every call.
#[napi(js_name = "PublicKey")]
pub struct JsPublicKey {
    pub(crate) inner: Arc<PublicKey>,
}

impl fmt::Debug for JsPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.inner, f)
    }
}

#[napi]
impl JsPublicKey {
    /// Parses PEM (`PUBLIC KEY` or `RSA PUBLIC KEY`) or bare base64 SubjectPublicKeyInfo.
    /// Throws `ERR_NICEPAY_INVALID_INPUT` (field `publicKey`) otherwise.
    #[napi(constructor, ts_args_type = "text: string")]
    pub fn new(env: &Env, text: Unknown<'_>) -> napi::Result<Self> {
        js(env, || {
            let inner = Options::holding(env, "publicKey", text)?.public_key("publicKey")?;
            Ok(Self { inner })
        })
    }

    /// PEM `PUBLIC KEY` (SPKI) text.
    #[napi]
    pub fn to_pem(&self) -> String {
        self.inner.to_pem()
    }

    /// Bare base64 of the SubjectPublicKeyInfo DER (the form NICEPAY exchanges).
    #[napi]
    pub fn to_base64(&self) -> String {
        self.inner.to_base64_spki()
    }

    /// `true` when `signature` (base64) is a SHA256withRSA signature of the message's exact
    /// bytes.
    #[napi(ts_args_type = "message: string | Buffer, signature: string")]
    pub fn verify(&self, env: &Env, message: Unknown<'_>, signature: Unknown<'_>) -> napi::Result<bool> {
        js(env, || {
            let message = body_arg(env, "message", message)?;
            let signature = Options::holding(env, "signature", signature)?.string("signature")?;
            Ok(self.inner.verify_base64(body_bytes(&message), &signature).is_ok())
        })
    }
}
