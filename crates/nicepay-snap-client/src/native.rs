//! The SDK's functions and objects by name, with JSON arguments and results: what the Python
//! and Node bindings expose through their two generic entry points (`native_call(name, args)`
//! and `Native(kind, args).call(method, args)`), so that a feature reaches both languages as one
//! line in a table here plus a few lines of pure Python / JavaScript facade, with no per-feature
//! binding code.
//!
//! Arguments are a JSON object with camelCase names (the wire spelling of the SNAP payloads);
//! a missing or mistyped argument is an [`Error::InvalidInput`] naming it. Nothing here returns
//! a secret except where that is the point (a generated private key).

use std::sync::Mutex;

use nicepay_snap::api::notification::Acknowledgement;
use nicepay_snap::api::RequestContext;
use nicepay_snap::server::{Bill, BillAnswer, MerchantServer, Received, ServerConfig, ServerResponse};
use nicepay_snap::status::Product;
use nicepay_snap::{
    AccessToken, Amount, ClientSecret, Config, Error, ExternalId, Method, PreparedRequest, PublicKey, RawResponse,
    Timestamp,
};
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

use crate::binding_support::{client_and_timestamp, headers_from_json, timestamp_arg};
use crate::{
    decode_request, encode_response, unknown_operation, ClientError, Clock as _, ExternalIdGenerator, SourceAllowList,
    SystemClock, ACCESS_TOKEN_OPERATION,
};

/// A stateful object the bindings hold and call by method name.
pub trait NativeObject: Send + Sync + std::fmt::Debug {
    /// Runs `method` with `args` (a JSON object).
    fn call(&self, method: &str, args: Value) -> Result<Value, ClientError>;
}

type Function = fn(&Args) -> Result<Value, ClientError>;
type Opener = fn(&Args) -> Result<Box<dyn NativeObject>, ClientError>;

/// The stateless functions: name, function.
const FUNCTIONS: &[(&str, Function)] = &[
    ("acknowledgement", acknowledgement),
    ("generateKeyPair", generate_key_pair),
    ("notificationOutcome", crate::handler::native_outcome),
    ("notificationTriage", crate::handler::native_triage),
    ("sourceAllowed", source_allowed),
    // `{path}`: the signed form of a path (without `/nicepay`), checked.
    ("signedPath", |a| {
        Ok(json!(nicepay_snap::canonical::signed_path(a.str("path")?)?))
    }),
    // `{timestamp}` with any offset: the same instant as `yyyy-MM-ddTHH:mm:ss+07:00`.
    ("normalizeTimestamp", |a| {
        Ok(json!(timestamp_arg(a.str("timestamp")?, true)?.to_string()))
    }),
    // `{}`: now as an `X-TIMESTAMP` (Jakarta time).
    ("timestampNow", |_| Ok(json!(SystemClock.now().to_string()))),
    // `{clientId, timestamp}`: `clientId|X-TIMESTAMP`, what the token request signs.
    ("tokenStringToSign", |a| {
        Ok(json!(client_and_timestamp(
            a.str("clientId")?,
            a.str("timestamp")?,
            false
        )?))
    }),
    // `{publicKey, signature, clientId, timestamp}`: whether `signature` is the RSA signature of
    // `clientId|timestamp` under the key (the timestamp as received; freshness is not checked).
    ("verifyNotification", |a| {
        let key = PublicKey::parse(a.str("publicKey")?)?;
        let signature = a.str("signature")?;
        let message = client_and_timestamp(a.str("clientId")?, a.str("timestamp")?, true)?;
        Ok(json!(key.verify_base64(message.as_bytes(), signature).is_ok()))
    }),
    // `{}`: the SDK version.
    ("version", |_| Ok(json!(env!("CARGO_PKG_VERSION")))),
];

/// The objects: kind, constructor.
const KINDS: &[(&str, Opener)] = &[
    ("merchantServer", NativeMerchantServer::open),
    ("requestBuilder", RequestBuilder::open),
    #[cfg(feature = "simulator")]
    ("simulator", NativeSimulator::open),
];

