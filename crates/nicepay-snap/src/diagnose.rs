//! Explains why NICEPAY refuses a signature: takes a request as a merchant's code sent it
//! (method, path, headers and body, e.g. copied from a log) and recomputes the signature the
//! way the SDK builds it and the usual wrong ways (path with `/nicepay`, body hashed in another
//! form than sent, `Bearer ` inside the signed token, a timestamp signed in another form than
//! the header carries, ...). The variant that reproduces the request's `X-SIGNATURE` names the
//! mistake; when none does, the secret or key differs.
//!
//! Pure computation: the request text and the credentials come in as arguments.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::Serialize;

use crate::canonical::{body_sha256_hex, signed_path, token_string_to_sign};
use crate::error::echo;
use crate::http::{find_header, Method};
use crate::keys::PublicKey;
use crate::minify::minify_json;
use crate::secret::ClientSecret;
use crate::symmetric::{constant_time_eq, SymmetricSigner};
use crate::timestamp::{Timestamp, JAKARTA_OFFSET_SECONDS};
use crate::{Error, Result};

/// Largest request text [`LoggedRequest::parse`] accepts (the transports' body cap plus room
/// for the head).
pub const MAX_LOGGED_REQUEST_BYTES: usize = 4 * 1024 * 1024 + 64 * 1024;

/// A request as it was sent: the input of [`explain`].
#[derive(Clone, PartialEq, Eq)]
pub struct LoggedRequest {
    /// HTTP method as sent (any case).
    pub method: String,
    /// The request target as sent: a path (`/nicepay/api/...`) or a full URL.
    pub target: String,
    /// Header lines in the order given.
    pub headers: Vec<(String, String)>,
    /// The body bytes exactly as sent.
    pub body: Vec<u8>,
}

impl std::fmt::Debug for LoggedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Headers carry the access token and the signature: show names only.
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("LoggedRequest")
            .field("method", &self.method)
            .field("target", &self.target)
            .field("headers", &names)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl LoggedRequest {
    /// Parses an HTTP/1.1-style request text: a request line (`POST /nicepay/api/v1.0/... HTTP/1.1`,
    /// the URL may be absolute and the version may be missing), `Name: value` header lines, an
    /// empty line, then the body, byte for byte (a trailing line break after the body is part of
    /// it only if it was sent). Lines may end with CRLF or LF.
    pub fn parse(text: &[u8]) -> Result<Self> {
        if text.len() > MAX_LOGGED_REQUEST_BYTES {
            return Err(Error::invalid(
                "request",
                format!(
                    "is {} bytes, more than the {MAX_LOGGED_REQUEST_BYTES}-byte cap",
                    text.len()
                ),
            ));
        }
        let (head, body) = split_head(text);
        let head = std::str::from_utf8(head)
            .map_err(|_| Error::invalid("request", "the request line and headers are not UTF-8 text"))?;
        let mut lines = head.lines().map(|l| l.trim_end_matches('\r'));
        let request_line = lines
            .by_ref()
            .find(|l| !l.trim().is_empty())
            .ok_or_else(|| Error::invalid("request", "is empty (expected `POST /nicepay/api/... HTTP/1.1`)"))?;
        let mut parts = request_line.split_whitespace();
        let (method, target) = match (parts.next(), parts.next()) {
            (Some(m), Some(t)) => (m.to_owned(), t.to_owned()),
            _ => {
                return Err(Error::invalid(
                    "request",
                    format!("first line {} is not `METHOD target [HTTP/1.1]`", echo(request_line)),
                ))
            }
        };
        let mut headers = Vec::new();
        for line in lines {
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| Error::invalid("request", format!("header line {} has no `:`", echo(line))))?;
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
        Ok(Self {
            method,
            target,
            headers,
            body: body.to_vec(),
        })
    }

    fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// The path part of the target (`https://host/nicepay/x?q` gives `/nicepay/x?q`).
    fn path(&self) -> &str {
        match self.target.split_once("://") {
            Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
            None => &self.target,
        }
    }
}

/// Splits at the first empty line (CRLF CRLF or LF LF).
fn split_head(text: &[u8]) -> (&[u8], &[u8]) {
    let crlf = text.windows(4).position(|w| w == b"\r\n\r\n").map(|i| (i, i + 4));
    let lf = text.windows(2).position(|w| w == b"\n\n").map(|i| (i, i + 2));
    let first = match (crlf, lf) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    };
    match first {
        Some((end, start)) => (&text[..end], &text[start..]),
        None => (text, b""),
    }
}

