//! `nicepay-snap keygen` and `nicepay-snap explain` through the binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_nicepay-snap"))
        .args(args)
        .env_remove("NICEPAY_CLIENT_SECRET")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(bytes) = stdin {
        std::io::Write::write_all(&mut input, bytes).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("nicepay-snap-cli-tools-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn vector(case: &str, file: &str) -> String {
    std::fs::read_to_string(repo().join("tests/vectors").join(case).join(file)).unwrap()
}

#[test]
fn keygen_writes_a_private_key_only_its_owner_reads_and_prints_the_public_half() {
    let dir = scratch("keygen");
    let key = dir.join("merchant.pem");
    let out = run(&["keygen", "--out", key.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let public = String::from_utf8(out.stdout).unwrap();
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{public}");
    let private = std::fs::read_to_string(&key).unwrap();
    assert!(private.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert!(!public.contains("PRIVATE") && !String::from_utf8_lossy(&out.stderr).contains("PRIVATE KEY-----"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }
    // The printed public key is the private key's own half.
    let parsed = nicepay_snap::PrivateKey::parse(&private).unwrap();
    assert_eq!(parsed.public_key().to_pem(), public);

    // An existing key is never overwritten by accident.
    let again = run(&["keygen", "--out", key.to_str().unwrap()], None);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(&key).unwrap(), private);

    // --force replaces it (still 0600), --public-format base64 prints bare SPKI base64.
    #[cfg(unix)]
    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let forced = run(
        &[
            "keygen",
            "--out",
            key.to_str().unwrap(),
            "--force",
            "--public-format",
            "base64",
        ],
        None,
    );
    assert!(forced.status.success());
    let b64 = String::from_utf8(forced.stdout).unwrap();
    let replaced = nicepay_snap::PrivateKey::parse(&std::fs::read_to_string(&key).unwrap()).unwrap();
    assert_eq!(format!("{}\n", replaced.public_key().to_base64_spki()), b64);
    assert_ne!(replaced.public_key(), parsed.public_key());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    }

    let small = run(
        &[
            "keygen",
            "--out",
            dir.join("small.pem").to_str().unwrap(),
            "--bits",
            "1024",
        ],
        None,
    );
    assert_eq!(small.status.code(), Some(2));
    assert!(!dir.join("small.pem").exists());
}

fn refund_request(path: &str, signature: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nContent-Type: application/json\r\nAuthorization: Bearer TESTACCESSTOKEN123\r\nX-TIMESTAMP: 2024-07-05T10:11:40+07:00\r\nX-SIGNATURE: {signature}\r\nX-PARTNER-ID: TNICEQR081\r\nX-EXTERNAL-ID: 41\r\nCHANNEL-ID: TNICEQR08101\r\n\r\n{body}"
    )
    .into_bytes()
}

fn explain(request: &[u8], extra: &[&str]) -> (serde_json::Value, Option<i32>) {
    let mut args = vec!["explain", "--request-file", "-"];
    args.extend_from_slice(extra);
    let out = run(&args, Some(request));
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (serde_json::from_slice(&out.stdout).unwrap(), out.status.code())
}

#[test]
fn explain_confirms_a_right_signature_and_names_a_wrong_one() {
    let case = "spec-hmac-qris-refund";
    let body = vector(case, "body.json");
    let body = body.trim_end();
    let good = refund_request(
        "/nicepay/api/v1.0/qr/qr-mpm-refund",
        vector(case, "signature.txt").trim(),
        body,
    );
    let (v, code) = explain(&good, &["--client-secret", "test-client-secret"]);
    assert_eq!(code, Some(0));
    assert_eq!(v["valid"], true);
    assert_eq!(v["kind"], "transaction");

    // A merchant that signed the path with /nicepay.
    let sts = vector(case, "string-to-sign.txt").replace(":/api/", ":/nicepay/api/");
    let signer = nicepay_snap::SymmetricSigner::new(&nicepay_snap::ClientSecret::new("test-client-secret"));
    let bad = refund_request(
        "/nicepay/api/v1.0/qr/qr-mpm-refund",
        &signer.sign_base64(sts.trim().as_bytes()),
        body,
    );
    let (v, code) = explain(&bad, &["--client-secret", "test-client-secret"]);
    assert_eq!(code, Some(1));
    assert_eq!(v["matched"], "path-with-nicepay-prefix");
    assert!(v["verdict"].as_str().unwrap().contains("/nicepay"));

    // The wrong secret: nothing matches, and the verdict says so.
    let (v, code) = explain(&good, &["--client-secret", "not-the-secret"]);
    assert_eq!(code, Some(1));
    assert_eq!(v["matched"], serde_json::Value::Null);
    assert!(v["verdict"].as_str().unwrap().contains("client secret"));
    assert!(!serde_json::to_string(&v).unwrap().contains("not-the-secret"));
}

#[test]
fn explain_checks_an_access_token_request_with_the_key_pair() {
    let ctx: serde_json::Value = serde_json::from_str(&vector("rsa-token-pkcs8", "context.json")).unwrap();
    let signature = vector("rsa-token-pkcs8", "token-signature.txt");
    let request = format!(
        "POST /nicepay/v1.0/access-token/b2b HTTP/1.1\nContent-Type: application/json\nX-TIMESTAMP: {}\nX-CLIENT-KEY: {}\nX-SIGNATURE: {}\n\n{{\"grantType\":\"client_credentials\",\"additionalInfo\":{{}}}}",
        ctx["timestamp"].as_str().unwrap(),
        ctx["clientId"].as_str().unwrap(),
        signature.trim()
    );
    let private = repo().join(ctx["privateKeyFile"].as_str().unwrap());
    let public = repo().join(ctx["publicKeyFile"].as_str().unwrap());
    for flag in [
        ["--private-key-file", private.to_str().unwrap()],
        ["--public-key-file", public.to_str().unwrap()],
    ] {
        let (v, code) = explain(request.as_bytes(), &flag);
        assert_eq!(
            (code, &v["kind"], &v["valid"]),
            (Some(0), &serde_json::json!("access-token"), &serde_json::json!(true))
        );
    }
    // Signed over the UTC `Z` form of the same instant while the header says +07:00.
    let utc = request.replace(
        "X-TIMESTAMP: 2024-07-05T10:11:40+07:00",
        "X-TIMESTAMP: 2024-07-05T03:11:40Z",
    );
    let (v, code) = explain(utc.as_bytes(), &["--private-key-file", private.to_str().unwrap()]);
    assert_eq!(code, Some(1));
    assert_eq!(v["matched"], "timestamp-jakarta");
}

#[test]
fn explain_refuses_bad_input_with_one_line() {
    let dir = scratch("explain-bad");
    let huge = dir.join("huge.txt");
    std::fs::write(&huge, vec![b'a'; nicepay_snap::diagnose::MAX_LOGGED_REQUEST_BYTES + 1]).unwrap();
    for (args, stdin) in [
        (vec!["explain", "--request-file", huge.to_str().unwrap(), "--client-secret", "s"], None),
        (vec!["explain", "--request-file", "-", "--client-secret", "s"], Some(&b"not a request"[..])),
        (vec!["explain", "--request-file", "-"], Some(&b"POST /nicepay/api/v1.0/qr/qr-mpm-query\r\nAuthorization: Bearer t\r\nX-TIMESTAMP: 2024-07-05T10:11:40+07:00\r\nX-SIGNATURE: x\r\n\r\n{}"[..])),
    ] {
        let out = run(&args, stdin);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.len() < 400, "{err}");
    }
}

#[test]
fn niva_pay_reports_an_unreachable_merchant_and_refuses_bad_flags() {
    // A loopback port nobody listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let base = [
        "niva-pay",
        "--merchant-url",
        url.as_str(),
        "--client-id",
        "NIVA1",
        "--client-secret",
        "s",
        "--partner-service-id",
        "70014",
        "--customer-no",
        "1",
    ];
    let out = run(&base, None);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["paid"], false);
    assert_eq!(v["steps"][0]["step"], "access-token");
    assert!(v["steps"][0]["error"].as_str().unwrap().contains("request failed"));
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("\"s\""),
        "the secret is not echoed"
    );

    let mut bad = base.to_vec();
    bad.extend(["--fault", "nonsense"]);
    assert_eq!(run(&bad, None).status.code(), Some(2));
    let mut remote = base.to_vec();
    remote[2] = "http://192.0.2.1";
    let out = run(&remote, None);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["steps"][0]["error"].as_str().unwrap().contains("loopback"));
}

