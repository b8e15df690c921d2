//! `nicepay-snap demo [qris|va|ewallet|payout]`: one product's whole flow against an embedded
//! simulator, every step printed with its `responseCode`, notifications received on a loopback
//! endpoint, verified, acknowledged and confirmed by a status query.

use std::io::{IsTerminal as _, Read, Write};
use std::sync::Arc;
use std::time::Duration;

use nicepay_snap::api::binding::{
    AccountBinding, AccountBindingAdditionalInfo, AccountBindingRequest, AccountInquiry, AccountInquiryAdditionalInfo,
    AccountInquiryRequest, AccountUnbinding, AccountUnbindingAdditionalInfo, AccountUnbindingRequest, BindingCustomer,
    CustomerTokenRequest,
};
use nicepay_snap::api::ewallet::{
    EwalletNotification, EwalletPayment, EwalletPaymentAdditionalInfo, EwalletPaymentRequest, EwalletRefund,
    EwalletRefundAdditionalInfo, EwalletRefundRequest, EwalletRefundResponse, EwalletStatus, EwalletStatusRequest,
    EwalletStatusResponse, UrlParam,
};
use nicepay_snap::api::notification::parse_notification;
use nicepay_snap::api::payout::{
    BalanceInquiry, BalanceInquiryRequest, BalanceInquiryResponse, PayoutApprove, PayoutCancel, PayoutInquiry,
    PayoutNotification, PayoutReference, PayoutRegistration, PayoutRegistrationRequest, PayoutReject, PayoutResponse,
};
use nicepay_snap::api::qris::{
    QrisGenerate, QrisGenerateAdditionalInfo, QrisGenerateRequest, QrisNotification, QrisQuery, QrisQueryRequest,
    QrisQueryResponse, QrisRefund, QrisRefundAdditionalInfo, QrisRefundRequest,
};
use nicepay_snap::api::va::{
    VaCreate, VaCreateAdditionalInfo, VaCreateRequest, VaCreateResponse, VaDelete, VaDeleteAdditionalInfo,
    VaDeleteRequest, VaNotification, VaStatus, VaStatusAdditionalInfo, VaStatusRequest, VaStatusResponse,
};
use nicepay_snap::api::{Extra, Operation};
use nicepay_snap::status::Product;
use nicepay_snap::{Amount, Config, TransactionStatus};
use nicepay_snap_client::{
    Client, ClientError, ClientOptions, Clock, Confirmable, Confirmed, Exchange, ExchangeObserver, NotificationHandler,
    SystemClock,
};
use nicepay_snap_simulator::{BlockingSimulator, Fault, Simulator, SimulatorInfo};
use nicepay_snap_ureq::UreqTransport;

use crate::receiver::{self, Received};
use crate::Failure;

/// Which flow `nicepay-snap demo` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum DemoProduct {
    /// QRIS: generate, pay, notification, query, refunds.
    Qris,
    /// Virtual Account: create, status, pay, notification, delete.
    Va,
    /// E-wallet direct debit: payment, customer approval, notification, status, refunds.
    Ewallet,
    /// Payout: balance, registration, approve/reject/cancel with result notifications confirmed
    /// by inquiry, approve timeout resolved by inquiry.
    Payout,
    /// E-wallet account binding: bind, customer approval, customer token, inquiry, unbind.
    Binding,
}

/// Runs one demo.
pub(crate) fn run(product: DemoProduct, trace: bool) -> Result<(), Failure> {
    let mut session = Session::start(trace)?;
    match product {
        DemoProduct::Qris => qris(&mut session)?,
        DemoProduct::Va => va(&mut session)?,
        DemoProduct::Ewallet => ewallet(&mut session)?,
        DemoProduct::Payout => payout(&mut session)?,
        DemoProduct::Binding => binding(&mut session)?,
    }
    session.sim.shutdown();
    println!("demo finished: every step answered as NICEPAY's sandbox would");
    Ok(())
}

struct Steps(u32);

impl Steps {
    fn print(&mut self, what: &str, code: &str, detail: impl AsRef<str>) {
        self.0 += 1;
        println!("[{}] {what:<28} {code:<8} {}", self.0, detail.as_ref());
    }
}

fn fail(step: &str, e: impl std::fmt::Display) -> Failure {
    Failure(format!("{step} failed: {e}"))
}

