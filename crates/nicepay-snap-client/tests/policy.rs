//! Client behaviour against scripted in-process transports (no sockets): token caching and
//! expiry, single-flight refresh, the `401xx01` retry, connect resends and unknown outcomes.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use nicepay_snap::api::qris::{QrisRefundAdditionalInfo, QrisRefundRequest};
use nicepay_snap::{Amount, PreparedRequest, RawResponse, TransportError, TransportErrorKind};
mod common;

use common::{config, query, token_reply, QUERY_OK};
use nicepay_snap_client::{AsyncClient, Client, ClientError, ClientOptions, Clock, Exchange, ACCESS_TOKEN_OPERATION};

#[derive(Debug, Default)]
struct FakeClock(AtomicU64);

impl Clock for FakeClock {
    fn now_unix_millis(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

fn json(status: u16, body: &str) -> Result<RawResponse, TransportError> {
    Ok(RawResponse::new(status, vec![], body.as_bytes().to_vec()))
}

type Reply = Result<RawResponse, TransportError>;
type Canned = Box<dyn Fn() -> Reply + Send + Sync>;
type Script = Arc<dyn Fn(usize, &PreparedRequest) -> Reply + Send + Sync>;

/// A scripted server: token calls are answered by `token_reply`, other calls by `script`.
#[derive(Clone)]
struct Fake {
    tokens: Arc<AtomicUsize>,
    calls: Arc<Mutex<Vec<PreparedRequest>>>,
    script: Script,
}

impl Fake {
    fn new(
        script: impl Fn(usize, &PreparedRequest) -> Result<RawResponse, TransportError> + Send + Sync + 'static,
    ) -> Self {
        Self {
            tokens: Arc::default(),
            calls: Arc::default(),
            script: Arc::new(script),
        }
    }

    /// A server answering every non-token call with `status` and `body`.
    fn answering(status: u16, body: &'static str) -> Self {
        Self::new(move |_, _| json(status, body))
    }

    fn handle(&self, req: &PreparedRequest) -> Result<RawResponse, TransportError> {
        if req.path == "/v1.0/access-token/b2b" {
            let n = self.tokens.fetch_add(1, Ordering::SeqCst) + 1;
            std::thread::sleep(std::time::Duration::from_millis(20));
            return Ok(token_reply(n));
        }
        let mut calls = self.calls.lock().unwrap();
        calls.push(req.clone());
        let n = calls.len();
        drop(calls);
        (self.script)(n, req)
    }

    fn transport(&self) -> impl Fn(&PreparedRequest) -> Result<RawResponse, TransportError> + Send + Sync {
        let me = self.clone();
        move |req| me.handle(req)
    }
}

impl nicepay_snap::AsyncTransport for Fake {
    async fn send(&self, req: &PreparedRequest) -> Result<RawResponse, TransportError> {
        self.handle(req)
    }
}

fn refund() -> QrisRefundRequest {
    QrisRefundRequest {
        original_reference_no: "IONPAYTEST00000000000000000001".into(),
        original_partner_reference_no: "order-1".into(),
        partner_refund_no: "refund-1".into(),
        merchant_id: "IONPAYTEST".into(),
        external_store_id: "NICEPAY".into(),
        refund_amount: Amount::idr("1000.00").unwrap(),
        reason: "test".into(),
        additional_info: QrisRefundAdditionalInfo::default(),
    }
}

fn fast() -> ClientOptions {
    ClientOptions {
        connect_retry_backoff: std::time::Duration::from_millis(1),
        ..ClientOptions::default()
    }
}

#[test]
fn token_is_cached_and_refreshed_before_expiry() {
    let fake = Fake::answering(200, QUERY_OK);
    let clock = Arc::new(FakeClock(AtomicU64::new(1_764_000_000_000)));
    let client = Client::new(config(), fake.transport()).with_clock(clock.clone());
    for _ in 0..5 {
        client.qris_query(&query()).unwrap();
    }
    assert_eq!(fake.tokens.load(Ordering::SeqCst), 1);
    // 900 s lifetime, 60 s margin: still cached at +839 s, refreshed at +840 s.
    clock.0.fetch_add(839_000, Ordering::SeqCst);
    client.qris_query(&query()).unwrap();
    assert_eq!(fake.tokens.load(Ordering::SeqCst), 1);
    clock.0.fetch_add(1_000, Ordering::SeqCst);
    client.qris_query(&query()).unwrap();
    assert_eq!(fake.tokens.load(Ordering::SeqCst), 2);
    let calls = fake.calls.lock().unwrap();
    assert_eq!(calls.last().unwrap().header("Authorization"), Some("Bearer TOKEN2"));
    // Every request has its own external id.
    let mut ids: Vec<_> = calls
        .iter()
        .map(|c| c.header("X-EXTERNAL-ID").unwrap().to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), calls.len());
}

#[test]
fn concurrent_callers_share_one_token_refresh() {
    let fake = Fake::answering(200, QUERY_OK);
    let client = Arc::new(Client::new(config(), fake.transport()));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let c = client.clone();
            std::thread::spawn(move || c.qris_query(&query()).unwrap())
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(fake.tokens.load(Ordering::SeqCst), 1);
}

#[test]
fn access_token_invalid_is_retried_once_with_a_fresh_token_and_new_external_id() {
    let fake = Fake::new(|n, _| {
        if n == 1 {
            json(
                401,
                r#"{"responseCode":"4015101","responseMessage":"Access Token Invalid"}"#,
            )
        } else {
            json(200, QUERY_OK)
        }
    });
    let client = Client::new(config(), fake.transport());
    client.qris_query(&query()).unwrap();
    assert_eq!(fake.tokens.load(Ordering::SeqCst), 2);
    let calls = fake.calls.lock().unwrap();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].header("Authorization"), Some("Bearer TOKEN1"));
    assert_eq!(calls[1].header("Authorization"), Some("Bearer TOKEN2"));
    assert_ne!(calls[0].header("X-EXTERNAL-ID"), calls[1].header("X-EXTERNAL-ID"));
    assert_eq!(calls[0].body, calls[1].body);

    // A second 401xx01 in a row is returned, not looped on.
    let always = Fake::answering(
        401,
        r#"{"responseCode":"4015101","responseMessage":"Access Token Invalid"}"#,
    );
    let client = Client::new(config(), always.transport());
    let err = client.qris_query(&query()).unwrap_err();
    assert_eq!(err.response_code().unwrap().as_str(), "4015101");
    assert_eq!(always.calls.lock().unwrap().len(), 2);
}

