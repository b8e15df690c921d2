//! Issue 18, item 5: a money-moving request whose head never fully left is reported as not
//! delivered (`ClientError::Transport`, `is_not_delivered`), not as an unknown outcome.
//!
//! The core now refuses the oversized access token that produced the original defect, so this
//! test makes the refund's head too large another way: the real ureq transport sends the
//! client's prepared refund with 4 MB of padding headers added, to a server that closes every
//! refund connection at once, before reading anything. No byte of the padding can make it past
//! the socket buffers, so the head is certainly incomplete. The async client is checked the same
//! way over its own transport (`nicepay-snap-reqwest`, direct path).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use nicepay_snap::api::qris::{QrisRefundAdditionalInfo, QrisRefundRequest};
use nicepay_snap::{Amount, AsyncTransport, Config, PreparedRequest, RawResponse, SyncTransport, TransportError};
use nicepay_snap_client::{AsyncClient, Client, ClientError};
use nicepay_snap_reqwest::ReqwestTransport;
use nicepay_snap_simulator::{Simulator, SimulatorInfo};
use nicepay_snap_ureq::UreqTransport;

/// Serves one access token (`Connection: close`), then closes every later connection without
/// reading. Returns the base URL and a counter of the connections closed that way.
fn token_then_reset() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let resets = Arc::new(AtomicUsize::new(0));
    let counted = resets.clone();
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        // The token request body is small JSON ending in `}`.
        while !(buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.ends_with(b"}")) {
            let n = stream.read(&mut chunk).unwrap();
            assert!(n > 0);
            buf.extend_from_slice(&chunk[..n]);
        }
        let body = r#"{"responseCode":"2007300","responseMessage":"Successful","accessToken":"tok-abc","tokenType":"Bearer","expiresIn":"900"}"#;
        let reply = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(reply.as_bytes()).unwrap();
        drop(stream);
        for stream in listener.incoming() {
            drop(stream);
            counted.fetch_add(1, Ordering::SeqCst);
        }
    });
    (base, resets)
}

/// A config for the simulator's merchant (its key pair and client id) pointed at `base`.
fn config(info: &SimulatorInfo, base: &str) -> Config {
    Config::builder()
        .client_id(&info.client_id)
        .client_secret(info.client_secret.as_str())
        .private_key_text(info.private_key_pem.as_deref().unwrap())
        .notification_public_key_text(&info.notification_public_key)
        .base_url(base)
        .build()
        .unwrap()
}

/// `request` with 4 MB of padding headers when it is a refund.
fn padded(request: &PreparedRequest) -> PreparedRequest {
    let mut padded = request.clone();
    if request.path.contains("refund") {
        for i in 0..64 {
            padded.headers.push(format!("X-Pad-{i}"), &"a".repeat(64 * 1024));
        }
    }
    padded
}

fn refund(info: &SimulatorInfo) -> QrisRefundRequest {
    QrisRefundRequest {
        original_reference_no: "REF0001".into(),
        original_partner_reference_no: "order-1".into(),
        partner_refund_no: "refund-1".into(),
        merchant_id: info.client_id.clone(),
        external_store_id: "NICEPAY".into(),
        refund_amount: Amount::idr("1000.00").unwrap(),
        reason: "test".into(),
        additional_info: QrisRefundAdditionalInfo::default(),
    }
}

/// A not-delivered transport error, not an unknown outcome; the server saw the refund's
/// connection.
fn assert_not_delivered(err: &ClientError, resets: &AtomicUsize) {
    assert!(!err.is_outcome_unknown(), "{err:?}");
    match err {
        ClientError::Transport(e) => assert!(e.is_not_delivered(), "{e:?}"),
        other => panic!("expected a not-delivered transport error, got {other:?}"),
    }
    assert!(resets.load(Ordering::SeqCst) >= 1);
}

#[test]
fn refund_whose_headers_cannot_be_written_is_not_delivered() {
    // The simulator only provides a valid key pair and client id; it is not contacted.
    let sim = Simulator::builder().start_blocking().unwrap();
    let info = sim.info().clone();
    let (base, resets) = token_then_reset();
    let ureq = UreqTransport::builder().timeout(Duration::from_secs(10)).build();
    let padded_refunds =
        move |request: &PreparedRequest| -> Result<RawResponse, TransportError> { ureq.send(&padded(request)) };
    let client = Client::new(config(&info, &base), padded_refunds);
    let err = client.qris_refund(&refund(&info)).unwrap_err();
    assert_not_delivered(&err, &resets);
    sim.shutdown();
}

/// The async transport, padding refunds.
struct PaddedRefunds(ReqwestTransport);

impl AsyncTransport for PaddedRefunds {
    async fn send(&self, request: &PreparedRequest) -> Result<RawResponse, TransportError> {
        self.0.send(&padded(request)).await
    }
}

#[tokio::test]
async fn async_refund_whose_headers_cannot_be_written_is_not_delivered() {
    let sim = Simulator::builder().start().await.unwrap();
    let info = sim.info().clone();
    let (base, resets) = token_then_reset();
    let transport = ReqwestTransport::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    assert!(transport.is_direct());
    let client = AsyncClient::new(config(&info, &base), PaddedRefunds(transport));
    let err = client.qris_refund(&refund(&info)).await.unwrap_err();
    assert_not_delivered(&err, &resets);
    sim.shutdown().await;
}
