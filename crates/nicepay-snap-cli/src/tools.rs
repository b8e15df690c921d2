//! `keygen` and `explain`: the merchant's key pair, and why a signature is refused.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use nicepay_snap::diagnose::{explain, Credentials, LoggedRequest, MAX_LOGGED_REQUEST_BYTES};
use nicepay_snap::{ClientSecret, PrivateKey, PublicKey};

use crate::{read_capped, read_key_file, Failure};

/// How `keygen` prints the public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum PublicFormat {
    /// PEM `-----BEGIN PUBLIC KEY-----` (SubjectPublicKeyInfo).
    Pem,
    /// Bare base64 of the SubjectPublicKeyInfo DER (`MIIBIjANBg...`), the form NICEPAY's
    /// integration team exchanges by email.
    Base64,
}

#[derive(Debug, clap::Args)]
pub(crate) struct KeygenArgs {
    /// Where to write the private key (PEM PKCS#8), created with file mode 0600.
    #[arg(long)]
    out: PathBuf,
    /// Key size in bits (2048 to 4096).
    #[arg(long, default_value_t = 2048)]
    bits: usize,
    /// Replace the file if it exists (otherwise an existing file is never overwritten).
    #[arg(long)]
    force: bool,
    /// How to print the public key.
    #[arg(long, value_enum, default_value_t = PublicFormat::Pem)]
    public_format: PublicFormat,
}

/// Writes `text` to `path` readable by the owner only; refuses an existing file unless `force`.
fn write_private(path: &Path, text: &str, force: bool) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    // `mode` applies only when the file is created: make a replaced file private too.
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

/// Generates the key pair; returns the public key text to print.
pub(crate) fn keygen(args: KeygenArgs) -> Result<String, Failure> {
    let key = nicepay_snap_client::generate_private_key(args.bits)?;
    let shown = args.out.display().to_string();
    write_private(&args.out, key.to_pkcs8_pem().expose_secret(), args.force).map_err(|e| {
        let hint = if e.kind() == std::io::ErrorKind::AlreadyExists {
            " (pass --force to replace it)"
        } else {
            ""
        };
        Failure(format!(
            "cannot write private key file {}: {e}{hint}",
            nicepay_snap::error::echo(&shown)
        ))
    })?;
    eprintln!(
        "wrote a {}-bit private key to {shown} (mode 0600; keep it secret). Register this public key with NICEPAY:",
        args.bits
    );
    Ok(match args.public_format {
        PublicFormat::Pem => key.public_key().to_pem(),
        PublicFormat::Base64 => format!("{}\n", key.public_key().to_base64_spki()),
    })
}

#[derive(Debug, clap::Args)]
pub(crate) struct ExplainArgs {
    /// The request as sent: request line (`POST /nicepay/api/... HTTP/1.1` or a full URL),
    /// `Name: value` headers, an empty line, then the body exactly as sent. `-` reads stdin.
    #[arg(long)]
    request_file: PathBuf,
    /// Client secret, for transactional requests (or env NICEPAY_CLIENT_SECRET).
    #[arg(long, env = "NICEPAY_CLIENT_SECRET", hide_env_values = true)]
    client_secret: Option<String>,
    /// The access token your code used, if the log lacks the Authorization header or you
    /// suspect another token was signed.
    #[arg(long)]
    access_token: Option<String>,
    /// Merchant public key file, for access-token requests.
    #[arg(long, conflicts_with = "private_key_file")]
    public_key_file: Option<PathBuf>,
    /// Merchant private key file, for access-token requests (its public half is used).
    #[arg(long)]
    private_key_file: Option<PathBuf>,
}

/// Runs the explanation; the flag is whether the signature is valid.
pub(crate) fn run_explain(args: ExplainArgs) -> Result<(serde_json::Value, bool), Failure> {
    let path = if args.request_file.as_os_str() == "-" {
        PathBuf::from("/dev/stdin")
    } else {
        args.request_file.clone()
    };
    let text = read_capped(&path, "request file", MAX_LOGGED_REQUEST_BYTES as u64)?;
    let request = LoggedRequest::parse(&text)?;
    let secret = args.client_secret.map(ClientSecret::new);
    let public = match (&args.public_key_file, &args.private_key_file) {
        (Some(p), _) => Some(PublicKey::parse(&read_key_file(p, "public key file")?)?),
        (None, Some(p)) => Some(
            PrivateKey::parse(&read_key_file(p, "private key file")?)?
                .public_key()
                .clone(),
        ),
        (None, None) => None,
    };
    let explanation = explain(
        &request,
        Credentials {
            client_secret: secret.as_ref(),
            public_key: public.as_ref(),
            access_token: args.access_token.as_deref(),
        },
    )?;
    let valid = explanation.valid;
    Ok((serde_json::to_value(explanation)?, valid))
}

#[derive(Debug, clap::Args)]
pub(crate) struct NivaArgs {
    /// Base URL of the merchant's SNAP server (loopback `http://` only), e.g.
    /// `http://127.0.0.1:8080` (the SNAP paths are appended).
    #[arg(long)]
    merchant_url: String,
    /// Client ID the merchant issued to NICEPAY.
    #[arg(long)]
    client_id: String,
    /// Client secret the merchant issued to NICEPAY (or env NICEPAY_NIVA_CLIENT_SECRET).
    #[arg(long, env = "NICEPAY_NIVA_CLIENT_SECRET", hide_env_values = true)]
    client_secret: String,
    /// VA prefix (partnerServiceId).
    #[arg(long)]
    partner_service_id: String,
    /// Customer number.
    #[arg(long)]
    customer_no: String,
    /// Amount to pay, e.g. 15000.00 (default: the total the inquiry answers).
    #[arg(long)]
    amount: Option<String>,
    /// A deliberate mistake: forged-signature, replay-external-id, unknown-token or
    /// forged-token-request.
    #[arg(long)]
    fault: Option<String>,
}

/// Plays NICEPAY once against a merchant's NIVA server with the simulator's TEST-ONLY NICEPAY
/// key: token, inquiry, payment. The flag is whether the merchant accepted the payment.
pub(crate) fn run_niva(args: NivaArgs) -> Result<(serde_json::Value, bool), Failure> {
    use nicepay_snap_simulator::niva::{self, NivaFault, NivaMerchant, NivaPayment};
    let fault = args
        .fault
        .map(|f| serde_json::from_value::<NivaFault>(serde_json::Value::String(f.clone())))
        .transpose()
        .map_err(|_| {
            Failure(
                "unknown --fault (forged-signature, replay-external-id, unknown-token, forged-token-request)".into(),
            )
        })?;
    let paid_amount = args.amount.map(nicepay_snap::Amount::idr).transpose()?;
    let key = PrivateKey::parse(nicepay_snap_simulator::TEST_NOTIFICATION_PRIVATE_KEY_PEM)?;
    let merchant = NivaMerchant {
        base_url: args.merchant_url,
        client_id: args.client_id,
        client_secret: args.client_secret,
    };
    let payment = NivaPayment {
        partner_service_id: args.partner_service_id,
        customer_no: args.customer_no,
        paid_amount,
        bank_code: "BMRI".into(),
        fault,
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let run = runtime.block_on(niva::run(&key, &merchant, &payment));
    let paid = run.paid;
    Ok((serde_json::to_value(run)?, paid))
}
