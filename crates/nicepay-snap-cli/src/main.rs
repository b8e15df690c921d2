//! `nicepay-snap`: debug signatures, verify notifications, run the simulator and the demo.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

mod demo;
mod receiver;
mod tools;

use clap::{Parser, Subcommand};
use nicepay_snap::api::notification::NotificationVerifier;
use nicepay_snap::canonical::{body_sha256_hex, signed_path, token_string_to_sign, transaction_string_to_sign};
use nicepay_snap::config::validate_client_id;
use nicepay_snap::error::echo;
use nicepay_snap::{minify_json, AccessToken, ClientSecret, Method, PrivateKey, PublicKey, SymmetricSigner, Timestamp};
use nicepay_snap_client::{Clock, SystemClock};
use serde_json::json;

/// NICEPAY SNAP toolbox.
#[derive(Debug, Parser)]
#[command(name = "nicepay-snap", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print every intermediate artifact of a signature (stringToSign, bodySha256, signature).
    Sign {
        #[command(subcommand)]
        what: SignCommand,
    },
    /// Check an inbound NICEPAY notification's X-SIGNATURE (and optionally its body).
    VerifyNotification(VerifyArgs),
    /// Run the NICEPAY SNAP simulator on 127.0.0.1 until interrupted. Prints one JSON line with
    /// its base URL and TEST-ONLY credentials first.
    /// The sandbox dashboard is at `{baseUrl}/__dashboard` (printed to stderr).
    Simulate {
        /// Port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// Delays before each retry of a notification the merchant did not acknowledge,
        /// comma-separated, each a number with `ms`, `s` or `m` (e.g. `500ms,1s,2s`); `none`
        /// for no retries. Default: 1m,2m,4m,8m,16m.
        #[arg(long, value_parser = parse_retry_schedule)]
        notification_retries: Option<RetrySchedule>,
    },
    /// Run one product's whole flow against an embedded simulator, printing every step with its
    /// responseCode and verifying the notifications it sends.
    Demo {
        /// Which flow: qris (default), va, ewallet or payout.
        #[arg(value_enum, default_value_t = demo::DemoProduct::Qris)]
        product: demo::DemoProduct,
        /// Also print every HTTP exchange the client makes (to stderr): operation, path,
        /// attempt, HTTP status, responseCode or transport failure, latency, X-EXTERNAL-ID.
        #[arg(long)]
        trace: bool,
    },
    /// Generate the merchant's RSA key pair for access-token signatures: the private key goes
    /// to --out (PEM PKCS#8, file mode 0600), the public key to register with NICEPAY is printed.
    Keygen(tools::KeygenArgs),
    /// Say why NICEPAY refuses a request's X-SIGNATURE: recompute it the SDK's way and the
    /// usual wrong ways (path with /nicepay, body hashed in another form than sent, `Bearer `
    /// signed, timestamp form, ...) from the request as your code sent it, e.g. from a log.
    /// Exits 0 when the signature is right, 1 when not.
    Explain(tools::ExplainArgs),
    /// Play NICEPAY against your NIVA (merchant-side SNAP) server: request a token signed with
    /// the simulator's TEST-ONLY NICEPAY key, send the VA inquiry and the payment, and print
    /// each exchange. Exits 0 when the merchant accepted the payment, 1 when not.
    NivaPay(tools::NivaArgs),
}

#[derive(Debug, Subcommand)]
enum SignCommand {
    /// HMAC-SHA512 signature of a transactional request.
    Transaction(TransactionArgs),
    /// SHA256withRSA signature of an access-token request.
    Token(TokenArgs),
}

#[derive(Debug, clap::Args)]
struct TransactionArgs {
    /// Client secret (or env NICEPAY_CLIENT_SECRET).
    #[arg(long, env = "NICEPAY_CLIENT_SECRET", hide_env_values = true)]
    client_secret: String,
    /// HTTP method: POST or DELETE.
    #[arg(long, default_value = "POST")]
    method: String,
    /// Request path, with or without the /nicepay prefix.
    #[arg(long)]
    path: String,
    /// Access token (without "Bearer ").
    #[arg(long, env = "NICEPAY_ACCESS_TOKEN", hide_env_values = true)]
    access_token: String,
    /// X-TIMESTAMP; default: now, in +07:00.
    #[arg(long)]
    timestamp: Option<String>,
    /// File holding the JSON body. It is minified lexically (whitespace only) before hashing.
    #[arg(long)]
    body_file: PathBuf,
    /// Hash the file's bytes exactly as they are, without minifying.
    #[arg(long)]
    raw_body: bool,
    /// Sign the values exactly as given even where the SDK refuses them (see `Nonstandard`).
    #[arg(long)]
    allow_nonstandard: bool,
}

