//! A framework-free notification endpoint: [`NotificationHandler`] takes what a web framework
//! received (path, headers, the raw body bytes) and answers what to send back (status, headers,
//! the exact acknowledgement bytes) together with what it verified and confirmed.
//!
//! Order of checks: body size, product (from the path, else from the body), then the client's
//! [`verify_and_confirm`](crate::Client::verify_and_confirm) (signature over
//! `clientId|X-TIMESTAMP`, freshness, `X-CLIENT-KEY`, the body's shape, and a status query).
//! Every refusal is a SNAP error acknowledgement (never an unhandled error): a bad signature, a
//! stale timestamp or a wrong client key answer `401{svc}00`, a malformed or oversize body or
//! an unknown product `400{svc}01`/`02`, a status query that could not be made `504{svc}00`
//! (NICEPAY retries a notification that was not acknowledged with a 2xx).

use nicepay_snap::api::notification::Acknowledgement;
use nicepay_snap::status::Product;
use serde_json::{json, Value};

use crate::binding_support::ErrorClass;
use crate::native::{invalid, Args};
use crate::ClientError;

/// The default largest notification body accepted (NICEPAY's bodies are a few hundred bytes).
pub const DEFAULT_MAX_NOTIFICATION_BYTES: usize = 64 * 1024;

/// The inbound paths NICEPAY documents (spec §8.1), each with its product. A request path that
/// ends with one of them (so also under a prefix such as `/nicepay`) names its product.
pub const NOTIFICATION_PATHS: [(&str, Product); 5] = [
    ("/api/v1.0/qr/qr-mpm-notify", Product::Qris),
    ("/api/v1.0/qr/qr-mpm-notif", Product::Qris),
    ("/api/v1.0/transfer-va/payment", Product::VirtualAccount),
    ("/api/v1.0/debit/notify", Product::Ewallet),
    ("/api/v1.0/transfer/notify", Product::Payout),
];

/// The product of a notification: from `path` when it ends with one of [`NOTIFICATION_PATHS`]
/// (a trailing `/` or query is ignored), else from fields only one product's body has (VA:
/// `virtualAccountNo`; payout: `beneficiaryAccountNo`; e-wallet: `additionalInfo.mitraCd`).
/// A QRIS body has no field of its own, so QRIS is known only from its path. `None` when
/// neither tells.
pub fn detect_product(path: Option<&str>, body: &[u8]) -> Option<Product> {
    if let Some(path) = path {
        let path = path.split(['?', '#']).next().unwrap_or_default().trim_end_matches('/');
        if let Some((_, product)) = NOTIFICATION_PATHS.iter().find(|(p, _)| path.ends_with(p)) {
            return Some(*product);
        }
    }
    let body: Value = serde_json::from_slice(body).ok()?;
    let has = |name: &str| body.get(name).is_some_and(|v| !v.is_null());
    if has("virtualAccountNo") {
        Some(Product::VirtualAccount)
    } else if has("beneficiaryAccountNo") {
        Some(Product::Payout)
    } else if body.pointer("/additionalInfo/mitraCd").is_some_and(|v| !v.is_null()) {
        Some(Product::Ewallet)
    } else {
        None
    }
}

/// Why a notification was refused: each reason has one SNAP acknowledgement
/// ([`Refusal::acknowledgement`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// `X-SIGNATURE` does not verify: `401{svc}00` "Unauthorized. Invalid Signature".
    Signature,
    /// `X-TIMESTAMP` missing, malformed or outside the freshness window: `401{svc}00`.
    Timestamp,
    /// `X-CLIENT-KEY` is not our client id: `401{svc}00`.
    ClientKey,
    /// A header the check needs is missing: `401{svc}00`.
    MissingHeader,
    /// The body is larger than the handler accepts: `400{svc}01`.
    Oversize,
    /// The body is not JSON, or not the product's notification shape: `400{svc}01`.
    Malformed,
    /// A field the status query needs is missing from the body: `400{svc}02`.
    MissingField,
    /// Neither the path nor the body names the product: `400{svc}01` with service code `00`.
    UnknownProduct,
    /// The status query could not be made or was refused, so the payment is not confirmed;
    /// NICEPAY should retry: `504{svc}00` "Timeout".
    Unconfirmed,
    /// The handler is not configured to verify (no notification public key): `500{svc}00`.
    Configuration,
}

