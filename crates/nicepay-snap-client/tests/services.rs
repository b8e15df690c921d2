//! Virtual Account, e-wallet and payout through both clients against the simulator: a full flow
//! per service per client, each service's error codes, signed notifications confirmed by query,
//! and the payout approve timeout resolved by inquiry.

use std::time::Duration;

use nicepay_snap::api::ewallet::{
    EwalletNotification, EwalletPaymentAdditionalInfo, EwalletPaymentRequest, EwalletRefundAdditionalInfo,
    EwalletRefundRequest, EwalletStatusRequest, UrlParam,
};
use nicepay_snap::api::payout::{
    BalanceInquiryRequest, PayoutNotification, PayoutReference, PayoutRegistrationRequest,
};
use nicepay_snap::api::va::{
    VaCreate, VaCreateAdditionalInfo, VaCreateRequest, VaDelete, VaDeleteAdditionalInfo, VaDeleteRequest,
    VaNotification, VaStatus, VaStatusAdditionalInfo, VaStatusRequest,
};
use nicepay_snap::api::Extra;
use nicepay_snap::{Method, RequestContext, SyncTransport, TransactionStatus};
use nicepay_snap_client::{Client, ClientError, Clock, SystemClock};
use nicepay_snap_simulator::{BlockingSimulator, Fault, Simulator, SimulatorInfo};
use nicepay_snap_ureq::UreqTransport;

#[path = "common/sim.rs"]
mod sim;
use sim::{
    confirm_unless_forged, faults_around, http_get, idr, next_confirmed, reqwest_client_within, start_async,
    start_async_with, start_blocking, unique, ureq_client_within, Inbox,
};

const APPROVE: &str = "/api/v1.0/transfer/approve";

fn code<T: std::fmt::Debug>(r: Result<T, ClientError>) -> String {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e
            .response_code()
            .map(|c| c.as_str().to_owned())
            .unwrap_or_else(|| format!("{e:?}")),
    }
}

/// Sends a raw JSON body with any method through the blocking transport (to test what the
/// typed API would never send). Returns (HTTP status, body text).
fn send_raw(client: &Client<UreqTransport>, method: Method, path: &str, json: &str) -> (u16, String) {
    let token = client.access_token().unwrap();
    let ctx = RequestContext {
        access_token: &token,
        timestamp: SystemClock.now(),
        external_id: nicepay_snap_client::ExternalIdGenerator::default().next(SystemClock.now_unix_millis()),
    };
    let prepared = client
        .config()
        .prepare_json(method, path, json.as_bytes(), &ctx)
        .unwrap();
    let raw = client.transport().send(&prepared).unwrap();
    (raw.status, String::from_utf8_lossy(&raw.body).into_owned())
}

// ---------------------------------------------------------------------------------------------
// Request builders.

fn va_create(trx_id: &str, value: &str, db_process_url: Option<&str>) -> VaCreateRequest {
    VaCreateRequest {
        partner_service_id: String::new(),
        customer_no: String::new(),
        virtual_account_no: String::new(),
        virtual_account_name: "Budi Santoso".into(),
        trx_id: trx_id.into(),
        total_amount: idr(value),
        additional_info: VaCreateAdditionalInfo {
            bank_cd: "BMRI".into(),
            goods_nm: Some("Kopi".into()),
            db_process_url: db_process_url.map(str::to_owned),
            vacct_valid_dt: Some(String::new()),
            vacct_valid_tm: Some(String::new()),
            ..Default::default()
        },
    }
}

/// (virtualAccountNo, tXidVA) of a create response.
fn va_ids(resp: &nicepay_snap::api::va::VaCreateResponse) -> (String, String) {
    let data = resp.virtual_account_data.as_ref().unwrap();
    (
        data.virtual_account_no.clone().unwrap(),
        data.txid_va().unwrap().to_owned(),
    )
}

fn va_status(va_no: &str, txid_va: &str, trx_id: &str, value: &str) -> VaStatusRequest {
    VaStatusRequest {
        partner_service_id: String::new(),
        customer_no: String::new(),
        virtual_account_no: va_no.into(),
        inquiry_request_id: unique("inq"),
        additional_info: VaStatusAdditionalInfo {
            total_amount: idr(value),
            trx_id: trx_id.into(),
            txid_va: txid_va.into(),
            extra: Extra::new(),
        },
    }
}

fn va_delete(va_no: &str, txid_va: &str, trx_id: &str, value: &str) -> VaDeleteRequest {
    VaDeleteRequest {
        partner_service_id: String::new(),
        customer_no: String::new(),
        virtual_account_no: va_no.into(),
        trx_id: trx_id.into(),
        additional_info: VaDeleteAdditionalInfo {
            total_amount: idr(value),
            txid_va: txid_va.into(),
            cancel_message: "Order cancelled".into(),
            extra: Extra::new(),
        },
    }
}

