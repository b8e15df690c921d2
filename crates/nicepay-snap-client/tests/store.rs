//! The state store with real components: the simulator on 127.0.0.1, SQLite files, a
//! `redis-server` started here on a free loopback port (`scripts/test.sh` installs it when it is
//! missing; without it the Redis tests say so and pass only when `NICEPAY_REQUIRE_REDIS` is
//! unset), and OS processes: this test binary run again as a child (see [`child_process`]).
//!
//! `NICEPAY_KILL_POINTS` (default 100) sets how many refunds the crash test kills in flight, and
//! `NICEPAY_KILL_SEED` replays one run's kill times (each run prints its seed).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nicepay_snap::api::qris::QrisNotification;
use nicepay_snap_client::{Client, ClientError, ClientOptions, Clock, JournalState, Store, SystemClock};
use nicepay_snap_simulator::{BlockingSimulator, Fault, Simulator, SimulatorInfo};
use nicepay_snap_ureq::UreqTransport;

#[path = "common/sim.rs"]
mod sim;
use sim::{config, paid_qr, qris_generate, qris_refund, start_blocking, unique, Inbox, Received};

const REFUND: &str = "/api/v1.0/qr/qr-mpm-refund";
/// Set in a child process: its role.
const CHILD: &str = "NICEPAY_STORE_CHILD";

/// A blocking client on `store`.
fn client_on(info: &SimulatorInfo, store: &Store) -> Client<UreqTransport> {
    sim::ureq_client(info).with_options(ClientOptions::default().store(store.clone()))
}

/// A new SQLite store URL in the temp directory, with `grace` seconds of in-flight grace.
fn sqlite_url(grace: f64) -> (String, PathBuf) {
    let path = std::env::temp_dir().join(format!("{}.db", unique("nicepay-store")));
    (format!("sqlite://{}?grace={grace}", path.display()), path)
}

/// A QRIS payment of `value` whose notification reached an inbox.
fn paid_notification(sim: &BlockingSimulator, value: &str) -> Received {
    let info = sim.info();
    let inbox = Inbox::start("2005200");
    let mut req = qris_generate(info, &unique("order"), value);
    req.additional_info.db_process_url = Some(inbox.url.clone());
    let client = sim::ureq_client(info);
    let reference_no = client.qris_generate(&req).unwrap().reference_no.unwrap();
    sim.pay_qris(&reference_no).unwrap();
    inbox.next()
}

/// The refunded amount and number of refunds of a QRIS payment, as the simulator booked them.
fn refunds_of(sim: &BlockingSimulator, reference_no: &str) -> (String, usize) {
    let state = sim.state();
    let qr = state.qris.iter().find(|q| q.reference_no == reference_no).unwrap();
    (qr.refunded_amount.clone(), qr.refunds.len())
}

// ---------------------------------------------------------------------------------------------
// redis-server on a free loopback port

/// A `redis-server` child without persistence, stopped on drop.
struct RedisServer {
    child: Option<Child>,
    port: u16,
    /// `requirepass`, if any.
    password: Option<&'static str>,
}

impl RedisServer {
    /// Starts one on a free port; `None` (after saying why) when `redis-server` is not installed
    /// and `NICEPAY_REQUIRE_REDIS` is unset.
    fn start() -> Option<Self> {
        Self::start_with(None)
    }

    /// Starts one that requires `password`.
    fn start_with(password: Option<&'static str>) -> Option<Self> {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut server = Self {
            child: None,
            port,
            password,
        };
        match server.spawn() {
            Ok(()) => Some(server),
            Err(e) if std::env::var_os("NICEPAY_REQUIRE_REDIS").is_none() => {
                eprintln!("SKIPPED: redis-server cannot start ({e}); scripts/test.sh installs it");
                None
            }
            Err(e) => panic!("redis-server cannot start: {e}"),
        }
    }

    fn spawn(&mut self) -> std::io::Result<()> {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .args(self.password.map(|p| ["--requirepass", p]).into_iter().flatten())
            .stdout(Stdio::null())
            .spawn()?;
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) {
                let mut pong = [0u8; 7];
                // A server with a password answers `-NOAUTH`: up, too.
                if s.write_all(b"PING\r\n").is_ok()
                    && s.read_exact(&mut pong).is_ok()
                    && matches!(&pong, b"+PONG\r\n" | b"-NOAUTH")
                {
                    return Ok(());
                }
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(std::io::Error::other("redis-server did not answer PING"))
    }

    fn url(&self) -> String {
        let auth = self.password.map(|p| format!(":{p}@")).unwrap_or_default();
        format!("redis://{auth}127.0.0.1:{}/0", self.port)
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

// ---------------------------------------------------------------------------------------------
// child processes

/// This test binary, run as a child in `role` with `env`.
fn spawn_child(role: &str, info: &SimulatorInfo, store: &str, env: &[(&str, String)]) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "child_process",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, role)
        .env("NICEPAY_CHILD_INFO", info.to_json_line())
        .env("NICEPAY_CHILD_STORE", store)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// The `RESULT ...` line a child printed (after waiting for it to end), checking it succeeded.