fn code_of(e: &ClientError) -> String {
    match e {
        ClientError::OutcomeUnknown {
            response_code: None, ..
        } => "unknown".to_owned(),
        _ => e
            .response_code()
            .map(|c| c.as_str().to_owned())
            .unwrap_or_else(|| "error".to_owned()),
    }
}

fn describe(s: Option<&TransactionStatus>, product: Product) -> String {
    s.map(|s| format!("{} ({})", s.code(), s.describe(product)))
        .unwrap_or_else(|| "?".into())
}

/// The `responseCode` of an answer of `O` (every SNAP answer carries one).
fn answer_code<O: Operation>(answer: &O::Response) -> String {
    let json = serde_json::to_value(answer).unwrap_or_default();
    json["responseCode"].as_str().unwrap_or_default().to_owned()
}

/// `latestTransactionStatus=<code> (<meaning>)`.
fn latest(s: Option<&TransactionStatus>, product: Product) -> String {
    format!("latestTransactionStatus={}", describe(s, product))
}

fn idr(value: &str) -> Result<Amount, Failure> {
    Ok(Amount::idr(value)?)
}

/// `--trace`: one stderr line per HTTP exchange (no secret is in an [`Exchange`]).
fn print_exchange(e: &Exchange) {
    let outcome = match (e.http_status, &e.response_code, e.transport_error) {
        (Some(status), Some(code), _) => format!("HTTP {status} {code}"),
        (Some(status), None, _) => format!("HTTP {status}"),
        (None, _, Some(kind)) => format!("no response ({kind:?})"),
        (None, _, None) => "no response".to_owned(),
    };
    eprintln!(
        "  [exchange] {} {} {} attempt {}: {outcome} in {:.1} ms{}",
        e.operation,
        e.method,
        e.path,
        e.attempt,
        e.elapsed.as_secs_f64() * 1000.0,
        e.external_id
            .as_deref()
            .map(|id| format!(", X-EXTERNAL-ID {id}"))
            .unwrap_or_default()
    );
}

/// Simulator, client and notification endpoint shared by every demo.
struct Session {
    sim: BlockingSimulator,
    info: SimulatorInfo,
    client: Client<UreqTransport>,
    /// The client options of every client the demo builds (`--trace` sets an observer).
    options: ClientOptions,
    webhook: receiver::Receiver,
    steps: Steps,
    order: String,
}

impl Session {
    fn start(trace: bool) -> Result<Self, Failure> {
        let sim = Simulator::builder()
            .start_blocking()
            .map_err(|e| fail("starting the simulator", e))?;
        let info = sim.info().clone();
        println!(
            "simulator listening on {} (client id {})",
            info.base_url, info.client_id
        );
        let options = ClientOptions {
            on_exchange: trace.then(|| Arc::new(print_exchange) as ExchangeObserver),
            ..ClientOptions::default()
        };
        let client = Client::new(
            config(&info)?,
            UreqTransport::builder().timeout(Duration::from_secs(10)).build(),
        )
        .with_options(options.clone());
        let handler = NotificationHandler::new(Client::new(config(&info)?, UreqTransport::builder().build()));
        let webhook = receiver::start(handler).map_err(|e| fail("starting the notification endpoint", e))?;
        let mut steps = Steps(0);
        client.access_token().map_err(|e| fail("access token", e))?;
        steps.print("access token", "2007300", "Bearer token cached by the client (900 s)");
        Ok(Self {
            sim,
            info,
            client,
            options,
            webhook,
            steps,
            order: format!("order-{}", SystemClock.now_unix_millis()),
        })
    }

    /// Waits for the next notification, prints the "verified" step and returns it.
    fn notification(&mut self, amount: &str) -> Result<Received, Failure> {
        let received = self
            .webhook
            .notifications
            .recv_timeout(Duration::from_secs(10))
            .map_err(|_| Failure("no notification arrived within 10 s".into()))?;
        if let Err(e) = &received.verdict {
            return Err(fail("notification verification", e));
        }
        let status: serde_json::Value = parse_notification(&received.body)?;
        let status = status
            .get("latestTransactionStatus")
            .or_else(|| status.get("additionalInfo")?.get("latestTransactionStatus"))
            .and_then(|s| s.as_str())
            .map(TransactionStatus::from_code);
        let ack: serde_json::Value = serde_json::from_slice(&received.ack.body)?;
        self.steps.print(
            "notification verified",
            ack["responseCode"].as_str().unwrap_or_default(),
            format!(
                "signature OK (X-TIMESTAMP {}), status {} {amount}",
                received.timestamp.clone().unwrap_or_default(),
                status.as_ref().map(|s| s.code()).unwrap_or("?"),
            ),
        );
        Ok(received)
    }