/// Runs the function `name` with `args`.
pub fn call(name: &str, args: Value) -> Result<Value, ClientError> {
    let (_, function) = FUNCTIONS
        .iter()
        .find(|(n, _)| *n == name)
        .ok_or_else(|| unknown("name", name))?;
    function(&Args::new(args)?)
}

/// Builds an object of `kind` from `args`.
pub fn open(kind: &str, args: Value) -> Result<Box<dyn NativeObject>, ClientError> {
    let (_, opener) = KINDS
        .iter()
        .find(|(n, _)| *n == kind)
        .ok_or_else(|| unknown("kind", kind))?;
    opener(&Args::new(args)?)
}

/// The names [`call`] and [`open`] accept.
pub fn names() -> (Vec<&'static str>, Vec<&'static str>) {
    (
        FUNCTIONS.iter().map(|(n, _)| *n).collect(),
        KINDS.iter().map(|(n, _)| *n).collect(),
    )
}

pub(crate) fn invalid(field: &str, reason: impl Into<String>) -> ClientError {
    ClientError::Snap(Error::InvalidInput {
        field: field.to_owned(),
        reason: reason.into(),
    })
}

fn unknown(field: &str, name: &str) -> ClientError {
    invalid(
        field,
        format!("{} is not one of the SDK's names", nicepay_snap::error::echo(name)),
    )
}

/// `clientId` -> `client_id`: errors name fields in the core's spelling, which each binding
/// respells (Node back to camelCase).
fn snake_case(camel: &str) -> String {
    let mut out = String::with_capacity(camel.len() + 4);
    for c in camel.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A JSON object of arguments (camelCase names), read field by field with typed errors that
/// name the field in `snake_case`.
#[derive(Debug)]
pub struct Args(Map<String, Value>);

impl Args {
    /// `null` is an empty object; anything but an object is refused.
    pub fn new(value: Value) -> Result<Self, ClientError> {
        match value {
            Value::Object(map) => Ok(Self(map)),
            Value::Null => Ok(Self(Map::new())),
            _ => Err(invalid("args", "must be an object")),
        }
    }

    /// The value of `field`, when present and not `null`.
    pub fn get(&self, field: &str) -> Option<&Value> {
        self.0.get(field).filter(|v| !v.is_null())
    }

    /// A required string.
    pub fn str(&self, field: &str) -> Result<&str, ClientError> {
        self.opt_str(field)?
            .ok_or_else(|| invalid(&snake_case(field), "is required"))
    }

    /// An optional string.
    pub fn opt_str(&self, field: &str) -> Result<Option<&str>, ClientError> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(invalid(&snake_case(field), "must be a string")),
        }
    }

    /// An optional non-negative integer up to `max`.
    pub fn opt_u32(&self, field: &str, max: u32) -> Result<Option<u32>, ClientError> {
        match self.get(field) {
            None => Ok(None),
            Some(v) => v
                .as_u64()
                .filter(|n| *n <= u64::from(max))
                .map(|n| Some(n as u32))
                .ok_or_else(|| invalid(&snake_case(field), format!("must be an integer from 0 to {max}"))),
        }
    }

    /// A required field deserialized as `T`.
    pub fn typed<T: DeserializeOwned>(&self, field: &str) -> Result<T, ClientError> {
        let value = self
            .get(field)
            .ok_or_else(|| invalid(&snake_case(field), "is required"))?;
        T::deserialize(value).map_err(|e| invalid(&snake_case(field), nicepay_snap::error::bound_reason(e.to_string())))
    }

    /// Headers: an object of names to strings (or lists of strings) or `[name, value]` pairs.
    pub fn headers(&self, field: &str) -> Result<Vec<(String, String)>, ClientError> {
        let value = self
            .get(field)
            .ok_or_else(|| invalid(&snake_case(field), "is required"))?;
        headers_from_json(value).ok_or_else(|| invalid(&snake_case(field), "must map header names to strings"))
    }

    /// `timestamp` when given (any offset), else the system clock.
    pub fn now(&self) -> Result<Timestamp, ClientError> {
        match self.opt_str("timestamp")? {
            Some(text) => Ok(timestamp_arg(text, true)?),
            None => Ok(SystemClock.now()),
        }
    }
}

