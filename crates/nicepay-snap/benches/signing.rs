//! Signing, hashing, verification and key-parsing costs, each next to its floor measured in the
//! same run (see BENCHMARKS.md; `benches/ratios.py` prints the ratios).
//!
//! Groups and ids (what `ratios.py` reads back):
//! - `transaction/floor`: SHA-256 of the body + HMAC-SHA512 (key prepared once) over a
//!   string-to-sign of the same length, nothing else. The cost no signer can avoid.
//! - `transaction/floor_with_hmac_key_setup`: the same, keying HMAC for every request (what the
//!   core must *not* do).
//! - `transaction/typed_prepare`: `Config::prepare::<QrisRefund>` (validate, serialize, hash,
//!   HMAC, headers).
//! - `transaction/typed_per_floor`: `typed_prepare / floor` measured within each sample (the
//!   two run in alternating blocks of 50 calls), reported as 1 ns per 1x: the ratio that
//!   machine load moves least.
//! - `transaction/json_prepare_compact` / `json_prepare_pretty`: `Config::prepare_json` from a JSON
//!   string (minify, hash, HMAC, headers).
//! - `hash/body_sha256_hex`, `hash/sha256_raw`.
//! - `rsa/*`: token signing and notification verification with the selected backend, and the
//!   `rsa` crate called directly (so an `aws-lc` build compares both backends in one run).
//! - `keys/*`: parsing PEM keys (done once per `Config`, never per request).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};
use hmac::{Hmac, KeyInit, Mac};
use nicepay_snap::api::notification::{sign_notification, NotificationVerifier};
use nicepay_snap::api::qris::QrisRefund;
use nicepay_snap::canonical::body_sha256_hex;
use nicepay_snap::{AccessToken, Method, PrivateKey, PublicKey, Timestamp};
use sha2::{Digest, Sha256, Sha512};

const MERCHANT_KEY_PKCS1: &str = include_str!("../../../tests/keys/merchant-test-private-pkcs1.pem");
const MERCHANT_PUB: &str = include_str!("../../../tests/keys/merchant-test-public.pem");
const NOTIF_KEY: &str = include_str!("../../../tests/keys/nicepay-notification-test-private-pkcs8.pem");
const NOTIF_PUB: &str = include_str!("../../../tests/keys/nicepay-notification-test-public.pem");

mod common;
use common::{config, context, refund, Floor, MERCHANT_KEY, PATH, SECRET, TIMESTAMP, TOKEN};

fn transaction(c: &mut Criterion) {
    let cfg = config();
    let token = AccessToken::new(TOKEN);
    let ctx = context(&token);
    let request = refund();
    let body = serde_json::to_vec(&request).expect("body");
    let pretty =
        serde_json::to_vec_pretty(&serde_json::from_slice::<serde_json::Value>(&body).expect("json")).expect("pretty");
    // The floor hashes the same body and HMACs a string-to-sign of exactly the same bytes.
    let floor_work = Floor::new(&body);

    let mut g = c.benchmark_group("transaction");
    let floor = || floor_work.run(&body);
    let typed = || {
        black_box(cfg.prepare::<QrisRefund>(black_box(&request), &ctx).expect("prepare"));
    };
    g.bench_function("floor", |b| b.iter(floor));
    g.bench_function("typed_prepare", |b| b.iter(typed));
    // The ratio itself, from paired samples (see `paired`): reported as a time of 1 ns per
    // 1x, so criterion's "time: [1.40 ns ...]" reads "typed signing costs 1.40 floors".
    g.bench_function("typed_per_floor", |b| {
        b.iter_custom(|iters| {
            let (floor_time, typed_time) = paired(iters, &floor, &typed);
            Duration::from_secs_f64(typed_time.as_secs_f64() / floor_time.as_secs_f64() * iters as f64 * 1e-9)
        })
    });
    g.bench_function("floor_with_hmac_key_setup", |b| {
        b.iter(|| {
            let digest = Sha256::digest(black_box(&body));
            let mut mac = <Hmac<Sha512> as KeyInit>::new_from_slice(black_box(SECRET.as_bytes())).expect("hmac key");
            mac.update(black_box(floor_work.sts.as_bytes()));
            black_box((digest, mac.finalize()))
        })
    });
    g.bench_function("json_prepare_compact", |b| {
        b.iter(|| {
            cfg.prepare_json(Method::Post, PATH, black_box(&body), &ctx)
                .expect("prepare_json")
        })
    });
    g.bench_function("json_prepare_pretty", |b| {
        b.iter(|| {
            cfg.prepare_json(Method::Post, PATH, black_box(&pretty), &ctx)
                .expect("prepare_json")
        })
    });
    g.bench_function("sign_transaction", |b| {
        b.iter(|| {
            cfg.signer()
                .sign_transaction(Method::Post, PATH, TOKEN, black_box(&body), TIMESTAMP)
                .expect("sign")
        })
    });
    g.finish();

    let mut g = c.benchmark_group("hash");
    g.bench_function("sha256_raw", |b| b.iter(|| Sha256::digest(black_box(&body))));
    g.bench_function("body_sha256_hex", |b| b.iter(|| body_sha256_hex(black_box(&body))));
    g.finish();
}