    /// Runs `O`, failing the demo with `what` if it is refused, and prints step `label` with the
    /// answer's responseCode and `detail` of it.
    fn step<O: Operation>(
        &mut self,
        label: &str,
        what: &str,
        request: &O::Request,
        detail: impl FnOnce(&O::Response) -> String,
    ) -> Result<O::Response, Failure> {
        let answer = self.client.execute::<O>(request).map_err(|e| fail(what, e))?;
        self.steps.print(label, &answer_code::<O>(&answer), detail(&answer));
        Ok(answer)
    }

    /// Verifies the received notification, confirms it by a status query (failing the demo with
    /// `what` if either fails) and prints step `label` with the status answer's responseCode.
    fn confirm<N: Confirmable>(
        &mut self,
        label: &str,
        what: &str,
        received: &Received,
        detail: impl FnOnce(&Confirmed<N>) -> String,
    ) -> Result<(), Failure> {
        let confirmed = self
            .client
            .verify_and_confirm::<N>(&received.headers, &received.body)
            .map_err(|e| fail(what, e))?;
        self.steps
            .print(label, &answer_code::<N::Query>(&confirmed.status), detail(&confirmed));
        Ok(())
    }

    /// Prints an expected rejection, failing the demo if the call succeeded.
    fn rejected<T>(&mut self, label: &str, result: Result<T, ClientError>) -> Result<(), Failure> {
        match result {
            Err(e) => {
                self.steps.print(label, &code_of(&e), e.to_string());
                Ok(())
            }
            Ok(_) => Err(Failure(format!("{label}: the simulator accepted it"))),
        }
    }
}

fn config(info: &SimulatorInfo) -> Result<Config, Failure> {
    Ok(info.client_config()?)
}

// ---------------------------------------------------------------------------------------------

/// Draws `qr_content` as a QR code in the terminal (Unicode half blocks, white on black so that
/// it scans in light and dark themes alike).
fn print_qr(qr_content: &str) {
    match nicepay_snap_simulator::qr::QrMatrix::encode(qr_content) {
        Ok(matrix) => {
            for line in matrix.half_block_lines() {
                println!("    \x1b[97;40m{line}\x1b[0m");
            }
        }
        Err(e) => println!("    (no QR drawn: {e})"),
    }
}

