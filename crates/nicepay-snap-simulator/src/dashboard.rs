//! The sandbox dashboard at `GET /__dashboard`: every transaction by product, each QRIS
//! `qrContent` as an SVG QR code, the notification log with every attempt, the fault rules, and
//! buttons that act as the customer or the bank.
//!
//! Plain server-rendered HTML (no build step, nothing loaded from elsewhere). Every button is an
//! HTML form posting to `/__dashboard/...`, whose handler calls the function the admin JSON API
//! calls, then answers `303 See Other` back to the page with the outcome in the query
//! (`?ok=...` / `?error=...`). Live updates: a dozen lines of inline JavaScript fetch
//! `GET /__dashboard/live` (the changing part of the page as an HTML fragment) every second and
//! swap it in when it changed, keeping the focused control and typed values. A poll rather than
//! Server-Sent Events: the simulator's state has no change feed to push from, and one small
//! local request a second costs nothing.
//!
//! Every value shown is HTML-escaped. Requests whose `Host` is not a loopback name, and posts
//! whose `Origin` is another site, are refused (`403`): a web page the developer visits cannot
//! drive the dashboard.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::{Path, Query, State as Extract};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Router};

use crate::admin::{self, Act};
use crate::error::SimulatorError;
use crate::ewallet::{self, Ewallet};
use crate::fault::{Fault, FaultKind};
use crate::ledger::{Ledger, Payable};
use crate::notify::NotificationAttempt;
use crate::qr::QrMatrix;
use crate::qris::{self, Qris};
use crate::state::{Shared, State, StateSnapshot};
use crate::va::{self, Va};
use crate::{binding, payout, token};

/// Where the dashboard is served.
pub const DASHBOARD_PATH: &str = "/__dashboard";

/// The dashboard routes.
pub(crate) fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route(DASHBOARD_PATH, get(page))
        .route("/__dashboard/live", get(live))
        .route("/__dashboard/{product}/{id}/{action}", post(act))
        .route("/__dashboard/faults", post(add_fault))
        .route("/__dashboard/faults/clear", post(clear_faults))
        .route("/__dashboard/faults/{index}/remove", post(remove_fault))
}

/// `&`, `<`, `>`, `"` and `'` as character references.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Whether the request comes from a loopback name and (for posts) from the dashboard itself.
fn same_origin(headers: &HeaderMap) -> bool {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let Some(host) = text(header::HOST) else {
        return false;
    };
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    if !matches!(name, "127.0.0.1" | "localhost" | "[::1]") {
        return false;
    }
    text(header::ORIGIN).is_none_or(|origin| origin == format!("http://{host}"))
}

fn forbidden() -> Response {
    (
        StatusCode::FORBIDDEN,
        "the dashboard answers only to itself on loopback",
    )
        .into_response()
}

