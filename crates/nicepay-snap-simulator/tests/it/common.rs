//! Shared helpers: a tiny reqwest transport for `PreparedRequest`, request builders and a
//! notification receiver.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use nicepay_snap::api::qris::{
    QrisGenerate, QrisGenerateAdditionalInfo, QrisGenerateRequest, QrisQuery, QrisQueryRequest, QrisRefund,
    QrisRefundAdditionalInfo, QrisRefundRequest,
};
use nicepay_snap::{
    AccessToken, Acknowledgement, Amount, Config, ExternalId, Method, NotificationVerifier, PreparedRequest, PublicKey,
    RawResponse, RequestContext, Timestamp,
};
use nicepay_snap_simulator::{Simulator, SimulatorHandle};
use serde_json::Value;
use tokio::sync::mpsc;

pub const STORE: &str = "NicepayStoreID1";

pub fn now() -> Timestamp {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    Timestamp::from_unix_seconds(secs as i64).unwrap()
}

pub fn external_id() -> ExternalId {
    static N: AtomicU64 = AtomicU64::new(0);
    let millis = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64;
    ExternalId::from_parts(
        millis,
        N.fetch_add(1, Ordering::Relaxed) + u64::from(std::process::id()) * 1_000_000,
    )
}

pub fn unique(prefix: &str) -> String {
    format!("{prefix}{}", external_id().as_str())
}

/// Sends a prepared request byte-for-byte and reads the whole answer.
pub async fn send(http: &reqwest::Client, req: &PreparedRequest) -> Result<RawResponse, reqwest::Error> {
    let method = match req.method {
        Method::Delete => reqwest::Method::DELETE,
        _ => reqwest::Method::POST,
    };
    let mut builder = http.request(method, &req.url).body(req.body.clone());
    for (k, v) in &req.headers {
        builder = builder.header(k, v);
    }
    let resp = builder.send().await?;
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_owned()))
        .collect();
    let body = resp.bytes().await?.to_vec();
    Ok(RawResponse::new(status, headers, body))
}