impl Refusal {
    /// The SNAP acknowledgement of this refusal for `product`'s service code (`00` unknown).
    pub fn acknowledgement(self, product: Option<Product>) -> Acknowledgement {
        let svc = product.map_or("00", Product::notification_service_code);
        match self {
            Self::Signature => Acknowledgement::unauthorized(svc),
            Self::Timestamp => Acknowledgement::build(401, svc, "00", "Unauthorized. Invalid Timestamp"),
            Self::ClientKey => Acknowledgement::build(401, svc, "00", "Unauthorized. Unknown Client"),
            Self::MissingHeader => Acknowledgement::build(401, svc, "00", "Unauthorized. Missing Header"),
            Self::Oversize => Acknowledgement::bad_request(svc, "Invalid Field Format body (too large)"),
            Self::Malformed => Acknowledgement::bad_request(svc, "Invalid Field Format body"),
            Self::MissingField => Acknowledgement::build(400, svc, "02", "Invalid Mandatory Field"),
            Self::UnknownProduct => Acknowledgement::bad_request(svc, "Invalid Field Format (unknown notification)"),
            Self::Unconfirmed => Acknowledgement::build(504, svc, "00", "Timeout"),
            Self::Configuration => Acknowledgement::build(500, svc, "00", "General Error"),
        }
    }

    /// The refusal for an error class and its `field` attribute, as the language bindings see
    /// a failed `verify_and_confirm` (the one mapping both facades use through the native
    /// table).
    pub fn of_class(class: ErrorClass, field: Option<&str>) -> Self {
        let field = field.unwrap_or_default().to_ascii_lowercase();
        match class {
            ErrorClass::Signature => Self::Signature,
            ErrorClass::Decode => Self::Malformed,
            ErrorClass::InvalidInput => match field.as_str() {
                "x-timestamp" | "timestamp" => Self::Timestamp,
                "x-client-key" => Self::ClientKey,
                "x-signature" => Self::MissingHeader,
                "body" => Self::Malformed,
                "notification_public_key" | "notificationpublickey" => Self::Configuration,
                _ => Self::MissingField,
            },
            ErrorClass::Api
            | ErrorClass::Transport
            | ErrorClass::OutcomeUnknown
            | ErrorClass::Store
            | ErrorClass::Other => Self::Unconfirmed,
        }
    }

    /// The refusal for a failed [`verify_and_confirm`](crate::Client::verify_and_confirm).
    pub fn of_error(error: &ClientError) -> Self {
        use nicepay_snap::Error;
        match error {
            ClientError::Snap(Error::SignatureMismatch { .. }) => Self::Signature,
            ClientError::Snap(Error::Decode { .. }) => Self::Malformed,
            ClientError::Snap(Error::InvalidKey { .. }) => Self::Configuration,
            ClientError::Snap(Error::InvalidInput { field, .. }) => {
                Self::of_class(ErrorClass::InvalidInput, Some(field))
            }
            _ => Self::Unconfirmed,
        }
    }

    /// The name the bindings use: `"signature"`, `"timestamp"`, `"client_key"`, ...
    pub fn name(self) -> &'static str {
        match self {
            Self::Signature => "signature",
            Self::Timestamp => "timestamp",
            Self::ClientKey => "client_key",
            Self::MissingHeader => "missing_header",
            Self::Oversize => "oversize",
            Self::Malformed => "malformed",
            Self::MissingField => "missing_field",
            Self::UnknownProduct => "unknown_product",
            Self::Unconfirmed => "unconfirmed",
            Self::Configuration => "configuration",
        }
    }
}