fn ewallet_payment(info: &SimulatorInfo, order: &str, value: &str, notify: Option<&str>) -> EwalletPaymentRequest {
    let mut url_param = vec![UrlParam::pay_return("http://127.0.0.1:9/shop/return")];
    if let Some(n) = notify {
        url_param.insert(0, UrlParam::notify(n));
    }
    EwalletPaymentRequest {
        partner_reference_no: order.into(),
        merchant_id: info.client_id.clone(),
        sub_merchant_id: String::new(),
        external_store_id: String::new(),
        valid_up_to: String::new(),
        point_of_initiation: "Mobile App".into(),
        amount: idr(value),
        url_param,
        additional_info: EwalletPaymentAdditionalInfo {
            mitra_cd: "DANA".into(),
            goods_nm: Some("Kopi".into()),
            ..Default::default()
        },
    }
}

fn ewallet_status(info: &SimulatorInfo, reference_no: &str, order: &str, value: &str) -> EwalletStatusRequest {
    EwalletStatusRequest {
        merchant_id: info.client_id.clone(),
        sub_merchant_id: String::new(),
        original_partner_reference_no: order.into(),
        original_reference_no: reference_no.into(),
        service_code: "54".into(),
        transaction_date: SystemClock.now().to_string(),
        external_store_id: String::new(),
        amount: idr(value),
        additional_info: Extra::new(),
    }
}

fn ewallet_refund(
    info: &SimulatorInfo,
    reference_no: &str,
    order: &str,
    refund_no: &str,
    value: &str,
) -> EwalletRefundRequest {
    EwalletRefundRequest {
        merchant_id: info.client_id.clone(),
        sub_merchant_id: String::new(),
        original_partner_reference_no: order.into(),
        original_reference_no: reference_no.into(),
        partner_refund_no: refund_no.into(),
        external_store_id: String::new(),
        refund_amount: idr(value),
        reason: "Customer request".into(),
        additional_info: EwalletRefundAdditionalInfo::default(),
    }
}

fn payout_registration(
    info: &SimulatorInfo,
    reference: &str,
    value: &str,
    scheduled: bool,
) -> PayoutRegistrationRequest {
    // Built from its JSON, as the bindings send it: every optional field left out is None.
    let (date, time) = if scheduled { ("20991231", "100000") } else { ("", "") };
    serde_json::from_value(serde_json::json!({
        "partnerReferenceNo": reference, "merchantId": info.client_id,
        "beneficiaryAccountNo": "5345000060", "beneficiaryName": "Ani Wijaya", "beneficiaryPhone": "08123456789",
        "beneficiaryCustomerResidence": "1", "beneficiaryCustomerType": "1", "beneficiaryPostalCode": "10110",
        "beneficiaryBankCode": "BNIA", "payoutMethod": "0", "description": "Seller payout",
        "reservedDt": date, "reservedTm": time, "deliveryId": "", "deliveryNm": "Ani",
        "amount": {"value": value, "currency": "IDR"},
    }))
    .unwrap()
}

fn payout_ref(info: &SimulatorInfo, reference_no: &str, reference: &str, account: Option<&str>) -> PayoutReference {
    PayoutReference {
        original_reference_no: reference_no.into(),
        original_partner_reference_no: reference.into(),
        merchant_id: info.client_id.clone(),
        beneficiary_account_no: account.map(str::to_owned),
    }
}

fn balance_of(resp: &nicepay_snap::api::payout::BalanceInquiryResponse) -> String {
    resp.account_infos[0]
        .available_balance
        .as_ref()
        .unwrap()
        .value()
        .to_owned()
}

/// `(partnerReferenceNo, referenceNo)` of a fresh immediate payout of `$value` (pass `await` last
/// for the async client).
macro_rules! register_payout {
    ($client:expr, $info:expr, $value:expr $(, $wait:tt)?) => {{
        let reference = unique("po");
        let request = payout_registration(&$info, &reference, $value, false);
        let registered = $client.payout_registration(&request)$(.$wait)?;
        (reference, registered.unwrap().reference_no.unwrap())
    }};
}

/// `(partnerReferenceNo, referenceNo)` of a fresh e-wallet payment of `$value`, notified to
/// `$notify` (pass `await` last for the async client).
macro_rules! start_ewallet {
    ($client:expr, $info:expr, $value:expr, $notify:expr $(, $wait:tt)?) => {{
        let order = unique("ew");
        let paid = $client.ewallet_payment(&ewallet_payment(&$info, &order, $value, $notify))$(.$wait)?;
        (order, paid.unwrap().reference_no.unwrap())
    }};
}

// ---------------------------------------------------------------------------------------------
// Virtual Account.