/// What [`explain`] may use to recompute signatures.
#[derive(Default, Clone, Copy)]
pub struct Credentials<'a> {
    /// The client secret, for transactional (HMAC-SHA512) signatures.
    pub client_secret: Option<&'a ClientSecret>,
    /// The merchant's public key (or the one derived from the private key), for access-token
    /// requests (SHA256withRSA).
    pub public_key: Option<&'a PublicKey>,
    /// The access token the merchant believes it used, when it differs from the request's
    /// `Authorization` header (or the header is missing from the log).
    pub access_token: Option<&'a str>,
}

impl std::fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("client_secret", &self.client_secret.map(|_| "[redacted]"))
            .field("public_key", &self.public_key.is_some())
            .field("access_token", &self.access_token.map(|_| "[redacted]"))
            .finish()
    }
}

/// One check of the request or one recomputed variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Short stable name (`timestamp-format`, `signature/path-with-nicepay-prefix`, ...).
    pub check: String,
    /// Whether the request passes this check (for variants: whether the variant reproduces the
    /// request's signature).
    pub ok: bool,
    /// What it means, in one or two sentences.
    pub detail: String,
}

/// The result of [`explain`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// `"access-token"` or `"transaction"`.
    pub kind: &'static str,
    /// True when the signature is exactly what the SDK would compute from these inputs.
    pub valid: bool,
    /// The name of the variant that reproduces `X-SIGNATURE`, if any (`"sdk"` when valid).
    pub matched: Option<String>,
    /// One-paragraph conclusion.
    pub verdict: String,
    /// Every format check and every variant tried.
    pub findings: Vec<Finding>,
}

/// Recomputes the request's signature the SDK's way and in the common wrong ways, and says
/// which one produced its `X-SIGNATURE`.
///
/// A request to `/v1.0/access-token/b2b` (or without `Authorization`) is explained as an
/// access-token request and needs `credentials.public_key`; any other as a transactional
/// request, which needs `credentials.client_secret`. Missing credentials or a missing
/// `X-SIGNATURE` are reported as errors.
pub fn explain(request: &LoggedRequest, credentials: Credentials<'_>) -> Result<Explanation> {
    let signature = request
        .header("X-SIGNATURE")
        .ok_or_else(|| Error::invalid("X-SIGNATURE", "the request has no X-SIGNATURE header"))?;
    let timestamp = request
        .header("X-TIMESTAMP")
        .ok_or_else(|| Error::invalid("X-TIMESTAMP", "the request has no X-TIMESTAMP header"))?;
    let mut findings = format_findings(request, timestamp);
    let is_token = request.path().contains("/access-token/")
        || (request.header("Authorization").is_none() && credentials.access_token.is_none());
    let (kind, candidates) = if is_token {
        let key = credentials.public_key.ok_or_else(|| {
            Error::invalid(
                "public_key",
                "an access-token request is checked with the merchant's public (or private) key",
            )
        })?;
        let client_id = request
            .header("X-CLIENT-KEY")
            .ok_or_else(|| Error::invalid("X-CLIENT-KEY", "the access-token request has no X-CLIENT-KEY header"))?;
        ("access-token", token_variants(key, client_id, timestamp, signature))
    } else {
        let secret = credentials.client_secret.ok_or_else(|| {
            Error::invalid(
                "client_secret",
                "a transactional request is checked with the client secret",
            )
        })?;
        (
            "transaction",
            transaction_variants(request, secret, credentials.access_token, timestamp, signature)?,
        )
    };
    let matched = candidates.iter().find(|f| f.ok).map(|f| f.check.clone());
    let valid = matched.as_deref() == Some("signature/sdk");
    let verdict = match (&matched, valid) {
        (_, true) => "X-SIGNATURE is exactly what the SDK computes from this request: the signature is right. If NICEPAY still refuses it, compare the credentials (client ID, secret, key registered with NICEPAY) and the host.".to_owned(),
        (Some(name), false) => {
            let detail = candidates.iter().find(|f| &f.check == name).map(|f| f.detail.as_str()).unwrap_or_default();
            format!("X-SIGNATURE was computed over other bytes than the SDK signs: {detail}")
        }
        (None, _) if is_token => "No variant reproduces X-SIGNATURE: the request was signed with another private key than the one given (or over a client ID / timestamp other than the ones sent).".to_owned(),
        (None, _) => "No variant reproduces X-SIGNATURE: most likely the client secret differs from the one used to sign (or the access token used when signing is not the one in the Authorization header; pass it to check).".to_owned(),
    };
    findings.extend(candidates);
    Ok(Explanation {
        kind,
        valid,
        matched: matched.map(|m| m.trim_start_matches("signature/").to_owned()),
        verdict,
        findings,
    })
}

