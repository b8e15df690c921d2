//! What the suites against the in-process simulator share, and the load example with them: a
//! config for the simulator's credentials, clients over both transports, unique ids, the QRIS
//! requests, a merchant notification endpoint, and the faults a money-moving call must survive.
//!
//! Self-contained (absolute paths only), so `examples/load.rs` can include it with `#[path]`.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use nicepay_snap::api::qris::{
    QrisGenerateAdditionalInfo, QrisGenerateRequest, QrisQueryRequest, QrisRefundAdditionalInfo, QrisRefundRequest,
};
use nicepay_snap::{Amount, Config};
use nicepay_snap_client::{AsyncClient, Client, Clock, Confirmable, Confirmed, SystemClock};
use nicepay_snap_reqwest::ReqwestTransport;
use nicepay_snap_simulator::{BlockingSimulator, Fault, Simulator, SimulatorBuilder, SimulatorHandle, SimulatorInfo};
use nicepay_snap_ureq::UreqTransport;

/// The simulator's merchant credentials and notification key.
pub(crate) fn config(info: &SimulatorInfo) -> Config {
    info.client_config().expect("config")
}

/// A blocking client over ureq whose every request gives up after `timeout`.
pub(crate) fn ureq_client_within(info: &SimulatorInfo, timeout: Duration) -> Client<UreqTransport> {
    Client::new(config(info), UreqTransport::builder().timeout(timeout).build())
}

/// An async client over reqwest whose every request gives up after `timeout`.
pub(crate) fn reqwest_client_within(info: &SimulatorInfo, timeout: Duration) -> AsyncClient<ReqwestTransport> {
    let transport = ReqwestTransport::builder().timeout(timeout).build();
    AsyncClient::new(config(info), transport.expect("reqwest"))
}

pub(crate) fn ureq_client(info: &SimulatorInfo) -> Client<UreqTransport> {
    ureq_client_within(info, Duration::from_secs(5))
}

pub(crate) fn reqwest_client(info: &SimulatorInfo) -> AsyncClient<ReqwestTransport> {
    reqwest_client_within(info, Duration::from_secs(5))
}

/// A fresh blocking simulator, its info, and a blocking client for it.
pub(crate) fn start_blocking() -> (BlockingSimulator, SimulatorInfo, Client<UreqTransport>) {
    let sim = Simulator::builder().start_blocking().expect("simulator");
    let info = sim.info().clone();
    (sim, info.clone(), ureq_client(&info))
}

/// A fresh simulator from `builder` on the current runtime, its info, and an async client for it.
pub(crate) async fn start_async_with(
    builder: SimulatorBuilder,
) -> (SimulatorHandle, SimulatorInfo, AsyncClient<ReqwestTransport>) {
    let sim = builder.start().await.expect("simulator");
    let info = sim.info().clone();
    (sim, info.clone(), reqwest_client(&info))
}

pub(crate) async fn start_async() -> (SimulatorHandle, SimulatorInfo, AsyncClient<ReqwestTransport>) {
    start_async_with(Simulator::builder()).await
}

/// `{prefix}-{millis}-{n}`: unique within the process and short enough for every id field.
pub(crate) fn unique(prefix: &str) -> String {
    static N: AtomicI64 = AtomicI64::new(0);
    format!(
        "{prefix}-{}-{}",
        SystemClock.now_unix_millis() % 1_000_000_000,
        N.fetch_add(1, Ordering::SeqCst)
    )
}

pub(crate) fn idr(v: &str) -> Amount {
    Amount::idr(v).expect("amount")
}

pub(crate) fn qris_generate(info: &SimulatorInfo, order: &str, value: &str) -> QrisGenerateRequest {
    QrisGenerateRequest {
        partner_reference_no: order.into(),
        amount: idr(value),
        merchant_id: info.client_id.clone(),
        store_id: "NICEPAY".into(),
        sub_merchant_id: None,
        validity_period: None,
        additional_info: QrisGenerateAdditionalInfo {
            goods_nm: Some("Kopi".into()),
            ..Default::default()
        },
    }
}

/// A paid QR: returns (referenceNo, order).
pub(crate) fn paid_qr(sim: &BlockingSimulator, client: &Client<UreqTransport>, value: &str) -> (String, String) {
    let order = unique("order");
    let generated = client.qris_generate(&qris_generate(sim.info(), &order, value)).unwrap();
    let reference_no = generated.reference_no.unwrap();
    sim.pay_qris(&reference_no).unwrap();
    (reference_no, order)
}

pub(crate) fn qris_query(info: &SimulatorInfo, reference_no: &str, order: &str) -> QrisQueryRequest {
    QrisQueryRequest::new(reference_no, order, &info.client_id, "NICEPAY")
}

