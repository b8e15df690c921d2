//! Per-call latency bench: the blocking and async clients against the raw transports sending
//! pre-signed requests (the floor: no token cache, no signing, no driver), QRIS queries against
//! one simulator, sequential and concurrent, in interleaved rounds so that every ratio is taken
//! within one run.
//!
//! ```text
//! cargo run --release -p nicepay-snap-client --example latency -- \
//!     [--calls N] [--rounds R] [--concurrency C] [--simulator-bin target/release/nicepay-snap] [--smoke]
//! ```
//! Defaults: 2000 calls per mode and round, 5 rounds, 16 concurrent. Without `--simulator-bin`
//! the simulator runs in this process on a runtime of its own (2 threads); with it, as a separate
//! `nicepay-snap simulate` process, as the Python and Node benches use it. `--smoke` makes a few
//! calls per mode and prints no ratios (CI: the bench must run, its timings are noise there).
//!
//! Modes:
//! - `ureq raw`: `UreqTransport::send` of pre-signed requests, one thread (the blocking floor);
//! - `Client<ureq>`: `Client::qris_query`, one thread;
//! - `direct raw` / `reqwest raw`: `ReqwestTransport::send` of pre-signed requests on the direct
//!   path / forced through reqwest, in one task (the async floors);
//! - `AsyncClient` / `AsyncClient via reqwest`: `AsyncClient::qris_query` over each path, in one
//!   task;
//! - `AsyncClient, spawn per call`: each call spawned onto the runtime from a plain thread that
//!   waits for it, the shape of the Python and Node bridges (a hop to the runtime and back);
//! - `xC`: the same with C concurrent tasks (threads for the blocking modes).

use std::sync::Arc;
use std::time::{Duration, Instant};

use nicepay_snap::api::qris::{QrisQuery, QrisQueryRequest};
use nicepay_snap::{AsyncTransport, Config, PreparedRequest, RequestContext, SyncTransport};
use nicepay_snap_client::{AsyncClient, Client, Clock, ExternalIdGenerator, SystemClock};
use nicepay_snap_reqwest::ReqwestTransport;
use nicepay_snap_simulator::{Simulator, SimulatorInfo};
use nicepay_snap_ureq::UreqTransport;

/// The tests' simulator helpers (the QRIS requests).
#[path = "../tests/common/sim.rs"]
mod common;

#[derive(Debug, Clone)]
struct Args {
    calls: usize,
    rounds: usize,
    concurrency: usize,
    simulator_bin: Option<String>,
    smoke: bool,
}

fn parse_args() -> Args {
    let mut args = Args {
        calls: 2000,
        rounds: 5,
        concurrency: 16,
        simulator_bin: None,
        smoke: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--calls" => args.calls = value().parse::<usize>().expect("--calls").max(1),
            "--rounds" => args.rounds = value().parse::<usize>().expect("--rounds").max(1),
            "--concurrency" => args.concurrency = value().parse::<usize>().expect("--concurrency").max(1),
            "--simulator-bin" => args.simulator_bin = Some(value()),
            "--smoke" => args.smoke = true,
            "--bench" | "--test" => {}
            other => panic!("unknown flag {other}; use --calls, --rounds, --concurrency, --simulator-bin, --smoke"),
        }
    }
    if args.smoke {
        args.calls = args.calls.min(20);
        args.rounds = 1;
    }
    args
}

/// The simulator under test: in this process or a `nicepay-snap simulate` child.
enum Sim {
    InProcess(Box<(tokio::runtime::Runtime, nicepay_snap_simulator::SimulatorHandle)>),
    Child(std::process::Child),
}