fn finding(check: &str, ok: bool, detail: impl Into<String>) -> Finding {
    Finding {
        check: check.to_owned(),
        ok,
        detail: detail.into(),
    }
}

/// Format checks that need no credentials.
fn format_findings(request: &LoggedRequest, timestamp: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    out.push(match Timestamp::parse_outbound(timestamp) {
        Ok(_) => finding(
            "timestamp-format",
            true,
            "X-TIMESTAMP is Jakarta time, yyyy-MM-ddTHH:mm:ss+07:00",
        ),
        Err(e) => finding("timestamp-format", false, e.to_string()),
    });
    let path = request.path();
    out.push(finding(
        "url-has-nicepay-prefix",
        path.starts_with("/nicepay/"),
        if path.starts_with("/nicepay/") {
            "the URL carries the /nicepay prefix NICEPAY's hosts expect (it is not signed)"
        } else {
            "NICEPAY's URLs are {host}/nicepay{path}: the request went to a path without /nicepay"
        },
    ));
    let compact = minify_json(&request.body).ok();
    out.push(match &compact {
        Some(c) if *c == request.body => finding("body-compact-json", true, "the body is compact JSON"),
        Some(_) => finding(
            "body-compact-json",
            false,
            "the body is JSON with insignificant whitespace; that works only if exactly these bytes were hashed (the SDK sends compact JSON)",
        ),
        None => finding("body-compact-json", false, "the body is not well-formed JSON"),
    });
    if let (Some(partner), Some(client)) = (request.header("X-PARTNER-ID"), request.header("X-CLIENT-KEY")) {
        out.push(finding(
            "partner-id-equals-client-key",
            partner == client,
            "X-PARTNER-ID and X-CLIENT-KEY both carry the client ID",
        ));
    }
    out
}

/// Signed-timestamp forms a merchant's code may have produced instead of the header's text.
fn timestamp_variants(timestamp: &str) -> Vec<(&'static str, String, &'static str)> {
    let mut out = Vec::new();
    let Ok(parsed) = Timestamp::parse(timestamp) else {
        return out;
    };
    let jakarta = parsed.to_string();
    if jakarta != timestamp {
        out.push(("timestamp-jakarta", jakarta.clone(), "the string signed was the Jakarta (+07:00) form of the instant while the header carries another form: sign and send the same string"));
    }
    let utc_wall = Timestamp::from_unix_seconds(parsed.unix_seconds() - JAKARTA_OFFSET_SECONDS)
        .map(|t| t.to_string()[..19].to_owned())
        .unwrap_or_default();
    if !utc_wall.is_empty() {
        out.push(("timestamp-utc-z", format!("{utc_wall}Z"), "the signed timestamp was UTC with `Z` while the header carries another string: sign exactly the X-TIMESTAMP header's text, in +07:00"));
        out.push(("timestamp-utc-offset", format!("{utc_wall}+00:00"), "the signed timestamp was UTC (+00:00) while the header carries another string: sign exactly the X-TIMESTAMP header's text, in +07:00"));
    }
    out.push((
        "timestamp-no-offset",
        jakarta[..19].to_owned(),
        "the signed timestamp had no UTC offset: sign exactly the X-TIMESTAMP header's text",
    ));
    out.push((
        "timestamp-millis",
        format!("{}.000+07:00", &jakarta[..19]),
        "the signed timestamp had milliseconds: sign exactly the X-TIMESTAMP header's text, without fractions",
    ));
    out.retain(|(_, text, _)| text != timestamp);
    out
}

