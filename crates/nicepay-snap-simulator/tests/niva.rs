//! NIVA end to end: the simulator plays NICEPAY and calls a merchant's SNAP server built on the
//! core's sans-IO `MerchantServer`, served by axum on loopback.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method as HttpMethod, StatusCode, Uri};
use axum::response::IntoResponse;
use nicepay_snap::server::{Bill, BillAnswer, MerchantServer, Received, ServerConfig};
use nicepay_snap::{Amount, ClientSecret, PrivateKey, PublicKey, Timestamp};
use nicepay_snap_simulator::niva::{self, NivaFault, NivaMerchant, NivaPayment, NivaRun};

const CLIENT_ID: &str = "NIVAMERCH1";
const SECRET: &str = "secret-the-merchant-gave-nicepay";

#[derive(Clone, Copy, PartialEq, Debug)]
enum BillState {
    Open(u64),
    Paid,
}

struct Merchant {
    server: MerchantServer,
    bills: HashMap<String, BillState>,
    paid_calls: u32,
}

type Shared = Arc<Mutex<Merchant>>;

fn now() -> Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    Timestamp::from_unix_seconds(secs as i64).unwrap()
}

fn answer(state: Option<BillState>) -> BillAnswer {
    match state {
        None => BillAnswer::NotFound,
        Some(BillState::Paid) => BillAnswer::Paid,
        Some(BillState::Open(minor)) => BillAnswer::Open(Bill {
            virtual_account_name: "Budi Santoso".into(),
            total_amount: Amount::from_minor_units(minor).unwrap(),
            additional_info: None,
        }),
    }
}

async fn handle(
    axum::extract::State(shared): axum::extract::State<Shared>,
    method: HttpMethod,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let mut random = [0u8; 32];
    getrandom::fill(&mut random).unwrap();
    let mut m = shared.lock().unwrap();
    let now = now();
    let response = match m
        .server
        .receive(method.as_str(), uri.path(), &headers, &body, now, random)
    {
        Received::Respond(r) => r,
        Received::VaInquiry(req) => {
            let state = m.bills.get(&req.virtual_account_no).copied();
            m.server.answer_inquiry(&req, &answer(state))
        }
        Received::VaPayment(req) => {
            let state = m.bills.get(&req.virtual_account_no).copied();
            let r = m.server.answer_payment(&req, &answer(state));
            if r.status == 200 {
                m.bills.insert(req.virtual_account_no.clone(), BillState::Paid);
                m.paid_calls += 1;
            }
            r
        }
        Received::VaReversal(req) => {
            let known = m.bills.get(&req.virtual_account_no) == Some(&BillState::Paid);
            m.server.answer_reversal(&req, known)
        }
        other => panic!("unexpected {other:?}"),
    };
    let mut out = axum::http::Response::builder().status(StatusCode::from_u16(response.status).unwrap());
    for (k, v) in response.headers(now) {
        out = out.header(k, v);
    }
    out.body(axum::body::Body::from(response.body)).unwrap()
}

async fn merchant(bills: &[(&str, BillState)]) -> (String, Shared) {
    let nicepay_public = PrivateKey::parse(nicepay_snap_simulator::TEST_NOTIFICATION_PRIVATE_KEY_PEM)
        .unwrap()
        .public_key()
        .to_pem();
    let config = ServerConfig::new(
        CLIENT_ID,
        ClientSecret::new(SECRET),
        PublicKey::parse(&nicepay_public).unwrap(),
    )
    .unwrap();
    let shared: Shared = Arc::new(Mutex::new(Merchant {
        server: MerchantServer::new(config),
        bills: bills.iter().map(|(va, s)| ((*va).to_owned(), *s)).collect(),
        paid_calls: 0,
    }));
    let app = axum::Router::new().fallback(handle).with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, shared)
}

fn payment(customer_no: &str, fault: Option<NivaFault>, paid: Option<&str>) -> NivaPayment {
    NivaPayment {
        partner_service_id: "70014".into(),
        customer_no: customer_no.into(),
        paid_amount: paid.map(|v| Amount::idr(v).unwrap()),
        bank_code: "BMRI".into(),
        fault,
    }
}

async fn run(url: &str, p: NivaPayment) -> NivaRun {
    let key = PrivateKey::parse(nicepay_snap_simulator::TEST_NOTIFICATION_PRIVATE_KEY_PEM).unwrap();
    let merchant = NivaMerchant {
        base_url: url.to_owned(),
        client_id: CLIENT_ID.into(),
        client_secret: SECRET.into(),
    };
    niva::run(&key, &merchant, &p).await
}

