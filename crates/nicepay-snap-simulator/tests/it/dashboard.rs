//! The sandbox dashboard over HTTP (the browser test in python/tests drives it in Chromium):
//! the QR SVG decodes back to `qrContent`, the forms act through the admin functions and refuse
//! bad input without changing anything, values are escaped; and notification retries.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use nicepay_snap_simulator::{NotificationAttempt, Simulator, StateSnapshot};
use serde_json::{json, Value};

use crate::common::*;
use crate::services::{payment_body, registration_body, va_body, CREATE_VA, PAYMENT, REGISTRATION};

/// Reads the SVG's `M{x} {y}h1v1h-1z` squares back into dark pixels and decodes them with rqrr.
fn decode_svg(svg: &str) -> String {
    let side: usize = svg
        .split("viewBox=\"0 0 ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    let path = svg.split(" d=\"").nth(1).unwrap().split('"').next().unwrap();
    let mut dark = vec![false; side * side];
    for square in path.split('M').filter(|s| !s.is_empty()) {
        let coords = square.strip_suffix("h1v1h-1z").unwrap();
        let (x, y) = coords.split_once(' ').unwrap();
        dark[y.parse::<usize>().unwrap() * side + x.parse::<usize>().unwrap()] = true;
    }
    const SCALE: usize = 4;
    let px = side * SCALE;
    let mut image =
        rqrr::PreparedImage::prepare_from_greyscale(
            px,
            px,
            |x, y| {
                if dark[(y / SCALE) * side + x / SCALE] {
                    0
                } else {
                    255
                }
            },
        );
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the SVG");
    grids[0].decode().unwrap().1
}

/// The page, as a browser on loopback fetches it.
async fn page(env: &Env) -> String {
    let resp = env.get("/__dashboard").await;
    assert_eq!(resp.status(), 200);
    resp.text().await.unwrap()
}

/// Posts a dashboard form; returns the redirect's notice (`ok` or `error` and its text).
async fn submit(env: &Env, path: &str, form: &[(&str, &str)]) -> (String, String) {
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = client
        .post(format!("{}{path}", env.sim.base_url()))
        .header("Origin", env.sim.base_url())
        .form(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{path}");
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    let url = reqwest::Url::parse(&format!("http://x{location}")).unwrap();
    url.query_pairs()
        .next()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .unwrap()
}

fn state(env: &Env) -> StateSnapshot {
    env.sim.state()
}

#[tokio::test]
async fn qris_svg_decodes_to_qr_content_and_pay_button_notifies() {
    let (env, notify_url, mut rx, token) = Env::with_receiver().await;
    let (reference_no, _) = env.new_qr(&token, "12345.00", Some(&notify_url)).await;
    let html = page(&env).await;
    let row = html.split(&format!("<tr id=\"qris-{reference_no}\">")).nth(1).unwrap();
    let svg = format!(
        "<svg{}</svg>",
        row.split("<svg").nth(1).unwrap().split("</svg>").next().unwrap()
    );
    let qr_content = state(&env).qris[0].qr_content.clone();
    assert_eq!(decode_svg(&svg), qr_content);

    let (kind, text) = submit(&env, &format!("/__dashboard/qris/{reference_no}/pay"), &[]).await;
    assert_eq!(kind, "ok", "{text}");
    assert!(text.contains("notification acknowledged (HTTP 200)"), "{text}");
    assert!(rx.recv().await.unwrap().verified.is_ok());
    let log = env.sim.notification_log();
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].product.as_str(), log[0].reference_no.as_str()),
        ("qris", reference_no.as_str())
    );
    assert!(log[0].delivery.delivered && log[0].delivery.latency_ms.is_some());
    assert!(log[0].delivery.headers.contains_key("X-SIGNATURE"));
    let live = env.get("/__dashboard/live").await.text().await.unwrap();
    assert!(
        live.contains(&format!("id=\"attempt-{}-1\"", log[0].notification_id)),
        "{live}"
    );

    // Paying twice is refused and changes nothing.
    let before = state(&env);
    let (kind, _) = submit(&env, &format!("/__dashboard/qris/{reference_no}/pay"), &[]).await;
    assert_eq!(kind, "error");
    assert_eq!(state(&env), before);
}