#[test]
fn undelivered_requests_are_resent_byte_identical() {
    let fake = Fake::new(|n, _| {
        if n == 1 {
            Err(TransportError::new(TransportErrorKind::Connect, "connection refused"))
        } else {
            json(200, r#"{"responseCode":"2007800","responseMessage":"Successful"}"#)
        }
    });
    let client = Client::new(config(), fake.transport()).with_options(fast());
    client.qris_refund(&refund()).unwrap();
    let calls = fake.calls.lock().unwrap();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0], calls[1], "same bytes, same headers, same identity");
}

#[test]
fn money_moving_calls_report_unknown_outcomes_and_are_never_replayed() {
    let cases: Vec<(&str, Canned)> = vec![
        (
            "timeout",
            Box::new(|| Err(TransportError::new(TransportErrorKind::Timeout, "read timed out"))),
        ),
        (
            "dropped",
            Box::new(|| Err(TransportError::new(TransportErrorKind::Io, "connection reset"))),
        ),
        (
            "500",
            Box::new(|| json(500, r#"{"responseCode":"5007800","responseMessage":"General Error"}"#)),
        ),
        (
            "504",
            Box::new(|| json(504, r#"{"responseCode":"5047800","responseMessage":"Request Timeout"}"#)),
        ),
        (
            "202",
            Box::new(|| {
                json(
                    202,
                    r#"{"responseCode":"2027800","responseMessage":"Request In Progress"}"#,
                )
            }),
        ),
        ("502 html", Box::new(|| json(502, "<html>Bad Gateway</html>"))),
        (
            "200 garbled",
            Box::new(|| json(200, "{\"responseCode\":\"2007800\",\"refundAmount\":7}")),
        ),
    ];
    for (name, reply) in cases {
        let fake = Fake::new(move |_, _| reply());
        let client = Client::new(config(), fake.transport()).with_options(fast());
        match client.qris_refund(&refund()) {
            Err(ClientError::OutcomeUnknown {
                operation,
                identifiers,
                external_id,
                ..
            }) => {
                assert_eq!(operation, "qris.refund");
                assert!(
                    identifiers.contains(&("partnerRefundNo".to_owned(), "refund-1".to_owned())),
                    "{name}"
                );
                assert!(identifiers.contains(&(
                    "originalReferenceNo".to_owned(),
                    "IONPAYTEST00000000000000000001".to_owned()
                )));
                let calls = fake.calls.lock().unwrap();
                assert_eq!(calls.len(), 1, "{name}: a money-moving call is sent once");
                assert_eq!(calls[0].header("X-EXTERNAL-ID"), Some(external_id.as_str()));
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn non_money_calls_and_rejections_keep_their_own_errors() {
    let fake = Fake::new(|_, _| Err(TransportError::new(TransportErrorKind::Timeout, "slow")));
    let client = Client::new(config(), fake.transport());
    assert!(matches!(client.qris_query(&query()), Err(ClientError::Transport(_))));

    let fake = Fake::answering(
        403,
        r#"{"responseCode":"4037815","responseMessage":"Transaction Not Permitted"}"#,
    );
    let client = Client::new(config(), fake.transport());
    let err = client.qris_refund(&refund()).unwrap_err();
    assert!(
        matches!(err, ClientError::Snap(nicepay_snap::Error::Api { .. })),
        "{err:?}"
    );
    assert_eq!(err.response_code().unwrap().as_str(), "4037815");

    // Invalid input never reaches the transport.
    let fake = Fake::new(|_, _| unreachable!("nothing is sent"));
    let client = Client::new(config(), fake.transport());
    let mut bad = refund();
    bad.partner_refund_no.clear();
    assert!(matches!(
        client.qris_refund(&bad),
        Err(ClientError::Snap(nicepay_snap::Error::InvalidInput { .. }))
    ));
}

#[test]
fn errors_and_debug_never_show_secrets() {
    let fake = Fake::new(|_, _| Err(TransportError::new(TransportErrorKind::Timeout, "slow")));
    let client = Client::new(config(), fake.transport()).with_options(fast());
    let err = client.qris_refund(&refund()).unwrap_err();
    client.access_token().unwrap();
    for text in [format!("{err}"), format!("{err:?}"), format!("{:?}", client.config())] {
        assert!(!text.contains("TOKEN1"), "{text}");
        assert!(!text.contains("secret\""), "{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_client_has_the_same_policy() {
    let fake = Fake::new(|n, _| match n {
        1 => json(
            401,
            r#"{"responseCode":"4015101","responseMessage":"Access Token Invalid"}"#,
        ),
        2 => json(200, QUERY_OK),
        _ => Err(TransportError::new(TransportErrorKind::Timeout, "slow")),
    });
    let client = Arc::new(AsyncClient::new(config(), fake.clone()).with_options(fast()));
    client.qris_query(&query()).await.unwrap();
    assert_eq!(fake.tokens.load(Ordering::SeqCst), 2);
    assert!(client.qris_refund(&refund()).await.unwrap_err().is_outcome_unknown());
    // Single-flight across tasks.
    let fresh = Fake::answering(200, QUERY_OK);
    let client = Arc::new(AsyncClient::new(config(), fresh.clone()));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let c = client.clone();
            tokio::spawn(async move { c.qris_query(&query()).await.unwrap() })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(fresh.tokens.load(Ordering::SeqCst), 1);
}

#[test]
fn execute_json_dispatches_by_name_and_validates_shape() {
    let fake = Fake::new(|_, req| {
        assert_eq!(req.path, "/api/v1.0/transfer-va/delete-va");
        assert_eq!(req.method, nicepay_snap::Method::Delete);
        json(
            200,
            r#"{"responseCode":"2003100","responseMessage":"Successful","virtualAccountData":{"virtualAccountNo":"99123"}}"#,
        )
    });
    let client = Client::new(config(), fake.transport());
    let request = serde_json::json!({
        "partnerServiceId": "", "customerNo": "", "virtualAccountNo": "99123", "trxId": "ord-1",
        "additionalInfo": {"totalAmount": {"value": "10000.00", "currency": "IDR"}, "tXidVA": "IONPAYTEST0001", "cancelMessage": "cancel"}
    });
    let out = client.execute_json("va.delete", request.clone()).unwrap();
    assert_eq!(out["responseCode"], "2003100");
    assert_eq!(out["virtualAccountData"]["virtualAccountNo"], "99123");
    let field = |e: ClientError| match e {
        ClientError::Snap(nicepay_snap::Error::InvalidInput { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    assert_eq!(field(client.execute_json("va.nope", request).unwrap_err()), "operation");
    assert_eq!(
        field(
            client
                .execute_json("va.delete", serde_json::json!({"trxId": 1}))
                .unwrap_err()
        ),
        "request"
    );
    assert_eq!(fake.calls.lock().unwrap().len(), 1);
}

#[test]
fn ten_megabyte_operation_name_or_request_value_gives_a_short_message() {
    let fake = Fake::new(|_, _| panic!("nothing is sent"));
    let client = Client::new(config(), fake.transport());
    let ten_mb = 10 * 1024 * 1024;
    let name = "o".repeat(ten_mb);
    // A string where an object belongs: serde's message quotes the string.
    let value = serde_json::json!({"additionalInfo": "s".repeat(ten_mb)});
    for err in [
        client.execute_json(&name, serde_json::json!({})).unwrap_err(),
        client.execute_json("va.delete", value).unwrap_err(),
    ] {
        let message = err.to_string();
        assert!(message.len() < 1024, "{} bytes: {}", message.len(), &message[..1024]);
        assert!(message.contains("… ("), "{message}");
    }
    assert!(fake.calls.lock().unwrap().is_empty());
}

/// Collects what the clients report to `on_exchange`.
fn observed() -> (ClientOptions, Arc<Mutex<Vec<Exchange>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let options = ClientOptions {
        on_exchange: Some(Arc::new(move |e: &Exchange| sink.lock().unwrap().push(e.clone()))),
        ..fast()
    };
    (options, seen)
}

/// `(operation, attempt, http_status, response_code, transport_error)` of each exchange.
type Summary = (
    &'static str,
    u32,
    Option<u16>,
    Option<String>,
    Option<TransportErrorKind>,
);

fn summary(seen: &Mutex<Vec<Exchange>>) -> Vec<Summary> {
    seen.lock()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e.operation,
                e.attempt,
                e.http_status,
                e.response_code.clone(),
                e.transport_error,
            )
        })
        .collect()
}

/// Token fetch, a `401xx01` answer (new token, new request), a refused connection (same bytes
/// resent as attempt 2), then success; a refund that times out is reported before it becomes an
/// unknown outcome.
fn script_for_observer(n: usize, _: &PreparedRequest) -> Reply {
    match n {
        1 => json(
            401,
            r#"{"responseCode":"4015101","responseMessage":"Access Token Invalid"}"#,
        ),
        2 => Err(TransportError::new(TransportErrorKind::Connect, "connection refused")),
        3 => json(200, QUERY_OK),
        _ => Err(TransportError::new(TransportErrorKind::Timeout, "read timed out")),
    }
}

fn expected_exchanges() -> Vec<Summary> {
    let code = |c: &str| Some(c.to_owned());
    vec![
        (ACCESS_TOKEN_OPERATION, 1, Some(200), code("2007300"), None),
        ("qris.query", 1, Some(401), code("4015101"), None),
        (ACCESS_TOKEN_OPERATION, 1, Some(200), code("2007300"), None),
        ("qris.query", 1, None, None, Some(TransportErrorKind::Connect)),
        ("qris.query", 2, Some(200), code("2005100"), None),
        ("qris.refund", 1, None, None, Some(TransportErrorKind::Timeout)),
    ]
}

fn check_exchange_details(seen: &Mutex<Vec<Exchange>>) {
    let seen = seen.lock().unwrap();
    // Resends repeat the same bytes, so the same X-EXTERNAL-ID; a new request gets a new one.
    assert_eq!(seen[3].external_id, seen[4].external_id);
    assert_ne!(seen[1].external_id, seen[3].external_id);
    assert!(seen[1].external_id.as_ref().is_some_and(|id| !id.is_empty()));
    assert_eq!(seen[0].external_id, None, "the token request has no X-EXTERNAL-ID");
    assert_eq!(seen[0].path, "/v1.0/access-token/b2b");
    assert_eq!(seen[4].path, "/api/v1.0/qr/qr-mpm-query");
    let debug = format!("{seen:?}");
    for secret in ["TOKEN1", "TOKEN2", "secret", "Bearer"] {
        assert!(!debug.contains(secret), "{secret} in {debug}");
    }
}

#[test]
fn blocking_client_reports_every_exchange_without_secrets() {
    let fake = Fake::new(script_for_observer);
    let (options, seen) = observed();
    let client = Client::new(config(), fake.transport()).with_options(options);
    client.qris_query(&query()).unwrap();
    assert!(matches!(
        client.qris_refund(&refund()),
        Err(ClientError::OutcomeUnknown { .. })
    ));
    assert_eq!(summary(&seen), expected_exchanges());
    check_exchange_details(&seen);
}

#[tokio::test]
async fn async_client_reports_every_exchange_without_secrets() {
    let fake = Fake::new(script_for_observer);
    let (options, seen) = observed();
    let client = AsyncClient::new(config(), fake).with_options(options);
    client.qris_query(&query()).await.unwrap();
    assert!(matches!(
        client.qris_refund(&refund()).await,
        Err(ClientError::OutcomeUnknown { .. })
    ));
    assert_eq!(summary(&seen), expected_exchanges());
    check_exchange_details(&seen);
}

#[test]
fn client_options_debug_names_the_observer_without_calling_it() {
    let (options, seen) = observed();
    let debug = format!("{options:?}");
    assert!(debug.contains("on_exchange: Some(\"<observer>\")"), "{debug}");
    assert!(seen.lock().unwrap().is_empty());
}

/// Answers token requests at once and everything else after `delay`, counting the sends that
/// ran to completion.
#[derive(Clone, Default)]
struct Slow {
    delay: std::time::Duration,
    completed: Arc<AtomicUsize>,
}

impl nicepay_snap::AsyncTransport for Slow {
    async fn send(&self, req: &PreparedRequest) -> Reply {
        if req.path == "/v1.0/access-token/b2b" {
            return Ok(token_reply(1));
        }
        tokio::time::sleep(self.delay).await;
        self.completed.fetch_add(1, Ordering::SeqCst);
        json(200, r#"{"responseCode":"2007800","responseMessage":"Successful"}"#)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_whose_caller_stops_waiting_still_completes_and_is_reported() {
    use std::time::Duration;
    let slow = Slow {
        delay: Duration::from_millis(200),
        ..Slow::default()
    };
    let (options, seen) = observed();
    let client = AsyncClient::new(config(), slow.clone()).with_options(options);
    client.access_token().await.unwrap();

    // The caller gives up while the refund is in flight (an outer timeout, a cancelled task).
    let cut = tokio::time::timeout(Duration::from_millis(50), client.qris_refund(&refund())).await;
    assert!(cut.is_err(), "the caller stopped waiting");
    for _ in 0..100 {
        if seen.lock().unwrap().len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // The send went on without the caller, and its outcome reached the observer.
    assert_eq!(slow.completed.load(Ordering::SeqCst), 1);
    let code = |c: &str| Some(c.to_owned());
    assert_eq!(
        summary(&seen),
        vec![
            (ACCESS_TOKEN_OPERATION, 1, Some(200), code("2007300"), None),
            ("qris.refund", 1, Some(200), code("2007800"), None),
        ]
    );

    // A call that moves no money is not detached: giving up on it drops its request.
    let cut = tokio::time::timeout(Duration::from_millis(50), client.qris_query(&query())).await;
    assert!(cut.is_err());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        slow.completed.load(Ordering::SeqCst),
        1,
        "the dropped query never completed"
    );
    assert_eq!(seen.lock().unwrap().len(), 2);
}

mod exchange_properties {
    //! Whatever the transport answers, the observer sees every send exactly once, in order.
    use super::*;
    use proptest::prelude::*;

    /// One scripted answer to a non-token request.
    #[derive(Debug, Clone, Copy)]
    enum Answer {
        Ok,
        TokenInvalid,
        Refused,
        Timeout,
        ServerError,
    }

    fn reply(answer: Answer) -> Reply {
        match answer {
            Answer::Ok => json(200, QUERY_OK),
            Answer::TokenInvalid => json(
                401,
                r#"{"responseCode":"4015101","responseMessage":"Access Token Invalid"}"#,
            ),
            Answer::Refused => Err(TransportError::new(TransportErrorKind::Connect, "refused")),
            Answer::Timeout => Err(TransportError::new(TransportErrorKind::Timeout, "timed out")),
            Answer::ServerError => json(500, r#"{"responseCode":"5005100","responseMessage":"General Error"}"#),
        }
    }

    fn answer() -> impl Strategy<Value = Answer> {
        prop_oneof![
            Just(Answer::Ok),
            Just(Answer::TokenInvalid),
            Just(Answer::Refused),
            Just(Answer::Timeout),
            Just(Answer::ServerError),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn every_send_is_reported_once_in_order(
            answers in proptest::collection::vec(answer(), 1..12),
            retries in 0u32..3,
        ) {
            // Every send the transport sees, token requests included: (path, X-EXTERNAL-ID).
            let sends = Arc::new(Mutex::new(Vec::<(String, Option<String>)>::new()));
            let log = Arc::clone(&sends);
            let script = answers.clone();
            let transport = move |req: &PreparedRequest| -> Reply {
                let mut log = log.lock().unwrap();
                log.push((req.path.to_string(), req.header("X-EXTERNAL-ID").map(str::to_owned)));
                if req.path == "/v1.0/access-token/b2b" {
                    return Ok(token_reply(log.len()));
                }
                let n = log.iter().filter(|(p, _)| p != "/v1.0/access-token/b2b").count();
                reply(script.get(n - 1).copied().unwrap_or(Answer::Ok))
            };
            let (mut options, seen) = observed();
            options.connect_retries = retries;
            let client = Client::new(config(), transport).with_options(options);
            for _ in 0..answers.len() {
                let _ = client.qris_query(&query());
            }
            let seen = seen.lock().unwrap();
            let sends = sends.lock().unwrap();
            let reported: Vec<(String, Option<String>)> =
                seen.iter().map(|e| (e.path.clone(), e.external_id.clone())).collect();
            prop_assert_eq!(&reported, &*sends);
            // Attempts count the byte-identical resends of one prepared request.
            for (i, e) in seen.iter().enumerate() {
                let resend = i > 0 && seen[i - 1].operation == e.operation
                    && seen[i - 1].external_id == e.external_id
                    && seen[i - 1].transport_error == Some(TransportErrorKind::Connect);
                let expected = if resend { seen[i - 1].attempt + 1 } else { 1 };
                prop_assert_eq!(e.attempt, expected, "exchange {}: {:?}", i, e);
                prop_assert!(e.attempt <= retries + 1);
                prop_assert_eq!(e.http_status.is_some(), e.transport_error.is_none());
            }
        }
    }
}
