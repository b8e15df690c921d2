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
use serde_json::Value;

use crate::binding_support::ErrorClass;
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

/// The service code of `product`'s notification acknowledgement: QRIS `52`, VA `25`, e-wallet
/// `56`, payout `00`.
pub fn notification_service_code(product: Product) -> &'static str {
    use nicepay_snap::api::{ewallet, payout, qris, va};
    match product {
        Product::Qris => qris::QRIS_NOTIFICATION_SERVICE_CODE,
        Product::VirtualAccount => va::VA_NOTIFICATION_SERVICE_CODE,
        Product::Ewallet => ewallet::EWALLET_NOTIFICATION_SERVICE_CODE,
        _ => payout::PAYOUT_NOTIFICATION_SERVICE_CODE,
    }
}

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
        let svc = product.map_or("00", notification_service_code);
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
            ErrorClass::Api | ErrorClass::Transport | ErrorClass::OutcomeUnknown | ErrorClass::Other => {
                Self::Unconfirmed
            }
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

    /// The response for the outcome of the verification of a `product` notification.
    pub(crate) fn conclude(
        &self,
        product: Product,
        outcome: Result<Value, ClientError>,
        now: &str,
    ) -> HandledNotification {
        let svc = notification_service_code(product);
        match outcome {
            Err(e) => HandledNotification::refused(Some(product), Refusal::of_error(&e), Some(e), now),
            Ok(mut verified) => {
                let mut out =
                    HandledNotification::answer(Acknowledgement::success(svc), now, Some(product), None, None);
                if self.confirm {
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
        }
    }
}