fn codes(run: &NivaRun) -> Vec<(&str, Option<&str>)> {
    run.steps
        .iter()
        .map(|s| (s.step.as_str(), s.response_code.as_deref()))
        .collect()
}

#[tokio::test]
async fn nicepay_pays_an_open_bill_once() {
    let (url, shared) = merchant(&[("700140001", BillState::Open(1_500_000))]).await;
    let paid = run(&url, payment("0001", None, None)).await;
    assert!(paid.paid, "{paid:#?}");
    assert_eq!(
        codes(&paid),
        vec![
            ("access-token", Some("2007300")),
            ("inquiry", Some("2002400")),
            ("payment", Some("2002500"))
        ]
    );
    let inquiry: serde_json::Value = serde_json::from_str(paid.steps[1].response_body.as_ref().unwrap()).unwrap();
    assert_eq!(inquiry["virtualAccountData"]["totalAmount"]["value"], "15000.00");
    // Paying again: the inquiry already says the bill is paid.
    let again = run(&url, payment("0001", None, None)).await;
    assert!(!again.paid);
    assert_eq!(again.steps[1].response_code.as_deref(), Some("4042414"));
    assert_eq!(shared.lock().unwrap().paid_calls, 1);
}

#[tokio::test]
async fn the_merchant_refuses_every_mistake() {
    let (url, shared) = merchant(&[
        ("700140002", BillState::Open(1_000_000)),
        ("700140003", BillState::Open(1_000_000)),
        ("700140004", BillState::Open(1_000_000)),
        ("700140005", BillState::Open(1_000_000)),
    ])
    .await;
    let unknown = run(&url, payment("9999", None, None)).await;
    assert_eq!(unknown.steps[1].response_code.as_deref(), Some("4042412"));

    let wrong = run(&url, payment("0002", None, Some("9999.00"))).await;
    assert_eq!(wrong.steps[2].response_code.as_deref(), Some("4042513"));
    assert!(!wrong.paid);

    let forged = run(&url, payment("0003", Some(NivaFault::ForgedSignature), None)).await;
    assert_eq!(forged.steps[2].response_code.as_deref(), Some("4012500"));
    assert_eq!(forged.steps[2].http_status, Some(401));

    let stale = run(&url, payment("0004", Some(NivaFault::UnknownToken), None)).await;
    assert_eq!(stale.steps[2].response_code.as_deref(), Some("4012501"));

    let forged_token = run(&url, payment("0005", Some(NivaFault::ForgedTokenRequest), None)).await;
    assert_eq!(codes(&forged_token), vec![("access-token", Some("4017300"))]);

    // The replayed X-EXTERNAL-ID is a conflict, and the payment counts once.
    let replay = run(&url, payment("0005", Some(NivaFault::ReplayExternalId), None)).await;
    assert!(replay.paid);
    assert_eq!(replay.steps[3].step, "payment-replay");
    assert_eq!(replay.steps[3].response_code.as_deref(), Some("4092500"));
    let m = shared.lock().unwrap();
    assert_eq!(m.paid_calls, 1);
    assert_eq!(
        m.bills["700140002"],
        BillState::Open(1_000_000),
        "nothing half-done after a refusal"
    );
}

#[tokio::test]
async fn only_loopback_merchants_are_called() {
    let r = run("http://192.0.2.1:9", payment("0001", None, None)).await;
    assert_eq!(r.steps.len(), 1);
    assert!(r.steps[0].error.as_deref().unwrap().contains("loopback"));
}

#[tokio::test]
async fn the_admin_api_runs_the_exchange_with_the_simulators_key() {
    let (url, shared) = merchant(&[("700140042", BillState::Open(250_000))]).await;
    let sim = nicepay_snap_simulator::Simulator::builder().start().await.unwrap();
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let admin = format!("{}/__admin/niva/pay", sim.base_url());
    let body = serde_json::json!({
        "merchant": {"baseUrl": url, "clientId": CLIENT_ID, "clientSecret": SECRET},
        "payment": {"partnerServiceId": "70014", "customerNo": "0042"},
    });
    let answer = http.post(&admin).body(body.to_string()).send().await.unwrap();
    let run: serde_json::Value = serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap();
    assert_eq!(run["paid"], true, "{run:#}");
    assert_eq!(run["steps"][2]["responseCode"], "2002500");
    assert_eq!(shared.lock().unwrap().bills["700140042"], BillState::Paid);
    let bad = http.post(&admin).body("{\"merchant\":1}").send().await.unwrap();
    assert_eq!(bad.status(), 400);
}