fn token_variants(key: &PublicKey, client_id: &str, timestamp: &str, signature: &str) -> Vec<Finding> {
    let check = |message: &str| key.verify_base64(message.as_bytes(), signature).is_ok();
    let mut out = vec![finding(
        "signature/sdk",
        check(&token_string_to_sign(client_id, timestamp)),
        "SHA256withRSA over clientId|X-TIMESTAMP, as sent",
    )];
    for (name, ts, detail) in timestamp_variants(timestamp) {
        out.push(finding(
            &format!("signature/{name}"),
            check(&token_string_to_sign(client_id, &ts)),
            detail,
        ));
    }
    let trimmed = client_id.trim();
    if trimmed != client_id {
        out.push(finding(
            "signature/client-id-trimmed",
            check(&token_string_to_sign(trimmed, timestamp)),
            "the client ID signed had no surrounding spaces, the header has some",
        ));
    }
    out
}

/// One way of computing the transactional string-to-sign.
#[derive(Clone)]
struct Variant {
    name: &'static str,
    detail: &'static str,
    method: String,
    path: String,
    token: String,
    body_hash: String,
    timestamp: String,
}

fn transaction_variants(
    request: &LoggedRequest,
    secret: &ClientSecret,
    token_hint: Option<&str>,
    timestamp: &str,
    signature: &str,
) -> Result<Vec<Finding>> {
    let method = Method::parse(&request.method)?.as_str();
    let path = signed_path(request.path())?;
    let bearer = request.header("Authorization").unwrap_or_default();
    let header_token = bearer.strip_prefix("Bearer ").unwrap_or(bearer);
    let token = token_hint.unwrap_or(header_token);
    let hash = body_sha256_hex(&request.body);
    let base = Variant {
        name: "sdk",
        detail: "METHOD:path-without-/nicepay:token:sha256hex(body as sent):X-TIMESTAMP",
        method: method.to_owned(),
        path: path.to_owned(),
        token: token.to_owned(),
        body_hash: hash.clone(),
        timestamp: timestamp.to_owned(),
    };
    let mut variants = vec![base.clone()];
    let mut push = |name, detail, change: &dyn Fn(&mut Variant)| {
        let mut v = base.clone();
        v.name = name;
        v.detail = detail;
        change(&mut v);
        variants.push(v);
    };
    push(
        "path-with-nicepay-prefix",
        "the path was signed with the /nicepay prefix; sign the path without it",
        &|v| v.path = format!("/nicepay{path}"),
    );
    if request.target.contains("://") {
        push(
            "path-as-full-url",
            "the full URL was signed; sign only the path, without host and /nicepay",
            &|v| v.path = request.target.clone(),
        );
    }
    push(
        "token-with-bearer",
        "the token was signed with its `Bearer ` prefix; sign the token alone",
        &|v| v.token = bearer.to_owned(),
    );
    if token_hint.is_some() && token_hint != Some(header_token) {
        push(
            "token-from-header",
            "the Authorization header's token was signed, not the one given",
            &|v| v.token = header_token.to_owned(),
        );
    }
    push(
        "token-empty",
        "no token was signed (the `::` between path and body hash); sign the access token",
        &|v| v.token.clear(),
    );
    push(
        "method-lowercase",
        "the method was signed in lower case; sign it upper-case",
        &|v| v.method = method.to_ascii_lowercase(),
    );
    if let Ok(compact) = minify_json(&request.body) {
        if compact != request.body {
            push("body-hashed-compact", "the compact form of the body was hashed but another form (with whitespace) was sent: hash and send the same bytes", &|v| v.body_hash = body_sha256_hex(&compact));
        }
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&request.body) {
            if let Ok(pretty) = serde_json::to_vec_pretty(&value) {
                push("body-hashed-pretty", "a pretty-printed form of the body was hashed but other bytes were sent: hash and send the same bytes", &|v| v.body_hash = body_sha256_hex(&pretty));
            }
            let spaced = python_json_dumps(&value);
            push("body-hashed-python-default", "the body was hashed as Python's json.dumps renders it (`, ` and `: `) but other bytes were sent: hash and send the same bytes", &|v| v.body_hash = body_sha256_hex(spaced.as_bytes()));
        }
    }
    push(
        "body-hash-empty",
        "the hash of an empty body was signed; hash the body that is sent",
        &|v| v.body_hash = body_sha256_hex(b""),
    );
    push(
        "body-hash-uppercase",
        "the body hash was signed in upper-case hex; use lower-case",
        &|v| v.body_hash = hash.to_ascii_uppercase(),
    );
    for (name, ts, detail) in timestamp_variants(timestamp) {
        push(name, detail, &|v| v.timestamp = ts.clone());
    }
    let signer = SymmetricSigner::new(secret);
    let wanted = STANDARD.decode(signature.trim()).ok();
    Ok(variants
        .into_iter()
        .map(|v| {
            let sts = format!("{}:{}:{}:{}:{}", v.method, v.path, v.token, v.body_hash, v.timestamp);
            let ours = STANDARD.decode(signer.sign_base64(sts.as_bytes())).unwrap_or_default();
            let ok = wanted.as_deref().is_some_and(|w| constant_time_eq(w, &ours));
            finding(&format!("signature/{}", v.name), ok, v.detail)
        })
        .collect())
}

