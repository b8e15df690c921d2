//! `nicepay-snap`: debug signatures, verify notifications, run the simulator and the demo.

use std::path::PathBuf;
use std::process::ExitCode;

mod demo;
mod receiver;

use clap::{Parser, Subcommand};
use nicepay_snap::api::notification::NotificationVerifier;
use nicepay_snap::canonical::{body_sha256_hex, signed_path, token_string_to_sign, transaction_string_to_sign};
use nicepay_snap::{minify_json, ClientSecret, Method, PrivateKey, PublicKey, SymmetricSigner, Timestamp};
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
    Simulate {
        /// Port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
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

/// A one-line, user-facing failure.
struct Failure(String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Self(e.to_string())
    }
}

fn read_file(path: &PathBuf, what: &str) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure(format!("cannot read {what} {}: {e}", path.display())))
}

fn timestamp_or_now(ts: Option<String>) -> Result<String, Failure> {
    match ts {
        Some(ts) => {
            Timestamp::parse(&ts)?;
            Ok(ts)
        }
        None => Ok(SystemClock.now().to_string()),
    }
}

fn sign_transaction(args: TransactionArgs) -> Result<serde_json::Value, Failure> {
    let method = Method::parse(&args.method)?;
    let file = read_file(&args.body_file, "body file")?;
    let body = if args.raw_body { file } else { minify_json(&file)? };
    let timestamp = timestamp_or_now(args.timestamp)?;
    let path = signed_path(&args.path)?;
    let sts = transaction_string_to_sign(method, path, &args.access_token, &body, &timestamp)?;
    let signer = SymmetricSigner::new(&ClientSecret::new(args.client_secret));
    Ok(json!({
        "method": method.as_str(),
        "signedPath": path,
        "timestamp": timestamp,
        "body": String::from_utf8_lossy(&body),
        "bodySha256": body_sha256_hex(&body),
        "stringToSign": sts,
        "signature": signer.sign_base64(sts.as_bytes()),
    }))
}

fn sign_token(args: TokenArgs) -> Result<serde_json::Value, Failure> {
    let text = read_file(&args.private_key_file, "private key file")?;
    let key = PrivateKey::parse(&String::from_utf8_lossy(&text))?;
    let timestamp = timestamp_or_now(args.timestamp)?;
    let sts = token_string_to_sign(&args.client_id, &timestamp);
    Ok(json!({
        "clientId": args.client_id,
        "timestamp": timestamp,
        "stringToSign": sts,
        "signature": key.sign_base64(sts.as_bytes())?,
        "publicKey": key.public_key().to_base64_spki(),
    }))
}

fn verify_notification(args: VerifyArgs) -> Result<(serde_json::Value, bool), Failure> {
    let text = read_file(&args.public_key_file, "public key file")?;
    let key = PublicKey::parse(&String::from_utf8_lossy(&text))?;
    let verifier = NotificationVerifier::new(key, args.client_id.clone());
    let mut problems = Vec::new();
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
        if let Err(e) = minify_json(&read_file(path, "body file")?) {
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
        Command::Simulate { port } => {
            let sim = nicepay_snap_simulator::Simulator::builder()
                .port(port)
                .start_blocking()?;
            println!("{}", sim.info().to_json_line());
            eprintln!("simulator listening on {}; stop with Ctrl-C", sim.base_url());
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
