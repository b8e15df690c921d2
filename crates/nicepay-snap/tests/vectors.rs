//! Runs every golden vector in `tests/vectors/` through the public API, artifact by artifact.

use std::fs;
use std::path::{Path, PathBuf};

use nicepay_snap::api::notification::NotificationVerifier;
use nicepay_snap::canonical::{body_sha256_hex, token_string_to_sign, transaction_string_to_sign};
use nicepay_snap::{
    AccessToken, Config, ExternalId, Method, Operation, PrivateKey, PublicKey, RequestContext, SymmetricSigner,
    Timestamp,
};
use serde_json::Value;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(case: &Path, name: &str) -> String {
    fs::read_to_string(case.join(name)).unwrap_or_else(|e| panic!("{}/{name}: {e}", case.display()))
}

fn cases() -> Vec<(PathBuf, Value)> {
    let mut out = Vec::new();
    for entry in fs::read_dir(repo_root().join("tests/vectors")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            let ctx: Value = serde_json::from_str(&read(&path, "context.json")).unwrap();
            out.push((path, ctx));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 9, "expected the committed vectors, found {}", out.len());
    out
}

/// The committed cases of one `kind`, checking that there are at least `min` of them.
fn cases_of(kind: &str, min: usize) -> Vec<(PathBuf, Value)> {
    let found: Vec<_> = cases().into_iter().filter(|(_, c)| c["kind"] == kind).collect();
    assert!(
        found.len() >= min,
        "expected at least {min} {kind} vectors, found {}",
        found.len()
    );
    found
}

fn s<'a>(ctx: &'a Value, key: &str) -> &'a str {
    ctx[key].as_str().unwrap_or_else(|| panic!("context.{key}"))
}

fn config(secret: &str) -> Config {
    Config::builder()
        .client_id("IONPAYTEST")
        .client_secret(secret)
        .private_key_text(&fs::read_to_string(repo_root().join("tests/keys/merchant-test-private-pkcs8.pem")).unwrap())
        .build()
        .unwrap()
}

/// Deserializes the body into the operation's typed request, checks it re-serializes to the
/// exact bytes, and prepares it.
fn typed_prepare<O: Operation>(cfg: &Config, body: &[u8], ctx: &RequestContext<'_>) -> nicepay_snap::PreparedRequest {
    let typed: O::Request = serde_json::from_slice(body).unwrap();
    assert_eq!(
        serde_json::to_vec(&typed).unwrap(),
        body,
        "typed {} request re-serializes exactly",
        O::NAME
    );
    cfg.prepare::<O>(&typed, ctx).unwrap()
}

#[test]
fn transaction_vectors() {
    for (case, ctx) in cases_of("transaction", 4) {
        let body = fs::read(case.join("body.json")).unwrap();
        let method = Method::parse(s(&ctx, "method")).unwrap();
        let (path, token, ts) = (s(&ctx, "path"), s(&ctx, "accessToken"), s(&ctx, "timestamp"));
        assert_eq!(
            nicepay_snap::canonical::signed_path(path).unwrap(),
            s(&ctx, "signedPath")
        );
        assert_eq!(
            body_sha256_hex(&body),
            read(&case, "body-sha256.txt"),
            "{}",
            case.display()
        );
        let sts = transaction_string_to_sign(method, path, token, &body, ts).unwrap();
        assert_eq!(sts, read(&case, "string-to-sign.txt"), "{}", case.display());
        let signer = SymmetricSigner::new(&s(&ctx, "clientSecret").into());
        let sig = signer.sign_transaction(method, path, token, &body, ts).unwrap();
        assert_eq!(sig, read(&case, "signature.txt"), "{}", case.display());

        // Through the full prepare path, from the raw JSON and (where typed) from the struct.
        let cfg = config(s(&ctx, "clientSecret"));
        let token = AccessToken::new(token);
        let rctx = RequestContext {
            access_token: &token,
            timestamp: Timestamp::parse(ts).unwrap(),
            external_id: ExternalId::new(s(&ctx, "externalId")).unwrap(),
        };
        let prepared = cfg.prepare_json(method, path, &body, &rctx).unwrap();
        assert_eq!(prepared.body, body);
        assert_eq!(prepared.header("X-SIGNATURE"), Some(sig.as_str()));
        assert_eq!(prepared.header("X-TIMESTAMP"), Some(ts));
        assert_eq!(prepared.method, method);
        let pretty = serde_json::to_vec_pretty(&serde_json::from_slice::<Value>(&body).unwrap()).unwrap();
        let from_pretty = cfg.prepare_json(method, path, &pretty, &rctx).unwrap();
        assert_eq!(
            from_pretty.body, body,
            "pretty JSON is minified back to the exact bytes"
        );
        if let Some(name) = ctx["operation"].as_str() {
            let typed = nicepay_snap::with_operation!(name, Op => typed_prepare::<Op>(&cfg, &body, &rctx), panic!("unknown operation {name}"));
            assert_eq!(typed, prepared, "{name}");
            assert_eq!(
                nicepay_snap::with_operation!(name, Op => Op::METHOD, unreachable!()),
                method,
                "{name}"
            );
        }
    }
}

