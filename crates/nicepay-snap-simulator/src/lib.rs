//! # nicepay-snap-simulator
//!
//! A real HTTP/1.1 server on `127.0.0.1` that behaves like the NICEPAY SNAP sandbox, so the
//! SDK's clients, the CLI demo and the Python/Node test suites run fully offline.
//!
//! It verifies requests the way NICEPAY does — SHA256withRSA token requests, the HMAC-SHA512
//! transactional signature over the **raw received body bytes** with the signed path = request
//! path minus `/nicepay`, `X-TIMESTAMP` format and skew, same-day `X-EXTERNAL-ID` reuse,
//! mandatory fields and amount formats — and keeps QRIS, Virtual Account, e-wallet and payout
//! transactions in memory:
//!
//! | Endpoint | Service | Success |
//! |---|---|---|
//! | `POST /nicepay/v1.0/access-token/b2b` | 73 | `2007300` |
//! | `POST /nicepay/api/v1.0/qr/qr-mpm-generate` | 47 | `2004700` |
//! | `POST /nicepay/api/v1.0/qr/qr-mpm-query` (body `serviceCode` `47` or `51`) | 51 | `2005100` |
//! | `POST /nicepay/api/v1.0/qr/qr-mpm-refund` | 78 | `2007800` |
//! | `POST /nicepay/api/v1.0/transfer-va/create-va` | 27 | `2002700` (generates `virtualAccountNo` when empty, and `tXidVA`) |
//! | `POST /nicepay/api/v1.0/transfer-va/status` | 26 | `2002600` (`virtualAccountData.additionalInfo.latestTransactionStatus` `03`/`00`/`04`) |
//! | `DELETE /nicepay/api/v1.0/transfer-va/delete-va` (any other method: `4053100`) | 31 | `2003100` |
//! | `POST /nicepay/api/v1.0/debit/payment-host-to-host` | 54 | `2005400` (`webRedirectUrl` = the simulated wallet page) |
//! | `POST /nicepay/api/v1.0/debit/status` | 55 | `2005500` |
//! | `POST /nicepay/api/v1.0/debit/refund` | 58 | `2005800` |
//! | `POST /nicepay/api/v1.0/transfer/{registration,approve,reject,cancel,inquiry}` | 00 | `2000000` |
//! | `POST /nicepay/api/v1.0/balance-inquiry` | 11 | `2001100` |
//!
//! Errors use the SNAP envelope `{"responseCode":"{http}{svc}{case}","responseMessage":...}`:
//! `400xx00` Bad Request (malformed JSON), `400xx01` Invalid Field Format {field},
//! `400xx02` Invalid Mandatory Field {field}, `401xx00` Unauthorized. {reason} (bad signature,
//! unknown client), `401xx01` Access Token Invalid, `403xx02` Exceeds Transaction Amount Limit
//! (a refund above the remaining paid amount), `403xx15` Transaction Not Permitted (refund of
//! an unpaid or fully refunded QR), `404xx01` Transaction Not Found, `409xx00` Conflict (same
//! `X-EXTERNAL-ID` on the same Jakarta day), `409xx01` Duplicate partnerReferenceNo /
//! partnerRefundNo.
//!
//! Per service (our choices where NICEPAY's table gives codes but not when they apply):
//! - VA: duplicate `trxId` → `4092701`; a known `tXidVA` with another `virtualAccountNo` →
//!   `404xx19` Invalid Virtual Account; a delete with another `totalAmount` → `4003101` (status
//!   checks the format only and answers the real amount); deleting a **paid** VA →
//!   `4043113` Paid Bill, a cancelled one → `4033115`; delete sent as anything but `DELETE` →
//!   HTTP 405 `4053100`. An unpaid VA past `vacctValidDt`/`vacctValidTm` (Jakarta) is `04`
//!   Expired.
//! - E-wallet: `urlParam` must be an array (one object → `4005401`); refunds follow the QRIS money
//!   rules (`4035815` unpaid or fully refunded, `4035802` above the remaining amount, `4095801`
//!   duplicate `partnerRefundNo`).
//! - Payout: `deliveryName` and `deliveryNm` are both accepted. A state machine — `03` Pending →
//!   approve → `00` (debits the merchant balance; above it `4030014` Insufficient Funds) or reject →
//!   `05`; cancel → `04` only for scheduled payouts (non-empty `reservedDt`), pending or approved
//!   (credited back). Every other transition → `4030015`. Balances start at
//!   [`DEFAULT_PAYOUT_BALANCE_MINOR`] (IDR 100,000,000.00).
//!
//! Not part of SNAP, the admin API drives the scenario:
//!
//! | Admin endpoint | Does |
//! |---|---|
//! | `POST /__admin/qris/{referenceNo}/pay` | marks the QR paid and posts the signed notification to its `dbProcessUrl`; answers a [`PaymentOutcome`] |
//! | `POST /__admin/qris/{referenceNo}/notify` | posts the notification of a paid QR again |
//! | `POST /__admin/va/{virtualAccountNo or tXidVA}/pay` | the customer transfers: marks the VA paid and posts the signed VA notification (with `additionalInfo.tXidVA`) to its `dbProcessUrl` |
//! | `POST /__admin/ewallet/{referenceNo}/pay` | the customer approves: marks the payment paid and posts the signed e-wallet notification to `PAY_NOTIFY` (or `additionalInfo.dbProcessUrl`) |
//! | `POST /__admin/va/{id}/notify`, `POST /__admin/ewallet/{referenceNo}/notify` | posts the notification of a paid VA / e-wallet payment again |
//! | `POST /__admin/va/{id}/pay` `{"paidAmount":"5000.00"}` | a transfer of another amount than the bill: refused (`409`; NICEPAY VAs are closed-amount), nothing changes |
//! | `POST /__admin/{qris,va,ewallet}/{id}/expire` | expires a pending transaction (QRIS / e-wallet `05` Expired, VA `04` Expired); no notification |
//! | `POST /__admin/payout/{referenceNo}/{approve,reject}` | what the merchant's SNAP approve / reject does, without the call |
//! | `GET /__admin/notifications` | every notification attempt (all products, retries included; the newest 1000), as [`NotificationAttempt`]s |
//! | `GET /__sim/ewallet/{referenceNo}/approve` | the `webRedirectUrl` page: the same, then `303` to the `PAY_RETURN` URL |
//! | `GET /__sim/ewallet/{referenceNo}/cancel` | the customer declines instead: `05` Canceled, notification, `303` to `PAY_RETURN` |
//! | `GET`/`POST /__admin/payout/balance` | reads / sets (`{"availableBalance":"500.00"}`) the payout balance |
//! | `GET /__admin/state` | a [`StateSnapshot`] (no secrets) |
//! | `GET /__admin/info` | the [`SimulatorInfo`] |
//! | `GET`/`POST`/`DELETE /__admin/faults` | list / add (one [`Fault`] or an array) / clear fault rules |
//! | `DELETE /__admin/faults/{index}` | removes one fault rule (0-based, as listed) |
//! | `POST /__admin/tokens/expire` | invalidates every access token |
//! | `POST /__admin/shutdown` | stops the server shortly after answering (ends `nicepay-snap simulate`) |
//!
//! Notifications are only ever posted to `http://` loopback URLs; any other `dbProcessUrl` is
//! stored but not called.
//! One the merchant does not acknowledge (no 2xx within 10 s) is posted again, re-signed with the
//! same body, after each delay of the retry schedule ([`DEFAULT_NOTIFICATION_RETRY_SCHEDULE`],
//! [`SimulatorBuilder::notification_retry_schedule`]) until one attempt is acknowledged.
//!
//! `GET /__dashboard` ([`DASHBOARD_PATH`]) is a sandbox dashboard over the same state and admin
//! functions: transactions by product, QRIS QR codes, the notification log, the fault rules and
//! buttons acting as the customer or the bank; it updates itself every second.
//!
//! ```
//! use nicepay_snap_simulator::{Fault, Simulator};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), nicepay_snap_simulator::SimulatorError> {
//! let sim = Simulator::builder().start().await?;
//! let info = sim.info();
//! assert!(info.base_url.starts_with("http://127.0.0.1:"));
//! assert_eq!(info.client_id, "IONPAYTEST");
//! // Point a client at `{base_url}` (clients append `/nicepay`) with `info.client_secret`
//! // and `info.private_key_pem`, verify notifications with `info.notification_public_key`.
//! sim.set_fault(Fault::respond_after("/api/v1.0/qr/qr-mpm-refund", 504).times(1))?;
//! assert_eq!(sim.state().faults.len(), 1);
//! sim.shutdown().await;
//! # Ok(())
//! # }
//! ```

