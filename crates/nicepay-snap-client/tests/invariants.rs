//! Money-safety invariants under randomized faults.
//!
//! Four concurrent workers (two blocking clients over ureq, two async clients over reqwest) run
//! 1200+ seeded random operations against one simulator on 127.0.0.1: generate, pay, partial and
//! over-limit refunds, same-identity resends, concurrent duplicate refunds, status queries, and
//! fault injection (latency past the client timeout, drop before/after apply, 500, 504, 202).
//! Checked:
//! - no refund is applied twice (each `partnerRefundNo` appears at most once in the simulator);
//! - the refunded total never exceeds the paid amount;
//! - every `OutcomeUnknown` is resolved correctly: a status query (after any in-flight request
//!   has landed) tells whether the refund was applied, a same-identity resend agrees (duplicate
//!   if applied, applied now if not), and the simulator's `state()` agrees with both;
//! - each worker's view of every transaction equals the simulator's at the end.
//!
//! Reproducible: the operation sequence of each worker comes from a seeded PRNG
//! (`NICEPAY_INVARIANTS_SEED`, default below; `NICEPAY_INVARIANTS_OPS` per worker, default 300).
//! Faults are global to the simulator, so which concurrent request meets an injected fault
//! depends on scheduling; the invariants must hold for every interleaving.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use nicepay_snap::api::qris::{
    QrisGenerateAdditionalInfo, QrisGenerateRequest, QrisGenerateResponse, QrisQueryRequest, QrisQueryResponse,
    QrisRefundAdditionalInfo, QrisRefundRequest, QrisRefundResponse,
};
use nicepay_snap::Amount;
use nicepay_snap_client::{AsyncClient, Client, ClientError};
use nicepay_snap_reqwest::ReqwestTransport;
use nicepay_snap_simulator::{BlockingSimulator, Fault, Simulator, SimulatorInfo};
use nicepay_snap_ureq::UreqTransport;

const GENERATE: &str = "/api/v1.0/qr/qr-mpm-generate";
const QUERY: &str = "/api/v1.0/qr/qr-mpm-query";
const REFUND: &str = "/api/v1.0/qr/qr-mpm-refund";
const DEFAULT_SEED: u64 = 0x6e69_6365_7061_7907;
const WORKERS: u64 = 4;
/// Client-side timeout; injected latency exceeds it so the client gives up while the server
/// goes on to apply the request.
const CLIENT_TIMEOUT: Duration = Duration::from_millis(250);
const FAULT_LATENCY_MS: u64 = 400;

/// SplitMix64: tiny, seedable, good enough to pick operations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn idr(minor: u64) -> Amount {
    Amount::idr(format!("{}.{:02}", minor / 100, minor % 100)).expect("amount")
}

fn minor(value: &str) -> u64 {
    let (whole, frac) = value.split_once('.').unwrap_or((value, "00"));
    whole.parse::<u64>().expect("whole") * 100 + frac.parse::<u64>().expect("fraction")
}

static SEQ: AtomicU64 = AtomicU64::new(0);

fn unique(prefix: &str) -> String {
    format!("{prefix}{}", SEQ.fetch_add(1, Ordering::Relaxed))
}

/// One client, blocking or async (driven on its own current-thread runtime).
enum Api {
    Blocking(Client<UreqTransport>),
    Async(Box<AsyncClient<ReqwestTransport>>, tokio::runtime::Runtime),
}

impl Api {
    fn new(info: &SimulatorInfo, blocking: bool) -> Self {
        let config = nicepay_snap::Config::builder()
            .client_id(&info.client_id)
            .client_secret(info.client_secret.as_str())
            .private_key_text(info.private_key_pem.as_deref().expect("simulator key"))
            .base_url(&info.base_url)
            .build()
            .expect("config");
        if blocking {
            Self::Blocking(Client::new(
                config,
                UreqTransport::builder().timeout(CLIENT_TIMEOUT).build(),
            ))
        } else {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            let transport = ReqwestTransport::builder()
                .timeout(CLIENT_TIMEOUT)
                .build()
                .expect("reqwest");
            Self::Async(Box::new(AsyncClient::new(config, transport)), rt)
        }
    }

    fn generate(&self, r: &QrisGenerateRequest) -> Result<QrisGenerateResponse, ClientError> {
        match self {
            Self::Blocking(c) => c.qris_generate(r),
            Self::Async(c, rt) => rt.block_on(c.qris_generate(r)),
        }
    }