#[test]
fn token_vectors() {
    for (case, ctx) in cases_of("token", 2) {
        let key_text = fs::read_to_string(repo_root().join(s(&ctx, "privateKeyFile"))).unwrap();
        let key = PrivateKey::parse(&key_text).unwrap();
        let (client_id, ts) = (s(&ctx, "clientId"), s(&ctx, "timestamp"));
        let sts = token_string_to_sign(client_id, ts);
        assert_eq!(sts, read(&case, "token-string-to-sign.txt"));
        let expected = read(&case, "token-signature.txt");
        assert_eq!(key.sign_base64(sts.as_bytes()).unwrap(), expected, "{}", case.display());
        // The same key in every accepted text form signs identically.
        let bare: String = key_text.lines().filter(|l| !l.starts_with("-----")).collect();
        let escaped = key_text.replace('\n', "\\n");
        for form in [bare.as_str(), escaped.as_str()] {
            assert_eq!(
                PrivateKey::parse(form).unwrap().sign_base64(sts.as_bytes()).unwrap(),
                expected
            );
        }
        let public =
            PublicKey::parse(&fs::read_to_string(repo_root().join(s(&ctx, "publicKeyFile"))).unwrap()).unwrap();
        assert_eq!(key.public_key(), &public);
        public.verify_base64(sts.as_bytes(), &expected).unwrap();

        // And through prepare_access_token.
        let cfg = Config::builder()
            .client_id(client_id)
            .client_secret("irrelevant")
            .private_key(key)
            .build()
            .unwrap();
        let req = cfg.prepare_access_token(Timestamp::parse(ts).unwrap()).unwrap();
        assert_eq!(req.header("X-SIGNATURE"), Some(expected.as_str()));
        assert_eq!(req.header("X-CLIENT-KEY"), Some(client_id));
        assert_eq!(req.body, br#"{"grantType":"client_credentials","additionalInfo":{}}"#);
        assert!(req.url.ends_with("/nicepay/v1.0/access-token/b2b"));
    }
}

#[test]
fn notification_vectors() {
    for (case, ctx) in cases_of("notification", 3) {
        let key = PublicKey::parse(s(&ctx, "publicKey")).unwrap();
        let (client_id, ts) = (s(&ctx, "clientId"), s(&ctx, "timestamp"));
        assert_eq!(token_string_to_sign(client_id, ts), read(&case, "string-to-sign.txt"));
        let verifier = NotificationVerifier::new(key, client_id);
        let result = verifier.verify_signature(ts, &read(&case, "signature.txt"));
        assert_eq!(
            result.is_ok(),
            ctx["valid"].as_bool().unwrap(),
            "{}: {result:?}",
            case.display()
        );
    }
}

/// The NIVA requests NICEPAY sends to a merchant parse as the server's typed requests, and the
/// payout notification's body as a `PayoutNotification` (its signature is checked above).
#[test]
fn inbound_vector_bodies_parse_as_their_types() {
    use nicepay_snap::api::payout::PayoutNotification;
    use nicepay_snap::server::{VaInquiryRequest, VaPaymentRequest};
    let body = |name: &str| fs::read(repo_root().join("tests/vectors").join(name).join("body.json")).unwrap();
    let inquiry: VaInquiryRequest = serde_json::from_slice(&body("niva-va-inquiry")).unwrap();
    assert_eq!(inquiry.virtual_account_no.trim(), "700140001");
    assert_eq!(inquiry.inquiry_request_id, "inq20240705101140");
    let payment: VaPaymentRequest = serde_json::from_slice(&body("niva-va-payment")).unwrap();
    assert_eq!(payment.paid_amount.value(), "150000.00");
    let payout: PayoutNotification = serde_json::from_slice(&body("payout-notification")).unwrap();
    assert_eq!(payout.beneficiary_account_no.as_deref(), Some("5345000060"));
    assert_eq!(payout.amount.as_ref().map(|a| a.value()), Some("10000.00"));
}