/// What [`NotificationHandler::handle`] answers: the HTTP response to send back and what was
/// verified. Fulfil the order only when [`paid`](Self::paid) is `true` and
/// [`duplicate`](Self::duplicate) is `false`.
#[derive(Debug)]
#[non_exhaustive]
pub struct HandledNotification {
    /// The HTTP status to answer.
    pub status_code: u16,
    /// The response headers (`Content-Type: application/json`, `X-TIMESTAMP`).
    pub headers: Vec<(String, String)>,
    /// The exact acknowledgement bytes to answer.
    pub body: Vec<u8>,
    /// The notification's product, when known.
    pub product: Option<Product>,
    /// The verified notification body (absent when refused).
    pub notification: Option<Value>,
    /// The status query's answer (only with confirmation).
    pub status: Option<Value>,
    /// `true` when the payment is confirmed: by the status query, or (with
    /// [`NotificationHandler::confirm`] off) by the unsigned body's own status `00`.
    pub paid: bool,
    /// `true` when the client's store has seen this notification before.
    pub duplicate: bool,
    /// Why it was refused (`None` when acknowledged).
    pub refusal: Option<Refusal>,
    /// The error behind the refusal.
    pub error: Option<ClientError>,
}

impl HandledNotification {
    /// A refusal's response.
    pub fn refused(product: Option<Product>, refusal: Refusal, error: Option<ClientError>, now: &str) -> Self {
        let ack = refusal.acknowledgement(product);
        Self::answer(ack, now, product, Some(refusal), error)
    }

    fn answer(
        ack: Acknowledgement,
        now: &str,
        product: Option<Product>,
        refusal: Option<Refusal>,
        error: Option<ClientError>,
    ) -> Self {
        Self {
            status_code: ack.status,
            headers: ack_headers(now),
            body: ack.body,
            product,
            notification: None,
            status: None,
            paid: false,
            duplicate: false,
            refusal,
            error,
        }
    }

    /// `true` when the order should be fulfilled now: paid, and not seen before.
    pub fn fulfil(&self) -> bool {
        self.paid && !self.duplicate
    }
}

/// The headers of an acknowledgement sent at `now` (an `X-TIMESTAMP`).
pub fn ack_headers(now: &str) -> Vec<(String, String)> {
    vec![
        ("Content-Type".to_owned(), "application/json".to_owned()),
        ("X-TIMESTAMP".to_owned(), now.to_owned()),
    ]
}

/// `true` when a notification body's own status says paid (`latestTransactionStatus` `00`, at
/// the top or in `additionalInfo` as VA notifications carry it). Unsigned: a claim only.
pub fn claims_paid(notification: &Value) -> bool {
    ["/latestTransactionStatus", "/additionalInfo/latestTransactionStatus"]
        .iter()
        .find_map(|p| notification.pointer(p).and_then(Value::as_str))
        == Some("00")
}

/// The checks before any verification: body size, then the product from `product`, else
/// `path`, else the body.
pub fn triage(
    product: Option<Product>,
    path: Option<&str>,
    body: &[u8],
    max_body_bytes: usize,
) -> Result<Product, (Option<Product>, Refusal)> {
    let product = product.or_else(|| detect_product(path, if body.len() > max_body_bytes { b"" } else { body }));
    if body.len() > max_body_bytes {
        return Err((product, Refusal::Oversize));
    }
    product.ok_or((None, Refusal::UnknownProduct))
}

/// Verifies and confirms notifications with a [`crate::Client`] or [`crate::AsyncClient`], and
/// answers each with its SNAP acknowledgement (see the module docs). Its `handle` method is
/// blocking for a `Client` and `async` for an `AsyncClient`.
#[derive(Debug, Clone)]
pub struct NotificationHandler<C> {
    pub(crate) client: C,
    pub(crate) confirm: bool,
    pub(crate) max_body_bytes: usize,
}

impl<C> NotificationHandler<C> {
    /// A handler that verifies and confirms every notification with `client`.
    pub fn new(client: C) -> Self {
        Self {
            client,
            confirm: true,
            max_body_bytes: DEFAULT_MAX_NOTIFICATION_BYTES,
        }
    }

    /// `false`: verify only, without the status query; [`HandledNotification::paid`] is then
    /// the unsigned body's own claim. Keep it on unless something else confirms the payment.
    pub fn confirm(mut self, confirm: bool) -> Self {
        self.confirm = confirm;
        self
    }

    /// The largest body accepted (default [`DEFAULT_MAX_NOTIFICATION_BYTES`]).
    pub fn max_body_bytes(mut self, max: usize) -> Self {
        self.max_body_bytes = max;
        self
    }

    /// The client.
    pub fn client(&self) -> &C {
        &self.client
    }
}

