//! No Debug / Display / error output of the client stack shows the client secret, the private
//! key or a live access token: clients (with a cached token), configs, prepared requests, typed
//! responses, every kind of client error (API rejection, unknown outcome, transport failure,
//! undecodable token response), and the simulator's handle, info and state.
//!
//! The core's own types are covered in `nicepay-snap/tests/api.rs` and the unit tests next to
//! them; this file covers what only exists once a client talks to a server.

use std::time::Duration;

use nicepay_snap::{AccessToken, Config, ExternalId, RawResponse, RequestContext, TransportError};
use nicepay_snap_client::{Client, ClientError, ClientOptions, Clock, SystemClock};
use nicepay_snap_simulator::{Fault, SimulatorInfo};

#[path = "common/sim.rs"]
mod sim;
use sim::{
    qris_generate, qris_query, qris_refund, reqwest_client_within, start_async, start_blocking, ureq_client_within,
};

const REFUND: &str = "/api/v1.0/qr/qr-mpm-refund";
const QUERY: &str = "/api/v1.0/qr/qr-mpm-query";

/// The secrets to look for: the client secret, every base64 line of the private key, and the
/// access tokens, as text and as the decimal byte list a derived `Debug` of `Vec<u8>` prints.
struct Secrets(Vec<String>);

impl Secrets {
    fn new(info: &SimulatorInfo, tokens: &[&AccessToken]) -> Self {
        let mut s = vec![info.client_secret.clone()];
        s.extend(
            info.private_key_pem
                .as_deref()
                .expect("key")
                .lines()
                .filter(|l| !l.starts_with("-----") && l.len() >= 16)
                .map(str::to_owned),
        );
        for t in tokens {
            let text = t.expose_secret().to_owned();
            assert!(text.len() >= 8, "a token long enough to search for");
            s.push(text.bytes().map(|b| b.to_string()).collect::<Vec<_>>().join(", "));
            s.push(text);
        }
        Self(s)
    }

    fn assert_absent(&self, what: &str, output: &str) {
        for secret in &self.0 {
            assert!(
                !output.contains(secret.as_str()),
                "{what} shows a secret ({}...):\n{output}",
                &secret[..6]
            );
        }
    }
}

/// Every rendering of a value.
macro_rules! renders {
    ($out:ident, $name:expr, $value:expr) => {{
        let v = &$value;
        $out.push((format!("{} Debug", $name), format!("{v:?}")));
        $out.push((format!("{} alternate Debug", $name), format!("{v:#?}")));
    }};
    ($out:ident, $name:expr, $value:expr, display) => {{
        let v = &$value;
        renders!($out, $name, v);
        $out.push((format!("{} Display", $name), format!("{v}")));
    }};
}