fn qris(s: &mut Session) -> Result<(), Failure> {
    let order = s.order.clone();
    let merchant_id = s.info.client_id.clone();
    let generate = QrisGenerateRequest {
        partner_reference_no: order.clone(),
        amount: idr("10000.00")?,
        merchant_id: merchant_id.clone(),
        store_id: "NICEPAY".into(),
        sub_merchant_id: None,
        validity_period: None,
        additional_info: QrisGenerateAdditionalInfo {
            goods_nm: Some("Kopi Susu".into()),
            db_process_url: Some(s.webhook.url(receiver::QRIS_PATH)),
            mitra_cd: Some("QSHP".into()),
            ..Default::default()
        },
    };
    let generated = s.step::<QrisGenerate>("QRIS generate 10000.00 IDR", "QRIS generate", &generate, |g| {
        let qr: String = g.qr_content.as_deref().unwrap_or("").chars().take(24).collect();
        format!(
            "referenceNo={} qrContent={qr}…",
            g.reference_no.as_deref().unwrap_or_default()
        )
    })?;
    let reference_no = generated.reference_no.unwrap_or_default();
    if std::io::stdout().is_terminal() {
        print_qr(generated.qr_content.as_deref().unwrap_or_default());
    }

    let paid = s
        .sim
        .pay_qris(&reference_no)
        .map_err(|e| fail("simulated payment", e))?;
    s.steps.print(
        "customer pays (simulator)",
        &paid.latest_transaction_status,
        delivery(&paid),
    );
    let received = s.notification("10000.00 IDR")?;
    let _: QrisNotification = parse_notification(&received.body)?;

    let query = QrisQueryRequest::new(&reference_no, &order, &merchant_id, "NICEPAY");
    let status_of = |q: &QrisQueryResponse| latest(q.latest_transaction_status.as_ref(), Product::Qris);
    s.step::<QrisQuery>("QRIS query (confirm payment)", "QRIS query", &query, status_of)?;

    let refund = |no: &str, value: &str| -> Result<QrisRefundRequest, Failure> {
        Ok(QrisRefundRequest {
            original_reference_no: reference_no.clone(),
            original_partner_reference_no: order.clone(),
            partner_refund_no: format!("{order}-{no}"),
            merchant_id: merchant_id.clone(),
            external_store_id: "NICEPAY".into(),
            refund_amount: idr(value)?,
            reason: "Customer request".into(),
            additional_info: QrisRefundAdditionalInfo::default(),
        })
    };
    for (no, value, label) in [
        ("r1", "4000.00", "partial refund 4000.00"),
        ("r2", "6000.00", "refund the rest 6000.00"),
    ] {
        s.step::<QrisRefund>(label, label, &refund(no, value)?, |r| {
            format!("refund referenceNo={}", r.reference_no.as_deref().unwrap_or_default())
        })?;
    }
    let over = s.client.qris_refund(&refund("r3", "1.00")?);
    s.rejected("over-refund 1.00 (rejected)", over)?;

    s.step::<QrisQuery>("QRIS query (final)", "QRIS query", &query, status_of)?;
    Ok(())
}

fn delivery(paid: &nicepay_snap_simulator::PaymentOutcome) -> String {
    paid.notification
        .as_ref()
        .map(|d| format!("notification → {} answered HTTP {}", d.url, d.http_status.unwrap_or(0)))
        .unwrap_or_else(|| "no notification URL".into())
}

// ---------------------------------------------------------------------------------------------

fn va_create(s: &Session, trx_id: &str, value: &str) -> Result<VaCreateRequest, Failure> {
    Ok(VaCreateRequest {
        partner_service_id: String::new(),
        customer_no: String::new(),
        virtual_account_no: String::new(),
        virtual_account_name: "Budi Santoso".into(),
        trx_id: trx_id.into(),
        total_amount: idr(value)?,
        additional_info: VaCreateAdditionalInfo {
            bank_cd: "BMRI".into(),
            goods_nm: Some("Kopi Susu".into()),
            db_process_url: Some(s.webhook.url(receiver::VA_PATH)),
            vacct_valid_dt: Some(String::new()),
            vacct_valid_tm: Some(String::new()),
            ..Default::default()
        },
    })
}

fn va_ids(created: &VaCreateResponse) -> (String, String) {
    let data = created.virtual_account_data.as_ref();
    (
        data.and_then(|d| d.virtual_account_no.clone()).unwrap_or_default(),
        data.and_then(|d| d.txid_va()).unwrap_or_default().to_owned(),
    )
}

fn va_status(va_no: &str, txid_va: &str, trx_id: &str, value: &str) -> Result<VaStatusRequest, Failure> {
    Ok(VaStatusRequest {
        partner_service_id: String::new(),
        customer_no: String::new(),
        virtual_account_no: va_no.into(),
        inquiry_request_id: format!("inq-{}", SystemClock.now_unix_millis()),
        additional_info: VaStatusAdditionalInfo {
            total_amount: idr(value)?,
            trx_id: trx_id.into(),
            txid_va: txid_va.into(),
            extra: Extra::new(),
        },
    })
}

fn va_delete(va_no: &str, txid_va: &str, trx_id: &str, value: &str) -> Result<VaDeleteRequest, Failure> {
    Ok(VaDeleteRequest {
        partner_service_id: String::new(),
        customer_no: String::new(),
        virtual_account_no: va_no.into(),
        trx_id: trx_id.into(),
        additional_info: VaDeleteAdditionalInfo {
            total_amount: idr(value)?,
            txid_va: txid_va.into(),
            cancel_message: "Order cancelled".into(),
            extra: Extra::new(),
        },
    })
}