/// The user guide's troubleshooting chapter shows `--help` and an `explain` run from
/// docs/examples/: they are what the binary prints.
#[test]
fn the_guide_shows_what_the_binary_prints() {
    let examples = repo().join("docs/examples");
    let read = |name: &str| std::fs::read_to_string(examples.join(name)).unwrap();
    // From `Usage:` on: the first line is the crate's description.
    let help = String::from_utf8(run(&["--help"], None).stdout).unwrap();
    assert_eq!(
        &help[help.find("Usage:").unwrap()..],
        read("cli-help.txt"),
        "regenerate: nicepay-snap --help | sed -n '/^Usage:/,$p' > docs/examples/cli-help.txt"
    );

    let request = examples.join("refund-request.txt");
    let explained = run(
        &[
            "explain",
            "--request-file",
            request.to_str().unwrap(),
            "--client-secret",
            "test-client-secret",
        ],
        None,
    );
    assert_eq!(explained.status.code(), Some(1), "the example is signed the wrong way");
    let got: serde_json::Value = serde_json::from_slice(&explained.stdout).unwrap();
    let shown: serde_json::Value = serde_json::from_str(&read("refund-explained.json")).unwrap();
    assert_eq!(got, shown);
    assert_eq!(got["matched"], "path-with-nicepay-prefix");
}
