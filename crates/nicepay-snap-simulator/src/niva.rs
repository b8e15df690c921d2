//! NICEPAY's side of NIVA ("NICEPAY Inquiry Virtual Account"): the simulator calls a merchant's
//! SNAP server the way NICEPAY does (spec §8.2). It asks for a B2B token signed with the
//! simulator's NICEPAY key, sends the VA inquiry (24) and then the payment (25) with HMAC
//! signatures under the client secret the merchant issued, and reports every exchange. Faults
//! let a test check the merchant's refusals: a forged signature, a replayed `X-EXTERNAL-ID`, a
//! wrong amount, an expired or unknown token.
//!
//! Loopback only, like every other request the simulator makes.

use std::time::Duration;

use nicepay_snap::api::notification::sign_notification;
use nicepay_snap::server::{TOKEN_PATH, VA_INQUIRY_PATH, VA_PAYMENT_PATH};
use nicepay_snap::{Amount, ClientSecret, Method, PrivateKey, SymmetricSigner};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::util;

/// Per-request timeout.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Where the merchant's SNAP server is and the credentials the merchant issued to NICEPAY.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NivaMerchant {
    /// Base URL the SNAP paths are appended to (`http://127.0.0.1:8080` or with a mount prefix).
    pub base_url: String,
    /// Client ID the merchant issued to NICEPAY (sent as `X-CLIENT-KEY` / `X-PARTNER-ID`).
    pub client_id: String,
    /// Client secret the merchant issued to NICEPAY (the HMAC key).
    pub client_secret: String,
}

impl std::fmt::Debug for NivaMerchant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NivaMerchant")
            .field("base_url", &self.base_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .finish()
    }
}

/// A deliberate mistake, to see the merchant refuse it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum NivaFault {
    /// Sign the payment under another secret.
    ForgedSignature,
    /// Send the payment twice with the same `X-EXTERNAL-ID` (the second must be a conflict).
    ReplayExternalId,
    /// Use a token the merchant never issued for the payment.
    UnknownToken,
    /// Sign the token request with a key that is not NICEPAY's.
    ForgedTokenRequest,
}

/// One VA payment to run.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NivaPayment {
    /// VA prefix.
    pub partner_service_id: String,
    /// Customer number.
    pub customer_no: String,
    /// What the customer pays; `None` pays the total the inquiry answered.
    #[serde(default)]
    pub paid_amount: Option<Amount>,
    /// Bank code sent in `additionalInfo.bankCd`.
    #[serde(default = "default_bank")]
    pub bank_code: String,
    /// A mistake to make on purpose.
    #[serde(default)]
    pub fault: Option<NivaFault>,
}

fn default_bank() -> String {
    "BMRI".into()
}

/// One request the simulator sent and what came back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NivaStep {
    /// `access-token`, `inquiry`, `payment` or `payment-replay`.
    pub step: String,
    /// The path called.
    pub path: String,
    /// `X-EXTERNAL-ID` sent (transactional steps).
    pub external_id: Option<String>,
    /// The body sent.
    pub request_body: String,
    /// HTTP status, when the merchant answered.
    pub http_status: Option<u16>,
    /// `responseCode` of the answer, when it had one.
    pub response_code: Option<String>,
    /// The answer's body (lossy UTF-8, at most 4 KiB).
    pub response_body: Option<String>,
    /// Why there was no answer.
    pub error: Option<String>,
}

/// The whole exchange.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NivaRun {
    /// Every request in order.
    pub steps: Vec<NivaStep>,
    /// True when the merchant accepted the payment (`2002500`).
    pub paid: bool,
}

struct Caller<'a> {
    http: &'a reqwest::Client,
    merchant: &'a NivaMerchant,
    steps: Vec<NivaStep>,
}

