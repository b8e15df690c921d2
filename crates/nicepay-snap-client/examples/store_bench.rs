//! State-store bench, against the in-process simulator on 127.0.0.1 (figures in BENCHMARKS.md):
//!
//! 1. the journal's cost per money-moving call: the same QRIS refunds (of payments made before
//!    the clock starts) with the default in-memory store, a SQLite file and a Redis server, as a
//!    ratio of the in-memory time, in one run;
//! 2. token requests per 10,000 calls made by 8 processes (this binary run again as children),
//!    without a shared store and with a SQLite one and a Redis one.
//!
//! ```text
//! cargo run --release -p nicepay-snap-client --example store_bench -- [--refunds N] [--calls M]
//! ```
//! Defaults: 300 refunds per store, 10,000 calls in all (1,250 per process). Redis is measured
//! when `redis-server` is installed (it is started on a free loopback port and stopped after).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nicepay_snap_client::{ClientOptions, Store};
use nicepay_snap_simulator::{Simulator, SimulatorInfo};

#[path = "../tests/common/sim.rs"]
mod sim;
use sim::{qris_generate, qris_query, qris_refund, unique, ureq_client};

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(default)
}

/// A `redis-server` without persistence on a free port, killed on drop.
struct Redis(Child, u16);

impl Redis {
    fn start() -> Option<Self> {
        let port = TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .spawn()
            .ok()?;
        let redis = Self(child, port);
        for _ in 0..200 {
            if Store::open(&redis.url()).is_ok() {
                return Some(redis);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.1)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Mean time of one refund on `store` (payments made before the clock starts).
fn refund_cost(sim: &nicepay_snap_simulator::BlockingSimulator, store: &Store, n: usize) -> Duration {
    let info = sim.info();
    let client = ureq_client(info).with_options(ClientOptions::default().store(store.clone()));
    let refunds: Vec<_> = (0..n)
        .map(|_| {
            let order = unique("bench");
            let generated = client.qris_generate(&qris_generate(info, &order, "10000.00")).unwrap();
            let reference_no = generated.reference_no.unwrap();
            sim.pay_qris(&reference_no).unwrap();
            qris_refund(info, &reference_no, &order, &unique("rf"), "10000.00")
        })
        .collect();
    let started = Instant::now();
    for refund in &refunds {
        client.qris_refund(refund).unwrap();
    }
    started.elapsed() / u32::try_from(n).unwrap_or(u32::MAX)
}

/// Token requests the simulator answered while 8 processes on `store` made `calls` queries.
fn token_requests(
    info: &SimulatorInfo,
    sim: &nicepay_snap_simulator::BlockingSimulator,
    store: &str,
    calls: usize,
) -> u64 {
    let before = sim.state().tokens_issued;
    let children: Vec<Child> = (0..8)
        .map(|_| {
            Command::new(std::env::current_exe().unwrap())
                .args(["--child", &(calls / 8).to_string()])
                .env("NICEPAY_BENCH_INFO", info.to_json_line())
                .env("NICEPAY_BENCH_STORE", store)
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    sim.state().tokens_issued - before
}

/// A child: `calls` QRIS queries on the store it is given.
fn child(calls: usize) {
    let info: SimulatorInfo = serde_json::from_str(&std::env::var("NICEPAY_BENCH_INFO").unwrap()).unwrap();
    let store = match std::env::var("NICEPAY_BENCH_STORE").unwrap().as_str() {
        "" => Store::memory(),
        url => Store::open(url).unwrap(),
    };
    let client = ureq_client(&info).with_options(ClientOptions::default().store(store));
    let order = unique(&format!("c{}", std::process::id()));
    let generated = client.qris_generate(&qris_generate(&info, &order, "1000.00")).unwrap();
    let query = qris_query(&info, &generated.reference_no.unwrap(), &order);
    for _ in 1..calls {
        client.qris_query(&query).unwrap();
    }
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("--child") {
        return child(arg("--child", 1));
    }
    let (refunds, calls) = (arg("--refunds", 300), arg("--calls", 10_000));
    let sim = Simulator::builder().start_blocking().expect("simulator");
    let info = sim.info().clone();
    let redis = Redis::start();
    if redis.is_none() {
        println!("redis-server not available: Redis rows skipped");
    }
    let db = std::env::temp_dir().join(format!("{}.db", unique("store-bench")));
    let sqlite = format!("sqlite://{}", db.display());
    let normal = format!("sqlite://{}?sync=normal", db.with_extension("normal.db").display());
    let mut stores = vec![
        ("memory (no store)", Store::memory()),
        ("sqlite sync=full", Store::open(&sqlite).unwrap()),
        ("sqlite sync=normal", Store::open(&normal).unwrap()),
    ];
    if let Some(redis) = &redis {
        stores.push(("redis", Store::open(&redis.url()).unwrap()));
    }

    println!("journal cost per money-moving call ({refunds} QRIS refunds each, same run):");
    let mut base = None;
    for (name, store) in &stores {
        let cost = refund_cost(&sim, store, refunds);
        let base = *base.get_or_insert(cost);
        println!(
            "  {name:<18} {:>8.3} ms/refund  ratio {:.2}",
            cost.as_secs_f64() * 1000.0,
            cost.as_secs_f64() / base.as_secs_f64()
        );
    }

    println!("token requests per {calls} calls by 8 processes:");
    let mut urls = vec![("no shared store", String::new()), ("sqlite", sqlite.clone())];
    if let Some(redis) = &redis {
        urls.push(("redis", redis.url()));
    }
    for (name, url) in &urls {
        sim.expire_tokens();
        // A fresh store, as at a deploy: no token yet.
        let url = if url.starts_with("sqlite") {
            format!(
                "sqlite://{}",
                std::env::temp_dir().join(format!("{}.db", unique("tok"))).display()
            )
        } else {
            url.clone()
        };
        println!("  {name:<18} {}", token_requests(&info, &sim, &url, calls));
    }
    let _ = std::fs::remove_file(db.with_extension("normal.db"));
    let _ = std::fs::remove_file(db);
}