pub(crate) fn qris_refund(
    info: &SimulatorInfo,
    reference_no: &str,
    order: &str,
    refund_no: &str,
    value: &str,
) -> QrisRefundRequest {
    QrisRefundRequest {
        original_reference_no: reference_no.into(),
        original_partner_reference_no: order.into(),
        partner_refund_no: refund_no.into(),
        merchant_id: info.client_id.clone(),
        external_store_id: "NICEPAY".into(),
        refund_amount: idr(value),
        reason: "test".into(),
        additional_info: QrisRefundAdditionalInfo::default(),
    }
}

/// The faults every money-moving call at `path` is tested under: (name, fault, whether the
/// simulator applied the request before the fault hit). Each fault fires once.
pub(crate) fn faults_around(path: &str) -> Vec<(&'static str, Fault, bool)> {
    vec![
        ("504 after apply", Fault::respond_after(path, 504).times(1), true),
        ("500 before apply", Fault::respond_before(path, 500).times(1), false),
        ("drop after apply", Fault::drop_after(path).times(1), true),
        ("drop before apply", Fault::drop_before(path).times(1), false),
    ]
}

/// One received notification: headers and body.
pub(crate) type Received = (Vec<(String, String)>, Vec<u8>);

/// A merchant notification endpoint: records every request (headers, body) and acknowledges it.
pub(crate) struct Inbox {
    pub(crate) url: String,
    rx: mpsc::Receiver<Received>,
}

impl Inbox {
    /// Listens on loopback; every request is answered 200 with `ack_code`.
    pub(crate) fn start(ack_code: &'static str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/notify", listener.local_addr().unwrap());
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                if let Some(request) = read_request(stream, ack_code) {
                    if tx.send(request).is_err() {
                        return;
                    }
                }
            }
        });
        Self { url, rx }
    }

    /// The next notification received (waits up to 10 s).
    pub(crate) fn next(&self) -> Received {
        self.rx.recv_timeout(Duration::from_secs(10)).expect("a notification")
    }
}

fn read_request(mut s: TcpStream, ack_code: &str) -> Option<Received> {
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = s.read(&mut chunk).ok()?;
        buf.extend_from_slice(&chunk[..n]);
        let text = String::from_utf8_lossy(&buf).to_string();
        if let Some(pos) = text.find("\r\n\r\n") {
            let head = &text[..pos];
            let len: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap_or(0))
                })
                .unwrap_or(0);
            if buf.len() >= pos + 4 + len {
                let body = format!("{{\"responseCode\":\"{ack_code}\",\"responseMessage\":\"Successful\"}}");
                let reply = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                s.write_all(reply.as_bytes()).ok()?;
                let headers = head
                    .lines()
                    .skip(1)
                    .filter_map(|l| {
                        l.split_once(':')
                            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                    })
                    .collect();
                return Some((headers, buf[pos + 4..pos + 4 + len].to_vec()));
            }
        }
        if n == 0 {
            return None;
        }
    }
}

/// Confirms a notification by query, and checks that the same signed headers over the body with
/// `paid` replaced by `forged` are not confirmed: the signature does not cover the body, so an
/// edited amount is caught by the status query.
pub(crate) fn confirm_unless_forged<N: Confirmable>(
    client: &Client<UreqTransport>,
    (headers, body): &Received,
    paid: &str,
    forged: &str,
) -> Confirmed<N> {
    let confirmed = client.verify_and_confirm::<N>(headers, body).expect("confirmed");
    let edited = String::from_utf8_lossy(body).replace(paid, forged);
    let edited = client.verify_and_confirm::<N>(headers, edited.as_bytes());
    assert!(!edited.expect("verified").paid, "an edited body is not confirmed");
    confirmed
}

/// Waits (on a blocking thread) for the inbox's next notification and confirms it by query.
pub(crate) async fn next_confirmed<N: Confirmable>(
    client: &AsyncClient<ReqwestTransport>,
    inbox: Inbox,
) -> Confirmed<N> {
    let (headers, body) = tokio::task::spawn_blocking(move || inbox.next()).await.expect("inbox");
    client
        .verify_and_confirm::<N>(&headers, &body)
        .await
        .expect("confirmed")
}

/// A plain HTTP GET on loopback; returns (status, Location header).
pub(crate) fn http_get(url: &str) -> (u16, Option<String>) {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_at(rest.find('/').unwrap());
    let mut s = TcpStream::connect(host).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text.split_whitespace().nth(1).unwrap().parse().unwrap();
    let location = text.lines().find_map(|l| {
        l.to_ascii_lowercase()
            .starts_with("location:")
            .then(|| l[9..].trim().to_owned())
    });
    (status, location)
}