/// Builder methods that store their argument, as `$value` makes it, in `self.$field`.
macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident($arg:ident: $ty:ty) => $($field:ident).+ = $value:expr;)*) => {$(
        $(#[$doc])*
        pub fn $name(mut self, $arg: $ty) -> Self {
            self.$($field).+ = $value;
            self
        }
    )*};
}

// Modules, bottom layer first: each imports only from the groups before its own (and `snap`
// from nothing but `util`), so there is no import cycle.
// Leaves: errors, clock, ids.
mod error;
mod util;
// The SNAP envelope and field checks; notification delivery.
mod notify;
mod snap;
// Fault rules; the refund rules.
mod fault;
mod refund;
// The one generic transaction store.
mod ledger;
// Products, each over its own ledger.
mod ewallet;
mod payout;
mod qris;
mod va;
// All state behind one lock.
mod state;
// Who may call: token issuing and request verification.
mod auth;
mod token;
// The admin API (settlements, notifications, faults, balances) and the dashboard over it.
mod admin;
mod binding;
mod dashboard;
// The server: registers every route and serves connections.
mod server;

pub mod niva;
pub mod qr;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use nicepay_snap::{ClientSecret, PrivateKey, PublicKey, SymmetricSigner};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use binding::{BindingSnapshot, BindingStatus};
pub use dashboard::DASHBOARD_PATH;
pub use error::SimulatorError;
pub use ewallet::{EwalletSnapshot, EwalletStatus, EWALLET_MITRA_CODES};
pub use fault::{Fault, FaultKind};
pub use ledger::PaymentOutcome;
pub use notify::{NotificationAttempt, NotificationDelivery};
pub use payout::{PayoutSnapshot, PayoutStatus};
pub use qris::{QrisRefundSnapshot, QrisStatus, QrisTransactionSnapshot};
pub use state::{SimulatorInfo, StateSnapshot};
pub use va::{VaSnapshot, VaStatus};