/// Back to the page with the outcome.
fn back(result: Result<String, SimulatorError>) -> Response {
    let (key, text) = match result {
        Ok(text) => ("ok", text),
        Err(e) => ("error", e.to_string()),
    };
    let mut url = reqwest::Url::parse("http://127.0.0.1/__dashboard").expect("a valid URL");
    url.query_pairs_mut().append_pair(key, &text);
    let location = format!("{}?{}", url.path(), url.query().unwrap_or_default());
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

/// `POST /__dashboard/{product}/{id}/{action}`: a button of a transaction row.
async fn act(
    Extract(shared): Extract<Arc<Shared>>,
    headers: HeaderMap,
    Path((product, id, action)): Path<(String, String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !same_origin(&headers) {
        return forbidden();
    }
    fn paid(result: Result<(crate::PaymentOutcome, Option<String>), SimulatorError>) -> Result<String, SimulatorError> {
        result.map(|(outcome, _)| describe(&outcome))
    }
    let result = match (product.as_str(), action.as_str()) {
        ("qris", "pay") => paid(admin::settle::<Qris>(&shared, &id, qris::pay).await),
        ("qris", "expire") => expire::<Qris>(&shared, &id, qris::expire),
        ("va", "pay") => match form.get("amount").map(|a| admin::parse_amount(a.trim())).transpose() {
            Ok(amount) => admin::pay_va(&shared, &id, amount).await.map(|o| describe(&o)),
            Err(e) => Err(SimulatorError::InvalidInput(format!("amount: {e}"))),
        },
        ("va", "expire") => expire::<Va>(&shared, &id, va::expire),
        ("ewallet", "approve") => paid(admin::settle::<Ewallet>(&shared, &id, ewallet::approve).await),
        ("ewallet", "decline") => paid(admin::settle::<Ewallet>(&shared, &id, ewallet::decline).await),
        ("ewallet", "expire") => expire::<Ewallet>(&shared, &id, ewallet::expire),
        ("payout", "approve" | "reject") => {
            admin::decide_payout(&shared, &id, action == "approve").map(|()| format!("payout {id}: {action}d"))
        }
        _ => Err(SimulatorError::NotFound(format!(
            "no action {} for {}",
            nicepay_snap::error::echo(&action),
            nicepay_snap::error::echo(&product)
        ))),
    };
    back(result)
}

fn expire<T: Payable>(shared: &Shared, id: &str, act: Act<T>) -> Result<String, SimulatorError>
where
    State: AsMut<Ledger<T>>,
{
    admin::expire(shared, id, act)
        .map(|o| format!("{} expired (status {})", o.reference_no, o.latest_transaction_status))
}

/// One line on what a payment did, for the page's notice.
fn describe(outcome: &crate::PaymentOutcome) -> String {
    let notification = match &outcome.notification {
        None => "no notification URL".to_owned(),
        Some(d) if d.delivered => format!("notification acknowledged (HTTP {})", d.http_status.unwrap_or_default()),
        Some(d) => match (d.http_status, &d.error, d.retry_in_ms) {
            (Some(s), _, retry) => format!("notification answered HTTP {s}{}", retry_note(retry)),
            (None, Some(e), retry) => format!("notification failed: {e}{}", retry_note(retry)),
            (None, None, retry) => format!("notification not acknowledged{}", retry_note(retry)),
        },
    };
    format!(
        "{} now {}; {notification}",
        outcome.reference_no, outcome.latest_transaction_status
    )
}

fn retry_note(retry_in_ms: Option<u64>) -> String {
    retry_in_ms.map_or_else(String::new, |ms| format!("; retry in {}", duration(ms)))
}

fn duration(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else {
        format!("{:.1} s", ms as f64 / 1000.0)
    }
}

/// `POST /__dashboard/faults`: adds one rule (validated as the admin API does; nothing is added
/// when any field is wrong).
async fn add_fault(
    Extract(shared): Extract<Arc<Shared>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !same_origin(&headers) {
        return forbidden();
    }
    let result = fault_from_form(&form).and_then(|fault| {
        let text = serde_json::to_string(&fault).unwrap_or_default();
        admin::add_faults(&shared, vec![fault]).map(|()| format!("fault added: {text}"))
    });
    back(result)
}

/// A [`Fault`] from the form's `path`, `kind`, `status`, `latencyMs` and `times`.
fn fault_from_form(form: &HashMap<String, String>) -> Result<Fault, SimulatorError> {
    let field = |name: &str| form.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
    fn number<T: std::str::FromStr>(name: &str, value: Option<&str>) -> Result<Option<T>, SimulatorError> {
        value
            .map(|v| {
                v.parse().map_err(|_| {
                    SimulatorError::InvalidFault(format!(
                        "{name} must be a whole number, got {}",
                        nicepay_snap::error::echo(v)
                    ))
                })
            })
            .transpose()
    }
    let path = field("path").unwrap_or("*");
    let status = number::<u16>("status", field("status"))?;
    let latency = number::<u64>("latencyMs", field("latencyMs"))?.unwrap_or(0);
    let times = number::<u32>("times", field("times"))?;
    let kind = field("kind").unwrap_or("");
    let mut fault = match kind {
        "respondBefore" => Fault::respond_before(path, status.unwrap_or(500)),
        "respondAfter" => Fault::respond_after(path, status.unwrap_or(504)),
        "dropBefore" => Fault::drop_before(path),
        "dropAfter" => Fault::drop_after(path),
        "delayAfter" => Fault::delay_after(path, latency),
        "latency" => Fault::latency(path, latency),
        other => {
            return Err(SimulatorError::InvalidFault(format!(
                "unknown kind {}",
                nicepay_snap::error::echo(other)
            )))
        }
    };
    if !matches!(fault.kind, FaultKind::DelayAfter | FaultKind::None) {
        fault = fault.latency_ms(latency);
    }
    if let Some(n) = times {
        fault = fault.times(n);
    }
    Ok(fault)
}

async fn clear_faults(Extract(shared): Extract<Arc<Shared>>, headers: HeaderMap) -> Response {
    if !same_origin(&headers) {
        return forbidden();
    }
    shared.lock().faults.clear();
    back(Ok("every fault rule removed".into()))
}

async fn remove_fault(
    Extract(shared): Extract<Arc<Shared>>,
    headers: HeaderMap,
    Path(index): Path<String>,
) -> Response {
    if !same_origin(&headers) {
        return forbidden();
    }
    back(
        admin::remove_fault(&shared, &index)
            .map(|f| format!("fault removed: {}", serde_json::to_string(&f).unwrap_or_default())),
    )
}

/// `GET /__dashboard`.
async fn page(
    Extract(shared): Extract<Arc<Shared>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if !same_origin(&headers) {
        return forbidden();
    }
    let notice = match (query.get("ok"), query.get("error")) {
        (_, Some(e)) => format!("<p class=\"notice error\" role=\"alert\">{}</p>", escape(e)),
        (Some(ok), None) => format!("<p class=\"notice ok\" role=\"status\">{}</p>", escape(ok)),
        (None, None) => String::new(),
    };
    let mut html = String::with_capacity(32 * 1024);
    html.push_str(HEAD);
    let _ = write!(
        html,
        "<header><h1>NICEPAY SNAP simulator</h1><p>Base URL <code>{}</code> · client <code>{}</code> · \
         Dashboard of this simulator (TEST-ONLY)</p></header>{notice}",
        escape(&shared.info.base_url),
        escape(&shared.info.client_id)
    );
    html.push_str("<div id=\"live\">");
    html.push_str(&fragment(&shared));
    html.push_str("</div>");
    html.push_str(&fault_form());
    html.push_str(SCRIPT);
    html.push_str("</body></html>");
    no_store(Html(html))
}

/// `GET /__dashboard/live`: the changing part of the page.
async fn live(Extract(shared): Extract<Arc<Shared>>, headers: HeaderMap) -> Response {
    if !same_origin(&headers) {
        return forbidden();
    }
    no_store(Html(fragment(&shared)))
}

fn no_store(body: impl IntoResponse) -> Response {
    ([(header::CACHE_CONTROL, "no-store")], body).into_response()
}

/// The transactions, the notification log and the fault rules.
fn fragment(shared: &Shared) -> String {
    let (snapshot, log) = {
        let state = shared.lock();
        (state.snapshot(&shared.settings), state.notifications.attempts())
    };
    let mut out = String::with_capacity(16 * 1024);
    qris_section(&mut out, &snapshot);
    va_section(&mut out, &snapshot);
    ewallet_section(&mut out, &snapshot);
    payout_section(&mut out, &snapshot);
    notification_section(&mut out, &log);
    fault_section(&mut out, &snapshot);
    out
}

/// A button posting to `/__dashboard/{product}/{id}/{action}`.
fn button(product: &str, id: &str, action: &str, label: &str) -> String {
    format!(
        "<form method=\"post\" action=\"/__dashboard/{product}/{}/{action}\"><button type=\"submit\" \
         id=\"{product}-{action}-{}\">{label}</button></form>",
        escape(&percent(id)),
        escape(id)
    )
}

/// Path-segment encoding of an id (ids are the simulator's own, but stay safe).
fn percent(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn table(out: &mut String, caption: &str, headers: &[&str], rows: Vec<String>) {
    let _ = write!(out, "<section><h2>{caption}</h2>");
    if rows.is_empty() {
        out.push_str("<p class=\"empty\">None yet.</p></section>");
        return;
    }
    out.push_str("<table><thead><tr>");
    for h in headers {
        let _ = write!(out, "<th scope=\"col\">{h}</th>");
    }
    out.push_str("</tr></thead><tbody>");
    for r in rows {
        out.push_str(&r);
    }
    out.push_str("</tbody></table></section>");
}

fn cell(text: &str) -> String {
    format!("<td>{}</td>", escape(text))
}

/// A cell of lines: the first as it is, the others smaller (each escaped; `None` lines skipped).
fn stack(lines: &[Option<&str>]) -> String {
    let mut out = String::from("<td>");
    for (i, line) in lines.iter().flatten().enumerate() {
        if i == 0 {
            out.push_str(&escape(line));
        } else {
            let _ = write!(out, "<br><small>{}</small>", escape(line));
        }
    }
    out.push_str("</td>");
    out
}

/// `created …` and `paid …` (when paid) in one cell.
fn times(created: &str, then: Option<(&str, &String)>) -> String {
    let created = format!("created {created}");
    let then = then.map(|(what, at)| format!("{what} {at}"));
    stack(&[Some(&created), then.as_deref()])
}

fn status_cell(code: &str, description: &str) -> String {
    format!(
        "<td><span class=\"status s{}\">{} {}</span></td>",
        escape(code),
        escape(code),
        escape(description)
    )
}

/// A row: `id`, its cells, then the action buttons.
fn row(id: &str, cells: &[String], actions: &str) -> String {
    format!(
        "<tr id=\"{}\">{}<td class=\"actions\">{actions}</td></tr>",
        escape(id),
        cells.concat()
    )
}

fn qris_section(out: &mut String, s: &StateSnapshot) {
    let rows = s
        .qris
        .iter()
        .rev()
        .map(|t| {
            let qr = QrMatrix::encode(&t.qr_content).map_or_else(
                |e| format!("<p>{}</p>", escape(&e.to_string())),
                |m| {
                    format!(
                        "<figure class=\"qr\" role=\"img\" aria-label=\"QR code of {}\">{}</figure>",
                        escape(&t.reference_no),
                        m.to_svg()
                    )
                },
            );
            let refunds: String = t
                .refunds
                .iter()
                .map(|r| {
                    format!(
                        "<li>{} {} at {}</li>",
                        escape(&r.partner_refund_no),
                        escape(&r.amount),
                        escape(&r.refund_time)
                    )
                })
                .collect();
            let actions = if t.status == qris::QrisStatus::Pending {
                button("qris", &t.reference_no, "pay", "Pay (customer scans)")
                    + &button("qris", &t.reference_no, "expire", "Expire")
            } else {
                String::new()
            };
            let refunded = format!("refunded {}", t.refunded_amount);
            let cells = [
                stack(&[Some(&t.reference_no), Some(&t.partner_reference_no), Some(&t.store_id)]),
                status_cell(&t.latest_transaction_status, t.status.description()),
                format!(
                    "{}<ul>{refunds}</ul></td>",
                    stack(&[Some(&t.amount), Some(&refunded)]).trim_end_matches("</td>")
                ),
                times(&t.created_at, t.paid_at.as_ref().map(|p| ("paid", p))),
                format!(
                    "<td>{qr}<details id=\"qris-{}-content\"><summary>qrContent</summary>\
                     <code class=\"wrap qr-content\">{}</code></details></td>",
                    escape(&t.reference_no),
                    escape(&t.qr_content)
                ),
            ];
            row(&format!("qris-{}", t.reference_no), &cells, &actions)
        })
        .collect();
    table(
        out,
        "QRIS",
        &[
            "referenceNo / partnerReferenceNo / store",
            "status",
            "amount (IDR)",
            "time",
            "QR",
            "act",
        ],
        rows,
    );
}

fn va_section(out: &mut String, s: &StateSnapshot) {
    let rows =
        s.va.iter()
            .rev()
            .map(|t| {
                let actions = if t.status == va::VaStatus::Unpaid {
                    let input_id = format!("va-amount-{}", t.txid_va);
                    format!(
                    "<form method=\"post\" action=\"/__dashboard/va/{}/pay\"><label for=\"{iid}\">Transfer IDR</label> \
                     <input id=\"{iid}\" name=\"amount\" value=\"{}\" inputmode=\"decimal\" size=\"12\" required> \
                     <button type=\"submit\" id=\"va-pay-{}\">Transfer</button></form>{}",
                    escape(&percent(&t.txid_va)),
                    escape(&t.amount),
                    escape(&t.txid_va),
                    button("va", &t.txid_va, "expire", "Expire"),
                    iid = escape(&input_id),
                )
                } else {
                    String::new()
                };
                let bank = format!("bank {}", t.bank_cd);
                let cells = [
                    stack(&[Some(&t.txid_va), Some(&t.trx_id)]),
                    stack(&[Some(&t.virtual_account_no), Some(&bank)]),
                    status_cell(&t.latest_transaction_status, t.status.description()),
                    stack(&[Some(&t.amount), t.cancel_message.as_deref()]),
                    times(&t.created_at, t.paid_at.as_ref().map(|p| ("paid", p))),
                ];
                row(&format!("va-{}", t.txid_va), &cells, &actions)
            })
            .collect();
    table(
        out,
        "Virtual accounts",
        &[
            "tXidVA / trxId",
            "virtualAccountNo",
            "status",
            "amount (IDR)",
            "time",
            "act",
        ],
        rows,
    );
}

fn ewallet_section(out: &mut String, s: &StateSnapshot) {
    let rows = s
        .ewallet
        .iter()
        .rev()
        .map(|t| {
            let actions = if t.status == ewallet::EwalletStatus::Pending {
                button("ewallet", &t.reference_no, "approve", "Approve (customer)")
                    + &button("ewallet", &t.reference_no, "decline", "Decline")
                    + &button("ewallet", &t.reference_no, "expire", "Expire")
            } else {
                String::new()
            };
            let refunded = format!("refunded {}", t.refunded_amount);
            let refund_nos = t.refund_nos.join(", ");
            let cells = [
                stack(&[Some(&t.reference_no), Some(&t.partner_reference_no), Some(&t.mitra_cd)]),
                status_cell(&t.latest_transaction_status, t.status.description()),
                stack(&[Some(&t.amount), Some(&refunded), Some(&refund_nos)]),
                times(&t.created_at, t.paid_at.as_ref().map(|p| ("paid", p))),
            ];
            row(&format!("ewallet-{}", t.reference_no), &cells, &actions)
        })
        .collect();
    table(
        out,
        "E-wallet payments",
        &[
            "referenceNo / partnerReferenceNo / wallet",
            "status",
            "amount (IDR)",
            "time",
            "act",
        ],
        rows,
    );
}

fn payout_section(out: &mut String, s: &StateSnapshot) {
    let balances: Vec<String> = s
        .payout_balances
        .iter()
        .map(|(client, balance)| format!("{} IDR {}", escape(client), escape(balance)))
        .collect();
    let rows = s
        .payouts
        .iter()
        .rev()
        .map(|t| {
            let actions = if t.status == payout::PayoutStatus::Pending {
                button("payout", &t.reference_no, "approve", "Approve")
                    + &button("payout", &t.reference_no, "reject", "Reject")
            } else {
                String::new()
            };
            let scheduled = match (&t.reserved_dt, &t.reserved_tm) {
                (Some(d), t) => format!("scheduled {d} {}", t.as_deref().unwrap_or("")),
                (None, _) => "immediate".to_owned(),
            };
            let beneficiary = format!("{} @ {}", t.beneficiary_account_no, t.beneficiary_bank_code);
            let cells = [
                stack(&[Some(&t.reference_no), Some(&t.partner_reference_no)]),
                stack(&[Some(&beneficiary), t.delivery_name.as_deref()]),
                status_cell(&t.transaction_status, t.status.description()),
                stack(&[Some(&t.amount), Some(&scheduled)]),
                times(&t.created_at, Some(("updated", &t.updated_at))),
            ];
            row(&format!("payout-{}", t.reference_no), &cells, &actions)
        })
        .collect();
    let caption = format!("Payouts <small>(balance: {})</small>", balances.join(", "));
    table(
        out,
        &caption,
        &[
            "referenceNo / partnerReferenceNo",
            "beneficiary",
            "status",
            "amount (IDR)",
            "time",
            "act",
        ],
        rows,
    );
}

fn notification_section(out: &mut String, log: &[NotificationAttempt]) {
    let rows = log
        .iter()
        .rev()
        .map(|a| {
            let d = &a.delivery;
            let headers: String = d
                .headers
                .iter()
                .map(|(k, v)| format!("{}: {}\n", escape(k), escape(v)))
                .collect();
            let answer = match (d.http_status, &d.response_body, &d.error) {
                (Some(s), body, _) => format!(
                    "HTTP {s}<pre class=\"wrap\">{}</pre>",
                    escape(body.as_deref().unwrap_or(""))
                ),
                (None, _, Some(e)) => format!("<span class=\"bad\">{}</span>", escape(e)),
                (None, _, None) => "—".to_owned(),
            };
            let acknowledged = if d.delivered {
                "<span class=\"good\">yes</span>".to_owned()
            } else {
                format!("<span class=\"bad\">no</span>{}", escape(&retry_note(d.retry_in_ms)))
            };
            format!(
                "<tr class=\"attempt\" id=\"{row}\"><td>#{} attempt {}</td><td>{} {}</td>{}\
                 <td><details id=\"{row}-headers\"><summary>headers</summary><pre class=\"wrap\">{headers}</pre></details>\
                 <details id=\"{row}-body\"><summary>body</summary><pre class=\"wrap\">{}</pre></details></td>\
                 <td>{answer}</td>{}<td class=\"ack\">{acknowledged}</td></tr>",
                a.notification_id,
                d.attempt,
                escape(&a.product),
                escape(&a.reference_no),
                cell(&d.url),
                escape(&d.body),
                cell(&d.latency_ms.map_or_else(|| "—".to_owned(), duration)),
                row = format!("attempt-{}-{}", a.notification_id, d.attempt),
            )
        })
        .collect();
    table(
        out,
        "Notifications (newest first)",
        &[
            "attempt",
            "about",
            "URL",
            "request",
            "merchant's answer",
            "latency",
            "acknowledged",
        ],
        rows,
    );
}

fn fault_section(out: &mut String, s: &StateSnapshot) {
    let rows = s
        .faults
        .iter()
        .enumerate()
        .map(|(i, f)| {
            format!(
                "<tr>{}{}{}{}{}<td><form method=\"post\" action=\"/__dashboard/faults/{i}/remove\">\
                 <button type=\"submit\" id=\"fault-remove-{i}\">Remove</button></form></td></tr>",
                cell(f.path.as_deref().unwrap_or("*")),
                cell(
                    &serde_json::to_value(f.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                ),
                cell(&f.status.map_or_else(|| "—".to_owned(), |s| s.to_string())),
                cell(&f.latency_ms.to_string()),
                cell(&f.times.map_or_else(|| "until removed".to_owned(), |n| n.to_string())),
            )
        })
        .collect();
    table(
        out,
        "Fault rules",
        &["path", "kind", "status", "latency ms", "times left", "act"],
        rows,
    );
}

/// Every SNAP path a fault can name.
fn snap_paths() -> Vec<&'static str> {
    fn paths<S>(ops: &'static [crate::snap::Operation<S>]) -> impl Iterator<Item = &'static str> {
        ops.iter().map(|op| op.path)
    }
    std::iter::once(token::TOKEN_PATH)
        .chain(paths(qris::OPERATIONS))
        .chain(paths(va::OPERATIONS))
        .chain(paths(ewallet::OPERATIONS))
        .chain(paths(payout::OPERATIONS))
        .chain(paths(binding::OPERATIONS))
        .collect()
}

/// The form adding a fault rule (outside the live part, so typing is never interrupted).
fn fault_form() -> String {
    let options: String = std::iter::once("*")
        .chain(snap_paths())
        .map(|p| format!("<option value=\"{0}\">{0}</option>", escape(p)))
        .collect();
    format!(
        "<section><h2>Add a fault rule</h2><form method=\"post\" action=\"/__dashboard/faults\" class=\"fault-form\">\
         <label for=\"fault-path\">Endpoint</label><select id=\"fault-path\" name=\"path\">{options}</select>\
         <label for=\"fault-kind\">Fault</label><select id=\"fault-kind\" name=\"kind\">\
         <option value=\"respondAfter\">apply, then answer an error (e.g. 504): unknown outcome</option>\
         <option value=\"respondBefore\">answer an error (e.g. 500) without applying</option>\
         <option value=\"dropAfter\">apply, then drop the connection</option>\
         <option value=\"dropBefore\">drop the connection without applying</option>\
         <option value=\"delayAfter\">apply, then answer late (client timeout)</option>\
         <option value=\"latency\">only latency before handling</option></select>\
         <label for=\"fault-status\">HTTP status</label><input id=\"fault-status\" name=\"status\" inputmode=\"numeric\" size=\"4\" placeholder=\"504\">\
         <label for=\"fault-latency\">Latency ms</label><input id=\"fault-latency\" name=\"latencyMs\" inputmode=\"numeric\" size=\"6\" placeholder=\"0\">\
         <label for=\"fault-times\">Times</label><input id=\"fault-times\" name=\"times\" inputmode=\"numeric\" size=\"4\" placeholder=\"until removed\">\
         <button type=\"submit\" id=\"fault-add\">Add fault</button></form>\
         <form method=\"post\" action=\"/__dashboard/faults/clear\"><button type=\"submit\" id=\"fault-clear\">Remove every fault rule</button></form></section>"
    )
}

const HEAD: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>NICEPAY SNAP simulator dashboard</title>\
<style>\
body{font:13px/1.35 system-ui,sans-serif;margin:0 1rem 2rem;color:#1a1a1a;background:#fafafa}\
header h1{font-size:1.3rem;margin:.8rem 0 .2rem}h2{font-size:1.05rem;margin:1.2rem 0 .4rem}\
table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #ddd;padding:.3rem .4rem;text-align:left;vertical-align:top}\
th{background:#f0f0f0;font-weight:600}code,pre{font-family:ui-monospace,monospace;font-size:12px}\
.wrap{white-space:pre-wrap;word-break:break-all;max-width:36rem;margin:0}\
.qr svg{width:128px;height:128px;display:block}small{color:#555}td{word-break:break-word}.qr{margin:0}\
.status{padding:0 .3rem;border-radius:3px;background:#eee;white-space:nowrap}.s00{background:#d4f4d4}.s03{background:#fff3c4}.s04,.s05{background:#f6d6d6}\
.notice{padding:.5rem;border-radius:4px}.ok{background:#e3f6e3}.error{background:#fbe3e3}\
.good{color:#11661a;font-weight:600}.bad{color:#a4141a;font-weight:600}.empty{color:#666}\
.actions form{display:inline-block;margin:0 .2rem .2rem 0}\
button{font:inherit;padding:.2rem .6rem;cursor:pointer}button:focus,input:focus,select:focus{outline:3px solid #1a5fb4;outline-offset:1px}\
.fault-form label{margin:0 .3rem 0 .8rem}.fault-form label:first-child{margin-left:0}\
</style></head><body>";

/// Polls the live fragment every second; swaps it in when it changed, keeping the focused
/// control, the values typed into inputs and the open `<details>`.
const SCRIPT: &str = "<script>\
(function(){var live=document.getElementById('live'),last=live.innerHTML;\
function tick(){fetch('/__dashboard/live',{cache:'no-store'}).then(function(r){return r.ok?r.text():null}).then(function(html){\
if(html===null||html===last)return;var f=document.activeElement,fid=f&&live.contains(f)?f.id:null,typed={};\
live.querySelectorAll('input').forEach(function(i){if(i.id&&i.value!==i.defaultValue)typed[i.id]=i.value});\
var open=[].map.call(live.querySelectorAll('details[open]'),function(d){return d.id});\
live.innerHTML=html;last=html;Object.keys(typed).forEach(function(id){var i=document.getElementById(id);if(i)i.value=typed[id]});\
open.forEach(function(id){var d=id&&document.getElementById(id);if(d)d.open=true});\
if(fid){var n=document.getElementById(fid);if(n)n.focus()}}).catch(function(){}).finally(function(){setTimeout(tick,1000)})}\
setTimeout(tick,1000)})();</script>";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<script>alert('x')</script>&\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;"
        );
    }

    #[test]
    fn fault_forms_are_validated_before_anything_is_added() {
        let form = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let f = fault_from_form(&form(&[
            ("path", "/api/v1.0/qr/qr-mpm-generate"),
            ("kind", "respondAfter"),
            ("status", "504"),
            ("times", "1"),
        ]))
        .unwrap();
        assert_eq!(f, Fault::respond_after("/api/v1.0/qr/qr-mpm-generate", 504).times(1));
        assert!(fault_from_form(&form(&[("kind", "respondAfter"), ("status", "-1")])).is_err());
        assert!(fault_from_form(&form(&[("kind", "<script>")])).is_err());
        assert!(fault_from_form(&form(&[("kind", "latency"), ("latencyMs", "99999999999999999999999")])).is_err());
    }

    #[test]
    fn only_loopback_hosts_and_same_origin_posts() {
        let headers = |pairs: &[(&'static str, &str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, v.parse().unwrap());
            }
            h
        };
        assert!(same_origin(&headers(&[("host", "127.0.0.1:4000")])));
        assert!(same_origin(&headers(&[
            ("host", "localhost:4000"),
            ("origin", "http://localhost:4000")
        ])));
        assert!(!same_origin(&headers(&[
            ("host", "127.0.0.1:4000"),
            ("origin", "http://evil.example")
        ])));
        assert!(!same_origin(&headers(&[("host", "evil.example:4000")])));
        assert!(!same_origin(&headers(&[])));
    }
}
