//! The `nicepay-snap` binary: artifacts match the golden vectors, bad input is one line + exit 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nicepay-snap"))
        .args(args)
        .env_remove("NICEPAY_CLIENT_SECRET")
        .env_remove("NICEPAY_ACCESS_TOKEN")
        .output()
        .unwrap()
}

fn vector(case: &str, file: &str) -> String {
    std::fs::read_to_string(repo().join("tests/vectors").join(case).join(file)).unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

const TS: &str = "2024-07-05T10:11:40+07:00";

fn sign_token_args<'a>(key: &'a str, client_id: &'a str, timestamp: &'a str) -> Vec<&'a str> {
    vec![
        "sign",
        "token",
        "--private-key-file",
        key,
        "--client-id",
        client_id,
        "--timestamp",
        timestamp,
    ]
}

fn verify_args<'a>(public_key: &'a str, timestamp: &'a str, signature: &'a str) -> Vec<&'a str> {
    let mut args = vec![
        "verify-notification",
        "--public-key-file",
        public_key,
        "--client-id",
        "IONPAYTEST",
    ];
    args.extend(["--timestamp", timestamp, "--signature", signature]);
    args
}

fn sign_transaction_args<'a>(body: &'a str, token: &'a str, timestamp: &'a str) -> Vec<&'a str> {
    vec![
        "sign",
        "transaction",
        "--client-secret",
        "s",
        "--path",
        "/api/v1.0/qr/qr-mpm-refund",
        "--access-token",
        token,
        "--timestamp",
        timestamp,
        "--body-file",
        body,
    ]
}

#[test]
fn sign_transaction_prints_every_artifact() {
    let body = repo().join("tests/vectors/spec-hmac-qris-refund/body.json");
    let out = run(&[
        "sign",
        "transaction",
        "--client-secret",
        "test-client-secret",
        "--path",
        "/nicepay/api/v1.0/qr/qr-mpm-refund",
        "--access-token",
        "TESTACCESSTOKEN123",
        "--timestamp",
        "2024-07-05T10:11:40+07:00",
        "--body-file",
        body.to_str().unwrap(),
    ]);
    let v = json(&out);
    let case = "spec-hmac-qris-refund";
    assert_eq!(v["signedPath"], "/api/v1.0/qr/qr-mpm-refund");
    assert_eq!(v["bodySha256"], vector(case, "body-sha256.txt"));
    assert_eq!(v["stringToSign"], vector(case, "string-to-sign.txt"));
    assert_eq!(v["signature"], vector(case, "signature.txt"));
}

#[test]
fn sign_token_and_verify_notification_match_vectors() {
    let ctx: serde_json::Value = serde_json::from_str(&vector("rsa-token-pkcs1", "context.json")).unwrap();
    let key = repo().join(ctx["privateKeyFile"].as_str().unwrap());
    let (client_id, timestamp) = (ctx["clientId"].as_str().unwrap(), ctx["timestamp"].as_str().unwrap());
    let v = json(&run(&sign_token_args(key.to_str().unwrap(), client_id, timestamp)));
    assert_eq!(v["signature"], vector("rsa-token-pkcs1", "token-signature.txt"));
    assert_eq!(v["stringToSign"], vector("rsa-token-pkcs1", "token-string-to-sign.txt"));

    let public = repo().join("tests/keys/nicepay-notification-test-public.pem");
    let signature = vector("test-key-notification-qris", "signature.txt");
    let public = public.to_str().unwrap();
    let good = run(&verify_args(public, "2026-11-25T19:30:00+07:00", &signature));
    assert_eq!(json(&good)["valid"], true);
    let bad = run(&verify_args(public, "2026-11-25T19:30:01+07:00", &signature));
    assert_eq!(bad.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&bad.stdout).unwrap();
    assert_eq!(v["valid"], false);
}