use ewallet::Ewallet;
use qris::Qris;
use state::{ClientCredentials, Limits, Settings, Shared};
use va::Va;

/// TEST-ONLY merchant private key (PEM PKCS#8) the simulator expects token requests to be
/// signed with by default. Public; never use it for anything real.
pub const TEST_MERCHANT_PRIVATE_KEY_PEM: &str = include_str!("../keys/merchant-test-private-pkcs8.pem");

/// TEST-ONLY key standing in for NICEPAY's notification signing key (PEM PKCS#8).
pub const TEST_NOTIFICATION_PRIVATE_KEY_PEM: &str = include_str!("../keys/nicepay-notification-test-private-pkcs8.pem");

/// Default merchant client id.
pub const DEFAULT_CLIENT_ID: &str = "IONPAYTEST";

/// Default (TEST-ONLY) client secret.
pub const DEFAULT_CLIENT_SECRET: &str = "nicepay-snap-simulator-test-secret";

/// Default access-token lifetime (NICEPAY's documented 900 s).
pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(900);

/// Default accepted distance between `X-TIMESTAMP` and the simulator's clock.
pub const DEFAULT_MAX_SKEW: Duration = Duration::from_secs(300);

/// Default time a client has from the first byte of a request to the end of its headers.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Default time a client has from the end of the headers to the end of the body.
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Default time a connection may sit without a request (after connecting or between requests).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Default cap on open connections.
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;

/// Default largest request body (2 MiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// Default payout balance of every merchant: IDR 100,000,000.00 (in minor units).
pub const DEFAULT_PAYOUT_BALANCE_MINOR: u64 = 10_000_000_000;

/// The default delays before each retry of a notification the merchant did not acknowledge (no
/// answer within 10 s, or an HTTP status other than 2xx): 1, 2, 4, 8 and 16 minutes after the
/// previous attempt, so 6 attempts over about half an hour. NICEPAY retries unacknowledged
/// notifications but publishes no schedule; this one is the simulator's choice. Set another with
/// [`SimulatorBuilder::notification_retry_schedule`] (`nicepay-snap simulate
/// --notification-retries 1s,2s`).
pub const DEFAULT_NOTIFICATION_RETRY_SCHEDULE: [Duration; 5] = [
    Duration::from_secs(60),
    Duration::from_secs(120),
    Duration::from_secs(240),
    Duration::from_secs(480),
    Duration::from_secs(960),
];