pub fn json(raw: &RawResponse) -> Value {
    serde_json::from_slice(&raw.body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", String::from_utf8_lossy(&raw.body)))
}

pub fn code(raw: &RawResponse) -> String {
    json(raw)["responseCode"].as_str().unwrap_or_default().to_owned()
}

pub fn message(raw: &RawResponse) -> String {
    json(raw)["responseMessage"].as_str().unwrap_or_default().to_owned()
}

/// Asserts the HTTP status, responseCode and responseMessage of an answer.
pub fn assert_answer(raw: &RawResponse, status: u16, code_: &str, message_: &str) {
    assert_eq!(
        (raw.status, code(raw).as_str(), message(raw).as_str()),
        (status, code_, message_),
        "{}",
        String::from_utf8_lossy(&raw.body)
    );
}

/// `body` with every top-level key of `changes` set to its value there.
pub fn merged(mut body: Value, changes: &Value) -> Value {
    for (k, v) in changes.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

/// A running simulator with a matching client config.
pub struct Env {
    pub sim: SimulatorHandle,
    pub config: Config,
    pub http: reqwest::Client,
}

impl Env {
    pub async fn start() -> Self {
        Self::with(Simulator::builder()).await
    }

    pub async fn with(builder: nicepay_snap_simulator::SimulatorBuilder) -> Self {
        let sim = builder.start().await.expect("simulator starts");
        let info = sim.info().clone();
        let config = info.client_config().unwrap();
        let http = reqwest::Client::builder().no_proxy().build().unwrap();
        Self { sim, config, http }
    }

    /// A fresh simulator and an access token for it.
    pub async fn with_token() -> (Self, AccessToken) {
        let env = Self::start().await;
        let token = env.token().await;
        (env, token)
    }

    /// A fresh simulator, a notification receiver (its URL and queue) and an access token.
    pub async fn with_receiver() -> (Self, String, mpsc::UnboundedReceiver<Received>, AccessToken) {
        let env = Self::start().await;
        let info = env.sim.info();
        let (notify_url, rx) = notification_receiver(&info.notification_public_key, &info.client_id).await;
        let token = env.token().await;
        (env, notify_url, rx, token)
    }

    /// POSTs `body`, unsigned, to `path` on the simulator (admin endpoints, pages).
    pub async fn post(&self, path: &str, body: impl Into<reqwest::Body>) -> reqwest::Response {
        let url = format!("{}{path}", self.sim.base_url());
        self.http.post(url).body(body).send().await.unwrap()
    }

    /// GETs `path` on the simulator.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        let url = format!("{}{path}", self.sim.base_url());
        self.http.get(url).send().await.unwrap()
    }

    /// Sends an arbitrary JSON body, signed with `token`, to the API `path`.
    pub async fn send_raw(&self, token: &AccessToken, path: &str, body: &Value) -> RawResponse {
        send(&self.http, &self.prepare_raw(token, path, body)).await.unwrap()
    }

    /// Sends a prepared refund through the env's HTTP client.
    pub async fn send_refund(
        &self,
        token: &AccessToken,
        req: &QrisRefundRequest,
    ) -> Result<RawResponse, reqwest::Error> {
        send(&self.http, &self.prepare_refund(token, req)).await
    }

    /// The token endpoint's raw answer to a fresh, correctly signed request.
    pub async fn token_raw(&self) -> RawResponse {
        send(&self.http, &self.config.prepare_access_token(now()).unwrap())
            .await
            .unwrap()
    }

    pub async fn token(&self) -> AccessToken {
        let raw = self.token_raw().await;
        assert_eq!(raw.status, 200, "{}", String::from_utf8_lossy(&raw.body));
        self.config.parse_access_token(&raw).unwrap().access_token
    }

    pub fn ctx<'a>(&self, token: &'a AccessToken) -> RequestContext<'a> {
        RequestContext {
            access_token: token,
            timestamp: now(),
            external_id: external_id(),
        }
    }

    pub fn generate_request(&self, partner_ref: &str, amount: &str, notify_url: Option<&str>) -> QrisGenerateRequest {
        QrisGenerateRequest {
            partner_reference_no: partner_ref.to_owned(),
            amount: Amount::idr(amount).unwrap(),
            merchant_id: self.config.client_id().to_owned(),
            store_id: STORE.to_owned(),
            sub_merchant_id: None,
            validity_period: None,
            additional_info: QrisGenerateAdditionalInfo {
                goods_nm: Some("Test goods".into()),
                db_process_url: notify_url.map(str::to_owned),
                mitra_cd: Some("QSHP".into()),
                ..Default::default()
            },
        }
    }

    pub async fn generate(&self, token: &AccessToken, req: &QrisGenerateRequest) -> RawResponse {
        let prepared = self.config.prepare::<QrisGenerate>(req, &self.ctx(token)).unwrap();
        send(&self.http, &prepared).await.unwrap()
    }

    /// Generates a QR and returns (referenceNo, partnerReferenceNo).
    pub async fn new_qr(&self, token: &AccessToken, amount: &str, notify_url: Option<&str>) -> (String, String) {
        let partner_ref = unique("ord");
        let raw = self
            .generate(token, &self.generate_request(&partner_ref, amount, notify_url))
            .await;
        assert_eq!(code(&raw), "2004700", "{}", String::from_utf8_lossy(&raw.body));
        (json(&raw)["referenceNo"].as_str().unwrap().to_owned(), partner_ref)
    }

    pub async fn query(&self, token: &AccessToken, reference_no: &str, partner_ref: &str) -> RawResponse {
        let req = QrisQueryRequest::new(reference_no, partner_ref, self.config.client_id(), STORE);
        let prepared = self.config.prepare::<QrisQuery>(&req, &self.ctx(token)).unwrap();
        send(&self.http, &prepared).await.unwrap()
    }

    pub fn refund_request(
        &self,
        reference_no: &str,
        partner_ref: &str,
        refund_no: &str,
        amount: &str,
    ) -> QrisRefundRequest {
        QrisRefundRequest {
            original_reference_no: reference_no.to_owned(),
            original_partner_reference_no: partner_ref.to_owned(),
            partner_refund_no: refund_no.to_owned(),
            merchant_id: self.config.client_id().to_owned(),
            external_store_id: STORE.to_owned(),
            refund_amount: Amount::idr(amount).unwrap(),
            reason: "Customer request".into(),
            additional_info: QrisRefundAdditionalInfo::default(),
        }
    }

    pub fn prepare_refund(&self, token: &AccessToken, req: &QrisRefundRequest) -> PreparedRequest {
        self.config.prepare::<QrisRefund>(req, &self.ctx(token)).unwrap()
    }

    pub async fn refund(
        &self,
        token: &AccessToken,
        reference_no: &str,
        partner_ref: &str,
        amount: &str,
    ) -> RawResponse {
        let req = self.refund_request(reference_no, partner_ref, &unique("rf"), amount);
        send(&self.http, &self.prepare_refund(token, &req)).await.unwrap()
    }

    /// A prepared request for an arbitrary JSON body on a path (signed with the real token).
    pub fn prepare_raw(&self, token: &AccessToken, path: &str, body: &Value) -> PreparedRequest {
        self.config
            .prepare_json(
                Method::Post,
                path,
                serde_json::to_string(body).unwrap().as_bytes(),
                &self.ctx(token),
            )
            .unwrap()
    }

    /// A paid QR worth `amount`.
    pub async fn paid_qr(&self, token: &AccessToken, amount: &str) -> (String, String) {
        let (reference_no, partner_ref) = self.new_qr(token, amount, None).await;
        self.sim.pay_qris(&reference_no).await.unwrap();
        (reference_no, partner_ref)
    }
}

/// What the notification receiver saw.
#[derive(Debug)]
pub struct Received {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub verified: Result<nicepay_snap::api::qris::QrisNotification, String>,
}

/// A merchant notification endpoint on loopback that verifies with `NotificationVerifier`.
pub async fn notification_receiver(
    public_key_pem: &str,
    client_id: &str,
) -> (String, mpsc::UnboundedReceiver<Received>) {
    let verifier = NotificationVerifier::new(PublicKey::parse(public_key_pem).unwrap(), client_id);
    let (tx, rx) = mpsc::unbounded_channel();
    let state = Arc::new((verifier, tx));
    async fn handle(
        State(state): State<Arc<(NotificationVerifier, mpsc::UnboundedSender<Received>)>>,
        headers: HeaderMap,
        body: Bytes,
    ) -> (StatusCode, String) {
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_owned()))
            .collect();
        let verified = state
            .0
            .verify::<nicepay_snap::api::qris::QrisNotification>(&headers, &body, now())
            .map_err(|e| e.to_string());
        let ack = if verified.is_ok() {
            Acknowledgement::success("52")
        } else {
            Acknowledgement::unauthorized("52")
        };
        let _ = state.1.send(Received {
            headers,
            body: body.to_vec(),
            verified,
        });
        (StatusCode::from_u16(ack.status).unwrap(), ack.body_str().to_owned())
    }
    let app = Router::new().route("/notify", post(handle)).with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/notify", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, rx)
}

/// Reads a reqwest response body as JSON.
pub async fn body_json<T: serde::de::DeserializeOwned>(resp: reqwest::Response) -> T {
    let bytes = resp.bytes().await.unwrap();
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
}