/// `code` when it is two ASCII digits (a SNAP service or case code).
fn two_digits<'a>(field: &str, code: &'a str) -> Result<&'a str, ClientError> {
    if code.len() == 2 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code)
    } else {
        Err(invalid(field, "must be two digits"))
    }
}

/// `{product | serviceCode, kind?: "success" | "unauthorized" | "badRequest", message?}`, or a
/// custom `{status, caseCode, message}`: the acknowledgement a merchant returns to a notification,
/// as `{status, headers, body}` (send `body` exactly).
fn acknowledgement(args: &Args) -> Result<Value, ClientError> {
    let service = match (args.opt_str("product")?, args.opt_str("serviceCode")?) {
        (Some(product), None) => product.parse::<Product>()?.notification_service_code(),
        (None, Some(code)) => two_digits("service_code", code)?,
        _ => return Err(invalid("product", "give either product or serviceCode")),
    };
    let message = args.opt_str("message")?;
    let ack = match (args.opt_str("kind")?, args.opt_u32("status", 599)?) {
        (None | Some("success"), None) => Acknowledgement::success(service),
        (Some("unauthorized"), None) => Acknowledgement::unauthorized(service),
        (Some("badRequest"), None) => Acknowledgement::bad_request(service, message.unwrap_or("Bad Request")),
        (None, Some(status)) if status >= 100 => {
            let case = two_digits("case_code", args.str("caseCode")?)?;
            Acknowledgement::build(status as u16, service, case, args.str("message")?)
        }
        (None, Some(_)) => return Err(invalid("status", "must be an HTTP status (100 to 599)")),
        (Some(kind), _) => {
            return Err(invalid(
                "kind",
                format!(
                    "{} is not success, unauthorized or badRequest",
                    nicepay_snap::error::echo(kind)
                ),
            ))
        }
    };
    Ok(json!({
        "status": ack.status,
        "headers": {"Content-Type": "application/json"},
        "body": ack.body_str(),
    }))
}

/// `{bits?}` (default 2048): a new RSA key pair as `{privateKeyPem, publicKeyPem}`; register
/// the public key with NICEPAY and keep the private key secret.
fn generate_key_pair(args: &Args) -> Result<Value, ClientError> {
    let bits = args.opt_u32("bits", 16_384)?.unwrap_or(2048);
    let key = crate::generate_private_key(bits as usize)?;
    Ok(json!({
        "privateKeyPem": key.to_pkcs8_pem().expose_secret(),
        "publicKeyPem": key.public_key().to_pem(),
    }))
}

/// `{ip, ranges?}`: whether a notification's source address is allowed (default: NICEPAY's
/// published ranges).
fn source_allowed(args: &Args) -> Result<Value, ClientError> {
    let list = match args.get("ranges") {
        None => SourceAllowList::nicepay(),
        Some(Value::Array(items)) => {
            let ranges: Option<Vec<&str>> = items.iter().map(Value::as_str).collect();
            SourceAllowList::parse(ranges.ok_or_else(|| invalid("ranges", "must be a list of strings"))?)?
        }
        Some(_) => return Err(invalid("ranges", "must be a list of strings")),
    };
    Ok(Value::Bool(list.allows_str(args.str("ip")?)))
}

/// [`MerchantServer`] behind a lock: the NIVA server for the bindings.
#[derive(Debug)]
struct NativeMerchantServer(Mutex<MerchantServer>);

impl NativeMerchantServer {
    /// `{clientId, clientSecret, nicepayPublicKey, tokenLifetimeSeconds?, maxSkewSeconds?,
    /// mountPrefix?}`.
    fn open(args: &Args) -> Result<Box<dyn NativeObject>, ClientError> {
        let key = PublicKey::parse(args.str("nicepayPublicKey")?)?;
        let mut config = ServerConfig::new(args.str("clientId")?, ClientSecret::new(args.str("clientSecret")?), key)?;
        if let Some(seconds) = args.opt_u32("tokenLifetimeSeconds", u32::MAX)? {
            config = config.with_token_lifetime_seconds(seconds)?;
        }
        if let Some(seconds) = args.opt_u32("maxSkewSeconds", 86_400)? {
            config = config.with_max_skew_seconds(seconds);
        }
        if let Some(prefix) = args.opt_str("mountPrefix")? {
            config = config.with_mount_prefix(prefix)?;
        }
        Ok(Box::new(Self(Mutex::new(MerchantServer::new(config)))))
    }