#[test]
fn va_full_flow_blocking_with_notification_and_errors() {
    let (sim, _, client) = start_blocking();
    let inbox = Inbox::start("2002500");

    let trx = unique("va");
    let created = client
        .execute::<VaCreate>(&va_create(&trx, "25000.00", Some(&inbox.url)))
        .unwrap();
    assert_eq!(created.response_code.as_str(), "2002700");
    let (va_no, txid_va) = va_ids(&created);
    assert!(
        !va_no.is_empty() && va_no.bytes().all(|b| b.is_ascii_digit()),
        "{va_no}"
    );
    assert!(txid_va.starts_with("IONPAYTEST02"), "{txid_va}");

    let status = client
        .execute::<VaStatus>(&va_status(&va_no, &txid_va, &trx, "25000.00"))
        .unwrap();
    assert_eq!(status.response_code.as_str(), "2002600");
    assert_eq!(status.latest_transaction_status(), Some(TransactionStatus::Pending));

    // VA delete is a DELETE: the same body POSTed is refused before anything else.
    let body = serde_json::to_string(&va_delete(&va_no, &txid_va, &trx, "25000.00")).unwrap();
    let (http, text) = send_raw(&client, Method::Post, "/api/v1.0/transfer-va/delete-va", &body);
    assert_eq!(http, 405, "{text}");
    assert!(text.contains("4053100"), "{text}");

    // The customer pays by VA number; the notification carries tXidVA and is confirmed by query.
    let paid = sim.pay_va(&va_no).unwrap();
    assert_eq!(paid.reference_no, txid_va);
    assert!(paid.notification.unwrap().delivered);
    let (headers, body) = inbox.next();
    let n: VaNotification = client.verify_notification(&headers, &body).unwrap();
    assert_eq!(n.virtual_account_no.as_deref(), Some(va_no.as_str()));
    assert_eq!(n.trx_id.as_deref(), Some(trx.as_str()));
    assert_eq!(n.paid_amount.as_ref().unwrap().value(), "25000.00");
    assert_eq!(
        n.additional_info.as_ref().unwrap()["tXidVA"].as_str(),
        Some(txid_va.as_str())
    );
    // The signature does not cover the body: an edited amount is caught by the status query.
    let confirmed = confirm_unless_forged::<VaNotification>(&client, &(headers, body), "25000.00", "1.00");
    assert!(confirmed.paid);

    let status = client
        .execute::<VaStatus>(&va_status(&va_no, &txid_va, &trx, "25000.00"))
        .unwrap();
    assert_eq!(status.latest_transaction_status(), Some(TransactionStatus::Success));
    // Paying twice is an admin conflict; deleting a paid VA is refused (Paid Bill).
    assert!(sim.pay_va(&txid_va).is_err());
    assert_eq!(
        code(client.execute::<VaDelete>(&va_delete(&va_no, &txid_va, &trx, "25000.00"))),
        "4043113"
    );

    // Errors: duplicate trxId, unknown tXidVA, wrong VA number, wrong amount on delete.
    assert_eq!(
        code(client.execute::<VaCreate>(&va_create(&trx, "1.00", None))),
        "4092701"
    );
    assert_eq!(
        code(client.execute::<VaStatus>(&va_status(&va_no, "IONPAYTEST02000000000000000000", &trx, "25000.00"))),
        "4042601"
    );
    assert_eq!(
        code(client.execute::<VaStatus>(&va_status("8808999999999999", &txid_va, &trx, "25000.00"))),
        "4042619"
    );
    assert_eq!(
        code(client.execute::<VaDelete>(&va_delete(&va_no, &txid_va, &trx, "1.00"))),
        "4003101"
    );
    // Server-side field checks (bypassing the client's own validation).
    let (http, text) = send_raw(
        &client,
        Method::Post,
        "/api/v1.0/transfer-va/create-va",
        r#"{"partnerServiceId":"","customerNo":"","virtualAccountNo":"","virtualAccountName":"X","trxId":"t-1","totalAmount":{"value":"10.00","currency":"IDR"},"additionalInfo":{}}"#,
    );
    assert_eq!((http, text.contains("4002702")), (400, true), "{text}");

    // A second VA is deleted (DELETE with a body), then reads as cancelled.
    let trx2 = unique("va");
    let (va2, txid2) = va_ids(&client.execute::<VaCreate>(&va_create(&trx2, "10000.00", None)).unwrap());
    let deleted = client
        .execute::<VaDelete>(&va_delete(&va2, &txid2, &trx2, "10000.00"))
        .unwrap();
    assert_eq!(deleted.response_code.as_str(), "2003100");
    let status = client
        .execute::<VaStatus>(&va_status(&va2, &txid2, &trx2, "10000.00"))
        .unwrap();
    assert_eq!(status.latest_transaction_status(), Some(TransactionStatus::Refunded));
    assert_eq!(
        code(client.execute::<VaDelete>(&va_delete(&va2, &txid2, &trx2, "10000.00"))),
        "4033115"
    );
    assert!(sim.pay_va(&txid2).is_err(), "a cancelled VA cannot be paid");
    let state = sim.state();
    assert_eq!(state.va.len(), 2);
    assert_eq!(state.va[0].latest_transaction_status, "00");
    assert_eq!(state.va[1].latest_transaction_status, "04");
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn va_full_flow_async() {
    let (sim, _, client) = start_async().await;
    let inbox = Inbox::start("2002500");
    let trx = unique("va");
    let req = VaCreateRequest {
        virtual_account_no: "8808123412341234".into(),
        ..va_create(&trx, "75000.00", Some(&inbox.url))
    };
    let created = client.va_create(&req).await.unwrap();
    let (va_no, txid_va) = va_ids(&created);
    assert_eq!(va_no, "8808123412341234");
    // The same fixed number cannot be issued twice while unpaid.
    let mut again = va_create(&unique("va"), "1.00", None);
    again.virtual_account_no = va_no.clone();
    assert_eq!(code(client.va_create(&again).await), "4092701");

    let status = client
        .va_status(&va_status(&va_no, &txid_va, &trx, "75000.00"))
        .await
        .unwrap();
    assert_eq!(status.latest_transaction_status(), Some(TransactionStatus::Pending));
    let paid = sim.pay_va(&txid_va).await.unwrap();
    assert_eq!(paid.virtual_account_no.as_deref(), Some(va_no.as_str()));
    let confirmed = next_confirmed::<VaNotification>(&client, inbox).await;
    assert!(confirmed.paid);
    assert_eq!(
        confirmed.status.latest_transaction_status(),
        Some(TransactionStatus::Success)
    );
    assert_eq!(
        code(client.va_delete(&va_delete(&va_no, &txid_va, &trx, "75000.00")).await),
        "4043113"
    );
    // By name, as the bindings call it.
    let json = client
        .execute_json(
            "va.status",
            serde_json::to_value(va_status(&va_no, &txid_va, &trx, "75000.00")).unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(
        json["virtualAccountData"]["additionalInfo"]["latestTransactionStatus"],
        "00"
    );
    sim.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// E-wallet.

#[test]
fn ewallet_full_flow_blocking_with_redirect_notification_and_refunds() {
    let (sim, info, client) = start_blocking();
    let order = unique("ew");
    let inbox = Inbox::start("2005600");
    let paid = client
        .ewallet_payment(&ewallet_payment(&info, &order, "30000.00", Some(&inbox.url)))
        .unwrap();
    assert_eq!(paid.response_code.as_str(), "2005400");
    let reference_no = paid.reference_no.clone().unwrap();
    let redirect = paid.web_redirect_url.clone().unwrap();
    assert!(redirect.starts_with(&info.base_url), "{redirect}");
    let status = ewallet_status(&info, &reference_no, &order, "30000.00");
    let pending = client.ewallet_status(&status).unwrap();
    assert_eq!(pending.latest_transaction_status, Some(TransactionStatus::Pending));

    // Refund before the customer approved.
    assert_eq!(
        code(client.ewallet_refund(&ewallet_refund(&info, &reference_no, &order, &unique("r"), "1.00"))),
        "4035815"
    );

    // The customer opens webRedirectUrl: paid, notified, sent back to PAY_RETURN.
    let (http, location) = http_get(&redirect);
    assert_eq!(http, 303);
    assert_eq!(location.as_deref(), Some("http://127.0.0.1:9/shop/return"));
    let (headers, body) = inbox.next();
    let n: EwalletNotification = client.verify_notification(&headers, &body).unwrap();
    assert_eq!(n.original_reference_no.as_deref(), Some(reference_no.as_str()));
    assert_eq!(n.latest_transaction_status, Some(TransactionStatus::Success));
    let confirmed = confirm_unless_forged::<EwalletNotification>(&client, &(headers, body), "30000.00", "99000.00");
    assert!(confirmed.paid);
    // Approving twice is a conflict (the page answers 409).
    assert_eq!(http_get(&redirect).0, 409);

    let refund = ewallet_refund(&info, &reference_no, &order, &unique("r"), "10000.00");
    let refunded = client.ewallet_refund(&refund).unwrap();
    assert_eq!(refunded.response_code.as_str(), "2005800");
    assert_eq!(refunded.refund_amount.unwrap().value(), "10000.00");
    assert!(refunded.refund_no.is_some());
    assert!(refunded.refund_time.unwrap().ends_with("+07:00"));
    assert_eq!(code(client.ewallet_refund(&refund)), "4095801");
    assert_eq!(
        code(client.ewallet_refund(&ewallet_refund(&info, &reference_no, &order, &unique("r"), "20000.01"))),
        "4035802"
    );
    client
        .ewallet_refund(&ewallet_refund(&info, &reference_no, &order, &unique("r"), "20000.00"))
        .unwrap();
    let done = client.ewallet_status(&status).unwrap();
    assert_eq!(done.latest_transaction_status, Some(TransactionStatus::Refunded));
    assert_eq!(
        code(client.ewallet_refund(&ewallet_refund(&info, &reference_no, &order, &unique("r"), "1.00"))),
        "4035815"
    );

    // Errors: duplicate order, unknown payment, urlParam as one object, unknown wallet.
    assert_eq!(
        code(client.ewallet_payment(&ewallet_payment(&info, &order, "1.00", None))),
        "4095401"
    );
    assert_eq!(
        code(client.ewallet_status(&ewallet_status(&info, "IONPAYTEST05000000000000000000", &order, "1.00"))),
        "4045501"
    );
    let mut one_object = serde_json::to_value(ewallet_payment(&info, &unique("ew"), "1.00", None)).unwrap();
    one_object["urlParam"] = one_object["urlParam"][0].clone();
    let (http, text) = send_raw(
        &client,
        Method::Post,
        "/api/v1.0/debit/payment-host-to-host",
        &one_object.to_string(),
    );
    assert_eq!((http, text.contains("4005401")), (400, true), "{text}");
    let mut wallet = ewallet_payment(&info, &unique("ew"), "1.00", None);
    wallet.additional_info.mitra_cd = "XXXX".into();
    assert_eq!(code(client.ewallet_payment(&wallet)), "4005401");
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ewallet_full_flow_async() {
    let (sim, info, client) = start_async().await;
    let order = unique("ew");
    let inbox = Inbox::start("2005600");
    // The notification URL may also come from additionalInfo.dbProcessUrl.
    let mut req = ewallet_payment(&info, &order, "45000.00", None);
    req.additional_info.db_process_url = Some(inbox.url.clone());
    let paid = client.ewallet_payment(&req).await.unwrap();
    let reference_no = paid.reference_no.unwrap();
    let outcome = sim.pay_ewallet(&reference_no).await.unwrap();
    assert_eq!(outcome.latest_transaction_status, "00");
    assert!(outcome.notification.unwrap().delivered);
    let confirmed = next_confirmed::<EwalletNotification>(&client, inbox).await;
    assert!(confirmed.paid);
    let refund = ewallet_refund(&info, &reference_no, &order, &unique("r"), "45000.00");
    assert_eq!(
        client.ewallet_refund(&refund).await.unwrap().response_code.as_str(),
        "2005800"
    );
    assert_eq!(code(client.ewallet_refund(&refund).await), "4095801");
    let status = client
        .ewallet_status(&ewallet_status(&info, &reference_no, &order, "45000.00"))
        .await
        .unwrap();
    assert_eq!(status.latest_transaction_status, Some(TransactionStatus::Refunded));
    // A refund that times out after being applied is an unknown outcome; resending the same
    // partnerRefundNo is then a duplicate, never a second refund.
    let (order2, ref2) = start_ewallet!(client, info, "5000.00", None, await);
    sim.pay_ewallet(&ref2).await.unwrap();
    sim.set_fault(Fault::respond_after("/api/v1.0/debit/refund", 504).times(1))
        .unwrap();
    let refund2 = ewallet_refund(&info, &ref2, &order2, &unique("r"), "5000.00");
    let err = client.ewallet_refund(&refund2).await.unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
    assert_eq!(code(client.ewallet_refund(&refund2).await), "4095801");
    sim.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// Payout.

#[test]
fn payout_full_flow_blocking_state_machine_and_errors() {
    let (sim, info, client) = start_blocking();
    let balance_req = BalanceInquiryRequest {
        account_no: info.client_id.clone(),
        ..Default::default()
    };
    let balance = client.balance_inquiry(&balance_req).unwrap();
    assert_eq!(balance.response_code.as_str(), "2001100");
    assert_eq!(balance_of(&balance), "100000000.00");

    // registration → 03 → approve → 00, balance debited.
    let p1 = unique("po");
    let reg = client
        .payout_registration(&payout_registration(&info, &p1, "150000.00", false))
        .unwrap();
    assert_eq!(reg.response_code.as_str(), "2000000");
    assert_eq!(reg.transaction_status, Some(TransactionStatus::Pending));
    let t1 = reg.reference_no.unwrap();
    let inquiry = payout_ref(&info, &t1, &p1, Some("5345000060"));
    let q = client.payout_inquiry(&inquiry).unwrap();
    assert_eq!(q.status(), Some(&TransactionStatus::Pending));
    let approved = client.payout_approve(&payout_ref(&info, &t1, &p1, None)).unwrap();
    assert_eq!(approved.response_code.as_str(), "2000000");
    assert_eq!(approved.status(), Some(&TransactionStatus::Success));
    assert_eq!(
        balance_of(&client.balance_inquiry(&balance_req).unwrap()),
        "99850000.00"
    );
    // Invalid transitions.
    for r in [
        client.payout_approve(&payout_ref(&info, &t1, &p1, None)),
        client.payout_reject(&payout_ref(&info, &t1, &p1, None)),
        client.payout_cancel(&payout_ref(&info, &t1, &p1, None)),
    ] {
        assert_eq!(code(r), "4030015");
    }

    // registration → reject → 05; approve after reject is refused.
    let (p2, t2) = register_payout!(client, info, "1000.00");
    let rejected = client
        .payout_reject(&payout_ref(&info, &t2, &p2, Some("5345000060")))
        .unwrap();
    assert_eq!(rejected.status(), Some(&TransactionStatus::Canceled));
    assert_eq!(rejected.status().unwrap().code(), "05");
    assert_eq!(
        code(client.payout_approve(&payout_ref(&info, &t2, &p2, None))),
        "4030015"
    );

    // A scheduled payout can be cancelled (→ 04), also after approval (credited back).
    let p3 = unique("po");
    let mut scheduled = payout_registration(&info, &p3, "2000.00", true);
    scheduled.delivery_nm = None;
    scheduled.delivery_name = Some("Ani".into());
    let t3 = client.payout_registration(&scheduled).unwrap().reference_no.unwrap();
    client.payout_approve(&payout_ref(&info, &t3, &p3, None)).unwrap();
    let cancelled = client.payout_cancel(&payout_ref(&info, &t3, &p3, None)).unwrap();
    assert_eq!(cancelled.status().unwrap().code(), "04");
    assert_eq!(
        balance_of(&client.balance_inquiry(&balance_req).unwrap()),
        "99850000.00"
    );
    assert_eq!(
        code(client.payout_cancel(&payout_ref(&info, &t3, &p3, None))),
        "4030015"
    );

    // Insufficient balance: nothing moves, the payout stays pending.
    sim.set_payout_balance_minor(&info.client_id, 50_000);
    let (p4, t4) = register_payout!(client, info, "500.01");
    assert_eq!(
        code(client.payout_approve(&payout_ref(&info, &t4, &p4, None))),
        "4030014"
    );
    assert_eq!(
        client
            .payout_inquiry(&payout_ref(&info, &t4, &p4, Some("5345000060")))
            .unwrap()
            .status(),
        Some(&TransactionStatus::Pending)
    );
    assert_eq!(sim.payout_balance_minor(&info.client_id), 50_000);

    // Other errors.
    assert_eq!(
        code(client.payout_registration(&payout_registration(&info, &p4, "1.00", false))),
        "4090001"
    );
    assert_eq!(
        code(client.payout_inquiry(&payout_ref(&info, "IONPAYTEST07000000000000000000", &p4, Some("1")))),
        "4040001"
    );
    assert_eq!(
        code(client.payout_inquiry(&payout_ref(&info, &t4, &p4, Some("999")))),
        "4040011"
    );
    assert_eq!(
        code(client.payout_inquiry(&payout_ref(&info, &t4, &p4, None))),
        "4000002"
    );
    assert_eq!(
        code(client.balance_inquiry(&BalanceInquiryRequest {
            account_no: "SOMEONEELSE".into(),
            ..Default::default()
        })),
        "4041111"
    );
    // The Python SDK's empty accountNo means "this merchant".
    assert_eq!(
        balance_of(&client.balance_inquiry(&BalanceInquiryRequest::default()).unwrap()),
        "500.00"
    );
    let state = sim.state();
    assert_eq!(state.payouts.len(), 4);
    assert_eq!(state.payouts[2].delivery_name.as_deref(), Some("Ani"));
    assert_eq!(state.payout_balances[&info.client_id], "500.00");
    sim.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payout_full_flow_async() {
    let (sim, info, client) = start_async_with(Simulator::builder().payout_balance_minor(1_000_000)).await;
    let (p, t) = register_payout!(client, info, "7500.00", await);
    let approved = client.payout_approve(&payout_ref(&info, &t, &p, None)).await.unwrap();
    assert_eq!(approved.status(), Some(&TransactionStatus::Success));
    let balance = client.balance_inquiry(&BalanceInquiryRequest::default()).await.unwrap();
    assert_eq!(balance_of(&balance), "2500.00");
    let (p2, t2) = register_payout!(client, info, "2500.01", await);
    assert_eq!(
        code(client.payout_approve(&payout_ref(&info, &t2, &p2, None)).await),
        "4030014"
    );
    assert_eq!(
        client
            .payout_reject(&payout_ref(&info, &t2, &p2, None))
            .await
            .unwrap()
            .status()
            .unwrap()
            .code(),
        "05"
    );
    // Approve timed out client-side after the simulator applied it → unknown → inquiry.
    let impatient = reqwest_client_within(&info, Duration::from_millis(800));
    impatient.access_token().await.unwrap();
    let (p3, t3) = register_payout!(impatient, info, "100.00", await);
    sim.set_fault(Fault::delay_after(APPROVE, 2_500).times(1)).unwrap();
    let err = impatient
        .payout_approve(&payout_ref(&info, &t3, &p3, None))
        .await
        .unwrap_err();
    match &err {
        ClientError::OutcomeUnknown {
            operation, identifiers, ..
        } => {
            assert_eq!(*operation, "payout.approve");
            assert!(
                identifiers.contains(&("originalReferenceNo".into(), t3.clone())),
                "{identifiers:?}"
            );
        }
        other => panic!("expected an unknown outcome, got {other:?}"),
    }
    let resolved = client
        .payout_inquiry(&payout_ref(&info, &t3, &p3, Some("5345000060")))
        .await
        .unwrap();
    assert_eq!(resolved.status(), Some(&TransactionStatus::Success));
    assert_eq!(sim.payout_balance_minor(&info.client_id), 240_000);
    sim.shutdown().await;
}

#[test]
fn payout_approve_faults_are_unknown_outcomes_resolved_by_inquiry() {
    let (sim, info, client) = start_blocking();
    let impatient = ureq_client_within(&info, Duration::from_millis(800));
    impatient.access_token().unwrap();
    let delay = ("delay after apply", Fault::delay_after(APPROVE, 2_500).times(1), true);
    for (name, fault, applied) in std::iter::once(delay).chain(faults_around(APPROVE)) {
        let before = sim.payout_balance_minor(&info.client_id);
        let (p, t) = register_payout!(client, info, "1000.00");
        sim.set_fault(fault).unwrap();
        let err = impatient.payout_approve(&payout_ref(&info, &t, &p, None)).unwrap_err();
        assert!(err.is_outcome_unknown(), "{name}: {err:?}");
        // Resolve by inquiry, never by approving blindly again.
        let status = client
            .payout_inquiry(&payout_ref(&info, &t, &p, Some("5345000060")))
            .unwrap();
        let expected = if applied { "00" } else { "03" };
        assert_eq!(status.status().unwrap().code(), expected, "{name}");
        if !applied {
            client.payout_approve(&payout_ref(&info, &t, &p, None)).unwrap();
        }
        assert_eq!(
            sim.payout_balance_minor(&info.client_id),
            before - 100_000,
            "{name}: debited exactly once"
        );
    }
    sim.shutdown();
}

#[test]
fn faults_and_state_cover_va_and_ewallet() {
    let (sim, info, client): (BlockingSimulator, _, _) = start_blocking();
    // Non-money calls: a 500 is a plain API error, not an unknown outcome.
    sim.set_fault(Fault::respond_before("/api/v1.0/transfer-va/create-va", 500).times(1))
        .unwrap();
    let err = client.va_create(&va_create(&unique("va"), "1.00", None)).unwrap_err();
    assert!(!err.is_outcome_unknown());
    assert_eq!(err.response_code().unwrap().as_str(), "5002700");
    sim.set_fault(Fault::respond_before("/nicepay/api/v1.0/debit/status", 504).times(1))
        .unwrap();
    let (order, r) = start_ewallet!(client, info, "1.00", None);
    assert_eq!(
        code(client.ewallet_status(&ewallet_status(&info, &r, &order, "1.00"))),
        "5045500"
    );
    let state = sim.state();
    assert_eq!(state.va.len(), 0);
    assert_eq!(state.ewallet.len(), 1);
    assert_eq!(state.ewallet[0].latest_transaction_status, "03");
    assert!(state.faults.is_empty());
    sim.shutdown();
}

#[test]
fn expired_va_and_declined_ewallet_are_never_confirmed_as_paid() {
    let (sim, info, client) = start_blocking();

    // A VA whose validity ended (Jakarta time) reads as 04 Expired and cannot be paid or deleted.
    let trx = unique("va");
    let mut req = va_create(&trx, "5000.00", None);
    req.additional_info.vacct_valid_dt = Some("20200101".into());
    req.additional_info.vacct_valid_tm = Some("000000".into());
    let (va_no, txid_va) = va_ids(&client.va_create(&req).unwrap());
    let status = client.va_status(&va_status(&va_no, &txid_va, &trx, "5000.00")).unwrap();
    assert_eq!(status.latest_transaction_status(), Some(TransactionStatus::Refunded));
    assert_eq!(
        status.virtual_account_data.unwrap().additional_info.unwrap()["transactionStatusDesc"],
        "Expired"
    );
    assert!(sim.pay_va(&va_no).is_err());
    assert_eq!(
        code(client.va_delete(&va_delete(&va_no, &txid_va, &trx, "5000.00"))),
        "4033115"
    );
    // A VA valid until far in the future is payable.
    let trx2 = unique("va");
    let mut req = va_create(&trx2, "5000.00", None);
    req.additional_info.vacct_valid_dt = Some("20991231".into());
    req.additional_info.vacct_valid_tm = Some("235959".into());
    let (va2, _) = va_ids(&client.va_create(&req).unwrap());
    assert_eq!(sim.pay_va(&va2).unwrap().latest_transaction_status, "00");

    // The customer declines at the wallet page: 05, notified, never confirmed, not refundable.
    let inbox = Inbox::start("2005600");
    let (order, reference_no) = start_ewallet!(client, info, "8000.00", Some(&inbox.url));
    let (http, location) = http_get(&format!("{}/__sim/ewallet/{reference_no}/cancel", info.base_url));
    assert_eq!(
        (http, location.as_deref()),
        (303, Some("http://127.0.0.1:9/shop/return"))
    );
    let (headers, body) = inbox.next();
    let confirmed = client
        .verify_and_confirm::<EwalletNotification>(&headers, &body)
        .unwrap();
    assert!(!confirmed.paid);
    assert_eq!(
        confirmed.status.latest_transaction_status,
        Some(TransactionStatus::Canceled)
    );
    assert_eq!(
        code(client.ewallet_refund(&ewallet_refund(&info, &reference_no, &order, &unique("r"), "1.00"))),
        "4035815"
    );
    assert!(
        sim.pay_ewallet(&reference_no).is_err(),
        "a declined payment cannot be approved"
    );
    assert!(sim.decline_ewallet(&reference_no).is_err());
    sim.shutdown();
}

#[test]
fn concurrent_approves_and_refunds_never_move_money_twice() {
    let (sim, info, client) = start_blocking();
    let client = std::sync::Arc::new(client);
    client.access_token().unwrap();

    // Eight threads approve the same payout: exactly one wins, the balance moves once.
    let (p, t) = register_payout!(client, info, "1000.00");
    let before = sim.payout_balance_minor(&info.client_id);
    let approve = payout_ref(&info, &t, &p, None);
    let results: Vec<Result<_, ClientError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| scope.spawn(|| client.payout_approve(&approve)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1);
    for r in results.into_iter().filter(|r| r.is_err()) {
        assert_eq!(code(r), "4030015");
    }
    assert_eq!(sim.payout_balance_minor(&info.client_id), before - 100_000);

    // Eight threads refund 30% each of one e-wallet payment: at most three succeed.
    let (order, reference_no) = start_ewallet!(client, info, "10000.00", None);
    sim.pay_ewallet(&reference_no).unwrap();
    let ok = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let req = ewallet_refund(&info, &reference_no, &order, &unique("r"), "3000.00");
                let client = &client;
                scope.spawn(move || client.ewallet_refund(&req))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .filter(|r| match r {
                Ok(_) => true,
                Err(e) => {
                    assert_eq!(e.response_code().unwrap().as_str(), "4035802");
                    false
                }
            })
            .count()
    });
    assert_eq!(ok, 3);
    let state = sim.state();
    let ew = state.ewallet.iter().find(|e| e.reference_no == reference_no).unwrap();
    assert_eq!(ew.refunded_amount, "9000.00");
    sim.shutdown();
}

/// The payout result notification: posted after an immediate approve, a reject and a scheduled
/// payout's execution (never before it); verified and confirmed by payout inquiry.
#[test]
fn payout_result_notifications_are_sent_verified_and_confirmed() {
    let (sim, info, client) = start_blocking();
    let inbox = Inbox::start("2000000");
    sim.set_payout_notification_url(&info.client_id, Some(inbox.url.clone()));
    let (p1, t1) = register_payout!(client, info, "1500.00");
    client.payout_approve(&payout_ref(&info, &t1, &p1, None)).unwrap();
    let approved = inbox.next();
    assert!(approved
        .0
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("X-CLIENT-KEY") && *v == info.client_id));
    let confirmed = confirm_unless_forged::<PayoutNotification>(&client, &approved, "1500.00", "9999.00");
    assert!(confirmed.paid);
    assert_eq!(
        confirmed.notification.original_reference_no.as_deref(),
        Some(t1.as_str())
    );
    let json = client
        .verify_and_confirm_json("payout".parse().unwrap(), &approved.0, &approved.1)
        .unwrap();
    assert_eq!(json["paid"], true);

    let (p2, t2) = register_payout!(client, info, "1000.00");
    client.payout_reject(&payout_ref(&info, &t2, &p2, None)).unwrap();
    let (headers, body) = inbox.next();
    let rejected = client
        .verify_and_confirm::<PayoutNotification>(&headers, &body)
        .unwrap();
    assert!(!rejected.paid);
    assert_eq!(rejected.notification.latest_transaction_status.unwrap().code(), "05");

    let p3 = unique("po");
    let t3 = client
        .payout_registration(&payout_registration(&info, &p3, "2000.00", true))
        .unwrap()
        .reference_no
        .unwrap();
    client.payout_approve(&payout_ref(&info, &t3, &p3, None)).unwrap();
    // The two deliveries are recorded once their answers are read: wait for them, then give a
    // wrong notification of the scheduled approve time to show up.
    for _ in 0..500 {
        if sim.payout_notifications().len() >= 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        sim.payout_notifications().len(),
        2,
        "a scheduled approve notifies nothing yet"
    );
    assert!(sim.execute_payout(&t3).unwrap().unwrap().delivered);
    let (headers, body) = inbox.next();
    assert!(
        client
            .verify_and_confirm::<PayoutNotification>(&headers, &body)
            .unwrap()
            .paid
    );
    assert!(
        client.payout_cancel(&payout_ref(&info, &t3, &p3, None)).is_err(),
        "executed: not cancellable"
    );
    assert!(sim.execute_payout(&t3).is_err(), "executed once");
    let mut forged = headers.clone();
    forged.retain(|(k, _)| !k.eq_ignore_ascii_case("X-SIGNATURE"));
    forged.push(("X-SIGNATURE".into(), "AAAA".into()));
    assert!(client.verify_and_confirm::<PayoutNotification>(&forged, &body).is_err());
}