#[derive(Debug, clap::Args)]
struct TokenArgs {
    /// Merchant private key file (PEM PKCS#8/PKCS#1 or bare base64).
    #[arg(long)]
    private_key_file: PathBuf,
    /// Client ID (X-CLIENT-KEY).
    #[arg(long)]
    client_id: String,
    /// X-TIMESTAMP; default: now, in +07:00.
    #[arg(long)]
    timestamp: Option<String>,
    /// Sign the values exactly as given even where the SDK refuses them: a timestamp not in
    /// yyyy-MM-ddTHH:mm:ss+07:00 form, a client ID that is empty, longer than 20 characters or
    /// holds `|` or spaces. To reproduce a third party's nonconforming bytes; each waived check
    /// is listed under "nonstandard" in the output.
    #[arg(long)]
    allow_nonstandard: bool,
}

#[derive(Debug, clap::Args)]
struct VerifyArgs {
    /// NICEPAY notification public key file (PEM or bare base64 SPKI).
    #[arg(long)]
    public_key_file: PathBuf,
    /// Your client ID (the X-CLIENT-KEY NICEPAY sends).
    #[arg(long)]
    client_id: String,
    /// X-TIMESTAMP exactly as received.
    #[arg(long)]
    timestamp: String,
    /// X-SIGNATURE as received.
    #[arg(long)]
    signature: String,
    /// Optional body file: checked to be well-formed JSON (the signature does not cover it).
    #[arg(long)]
    body_file: Option<PathBuf>,
    /// Also require X-TIMESTAMP to be within this many seconds of now.
    #[arg(long)]
    max_skew_seconds: Option<u32>,
}

/// Largest key file read, in bytes: the core's cap on key text (64 KiB).
const MAX_KEY_FILE_BYTES: u64 = nicepay_snap::keys::MAX_KEY_TEXT_BYTES as u64;

/// Largest body file read, in bytes: the transports' body cap (4 MiB).
const MAX_BODY_FILE_BYTES: u64 = nicepay_snap_ureq::DEFAULT_MAX_BODY_BYTES;

/// The notification retry delays of `simulate --notification-retries`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RetrySchedule(Vec<Duration>);

/// `500ms,1s,2m` (or `none`) as delays.
fn parse_retry_schedule(text: &str) -> Result<RetrySchedule, String> {
    if text.trim() == "none" {
        return Ok(RetrySchedule(Vec::new()));
    }
    let one = |item: &str| -> Option<Duration> {
        let item = item.trim();
        let (number, unit) = item.split_at(item.find(|c: char| !c.is_ascii_digit())?);
        let n: u64 = number.parse().ok()?;
        let d = match unit {
            "ms" => Duration::from_millis(n),
            "s" => Duration::from_secs(n),
            "m" => Duration::from_secs(n.checked_mul(60)?),
            _ => return None,
        };
        (d <= Duration::from_secs(24 * 3600)).then_some(d)
    };
    let schedule: Option<Vec<Duration>> = text.split(',').map(one).collect();
    match schedule {
        Some(s) if !s.is_empty() && s.len() <= 100 => Ok(RetrySchedule(s)),
        _ => Err(format!(
            "expected up to 100 comma-separated delays such as 500ms,1s,2m (each at most 24h) or none, got {}",
            echo(text)
        )),
    }
}

/// A one-line, user-facing failure.
struct Failure(String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Self(e.to_string())
    }
}

