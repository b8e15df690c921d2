//! `nicepay-snap-node`: the native addon behind the `nicepay-snap` npm package.
//!
//! A thin layer over the sans-IO core crate: every function reads its JavaScript arguments
//! (`types.rs`), calls one core function and maps errors in one place (`errors.rs`). The typed
//! surface is the `index.d.ts` that `napi build` generates from this file; it is committed and
//! checked for freshness in CI.
//!
//! Conventions:
//! - functions take one options object with camelCase fields (`{ clientSecret, method, ... }`),
//!   except the one-argument helpers (`bodySha256Hex(body)`, `minifyJson(body)`, ...);
//! - a `body` is a `string` (signed as its UTF-8 bytes) or a `Buffer` / `Uint8Array` (signed as
//!   is), never re-serialised;
//! - outbound timestamps must already be in the canonical `yyyy-MM-ddTHH:mm:ss+07:00` form (the
//!   string is signed exactly as given); `normalizeTimestamp` converts other offsets;
//! - every failure is an `Error` with a stable `code` (`ERR_NICEPAY_*`), never a panic, and no
//!   message or property ever contains a secret.

use std::cell::RefCell;

use napi::bindgen_prelude::{Buffer, Either, Unknown};
use napi::Env;
use napi_derive::napi;
use nicepay_snap::canonical;
use nicepay_snap::{Method, SignerCache};
use nicepay_snap_client::native;

mod client;
mod errors;
mod keys;
mod types;

pub use client::{verify_notification_request, Client, ClientOptions, VerifyNotificationRequestOptions};
pub use errors::NicepayErrorFields;
use errors::{IntoNapiResult as _, NodeError, NodeResult};
pub use keys::{JsPrivateKey, JsPublicKey};
use nicepay_snap_client::binding_support::{client_and_timestamp, transaction_method};
use types::{body_arg, body_bytes, json_object_arg, Body, Options};

/// Options of `transactionStringToSign`.
#[napi(object, object_to_js = false)]
#[allow(missing_debug_implementations)] // The TypeScript shape only: read field by field, never built.
pub struct TransactionStringToSignOptions {
    /// `POST` or `DELETE` (case-insensitive).
    pub method: String,
    /// The URL path, with or without the `/nicepay` prefix (it is not signed), without query.
    pub path: String,
    /// The B2B access token (`Authorization: Bearer ...`).
    pub access_token: String,
    /// The exact body bytes that are sent: a `string` (UTF-8) or a `Buffer`.
    pub body: Either<String, Buffer>,
    /// `X-TIMESTAMP`, exactly as sent: `yyyy-MM-ddTHH:mm:ss+07:00`.
    pub timestamp: String,
}

/// Options of `signTransaction`.
#[napi(object, object_to_js = false)]
#[allow(missing_debug_implementations)] // The TypeScript shape only: read field by field, never built.
pub struct SignTransactionOptions {
    /// The merchant's client secret (the HMAC-SHA512 key, used as UTF-8 bytes).
    pub client_secret: String,
    /// `POST` or `DELETE` (case-insensitive).
    pub method: String,
    /// The URL path, with or without the `/nicepay` prefix (it is not signed), without query.
    pub path: String,
    /// The B2B access token (`Authorization: Bearer ...`).
    pub access_token: String,
    /// The exact body bytes that are sent: a `string` (UTF-8) or a `Buffer`.
    pub body: Either<String, Buffer>,
    /// `X-TIMESTAMP`, exactly as sent: `yyyy-MM-ddTHH:mm:ss+07:00`.
    pub timestamp: String,
}

/// Options of `tokenStringToSign`.
#[napi(object, object_to_js = false)]
#[derive(Debug)]
pub struct TokenStringToSignOptions {
    /// Client ID (`X-CLIENT-KEY`).
    pub client_id: String,
    /// `X-TIMESTAMP`, exactly as sent: `yyyy-MM-ddTHH:mm:ss+07:00`.
    pub timestamp: String,
}