    fn server(&self) -> std::sync::MutexGuard<'_, MerchantServer> {
        // The server's state stays consistent across a panic elsewhere: each method updates it
        // in one step.
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// `{status, responseCode, headers, body}` of an answer, stamped now.
fn response_json(response: &ServerResponse, now: Timestamp) -> Value {
    let headers: Map<String, Value> = response
        .headers(now)
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    json!({
        "status": response.status,
        "responseCode": response.response_code,
        "headers": headers,
        "body": response.body_str(),
    })
}

/// `{"status": "open", virtualAccountName, totalAmount, additionalInfo?}`, or `{"status":
/// "notFound" | "paid" | "expired"}`.
fn bill_answer(args: &Args) -> Result<BillAnswer, ClientError> {
    let answer = Args::new(args.typed::<Value>("answer")?)?;
    Ok(match answer.str("status")? {
        "open" => BillAnswer::Open(Bill {
            virtual_account_name: answer.str("virtualAccountName")?.to_owned(),
            total_amount: answer.typed::<Amount>("totalAmount")?,
            additional_info: answer
                .get("additionalInfo")
                .map(|_| answer.typed("additionalInfo"))
                .transpose()?,
        }),
        "notFound" => BillAnswer::NotFound,
        "paid" => BillAnswer::Paid,
        "expired" => BillAnswer::Expired,
        other => {
            return Err(invalid(
                "answer.status",
                format!(
                    "{} is not open, notFound, paid or expired",
                    nicepay_snap::error::echo(other)
                ),
            ))
        }
    })
}

impl NativeObject for NativeMerchantServer {
    fn call(&self, method: &str, args: Value) -> Result<Value, ClientError> {
        let args = Args::new(args)?;
        let now = args.now()?;
        match method {
            // `{method, path, headers, body, timestamp?}` -> `{kind: "respond", response}` or
            // `{kind: "vaInquiry" | "vaPayment" | "vaReversal", request}`.
            "receive" => {
                let headers = args.headers("headers")?;
                let body = args.str("body")?;
                let mut random = [0u8; 32];
                getrandom::fill(&mut random)
                    .map_err(|e| invalid("random", format!("the system's random source failed: {e}")))?;
                let received = self.server().receive(
                    args.str("method")?,
                    args.str("path")?,
                    &headers,
                    body.as_bytes(),
                    now,
                    random,
                );
                Ok(match received {
                    Received::Respond(r) => json!({"kind": "respond", "response": response_json(&r, now)}),
                    Received::VaInquiry(r) => json!({"kind": "vaInquiry", "request": encode_response(&r)?}),
                    Received::VaPayment(r) => json!({"kind": "vaPayment", "request": encode_response(&r)?}),
                    Received::VaReversal(r) => json!({"kind": "vaReversal", "request": encode_response(&r)?}),
                    _ => return Err(invalid("request", "is of a kind this SDK version cannot answer")),
                })
            }
            // `{kind, request, answer}` -> the response to send.
            "answer" => {
                let server = self.server();
                let response = match args.str("kind")? {
                    "vaInquiry" => server.answer_inquiry(&args.typed("request")?, &bill_answer(&args)?),
                    "vaPayment" => server.answer_payment(&args.typed("request")?, &bill_answer(&args)?),
                    "vaReversal" => {
                        let accepted = args
                            .get("accepted")
                            .and_then(Value::as_bool)
                            .ok_or_else(|| invalid("accepted", "must be a boolean"))?;
                        server.answer_reversal(&args.typed("request")?, accepted)
                    }
                    other => return Err(unknown("kind", other)),
                };
                Ok(response_json(&response, now))
            }
            "liveTokens" => Ok(json!(self.server().live_tokens(now))),
            other => Err(unknown("method", other)),
        }
    }
}

/// The sans-IO request side for callers who send with their own HTTP client: a [`Config`]
/// that prepares signed requests (URL, headers, exact body) and parses the answers.
#[derive(Debug)]
struct RequestBuilder {
    config: Config,
    ids: ExternalIdGenerator,
}

impl RequestBuilder {
    /// `{clientId, clientSecret, privateKey, notificationPublicKey?, baseUrl?, environment?,
    /// hostFamily?, channelId?}`, the settings of a client.
    fn open(args: &Args) -> Result<Box<dyn NativeObject>, ClientError> {
        let mut builder = Config::builder()
            .client_id(args.str("clientId")?)
            .client_secret(args.str("clientSecret")?)
            .private_key_text(args.str("privateKey")?);
        if let Some(key) = args.opt_str("notificationPublicKey")? {
            builder = builder.notification_public_key_text(key);
        }
        if let Some(channel) = args.opt_str("channelId")? {
            builder = builder.channel_id(channel);
        }
        let builder = builder.location(
            args.opt_str("baseUrl")?,
            args.opt_str("environment")?,
            args.opt_str("hostFamily")?,
        )?;
        Ok(Box::new(Self {
            config: builder.build()?,
            ids: ExternalIdGenerator::default(),
        }))
    }