    fn query(&self, r: &QrisQueryRequest) -> Result<QrisQueryResponse, ClientError> {
        match self {
            Self::Blocking(c) => c.qris_query(r),
            Self::Async(c, rt) => rt.block_on(c.qris_query(r)),
        }
    }

    fn refund(&self, r: &QrisRefundRequest) -> Result<QrisRefundResponse, ClientError> {
        match self {
            Self::Blocking(c) => c.qris_refund(r),
            Self::Async(c, rt) => rt.block_on(c.qris_refund(r)),
        }
    }
}

/// What a worker knows about one of its transactions.
#[derive(Debug, Clone)]
struct Txn {
    reference_no: String,
    order: String,
    amount: u64,
    paid: bool,
    /// partnerRefundNo → amount, for refunds known to be applied.
    applied: BTreeMap<String, u64>,
    /// partnerRefundNo of refunds known not to be applied.
    rejected: Vec<String>,
}

impl Txn {
    fn refunded(&self) -> u64 {
        self.applied.values().sum()
    }
}

#[derive(Debug, Default)]
struct Stats {
    ops: u64,
    faults: u64,
    unknown_resolved_applied: u64,
    unknown_resolved_not_applied: u64,
    duplicates_refused: u64,
    over_limit_refused: u64,
    refunds_applied: u64,
    concurrent_duplicates: u64,
}

struct Worker {
    id: u64,
    rng: Rng,
    api: Arc<Api>,
    /// A second client for concurrent duplicate refunds.
    twin: Arc<Api>,
    sim: Arc<BlockingSimulator>,
    info: SimulatorInfo,
    txns: Vec<Txn>,
    stats: Stats,
}

fn is_code(e: &ClientError, code: &str) -> bool {
    e.response_code().is_some_and(|c| c.as_str() == code)
}

fn refund_request(info: &SimulatorInfo, t: &Txn, refund_no: &str, amount: u64) -> QrisRefundRequest {
    QrisRefundRequest {
        original_reference_no: t.reference_no.clone(),
        original_partner_reference_no: t.order.clone(),
        partner_refund_no: refund_no.to_owned(),
        merchant_id: info.client_id.clone(),
        external_store_id: "NICEPAY".into(),
        refund_amount: idr(amount),
        reason: "invariants".into(),
        additional_info: QrisRefundAdditionalInfo::default(),
    }
}

/// The outcome of a refund as far as the caller can tell.
enum RefundResult {
    Applied,
    Duplicate,
    OverLimit,
    Unknown(String),
}

fn classify(result: Result<QrisRefundResponse, ClientError>, what: &str) -> RefundResult {
    match result {
        Ok(r) => {
            assert_eq!(r.response_code.as_str(), "2007800", "{what}");
            RefundResult::Applied
        }
        Err(e) if e.is_outcome_unknown() => RefundResult::Unknown(e.to_string()),
        Err(e) if is_code(&e, "4097801") => RefundResult::Duplicate,
        Err(e) if e.response_code().is_some_and(|c| c.as_str().starts_with("403")) => RefundResult::OverLimit,
        Err(e) => panic!("{what}: unexpected refund error {e:?}"),
    }
}

impl Worker {
    fn paid_txn(&mut self) -> Option<usize> {
        let paid: Vec<usize> = (0..self.txns.len()).filter(|&i| self.txns[i].paid).collect();
        if paid.is_empty() {
            return None;
        }
        Some(paid[(self.rng.next() % paid.len() as u64) as usize])
    }