/// `json.dumps(value)` with Python's default separators (`", "` and `": "`), ASCII-escaped as
/// Python does by default.
fn python_json_dumps(value: &serde_json::Value) -> String {
    let mut out = String::new();
    write_python(value, &mut out);
    out
}

fn write_python(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value;
    match value {
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_python(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_python_str(k, out);
                out.push_str(": ");
                write_python(v, out);
            }
            out.push('}');
        }
        Value::String(s) => write_python_str(s, out),
        other => out.push_str(&other.to_string()),
    }
}

fn write_python_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = r#"{"originalReferenceNo":"TNICEQR08108202309122320370700","originalPartnerReferenceNo":"ncpy20221017161458","partnerRefundNo":"refund20240705101140","merchantId":"TNICEQR081","externalStoreId":"NicepayStoreID1","refundAmount":{"value":"10000.00","currency":"IDR"},"reason":"Refund Trans","additionalInfo":{"cancelType":"1"}}"#;
    /// The spec's transactional test vector (§4.2).
    const SIGNATURE: &str = "fkXE8cTi7Wg131Kr+pqhzIeAI7c2I6CdoTkM94mPxcOh1J8OEl4uTwEH1F7U75i0jAHMov74tn9tKmq9s2MWIg==";

    fn logged(path: &str, signature: &str, body: &str) -> Vec<u8> {
        format!(
            "POST {path} HTTP/1.1\r\nContent-Type: application/json\r\nAuthorization: Bearer TESTACCESSTOKEN123\r\nX-TIMESTAMP: 2024-07-05T10:11:40+07:00\r\nX-SIGNATURE: {signature}\r\nX-PARTNER-ID: TNICEQR081\r\nX-EXTERNAL-ID: 1\r\nCHANNEL-ID: TNICEQR08101\r\n\r\n{body}"
        )
        .into_bytes()
    }

    fn sign(sts: &str) -> String {
        SymmetricSigner::new(&ClientSecret::new("test-client-secret")).sign_base64(sts.as_bytes())
    }

    fn run(text: &[u8], secret: &str) -> Explanation {
        let secret = ClientSecret::new(secret);
        let creds = Credentials {
            client_secret: Some(&secret),
            ..Credentials::default()
        };
        explain(&LoggedRequest::parse(text).unwrap(), creds).unwrap()
    }

    #[test]
    fn the_spec_vector_is_valid() {
        let e = run(
            &logged("/nicepay/api/v1.0/qr/qr-mpm-refund", SIGNATURE, BODY),
            "test-client-secret",
        );
        assert!(e.valid, "{e:?}");
        assert_eq!(e.matched.as_deref(), Some("sdk"));
        assert!(e
            .findings
            .iter()
            .filter(|f| !f.check.starts_with("signature/"))
            .all(|f| f.ok));
    }

    #[test]
    fn a_wrong_secret_matches_no_variant() {
        let e = run(
            &logged("/nicepay/api/v1.0/qr/qr-mpm-refund", SIGNATURE, BODY),
            "other-secret",
        );
        assert!(!e.valid);
        assert_eq!(e.matched, None);
        assert!(e.verdict.contains("client secret"));
    }

    #[test]
    fn each_common_mistake_is_named() {
        let ts = "2024-07-05T10:11:40+07:00";
        let hash = body_sha256_hex(BODY.as_bytes());
        let path = "/api/v1.0/qr/qr-mpm-refund";
        let cases = [
            (
                "path-with-nicepay-prefix",
                format!("POST:/nicepay{path}:TESTACCESSTOKEN123:{hash}:{ts}"),
            ),
            (
                "token-with-bearer",
                format!("POST:{path}:Bearer TESTACCESSTOKEN123:{hash}:{ts}"),
            ),
            ("token-empty", format!("POST:{path}::{hash}:{ts}")),
            (
                "body-hash-uppercase",
                format!("POST:{path}:TESTACCESSTOKEN123:{}:{ts}", hash.to_uppercase()),
            ),
            (
                "timestamp-utc-z",
                format!("POST:{path}:TESTACCESSTOKEN123:{hash}:2024-07-05T03:11:40Z"),
            ),
            (
                "timestamp-millis",
                format!("POST:{path}:TESTACCESSTOKEN123:{hash}:2024-07-05T10:11:40.000+07:00"),
            ),
        ];
        for (name, sts) in cases {
            let e = run(
                &logged("/nicepay/api/v1.0/qr/qr-mpm-refund", &sign(&sts), BODY),
                "test-client-secret",
            );
            assert!(!e.valid, "{name}");
            assert_eq!(e.matched.as_deref(), Some(name), "{name}: {e:?}");
        }
    }

    #[test]
    fn a_body_hashed_compact_but_sent_pretty_is_named() {
        let value: serde_json::Value = serde_json::from_str(BODY).unwrap();
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        // The merchant hashed the compact bytes, then sent the pretty ones.
        let text = logged("/nicepay/api/v1.0/qr/qr-mpm-refund", SIGNATURE, &pretty);
        let e = run(&text, "test-client-secret");
        assert_eq!(e.matched.as_deref(), Some("body-hashed-compact"));
        assert!(e.findings.iter().any(|f| f.check == "body-compact-json" && !f.ok));
    }

    #[test]
    fn a_python_default_dumps_hash_is_named() {
        let value: serde_json::Value = serde_json::from_str(BODY).unwrap();
        let spaced = python_json_dumps(&value);
        assert!(spaced.starts_with(r#"{"originalReferenceNo": "TNICEQR"#));
        let sts = format!(
            "POST:/api/v1.0/qr/qr-mpm-refund:TESTACCESSTOKEN123:{}:2024-07-05T10:11:40+07:00",
            body_sha256_hex(spaced.as_bytes())
        );
        let e = run(
            &logged("/nicepay/api/v1.0/qr/qr-mpm-refund", &sign(&sts), BODY),
            "test-client-secret",
        );
        assert_eq!(e.matched.as_deref(), Some("body-hashed-python-default"));
    }

    #[test]
    fn parse_takes_lf_lines_absolute_urls_and_keeps_body_bytes() {
        let text = b"post https://dev.nicepay.co.id/nicepay/api/v1.0/qr/qr-mpm-query\nX-A: 1\n\n{\"a\":1}\n";
        let r = LoggedRequest::parse(text).unwrap();
        assert_eq!(r.method, "post");
        assert_eq!(r.path(), "/nicepay/api/v1.0/qr/qr-mpm-query");
        assert_eq!(r.headers, vec![("X-A".to_owned(), "1".to_owned())]);
        assert_eq!(r.body, b"{\"a\":1}\n");
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        assert!(LoggedRequest::parse(b"").is_err());
        assert!(LoggedRequest::parse(b"POST\r\n\r\n").is_err());
        assert!(LoggedRequest::parse(b"POST /x\r\nno colon\r\n\r\n").is_err());
        assert!(LoggedRequest::parse(&vec![b'a'; MAX_LOGGED_REQUEST_BYTES + 1]).is_err());
        let no_sig =
            LoggedRequest::parse(b"POST /nicepay/api/v1.0/qr/qr-mpm-query\r\nX-TIMESTAMP: x\r\n\r\n{}").unwrap();
        assert!(explain(&no_sig, Credentials::default()).is_err());
        let no_secret = LoggedRequest::parse(&logged("/nicepay/api/v1.0/qr/qr-mpm-refund", SIGNATURE, BODY)).unwrap();
        assert!(explain(&no_secret, Credentials::default()).is_err());
    }

    #[test]
    fn debug_shows_no_secret() {
        let r = LoggedRequest::parse(&logged("/nicepay/api/v1.0/qr/qr-mpm-refund", SIGNATURE, BODY)).unwrap();
        let shown = format!("{r:?}");
        assert!(!shown.contains("TESTACCESSTOKEN123") && !shown.contains(SIGNATURE));
        let secret = ClientSecret::new("test-client-secret");
        let creds = Credentials {
            client_secret: Some(&secret),
            access_token: Some("TESTACCESSTOKEN123"),
            public_key: None,
        };
        let shown = format!("{creds:?}");
        assert!(!shown.contains("test-client-secret") && !shown.contains("TESTACCESSTOKEN123"));
    }
}