/// Creates a VA of `value` for `trx` and prints the step: (virtualAccountNo, tXidVA).
fn create_va(s: &mut Session, trx: &str, value: &str) -> Result<(String, String), Failure> {
    let request = va_create(s, trx, value)?;
    let created = s.step::<VaCreate>(&format!("VA create {value} IDR BMRI"), "VA create", &request, |c| {
        let (va_no, txid_va) = va_ids(c);
        format!("virtualAccountNo={va_no} tXidVA={txid_va}")
    })?;
    Ok(va_ids(&created))
}

fn va(s: &mut Session) -> Result<(), Failure> {
    let trx = s.order.clone();
    let status_of = |st: &VaStatusResponse| latest(st.latest_transaction_status().as_ref(), Product::VirtualAccount);
    let (va_no, txid_va) = create_va(s, &trx, "25000.00")?;
    let status = va_status(&va_no, &txid_va, &trx, "25000.00")?;
    s.step::<VaStatus>("VA status (before transfer)", "VA status", &status, status_of)?;

    let paid = s.sim.pay_va(&va_no).map_err(|e| fail("simulated transfer", e))?;
    s.steps.print(
        "customer transfers (sim)",
        &paid.latest_transaction_status,
        delivery(&paid),
    );
    let received = s.notification("25000.00 IDR")?;
    s.confirm::<VaNotification>(
        "confirmed by VA status",
        "confirming the VA notification",
        &received,
        |confirmed| {
            let txid = confirmed
                .notification
                .additional_info
                .as_ref()
                .and_then(|i| i.get("tXidVA"));
            format!(
                "{} paid={} tXidVA={}",
                status_of(&confirmed.status),
                confirmed.paid,
                txid.and_then(|v| v.as_str()).unwrap_or("?")
            )
        },
    )?;
    let refused = s
        .client
        .execute::<VaDelete>(&va_delete(&va_no, &txid_va, &trx, "25000.00")?);
    s.rejected("delete paid VA (rejected)", refused)?;

    let trx2 = format!("{trx}-2");
    let (va2, txid2) = create_va(s, &trx2, "10000.00")?;
    let delete = va_delete(&va2, &txid2, &trx2, "10000.00")?;
    s.step::<VaDelete>("VA delete (HTTP DELETE)", "VA delete", &delete, |_| {
        format!("virtualAccountNo={va2} cancelled")
    })?;
    let status = va_status(&va2, &txid2, &trx2, "10000.00")?;
    s.step::<VaStatus>("VA status (deleted VA)", "VA status", &status, status_of)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------

/// Opens `url` like the customer's browser would (loopback only); returns the status line's
/// code and the `Location` header.
fn browse(url: &str) -> Result<(u16, Option<String>), Failure> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| Failure(format!("not a loopback http URL: {url}")))?;
    let split = rest.find('/').unwrap_or(rest.len());
    let (host, path) = rest.split_at(split);
    let mut stream = std::net::TcpStream::connect(host)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n",
        if path.is_empty() { "/" } else { path }
    )?;
    let mut text = String::new();
    stream.read_to_string(&mut text)?;
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| Failure("the wallet page sent no HTTP status".into()))?;
    let location = text.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("location").then(|| v.trim().to_owned())
    });
    Ok((status, location))
}