fn child_result(child: Child) -> String {
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "child failed: {text}");
    text.lines()
        .find_map(|l| l.split_once("RESULT ").map(|(_, r)| r))
        .unwrap_or_else(|| panic!("no RESULT line in: {text}"))
        .to_owned()
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is set for a child"))
}

/// The body of every child process: does its role's work on the store it is given and prints
/// one `RESULT` line. Ignored when the suite runs; the multi-process tests run it.
#[test]
#[ignore = "runs as a child process of the multi-process tests"]
fn child_process() {
    let role = env(CHILD);
    let info: SimulatorInfo = serde_json::from_str(&env("NICEPAY_CHILD_INFO")).unwrap();
    let store = match env("NICEPAY_CHILD_STORE").as_str() {
        "" => Store::memory(),
        url => Store::open(url).unwrap(),
    };
    let client = client_on(&info, &store);
    match role.as_str() {
        // A mixed load: generate, query, and a (refused: unpaid) refund, journalled.
        "load" => {
            let calls: usize = env("NICEPAY_CHILD_CALLS").parse().unwrap();
            for i in 0..calls {
                // Ids unique across the eight processes.
                let order = unique(&format!("l{}", std::process::id()));
                let generated = client.qris_generate(&qris_generate(&info, &order, "1000.00")).unwrap();
                let reference_no = generated.reference_no.unwrap();
                client
                    .qris_query(&sim::qris_query(&info, &reference_no, &order))
                    .unwrap();
                if i % 3 == 0 {
                    let refund_no = unique(&format!("r{}", std::process::id()));
                    let refund = qris_refund(&info, &reference_no, &order, &refund_no, "1000.00");
                    let refused = client.qris_refund(&refund).unwrap_err();
                    assert_eq!(refused.response_code().unwrap().http_status(), 403, "{refused}");
                }
            }
            println!("RESULT ok");
        }
        // One refund, announced once the client is ready (token in hand): killed in flight.
        "refund" => {
            let (reference_no, order) = (env("NICEPAY_CHILD_REF"), env("NICEPAY_CHILD_ORDER"));
            let refund = qris_refund(
                &info,
                &reference_no,
                &order,
                &env("NICEPAY_CHILD_REFUND_NO"),
                "10000.00",
            );
            client.access_token().unwrap();
            println!("READY");
            std::io::stdout().flush().unwrap();
            std::io::stdin().read_line(&mut String::new()).unwrap();
            let result = client.qris_refund(&refund);
            println!("RESULT {}", if result.is_ok() { "refunded" } else { "failed" });
        }
        // The same notification confirmed five times.
        "dedupe" => {
            let headers: Vec<(String, String)> = serde_json::from_str(&env("NICEPAY_CHILD_HEADERS")).unwrap();
            let body = env("NICEPAY_CHILD_BODY");
            let fresh = (0..5)
                .filter(|_| {
                    let c = client
                        .verify_and_confirm::<QrisNotification>(&headers, body.as_bytes())
                        .unwrap();
                    assert!(c.paid);
                    !c.duplicate
                })
                .count();
            println!("RESULT {fresh}");
        }
        other => panic!("unknown child role {other}"),
    }
}

// ---------------------------------------------------------------------------------------------
// dedupe

