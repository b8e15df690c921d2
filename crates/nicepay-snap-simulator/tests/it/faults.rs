//! Fault injection really triggers.

use std::time::{Duration, Instant};

use nicepay_snap_simulator::Fault;
use serde_json::json;

use crate::common::*;

const REFUND: &str = "/api/v1.0/qr/qr-mpm-refund";
const FAULTS: &str = "/__admin/faults";

/// A fresh simulator, a token, and a paid QR worth 100.00: (env, token, referenceNo, order).
async fn paid_env() -> (Env, nicepay_snap::AccessToken, String, String) {
    let (env, token) = Env::with_token().await;
    let (reference_no, partner_ref) = env.paid_qr(&token, "100.00").await;
    (env, token, reference_no, partner_ref)
}

fn refunded(env: &Env, reference_no: &str) -> String {
    let state = env.sim.state();
    state
        .qris
        .iter()
        .find(|t| t.reference_no == reference_no)
        .unwrap()
        .refunded_amount
        .clone()
}

#[tokio::test]
async fn respond_before_does_not_apply() {
    let (env, token, reference_no, partner_ref) = paid_env().await;
    env.sim.set_fault(Fault::respond_before(REFUND, 500).times(1)).unwrap();
    let raw = env.refund(&token, &reference_no, &partner_ref, "10.00").await;
    assert_answer(&raw, 500, "5007800", "General Error");
    assert_eq!(refunded(&env, &reference_no), "0.00");
    // Consumed: the next one goes through.
    let raw = env.refund(&token, &reference_no, &partner_ref, "10.00").await;
    assert_eq!(code(&raw), "2007800");
    assert_eq!(refunded(&env, &reference_no), "10.00");
    assert!(env.sim.state().faults.is_empty());
}

#[tokio::test]
async fn respond_after_applies_then_lies() {
    let (env, token, reference_no, partner_ref) = paid_env().await;
    env.sim.set_fault(Fault::respond_after(REFUND, 504).times(1)).unwrap();
    let req = env.refund_request(&reference_no, &partner_ref, "timeout-1", "40.00");
    let raw = env.send_refund(&token, &req).await.unwrap();
    assert_answer(&raw, 504, "5047800", "Request Timeout");
    // The money moved anyway; a retry with the same partnerRefundNo is a duplicate.
    assert_eq!(refunded(&env, &reference_no), "40.00");
    let raw = env.send_refund(&token, &req).await.unwrap();
    assert_eq!(code(&raw), "4097801");

    // 202 In Progress with an explicit code.
    env.sim
        .set_fault(
            Fault::respond_after(REFUND, 202)
                .with_code("2027800", "Request In Progress")
                .times(1),
        )
        .unwrap();
    let raw = env.refund(&token, &reference_no, &partner_ref, "10.00").await;
    assert_eq!((raw.status, code(&raw).as_str()), (202, "2027800"));
    assert_eq!(refunded(&env, &reference_no), "50.00");
}

#[tokio::test]
async fn drop_after_applies_and_closes_the_connection() {
    let (env, token, reference_no, partner_ref) = paid_env().await;
    env.sim.set_fault(Fault::drop_after(REFUND).times(1)).unwrap();
    let req = env.refund_request(&reference_no, &partner_ref, "dropped-1", "25.00");
    let err = env
        .send_refund(&token, &req)
        .await
        .expect_err("the connection is closed without a response");
    assert!(!err.is_status(), "{err:?}");
    assert!(!err.is_connect(), "the request was delivered: {err:?}");
    assert_eq!(refunded(&env, &reference_no), "25.00");
    // The server keeps serving.
    let raw = env.query(&token, &reference_no, &partner_ref).await;
    assert_eq!(code(&raw), "2005100");
}

#[tokio::test]
async fn drop_before_does_not_apply() {
    let (env, token, reference_no, partner_ref) = paid_env().await;
    env.sim.set_fault(Fault::drop_before(REFUND).times(1)).unwrap();
    let req = env.refund_request(&reference_no, &partner_ref, "dropped-2", "25.00");
    assert!(env.send_refund(&token, &req).await.is_err());
    assert_eq!(refunded(&env, &reference_no), "0.00");
}

#[tokio::test]
async fn latency_and_catch_all_rules() {
    let env = Env::start().await;
    env.sim.set_fault(Fault::latency("*", 300).times(1)).unwrap();
    let started = Instant::now();
    let _token = env.token().await;
    assert!(started.elapsed() >= Duration::from_millis(300));

    // A catch-all 500 also hits the token endpoint, with service code 73.
    env.sim.set_fault(Fault::respond_before("*", 500).times(1)).unwrap();
    let raw = env.token_raw().await;
    assert_eq!((raw.status, code(&raw).as_str()), (500, "5007300"));

    // Rules without `times` stay until cleared.
    env.sim
        .set_fault(Fault::respond_before("/nicepay/v1.0/access-token/b2b", 503))
        .unwrap();
    for _ in 0..2 {
        let raw = env.token_raw().await;
        assert_eq!(raw.status, 503);
    }
    env.sim.clear_faults();
    let raw = env.token_raw().await;
    assert_eq!(raw.status, 200);
    assert!(env.sim.set_fault(Fault::respond_before("*", 7)).is_err());
}

#[tokio::test]
async fn faults_over_the_admin_api() {
    let env = Env::start().await;
    let url = format!("{}{FAULTS}", env.sim.base_url());
    let resp = env
        .post(
            FAULTS,
            json!({"path": REFUND, "kind": "respondBefore", "status": 500, "times": 2}).to_string(),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let listed: serde_json::Value = body_json(resp).await;
    assert_eq!(listed["faults"][0]["times"], 2);
    let resp = env
        .post(
            FAULTS,
            json!([{"kind": "dropAfter"}, {"kind": "none", "latencyMs": 5}]).to_string(),
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(env.sim.state().faults.len(), 3);
    let resp = env.post(FAULTS, json!({"kind": "explode"}).to_string()).await;
    assert_eq!(resp.status(), 400);
    let resp = env.post(FAULTS, json!({"kind": "respondAfter"}).to_string()).await;
    assert_eq!(resp.status(), 400);
    let resp = env.http.delete(&url).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(env.sim.state().faults.is_empty());
}

#[tokio::test]
async fn delay_after_applies_before_the_client_times_out() {
    let (env, token, reference_no, partner_ref) = paid_env().await;
    env.sim.set_fault(Fault::delay_after(REFUND, 2_000).times(1)).unwrap();
    let impatient = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let req = env.refund_request(&reference_no, &partner_ref, "slow-1", "60.00");
    let err = send(&impatient, &env.prepare_refund(&token, &req)).await.unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(refunded(&env, &reference_no), "60.00");
}
