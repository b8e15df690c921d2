//! End-to-end load bench: N concurrent clients doing QRIS generate → pay → refund against the
//! in-process simulator on 127.0.0.1, first async (`AsyncClient` over reqwest, one task per
//! client), then blocking (`Client` over ureq, one thread per client). Prints requests/s and
//! p50/p99 latency per operation. Bounded in count and time; stops by itself.
//!
//! ```text
//! cargo run --release -p nicepay-snap-client --example load -- [--clients N] [--flows M] [--max-seconds S]
//! ```
//! Defaults: 8 clients, 1000 flows each (a flow = generate + pay + refund), 30 s cap per mode.
//! The simulator shares the machine's cores with the clients, so the figures are for the whole
//! loop (client signing, HTTP on loopback, simulator verification), not for NICEPAY.
//!
//! Keep clients x flows at most 9000 per mode: the simulator mints QRIS ids as
//! `clientId 08 yyyyMMddHHmmss NNNN`, so it cannot hold more than 10,000 generates made within one
//! second (it loops forever looking for a free id beyond that); every request also has a 10 s
//! timeout so a stuck server cannot hang the bench.

use std::sync::Arc;
use std::time::{Duration, Instant};

use nicepay_snap_simulator::Simulator;

/// The tests' simulator helpers: config, clients, unique ids and the QRIS requests.
#[path = "../tests/common/sim.rs"]
mod sim;
use sim::{qris_generate, qris_refund, reqwest_client_within, unique, ureq_client_within};

#[derive(Debug, Clone, Copy)]
struct Args {
    clients: usize,
    flows: usize,
    max_seconds: u64,
}

fn parse_args() -> Args {
    let mut args = Args {
        clients: 8,
        flows: 1000,
        max_seconds: 30,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || -> u64 {
            it.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{flag} needs a number"))
        };
        match flag.as_str() {
            "--clients" => args.clients = usize::try_from(value()).unwrap_or(1).max(1),
            "--flows" => args.flows = usize::try_from(value()).unwrap_or(1).max(1),
            "--max-seconds" => args.max_seconds = value().max(1),
            // `cargo bench`-style flags that a harness might pass along are ignored.
            "--bench" | "--test" => {}
            other => panic!("unknown flag {other}; use --clients, --flows, --max-seconds"),
        }
    }
    if args.clients * args.flows > 9_000 {
        eprintln!("note: more than 9000 flows per mode may exhaust the simulator's per-second QRIS ids");
    }
    args
}

/// Latencies of one operation, in microseconds.
#[derive(Debug, Default)]
struct Samples {
    generate: Vec<u64>,
    refund: Vec<u64>,
    errors: u64,
}

impl Samples {
    fn merge(&mut self, other: Self) {
        self.generate.extend(other.generate);
        self.refund.extend(other.refund);
        self.errors += other.errors;
    }
}

fn micros(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_micros()).unwrap_or(u64::MAX)
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    // Nearest-rank percentile.
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64 / 1000.0
}

fn report(mode: &str, args: Args, samples: Samples, wall: Duration) {
    let requests = samples.generate.len() + samples.refund.len();
    let secs = wall.as_secs_f64();
    println!(
        "{mode}: {} clients, {requests} signed requests in {secs:.2} s = {:.0} req/s ({:.0} flows/s), {} errors",
        args.clients,
        requests as f64 / secs,
        samples.refund.len() as f64 / secs,
        samples.errors
    );
    let mut all: Vec<u64> = samples.generate.iter().chain(&samples.refund).copied().collect();
    for (name, mut v) in [
        ("generate", samples.generate),
        ("refund", samples.refund),
        ("all", std::mem::take(&mut all)),
    ] {
        v.sort_unstable();
        println!(
            "  {mode} {name:<8} n={:<6} p50={:.2} ms  p99={:.2} ms  max={:.2} ms",
            v.len(),
            percentile(&v, 50.0),
            percentile(&v, 99.0),
            v.last().copied().unwrap_or(0) as f64 / 1000.0
        );
    }
}

/// One client's flows until `args.flows` or the deadline: generate (timed), pay, refund (timed).
/// `$wait` is `await` for the async client and simulator handle, left out for the blocking ones.
macro_rules! flows {
    ($args:expr, $deadline:expr, $sim:expr, $client:expr, $info:expr $(, $wait:tt)?) => {{
        let mut s = Samples::default();
        for _ in 0..$args.flows {
            if Instant::now() >= $deadline {
                break;
            }
            let order = unique("load-order");
            let t = Instant::now();
            let generated = $client.qris_generate(&qris_generate(&$info, &order, "10000.00"))$(.$wait)?;
            s.generate.push(micros(t));
            let Some(reference_no) = generated.ok().and_then(|g| g.reference_no) else {
                s.errors += 1;
                continue;
            };
            if $sim.pay_qris(&reference_no)$(.$wait)?.is_err() {
                s.errors += 1;
                continue;
            }
            let refund = qris_refund(&$info, &reference_no, &order, &unique("load-refund"), "10000.00");
            let t = Instant::now();
            let refunded = $client.qris_refund(&refund)$(.$wait)?;
            s.refund.push(micros(t));
            s.errors += u64::from(refunded.is_err());
        }
        s
    }};
}

fn run_async(args: Args) -> (Samples, Duration) {
    // The simulator gets its own runtime so client tasks and server tasks are scheduled apart.
    let sim_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("simulator runtime");
    let sim = Arc::new(sim_rt.block_on(Simulator::builder().start()).expect("simulator"));
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("client runtime");
    let deadline = Instant::now() + Duration::from_secs(args.max_seconds);
    let started = Instant::now();
    let samples = client_rt.block_on(async {
        let mut tasks = Vec::new();
        for _ in 0..args.clients {
            let sim = sim.clone();
            tasks.push(tokio::spawn(async move {
                let info = sim.info().clone();
                let client = reqwest_client_within(&info, Duration::from_secs(10));
                client.access_token().await.expect("token");
                flows!(args, deadline, sim, client, info, await)
            }));
        }
        let mut all = Samples::default();
        for task in tasks {
            all.merge(task.await.expect("client task"));
        }
        all
    });
    let wall = started.elapsed();
    drop(client_rt);
    if let Ok(sim) = Arc::try_unwrap(sim) {
        sim_rt.block_on(sim.shutdown());
    }
    (samples, wall)
}

fn run_blocking(args: Args) -> (Samples, Duration) {
    let sim = Arc::new(Simulator::builder().start_blocking().expect("simulator"));
    let deadline = Instant::now() + Duration::from_secs(args.max_seconds);
    let started = Instant::now();
    let threads: Vec<_> = (0..args.clients)
        .map(|_| {
            let sim = sim.clone();
            std::thread::spawn(move || {
                let info = sim.info().clone();
                let client = ureq_client_within(&info, Duration::from_secs(10));
                client.access_token().expect("token");
                flows!(args, deadline, sim, client, info)
            })
        })
        .collect();
    let mut all = Samples::default();
    for t in threads {
        all.merge(t.join().expect("client thread"));
    }
    let wall = started.elapsed();
    if let Ok(sim) = Arc::try_unwrap(sim) {
        sim.shutdown();
    }
    (all, wall)
}

fn main() {
    let args = parse_args();
    println!(
        "load bench: {} clients x {} flows (generate, pay, refund), at most {} s per mode, simulator on 127.0.0.1",
        args.clients, args.flows, args.max_seconds
    );
    let (samples, wall) = run_async(args);
    report("async/reqwest", args, samples, wall);
    let (samples, wall) = run_blocking(args);
    report("blocking/ureq", args, samples, wall);
}