/// Runs `a` and `b` `iters` times each, in alternating blocks of 50 calls, and returns the time
/// each took, so that their ratio compares them under the same machine load: on a shared
/// machine, timing one for seconds and then the other for seconds (`floor`, `typed_prepare`)
/// moved their ratio between 0.9x and 2x from one run to the next.
fn paired(iters: u64, a: &dyn Fn(), b: &dyn Fn()) -> (Duration, Duration) {
    const BLOCK: u64 = 50;
    let (mut time_a, mut time_b) = (Duration::ZERO, Duration::ZERO);
    let mut left = iters;
    while left > 0 {
        let n = left.min(BLOCK);
        let start = Instant::now();
        (0..n).for_each(|_| a());
        let middle = Instant::now();
        (0..n).for_each(|_| b());
        time_b += middle.elapsed();
        time_a += middle - start;
        left -= n;
    }
    (time_a, time_b)
}

fn rsa(c: &mut Criterion) {
    use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
    use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey};
    use rsa::signature::{Signer, Verifier};

    let cfg = config();
    let key = PrivateKey::parse(MERCHANT_KEY).expect("key");
    let message = b"IONPAYTEST|2024-12-31T10:11:40+07:00";
    let ts = Timestamp::parse(TIMESTAMP).expect("timestamp");
    let notif_key = PrivateKey::parse(NOTIF_KEY).expect("notification key");
    let notif_sig = sign_notification(&notif_key, "IONPAYTEST", TIMESTAMP).expect("sign");
    let verifier = NotificationVerifier::new(PublicKey::parse(NOTIF_PUB).expect("pub"), "IONPAYTEST");

    // The `rsa` crate used directly, whatever backend the core was built with.
    let direct_signer =
        SigningKey::<rsa::sha2::Sha256>::new(rsa::PrivateKey::from_pkcs8_pem(MERCHANT_KEY).expect("pem"));
    let direct_verifier =
        VerifyingKey::<rsa::sha2::Sha256>::new(rsa::PublicKey::from_public_key_pem(MERCHANT_PUB).expect("pem"));
    let direct_sig: Signature = direct_signer.sign(message);

    let mut g = c.benchmark_group("rsa");
    g.sample_size(20);
    g.bench_function("sign_base64", |b| {
        b.iter(|| key.sign_base64(black_box(message)).expect("sign"))
    });
    g.bench_function("prepare_access_token", |b| {
        b.iter(|| cfg.prepare_access_token(black_box(ts)).expect("prepare"))
    });
    g.bench_function("rsa_crate_sign", |b| {
        b.iter(|| -> Signature { direct_signer.sign(black_box(message)) })
    });
    g.bench_function("verify_notification", |b| {
        b.iter(|| {
            verifier
                .verify_signature(black_box(TIMESTAMP), &notif_sig)
                .expect("verify")
        })
    });
    g.bench_function("rsa_crate_verify", |b| {
        b.iter(|| direct_verifier.verify(black_box(message), &direct_sig).expect("verify"))
    });
    g.finish();
}

fn keys(c: &mut Criterion) {
    let mut g = c.benchmark_group("keys");
    g.sample_size(20);
    g.bench_function("parse_private_pkcs8_pem", |b| {
        b.iter(|| PrivateKey::parse(black_box(MERCHANT_KEY)).expect("key"))
    });
    g.bench_function("parse_private_pkcs1_pem", |b| {
        b.iter(|| PrivateKey::parse(black_box(MERCHANT_KEY_PKCS1)).expect("key"))
    });
    g.bench_function("parse_public_pem", |b| {
        b.iter(|| PublicKey::parse(black_box(MERCHANT_PUB)).expect("key"))
    });
    g.bench_function("config_build", |b| b.iter(config));
    g.finish();
}

criterion_group!(benches, transaction, rsa, keys);
criterion_main!(benches);