/// Options of `signTokenRequest`. The key may be a text or a parsed `PrivateKey`.
#[napi(object, object_to_js = false)]
#[allow(missing_debug_implementations)] // The TypeScript shape only: read field by field, never built.
pub struct SignTokenRequestOptions {
    /// The merchant's RSA private key: PEM (`PRIVATE KEY` or `RSA PRIVATE KEY`) or bare base64
    /// PKCS#8, with line breaks or literal `\n`, or a parsed `PrivateKey`.
    #[napi(ts_type = "string | PrivateKey")]
    pub private_key: String,
    /// Client ID (`X-CLIENT-KEY`).
    pub client_id: String,
    /// `X-TIMESTAMP`, exactly as sent: `yyyy-MM-ddTHH:mm:ss+07:00`.
    pub timestamp: String,
}

/// Runs `run` and throws its error as the mapped JavaScript `Error`.
pub(crate) fn js<T>(env: &Env, run: impl FnOnce() -> NodeResult<T>) -> napi::Result<T> {
    run().node(env)
}

/// The fields of a transactional string-to-sign, read in the documented order, then checked
/// (after `first`): `(method, path, accessToken, body, timestamp)`.
fn transaction_fields(o: &Options<'_>, first: NodeResult<()>) -> NodeResult<(Method, String, String, Body, String)> {
    let (method, path, token) = (o.string("method")?, o.string("path")?, o.string("accessToken")?);
    let (body, timestamp) = (o.body("body")?, o.string("timestamp")?);
    first?;
    let method = transaction_method(&method, &token, &timestamp)?;
    Ok((method, path, token, body, timestamp))
}

/// `clientId|timestamp` from `o`, both read, then checked ([`client_and_timestamp`]).
fn client_timestamp(o: &Options<'_>, inbound: bool) -> NodeResult<String> {
    let (client_id, timestamp) = (o.string("clientId")?, o.string("timestamp")?);
    Ok(client_and_timestamp(&client_id, &timestamp, inbound)?)
}

/// `METHOD:path:accessToken:sha256hex(body):X-TIMESTAMP`, the string a transactional
/// `X-SIGNATURE` covers (`path` without `/nicepay`). Contains the access token: treat it as a
/// secret.
#[napi(ts_args_type = "options: TransactionStringToSignOptions")]
pub fn transaction_string_to_sign(env: &Env, options: Unknown<'_>) -> napi::Result<String> {
    js(env, || {
        let (method, path, token, body, timestamp) = transaction_fields(&Options::new(options)?, Ok(()))?;
        Ok(canonical::transaction_string_to_sign(
            method,
            &path,
            &token,
            body_bytes(&body),
            &timestamp,
        )?)
    })
}

/// base64(HMAC-SHA512(clientSecret, transaction string-to-sign)): the `X-SIGNATURE` of a
/// transactional call.
#[napi(ts_args_type = "options: SignTransactionOptions")]
pub fn sign_transaction(env: &Env, options: Unknown<'_>) -> napi::Result<String> {
    js(env, || {
        let o = Options::new(options)?;
        let secret = o.string("clientSecret")?;
        let empty = || NodeError::invalid_input("clientSecret", "must not be empty");
        let (method, path, token, body, timestamp) =
            transaction_fields(&o, if secret.is_empty() { Err(empty()) } else { Ok(()) })?;
        Ok(SIGNERS.with(|cell| {
            cell.borrow_mut()
                .signer(&secret)
                .sign_transaction(method, &path, &token, body_bytes(&body), &timestamp)
        })?)
    })
}

thread_local! {
    /// The last client secret's prepared HMAC key, per JavaScript thread (see [`SignerCache`]).
    static SIGNERS: RefCell<SignerCache> = const { RefCell::new(SignerCache::new()) };
}

/// Lowercase hex SHA-256 of the body's exact bytes.
#[napi(ts_args_type = "body: string | Buffer")]
pub fn body_sha256_hex(env: &Env, body: Unknown<'_>) -> napi::Result<String> {
    js(env, || {
        Ok(canonical::body_sha256_hex(body_bytes(&body_arg(env, "body", body)?)))
    })
}

