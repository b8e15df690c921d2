//! Every SNAP error code the simulator produces.

use std::time::Duration;

use nicepay_snap::{Config, PreparedRequest, Timestamp};
use nicepay_snap_simulator::Simulator;
use serde_json::json;

use crate::common::*;

fn set_header(req: &mut PreparedRequest, name: &str, value: Option<&str>) {
    match value {
        Some(v) => req.headers.set(name.to_owned(), v),
        None => {
            req.headers.remove(name);
        }
    }
}

async fn expect(env: &Env, req: &PreparedRequest, status: u16, code_: &str, message_: &str) {
    assert_answer(&send(&env.http, req).await.unwrap(), status, code_, message_);
}

/// A config for `client_id` signing with `private_key_pem`, against the env's simulator.
fn config_for(env: &Env, client_id: &str, private_key_pem: &str) -> Config {
    Config::builder()
        .client_id(client_id)
        .client_secret("x")
        .private_key_text(private_key_pem)
        .base_url(env.sim.base_url())
        .build()
        .unwrap()
}

#[tokio::test]
async fn token_endpoint_errors() {
    let env = Env::start().await;
    let ts = now();

    // Signed with the wrong key.
    let wrong = config_for(
        &env,
        "IONPAYTEST",
        nicepay_snap_simulator::TEST_NOTIFICATION_PRIVATE_KEY_PEM,
    );
    expect(
        &env,
        &wrong.prepare_access_token(ts).unwrap(),
        401,
        "4017300",
        "Unauthorized. Signature",
    )
    .await;

    // Unknown client.
    let stranger = config_for(
        &env,
        "STRANGER01",
        nicepay_snap_simulator::TEST_MERCHANT_PRIVATE_KEY_PEM,
    );
    let raw = send(&env.http, &stranger.prepare_access_token(ts).unwrap())
        .await
        .unwrap();
    assert_eq!((raw.status, code(&raw).as_str()), (401, "4017300"));

    // Stale timestamp (correctly signed).
    let stale = Timestamp::from_unix_seconds(ts.unix_seconds() - 3600).unwrap();
    expect(
        &env,
        &env.config.prepare_access_token(stale).unwrap(),
        400,
        "4007301",
        "Invalid Field Format X-TIMESTAMP",
    )
    .await;

    // Malformed timestamp.
    let mut req = env.config.prepare_access_token(ts).unwrap();
    set_header(&mut req, "X-TIMESTAMP", Some("2024-07-05 10:11:40"));
    expect(&env, &req, 400, "4007301", "Invalid Field Format X-TIMESTAMP").await;

    // Missing X-CLIENT-KEY.
    let mut req = env.config.prepare_access_token(ts).unwrap();
    set_header(&mut req, "X-CLIENT-KEY", None);
    expect(&env, &req, 400, "4007302", "Invalid Mandatory Field X-CLIENT-KEY").await;

    // Wrong grant type; malformed body.
    let mut req = env.config.prepare_access_token(ts).unwrap();
    req.body = br#"{"grantType":"password","additionalInfo":{}}"#.to_vec();
    expect(&env, &req, 400, "4007301", "Invalid Field Format grantType").await;
    req.body = b"{not json".to_vec();
    expect(&env, &req, 400, "4007300", "Bad Request").await;
    req.body = br#"{"additionalInfo":{}}"#.to_vec();
    expect(&env, &req, 400, "4007302", "Invalid Mandatory Field grantType").await;

    // The good one.
    let raw = send(&env.http, &env.config.prepare_access_token(ts).unwrap())
        .await
        .unwrap();
    let body = json(&raw);
    assert_eq!(body["responseCode"], "2007300");
    assert_eq!(body["tokenType"], "Bearer");
    assert_eq!(body["expiresIn"], "900");
    assert!(body["accessToken"].as_str().unwrap().len() >= 32);
}