#[test]
fn blocking_stack_never_shows_secrets() {
    let (sim, info, _) = start_blocking();
    let client = ureq_client_within(&info, Duration::from_millis(300));
    let token = client.access_token().expect("token");
    let mut out = Vec::new();

    let order = format!("secrets-{}", SystemClock.now_unix_millis());
    let generated = client
        .qris_generate(&qris_generate(&info, &order, "10000.00"))
        .expect("generate");
    let reference_no = generated.reference_no.clone().expect("referenceNo");
    renders!(out, "QrisGenerateResponse", generated);

    // An API rejection (refund before payment).
    let rejected = client
        .qris_refund(&qris_refund(&info, &reference_no, &order, "secrets-r0", "10000.00"))
        .unwrap_err();
    renders!(out, "ClientError::Snap(Api)", rejected, display);

    // An unknown outcome (applied, then 504) and a transport failure (a query past the timeout).
    sim.pay_qris(&reference_no).expect("pay");
    sim.set_fault(Fault::respond_after(REFUND, 504).times(1))
        .expect("fault");
    let unknown = client
        .qris_refund(&qris_refund(&info, &reference_no, &order, "secrets-r1", "10000.00"))
        .unwrap_err();
    assert!(unknown.is_outcome_unknown(), "{unknown:?}");
    renders!(out, "ClientError::OutcomeUnknown", unknown, display);
    sim.set_fault(Fault::latency(QUERY, 1_000).times(1)).expect("fault");
    let transport = client
        .qris_query(&qris_query(&info, &reference_no, &order))
        .unwrap_err();
    assert!(matches!(transport, ClientError::Transport(_)), "{transport:?}");
    renders!(out, "ClientError::Transport", transport, display);

    // The client itself, holding a cached token, and everything reachable from it.
    renders!(out, "Client", client);
    renders!(out, "Config", client.config());
    renders!(out, "AccessToken", token);
    renders!(
        out,
        "NotificationVerifier",
        client.notification_verifier().expect("verifier")
    );
    let ctx = RequestContext {
        access_token: &token,
        timestamp: SystemClock.now(),
        external_id: ExternalId::new("1234567890").expect("id"),
    };
    renders!(out, "RequestContext", ctx);
    renders!(
        out,
        "PreparedRequest (transaction)",
        client
            .config()
            .prepare::<nicepay_snap::api::qris::QrisQuery>(&qris_query(&info, &reference_no, &order), &ctx)
            .expect("prepare")
    );
    renders!(
        out,
        "PreparedRequest (token)",
        client
            .config()
            .prepare_access_token(SystemClock.now())
            .expect("prepare")
    );

    // The simulator: handle, info and state.
    renders!(out, "BlockingSimulator", sim);
    renders!(out, "SimulatorInfo", info);
    renders!(out, "StateSnapshot", sim.state());

    let secrets = Secrets::new(&info, &[&token]);
    for (what, text) in &out {
        secrets.assert_absent(what, text);
    }
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_stack_never_shows_secrets() {
    let (sim, info, _) = start_async().await;
    let client = reqwest_client_within(&info, Duration::from_millis(300));
    let token = client.access_token().await.expect("token");
    let mut out = Vec::new();
    let order = format!("secrets-async-{}", SystemClock.now_unix_millis());
    let generated = client
        .qris_generate(&qris_generate(&info, &order, "10000.00"))
        .await
        .expect("generate");
    let reference_no = generated.reference_no.expect("referenceNo");
    sim.pay_qris(&reference_no).await.expect("pay");
    sim.set_fault(Fault::drop_after(REFUND).times(1)).expect("fault");
    let unknown = client
        .qris_refund(&qris_refund(
            &info,
            &reference_no,
            &order,
            "secrets-async-r1",
            "10000.00",
        ))
        .await
        .unwrap_err();
    assert!(unknown.is_outcome_unknown(), "{unknown:?}");
    renders!(out, "ClientError::OutcomeUnknown", unknown, display);
    renders!(out, "AsyncClient", client);
    renders!(out, "SimulatorHandle", sim);
    let secrets = Secrets::new(&info, &[&token]);
    for (what, text) in &out {
        secrets.assert_absent(what, text);
    }
    sim.shutdown().await;
}

/// A token endpoint answering a shape the client cannot decode: the error must not carry the
/// token it could not parse into its text.
#[test]
fn undecodable_token_response_does_not_show_the_token() {
    let body = br#"{"responseCode":"2007300","responseMessage":"Successful","accessToken":"LEAKY-TOKEN-VALUE-123","tokenType":"Bearer","expiresIn":{"seconds":900}}"#;
    let transport = move |_: &nicepay_snap::PreparedRequest| -> Result<RawResponse, TransportError> {
        Ok(RawResponse::new(200, Vec::new(), body.to_vec()))
    };
    let config = Config::builder()
        .client_id("IONPAYTEST")
        .client_secret("client-secret-never-shown")
        .private_key_text(include_str!("../../../tests/keys/merchant-test-private-pkcs8.pem"))
        .base_url("http://127.0.0.1:9")
        .build()
        .expect("config");
    let client = Client::new(config, transport).with_options(ClientOptions::default());
    let err = client.access_token().unwrap_err();
    let display = format!("{err}");
    assert!(!display.contains("LEAKY-TOKEN-VALUE-123"), "{display}");
    assert!(!display.contains("client-secret-never-shown"), "{display}");
    let debug = format!("{err:?}");
    assert!(!debug.contains("LEAKY-TOKEN-VALUE-123"), "{debug}");
}