/// The response for the outcome of the verification of a `product` notification: `outcome` is
/// what `verify_and_confirm_json` answered (`confirm`), else the verified body as JSON.
pub fn conclude(
    product: Product,
    confirm: bool,
    outcome: Result<Value, ClientError>,
    now: &str,
) -> HandledNotification {
    match outcome {
        Err(e) => HandledNotification::refused(Some(product), Refusal::of_error(&e), Some(e), now),
        Ok(verified) => concluded(product, confirm, verified, now),
    }
}

fn concluded(product: Product, confirm: bool, mut verified: Value, now: &str) -> HandledNotification {
    let ack = Acknowledgement::success(product.notification_service_code());
    let mut out = HandledNotification::answer(ack, now, Some(product), None, None);
    if confirm {
        let flag = |name: &str| verified.get(name).and_then(Value::as_bool).unwrap_or(false);
        out.paid = flag("paid");
        out.duplicate = flag("duplicate");
        out.notification = Some(verified["notification"].take());
        out.status = Some(verified["status"].take());
    } else {
        out.paid = claims_paid(&verified);
        out.notification = Some(verified);
    }
    out
}

impl HandledNotification {
    /// The JSON form the language bindings return (camelCase; `body` as text, `error` its
    /// message).
    pub fn to_json(&self) -> Value {
        let headers: serde_json::Map<String, Value> = self
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect();
        json!({
            "statusCode": self.status_code,
            "headers": headers,
            "body": String::from_utf8_lossy(&self.body),
            "product": self.product.map(Product::name),
            "notification": self.notification,
            "status": self.status,
            "paid": self.paid,
            "duplicate": self.duplicate,
            "refusal": self.refusal.map(Refusal::name),
            "error": self.error.as_ref().map(ToString::to_string),
        })
    }
}

/// Native `notificationTriage` `{body, path?, product?, maxBodyBytes?, timestamp?}`:
/// `{"product": name}` when the notification may be verified as that product, else the
/// refusal's response (the JSON of a [`HandledNotification`]). `body` is the body as text
/// (bytes that are not UTF-8 replaced by U+FFFD: such a body is refused later anyway).
pub(crate) fn native_triage(args: &Args) -> Result<Value, ClientError> {
    let max = args
        .opt_u32("maxBodyBytes", u32::MAX)?
        .map_or(DEFAULT_MAX_NOTIFICATION_BYTES, |n| n as usize);
    let product = args.opt_str("product")?.map(str::parse::<Product>).transpose()?;
    match triage(product, args.opt_str("path")?, args.str("body")?.as_bytes(), max) {
        Ok(product) => Ok(json!({ "product": product.name() })),
        Err((product, refusal)) => {
            Ok(HandledNotification::refused(product, refusal, None, &args.now()?.to_string()).to_json())
        }
    }
}