/// Entry point: `Simulator::builder()...start().await`.
///
/// A `Simulator` is a validated configuration (keys parsed); start it with
/// [`Simulator::start`] (async) or [`Simulator::start_blocking`] (own runtime thread).
pub struct Simulator {
    client_id: String,
    client_secret: String,
    merchant_public_key: PublicKey,
    merchant_private_key_pem: Option<String>,
    notification_key: PrivateKey,
    tunables: Tunables,
}

impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulator")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("token_ttl", &self.tunables.token_ttl)
            .field("max_skew", &self.tunables.max_skew)
            .field("require_jakarta_offset", &self.tunables.require_jakarta_offset)
            .field("port", &self.tunables.port)
            .finish_non_exhaustive()
    }
}

/// The settings a [`SimulatorBuilder`] hands to its [`Simulator`], and it to the server, as they
/// are. Defined here, at the crate root, so that every module can read them.
#[derive(Debug, Clone)]
struct Tunables {
    token_ttl: Duration,
    /// Accepted `X-TIMESTAMP` skew either side of the simulator's clock.
    max_skew: Duration,
    require_jakarta_offset: bool,
    /// Every merchant's payout balance at start, in minor units.
    payout_balance_minor: u64,
    /// Connection and body limits.
    limits: Limits,
    /// Port on 127.0.0.1 (0: any free port).
    port: u16,
    /// Delays before each retry of an unacknowledged notification.
    notification_retries: Vec<Duration>,
}

/// Builder for [`Simulator`]. Every setting has a TEST-ONLY default.
#[derive(Clone)]
pub struct SimulatorBuilder {
    client_id: String,
    client_secret: String,
    merchant_private_key_pem: Option<String>,
    merchant_public_key_pem: Option<String>,
    notification_private_key_pem: String,
    tunables: Tunables,
}

impl Default for SimulatorBuilder {
    fn default() -> Self {
        Self {
            client_id: DEFAULT_CLIENT_ID.to_owned(),
            client_secret: DEFAULT_CLIENT_SECRET.to_owned(),
            merchant_private_key_pem: Some(TEST_MERCHANT_PRIVATE_KEY_PEM.to_owned()),
            merchant_public_key_pem: None,
            notification_private_key_pem: TEST_NOTIFICATION_PRIVATE_KEY_PEM.to_owned(),
            tunables: Tunables {
                token_ttl: DEFAULT_TOKEN_TTL,
                max_skew: DEFAULT_MAX_SKEW,
                require_jakarta_offset: true,
                payout_balance_minor: DEFAULT_PAYOUT_BALANCE_MINOR,
                limits: Limits {
                    header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
                    body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
                    idle_timeout: DEFAULT_IDLE_TIMEOUT,
                    max_connections: DEFAULT_MAX_CONNECTIONS,
                    max_body_bytes: DEFAULT_MAX_BODY_BYTES,
                },
                port: 0,
                notification_retries: DEFAULT_NOTIFICATION_RETRY_SCHEDULE.to_vec(),
            },
        }
    }
}

impl fmt::Debug for SimulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimulatorBuilder")
            .field("client_id", &self.client_id)
            .field("token_ttl", &self.tunables.token_ttl)
            .field("max_skew", &self.tunables.max_skew)
            .field("port", &self.tunables.port)
            .finish_non_exhaustive()
    }
}