    /// `{operation, request, accessToken, timestamp?, externalId?}` (a named operation), or
    /// `{method, path, request, ...}` (a raw call: the JSON is signed as given, minified).
    fn prepare(&self, args: &Args, now: Timestamp) -> Result<PreparedRequest, ClientError> {
        let operation = args.opt_str("operation")?;
        if operation == Some(ACCESS_TOKEN_OPERATION) {
            return Ok(self.config.prepare_access_token(now)?);
        }
        let token = AccessToken::parse(args.str("accessToken")?)?;
        let external_id = match args.opt_str("externalId")? {
            Some(id) => ExternalId::new(id)?,
            None => self.ids.next(SystemClock.now_unix_millis()),
        };
        let ctx = RequestContext {
            access_token: &token,
            timestamp: now,
            external_id,
        };
        let request = args.typed::<Value>("request")?;
        let Some(operation) = operation else {
            let method = Method::parse(args.str("method")?)?;
            let body = serde_json::to_vec(&request).map_err(|e| invalid("request", e.to_string()))?;
            return Ok(self.config.prepare_json(method, args.str("path")?, &body, &ctx)?);
        };
        nicepay_snap::with_operation!(
            operation,
            Op => Ok(self.config.prepare::<Op>(&decode_request::<Op>(request)?, &ctx)?),
            Err(unknown_operation(operation))
        )
    }