/// Native `notificationOutcome` `{product, confirm?, verified? | errorClass + field? + message?,
/// timestamp?}`: the response (the JSON of a [`HandledNotification`]) for what the binding's
/// `verify_and_confirm` (or, without `confirm`, `verify_notification`) answered or raised
/// (`errorClass`: the Python exception class or the Node `error.code`).
pub(crate) fn native_outcome(args: &Args) -> Result<Value, ClientError> {
    let product: Product = args.str("product")?.parse()?;
    let confirm = args.get("confirm").and_then(Value::as_bool).unwrap_or(true);
    let now = args.now()?.to_string();
    let handled = match args.opt_str("errorClass")? {
        Some(class) => {
            let class = ErrorClass::from_name(class)
                .ok_or_else(|| invalid("errorClass", "is not an error class of the SDK"))?;
            let refusal = Refusal::of_class(class, args.opt_str("field")?);
            let mut json = HandledNotification::refused(Some(product), refusal, None, &now).to_json();
            json["error"] = Value::from(args.opt_str("message")?.unwrap_or(refusal.name()));
            return Ok(json);
        }
        None => concluded(
            product,
            confirm,
            args.get("verified")
                .cloned()
                .ok_or_else(|| invalid("verified", "is required"))?,
            &now,
        ),
    };
    Ok(handled.to_json())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ack_code(product: Option<Product>, refusal: Refusal) -> (u16, String) {
        let ack = refusal.acknowledgement(product);
        let body: Value = serde_json::from_slice(&ack.body).unwrap();
        (ack.status, body["responseCode"].as_str().unwrap().to_owned())
    }

    #[test]
    fn the_product_comes_from_the_path_else_from_fields_of_one_product_only() {
        assert_eq!(
            detect_product(Some("/api/v1.0/qr/qr-mpm-notify"), b""),
            Some(Product::Qris)
        );
        assert_eq!(
            detect_product(Some("/shop/api/v1.0/qr/qr-mpm-notif/?x=1"), b""),
            Some(Product::Qris)
        );
        assert_eq!(
            detect_product(Some("/api/v1.0/debit/notify"), b"{}"),
            Some(Product::Ewallet)
        );
        assert_eq!(
            detect_product(Some("/api/v1.0/transfer/notify"), b""),
            Some(Product::Payout)
        );
        let va = br#"{"virtualAccountNo":"123","trxId":"t"}"#;
        assert_eq!(
            detect_product(Some("/hooks/nicepay"), va),
            Some(Product::VirtualAccount)
        );
        let payout = br#"{"beneficiaryAccountNo":"5345000060"}"#;
        assert_eq!(detect_product(None, payout), Some(Product::Payout));
        let ewallet = br#"{"originalReferenceNo":"T","additionalInfo":{"mitraCd":"DANA"}}"#;
        assert_eq!(detect_product(None, ewallet), Some(Product::Ewallet));
        // A QRIS body has nothing of its own: without its path the product is unknown.
        let qris = br#"{"originalReferenceNo":"T","externalStoreID":"S","latestTransactionStatus":"00"}"#;
        assert_eq!(detect_product(Some("/hooks/nicepay"), qris), None);
        assert_eq!(detect_product(None, b"not json"), None);
        assert_eq!(detect_product(None, br#"{"virtualAccountNo":null}"#), None);
    }

    #[test]
    fn triage_refuses_oversize_bodies_and_unknown_products() {
        let qris = Some("/api/v1.0/qr/qr-mpm-notify");
        assert_eq!(triage(None, qris, b"{}", 2), Ok(Product::Qris));
        assert_eq!(
            triage(None, qris, b"{ }", 2),
            Err((Some(Product::Qris), Refusal::Oversize))
        );
        assert_eq!(
            triage(None, Some("/x"), b"{}", 64),
            Err((None, Refusal::UnknownProduct))
        );
        assert_eq!(
            triage(Some(Product::Ewallet), Some("/x"), b"{}", 64),
            Ok(Product::Ewallet)
        );
    }

    #[test]
    fn every_refusal_is_a_snap_error_acknowledgement_and_never_a_500_for_bad_input() {
        let qris = Some(Product::Qris);
        assert_eq!(ack_code(qris, Refusal::Signature), (401, "4015200".into()));
        assert_eq!(ack_code(qris, Refusal::Timestamp), (401, "4015200".into()));
        assert_eq!(
            ack_code(Some(Product::VirtualAccount), Refusal::ClientKey),
            (401, "4012500".into())
        );
        assert_eq!(
            ack_code(Some(Product::Ewallet), Refusal::Malformed),
            (400, "4005601".into())
        );
        assert_eq!(ack_code(qris, Refusal::Oversize), (400, "4005201".into()));
        assert_eq!(ack_code(qris, Refusal::MissingField), (400, "4005202".into()));
        assert_eq!(ack_code(None, Refusal::UnknownProduct), (400, "4000001".into()));
        assert_eq!(ack_code(qris, Refusal::Unconfirmed), (504, "5045200".into()));
        for refusal in [
            Refusal::Signature,
            Refusal::Timestamp,
            Refusal::ClientKey,
            Refusal::MissingHeader,
            Refusal::Oversize,
            Refusal::Malformed,
            Refusal::MissingField,
            Refusal::UnknownProduct,
        ] {
            assert!(ack_code(qris, refusal).0 < 500, "{refusal:?}");
        }
    }

    #[test]
    fn errors_map_to_refusals_alike_from_rust_and_from_the_bindings_classes() {
        use nicepay_snap::Error;
        let invalid = |field: &str| {
            ClientError::Snap(Error::InvalidInput {
                field: field.into(),
                reason: "r".into(),
            })
        };
        assert_eq!(Refusal::of_error(&invalid("X-TIMESTAMP")), Refusal::Timestamp);
        assert_eq!(Refusal::of_error(&invalid("X-CLIENT-KEY")), Refusal::ClientKey);
        assert_eq!(
            Refusal::of_error(&invalid("originalReferenceNo")),
            Refusal::MissingField
        );
        let mismatch = ClientError::Snap(Error::SignatureMismatch { context: "c".into() });
        assert_eq!(Refusal::of_error(&mismatch), Refusal::Signature);
        for (name, field, refusal) in [
            ("SignatureError", None, Refusal::Signature),
            ("ERR_NICEPAY_SIGNATURE", None, Refusal::Signature),
            ("InvalidInputError", Some("X-TIMESTAMP"), Refusal::Timestamp),
            ("ERR_NICEPAY_INVALID_INPUT", Some("body"), Refusal::Malformed),
            ("DecodeError", None, Refusal::Malformed),
            ("TransportError", None, Refusal::Unconfirmed),
            ("ERR_NICEPAY_API", None, Refusal::Unconfirmed),
        ] {
            let class = ErrorClass::from_name(name).unwrap();
            assert_eq!(Refusal::of_class(class, field), refusal, "{name}");
        }
        assert_eq!(ErrorClass::from_name("ValueError"), None);
    }

    #[test]
    fn a_confirmed_notification_is_paid_and_a_duplicate_fulfils_nothing() {
        let verified = json!({"notification": {"latestTransactionStatus": "00"}, "status": {}, "paid": true});
        let handled = conclude(Product::Qris, true, Ok(verified), "2024-08-19T17:12:40+07:00");
        assert_eq!(handled.status_code, 200);
        assert_eq!(
            handled.body,
            br#"{"responseCode":"2005200","responseMessage":"Successful"}"#
        );
        assert!(handled.fulfil());
        let again = json!({"notification": {}, "status": {}, "paid": true, "duplicate": true});
        let handled = conclude(Product::Qris, true, Ok(again), "2024-08-19T17:12:40+07:00");
        assert!(handled.paid && handled.duplicate && !handled.fulfil());
        // Without confirmation, `paid` is the body's own (unsigned) claim.
        let va = json!({"additionalInfo": {"latestTransactionStatus": "00"}});
        assert!(conclude(Product::VirtualAccount, false, Ok(va), "2024-08-19T17:12:40+07:00").paid);
        let json = conclude(Product::Qris, false, Ok(json!({"latestTransactionStatus": "05"})), "t").to_json();
        assert_eq!(json["paid"], json!(false));
        assert_eq!(json["headers"]["X-TIMESTAMP"], json!("t"));
    }

    #[test]
    fn the_native_functions_answer_refusals_and_outcomes_as_json() {
        let args = |v: Value| Args::new(v).unwrap();
        let at = "2024-08-19T17:12:40+07:00";
        let ok = native_triage(&args(json!({"body": "{}", "path": "/api/v1.0/debit/notify"}))).unwrap();
        assert_eq!(ok, json!({"product": "ewallet"}));
        let big = native_triage(&args(
            json!({"body": "xxxx", "product": "qris", "maxBodyBytes": 3, "timestamp": at}),
        ));
        let big = big.unwrap();
        assert_eq!(
            (big["statusCode"].clone(), big["refusal"].clone()),
            (json!(400), json!("oversize"))
        );
        assert_eq!(
            big["body"],
            json!(r#"{"responseCode":"4005201","responseMessage":"Invalid Field Format body (too large)"}"#)
        );
        let refused = native_outcome(&args(
            json!({"product": "va", "errorClass": "SignatureError", "message": "bad"}),
        ));
        let refused = refused.unwrap();
        assert_eq!(
            (refused["statusCode"].clone(), refused["error"].clone()),
            (json!(401), json!("bad"))
        );
        assert_eq!(refused["paid"], json!(false));
        let verified = json!({"notification": {"trxId": "t"}, "status": {}, "paid": true});
        let paid = native_outcome(&args(json!({"product": "va", "verified": verified}))).unwrap();
        assert_eq!(
            (paid["statusCode"].clone(), paid["paid"].clone()),
            (json!(200), json!(true))
        );
        assert!(native_outcome(&args(json!({"product": "va", "errorClass": "Nope"}))).is_err());
    }
}