impl SimulatorBuilder {
    setters! {
        /// Merchant client id (default `IONPAYTEST`).
        client_id(client_id: impl Into<String>) => client_id = client_id.into();
        /// Merchant client secret, the HMAC key (default [`DEFAULT_CLIENT_SECRET`]).
        client_secret(secret: impl Into<String>) => client_secret = secret.into();
        /// The private key the simulator signs notifications with (stands in for NICEPAY's).
        notification_private_key_pem(pem: impl Into<String>) => notification_private_key_pem = pem.into();
        /// Access-token lifetime (default 900 s). Use a short one to test token refresh.
        token_ttl(ttl: Duration) => tunables.token_ttl = ttl;
        /// Accepted `X-TIMESTAMP` skew either side of the simulator's clock (default 300 s).
        max_skew(skew: Duration) => tunables.max_skew = skew;
        /// Whether `X-TIMESTAMP` must use the `+07:00` offset as the docs demand (default `true`);
        /// `false` accepts any offset (`Z`, `+00:00`, ...).
        require_jakarta_offset(require: bool) => tunables.require_jakarta_offset = require;
        /// Every merchant's starting payout balance in minor units (default
        /// [`DEFAULT_PAYOUT_BALANCE_MINOR`], IDR 100,000,000.00). Approving a payout debits it; an
        /// approve above it answers `4030014 Insufficient Funds`.
        payout_balance_minor(minor: u64) => tunables.payout_balance_minor = minor;
        /// Time a client has from the first byte of a request to the end of its headers (default
        /// [`DEFAULT_HEADER_READ_TIMEOUT`], 10 s); then the connection is closed without an answer.
        header_read_timeout(timeout: Duration) => tunables.limits.header_read_timeout = timeout;
        /// Time a client has from the end of the headers to the end of the body (default
        /// [`DEFAULT_BODY_READ_TIMEOUT`], 30 s); then it gets `408` (SNAP `408{svc}00` on SNAP
        /// paths) and the connection is closed.
        body_read_timeout(timeout: Duration) => tunables.limits.body_read_timeout = timeout;
        /// Time a connection may sit without a request, after connecting or between keep-alive
        /// requests (default [`DEFAULT_IDLE_TIMEOUT`], 30 s); then it is closed.
        idle_timeout(timeout: Duration) => tunables.limits.idle_timeout = timeout;
        /// Open connections at most (default [`DEFAULT_MAX_CONNECTIONS`], at least 1). At the cap a
        /// new client makes the server close the longest-idle connection (or wait for a busy one to
        /// finish), so idle clients cannot lock the others out.
        max_connections(max: usize) => tunables.limits.max_connections = max.max(1);
        /// Largest request body read (default [`DEFAULT_MAX_BODY_BYTES`], 2 MiB). A larger body is
        /// read and discarded (up to 64 MiB) and answered `413` (SNAP `413{svc}00` on SNAP paths).
        max_body_bytes(max: usize) => tunables.limits.max_body_bytes = max;
        /// Port on 127.0.0.1 (default 0: any free port).
        port(port: u16) => tunables.port = port;
        /// The delays before each retry of a notification the merchant did not acknowledge
        /// (default [`DEFAULT_NOTIFICATION_RETRY_SCHEDULE`]); empty: no retries. Retry `n` is
        /// posted `schedule[n - 1]` after attempt `n` failed, until one is acknowledged.
        notification_retry_schedule(schedule: Vec<Duration>) => tunables.notification_retries = schedule;
    }

    /// The merchant private key (any text form the core accepts). The simulator verifies token
    /// signatures with its public half and reports the text in [`SimulatorInfo::private_key_pem`].
    pub fn merchant_private_key_pem(mut self, pem: impl Into<String>) -> Self {
        self.merchant_private_key_pem = Some(pem.into());
        self.merchant_public_key_pem = None;
        self
    }

    /// Only the merchant public key (as registered with NICEPAY). [`SimulatorInfo::private_key_pem`]
    /// is then `null`.
    pub fn merchant_public_key_pem(mut self, pem: impl Into<String>) -> Self {
        self.merchant_public_key_pem = Some(pem.into());
        self.merchant_private_key_pem = None;
        self
    }

    /// Validates the settings and parses the keys.
    pub fn build(self) -> Result<Simulator, SimulatorError> {
        let config_err = |field: &'static str, reason: String| SimulatorError::Config { field, reason };
        if self.client_id.is_empty()
            || self.client_id.len() > 20
            || !self.client_id.bytes().all(|b| b.is_ascii_graphic())
            || self.client_id.contains('|')
        {
            return Err(config_err(
                "client_id",
                "1 to 20 printable ASCII characters, no '|'".into(),
            ));
        }
        if self.client_secret.is_empty() {
            return Err(config_err("client_secret", "must not be empty".into()));
        }
        let merchant_public_key = match (&self.merchant_private_key_pem, &self.merchant_public_key_pem) {
            (Some(pem), _) => PrivateKey::parse(pem)
                .map_err(|e| config_err("merchant_private_key", e.to_string()))?
                .public_key()
                .clone(),
            (None, Some(pem)) => PublicKey::parse(pem).map_err(|e| config_err("merchant_public_key", e.to_string()))?,
            (None, None) => return Err(config_err("merchant_public_key", "is required".into())),
        };
        let notification_key = PrivateKey::parse(&self.notification_private_key_pem)
            .map_err(|e| config_err("notification_private_key", e.to_string()))?;
        Ok(Simulator {
            client_id: self.client_id,
            client_secret: self.client_secret,
            merchant_public_key,
            merchant_private_key_pem: self.merchant_private_key_pem,
            notification_key,
            tunables: self.tunables,
        })
    }