#[test]
fn bad_input_is_one_line_and_exit_2_never_a_panic() {
    let bad_json = std::env::temp_dir().join(format!("nicepay-cli-bad-{}.json", std::process::id()));
    std::fs::write(&bad_json, "{not json").unwrap();
    let not_a_key = repo().join("Cargo.toml");
    let (not_a_key, bad_json) = (not_a_key.to_str().unwrap(), bad_json.to_str().unwrap());
    let mut get = sign_transaction_args(bad_json, "t", TS);
    get.extend(["--method", "GET"]);
    let cases: Vec<Vec<&str>> = vec![
        sign_token_args("/definitely/missing.pem", "X", TS),
        sign_token_args(not_a_key, "X", TS),
        sign_transaction_args(bad_json, "t", TS),
        get,
        sign_token_args(not_a_key, "X", "yesterday"),
    ];
    for args in cases {
        let out = run(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(!stderr.contains("panicked"));
    }
    std::fs::remove_file(bad_json).ok();
}

#[test]
fn demo_runs_the_whole_qris_flow() {
    let out = run(&["demo"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for expected in [
        "access token                 2007300",
        "QRIS generate 10000.00 IDR   2004700",
        "answered HTTP 200",
        "notification verified        2005200  signature OK",
        "latestTransactionStatus=00 (Success)",
        "partial refund 4000.00       2007800",
        "refund the rest 6000.00      2007800",
        "over-refund 1.00 (rejected)  4037815",
        "latestTransactionStatus=04 (Refunded)",
    ] {
        assert!(stdout.contains(expected), "missing {expected:?} in:\n{stdout}");
    }
}

#[test]
fn demo_trace_prints_every_exchange_without_secrets() {
    let out = run(&["demo", "qris", "--trace"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    for expected in [
        "[exchange] access-token POST /v1.0/access-token/b2b attempt 1: HTTP 200 2007300",
        "[exchange] qris.generate POST /api/v1.0/qr/qr-mpm-generate attempt 1: HTTP 200 2004700",
        "[exchange] qris.refund POST /api/v1.0/qr/qr-mpm-refund attempt 1: HTTP 403 4037815",
    ] {
        assert!(stderr.contains(expected), "missing {expected:?} in:\n{stderr}");
    }
    let exchanges = stderr.lines().filter(|l| l.contains("[exchange]")).count();
    assert!(exchanges >= 6, "{stderr}");
    assert!(stderr
        .lines()
        .filter(|l| l.contains("[exchange] qris."))
        .all(|l| l.contains("X-EXTERNAL-ID")));
    for secret in ["Bearer ", "nicepay-snap-simulator-test-secret", "X-SIGNATURE"] {
        assert!(!stderr.contains(secret), "{secret} in:\n{stderr}");
    }
    // Without --trace, nothing of the kind.
    assert!(!String::from_utf8_lossy(&run(&["demo", "qris"]).stderr).contains("[exchange]"));
}

fn demo_output(product: &str) -> String {
    let out = run(&["demo", product]);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn assert_lines(stdout: &str, expected: &[&str]) {
    for e in expected {
        assert!(stdout.contains(e), "missing {e:?} in:\n{stdout}");
    }
}

#[test]
fn demo_qris_is_the_default() {
    let stdout = demo_output("qris");
    assert_lines(
        &stdout,
        &[
            "QRIS generate 10000.00 IDR   2004700",
            "over-refund 1.00 (rejected)  4037815",
        ],
    );
}

#[test]
fn demo_va_creates_pays_confirms_and_deletes() {
    let stdout = demo_output("va");
    assert_lines(
        &stdout,
        &[
            "access token                 2007300",
            "VA create 25000.00 IDR BMRI  2002700  virtualAccountNo=",
            "VA status (before transfer)  2002600  latestTransactionStatus=03 (Unpaid)",
            "/api/v1.0/transfer-va/payment answered HTTP 200",
            "notification verified        2002500  signature OK",
            "confirmed by VA status       2002600  latestTransactionStatus=00 (Paid) paid=true tXidVA=IONPAYTEST02",
            "delete paid VA (rejected)    4043113",
            "VA delete (HTTP DELETE)      2003100",
            "latestTransactionStatus=04 (Cancel/Expired)",
            "demo finished",
        ],
    );
}

#[test]
fn demo_ewallet_approves_by_redirect_confirms_and_refunds() {
    let stdout = demo_output("ewallet");
    assert_lines(
        &stdout,
        &[
            "e-wallet payment 30000 DANA  2005400  referenceNo=IONPAYTEST05",
            "/__sim/ewallet/",
            "e-wallet status (pending)    2005500  latestTransactionStatus=03 (Pending)",
            "customer approves (wallet)   303      GET webRedirectUrl → redirected to http://127.0.0.1:",
            "notification verified        2005600  signature OK",
            "confirmed by e-wallet status 2005500  latestTransactionStatus=00 (Success) paid=true",
            "partial refund 10000.00      2005800",
            "same partnerRefundNo again   4095801",
            "over-refund 20000.01         4035802",
            "refund the rest 20000.00     2005800",
            "latestTransactionStatus=04 (Refunded)",
        ],
    );
}

#[test]
fn demo_payout_walks_the_state_machine_and_resolves_a_timeout() {
    let stdout = demo_output("payout");
    assert_lines(
        &stdout,
        &[
            "balance inquiry              2001100  availableBalance=100000000.00 IDR",
            "register payout 150000.00    2000000  referenceNo=IONPAYTEST07",
            "payout approve               2000000  transactionStatus=00 (Success)",
            "balance inquiry (debited)    2001100  availableBalance=99850000.00 IDR",
            "approve again (rejected)     4030015",
            "payout reject                2000000  transactionStatus=05 (Rejected)",
            "approve after reject         4030015",
            "cancel scheduled payout      2000000  transactionStatus=04 (Canceled)",
            "approve times out            unknown  OutcomeUnknown",
            "payout inquiry (resolve)     2000000  transactionStatus=00 (Success)",
            "approve above balance        4030014",
            "balance inquiry (final)      2001100  availableBalance=99845000.00 IDR",
        ],
    );
}

#[test]
fn demo_rejects_an_unknown_product() {
    let out = run(&["demo", "cheque"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cheque"));
}

#[test]
fn simulate_prints_credentials_then_serves() {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_nicepay-snap"))
        .args(["simulate", "--port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info: serde_json::Value = serde_json::from_str(&line).unwrap();
    let config = nicepay_snap::Config::builder()
        .client_id(info["clientId"].as_str().unwrap())
        .client_secret(info["clientSecret"].as_str().unwrap())
        .private_key_text(info["privateKeyPem"].as_str().unwrap())
        .notification_public_key_text(info["notificationPublicKey"].as_str().unwrap())
        .base_url(info["baseUrl"].as_str().unwrap())
        .build()
        .unwrap();
    assert!(info["baseUrl"].as_str().unwrap().starts_with("http://127.0.0.1:"));
    let client = nicepay_snap_client::Client::new(config, nicepay_snap_ureq::UreqTransport::new());
    let token = client.access_token();
    child.kill().ok();
    child.wait().ok();
    assert!(!token.unwrap().expose_secret().is_empty());
}

/// Runs the binary with a deadline: an unbounded read of `/dev/zero` would otherwise run until
/// the machine runs out of memory. Returns `None` (after killing it) when it did not finish.
fn run_within(args: &[&str], seconds: u64) -> Option<Output> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nicepay-snap"))
        .args(args)
        .env_remove("NICEPAY_CLIENT_SECRET")
        .env_remove("NICEPAY_ACCESS_TOKEN")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    while std::time::Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return Some(child.wait_with_output().unwrap());
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().ok();
    child.wait().ok();
    None
}

/// Exit 2 with one short `error:` line containing `needle`.
fn assert_refused(out: &Output, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with("error: ") && stderr.trim_end().lines().count() == 1,
        "{stderr}"
    );
    assert!(stderr.len() < 400, "{} bytes: {}", stderr.len(), &stderr[..400]);
    assert!(stderr.contains(needle), "{needle:?} not in {stderr}");
    assert!(out.stdout.is_empty());
}

fn merchant_key() -> String {
    repo()
        .join("tests/keys/merchant-test-private-pkcs8.pem")
        .to_str()
        .unwrap()
        .to_owned()
}

fn notification_public_key() -> String {
    repo()
        .join("tests/keys/nicepay-notification-test-public.pem")
        .to_str()
        .unwrap()
        .to_owned()
}

fn spec_body() -> String {
    repo()
        .join("tests/vectors/spec-hmac-qris-refund/body.json")
        .to_str()
        .unwrap()
        .to_owned()
}

#[test]
fn key_file_from_dev_zero_is_refused() {
    for device in ["/dev/zero", "/dev/urandom"] {
        let out = run_within(&sign_token_args(device, "IONPAYTEST", TS), 30).expect("reads without end");
        assert_refused(&out, "larger than 65536 bytes");
        let verify = verify_args(device, TS, "QUJD");
        let out = run_within(&verify, 30).expect("reads without end");
        assert_refused(&out, "larger than 65536 bytes");
    }
}

#[test]
fn body_file_from_dev_zero_is_refused() {
    for device in ["/dev/zero", "/dev/urandom"] {
        let out = run_within(&sign_transaction_args(device, "T", TS), 30).expect("reads without end");
        assert_refused(&out, "larger than 4194304 bytes");
        let key = notification_public_key();
        let mut verify = verify_args(&key, TS, "QUJD");
        verify.extend(["--body-file", device]);
        let out = run_within(&verify, 30).expect("reads without end");
        assert_refused(&out, "larger than 4194304 bytes");
    }
}

#[test]
fn key_file_with_two_concatenated_pem_keys_is_refused() {
    let pem = std::fs::read_to_string(merchant_key()).unwrap();
    let file = std::env::temp_dir().join(format!("nicepay-cli-two-keys-{}.pem", std::process::id()));
    std::fs::write(&file, format!("{pem}{pem}")).unwrap();
    let path = file.to_str().unwrap();
    assert_refused(&run(&sign_token_args(path, "IONPAYTEST", TS)), "exactly one key");
    // Not even the explicit flag makes an ambiguous key file acceptable.
    let mut args = sign_token_args(path, "IONPAYTEST", TS);
    args.push("--allow-nonstandard");
    assert_refused(&run(&args), "exactly one key");
    std::fs::remove_file(file).ok();
}

#[test]
fn sign_token_refuses_what_the_library_refuses() {
    let key = merchant_key();
    let long_id = "I".repeat(100_000);
    for (client_id, timestamp, needle) in [
        ("IONPAYTEST", "2024-07-05T03:11:40Z", "+07:00"),
        ("IONPAYTEST", "2024-07-04T22:11:40-05:00", "+07:00"),
        ("", TS, "client_id"),
        ("ION|PAY", TS, "'|'"),
        ("ION PAY", TS, "client_id"),
        (long_id.as_str(), TS, "at most 20"),
    ] {
        assert_refused(&run(&sign_token_args(&key, client_id, timestamp)), needle);
    }
}

#[test]
fn sign_transaction_refuses_what_the_library_refuses() {
    let body = spec_body();
    for (token, timestamp, needle) in [
        ("TOKEN WITH SPACE", TS, "access_token"),
        ("T", "2024-07-05T03:11:40Z", "+07:00"),
        ("T", "2024-07-04T22:11:40-05:00", "+07:00"),
    ] {
        let out = run(&sign_transaction_args(&body, token, timestamp));
        assert_refused(&out, needle);
        assert!(!String::from_utf8_lossy(&out.stderr).contains("TOKEN WITH SPACE"));
    }
}

#[test]
fn allow_nonstandard_signs_third_party_bytes_as_given_and_says_so() {
    let key = merchant_key();
    let mut args = sign_token_args(&key, "ION|PAY", "2024-07-05T03:11:40Z");
    args.push("--allow-nonstandard");
    let v = json(&run(&args));
    assert_eq!(v["stringToSign"], "ION|PAY|2024-07-05T03:11:40Z");
    assert_eq!(v["timestamp"], "2024-07-05T03:11:40Z");
    let waived = v["nonstandard"].as_array().unwrap();
    assert_eq!(waived.len(), 2, "{waived:?}");
    assert!(waived[0].as_str().unwrap().contains("'|'"));
    assert!(waived[1].as_str().unwrap().contains("+07:00"));
    // The same signature the key gives over those exact bytes (checked with its public key).
    let public = nicepay_snap::PrivateKey::parse(&std::fs::read_to_string(&key).unwrap())
        .unwrap()
        .public_key()
        .clone();
    public
        .verify_base64(b"ION|PAY|2024-07-05T03:11:40Z", v["signature"].as_str().unwrap())
        .unwrap();

    let body = spec_body();
    let mut args = sign_transaction_args(&body, "TOKEN WITH SPACE", TS);
    args.push("--allow-nonstandard");
    let v = json(&run(&args));
    assert!(v["stringToSign"].as_str().unwrap().contains(":TOKEN WITH SPACE:"));
    assert_eq!(v["nonstandard"].as_array().unwrap().len(), 1);
    // Conforming input with the flag: nothing waived.
    let mut args = sign_transaction_args(&body, "T", TS);
    args.push("--allow-nonstandard");
    assert_eq!(json(&run(&args))["nonstandard"], serde_json::json!([]));
}

#[test]
fn long_arguments_are_echoed_as_a_short_prefix() {
    let key = merchant_key();
    let timestamp = format!("2024-07-05T10:11:40+07:00{}", "9".repeat(100_000));
    let out = run(&sign_token_args(&key, "IONPAYTEST", &timestamp));
    assert_refused(&out, "(100025 bytes)");
    let body = spec_body();
    let method = "M".repeat(100_000);
    let mut args = sign_transaction_args(&body, "T", TS);
    args.extend(["--method", &method]);
    assert_refused(&run(&args), "(100000 bytes)");
}
