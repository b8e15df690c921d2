//! Instruction counts of transaction signing vs its floor, for a ratio that does not move with
//! the machine's load (criterion's wall-clock figures do, on a shared machine).
//!
//! Not a criterion bench: `benches/instructions.sh` runs this binary under
//! `valgrind --tool=callgrind` once per mode with 0 and with N iterations and divides the
//! differences. Run directly it only checks its arguments:
//! `instructions <floor|typed|sign|json> <iterations>`.
//!
//! `instructions interleaved <rounds>` times instead: each round runs 200 floors then 200 typed
//! signings (a fraction of a millisecond, so most rounds run without being preempted) and
//! prints the median over rounds of typed / floor, so that a change in the machine's load
//! between two criterion benches cannot skew the ratio.

use std::hint::black_box;

use nicepay_snap::api::qris::QrisRefund;
use nicepay_snap::{AccessToken, Method};

mod common;
use common::{config, context, refund, Floor, PATH, TIMESTAMP, TOKEN};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mode, n) = match (
        args.first().map(String::as_str),
        args.get(1).and_then(|n| n.parse::<u64>().ok()),
    ) {
        (Some(mode @ ("floor" | "typed" | "sign" | "json" | "interleaved")), Some(n)) => (mode.to_owned(), n),
        _ => {
            // `cargo bench` runs every bench target with `--bench`: nothing to do without a mode.
            println!("usage: instructions <floor|typed|sign|json> <iterations> (see benches/instructions.sh)");
            return;
        }
    };
    let cfg = config();
    let request = refund();
    let token = AccessToken::new(TOKEN);
    let ctx = context(&token);
    let body = serde_json::to_vec(&request).expect("body");
    let floor_work = Floor::new(&body);
    let floor = || floor_work.run(&body);
    let typed = || {
        black_box(cfg.prepare::<QrisRefund>(black_box(&request), &ctx).expect("prepare"));
    };
    if mode == "interleaved" {
        let time = |f: &dyn Fn()| {
            let start = std::time::Instant::now();
            for _ in 0..200 {
                f();
            }
            start.elapsed().as_secs_f64() / 200.0
        };
        let mut rounds: Vec<(f64, f64)> = (0..n.max(1)).map(|_| (time(&floor), time(&typed))).collect();
        rounds.sort_by(|a, b| (a.1 / a.0).total_cmp(&(b.1 / b.0)));
        let (f, t) = rounds[rounds.len() / 2];
        println!(
            "interleaved, median of {} rounds: floor {:.0} ns, typed {:.0} ns, typed / floor {:.2}x",
            rounds.len(),
            f * 1e9,
            t * 1e9,
            t / f
        );
        return;
    }
    for _ in 0..n {
        match mode.as_str() {
            "floor" => floor(),
            "typed" => typed(),
            "sign" => {
                black_box(
                    cfg.signer()
                        .sign_transaction(Method::Post, PATH, TOKEN, black_box(&body), TIMESTAMP)
                        .expect("sign"),
                );
            }
            _ => {
                black_box(
                    cfg.prepare_json(Method::Post, PATH, black_box(&body), &ctx)
                        .expect("prepare_json"),
                );
            }
        }
    }
}