#[tokio::test]
async fn utc_offset_rejected_unless_allowed() {
    let env = Env::start().await;
    let mut req = env.config.prepare_access_token(now()).unwrap();
    let utc = Timestamp::from_unix_seconds(now().unix_seconds() - 7 * 3600)
        .unwrap()
        .to_string()
        .replace("+07:00", "Z");
    set_header(&mut req, "X-TIMESTAMP", Some(&utc));
    let raw = send(&env.http, &req).await.unwrap();
    assert_eq!(code(&raw), "4007301");

    let lenient = Env::with(Simulator::builder().require_jakarta_offset(false)).await;
    let mut req = lenient.config.prepare_access_token(now()).unwrap();
    let sig = lenient
        .config
        .private_key()
        .sign_base64(format!("IONPAYTEST|{utc}").as_bytes())
        .unwrap();
    set_header(&mut req, "X-TIMESTAMP", Some(&utc));
    set_header(&mut req, "X-SIGNATURE", Some(&sig));
    let raw = send(&lenient.http, &req).await.unwrap();
    assert_eq!(code(&raw), "2007300", "{}", String::from_utf8_lossy(&raw.body));
}

#[tokio::test]
async fn transactional_header_errors() {
    let (env, token) = Env::with_token().await;
    let gen = |partner: &str| env.generate_request(partner, "100.00", None);
    let prepare = || {
        env.config
            .prepare::<nicepay_snap::api::qris::QrisGenerate>(&gen(&unique("h")), &env.ctx(&token))
            .unwrap()
    };

    // Token: missing, unknown.
    let mut req = prepare();
    set_header(&mut req, "Authorization", None);
    expect(&env, &req, 401, "4014701", "Access Token Invalid").await;
    let other = nicepay_snap::AccessToken::new("not-a-token");
    let req = env
        .config
        .prepare::<nicepay_snap::api::qris::QrisGenerate>(&gen(&unique("h")), &env.ctx(&other))
        .unwrap();
    expect(&env, &req, 401, "4014701", "Access Token Invalid").await;

    // Timestamp skew (signature is over the stale timestamp, so only the skew is wrong).
    let mut ctx = env.ctx(&token);
    ctx.timestamp = Timestamp::from_unix_seconds(now().unix_seconds() + 3600).unwrap();
    let req = env
        .config
        .prepare::<nicepay_snap::api::qris::QrisGenerate>(&gen(&unique("h")), &ctx)
        .unwrap();
    expect(&env, &req, 400, "4004701", "Invalid Field Format X-TIMESTAMP").await;

    // Partner id.
    let mut req = prepare();
    set_header(&mut req, "X-PARTNER-ID", Some("STRANGER01"));
    let raw = send(&env.http, &req).await.unwrap();
    assert_eq!((raw.status, code(&raw).as_str()), (401, "4014700"));

    // External id: missing, too long.
    let mut req = prepare();
    set_header(&mut req, "X-EXTERNAL-ID", None);
    expect(&env, &req, 400, "4004702", "Invalid Mandatory Field X-EXTERNAL-ID").await;
    let mut req = prepare();
    set_header(&mut req, "X-EXTERNAL-ID", Some(&"9".repeat(37)));
    expect(&env, &req, 400, "4004701", "Invalid Field Format X-EXTERNAL-ID").await;

    // Channel id missing.
    let mut req = prepare();
    set_header(&mut req, "CHANNEL-ID", None);
    expect(&env, &req, 400, "4004702", "Invalid Mandatory Field CHANNEL-ID").await;

    // Signature: tampered body, wrong signed path (with /nicepay), missing.
    let mut req = prepare();
    req.body = String::from_utf8(req.body)
        .unwrap()
        .replace("100.00", "1.00")
        .into_bytes();
    expect(&env, &req, 401, "4014700", "Unauthorized. Signature").await;
    let mut req = prepare();
    let ts = req.header("X-TIMESTAMP").unwrap().to_owned();
    let sig = env.config.signer().sign_base64(
        nicepay_snap::canonical::transaction_string_to_sign(
            nicepay_snap::Method::Post,
            "/api/v1.0/qr/qr-mpm-generate",
            token.expose_secret(),
            &req.body,
            &ts,
        )
        .unwrap()
        .replace(":/api/", ":/nicepay/api/")
        .as_bytes(),
    );
    set_header(&mut req, "X-SIGNATURE", Some(&sig));
    expect(&env, &req, 401, "4014700", "Unauthorized. Signature").await;
    let mut req = prepare();
    set_header(&mut req, "X-SIGNATURE", None);
    expect(&env, &req, 400, "4004702", "Invalid Mandatory Field X-SIGNATURE").await;

    // Duplicate X-EXTERNAL-ID the same day (a different, valid request).
    let first = prepare();
    let raw = send(&env.http, &first).await.unwrap();
    assert_eq!(code(&raw), "2004700");
    let mut ctx = env.ctx(&token);
    ctx.external_id = nicepay_snap::ExternalId::new(first.header("X-EXTERNAL-ID").unwrap()).unwrap();
    let second = env
        .config
        .prepare::<nicepay_snap::api::qris::QrisGenerate>(&gen(&unique("h")), &ctx)
        .unwrap();
    expect(&env, &second, 409, "4094700", "Conflict").await;
}