impl Caller<'_> {
    async fn post(&mut self, step: &str, path: &str, headers: Vec<(String, String)>, body: Vec<u8>) -> Option<Value> {
        let external_id = headers
            .iter()
            .find(|(k, _)| k == "X-EXTERNAL-ID")
            .map(|(_, v)| v.clone());
        let mut out = NivaStep {
            step: step.to_owned(),
            path: path.to_owned(),
            external_id,
            request_body: String::from_utf8_lossy(&body).into_owned(),
            http_status: None,
            response_code: None,
            response_body: None,
            error: None,
        };
        let url = format!("{}{path}", self.merchant.base_url.trim_end_matches('/'));
        let mut parsed = None;
        if util::is_loopback_http_url(&url) {
            let mut request = self.http.post(&url).timeout(TIMEOUT).body(body);
            for (k, v) in &headers {
                request = request.header(k.as_str(), v.as_str());
            }
            match request.send().await {
                Ok(resp) => {
                    out.http_status = Some(resp.status().as_u16());
                    match resp.bytes().await {
                        Ok(bytes) => {
                            parsed = serde_json::from_slice::<Value>(&bytes).ok();
                            out.response_code = parsed
                                .as_ref()
                                .and_then(|v| v["responseCode"].as_str())
                                .map(str::to_owned);
                            out.response_body =
                                Some(String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).into_owned());
                        }
                        Err(e) => out.error = Some(format!("reading the answer failed: {e}")),
                    }
                }
                Err(e) => out.error = Some(format!("request failed: {e}")),
            }
        } else {
            out.error = Some("not sent: the simulator only calls http:// loopback URLs".into());
        }
        self.steps.push(out);
        parsed
    }
}

fn transactional_headers(
    merchant: &NivaMerchant,
    secret: &ClientSecret,
    path: &str,
    token: &str,
    body: &[u8],
    external_id: &str,
) -> Vec<(String, String)> {
    let timestamp = util::now_timestamp().to_string();
    let signature = SymmetricSigner::new(secret)
        .sign_transaction(Method::Post, path, token, body, &timestamp)
        .unwrap_or_default();
    vec![
        ("Content-Type".into(), "application/json".into()),
        ("Authorization".into(), format!("Bearer {token}")),
        ("X-TIMESTAMP".into(), timestamp),
        ("X-SIGNATURE".into(), signature),
        ("X-PARTNER-ID".into(), merchant.client_id.clone()),
        ("X-EXTERNAL-ID".into(), external_id.to_owned()),
        ("CHANNEL-ID".into(), format!("{}01", merchant.client_id)),
    ]
}

/// Runs token, inquiry and payment against the merchant (stopping at the first refusal), with
/// `nicepay_key` as NICEPAY's private key. Never fails: every outcome is in the steps.
pub async fn run(nicepay_key: &PrivateKey, merchant: &NivaMerchant, payment: &NivaPayment) -> NivaRun {
    let http = match util::loopback_client() {
        Ok(http) => http,
        Err(e) => {
            let step = NivaStep {
                step: "access-token".into(),
                path: TOKEN_PATH.into(),
                external_id: None,
                request_body: String::new(),
                http_status: None,
                response_code: None,
                response_body: None,
                error: Some(format!("no HTTP client: {e}")),
            };
            return NivaRun {
                steps: vec![step],
                paid: false,
            };
        }
    };
    run_with(&http, nicepay_key, merchant, payment).await
}