fn start_simulator(args: &Args) -> (Sim, SimulatorInfo) {
    if let Some(bin) = &args.simulator_bin {
        use std::io::BufRead;
        let mut child = std::process::Command::new(bin)
            .args(["simulate", "--port", "0"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("nicepay-snap simulate");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the simulator's info line");
        let info = serde_json::from_str(&line).expect("simulator info JSON");
        return (Sim::Child(child), info);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("simulator runtime");
    let sim = rt.block_on(Simulator::builder().start()).expect("simulator");
    let info = sim.info().clone();
    (Sim::InProcess(Box::new((rt, sim))), info)
}

/// Latencies (µs) and the wall time of one mode, summed over rounds.
#[derive(Debug, Default, Clone)]
struct Figures {
    micros: Vec<u64>,
    wall: Duration,
    calls: usize,
}

impl Figures {
    fn add(&mut self, micros: Vec<u64>, wall: Duration) {
        self.calls += micros.len();
        self.micros.extend(micros);
        self.wall += wall;
    }

    fn rate(&self) -> f64 {
        self.calls as f64 / self.wall.as_secs_f64()
    }

    fn percentile(&self, p: f64) -> f64 {
        let mut v = self.micros.clone();
        v.sort_unstable();
        if v.is_empty() {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
        v[rank.clamp(1, v.len()) - 1] as f64 / 1000.0
    }
}

fn micros(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_micros()).unwrap_or(u64::MAX)
}

/// `n` QRIS queries signed now with `token`, each with its own `X-EXTERNAL-ID`.
fn presigned(
    config: &Config,
    token: &nicepay_snap::AccessToken,
    query: &QrisQueryRequest,
    n: usize,
) -> Vec<PreparedRequest> {
    let ids = ExternalIdGenerator::default();
    (0..n)
        .map(|_| {
            let ctx = RequestContext {
                access_token: token,
                timestamp: SystemClock.now(),
                external_id: ids.next(SystemClock.now_unix_millis()),
            };
            config.prepare::<QrisQuery>(query, &ctx).expect("prepare")
        })
        .collect()
}

fn check(status: u16, body: &[u8]) {
    assert!(
        status == 200 && body.windows(9).any(|w| w == b"\"2005100\""),
        "unexpected answer {status}: {}",
        String::from_utf8_lossy(body)
    );
}

/// Runs `work(worker, calls)` on `workers` threads (each returns its latencies); the wall time.
fn threads<F>(workers: usize, calls: usize, work: F) -> (Vec<u64>, Duration)
where
    F: Fn(usize, usize) -> Vec<u64> + Send + Sync + 'static,
{
    let work = Arc::new(work);
    let started = Instant::now();
    let handles: Vec<_> = (0..workers)
        .map(|w| {
            let work = work.clone();
            std::thread::spawn(move || work(w, calls / workers))
        })
        .collect();
    let all = handles.into_iter().flat_map(|h| h.join().expect("worker")).collect();
    (all, started.elapsed())
}

type Async = AsyncClient<ReqwestTransport>;

/// Runs `tasks` tasks of `calls / tasks` calls each on `rt`; the latencies and the wall time.
fn tasks<F, Fut>(rt: &tokio::runtime::Runtime, tasks: usize, calls: usize, work: F) -> (Vec<u64>, Duration)
where
    F: Fn(usize, usize) -> Fut,
    Fut: std::future::Future<Output = Vec<u64>> + Send + 'static,
{
    let started = Instant::now();
    let handles: Vec<_> = (0..tasks).map(|t| rt.spawn(work(t, calls / tasks))).collect();
    let all = rt.block_on(async {
        let mut all = Vec::new();
        for h in handles {
            all.extend(h.await.expect("task"));
        }
        all
    });
    (all, started.elapsed())
}

async fn client_calls(client: Arc<Async>, query: Arc<QrisQueryRequest>, n: usize) -> Vec<u64> {
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let r = client.qris_query(&query).await.expect("qris query");
        v.push(micros(t));
        assert_eq!(r.response_code.to_string(), "2005100");
    }
    v
}

async fn raw_calls(transport: ReqwestTransport, requests: Vec<PreparedRequest>) -> Vec<u64> {
    let mut v = Vec::with_capacity(requests.len());
    for request in &requests {
        let t = Instant::now();
        let r = transport.send(request).await.expect("send");
        v.push(micros(t));
        check(r.status, &r.body);
    }
    v
}

fn main() {
    let args = parse_args();
    let (sim, info) = start_simulator(&args);
    let config = info.client_config().expect("config");
    let timeout = Duration::from_secs(10);
    let ureq = || UreqTransport::builder().timeout(timeout).build();
    let async_transport = |direct: bool| {
        ReqwestTransport::builder()
            .timeout(timeout)
            .direct(direct)
            .build()
            .expect("transport")
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("client runtime");

    let blocking = Arc::new(Client::new(config.clone(), ureq()));
    let direct = Arc::new(AsyncClient::new(config.clone(), async_transport(true)));
    let via_reqwest = Arc::new(AsyncClient::new(config.clone(), async_transport(false)));
    let order = format!("latency-{}", SystemClock.now_unix_millis());
    let generated = blocking
        .qris_generate(&common::qris_generate(&info, &order, "10000.00"))
        .expect("qris generate");
    let reference_no = generated.reference_no.expect("referenceNo");
    let query = Arc::new(common::qris_query(&info, &reference_no, &order));
    let token = blocking.access_token().expect("token");
    rt.block_on(async {
        direct.access_token().await.expect("token");
        via_reqwest.access_token().await.expect("token");
    });
    let raw_ureq = Arc::new(ureq());
    let (raw_direct, raw_reqwest) = (async_transport(true), async_transport(false));
    let c = args.concurrency;
    println!(
        "latency bench: QRIS query, {} calls per mode and round, {} rounds, {c} concurrent; simulator {}",
        args.calls,
        args.rounds,
        if args.simulator_bin.is_some() {
            "in a separate process"
        } else {
            "in this process (own runtime)"
        }
    );

    let names = [
        "ureq raw (floor)",
        "Client<ureq>",
        "direct raw (floor)",
        "reqwest raw",
        "AsyncClient",
        "AsyncClient via reqwest",
        "AsyncClient, spawn per call",
        "Client<ureq> xC",
        "AsyncClient xC",
        "AsyncClient via reqwest xC",
    ];
    let mut figures = vec![Figures::default(); names.len()];
    let n = args.calls;
    for _ in 0..args.rounds {
        // Requests are signed before the clock starts (the floor sends them only).
        let signed = presigned(&config, &token, &query, 3 * n);
        let mut signed = signed.chunks(n).map(<[_]>::to_vec);
        let (ureq_batch, direct_batch, reqwest_batch) =
            (signed.next().unwrap(), signed.next().unwrap(), signed.next().unwrap());
        let mut run = |mode: usize, (v, wall): (Vec<u64>, Duration)| figures[mode].add(v, wall);

        let t = raw_ureq.clone();
        run(
            0,
            threads(1, n, move |_, _| {
                ureq_batch
                    .iter()
                    .map(|r| {
                        let s = Instant::now();
                        let resp = t.send(r).expect("send");
                        let us = micros(s);
                        check(resp.status, &resp.body);
                        us
                    })
                    .collect()
            }),
        );
        let (client, q) = (blocking.clone(), query.clone());
        let sequential = move |_: usize, calls: usize| -> Vec<u64> {
            (0..calls)
                .map(|_| {
                    let s = Instant::now();
                    let r = client.qris_query(&q).expect("qris query");
                    let us = micros(s);
                    assert_eq!(r.response_code.to_string(), "2005100");
                    us
                })
                .collect()
        };
        let sequential = Arc::new(sequential);
        let s1 = sequential.clone();
        run(1, threads(1, n, move |w, calls| s1(w, calls)));
        let (d, r) = (raw_direct.clone(), raw_reqwest.clone());
        run(
            2,
            tasks(&rt, 1, n, move |_, _| raw_calls(d.clone(), direct_batch.clone())),
        );
        run(
            3,
            tasks(&rt, 1, n, move |_, _| raw_calls(r.clone(), reqwest_batch.clone())),
        );
        let q = query.clone();
        run(
            4,
            tasks(&rt, 1, n, |_, calls| client_calls(direct.clone(), q.clone(), calls)),
        );
        run(
            5,
            tasks(&rt, 1, n, |_, calls| {
                client_calls(via_reqwest.clone(), q.clone(), calls)
            }),
        );
        // The bindings' shape: a foreign thread hands each call to the runtime and waits.
        let started = Instant::now();
        let mut v = Vec::with_capacity(n);
        for _ in 0..n {
            let s = Instant::now();
            let (client, q) = (direct.clone(), query.clone());
            let r = rt
                .block_on(rt.spawn(async move { client.qris_query(&q).await }))
                .expect("task")
                .expect("qris query");
            v.push(micros(s));
            assert_eq!(r.response_code.to_string(), "2005100");
        }
        run(6, (v, started.elapsed()));
        let s2 = sequential.clone();
        run(7, threads(c, n, move |w, calls| s2(w, calls)));
        run(
            8,
            tasks(&rt, c, n, |_, calls| client_calls(direct.clone(), q.clone(), calls)),
        );
        run(
            9,
            tasks(&rt, c, n, |_, calls| {
                client_calls(via_reqwest.clone(), q.clone(), calls)
            }),
        );
    }

    let base = figures[1].rate();
    println!(
        "\n{:<30} {:>9} {:>9} {:>9} {:>16}",
        "mode", "calls/s", "p50 ms", "p99 ms", "x Client<ureq>"
    );
    for (name, f) in names.iter().zip(&figures) {
        let name = name.replace("xC", &format!("x{c}"));
        let ratio = if args.smoke {
            "-".to_owned()
        } else {
            format!("{:.2}x", f.rate() / base)
        };
        println!(
            "{name:<30} {:>9.0} {:>9.3} {:>9.3} {ratio:>16}",
            f.rate(),
            f.percentile(50.0),
            f.percentile(99.0)
        );
    }
    if !args.smoke {
        let ratio = |a: usize, b: usize| figures[a].rate() / figures[b].rate();
        println!(
            "\nclient / its floor: Client<ureq> {:.2}x, AsyncClient {:.2}x, AsyncClient via reqwest {:.2}x (rate ratios)",
            ratio(1, 0),
            ratio(4, 2),
            ratio(5, 3)
        );
        println!(
            "async sequential / blocking sequential: {:.2}x (direct), {:.2}x (via reqwest), {:.2}x (spawn per call)",
            ratio(4, 1),
            ratio(5, 1),
            ratio(6, 1)
        );
    }
    drop(rt);
    match sim {
        Sim::InProcess(sim) => {
            let (rt, handle) = *sim;
            rt.block_on(handle.shutdown());
        }
        Sim::Child(mut child) => {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