/// Reads at most `cap` bytes of a file (or FIFO, or `/dev/stdin`); a longer input is refused
/// without reading the rest.
fn read_capped(path: &Path, what: &str, cap: u64) -> Result<Vec<u8>, Failure> {
    let shown = path.display().to_string();
    let fail = |e: std::io::Error| Failure(format!("cannot read {what} {}: {e}", echo(&shown)));
    let file = std::fs::File::open(path).map_err(fail)?;
    let mut bytes = Vec::new();
    file.take(cap.saturating_add(1)).read_to_end(&mut bytes).map_err(fail)?;
    if bytes.len() as u64 > cap {
        return Err(Failure(format!(
            "{what} {} is larger than {cap} bytes (the cap for a {what})",
            echo(&shown)
        )));
    }
    Ok(bytes)
}

/// A key file: at most [`MAX_KEY_FILE_BYTES`] of UTF-8 text.
fn read_key_file(path: &Path, what: &str) -> Result<String, Failure> {
    let bytes = read_capped(path, what, MAX_KEY_FILE_BYTES)?;
    String::from_utf8(bytes).map_err(|_| {
        Failure(format!(
            "{what} {} is not UTF-8 text (PEM or base64 expected)",
            echo(&path.display().to_string())
        ))
    })
}

/// A body file: at most [`MAX_BODY_FILE_BYTES`].
fn read_body_file(path: &Path) -> Result<Vec<u8>, Failure> {
    read_capped(path, "body file", MAX_BODY_FILE_BYTES)
}

/// The checks the SDK applies to what it signs, each either enforced (the default) or, with
/// `--allow-nonstandard`, waived and reported under `"nonstandard"` in the output.
struct Nonstandard {
    allowed: bool,
    waived: Vec<String>,
}

impl Nonstandard {
    fn new(allowed: bool) -> Self {
        Self {
            allowed,
            waived: Vec::new(),
        }
    }

    fn check(&mut self, result: nicepay_snap::Result<()>) -> Result<(), Failure> {
        match result {
            Ok(()) => Ok(()),
            Err(e) if self.allowed => {
                self.waived.push(e.to_string());
                Ok(())
            }
            Err(e) => Err(Failure(format!("{e} (--allow-nonstandard signs it as given)"))),
        }
    }

    /// Adds `"nonstandard"` to the output when the flag was given.
    fn report(self, mut out: serde_json::Value) -> serde_json::Value {
        if self.allowed {
            out["nonstandard"] = json!(self.waived);
        }
        out
    }
}

fn timestamp_or_now(ts: Option<String>, checks: &mut Nonstandard) -> Result<String, Failure> {
    match ts {
        Some(ts) => {
            checks.check(Timestamp::parse_outbound(&ts).map(drop))?;
            Ok(ts)
        }
        None => Ok(SystemClock.now().to_string()),
    }
}

fn sign_transaction(args: TransactionArgs) -> Result<serde_json::Value, Failure> {
    let mut checks = Nonstandard::new(args.allow_nonstandard);
    let method = Method::parse(&args.method)?;
    if args.client_secret.is_empty() {
        return Err(Failure("invalid input for `client_secret`: must not be empty".into()));
    }
    checks.check(AccessToken::new(args.access_token.as_str()).validate())?;
    let file = read_body_file(&args.body_file)?;
    let body = if args.raw_body { file } else { minify_json(&file)? };
    let timestamp = timestamp_or_now(args.timestamp, &mut checks)?;
    let path = signed_path(&args.path)?;
    let sts = transaction_string_to_sign(method, path, &args.access_token, &body, &timestamp)?;
    let signer = SymmetricSigner::new(&ClientSecret::new(args.client_secret));
    Ok(checks.report(json!({
        "method": method.as_str(),
        "signedPath": path,
        "timestamp": timestamp,
        "body": String::from_utf8_lossy(&body),
        "bodySha256": body_sha256_hex(&body),
        "stringToSign": sts,
        "signature": signer.sign_base64(sts.as_bytes()),
    })))
}