/// [`run`] over an existing client (the running simulator's).
pub(crate) async fn run_with(
    http: &reqwest::Client,
    nicepay_key: &PrivateKey,
    merchant: &NivaMerchant,
    payment: &NivaPayment,
) -> NivaRun {
    let mut caller = Caller {
        http,
        merchant,
        steps: Vec::new(),
    };
    let secret = ClientSecret::new(merchant.client_secret.as_str());
    let timestamp = util::now_timestamp().to_string();
    let other_key;
    let signing_key = if payment.fault == Some(NivaFault::ForgedTokenRequest) {
        // The test merchant key: a valid RSA key that is not NICEPAY's.
        match PrivateKey::parse(crate::TEST_MERCHANT_PRIVATE_KEY_PEM) {
            Ok(key) => {
                other_key = key;
                &other_key
            }
            Err(_) => nicepay_key,
        }
    } else {
        nicepay_key
    };
    let signature = sign_notification(signing_key, &merchant.client_id, &timestamp).unwrap_or_default();
    let token_body = br#"{"grantType":"client_credentials","additionalInfo":{}}"#.to_vec();
    let headers = vec![
        ("Content-Type".into(), "application/json".into()),
        ("X-TIMESTAMP".into(), timestamp),
        ("X-CLIENT-KEY".into(), merchant.client_id.clone()),
        ("X-SIGNATURE".into(), signature),
    ];
    let answer = caller.post("access-token", TOKEN_PATH, headers, token_body).await;
    let Some(token) = answer
        .as_ref()
        .and_then(|v| v["accessToken"].as_str())
        .map(str::to_owned)
    else {
        return NivaRun {
            steps: caller.steps,
            paid: false,
        };
    };
    let inquiry_id = format!("INQ{}", util::random_digits(17));
    let inquiry = json!({
        "partnerServiceId": payment.partner_service_id,
        "customerNo": payment.customer_no,
        "virtualAccountNo": format!("{}{}", payment.partner_service_id, payment.customer_no),
        "inquiryRequestId": inquiry_id,
        "trxDateInit": util::now_timestamp().to_string(),
        "additionalInfo": {"bankCd": payment.bank_code},
    });
    let body = serde_json::to_vec(&inquiry).unwrap_or_default();
    let external_id = util::random_digits(20);
    let headers = transactional_headers(merchant, &secret, VA_INQUIRY_PATH, &token, &body, &external_id);
    let answer = caller.post("inquiry", VA_INQUIRY_PATH, headers, body).await;
    let data = answer
        .as_ref()
        .filter(|v| v["responseCode"] == "2002400")
        .map(|v| v["virtualAccountData"].clone());
    let Some(data) = data else {
        return NivaRun {
            steps: caller.steps,
            paid: false,
        };
    };
    let paid_amount = match &payment.paid_amount {
        Some(a) => json!(a),
        None => data["totalAmount"].clone(),
    };
    let pay = json!({
        "partnerServiceId": payment.partner_service_id,
        "customerNo": payment.customer_no,
        "virtualAccountNo": inquiry["virtualAccountNo"],
        "virtualAccountName": data["virtualAccountName"],
        "trxId": data["trxId"],
        "paymentRequestId": inquiry_id,
        "paidAmount": paid_amount,
        "trxDateTime": util::now_timestamp().to_string(),
        "referenceNo": util::random_digits(12),
        "additionalInfo": {"bankCd": payment.bank_code},
    });
    let body = serde_json::to_vec(&pay).unwrap_or_default();
    let external_id = util::random_digits(20);
    let (pay_secret, pay_token) = match payment.fault {
        Some(NivaFault::ForgedSignature) => (ClientSecret::new("not-the-merchant-secret"), token.clone()),
        Some(NivaFault::UnknownToken) => (secret.clone(), util::new_token()),
        _ => (secret.clone(), token.clone()),
    };
    let headers = transactional_headers(merchant, &pay_secret, VA_PAYMENT_PATH, &pay_token, &body, &external_id);
    let answer = caller.post("payment", VA_PAYMENT_PATH, headers, body.clone()).await;
    let paid = answer.as_ref().is_some_and(|v| v["responseCode"] == "2002500");
    if payment.fault == Some(NivaFault::ReplayExternalId) {
        let headers = transactional_headers(merchant, &pay_secret, VA_PAYMENT_PATH, &pay_token, &body, &external_id);
        caller.post("payment-replay", VA_PAYMENT_PATH, headers, body).await;
    }
    NivaRun {
        steps: caller.steps,
        paid,
    }
}