    /// `build()` then [`Simulator::start`].
    pub async fn start(self) -> Result<SimulatorHandle, SimulatorError> {
        self.build()?.start().await
    }

    /// `build()` then [`Simulator::start_blocking`].
    pub fn start_blocking(self) -> Result<BlockingSimulator, SimulatorError> {
        self.build()?.start_blocking()
    }
}

impl Simulator {
    /// A builder with TEST-ONLY defaults.
    pub fn builder() -> SimulatorBuilder {
        SimulatorBuilder::default()
    }

    /// Binds `127.0.0.1:{port}` and serves on the current Tokio runtime until
    /// [`SimulatorHandle::shutdown`] (or the handle is dropped).
    pub async fn start(self) -> Result<SimulatorHandle, SimulatorError> {
        let listener =
            tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, self.tunables.port))).await?;
        let addr = listener.local_addr()?;
        let info = SimulatorInfo {
            base_url: format!("http://{addr}"),
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
            private_key_pem: self.merchant_private_key_pem.clone(),
            notification_public_key: self.notification_key.public_key().to_pem(),
        };
        let http =
            util::loopback_client().map_err(|e| SimulatorError::Internal(format!("notification client: {e}")))?;
        let (stop_tx, stop_rx) = watch::channel(false);
        let settings = Settings {
            clients: vec![ClientCredentials {
                client_id: self.client_id.clone(),
                signer: SymmetricSigner::new(&ClientSecret::new(self.client_secret.clone())),
                public_key: self.merchant_public_key,
            }],
            notification_key: self.notification_key,
            tunables: self.tunables,
        };
        let shared = Arc::new(Shared {
            state: Mutex::new(state::State::new(&settings)),
            settings,
            http,
            info: info.clone(),
            stop: stop_tx.clone(),
        });
        let task = tokio::spawn(server::serve(
            listener,
            server::router(shared.clone()),
            shared.settings.tunables.limits,
            stop_rx,
        ));
        Ok(SimulatorHandle {
            info,
            addr,
            shared,
            stop: stop_tx,
            task: Some(task),
        })
    }

    /// Starts the simulator on its own runtime thread and returns a synchronous handle (for
    /// blocking tests and the CLI). Must not be called from inside a Tokio runtime.
    pub fn start_blocking(self) -> Result<BlockingSimulator, SimulatorError> {
        ensure_outside_runtime()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("nicepay-snap-simulator")
            .enable_all()
            .build()?;
        let handle = runtime.block_on(self.start())?;
        Ok(BlockingSimulator {
            handle: Some(handle),
            runtime: Some(runtime),
        })
    }
}

fn ensure_outside_runtime() -> Result<(), SimulatorError> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(SimulatorError::Runtime(
            "blocking simulator calls cannot run inside a Tokio runtime; use Simulator::start().await".into(),
        ));
    }
    Ok(())
}