#[test]
fn a_repeated_notification_is_a_duplicate_on_the_same_store_only() {
    let (sim, info, _) = start_blocking();
    let (headers, body) = paid_notification(&sim, "15000.00");
    let store = Store::memory();
    let first = client_on(&info, &store);
    // A forged body (edited amount) is not paid, and is not recorded: the genuine notification
    // that follows is not a repeat of it.
    let forged = String::from_utf8_lossy(&body).replace("15000.00", "99999.00");
    let forged = first.verify_and_confirm::<QrisNotification>(&headers, forged.as_bytes());
    let forged = forged.unwrap();
    assert!(!forged.paid && !forged.duplicate);
    let confirmed = first.verify_and_confirm::<QrisNotification>(&headers, &body).unwrap();
    assert!(confirmed.paid && !confirmed.duplicate);
    // Delivered again: to the same client, to another client on the same store, as JSON.
    let again = first.verify_and_confirm::<QrisNotification>(&headers, &body).unwrap();
    assert!(again.paid && again.duplicate);
    let sibling = client_on(&info, &store);
    let json = sibling
        .verify_and_confirm_json("qris".parse().unwrap(), &headers, &body)
        .unwrap();
    assert_eq!(
        (json["paid"].as_bool(), json["duplicate"].as_bool()),
        (Some(true), Some(true))
    );
    // A client with a store of its own (the default) has not seen it.
    let stranger = Client::new(config(&info), UreqTransport::default());
    let fresh = stranger
        .verify_and_confirm::<QrisNotification>(&headers, &body)
        .unwrap();
    assert!(fresh.paid && !fresh.duplicate);
    // Another payment is not a repeat.
    let (headers2, body2) = paid_notification(&sim, "15000.00");
    let other = first.verify_and_confirm::<QrisNotification>(&headers2, &body2).unwrap();
    assert!(other.paid && !other.duplicate);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_async_client_reports_duplicates_too() {
    let (sim, info, client) = sim::start_async().await;
    let inbox = Inbox::start("2005200");
    let mut req = qris_generate(&info, &unique("order"), "2500.00");
    req.additional_info.db_process_url = Some(inbox.url.clone());
    let reference_no = client.qris_generate(&req).await.unwrap().reference_no.unwrap();
    sim.pay_qris(&reference_no).await.unwrap();
    let (headers, body) = tokio::task::spawn_blocking(move || inbox.next()).await.unwrap();
    let first = client
        .verify_and_confirm::<QrisNotification>(&headers, &body)
        .await
        .unwrap();
    assert!(first.paid && !first.duplicate);
    let again = client
        .verify_and_confirm::<QrisNotification>(&headers, &body)
        .await
        .unwrap();
    assert!(again.paid && again.duplicate);
}

/// One notification, delivered five times to each of three processes on `store`: processed once.
fn five_deliveries_to_three_processes(sim: &BlockingSimulator, store: &str) {
    let (headers, body) = paid_notification(sim, "7000.00");
    let env = [
        ("NICEPAY_CHILD_HEADERS", serde_json::to_string(&headers).unwrap()),
        ("NICEPAY_CHILD_BODY", String::from_utf8(body).unwrap()),
    ];
    let children: Vec<Child> = (0..3).map(|_| spawn_child("dedupe", sim.info(), store, &env)).collect();
    let fresh: usize = children
        .into_iter()
        .map(|c| child_result(c).parse::<usize>().unwrap())
        .sum();
    assert_eq!(fresh, 1, "processed once across 3 processes x 5 deliveries on {store}");
}

#[test]
fn a_notification_delivered_to_three_processes_is_processed_once() {
    let (sim, _, _) = start_blocking();
    let (url, path) = sqlite_url(120.0);
    five_deliveries_to_three_processes(&sim, &url);
    let _ = std::fs::remove_file(path);
    if let Some(redis) = RedisServer::start() {
        five_deliveries_to_three_processes(&sim, &redis.url());
    }
    // Without a shared store, each process processes it once.
    let (headers, body) = paid_notification(&sim, "7000.00");
    let env = [
        ("NICEPAY_CHILD_HEADERS", serde_json::to_string(&headers).unwrap()),
        ("NICEPAY_CHILD_BODY", String::from_utf8(body).unwrap()),
    ];
    let children: Vec<Child> = (0..3).map(|_| spawn_child("dedupe", sim.info(), "", &env)).collect();
    let fresh: usize = children
        .into_iter()
        .map(|c| child_result(c).parse::<usize>().unwrap())
        .sum();
    assert_eq!(fresh, 3);
}

// ---------------------------------------------------------------------------------------------
// shared token

/// Eight processes on `store` run a mixed load twice, with every token expired in between:
/// one token request per token lifetime (the stale shared token is dropped once, on `401xx01`).
fn eight_processes_share_one_token(store: &str) {
    let sim = Simulator::builder().start_blocking().unwrap();
    let info = sim.info().clone();
    for phase in 1..=2u64 {
        let calls = [("NICEPAY_CHILD_CALLS", "12".to_owned())];
        let children: Vec<Child> = (0..8).map(|_| spawn_child("load", &info, store, &calls)).collect();
        for child in children {
            assert_eq!(child_result(child), "ok");
        }
        assert_eq!(
            sim.state().tokens_issued,
            phase,
            "token requests after phase {phase} on {store}"
        );
        // Every refund was refused (an unpaid QR): none is left open, in any process.
        let pending = client_on(&info, &Store::open(store).unwrap())
            .pending_outcomes()
            .unwrap();
        assert!(pending.is_empty(), "{pending:#?}");
        sim.expire_tokens();
    }
}

#[test]
fn eight_processes_on_one_sqlite_file_request_one_token_per_lifetime() {
    let (url, path) = sqlite_url(120.0);
    eight_processes_share_one_token(&url);
    let _ = std::fs::remove_file(path);
}

#[test]
fn eight_processes_on_one_redis_request_one_token_per_lifetime() {
    if let Some(redis) = RedisServer::start() {
        eight_processes_share_one_token(&redis.url());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocking_and_async_clients_share_the_token_through_sqlite() {
    let sim = Simulator::builder().start().await.unwrap();
    let info = sim.info().clone();
    let (url, path) = sqlite_url(120.0);
    let store = Store::open(&url).unwrap();
    let options = ClientOptions::default().store(store.clone());
    let async_client = sim::reqwest_client(&info).with_options(options.clone());
    let token = async_client.access_token().await.unwrap();
    let (info2, url2) = (info.clone(), url.clone());
    // Another store object on the same file, as another process would have.
    let other = tokio::task::spawn_blocking(move || {
        let client = client_on(&info2, &Store::open(&url2).unwrap());
        client.access_token().unwrap()
    })
    .await
    .unwrap();
    assert_eq!(token.expose_secret(), other.expose_secret());
    assert_eq!(sim.state().tokens_issued, 1);
    let _ = std::fs::remove_file(path);
}

// ---------------------------------------------------------------------------------------------
// journal

#[test]
fn unknown_refund_outcomes_are_journalled_and_settled_by_query() {
    let (sim, info, _) = start_blocking();
    let (url, path) = sqlite_url(0.0);
    let store = Store::open(&url).unwrap();
    let client = client_on(&info, &store);
    // Applied behind a 504, and not applied behind a dropped connection.
    let (applied_ref, applied_order) = paid_qr(&sim, &client, "10000.00");
    let (lost_ref, lost_order) = paid_qr(&sim, &client, "10000.00");
    sim.set_fault(Fault::respond_after(REFUND, 504).times(1)).unwrap();
    let applied = qris_refund(&info, &applied_ref, &applied_order, &unique("rf"), "10000.00");
    assert!(client.qris_refund(&applied).unwrap_err().is_outcome_unknown());
    sim.set_fault(Fault::drop_before(REFUND).times(1)).unwrap();
    let lost = qris_refund(&info, &lost_ref, &lost_order, &unique("rf"), "10000.00");
    assert!(client.qris_refund(&lost).unwrap_err().is_outcome_unknown());

    // Another process (another store object on the same file) sees both.
    let other = client_on(&info, &Store::open(&url).unwrap());
    let pending = other.pending_outcomes().unwrap();
    let refund_nos: Vec<&str> = pending
        .iter()
        .map(|e| e.references["partnerRefundNo"].as_str())
        .collect();
    assert_eq!(
        refund_nos,
        [applied.partner_refund_no.as_str(), lost.partner_refund_no.as_str()]
    );
    assert!(pending.iter().all(|e| e.state == JournalState::Unknown
        && e.operation == "qris.refund"
        && e.amount.as_deref() == Some("10000.00")
        && !e.external_id.is_empty()));
    let resolved = other.resolve_pending().unwrap();
    let states: Vec<JournalState> = resolved.iter().map(|e| e.state).collect();
    assert_eq!(
        states,
        [JournalState::Succeeded, JournalState::Refused],
        "{resolved:#?}"
    );
    assert!(client.pending_outcomes().unwrap().is_empty());
    // Resolving sent no refund: the one applied behind the 504 is the only one.
    assert_eq!(refunds_of(&sim, &applied_ref), ("10000.00".into(), 1));
    assert_eq!(refunds_of(&sim, &lost_ref), ("0.00".into(), 0));
    let json = client.journal_json(false).unwrap();
    assert_eq!(json, serde_json::json!([]));
    let _ = std::fs::remove_file(path);
}

#[test]
fn construction_fails_with_typed_errors_that_hide_the_password() {
    let bad = [
        "sqlite://relative.db",
        "sqlite:///",
        "memcached://127.0.0.1",
        "redis://127.0.0.1:6379/0?grace=soon",
    ];
    for url in bad {
        let e = Store::open(url).unwrap_err();
        assert!(
            matches!(e, ClientError::Snap(nicepay_snap::Error::InvalidInput { .. })),
            "{url}: {e}"
        );
    }
    let dir = std::env::temp_dir().join(unique("no-such-dir"));
    let e = Store::open(&format!("sqlite://{}/state.db", dir.display())).unwrap_err();
    assert!(matches!(e, ClientError::Store { backend: "sqlite", .. }), "{e}");
    let closed = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let e = Store::open(&format!("redis://:hunter2@127.0.0.1:{closed}/0")).unwrap_err();
    assert!(matches!(e, ClientError::Store { backend: "redis", .. }), "{e}");
    assert!(!format!("{e} {e:?}").contains("hunter2"), "{e:?}");
    let e = Store::open("redis://:hunter2@/0?nope=1").unwrap_err();
    assert!(!format!("{e} {e:?}").contains("hunter2"), "{e:?}");
    // A store opened with a password never shows it.
    if let Some(redis) = RedisServer::start_with(Some("hunter2")) {
        let store = Store::open(&redis.url()).unwrap();
        let options = ClientOptions::default().store(store.clone());
        assert!(!format!("{store:?} {options:?}").contains("hunter2"), "{store:?}");
        assert!(format!("{store:?}").contains("redis://:***@127.0.0.1"), "{store:?}");
        let wrong = redis.url().replace("hunter2", "hunter3");
        let e = Store::open(&wrong).unwrap_err();
        assert!(!format!("{e} {e:?}").contains("hunter"), "{e:?}");
    }
}

#[test]
fn a_money_call_is_not_sent_while_redis_is_down_and_works_when_it_is_back() {
    let Some(mut redis) = RedisServer::start() else { return };
    let (sim, info, _) = start_blocking();
    let store = Store::open(&redis.url()).unwrap();
    let client = client_on(&info, &store);
    let (first_ref, first_order) = paid_qr(&sim, &client, "10000.00");
    let (second_ref, second_order) = paid_qr(&sim, &client, "10000.00");
    let first = qris_refund(&info, &first_ref, &first_order, &unique("rf"), "10000.00");
    client.qris_refund(&first).unwrap();

    redis.stop();
    let second = qris_refund(&info, &second_ref, &second_order, &unique("rf"), "10000.00");
    for _ in 0..3 {
        let e = client.qris_refund(&second).unwrap_err();
        assert!(matches!(e, ClientError::Store { backend: "redis", .. }), "{e}");
        assert!(client.pending_outcomes().is_err());
    }
    // Nothing was sent without its journal entry.
    assert_eq!(refunds_of(&sim, &second_ref), ("0.00".into(), 0));
    assert!(
        Store::open(&redis.url()).is_err(),
        "an unreachable Redis fails at construction"
    );

    redis.spawn().unwrap();
    client.qris_refund(&second).unwrap();
    assert_eq!(refunds_of(&sim, &second_ref), ("10000.00".into(), 1));
    assert!(client.pending_outcomes().unwrap().is_empty());
}

// ---------------------------------------------------------------------------------------------
// crash test

/// A small deterministic generator (xorshift64*), seeded per run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
    }
}

/// Waits for a `refund` child to be ready, lets it send its refund and kills it `after` that.
fn kill_in_flight(mut child: Child, after: Duration) {
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains("READY") {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0, "the child ended before READY");
    }
    child.stdin.take().unwrap().write_all(b"go\n").unwrap();
    std::thread::sleep(after);
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Refunds killed (SIGKILL) at random points while in flight: the simulator delays each refund
/// by 300 ms, before applying it in half of the batches and after in the others. A new process
/// on the same store finds every interrupted refund in `pending_outcomes`, `resolve_pending`
/// settles it by query, and the merchant re-issues the ones that did not apply: every payment
/// ends refunded exactly once.
#[test]
fn refunds_killed_in_flight_are_never_lost_nor_made_twice() {
    let points: usize = std::env::var("NICEPAY_KILL_POINTS").map_or(100, |v| v.parse().unwrap());
    let seed = std::env::var("NICEPAY_KILL_SEED").map_or(SystemClock.now_unix_millis() | 1, |v| v.parse().unwrap());
    eprintln!("crash test: {points} kill points, NICEPAY_KILL_SEED={seed}");
    let mut rng = Rng(seed);
    let (sim, info, _) = start_blocking();
    // One second of grace: longer than the simulator's delay, so a request still travelling
    // when its process died has arrived before it is settled.
    let (url, path) = sqlite_url(1.0);
    let store = Store::open(&url).unwrap();
    let merchant = client_on(&info, &store);
    let mut outcomes: HashMap<&str, usize> = HashMap::new();
    let batch = 10;
    for (b, start) in (0..points).step_by(batch).enumerate() {
        let fault = if b % 2 == 0 {
            Fault::latency(REFUND, 300)
        } else {
            Fault::delay_after(REFUND, 300)
        };
        sim.clear_faults();
        sim.set_fault(fault).unwrap();
        let runs: Vec<(String, String, String, Child)> = (start..points.min(start + batch))
            .map(|_| {
                let (reference_no, order) = paid_qr(&sim, &merchant, "10000.00");
                let refund_no = unique("rf");
                let env = [
                    ("NICEPAY_CHILD_REF", reference_no.clone()),
                    ("NICEPAY_CHILD_ORDER", order.clone()),
                    ("NICEPAY_CHILD_REFUND_NO", refund_no.clone()),
                ];
                (reference_no, order, refund_no, spawn_child("refund", &info, &url, &env))
            })
            .collect();
        // Each child waits for its go, and is killed a random time after it.
        let killed: Vec<(String, String, String)> = std::thread::scope(|scope| {
            let kills: Vec<_> = runs
                .into_iter()
                .map(|(reference_no, order, refund_no, child)| {
                    let after = Duration::from_millis(rng.below(450));
                    scope.spawn(move || {
                        kill_in_flight(child, after);
                        (reference_no, order, refund_no)
                    })
                })
                .collect();
            kills.into_iter().map(|k| k.join().unwrap()).collect()
        });
        sim.clear_faults();
        std::thread::sleep(Duration::from_millis(1100));
        let resolved = merchant.resolve_pending().unwrap();
        assert!(
            resolved.iter().all(|e| !e.state.is_open()),
            "every interrupted refund settles: {resolved:#?}"
        );
        for (reference_no, order, refund_no) in killed {
            let entry = resolved.iter().find(|e| e.references["partnerRefundNo"] == refund_no);
            let (refunded, count) = refunds_of(&sim, &reference_no);
            let outcome = match entry.map(|e| e.state) {
                // Settled by query: exactly what the simulator booked.
                Some(JournalState::Succeeded) => {
                    assert_eq!((refunded.as_str(), count), ("10000.00", 1));
                    "in flight, applied"
                }
                Some(_) => {
                    assert_eq!((refunded.as_str(), count), ("0.00", 0));
                    "in flight, not applied"
                }
                // Not pending: finished before the kill, or killed before its intent was written
                // (and so before anything was sent).
                None if count == 1 => "finished",
                None => {
                    assert_eq!(refunded, "0.00");
                    "never sent"
                }
            };
            *outcomes.entry(outcome).or_default() += 1;
            if count == 0 {
                // Not applied, and known not to be: the merchant refunds again, same identity.
                let refund = qris_refund(&info, &reference_no, &order, &refund_no, "10000.00");
                merchant.qris_refund(&refund).unwrap();
            }
            assert_eq!(
                refunds_of(&sim, &reference_no),
                ("10000.00".into(), 1),
                "refunded exactly once"
            );
        }
    }
    eprintln!("crash test outcomes: {outcomes:?}");
    assert!(merchant.pending_outcomes().unwrap().is_empty());
    let _ = std::fs::remove_file(path);
}
