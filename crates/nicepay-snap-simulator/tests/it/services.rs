//! VA, e-wallet and payout at the HTTP level: server-side field checks, methods, admin endpoints
//! and the state dump.

use nicepay_snap::api::va::{VaDelete, VaDeleteAdditionalInfo, VaDeleteRequest};
use nicepay_snap::api::Extra;
use nicepay_snap::Amount;
use serde_json::{json, Value};

use crate::common::*;

pub const CREATE_VA: &str = "/api/v1.0/transfer-va/create-va";
const DELETE_VA: &str = "/api/v1.0/transfer-va/delete-va";
pub const PAYMENT: &str = "/api/v1.0/debit/payment-host-to-host";
pub const REGISTRATION: &str = "/api/v1.0/transfer/registration";
const APPROVE: &str = "/api/v1.0/transfer/approve";

pub fn va_body(trx_id: &str, db_process_url: Option<&str>) -> Value {
    json!({
        "partnerServiceId": "",
        "customerNo": "",
        "virtualAccountNo": "",
        "virtualAccountName": "Budi",
        "trxId": trx_id,
        "totalAmount": { "value": "15000.00", "currency": "IDR" },
        "additionalInfo": { "bankCd": "CENA", "goodsNm": "Kopi", "dbProcessUrl": db_process_url.unwrap_or("") },
    })
}

pub fn payment_body(merchant: &str, order: &str, url_param: Value) -> Value {
    json!({
        "partnerReferenceNo": order,
        "merchantId": merchant,
        "subMerchantId": "",
        "externalStoreId": "",
        "validUpTo": "",
        "pointOfInitiation": "Mobile App",
        "amount": { "value": "20000.00", "currency": "IDR" },
        "urlParam": url_param,
        "additionalInfo": { "mitraCd": "OVOE" },
    })
}

pub fn registration_body(merchant: &str, reference: &str, value: &str) -> Value {
    json!({
        "partnerReferenceNo": reference,
        "merchantId": merchant,
        "beneficiaryAccountNo": "5345000060",
        "beneficiaryName": "Ani",
        "beneficiaryPhone": "0812",
        "beneficiaryCustomerResidence": "1",
        "beneficiaryCustomerType": "1",
        "beneficiaryPostalCode": "10110",
        "beneficiaryBankCode": "BNIA",
        "payoutMethod": "0",
        "reservedDt": "",
        "reservedTm": "",
        "deliveryId": "",
        "deliveryNm": "Ani",
        "amount": { "value": value, "currency": "IDR" },
    })
}