    /// Status query, retried through injected faults (a query moves no money).
    fn refunded_on_server(&self, t: &Txn) -> u64 {
        let q = QrisQueryRequest::new(&t.reference_no, &t.order, &self.info.client_id, "NICEPAY");
        for _ in 0..50 {
            match self.api.query(&q) {
                Ok(r) => {
                    let info = r.additional_info.expect("query additionalInfo");
                    return minor(info["refundedAmount"]["value"].as_str().expect("refundedAmount"));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
        panic!("worker {}: status query never succeeded", self.id);
    }

    /// Resolves an unknown refund outcome: first by status query (after waiting out any
    /// injected latency, so the in-flight attempt has landed), then confirms with a same-identity
    /// resend, which must agree. If the resend meets a fault too, its outcome is unknown again
    /// (it may have applied the refund), so the query is repeated. Returns whether the refund is
    /// applied.
    fn resolve(&mut self, i: usize, refund_no: &str, amount: u64, first_attempt: &str) -> bool {
        let req = refund_request(&self.info, &self.txns[i], refund_no, amount);
        let known = self.txns[i].refunded();
        let mut last = first_attempt.to_owned();
        for _ in 0..50 {
            std::thread::sleep(Duration::from_millis(FAULT_LATENCY_MS + 100));
            let on_server = self.refunded_on_server(&self.txns[i]);
            let by_query = on_server == known + amount;
            assert!(
                by_query || on_server == known,
                "worker {}: server total {on_server} matches neither outcome of {refund_no} ({amount}, known {known}); last attempt: {last}",
                self.id
            );
            let context = || {
                format!(
                    "worker {}: {refund_no} ({amount}), query said applied={by_query}; last attempt: {last}",
                    self.id
                )
            };
            match classify(self.api.refund(&req), refund_no) {
                RefundResult::Duplicate => {
                    assert!(by_query, "{}: the resend says duplicate", context());
                    return true;
                }
                RefundResult::Applied => {
                    assert!(!by_query, "{}: applied twice", context());
                    return true;
                }
                RefundResult::OverLimit => {
                    // Only an over-limit request that was never applied may be refused so.
                    assert!(!by_query, "{}: refused as over limit on resend", context());
                    return false;
                }
                RefundResult::Unknown(why) => last = why,
            }
        }
        panic!("worker {}: {refund_no} never resolved", self.id);
    }

    fn record(&mut self, i: usize, refund_no: String, amount: u64, applied: bool) {
        if applied {
            self.txns[i].applied.insert(refund_no, amount);
            self.stats.refunds_applied += 1;
        } else {
            self.txns[i].rejected.push(refund_no);
        }
    }

    fn op_generate(&mut self) {
        let order = unique(&format!("inv{}-order-", self.id));
        let amount = self.rng.range(10, 2_000) * 100;
        let req = QrisGenerateRequest {
            partner_reference_no: order.clone(),
            amount: idr(amount),
            merchant_id: self.info.client_id.clone(),
            store_id: "NICEPAY".into(),
            sub_merchant_id: None,
            validity_period: None,
            additional_info: QrisGenerateAdditionalInfo::default(),
        };
        // A generate that meets a fault is simply abandoned (it moves no money).
        if let Ok(r) = self.api.generate(&req) {
            let reference_no = r.reference_no.expect("referenceNo");
            // The same partnerReferenceNo again is refused, never a second order.
            if self.rng.chance(10) {
                match self.api.generate(&req) {
                    Err(e) if is_code(&e, "4094701") => self.stats.duplicates_refused += 1,
                    Err(_) => {} // an injected fault
                    Ok(r) => panic!("duplicate partnerReferenceNo created {:?}", r.reference_no),
                }
            }
            self.txns.push(Txn {
                reference_no,
                order,
                amount,
                paid: false,
                applied: BTreeMap::new(),
                rejected: Vec::new(),
            });
        }
    }

    fn op_pay(&mut self) {
        let unpaid: Vec<usize> = (0..self.txns.len()).filter(|&i| !self.txns[i].paid).collect();
        if let Some(&i) = unpaid.first() {
            self.sim.pay_qris(&self.txns[i].reference_no).expect("pay");
            self.txns[i].paid = true;
        } else {
            self.op_generate();
        }
    }

    fn op_refund(&mut self) {
        let Some(i) = self.paid_txn() else {
            return self.op_pay();
        };
        let remaining = self.txns[i].amount - self.txns[i].refunded();
        // Mostly valid partial refunds; sometimes exactly the rest, sometimes one cent too much.
        let amount = match self.rng.range(0, 9) {
            0 => remaining + 1,
            1 => remaining,
            _ => self.rng.range(1, remaining.max(1)),
        };
        if amount == 0 {
            return;
        }
        let refund_no = unique(&format!("inv{}-refund-", self.id));
        let req = refund_request(&self.info, &self.txns[i], &refund_no, amount);
        match classify(self.api.refund(&req), &refund_no) {
            RefundResult::Applied => {
                assert!(amount <= remaining, "worker {}: over-refund accepted", self.id);
                self.record(i, refund_no, amount, true);
            }
            RefundResult::OverLimit => {
                assert!(amount > remaining, "worker {}: valid refund refused", self.id);
                self.stats.over_limit_refused += 1;
                self.record(i, refund_no, amount, false);
            }
            RefundResult::Duplicate => panic!("worker {}: fresh {refund_no} reported as duplicate", self.id),
            RefundResult::Unknown(why) => {
                let applied = self.resolve(i, &refund_no, amount, &why);
                assert!(
                    !applied || amount <= remaining,
                    "worker {}: over-refund applied",
                    self.id
                );
                if applied {
                    self.stats.unknown_resolved_applied += 1;
                } else {
                    self.stats.unknown_resolved_not_applied += 1;
                }
                self.record(i, refund_no, amount, applied);
            }
        }
    }

    fn op_resend_applied(&mut self) {
        let Some(i) = self.paid_txn() else {
            return self.op_refund();
        };
        let Some((refund_no, amount)) = self.txns[i].applied.iter().next().map(|(k, v)| (k.clone(), *v)) else {
            return self.op_refund();
        };
        let req = refund_request(&self.info, &self.txns[i], &refund_no, amount);
        match classify(self.api.refund(&req), &refund_no) {
            RefundResult::Duplicate => self.stats.duplicates_refused += 1,
            RefundResult::Unknown(_) => {
                // Faulted resend of an applied refund: resolving must say "applied" (once).
                std::thread::sleep(Duration::from_millis(FAULT_LATENCY_MS + 100));
                assert_eq!(self.refunded_on_server(&self.txns[i]), self.txns[i].refunded());
            }
            _ => panic!("worker {}: resend of applied {refund_no} was not a duplicate", self.id),
        }
    }

    /// Two clients send the same new refund at the same time: exactly one applies it.
    fn op_concurrent_duplicate(&mut self) {
        let Some(i) = self.paid_txn() else {
            return self.op_refund();
        };
        let remaining = self.txns[i].amount - self.txns[i].refunded();
        if remaining == 0 {
            return;
        }
        let amount = self.rng.range(1, remaining);
        let refund_no = unique(&format!("inv{}-dup-", self.id));
        let req = refund_request(&self.info, &self.txns[i], &refund_no, amount);
        let (a, b) = (self.api.clone(), self.twin.clone());
        let (ra, rb) = (req.clone(), req);
        let ta = std::thread::spawn(move || classify(a.refund(&ra), "dup a"));
        let tb = std::thread::spawn(move || classify(b.refund(&rb), "dup b"));
        let results = [ta.join().expect("dup a"), tb.join().expect("dup b")];
        let applied = results.iter().filter(|r| matches!(r, RefundResult::Applied)).count();
        let unknown = results.iter().any(|r| matches!(r, RefundResult::Unknown(_)));
        assert!(applied <= 1, "worker {}: concurrent duplicate applied twice", self.id);
        self.stats.concurrent_duplicates += 1;
        let applied = if applied == 1 {
            true
        } else if unknown {
            self.resolve(i, &refund_no, amount, "concurrent duplicate")
        } else {
            // Both duplicates without an unknown outcome cannot happen for a fresh number.
            assert!(
                results.iter().any(|r| matches!(r, RefundResult::Duplicate)),
                "worker {}: neither concurrent copy applied",
                self.id
            );
            panic!("worker {}: both concurrent copies refused as duplicates", self.id);
        };
        self.record(i, refund_no, amount, applied);
    }

    fn op_query(&mut self) {
        if let Some(i) = self.paid_txn() {
            let on_server = self.refunded_on_server(&self.txns[i]);
            assert_eq!(
                on_server,
                self.txns[i].refunded(),
                "worker {}: query disagrees",
                self.id
            );
        }
    }

    fn op_fault(&mut self) {
        self.stats.faults += 1;
        let path = match self.rng.range(0, 9) {
            0 => GENERATE,
            1 => QUERY,
            _ => REFUND,
        };
        let fault = match self.rng.range(0, 6) {
            0 => Fault::latency(path, FAULT_LATENCY_MS),
            1 => Fault::drop_before(path),
            2 => Fault::drop_after(path),
            3 => Fault::respond_before(path, 500),
            4 => Fault::respond_after(path, 500),
            5 => Fault::respond_after(path, 504),
            _ => Fault::respond_after(path, 202),
        };
        self.sim.set_fault(fault.times(1)).expect("fault");
    }

    fn run(mut self, ops: u64) -> Self {
        for _ in 0..ops {
            self.stats.ops += 1;
            match self.rng.range(0, 99) {
                0..=14 => self.op_generate(),
                15..=29 => self.op_pay(),
                30..=69 => self.op_refund(),
                70..=76 => self.op_resend_applied(),
                77..=81 => self.op_concurrent_duplicate(),
                82..=91 => self.op_query(),
                _ => self.op_fault(),
            }
        }
        self
    }
}

#[test]
fn randomized_faults_never_lose_or_duplicate_money() {
    let seed = env_u64("NICEPAY_INVARIANTS_SEED", DEFAULT_SEED);
    let ops = env_u64("NICEPAY_INVARIANTS_OPS", 300);
    println!("seed {seed:#x}, {ops} ops x {WORKERS} workers (NICEPAY_INVARIANTS_SEED / NICEPAY_INVARIANTS_OPS)");
    let sim = Arc::new(Simulator::builder().start_blocking().expect("simulator"));
    let info = sim.info().clone();

    let handles: Vec<_> = (0..WORKERS)
        .map(|id| {
            let sim = sim.clone();
            let info = info.clone();
            std::thread::spawn(move || {
                let blocking = id % 2 == 0;
                let worker = Worker {
                    id,
                    rng: Rng(seed ^ (id + 1).wrapping_mul(0xD6E8_FEB8_6659_FD93)),
                    api: Arc::new(Api::new(&info, blocking)),
                    twin: Arc::new(Api::new(&info, !blocking)),
                    sim,
                    info,
                    txns: Vec::new(),
                    stats: Stats::default(),
                };
                worker.run(ops)
            })
        })
        .collect();
    let workers: Vec<Worker> = handles
        .into_iter()
        .map(|h| {
            h.join()
                .expect("a worker found a violated invariant (see its panic above)")
        })
        .collect();

    // Let any request delayed by a leftover latency fault land, then compare with the server.
    std::thread::sleep(Duration::from_millis(FAULT_LATENCY_MS + 100));
    sim.clear_faults();
    let state = sim.state();
    let server: HashMap<&str, _> = state.qris.iter().map(|t| (t.reference_no.as_str(), t)).collect();
    let mut seen_refund_nos = HashMap::new();
    for t in &state.qris {
        let sum: u64 = t.refunds.iter().map(|r| minor(&r.amount)).sum();
        assert!(
            sum <= minor(&t.amount),
            "{}: refunded {sum} of {}",
            t.reference_no,
            t.amount
        );
        assert_eq!(minor(&t.refunded_amount), sum, "{}", t.reference_no);
        for r in &t.refunds {
            assert!(
                seen_refund_nos
                    .insert(r.partner_refund_no.clone(), t.reference_no.clone())
                    .is_none(),
                "refund {} applied twice",
                r.partner_refund_no
            );
        }
    }
    let mut total = Stats::default();
    for w in &workers {
        for t in &w.txns {
            let s = server
                .get(t.reference_no.as_str())
                .expect("transaction known to the server");
            let on_server: BTreeMap<String, u64> = s
                .refunds
                .iter()
                .map(|r| (r.partner_refund_no.clone(), minor(&r.amount)))
                .collect();
            assert_eq!(on_server, t.applied, "worker {} view of {}", w.id, t.reference_no);
            for no in &t.rejected {
                assert!(!on_server.contains_key(no), "{no} was reported not applied but is");
            }
        }
        let s = &w.stats;
        total.ops += s.ops;
        total.faults += s.faults;
        total.unknown_resolved_applied += s.unknown_resolved_applied;
        total.unknown_resolved_not_applied += s.unknown_resolved_not_applied;
        total.duplicates_refused += s.duplicates_refused;
        total.over_limit_refused += s.over_limit_refused;
        total.refunds_applied += s.refunds_applied;
        total.concurrent_duplicates += s.concurrent_duplicates;
    }
    println!("{total:?}");
    assert!(total.ops >= 1000, "{total:?}");
    assert!(total.faults > 0 && total.refunds_applied > 0, "{total:?}");
    assert!(
        total.unknown_resolved_applied > 0 && total.unknown_resolved_not_applied > 0,
        "both kinds of unknown outcome were exercised: {total:?}"
    );
    drop(workers);
    match Arc::try_unwrap(sim) {
        Ok(sim) => sim.shutdown(),
        Err(_) => panic!("simulator still shared"),
    }
}