    /// `{operation, httpStatus, body, headers?}`: the typed answer as JSON, or the typed error
    /// (a SNAP refusal, a body that is not the operation's answer).
    fn parse(&self, args: &Args) -> Result<Value, ClientError> {
        let raw = RawResponse {
            status: u16::try_from(
                args.opt_u32("httpStatus", 599)?
                    .ok_or_else(|| invalid("httpStatus", "is required"))?,
            )
            .unwrap_or_default(),
            headers: args
                .get("headers")
                .map(|_| args.headers("headers"))
                .transpose()?
                .unwrap_or_default(),
            body: args.str("body")?.as_bytes().to_vec(),
        };
        let operation = args.str("operation")?;
        if operation == ACCESS_TOKEN_OPERATION {
            return encode_response(&self.config.parse_access_token(&raw)?);
        }
        nicepay_snap::with_operation!(
            operation,
            Op => encode_response(&self.config.parse::<Op>(&raw)?),
            Err(unknown_operation(operation))
        )
    }
}

impl NativeObject for RequestBuilder {
    fn call(&self, method: &str, args: Value) -> Result<Value, ClientError> {
        let args = Args::new(args)?;
        match method {
            // -> `{method, url, path, headers: [[name, value], ...], body}`.
            "prepare" => {
                let prepared = self.prepare(&args, args.now()?)?;
                let headers: Vec<Value> = prepared.headers.iter().map(|(k, v)| json!([k, v])).collect();
                Ok(json!({
                    "method": prepared.method.as_str(),
                    "url": prepared.url,
                    "path": prepared.path,
                    "headers": headers,
                    "body": prepared.body_str(),
                }))
            }
            "parse" => self.parse(&args),
            other => Err(unknown("method", other)),
        }
    }
}

/// A running simulator (on its own runtime thread) for the packages' test helpers; its admin
/// HTTP API on `baseUrl` does the rest.
#[cfg(feature = "simulator")]
#[derive(Debug)]
struct NativeSimulator(Mutex<Option<nicepay_snap_simulator::BlockingSimulator>>);

#[cfg(feature = "simulator")]
impl NativeSimulator {
    /// `{port?}` (default: any free port on 127.0.0.1).
    fn open(args: &Args) -> Result<Box<dyn NativeObject>, ClientError> {
        let port = args.opt_u32("port", u32::from(u16::MAX))?.unwrap_or(0) as u16;
        let running = nicepay_snap_simulator::Simulator::builder()
            .port(port)
            .start_blocking()
            .map_err(|e| invalid("simulator", e.to_string()))?;
        Ok(Box::new(Self(Mutex::new(Some(running)))))
    }
}

#[cfg(feature = "simulator")]
impl NativeObject for NativeSimulator {
    fn call(&self, method: &str, _args: Value) -> Result<Value, ClientError> {
        let mut running = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        match method {
            // The connection details: baseUrl, the TEST-ONLY credentials and keys.
            "info" => {
                let sim = running.as_ref().ok_or_else(|| invalid("simulator", "was stopped"))?;
                encode_response(sim.info())
            }
            // Stops the server (idempotent).
            "stop" => {
                if let Some(sim) = running.take() {
                    sim.shutdown();
                }
                Ok(Value::Null)
            }
            other => Err(unknown("method", other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_names_and_bad_arguments_are_typed_errors() {
        for err in [
            call("nope", Value::Null).unwrap_err(),
            call("sourceAllowed", json!([1])).unwrap_err(),
            call("sourceAllowed", json!({"ip": 5})).unwrap_err(),
            call("acknowledgement", json!({"product": "qris", "kind": "weird"})).unwrap_err(),
            call("acknowledgement", json!({"serviceCode": "5x"})).unwrap_err(),
            open("nope", Value::Null).err().unwrap(),
        ] {
            assert!(matches!(err, ClientError::Snap(Error::InvalidInput { .. })), "{err:?}");
        }
    }

    #[test]
    fn acknowledgements_by_product_and_by_code() {
        let ok = call("acknowledgement", json!({"product": "qris"})).unwrap();
        assert_eq!(ok["status"], 200);
        assert_eq!(
            ok["body"],
            r#"{"responseCode":"2005200","responseMessage":"Successful"}"#
        );
        let denied = call("acknowledgement", json!({"product": "va", "kind": "unauthorized"})).unwrap();
        assert_eq!(denied["status"], 401);
        assert!(denied["body"].as_str().unwrap().contains("4012500"));
        let custom = call(
            "acknowledgement",
            json!({"serviceCode": "56", "status": 409, "caseCode": "01", "message": "Conflict"}),
        )
        .unwrap();
        assert_eq!(
            custom["body"],
            r#"{"responseCode":"4095601","responseMessage":"Conflict"}"#
        );
    }

    #[test]
    fn source_allow_list_defaults_to_nicepay() {
        assert_eq!(call("sourceAllowed", json!({"ip": "103.20.51.33"})).unwrap(), true);
        assert_eq!(call("sourceAllowed", json!({"ip": "127.0.0.1"})).unwrap(), false);
        assert_eq!(
            call("sourceAllowed", json!({"ip": "127.0.0.1", "ranges": ["127.0.0.0/8"]})).unwrap(),
            true
        );
    }

    #[cfg(feature = "simulator")]
    #[test]
    fn a_simulator_starts_reports_and_stops() {
        let sim = open("simulator", json!({})).unwrap();
        let info = sim.call("info", Value::Null).unwrap();
        assert!(
            info["baseUrl"].as_str().unwrap().starts_with("http://127.0.0.1:"),
            "{info}"
        );
        assert_eq!(info["clientId"], "IONPAYTEST");
        sim.call("stop", Value::Null).unwrap();
        sim.call("stop", Value::Null).unwrap();
        assert!(sim.call("info", Value::Null).is_err());
        assert!(open("simulator", json!({"port": 70000})).is_err());
    }
}