/// `clientId|X-TIMESTAMP`: what the access-token request (and a NICEPAY notification) signs.
#[napi(ts_args_type = "options: TokenStringToSignOptions")]
pub fn token_string_to_sign(env: &Env, options: Unknown<'_>) -> napi::Result<String> {
    js(env, || client_timestamp(&Options::new(options)?, false))
}

/// base64 SHA256withRSA over `clientId|X-TIMESTAMP`: the `X-SIGNATURE` of the access-token
/// request.
#[napi(ts_args_type = "options: SignTokenRequestOptions")]
pub fn sign_token_request(env: &Env, options: Unknown<'_>) -> napi::Result<String> {
    js(env, || {
        let o = Options::new(options)?;
        // Field by field, in the documented order (the key may be a `PrivateKey` instance).
        let key = o.private_key("privateKey")?;
        Ok(key.sign_base64(client_timestamp(&o, false)?.as_bytes())?)
    })
}

/// Removes insignificant whitespace from one JSON document and nothing else (key order, numbers
/// and escapes kept). Returns a `string` for a `string`, a `Buffer` for a `Buffer`.
#[napi(ts_args_type = "body: string | Buffer")]
pub fn minify_json(env: &Env, body: Unknown<'_>) -> napi::Result<Either<String, Buffer>> {
    js(env, || {
        let body = body_arg(env, "body", body)?;
        let out = nicepay_snap::minify_json(body_bytes(&body))?;
        match body {
            // Minifying valid UTF-8 JSON only drops ASCII whitespace, so it stays UTF-8.
            Either::A(_) => String::from_utf8(out)
                .map(Either::A)
                .map_err(|_| NodeError::invalid_input("body", "minified JSON is not UTF-8")),
            Either::B(_) => Ok(Either::B(out.into())),
        }
    })
}

fn string_arg(env: &Env, field: &str, value: Unknown<'_>) -> NodeResult<String> {
    Options::holding(env, field, value)?.string(field)
}

/// The optional arguments object of the generic entry points (absent: none).
fn native_args(env: &Env, args: Option<Unknown<'_>>) -> NodeResult<serde_json::Value> {
    args.map_or(Ok(serde_json::Value::Null), |a| json_object_arg(env, "args", a))
}

/// Runs the SDK function `name` (the table in `nicepay_snap_client::native`) with camelCase
/// arguments; the package's pure-JavaScript facades call this.
#[napi(
    ts_args_type = "name: string, args?: Record<string, unknown>",
    ts_return_type = "any"
)]
pub fn native_call(env: &Env, name: Unknown<'_>, args: Option<Unknown<'_>>) -> napi::Result<serde_json::Value> {
    js(env, || {
        Ok(native::call(&string_arg(env, "name", name)?, native_args(env, args)?)?)
    })
}

/// An SDK object of one kind (`nicepay_snap_client::native`), called by method name.
#[napi(js_name = "Native")]
#[derive(Debug)]
pub struct JsNative(Box<dyn native::NativeObject>);

#[napi]
impl JsNative {
    /// Builds the object `kind` from camelCase arguments.
    #[napi(constructor, ts_args_type = "kind: string, args?: Record<string, unknown>")]
    pub fn new(env: &Env, kind: Unknown<'_>, args: Option<Unknown<'_>>) -> napi::Result<Self> {
        js(env, || {
            Ok(Self(native::open(
                &string_arg(env, "kind", kind)?,
                native_args(env, args)?,
            )?))
        })
    }

    /// Runs `method` with camelCase arguments.
    #[napi(
        ts_args_type = "method: string, args?: Record<string, unknown>",
        ts_return_type = "any"
    )]
    pub fn call(&self, env: &Env, method: Unknown<'_>, args: Option<Unknown<'_>>) -> napi::Result<serde_json::Value> {
        js(env, || {
            Ok(self
                .0
                .call(&string_arg(env, "method", method)?, native_args(env, args)?)?)
        })
    }
}