#[tokio::test]
async fn bad_form_input_is_refused_and_changes_nothing() {
    let (env, token) = Env::with_token().await;
    let scripted = env.generate_request("<script>alert(1)</script>", "10.00", None);
    assert_eq!(code(&env.generate(&token, &scripted).await), "2004700");
    let created = env.send_raw(&token, CREATE_VA, &va_body(&unique("va"), None)).await;
    assert_eq!(code(&created), "2002700", "{}", String::from_utf8_lossy(&created.body));
    let txid = json(&created)["virtualAccountData"]["additionalInfo"]["tXidVA"]
        .as_str()
        .unwrap()
        .to_owned();
    let pay = format!("/__dashboard/va/{txid}/pay");
    let before = state(&env);
    for amount in [
        "-5.00",
        "1e99",
        "99999999999999999999.00",
        "1000000000.00",
        "<script>",
        "",
        "15000.001",
    ] {
        let (kind, text) = submit(&env, &pay, &[("amount", amount)]).await;
        assert_eq!(kind, "error", "{amount}: {text}");
        assert_eq!(state(&env), before, "{amount}");
    }
    for (amount, what) in [("5000.00", "a partial payment"), ("15000.01", "more than the bill")] {
        let (kind, text) = submit(&env, &pay, &[("amount", amount)]).await;
        assert_eq!(kind, "error");
        assert!(text.contains(what) && text.contains("closed-amount"), "{text}");
        assert_eq!(state(&env), before);
    }
    for (path, form) in [
        ("/__dashboard/va/UNKNOWN/pay", vec![("amount", "15000.00")]),
        ("/__dashboard/qris/%3Cscript%3E/pay", vec![]),
        ("/__dashboard/payout/UNKNOWN/approve", vec![]),
        ("/__dashboard/ewallet/UNKNOWN/frobnicate", vec![]),
        ("/__dashboard/faults", vec![("kind", "respondAfter"), ("status", "-1")]),
        ("/__dashboard/faults", vec![("kind", "respondAfter"), ("status", "42")]),
        ("/__dashboard/faults", vec![("kind", "<script>")]),
        ("/__dashboard/faults/7/remove", vec![]),
    ] {
        let (kind, _) = submit(&env, path, &form).await;
        assert_eq!(kind, "error", "{path}");
        assert_eq!(state(&env), before, "{path}");
    }
    // Script tags in stored values and in the notice are shown as text.
    let html = env
        .get("/__dashboard?error=%3Cscript%3Ealert(2)%3C/script%3E")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&lt;script&gt;alert(2)&lt;/script&gt;"));
    assert_eq!(html.matches("<script>").count(), 1, "only the page's own script");

    // The right amount pays.
    let (kind, text) = submit(&env, &pay, &[("amount", "15000.00")]).await;
    assert_eq!(kind, "ok", "{text}");
    assert_eq!(state(&env).va[0].latest_transaction_status, "00");

    // Another site cannot post, nor a non-loopback Host read.
    let resp = env
        .http
        .post(format!("{}/__dashboard/faults/clear", env.sim.base_url()))
        .header("Origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let resp = env
        .http
        .get(format!("{}/__dashboard", env.sim.base_url()))
        .header("Host", "evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
}

#[tokio::test]
async fn buttons_for_ewallet_payout_expiry_and_faults() {
    let (env, token) = Env::with_token().await;
    let info = env.sim.info().clone();
    let param = json!([{ "url": "https://merchant.example/return", "type": "PAY_RETURN", "isDeeplink": "N" }]);
    let mut ewallet_ids = Vec::new();
    for _ in 0..3 {
        let raw = env
            .send_raw(
                &token,
                PAYMENT,
                &payment_body(&info.client_id, &unique("ew"), param.clone()),
            )
            .await;
        ewallet_ids.push(json(&raw)["referenceNo"].as_str().unwrap().to_owned());
    }
    for (id, action, status) in [
        (&ewallet_ids[0], "approve", "00"),
        (&ewallet_ids[1], "decline", "05"),
        (&ewallet_ids[2], "expire", "05"),
    ] {
        let (kind, text) = submit(&env, &format!("/__dashboard/ewallet/{id}/{action}"), &[]).await;
        assert_eq!(kind, "ok", "{text}");
        let s = state(&env);
        assert_eq!(
            s.ewallet
                .iter()
                .find(|e| &e.reference_no == id)
                .unwrap()
                .latest_transaction_status,
            status
        );
    }
    let (reference_no, _) = env.new_qr(&token, "10.00", None).await;
    assert_eq!(
        submit(&env, &format!("/__dashboard/qris/{reference_no}/expire"), &[])
            .await
            .0,
        "ok"
    );
    assert_eq!(state(&env).qris[0].latest_transaction_status, "05");
    assert_eq!(
        submit(&env, &format!("/__dashboard/qris/{reference_no}/pay"), &[])
            .await
            .0,
        "error"
    );

    let mut payouts = Vec::new();
    for _ in 0..2 {
        let raw = env
            .send_raw(
                &token,
                REGISTRATION,
                &registration_body(&info.client_id, &unique("po"), "400.00"),
            )
            .await;
        payouts.push(json(&raw)["referenceNo"].as_str().unwrap().to_owned());
    }
    let balance_before = env.sim.payout_balance_minor(&info.client_id);
    assert_eq!(
        submit(&env, &format!("/__dashboard/payout/{}/approve", payouts[0]), &[])
            .await
            .0,
        "ok"
    );
    assert_eq!(
        submit(&env, &format!("/__dashboard/payout/{}/reject", payouts[1]), &[])
            .await
            .0,
        "ok"
    );
    assert_eq!(
        submit(&env, &format!("/__dashboard/payout/{}/reject", payouts[0]), &[])
            .await
            .0,
        "error"
    );
    let s = state(&env);
    let statuses: Vec<&str> = s.payouts.iter().map(|p| p.transaction_status.as_str()).collect();
    assert_eq!(statuses, ["00", "05"]);
    assert_eq!(env.sim.payout_balance_minor(&info.client_id), balance_before - 40_000);

    let form = [
        ("path", "/api/v1.0/qr/qr-mpm-generate"),
        ("kind", "respondAfter"),
        ("status", "504"),
        ("times", "2"),
    ];
    assert_eq!(submit(&env, "/__dashboard/faults", &form).await.0, "ok");
    assert_eq!(
        submit(&env, "/__dashboard/faults", &[("kind", "dropBefore")]).await.0,
        "ok"
    );
    assert_eq!(state(&env).faults.len(), 2);
    assert_eq!(submit(&env, "/__dashboard/faults/0/remove", &[]).await.0, "ok");
    assert_eq!(
        state(&env).faults[0].kind,
        nicepay_snap_simulator::FaultKind::DropBefore
    );
    assert_eq!(submit(&env, "/__dashboard/faults/clear", &[]).await.0, "ok");
    assert!(state(&env).faults.is_empty());
}

/// A merchant answering 500 to the first `failures` notifications, then 200.
async fn flaky_merchant(failures: u32) -> String {
    let seen = Arc::new(AtomicU32::new(0));
    let app = Router::new().route(
        "/notify",
        post(move || {
            let seen = Arc::clone(&seen);
            async move {
                if seen.fetch_add(1, Ordering::SeqCst) < failures {
                    (StatusCode::INTERNAL_SERVER_ERROR, "try later")
                } else {
                    (
                        StatusCode::OK,
                        "{\"responseCode\":\"2005200\",\"responseMessage\":\"Successful\"}",
                    )
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/notify", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url
}

async fn attempts_until(env: &Env, count: usize) -> Vec<NotificationAttempt> {
    for _ in 0..200 {
        let log = env.sim.notification_log();
        if log.len() >= count {
            return log;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("fewer than {count} attempts: {:?}", env.sim.notification_log());
}

#[tokio::test]
async fn unacknowledged_notifications_are_retried_on_the_schedule_until_acknowledged() {
    let schedule = vec![
        Duration::from_millis(30),
        Duration::from_millis(60),
        Duration::from_millis(90),
    ];
    let env = Env::with(Simulator::builder().notification_retry_schedule(schedule)).await;
    let token = env.token().await;
    let url = flaky_merchant(2).await;
    let (reference_no, _) = env.new_qr(&token, "10.00", Some(&url)).await;
    let outcome = env.sim.pay_qris(&reference_no).await.unwrap();
    let first = outcome.notification.unwrap();
    assert_eq!(
        (first.attempt, first.delivered, first.http_status, first.retry_in_ms),
        (1, false, Some(500), Some(30))
    );

    let log = attempts_until(&env, 3).await;
    let seen: Vec<(u32, bool, Option<u64>)> = log
        .iter()
        .map(|a| (a.delivery.attempt, a.delivery.delivered, a.delivery.retry_in_ms))
        .collect();
    assert_eq!(seen, [(1, false, Some(30)), (2, false, Some(60)), (3, true, None)]);
    assert!(log
        .iter()
        .all(|a| a.notification_id == log[0].notification_id && a.delivery.body == log[0].delivery.body));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        env.sim.notification_log().len(),
        3,
        "no retry after the acknowledgement"
    );

    // The admin API lists the same attempts.
    let listed: Value = body_json(env.get("/__admin/notifications").await).await;
    assert_eq!(listed["notifications"].as_array().unwrap().len(), 3);
    assert_eq!(listed["notifications"][2]["delivery"]["attempt"], 3);

    // A merchant that never acknowledges gets the whole schedule, then no more.
    let (reference_no, _) = env.new_qr(&token, "10.00", Some(&flaky_merchant(u32::MAX).await)).await;
    env.sim.pay_qris(&reference_no).await.unwrap();
    let log = attempts_until(&env, 7).await;
    let last: Vec<(u32, Option<u64>)> = log[3..]
        .iter()
        .map(|a| (a.delivery.attempt, a.delivery.retry_in_ms))
        .collect();
    assert_eq!(last, [(1, Some(30)), (2, Some(60)), (3, Some(90)), (4, None)]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(env.sim.notification_log().len(), 7);
}

#[tokio::test]
async fn admin_json_twins_of_the_buttons() {
    let (env, token) = Env::with_token().await;
    let created = env.send_raw(&token, CREATE_VA, &va_body(&unique("va"), None)).await;
    let txid = json(&created)["virtualAccountData"]["additionalInfo"]["tXidVA"]
        .as_str()
        .unwrap()
        .to_owned();
    let pay = format!("/__admin/va/{txid}/pay");
    let before = state(&env);
    for (body, status) in [
        (r#"{"paidAmount":"5000.00"}"#, 409),
        (r#"{"paidAmount":"-1.00"}"#, 400),
        (r#"{"paidAmount":"1000000000.00"}"#, 400),
        (r#"{"paid":"15000.00"}"#, 400),
        ("not json", 400),
    ] {
        assert_eq!(env.post(&pay, body).await.status(), status, "{body}");
        assert_eq!(state(&env), before, "{body}");
    }
    let outcome: Value = body_json(env.post(&pay, r#"{"paidAmount":"15000.00"}"#).await).await;
    assert_eq!(outcome["latestTransactionStatus"], "00");

    let (reference_no, _) = env.new_qr(&token, "10.00", None).await;
    let expired: Value = body_json(env.post(&format!("/__admin/qris/{reference_no}/expire"), "").await).await;
    assert_eq!(expired["latestTransactionStatus"], "05");
    assert_eq!(
        env.post(&format!("/__admin/qris/{reference_no}/expire"), "")
            .await
            .status(),
        409
    );
    assert_eq!(
        env.post(&format!("/__admin/qris/{reference_no}/notify"), "")
            .await
            .status(),
        409
    );

    let info = env.sim.info().clone();
    let raw = env
        .send_raw(
            &token,
            REGISTRATION,
            &registration_body(&info.client_id, &unique("po"), "1.00"),
        )
        .await;
    let payout = json(&raw)["referenceNo"].as_str().unwrap().to_owned();
    let approved: Value = body_json(env.post(&format!("/__admin/payout/{payout}/approve"), "").await).await;
    assert_eq!(approved["payout"]["transactionStatus"], "00");
    assert_eq!(
        env.post(&format!("/__admin/payout/{payout}/reject"), "").await.status(),
        409
    );
    assert_eq!(env.post("/__admin/payout/NOPE/reject", "").await.status(), 404);

    env.post("/__admin/faults", r#"[{"kind":"dropBefore"},{"kind":"dropAfter"}]"#)
        .await;
    let url = format!("{}/__admin/faults/0", env.sim.base_url());
    let left: Value = body_json(env.http.delete(&url).send().await.unwrap()).await;
    assert_eq!(left["faults"][0]["kind"], "dropAfter");
    let url = format!("{}/__admin/faults/5", env.sim.base_url());
    assert_eq!(env.http.delete(&url).send().await.unwrap().status(), 404);

    // The page shows no secret.
    assert!(!page(&env).await.contains(&info.client_secret));
}