#[tokio::test]
async fn va_over_http_methods_admin_pay_notify_and_state() {
    let (env, notify_url, mut rx, token) = Env::with_receiver().await;

    let trx = unique("va");
    let raw = env.send_raw(&token, CREATE_VA, &va_body(&trx, Some(&notify_url))).await;
    assert_eq!(code(&raw), "2002700", "{}", String::from_utf8_lossy(&raw.body));
    let data = json(&raw)["virtualAccountData"].clone();
    let va_no = data["virtualAccountNo"].as_str().unwrap().to_owned();
    let txid_va = data["additionalInfo"]["tXidVA"].as_str().unwrap().to_owned();
    assert_eq!(data["additionalInfo"]["bankCd"], "CENA");
    assert_eq!(data["totalAmount"]["value"], "15000.00");

    // Server-side checks the typed client would have caught.
    for (mutate, expected) in [
        (json!({"trxId": ""}), "4002702"),
        (json!({"totalAmount": {"value": "15000", "currency": "IDR"}}), "4002701"),
        (json!({"virtualAccountNo": "12ab"}), "4002701"),
        (json!({"additionalInfo": {"bankCd": "mandiri"}}), "4002701"),
        (
            json!({"additionalInfo": {"bankCd": "BMRI", "vacctValidDt": "2024-01-01"}}),
            "4002701",
        ),
    ] {
        let body = merged(va_body(&unique("va"), None), &mutate);
        let raw = env.send_raw(&token, CREATE_VA, &body).await;
        assert_eq!(code(&raw), expected, "{mutate}: {}", String::from_utf8_lossy(&raw.body));
    }

    // delete-va only answers DELETE: POST (signed as POST) and GET get a SNAP 405.
    let raw = env.send_raw(&token, DELETE_VA, &json!({})).await;
    assert_eq!((raw.status, code(&raw)), (405, "4053100".to_owned()));
    let resp = env.get(&format!("/nicepay{DELETE_VA}")).await;
    assert_eq!(resp.status(), 405);

    // Admin pay by tXidVA over HTTP; resend; conflicts.
    let resp = env.post(&format!("/__admin/va/{txid_va}/pay"), "").await;
    assert_eq!(resp.status(), 200);
    let outcome: Value = body_json(resp).await;
    assert_eq!(outcome["referenceNo"], txid_va.as_str());
    assert_eq!(outcome["partnerReferenceNo"], trx.as_str());
    assert_eq!(outcome["virtualAccountNo"], va_no.as_str());
    assert_eq!(outcome["notification"]["delivered"], true);
    let received = rx.recv().await.unwrap();
    let body: Value = serde_json::from_slice(&received.body).unwrap();
    assert_eq!(body["virtualAccountNo"], va_no.as_str());
    assert_eq!(body["paidAmount"]["value"], "15000.00");
    assert_eq!(body["additionalInfo"]["tXidVA"], txid_va.as_str());
    assert!(body["trxDateTime"].as_str().unwrap().ends_with("+07:00"));
    let resp = env.post(&format!("/__admin/va/{va_no}/notify"), "").await;
    assert_eq!(resp.status(), 200);
    assert!(rx.recv().await.is_some());
    for (path, status) in [
        (format!("/__admin/va/{va_no}/pay"), 409),
        ("/__admin/va/000/pay".to_owned(), 404),
        ("/__admin/va/000/notify".to_owned(), 404),
    ] {
        let resp = env.post(&path, "").await;
        assert_eq!(resp.status(), status, "{path}");
    }

    // Deleting the paid VA (a real DELETE) is refused with Paid Bill.
    let delete = VaDeleteRequest {
        partner_service_id: String::new(),
        customer_no: String::new(),
        virtual_account_no: va_no.clone(),
        trx_id: trx.clone(),
        additional_info: VaDeleteAdditionalInfo {
            total_amount: Amount::idr("15000.00").unwrap(),
            txid_va: txid_va.clone(),
            cancel_message: "x".into(),
            extra: Extra::new(),
        },
    };
    let prepared = env.config.prepare::<VaDelete>(&delete, &env.ctx(&token)).unwrap();
    let raw = send(&env.http, &prepared).await.unwrap();
    assert_eq!((raw.status, code(&raw)), (404, "4043113".to_owned()));

    let state: Value = body_json(env.get("/__admin/state").await).await;
    assert_eq!(state["va"][0]["tXidVA"], txid_va.as_str());
    assert_eq!(state["va"][0]["latestTransactionStatus"], "00");
    assert_eq!(state["payoutBalances"]["IONPAYTEST"], "100000000.00");
    assert!(state["ewallet"].as_array().unwrap().is_empty());
    assert!(state["payouts"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn ewallet_over_http_url_params_approval_page_and_admin() {
    let (env, notify_url, mut rx, token) = Env::with_receiver().await;
    let info = env.sim.info().clone();

    for (url_param, expected) in [
        (
            json!({"url": notify_url, "type": "PAY_NOTIFY", "isDeeplink": "N"}),
            "4005401",
        ),
        (
            json!([{"url": notify_url, "type": "PAY_LATER", "isDeeplink": "N"}]),
            "4005401",
        ),
        (
            json!([{"url": notify_url, "type": "PAY_NOTIFY", "isDeeplink": "yes"}]),
            "4005401",
        ),
        (
            json!([{"url": "ftp://x", "type": "PAY_NOTIFY", "isDeeplink": "N"}]),
            "4005401",
        ),
        (json!([{"type": "PAY_NOTIFY", "isDeeplink": "N"}]), "4005402"),
    ] {
        let body = payment_body(&info.client_id, &unique("ew"), url_param.clone());
        let raw = env.send_raw(&token, PAYMENT, &body).await;
        assert_eq!(code(&raw), expected, "{url_param}");
    }
    let mut no_params = payment_body(&info.client_id, &unique("ew"), json!(null));
    no_params.as_object_mut().unwrap().remove("urlParam");
    let raw = env.send_raw(&token, PAYMENT, &no_params).await;
    assert_eq!(code(&raw), "4005402");

    // Only PAY_NOTIFY: the approval page answers the outcome JSON instead of redirecting.
    let order = unique("ew");
    let body = payment_body(
        &info.client_id,
        &order,
        json!([{"url": notify_url, "type": "PAY_NOTIFY", "isDeeplink": "N"}]),
    );
    let raw = env.send_raw(&token, PAYMENT, &body).await;
    assert_eq!(code(&raw), "2005400");
    let reference_no = json(&raw)["referenceNo"].as_str().unwrap().to_owned();
    let redirect = json(&raw)["webRedirectUrl"].as_str().unwrap().to_owned();
    assert_eq!(
        redirect,
        format!("{}/__sim/ewallet/{reference_no}/approve", info.base_url)
    );
    let resend = env.post(&format!("/__admin/ewallet/{reference_no}/notify"), "").await;
    assert_eq!(resend.status(), 409, "nothing to resend before payment");
    let resp = env.http.get(&redirect).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let outcome: Value = body_json(resp).await;
    assert_eq!(outcome["latestTransactionStatus"], "00");
    let received = rx.recv().await.unwrap();
    let n: Value = serde_json::from_slice(&received.body).unwrap();
    assert_eq!(n["originalReferenceNo"], reference_no.as_str());
    assert_eq!(n["externalStoreID"], "");
    assert_eq!(n["latestTransactionStatus"], "00");
    assert_eq!(n["additionalInfo"]["mitraCd"], "OVOE");
    let resp = env.post(&format!("/__admin/ewallet/{reference_no}/pay"), "").await;
    assert_eq!(resp.status(), 409);
    let resp = env.post(&format!("/__admin/ewallet/{reference_no}/notify"), "").await;
    assert_eq!(resp.status(), 200);
    assert!(rx.recv().await.is_some());
    assert_eq!(env.get("/__sim/ewallet/NOPE/approve").await.status(), 404);
}

#[tokio::test]
async fn payout_over_http_fields_balance_admin_and_faults() {
    let (env, token) = Env::with_token().await;
    let info = env.sim.info().clone();

    for (mutate, expected) in [
        (json!({"beneficiaryCustomerResidence": "3"}), "4000001"),
        (json!({"beneficiaryCustomerType": ""}), "4000002"),
        (json!({"payoutMethod": "9"}), "4000001"),
        (json!({"beneficiaryAccountNo": "12-34"}), "4000001"),
        (json!({"reservedDt": "2099-12-31"}), "4000001"),
        (json!({"merchantId": "SOMEONE"}), "4000001"),
        (json!({"amount": {"value": "0.00", "currency": "IDR"}}), "4000001"),
    ] {
        let body = merged(registration_body(&info.client_id, &unique("po"), "10.00"), &mutate);
        let raw = env.send_raw(&token, REGISTRATION, &body).await;
        assert_eq!(code(&raw), expected, "{mutate}: {}", String::from_utf8_lossy(&raw.body));
    }

    // Admin balance: read, set, reject bad input.
    let bal: Value = body_json(env.get("/__admin/payout/balance").await).await;
    assert_eq!(bal["payoutBalances"]["IONPAYTEST"], "100000000.00");
    let resp = env
        .post("/__admin/payout/balance", r#"{"availableBalance":"1000.00"}"#)
        .await;
    assert_eq!(resp.status(), 200);
    for bad in [r#"{"availableBalance":"1000"}"#, r#"{"available":"1.00"}"#, "nope"] {
        let resp = env.post("/__admin/payout/balance", bad).await;
        assert_eq!(resp.status(), 400, "{bad}");
    }
    let resp = env
        .post(
            "/__admin/payout/balance",
            r#"{"availableBalance":"1.00","clientId":"OTHER"}"#,
        )
        .await;
    assert_eq!(resp.status(), 404);
    assert_eq!(env.sim.payout_balance_minor("IONPAYTEST"), 100_000);

    // respondAfter 504 on approve: applied (balance debited) although the client saw a 504.
    let reference = unique("po");
    let raw = env
        .send_raw(
            &token,
            REGISTRATION,
            &registration_body(&info.client_id, &reference, "400.00"),
        )
        .await;
    assert_eq!(code(&raw), "2000000");
    assert_eq!(json(&raw)["transactionStatus"], "03");
    let txid = json(&raw)["referenceNo"].as_str().unwrap().to_owned();
    env.sim
        .set_fault(nicepay_snap_simulator::Fault::respond_after(APPROVE, 504).times(1))
        .unwrap();
    let approve = json!({
        "originalReferenceNo": txid,
        "originalPartnerReferenceNo": reference,
        "merchantId": info.client_id,
    });
    let raw = env.send_raw(&token, APPROVE, &approve).await;
    assert_eq!((raw.status, code(&raw)), (504, "5040000".to_owned()));
    assert_eq!(env.sim.payout_balance_minor("IONPAYTEST"), 60_000);
    let raw = env.send_raw(&token, APPROVE, &approve).await;
    assert_eq!(code(&raw), "4030015");
    let state = env.sim.state();
    assert_eq!(state.payouts[0].transaction_status, "00");
    assert_eq!(state.payouts[0].delivery_name.as_deref(), Some("Ani"));
    assert_eq!(state.payout_balances["IONPAYTEST"], "600.00");
}

#[tokio::test]
async fn odd_bodies_on_every_new_endpoint_get_snap_answers_never_a_panic() {
    let (env, token) = Env::with_token().await;
    let merchant = env.config.client_id().to_owned();
    let endpoints = [
        (nicepay_snap::Method::Post, CREATE_VA, "27"),
        (nicepay_snap::Method::Post, "/api/v1.0/transfer-va/status", "26"),
        (nicepay_snap::Method::Delete, DELETE_VA, "31"),
        (nicepay_snap::Method::Post, PAYMENT, "54"),
        (nicepay_snap::Method::Post, "/api/v1.0/debit/status", "55"),
        (nicepay_snap::Method::Post, "/api/v1.0/debit/refund", "58"),
        (nicepay_snap::Method::Post, REGISTRATION, "00"),
        (nicepay_snap::Method::Post, APPROVE, "00"),
        (nicepay_snap::Method::Post, "/api/v1.0/transfer/inquiry", "00"),
        (nicepay_snap::Method::Post, "/api/v1.0/transfer/cancel", "00"),
        (nicepay_snap::Method::Post, "/api/v1.0/transfer/reject", "00"),
        (nicepay_snap::Method::Post, "/api/v1.0/balance-inquiry", "11"),
    ];
    let bodies = [
        json!({}),
        json!([]),
        json!("text"),
        json!({"merchantId": merchant, "additionalInfo": 5, "amount": "x", "totalAmount": []}),
        json!({"merchantId": merchant, "urlParam": [1, null, {"url": 3}], "partnerReferenceNo": 7}),
        json!({"merchantId": merchant, "accountNo": 12, "additionalInfo": {"msId": {}}}),
        json!({"merchantId": merchant, "virtualAccountNo": "1", "trxId": "t", "inquiryRequestId": "i",
               "additionalInfo": {"tXidVA": "x", "trxId": "t", "cancelMessage": "c",
                                  "totalAmount": {"value": "99999999999.99", "currency": "IDR"}}}),
        json!({"merchantId": merchant, "originalReferenceNo": "x".repeat(41), "originalPartnerReferenceNo": "y"}),
    ];
    for (method, path, svc) in endpoints {
        for body in &bodies {
            let prepared = env
                .config
                .prepare_json(method, path, body.to_string().as_bytes(), &env.ctx(&token))
                .unwrap();
            let raw = send(&env.http, &prepared).await.unwrap();
            let c = code(&raw);
            assert!(
                (200..500).contains(&raw.status) && c.len() == 7 && c[..3] == raw.status.to_string() && c[3..5] == *svc,
                "{path} {body}: HTTP {} {}",
                raw.status,
                String::from_utf8_lossy(&raw.body)
            );
        }
    }
}

#[tokio::test]
async fn fixed_va_numbers_are_reusable_only_once_the_previous_va_is_settled() {
    let (env, token) = Env::with_token().await;
    let fixed = |trx: &str| {
        let mut body = va_body(trx, None);
        body["partnerServiceId"] = json!("8808");
        body["customerNo"] = json!("123456789012");
        body
    };
    let raw = env.send_raw(&token, CREATE_VA, &fixed(&unique("va"))).await;
    assert_eq!(code(&raw), "2002700");
    assert_eq!(json(&raw)["virtualAccountData"]["virtualAccountNo"], "8808123456789012");
    let raw = env.send_raw(&token, CREATE_VA, &fixed(&unique("va"))).await;
    assert_eq!(code(&raw), "4092701", "still unpaid");
    env.sim.pay_va("8808123456789012").await.unwrap();
    let raw = env.send_raw(&token, CREATE_VA, &fixed(&unique("va"))).await;
    assert_eq!(code(&raw), "2002700", "the paid VA's number is free again");
    // Paying by number now hits the new, unpaid VA.
    let outcome = env.sim.pay_va("8808123456789012").await.unwrap();
    assert_eq!(
        outcome.reference_no,
        json(&raw)["virtualAccountData"]["additionalInfo"]["tXidVA"]
    );
}