fn ewallet(s: &mut Session) -> Result<(), Failure> {
    let order = s.order.clone();
    let merchant_id = s.info.client_id.clone();
    let return_url = format!("{}/shop/return", s.webhook.base);
    let request = EwalletPaymentRequest {
        partner_reference_no: order.clone(),
        merchant_id: merchant_id.clone(),
        sub_merchant_id: String::new(),
        external_store_id: String::new(),
        valid_up_to: String::new(),
        point_of_initiation: "Mobile App".into(),
        amount: idr("30000.00")?,
        url_param: vec![
            UrlParam::notify(s.webhook.url(receiver::EWALLET_PATH)),
            UrlParam::pay_return(&return_url),
        ],
        additional_info: EwalletPaymentAdditionalInfo {
            mitra_cd: "DANA".into(),
            goods_nm: Some("Kopi Susu".into()),
            ..Default::default()
        },
    };
    let payment = s.step::<EwalletPayment>("e-wallet payment 30000 DANA", "e-wallet payment", &request, |p| {
        format!(
            "referenceNo={} webRedirectUrl={}",
            p.reference_no.as_deref().unwrap_or_default(),
            p.web_redirect_url.as_deref().unwrap_or_default()
        )
    })?;
    let reference_no = payment.reference_no.unwrap_or_default();
    let redirect = payment.web_redirect_url.unwrap_or_default();
    let status_request = EwalletStatusRequest {
        merchant_id: merchant_id.clone(),
        sub_merchant_id: String::new(),
        original_partner_reference_no: order.clone(),
        original_reference_no: reference_no.clone(),
        service_code: "54".into(),
        transaction_date: SystemClock.now().to_string(),
        external_store_id: String::new(),
        amount: idr("30000.00")?,
        additional_info: Extra::new(),
    };
    let status_of = |st: &EwalletStatusResponse| latest(st.latest_transaction_status.as_ref(), Product::Ewallet);
    s.step::<EwalletStatus>(
        "e-wallet status (pending)",
        "e-wallet status",
        &status_request,
        status_of,
    )?;

    let (http, location) = browse(&redirect)?;
    s.steps.print(
        "customer approves (wallet)",
        &http.to_string(),
        format!(
            "GET webRedirectUrl → redirected to {}",
            location.unwrap_or_else(|| "nowhere".into())
        ),
    );
    let received = s.notification("30000.00 IDR")?;
    s.confirm::<EwalletNotification>(
        "confirmed by e-wallet status",
        "confirming the e-wallet notification",
        &received,
        |confirmed| format!("{} paid={}", status_of(&confirmed.status), confirmed.paid),
    )?;

    let refund = |no: &str, value: &str| -> Result<EwalletRefundRequest, Failure> {
        Ok(EwalletRefundRequest {
            merchant_id: merchant_id.clone(),
            sub_merchant_id: String::new(),
            original_partner_reference_no: order.clone(),
            original_reference_no: reference_no.clone(),
            partner_refund_no: format!("{order}-{no}"),
            external_store_id: String::new(),
            refund_amount: idr(value)?,
            reason: "Customer request".into(),
            additional_info: EwalletRefundAdditionalInfo::default(),
        })
    };
    let refund_no = |r: &EwalletRefundResponse| format!("refundNo={}", r.refund_no.as_deref().unwrap_or_default());
    let first = refund("r1", "10000.00")?;
    s.step::<EwalletRefund>("partial refund 10000.00", "e-wallet refund", &first, refund_no)?;
    let dup = s.client.execute::<EwalletRefund>(&first);
    s.rejected("same partnerRefundNo again", dup)?;
    let over = s.client.execute::<EwalletRefund>(&refund("r2", "20000.01")?);
    s.rejected("over-refund 20000.01", over)?;
    let rest = refund("r3", "20000.00")?;
    s.step::<EwalletRefund>("refund the rest 20000.00", "e-wallet refund", &rest, refund_no)?;
    s.step::<EwalletStatus>("e-wallet status (final)", "e-wallet status", &status_request, status_of)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------

const BENEFICIARY_ACCOUNT: &str = "5345000060";

fn registration(
    s: &Session,
    reference: &str,
    value: &str,
    scheduled: bool,
) -> Result<PayoutRegistrationRequest, Failure> {
    Ok(PayoutRegistrationRequest {
        partner_reference_no: reference.into(),
        merchant_id: s.info.client_id.clone(),
        ms_id: None,
        beneficiary_account_no: BENEFICIARY_ACCOUNT.into(),
        beneficiary_name: "Ani Wijaya".into(),
        beneficiary_phone: "08123456789".into(),
        beneficiary_customer_residence: "1".into(),
        beneficiary_customer_type: "1".into(),
        beneficiary_postal_code: "10110".into(),
        beneficiary_bank_code: "BNIA".into(),
        payout_method: "0".into(),
        description: Some("Seller payout".into()),
        reserved_dt: if scheduled { "20991231".into() } else { String::new() },
        reserved_tm: if scheduled { "100000".into() } else { String::new() },
        delivery_id: String::new(),
        delivery_name: Some("Ani".into()),
        delivery_nm: None,
        amount: idr(value)?,
        beneficiary_poe: None,
        beneficiary_doe: None,
        beneficiary_co_no: None,
        beneficiary_address: None,
        beneficiary_auth_phone_number: None,
        beneficiary_mer_category: None,
        beneficiary_co_mgmt_name: None,
        beneficiary_co_sh_name: None,
        extra: Extra::new(),
    })
}

fn balance_text(b: &BalanceInquiryResponse) -> String {
    b.account_infos
        .first()
        .and_then(|i| i.available_balance.as_ref())
        .map(ToString::to_string)
        .unwrap_or_else(|| "?".into())
}

/// Registers a payout and prints the step; returns (tXid, reference).
fn register(s: &mut Session, suffix: &str, value: &str, scheduled: bool) -> Result<(String, String), Failure> {
    let reference = format!("{}-{suffix}", s.order);
    let label = if scheduled {
        format!("register {value} (scheduled)")
    } else {
        format!("register payout {value}")
    };
    let request = registration(s, &reference, value, scheduled)?;
    let reg = s.step::<PayoutRegistration>(&label, "payout registration", &request, |reg| {
        format!(
            "referenceNo={} transactionStatus={}",
            reg.reference_no.as_deref().unwrap_or_default(),
            describe(reg.transaction_status.as_ref(), Product::Payout)
        )
    })?;
    let txid = reg.reference_no.unwrap_or_default();
    Ok((txid, reference))
}

fn payout(s: &mut Session) -> Result<(), Failure> {
    let reference_for = |s: &Session, txid: &str, reference: &str, account: bool| PayoutReference {
        original_reference_no: txid.into(),
        original_partner_reference_no: reference.into(),
        merchant_id: s.info.client_id.clone(),
        beneficiary_account_no: account.then(|| BENEFICIARY_ACCOUNT.to_owned()),
    };
    let balance_request = BalanceInquiryRequest {
        account_no: s.info.client_id.clone(),
        ..Default::default()
    };
    let available = |b: &BalanceInquiryResponse| format!("availableBalance={}", balance_text(b));
    let status = |r: &PayoutResponse| format!("transactionStatus={}", describe(r.status(), Product::Payout));
    s.step::<BalanceInquiry>("balance inquiry", "balance inquiry", &balance_request, available)?;

    let paid_out = |c: &Confirmed<PayoutNotification>| {
        format!(
            "paid={} transactionStatus={}",
            c.paid,
            describe(c.status.status(), Product::Payout)
        )
    };
    // NICEPAY posts payout results to a URL agreed at onboarding.
    let notify_url = s.webhook.url(receiver::PAYOUT_PATH);
    s.sim
        .set_payout_notification_url(&s.info.client_id.clone(), Some(notify_url));

    let (t1, p1) = register(s, "p1", "150000.00", false)?;
    let approve = reference_for(s, &t1, &p1, false);
    s.step::<PayoutApprove>("payout approve", "payout approve", &approve, status)?;
    let received = s.notification("150000.00")?;
    s.confirm::<PayoutNotification>("confirmed by inquiry", "payout notification", &received, paid_out)?;
    s.step::<BalanceInquiry>(
        "balance inquiry (debited)",
        "balance inquiry",
        &balance_request,
        available,
    )?;
    let again = s.client.execute::<PayoutApprove>(&approve);
    s.rejected("approve again (rejected)", again)?;

    let (t2, p2) = register(s, "p2", "1000.00", false)?;
    let reject = reference_for(s, &t2, &p2, false);
    s.step::<PayoutReject>("payout reject", "payout reject", &reject, status)?;
    let received = s.notification("1000.00")?;
    s.confirm::<PayoutNotification>("rejection confirmed", "payout notification", &received, paid_out)?;
    let late = s.client.execute::<PayoutApprove>(&reject);
    s.rejected("approve after reject", late)?;

    let (t3, p3) = register(s, "p3", "2000.00", true)?;
    let cancel = reference_for(s, &t3, &p3, false);
    s.step::<PayoutCancel>("cancel scheduled payout", "payout cancel", &cancel, status)?;

    // An approve that times out after NICEPAY applied it: unknown, resolved by inquiry.
    let (t4, p4) = register(s, "p4", "5000.00", false)?;
    let impatient = Client::new(
        config(&s.info)?,
        UreqTransport::builder().timeout(Duration::from_millis(1_000)).build(),
    )
    .with_options(s.options.clone());
    s.sim
        .set_fault(Fault::delay_after("/api/v1.0/transfer/approve", 3_000).times(1))
        .map_err(|e| fail("injecting the fault", e))?;
    match impatient.execute::<PayoutApprove>(&reference_for(s, &t4, &p4, false)) {
        Err(e) if e.is_outcome_unknown() => s.steps.print(
            "approve times out",
            &code_of(&e),
            "OutcomeUnknown: never re-approve blindly, ask inquiry",
        ),
        other => return Err(Failure(format!("expected an unknown outcome, got {other:?}"))),
    }
    let inquiry = reference_for(s, &t4, &p4, true);
    s.step::<PayoutInquiry>("payout inquiry (resolve)", "payout inquiry", &inquiry, status)?;
    // The approve was applied, so its result notification arrives as well.
    s.notification("5000.00")?;

    let (t5, p5) = register(s, "p5", "200000000.00", false)?;
    let short = s.client.execute::<PayoutApprove>(&reference_for(s, &t5, &p5, false));
    s.rejected("approve above balance", short)?;
    s.step::<BalanceInquiry>(
        "balance inquiry (final)",
        "balance inquiry",
        &balance_request,
        available,
    )?;
    Ok(())
}

fn binding(s: &mut Session) -> Result<(), Failure> {
    let order = format!("bind-{}", s.order);
    let request = AccountBindingRequest {
        partner_reference_no: order.clone(),
        merchant_id: s.info.client_id.clone(),
        additional_data: BindingCustomer {
            user_id: "Budi Santoso".into(),
            email: "budi@example.com".into(),
            phone_no: "081234567890".into(),
        },
        additional_info: AccountBindingAdditionalInfo {
            mitra_cd: "ASTR".into(),
            callback_url: format!("{}/binding/done", s.webhook.base),
            extra: Default::default(),
        },
    };
    let bound = s.step::<AccountBinding>("account binding (AstraPay)", "account binding", &request, |r| {
        format!(
            "send the customer to redirectUrl={}",
            r.redirect_url.as_deref().unwrap_or("?")
        )
    })?;
    let reference_no = bound.reference_no.clone().unwrap_or_default();
    // The customer approves at the e-wallet; the browser comes back with the auth code.
    let (status, location) = browse(bound.redirect_url.as_deref().unwrap_or_default())?;
    let location = location.ok_or_else(|| Failure("the binding page did not send the customer back".into()))?;
    let auth_code = location
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("authCode="))
        .ok_or_else(|| Failure(format!("no authCode in {location}")))?
        .to_owned();
    s.steps.print(
        "customer approves",
        &status.to_string(),
        format!("back at {}", location.split('?').next().unwrap_or("")),
    );

    let token = s
        .client
        .customer_token(&CustomerTokenRequest::authorization_code(&auth_code))
        .map_err(|e| fail("customer token", e))?;
    s.steps.print(
        "customer token (B2B2C)",
        token.response_code.as_str(),
        format!("expires {}", token.access_token_expiry_time.as_deref().unwrap_or("?")),
    );
    let refresh = token
        .refresh_token
        .map(|t| t.expose_secret().to_owned())
        .ok_or_else(|| Failure("the customer token came without a refresh token".into()))?;
    let inquiry = AccountInquiryRequest {
        partner_reference_no: order.clone(),
        additional_info: AccountInquiryAdditionalInfo {
            refresh_token: refresh,
            mitra_cd: "ASTR".into(),
            extra: Default::default(),
        },
    };
    s.step::<AccountInquiry>("account inquiry", "account inquiry", &inquiry, |r| {
        format!(
            "accountName={} accountNo={}",
            r.account_name.as_deref().unwrap_or("?"),
            r.account_no.as_deref().unwrap_or("?")
        )
    })?;
    let unbind = AccountUnbindingRequest {
        partner_reference_no: order,
        merchant_id: s.info.client_id.clone(),
        additional_info: AccountUnbindingAdditionalInfo {
            reference_no,
            mitra_cd: "ASTR".into(),
            auth_code,
            extra: Default::default(),
        },
    };
    s.step::<AccountUnbinding>("account unbinding", "account unbinding", &unbind, |r| {
        format!("unlinkResult={}", r.unlink_result.as_deref().unwrap_or("?"))
    })?;
    let again = s.client.execute::<AccountUnbinding>(&unbind);
    s.rejected("unbind again (refused)", again)?;
    Ok(())
}
