//! Instruction counts of transaction signing vs its floor, for a ratio that does not move with
//! the machine's load (criterion's wall-clock figures do, on a shared machine).
//!
//! Not a criterion bench: `benches/instructions.sh` runs this binary under
//! `valgrind --tool=callgrind` once per mode with 0 and with N iterations and divides the
//! differences. Run directly it only checks its arguments:
//! `instructions <floor|typed|sign|json> <iterations>`.

use std::hint::black_box;

use hmac::{Hmac, KeyInit, Mac};
use nicepay_snap::api::qris::QrisRefund;
use nicepay_snap::canonical::transaction_string_to_sign;
use nicepay_snap::{AccessToken, Method};
use sha2::{Digest, Sha256, Sha512};

mod common;
use common::{config, context, refund, PATH, SECRET, TIMESTAMP, TOKEN};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mode, n) = match (
        args.first().map(String::as_str),
        args.get(1).and_then(|n| n.parse::<u64>().ok()),
    ) {
        (Some(mode @ ("floor" | "typed" | "sign" | "json")), Some(n)) => (mode.to_owned(), n),
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
    let sts = transaction_string_to_sign(Method::Post, PATH, TOKEN, &body, TIMESTAMP).expect("sts");
    let keyed = <Hmac<Sha512> as KeyInit>::new_from_slice(SECRET.as_bytes()).expect("key");
    for _ in 0..n {
        match mode.as_str() {
            "floor" => {
                let digest = Sha256::digest(black_box(&body));
                let mut mac = keyed.clone();
                mac.update(black_box(sts.as_bytes()));
                black_box((digest, mac.finalize()));
            }
            "typed" => {
                black_box(cfg.prepare::<QrisRefund>(black_box(&request), &ctx).expect("prepare"));
            }
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