/// A running simulator on the caller's Tokio runtime. Dropping it stops the server.
pub struct SimulatorHandle {
    info: SimulatorInfo,
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for SimulatorHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimulatorHandle")
            .field("addr", &self.addr)
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

/// The simulator's driving methods: the async ones on [`SimulatorHandle`], each also on
/// [`BlockingSimulator`] (blocking on the simulator's runtime); the quick ones on both alike.
macro_rules! handle_methods {
    (
        async { $($(#[$adoc:meta])* $aname:ident($id:ident) -> $aret:ty = $how:ident $product:ident $(, $change:path)?;)* }
        sync { $($(#[$sdoc:meta])* $sname:ident($($arg:ident: $ty:ty),*) $(-> $sret:ty)? = |$shared:ident| $body:expr;)* }
    ) => {
        impl SimulatorHandle {
            $(
                $(#[$adoc])*
                pub async fn $aname(&self, $id: &str) -> Result<$aret, SimulatorError> {
                    handle_methods!(@$how self, $id, $product $(, $change)?)
                }
            )*
            $(
                $(#[$sdoc])*
                pub fn $sname(&self $(, $arg: $ty)*) $(-> $sret)? {
                    let $shared = &self.shared;
                    $body
                }
            )*
        }

        impl BlockingSimulator {
            $(
                #[doc = concat!("Blocking [`SimulatorHandle::", stringify!($aname), "`].")]
                pub fn $aname(&self, $id: &str) -> Result<$aret, SimulatorError> {
                    self.block_on(self.handle().$aname($id))?
                }
            )*
            $(
                #[doc = concat!("See [`SimulatorHandle::", stringify!($sname), "`].")]
                pub fn $sname(&self $(, $arg: $ty)*) $(-> $sret)? {
                    self.handle().$sname($($arg),*)
                }
            )*
        }
    };
    (@settle $self:ident, $id:ident, $product:ident, $change:path) => {
        admin::settle::<$product>(&$self.shared, $id, $change)
            .await
            .map(|(outcome, _)| outcome)
    };
    (@renotify $self:ident, $id:ident, $product:ident) => {
        admin::renotify::<$product>(&$self.shared, $id).await
    };
}

handle_methods! {
    async {
        /// Simulates the customer paying a pending QRIS transaction: marks it paid and posts the
        /// signed notification to its `dbProcessUrl` (loopback only), reporting the merchant's answer.
        pay_qris(reference_no) -> PaymentOutcome = settle Qris, qris::pay;
        /// Posts the notification of an already paid QRIS transaction again (as NICEPAY retries do).
        resend_qris_notification(reference_no) -> Option<NotificationDelivery> = renotify Qris;
        /// Simulates the customer transferring to an unpaid virtual account, named by its
        /// `tXidVA` or its `virtualAccountNo`: marks it paid (`00`) and posts the signed VA
        /// notification to its `dbProcessUrl` (loopback only).
        pay_va(id) -> PaymentOutcome = settle Va, va::pay;
        /// Simulates the customer approving a pending e-wallet payment (what opening its
        /// `webRedirectUrl` does): marks it paid (`00`) and posts the signed e-wallet notification
        /// to its `PAY_NOTIFY` URL (or `additionalInfo.dbProcessUrl`).
        pay_ewallet(reference_no) -> PaymentOutcome = settle Ewallet, ewallet::approve;
        /// Posts the notification of a paid VA again (as NICEPAY retries do).
        resend_va_notification(id) -> Option<NotificationDelivery> = renotify Va;
        /// Posts the notification of a paid e-wallet payment again.
        resend_ewallet_notification(reference_no) -> Option<NotificationDelivery> = renotify Ewallet;
        /// Simulates the customer declining a pending e-wallet payment (the wallet page's
        /// `GET /__sim/ewallet/{referenceNo}/cancel`): `05` Canceled, and a signed notification saying
        /// so. `paid_at` in the answer is then the time of the decline.
        decline_ewallet(reference_no) -> PaymentOutcome = settle Ewallet, ewallet::decline;
    }
    sync {
        /// The merchant's available payout balance in minor units.
        payout_balance_minor(client_id: &str) -> u64 = |shared| shared.lock().payout.balance(client_id);
        /// Sets the merchant's available payout balance (minor units).
        set_payout_balance_minor(client_id: &str, minor: u64) = |shared| shared.lock().payout.set_balance(client_id, minor);
        /// Removes every fault rule.
        clear_faults() = |shared| shared.lock().faults.clear();
        /// Invalidates every issued access token (clients then get `401xx01`).
        expire_tokens() = |shared| shared.lock().expire_tokens();
        /// Sets (or clears) where `client_id` receives payout result notifications (NICEPAY sets
        /// it at onboarding). Sent after an immediate payout's approve, a reject, and a
        /// scheduled payout's execution ([`SimulatorHandle::execute_payout`]).
        set_payout_notification_url(client_id: &str, url: Option<String>) = |shared| shared.lock().payout.set_notify_url(client_id, url);
        /// Every payout notification delivery so far, oldest first.
        payout_notifications() -> Vec<NotificationDelivery> = |shared| shared.lock().payout.deliveries.clone();
        /// Every notification attempt (all products, retries included; the newest 1000), oldest
        /// first, as `GET /__admin/notifications` answers.
        notification_log() -> Vec<NotificationAttempt> = |shared| shared.lock().notifications.attempts();
    }
}

impl SimulatorHandle {
    /// Executes an approved scheduled payout (the simulator keeps no calendar) and delivers
    /// its result notification, if the merchant has a notification URL.
    pub async fn execute_payout(&self, reference_no: &str) -> Result<Option<NotificationDelivery>, SimulatorError> {
        admin::execute_scheduled_payout(&self.shared, reference_no).await
    }
}

impl BlockingSimulator {
    /// Blocking [`SimulatorHandle::execute_payout`].
    pub fn execute_payout(&self, reference_no: &str) -> Result<Option<NotificationDelivery>, SimulatorError> {
        self.block_on(self.handle().execute_payout(reference_no))?
    }
}

impl SimulatorHandle {
    /// Host root, e.g. `http://127.0.0.1:41234`; clients append `/nicepay`.
    pub fn base_url(&self) -> &str {
        &self.info.base_url
    }

    /// The sandbox dashboard, e.g. `http://127.0.0.1:41234/__dashboard`.
    pub fn dashboard_url(&self) -> String {
        format!("{}{DASHBOARD_PATH}", self.info.base_url)
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Connection details for clients.
    pub fn info(&self) -> &SimulatorInfo {
        &self.info
    }

    /// Adds a fault-injection rule (rules are matched in insertion order).
    pub fn set_fault(&self, fault: Fault) -> Result<(), SimulatorError> {
        admin::add_faults(&self.shared, vec![fault])
    }

    /// A snapshot of the state (no secrets).
    pub fn state(&self) -> StateSnapshot {
        self.shared.lock().snapshot(&self.shared.settings)
    }

    /// Stops accepting, closes open connections and waits for the server task.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SimulatorHandle {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// A running simulator on its own runtime thread, driven synchronously. Dropping it stops the
/// server. Its methods must not be called from inside a Tokio runtime.
pub struct BlockingSimulator {
    handle: Option<SimulatorHandle>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl fmt::Debug for BlockingSimulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BlockingSimulator")
            .field("handle", &self.handle)
            .finish_non_exhaustive()
    }
}

impl BlockingSimulator {
    /// See [`SimulatorHandle::dashboard_url`].
    pub fn dashboard_url(&self) -> String {
        self.handle().dashboard_url()
    }

    fn handle(&self) -> &SimulatorHandle {
        self.handle.as_ref().expect("the handle lives until drop or shutdown")
    }

    fn block_on<F: std::future::Future>(&self, fut: F) -> Result<F::Output, SimulatorError> {
        ensure_outside_runtime()?;
        let runtime = self
            .runtime
            .as_ref()
            .ok_or_else(|| SimulatorError::Runtime("the simulator was shut down".into()))?;
        Ok(runtime.block_on(fut))
    }

    /// Host root, e.g. `http://127.0.0.1:41234`; clients append `/nicepay`.
    pub fn base_url(&self) -> &str {
        self.handle().base_url()
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.handle().addr()
    }

    /// Connection details for clients.
    pub fn info(&self) -> &SimulatorInfo {
        self.handle().info()
    }

    /// See [`SimulatorHandle::set_fault`].
    pub fn set_fault(&self, fault: Fault) -> Result<(), SimulatorError> {
        self.handle().set_fault(fault)
    }

    /// See [`SimulatorHandle::state`].
    pub fn state(&self) -> StateSnapshot {
        self.handle().state()
    }

    /// Blocks the calling thread while the server runs: until `POST /__admin/shutdown` (or the
    /// process ends). For the CLI.
    pub fn wait(mut self) -> Result<(), SimulatorError> {
        ensure_outside_runtime()?;
        let task = self.handle.as_mut().and_then(|h| h.task.take());
        if let (Some(task), Some(runtime)) = (task, self.runtime.as_ref()) {
            let _ = runtime.block_on(task);
        }
        Ok(())
    }

    /// Stops the server and its runtime.
    pub fn shutdown(mut self) {
        self.stop_now();
    }

    fn stop_now(&mut self) {
        if let Some(handle) = self.handle.take() {
            match self.runtime.as_ref() {
                Some(rt) if tokio::runtime::Handle::try_current().is_err() => rt.block_on(handle.shutdown()),
                _ => drop(handle),
            }
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl Drop for BlockingSimulator {
    fn drop(&mut self) {
        self.stop_now();
    }
}