#[tokio::test]
async fn expired_tokens_are_rejected() {
    let env = Env::with(Simulator::builder().token_ttl(Duration::from_secs(1))).await;
    let token = env.token().await;
    let (reference_no, partner_ref) = env.new_qr(&token, "10.00", None).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let raw = env.query(&token, &reference_no, &partner_ref).await;
    assert_eq!((raw.status, code(&raw).as_str()), (401, "4015101"));

    let (env, token) = Env::with_token().await;
    let (reference_no, partner_ref) = env.new_qr(&token, "10.00", None).await;
    env.sim.expire_tokens();
    let raw = env.query(&token, &reference_no, &partner_ref).await;
    assert_eq!((raw.status, code(&raw).as_str()), (401, "4015101"));
    let fresh = env.token().await;
    let raw = env.query(&fresh, &reference_no, &partner_ref).await;
    assert_eq!(code(&raw), "2005100");
}

#[tokio::test]
async fn body_errors() {
    let (env, token) = Env::with_token().await;
    let gen_path = "/api/v1.0/qr/qr-mpm-generate";

    // Malformed JSON, correctly signed.
    let mut req = env.prepare_raw(&token, gen_path, &json!({}));
    req.body = b"{\"partnerReferenceNo\":".to_vec();
    let ts = req.header("X-TIMESTAMP").unwrap().to_owned();
    let sig = env
        .config
        .signer()
        .sign_transaction(
            nicepay_snap::Method::Post,
            gen_path,
            token.expose_secret(),
            &req.body,
            &ts,
        )
        .unwrap();
    set_header(&mut req, "X-SIGNATURE", Some(&sig));
    expect(&env, &req, 400, "4004700", "Bad Request").await;

    // A JSON array is not a request either.
    let req = env.prepare_raw(&token, gen_path, &json!([1, 2]));
    expect(&env, &req, 400, "4004700", "Bad Request").await;

    let good = json!({
        "partnerReferenceNo": unique("b"),
        "amount": {"value": "10000.00", "currency": "IDR"},
        "merchantId": "IONPAYTEST",
        "storeId": STORE,
        "additionalInfo": {}
    });
    // (the field as a JSON pointer, its new value or None to remove it, responseCode): the
    // message names the field, dotted.
    let cases = [
        ("/partnerReferenceNo", None, "4004702"),
        ("/partnerReferenceNo", Some(json!("")), "4004702"),
        ("/partnerReferenceNo", Some(json!("x".repeat(41))), "4004701"),
        ("/partnerReferenceNo", Some(json!(42)), "4004701"),
        ("/amount", None, "4004702"),
        ("/amount/value", Some(json!("10000")), "4004701"),
        ("/amount/value", Some(json!("0.00")), "4004701"),
        ("/amount/value", Some(json!(10000)), "4004701"),
        ("/amount/currency", Some(json!("USD")), "4004701"),
        ("/amount/currency", None, "4004702"),
        ("/merchantId", None, "4004702"),
        ("/merchantId", Some(json!("OTHERMID01")), "4004701"),
        ("/storeId", None, "4004702"),
        ("/additionalInfo", None, "4004702"),
        ("/additionalInfo/dbProcessUrl", Some(json!("ftp://x")), "4004701"),
    ];
    for (pointer, value, code_) in cases {
        let mut body = good.clone();
        let (parent, field) = pointer.rsplit_once('/').unwrap();
        let object = body.pointer_mut(parent).unwrap();
        match value {
            Some(v) => object[field] = v,
            None => drop(object.as_object_mut().unwrap().remove(field)),
        }
        let kind = if code_ == "4004702" {
            "Invalid Mandatory Field"
        } else {
            "Invalid Field Format"
        };
        let message_ = format!("{kind} {}", pointer[1..].replace('/', "."));
        expect(&env, &env.prepare_raw(&token, gen_path, &body), 400, code_, &message_).await;
    }

    // Duplicate partnerReferenceNo.
    let req = env.prepare_raw(&token, gen_path, &good);
    let raw = send(&env.http, &req).await.unwrap();
    assert_eq!(code(&raw), "2004700");
    let req = env.prepare_raw(&token, gen_path, &good);
    expect(&env, &req, 409, "4094701", "Duplicate partnerReferenceNo").await;

    // Query: unknown reference, bad service code, mismatched order id.
    let reference_no = json(&raw)["referenceNo"].as_str().unwrap().to_owned();
    let partner = good["partnerReferenceNo"].as_str().unwrap();
    let raw = env.query(&token, "IONPAYTEST0820240101000000999", partner).await;
    assert_answer(&raw, 404, "4045101", "Transaction Not Found");
    let raw = env.query(&token, &reference_no, "someone-else").await;
    assert_eq!(code(&raw), "4045101");
    let body = json!({
        "originalReferenceNo": reference_no, "originalPartnerReferenceNo": partner,
        "merchantId": "IONPAYTEST", "externalStoreId": STORE, "serviceCode": "99", "additionalInfo": {}
    });
    let req = env.prepare_raw(&token, "/api/v1.0/qr/qr-mpm-query", &body);
    expect(&env, &req, 400, "4005101", "Invalid Field Format serviceCode").await;

    // Refund: unknown transaction, missing reason, missing cancelType.
    let raw = env
        .refund(&token, "IONPAYTEST0820240101000000999", partner, "1.00")
        .await;
    assert_eq!(code(&raw), "4047801");
    let mut body = serde_json::to_value(env.refund_request(&reference_no, partner, "rf-x", "1.00")).unwrap();
    body.as_object_mut().unwrap().remove("reason");
    let req = env.prepare_raw(&token, "/api/v1.0/qr/qr-mpm-refund", &body);
    expect(&env, &req, 400, "4007802", "Invalid Mandatory Field reason").await;
    let mut body = serde_json::to_value(env.refund_request(&reference_no, partner, "rf-y", "1.00")).unwrap();
    body["additionalInfo"] = json!({});
    let req = env.prepare_raw(&token, "/api/v1.0/qr/qr-mpm-refund", &body);
    expect(
        &env,
        &req,
        400,
        "4007802",
        "Invalid Mandatory Field additionalInfo.cancelType",
    )
    .await;
    let mut body = serde_json::to_value(env.refund_request(&reference_no, partner, "rf-z", "1.00")).unwrap();
    body["refundAmount"]["value"] = json!("1.5");
    let req = env.prepare_raw(&token, "/api/v1.0/qr/qr-mpm-refund", &body);
    expect(&env, &req, 400, "4007801", "Invalid Field Format refundAmount.value").await;
}

#[tokio::test]
async fn unknown_paths_and_methods() {
    let env = Env::start().await;
    assert_eq!(env.post("/nicepay/api/v1.0/nope", "{}").await.status(), 404);
    assert_eq!(env.get("/nicepay/api/v1.0/qr/qr-mpm-refund").await.status(), 405);
}