fn sign_token(args: TokenArgs) -> Result<serde_json::Value, Failure> {
    let mut checks = Nonstandard::new(args.allow_nonstandard);
    checks.check(validate_client_id(&args.client_id))?;
    let key = PrivateKey::parse(&read_key_file(&args.private_key_file, "private key file")?)?;
    let timestamp = timestamp_or_now(args.timestamp, &mut checks)?;
    let sts = token_string_to_sign(&args.client_id, &timestamp);
    Ok(checks.report(json!({
        "clientId": args.client_id,
        "timestamp": timestamp,
        "stringToSign": sts,
        "signature": key.sign_base64(sts.as_bytes())?,
        "publicKey": key.public_key().to_base64_spki(),
    })))
}

fn verify_notification(args: VerifyArgs) -> Result<(serde_json::Value, bool), Failure> {
    validate_client_id(&args.client_id)?;
    let key = PublicKey::parse(&read_key_file(&args.public_key_file, "public key file")?)?;
    let verifier = NotificationVerifier::new(key, args.client_id.clone());
    let mut problems = Vec::new();
    // Inbound: any offset is accepted (the signature covers the text as received).
    if let Err(e) = Timestamp::parse(&args.timestamp) {
        problems.push(e.to_string());
    }
    if let Err(e) = verifier.verify_signature(&args.timestamp, &args.signature) {
        problems.push(e.to_string());
    }
    if let Some(max) = args.max_skew_seconds {
        let headers = vec![
            ("X-TIMESTAMP".to_owned(), args.timestamp.clone()),
            ("X-SIGNATURE".to_owned(), args.signature.clone()),
        ];
        if let Err(e @ nicepay_snap::Error::InvalidInput { .. }) = verifier
            .with_max_skew_seconds(max)
            .verify_headers(&headers, SystemClock.now())
        {
            problems.push(e.to_string());
        }
    }
    if let Some(path) = &args.body_file {
        if let Err(e) = minify_json(&read_body_file(path)?) {
            problems.push(e.to_string());
        }
    }
    let valid = problems.is_empty();
    Ok((
        json!({
            "valid": valid,
            "stringToSign": token_string_to_sign(&args.client_id, &args.timestamp),
            "problems": problems,
            "note": "NICEPAY's notification signature covers clientId|X-TIMESTAMP only, not the body: confirm payments with a status query.",
        }),
        valid,
    ))
}

fn run(cli: Cli) -> Result<ExitCode, Failure> {
    let (out, ok) = match cli.command {
        Command::Sign {
            what: SignCommand::Transaction(args),
        } => (sign_transaction(args)?, true),
        Command::Sign {
            what: SignCommand::Token(args),
        } => (sign_token(args)?, true),
        Command::VerifyNotification(args) => verify_notification(args)?,
        Command::Explain(args) => tools::run_explain(args)?,
        Command::NivaPay(args) => tools::run_niva(args)?,
        Command::Keygen(args) => {
            print!("{}", tools::keygen(args)?);
            return Ok(ExitCode::SUCCESS);
        }
        Command::Simulate {
            port,
            notification_retries,
        } => {
            let mut builder = nicepay_snap_simulator::Simulator::builder().port(port);
            if let Some(RetrySchedule(schedule)) = notification_retries {
                builder = builder.notification_retry_schedule(schedule);
            }
            let sim = builder.start_blocking()?;
            println!("{}", sim.info().to_json_line());
            eprintln!(
                "simulator listening on {}; dashboard at {} (open it in a browser); stop with Ctrl-C",
                sim.base_url(),
                sim.dashboard_url()
            );
            sim.wait()?;
            return Ok(ExitCode::SUCCESS);
        }
        Command::Demo { product, trace } => {
            demo::run(product, trace)?;
            return Ok(ExitCode::SUCCESS);
        }
    };
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(Failure(message)) => {
            eprintln!("error: {}", message.lines().next().unwrap_or_default());
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_schedules() {
        let ms = |v: &[u64]| RetrySchedule(v.iter().map(|&n| Duration::from_millis(n)).collect());
        assert_eq!(parse_retry_schedule("200ms, 1s,2m"), Ok(ms(&[200, 1000, 120_000])));
        assert_eq!(parse_retry_schedule("none"), Ok(ms(&[])));
        for bad in ["", "1", "1h", "-1s", "1s,,2s", "25000m", "99999999999999999999s"] {
            assert!(parse_retry_schedule(bad).is_err(), "{bad}");
        }
    }
}
