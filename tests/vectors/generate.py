#!/usr/bin/env python3
"""Regenerates the golden vectors with independent implementations.

Python's hashlib/hmac compute the body hashes and HMAC-SHA512 signatures, and the `openssl`
command line computes the RSA (SHA256withRSA, PKCS#1 v1.5) signatures. None of this project's
code is used, so the Rust, Python and Node suites that read these files are checked against an
outside reference. Run from the repository root: `python3 tests/vectors/generate.py`.
Existing spec vectors (copied from the spec) are asserted, not overwritten with new values.
"""
import base64
import hashlib
import hmac
import json
import os
import subprocess

ROOT = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(ROOT))


def write(case, name, data):
    d = os.path.join(ROOT, case)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def transaction(case, secret, method, path, token, ts, body, external_id, description, expected_sig=None, operation=None):
    body_hash = hashlib.sha256(body).hexdigest()
    signed = path[len("/nicepay"):] if path.startswith("/nicepay/") else path
    sts = f"{method}:{signed}:{token}:{body_hash}:{ts}"
    sig = base64.b64encode(hmac.new(secret.encode(), sts.encode(), hashlib.sha512).digest()).decode()
    if expected_sig is not None:
        assert sig == expected_sig, (case, sig)
    ctx = {
        "kind": "transaction",
        "description": description,
        "clientSecret": secret,
        "method": method,
        "path": path,
        "signedPath": signed,
        "accessToken": token,
        "timestamp": ts,
        "externalId": external_id,
        "operation": operation,
    }
    write(case, "context.json", json.dumps(ctx, indent=2, ensure_ascii=False) + "\n")
    write(case, "body.json", body)
    write(case, "body-sha256.txt", body_hash)
    write(case, "string-to-sign.txt", sts)
    write(case, "signature.txt", sig)


def spec_transaction(case, method, path, body, external_id, description, **kw):
    """A transaction with the spec's test secret, access token and timestamp."""
    transaction(case, "test-client-secret", method, path, "TESTACCESSTOKEN123", "2024-07-05T10:11:40+07:00",
                body, external_id, description, **kw)


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def rsa_sign(key_file, message):
    out = subprocess.run(
        ["openssl", "dgst", "-sha256", "-sign", os.path.join(REPO, key_file)],
        input=message.encode(), capture_output=True, check=True,
    ).stdout
    return base64.b64encode(out).decode()


def token(case, client_id, ts, key_file, description):
    sts = f"{client_id}|{ts}"
    sig = rsa_sign(key_file, sts)
    ctx = {
        "kind": "token",
        "description": description,
        "clientId": client_id,
        "timestamp": ts,
        "privateKeyFile": key_file,
        "publicKeyFile": "tests/keys/merchant-test-public.pem",
    }
    write(case, "context.json", json.dumps(ctx, indent=2) + "\n")
    write(case, "token-string-to-sign.txt", sts)
    write(case, "token-signature.txt", sig)


def notification(case, client_id, ts, public_key, signature, valid, description):
    ctx = {
        "kind": "notification",
        "description": description,
        "clientId": client_id,
        "timestamp": ts,
        "publicKey": public_key,
        "valid": valid,
    }
    write(case, "context.json", json.dumps(ctx, indent=2) + "\n")
    write(case, "string-to-sign.txt", f"{client_id}|{ts}")
    write(case, "signature.txt", signature)


SPEC_BODY = b'{"originalReferenceNo":"TNICEQR08108202309122320370700","originalPartnerReferenceNo":"ncpy20221017161458","partnerRefundNo":"refund20240705101140","merchantId":"TNICEQR081","externalStoreId":"NicepayStoreID1","refundAmount":{"value":"10000.00","currency":"IDR"},"reason":"Refund Trans","additionalInfo":{"cancelType":"1"}}'

spec_transaction(
    "spec-hmac-qris-refund", "POST", "/nicepay/api/v1.0/qr/qr-mpm-refund", SPEC_BODY, "41807553358950093184",
    "HMAC vector from the spec section 4.2 (QRIS refund).",
    expected_sig="fkXE8cTi7Wg131Kr+pqhzIeAI7c2I6CdoTkM94mPxcOh1J8OEl4uTwEH1F7U75i0jAHMov74tn9tKmq9s2MWIg==",
    operation="qris.refund",
)

# The values exactly as the seed page gives them (only the camelCase names and the case of
# upper-case literals are restored). The page's originalReferenceNo looks like a merchant order id
# and its originalPartnerReferenceNo like a NICEPAY tXid (apparently swapped in the sample); they
# are opaque strings to the SDK, so they are kept as given (see README.md here).
SEED_BODY = compact({
    "originalReferenceNo": "ncpy20221017161458",
    "originalPartnerReferenceNo": "IONPAYTEST08202106091121206416",
    "partnerRefundNo": "ncpy20221017161458",
    "merchantId": "IONPAYTEST",
    "externalStoreId": "NICEPAY",
    "refundAmount": {"value": "10000.00", "currency": "IDR"},
    "reason": "Refund Trans",
    "additionalInfo": {"cancelType": "1"},
})
transaction(
    "seed-qris-refund", "IONPAYTESTSECRET", "POST", "/nicepay/api/v1.0/qr/qr-mpm-refund",
    "SEEDTESTACCESSTOKEN", "2024-12-31T10:11:40+07:00", SEED_BODY, "exid202402111402271707638098",
    "The seed document's sample refund request (shared/seeds), values as given there (camelCase restored), with a fake secret and token.",
    operation="qris.refund",
)

UNICODE_BODY = compact({
    "partnerReferenceNo": "ord/2024/07/05-001",
    "amount": {"value": "150000.00", "currency": "IDR"},
    "merchantId": "IONPAYTEST",
    "storeId": "NICEPAY",
    "additionalInfo": {
        "goodsNm": "Kopi Susu Gula Aren — ukuran besar ☕",
        "billingNm": "Budi \"Santoso\" \\ Jaya",
        "billingAddr": "Jl. Jend. Sudirman No. 1\nJakarta Pusat",
        "dbProcessUrl": "https://merchant.example/api/v1.0/qr/qr-mpm-notify",
        "cartData": "{\"count\":1,\"item\":[{\"goods_name\":\"Kopi\",\"goods_amt\":\"150000\"}]}",
        "mitraCd": "QSHP",
    },
})
transaction(
    "unicode-slash-escapes-qris-generate", "s3cr3t/with+symbols=", "POST", "/api/v1.0/qr/qr-mpm-generate",
    "TOKEN.with-dots_and~tilde", "2026-01-01T00:00:00+07:00", UNICODE_BODY, "00000000000000000000000000000001",
    "QRIS generate body with non-ASCII UTF-8, unescaped '/', escaped quotes, backslash and newline, and a JSON document inside a string.",
    operation="qris.generate",
)

VA_DELETE_BODY = b'{"partnerServiceId":"","customerNo":"","virtualAccountNo":"9912304000064562","trxId":"ord20240705","additionalInfo":{"totalAmount":{"value":"10000.00","currency":"IDR"},"tXidVA":"IONPAYTEST02202407051011406583","cancelMessage":"Cancel VA"}}'
spec_transaction(
    "delete-method-va", "DELETE", "/nicepay/api/v1.0/transfer-va/delete-va", VA_DELETE_BODY, "41807553358950093185",
    "VA delete: the DELETE method is what gets signed.",
    operation="va.delete",
)

spec_transaction(
    "va-create", "POST", "/nicepay/api/v1.0/transfer-va/create-va", compact({
        "partnerServiceId": "", "customerNo": "", "virtualAccountNo": "",
        "virtualAccountName": "Budi Santoso", "trxId": "ord20240705101140",
        "totalAmount": {"value": "10000.00", "currency": "IDR"},
        "additionalInfo": {"bankCd": "CENA", "goodsNm": "Kopi", "dbProcessUrl": "https://merchant.example/notify/va",
                           "vacctValidDt": "20240706", "vacctValidTm": "235959", "msId": "", "msFee": "", "msFeeType": "", "mbFee": "", "mbFeeType": ""},
    }), "41807553358950093186", "VA create with every documented additionalInfo key.", operation="va.create",
)
spec_transaction(
    "ewallet-payment-url-param-array", "POST", "/nicepay/api/v1.0/debit/payment-host-to-host", compact({
        "partnerReferenceNo": "ord20240705101141", "merchantId": "IONPAYTEST", "subMerchantId": "", "externalStoreId": "",
        "validUpTo": "", "pointOfInitiation": "Mobile App", "amount": {"value": "25000.00", "currency": "IDR"},
        "urlParam": [{"url": "https://merchant.example/notify/ewallet", "type": "PAY_NOTIFY", "isDeeplink": "N"},
                     {"url": "https://merchant.example/return", "type": "PAY_RETURN", "isDeeplink": "N"}],
        "additionalInfo": {"mitraCd": "DANA", "goodsNm": "Kopi", "billingNm": "Budi", "billingPhone": "08123456789",
                           "billingEmail": "budi@example.com", "dbProcessUrl": "https://merchant.example/notify/ewallet",
                           "callBackUrl": "https://merchant.example/return", "cartData": "{\"count\":1}"},
    }), "41807553358950093187", "E-wallet payment: urlParam is an array of objects.", operation="ewallet.payment",
)
spec_transaction(
    "payout-registration", "POST", "/nicepay/api/v1.0/transfer/registration", compact({
        "partnerReferenceNo": "payout20240705101142", "merchantId": "IONPAYTEST", "beneficiaryAccountNo": "5345000060",
        "beneficiaryName": "IONPAY NETWORKS", "beneficiaryPhone": "08123456789", "beneficiaryCustomerResidence": "1",
        "beneficiaryCustomerType": "1", "beneficiaryPostalCode": "123456", "beneficiaryBankCode": "CENA",
        "payoutMethod": "0", "description": "Payout test", "reservedDt": "", "reservedTm": "", "deliveryId": "",
        "deliveryName": "", "amount": {"value": "10000.00", "currency": "IDR"},
    }), "41807553358950093188", "Payout registration with the Kotlin SDK's deliveryName key.", operation="payout.registration",
)

spec_transaction(
    "account-binding", "POST", "/nicepay/api/v1.0/registration-account-binding", compact({
        "partnerReferenceNo": "bind20240705101143", "merchantId": "IONPAYTEST",
        "additionalData": {"userId": "Budi Santoso", "email": "budi@example.com", "phoneNo": "081234567890"},
        "additionalInfo": {"mitraCd": "ASTR", "callbackUrl": "https://merchant.example/binding/done"},
    }), "41807553358950093189", "E-wallet account binding (07), NICEPAY's documented fields.", operation="account.binding",
)
spec_transaction(
    "account-inquiry", "POST", "/nicepay/api/v1.0/registration-account-inquiry", compact({
        "partnerReferenceNo": "bind20240705101143",
        "additionalInfo": {"refreshToken": "57d21fe3-9f1b-4c1e-a1de-0c8b5d9f6a11", "mitraCd": "ASTR"},
    }), "41807553358950093190", "E-wallet binding inquiry (08) with the customer token's refresh token.", operation="account.inquiry",
)
spec_transaction(
    "account-unbinding", "POST", "/nicepay/api/v1.0/registration-account-unbinding", compact({
        "partnerReferenceNo": "bind20240705101143", "merchantId": "IONPAYTEST",
        "additionalInfo": {"referenceNo": "IONPAYTEST09202407051011430001", "mitraCd": "ASTR", "authCode": "a6975f82d00a4ddc9633"},
    }), "41807553358950093191", "E-wallet account unbinding (09) with the binding's referenceNo and auth code.", operation="account.unbinding",
)

token("rsa-token-pkcs8", "IONPAYTEST", "2024-07-05T10:11:40+07:00",
      "tests/keys/merchant-test-private-pkcs8.pem", "Token signature with the PKCS#8 PEM test key.")
token("rsa-token-pkcs1", "TNICEQR081", "2026-11-25T19:30:00+07:00",
      "tests/keys/merchant-test-private-pkcs1.pem", "Token signature with the PKCS#1 PEM test key (same key pair).")

SPEC_NOTIF_KEY = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEApizrKJl/1Legp3Zj8f0oTIjKnUWe2HJCBSoRsVLxtpf0Dr1MI+23y+AMNKKxVXxbvReZq/sD91uN4GFYMUr16LY9oX7nJXh9C1JlI4/Xb/Q9MF30o1XYvogHLATtvTR/KQ8hxrf6Nlj/yuzeqrT+PiQMZt1CaKiE6UMn36kq11DmDq4ocwcNhChKDudNZSZ4YYIFn5IgH05K+VsRjehpa0szbO8qHmvnprXVVcqvk7ZSS+6fYwDynOq0f552aL0LWX0glNhh9F0oJqmTreW4lM0mdhNDq4GhlJZl5IpaUiaGRM2Rz/t6spgwR7nqUhI9aE2kjzaorgP4ZWUGm3wlTwIDAQAB"
SPEC_NOTIF_SIG = "VoxMPjbcV9pro4YyHGQgoRj4rDVJgYk2Ecxn+95B90w47Wnabtco35BfhGpR7a5RukUNnAdeOEBNczSFk4B9uYyu3jc+ceX+Dvz5OYSgSnw5CiMHtGiVnTAqCM/yHZ2MRpIEqekBc4BWMLVtexSWp0YEJjLyo9dZPrSkSbyLVuD7jkUbvmEpVdvK0uK15xb8jueCcDA6LYVXHkq/OMggS1/5mrLNriBhCGLuR7M7hBUJbhpOXSJJEy7XyfItTBA+3MRC2FLcvUpMDrn/wz1uH1+b9A6FP7mG0bRSBOm2BTLyf+xJR5+cdd88RhF70tNQdQxhqr4okVo3IFqlCz2FFg=="
notification("spec-notification-va", "TNICEVA023", "2024-08-19T17:12:40+07:00", SPEC_NOTIF_KEY, SPEC_NOTIF_SIG, True,
             "Notification vector from the spec section 8.1 (Java SDK README / C# test), verified there with openssl.")
notification("spec-notification-wrong-timestamp", "TNICEVA023", "2024-08-19T17:12:41+07:00", SPEC_NOTIF_KEY, SPEC_NOTIF_SIG, False,
             "The spec notification signature with the timestamp moved by one second: must NOT verify.")

with open(os.path.join(REPO, "tests/keys/nicepay-notification-test-public.pem")) as f:
    test_pub = "".join(l.strip() for l in f if not l.startswith("-----"))
notification("test-key-notification-qris", "IONPAYTEST", "2026-11-25T19:30:00+07:00", test_pub,
             rsa_sign("tests/keys/nicepay-notification-test-private-pkcs8.pem", "IONPAYTEST|2026-11-25T19:30:00+07:00"), True,
             "Notification signed by openssl with the test notification key (what the simulator sends).")
# NIVA: NICEPAY calls the merchant, signing with the client secret the merchant issued to NICEPAY,
# over the merchant's path (with `/api`, no `/nicepay`). A token of the merchant's own issuing.
NIVA_INQUIRY = compact({
    "partnerServiceId": "   70014", "customerNo": "0001", "virtualAccountNo": "   700140001",
    "trxDateInit": "2024-07-05T10:11:40+07:00", "channelCode": 6011, "inquiryRequestId": "inq20240705101140",
    "additionalInfo": {"bankCd": "BMRI"},
})
transaction("niva-va-inquiry", "merchant-issued-secret", "POST", "/api/v1.0/transfer-va/inquiry",
            "bWVyY2hhbnQtaXNzdWVkLXRva2Vu", "2024-07-05T10:11:40+07:00", NIVA_INQUIRY, "41807553358950093192",
            "NIVA VA inquiry (24) as NICEPAY sends it to the merchant's server, under the merchant-issued secret.")
NIVA_PAYMENT = compact({
    "partnerServiceId": "   70014", "customerNo": "0001", "virtualAccountNo": "   700140001",
    "virtualAccountName": "Budi", "paymentRequestId": "pay20240705101141", "trxId": "IONPAYTEST02202407051011416583",
    "paidAmount": {"value": "150000.00", "currency": "IDR"}, "trxDateTime": "2024-07-05T10:11:41+07:00",
    "additionalInfo": {"bankCd": "BMRI"},
})
transaction("niva-va-payment", "merchant-issued-secret", "POST", "/api/v1.0/transfer-va/payment",
            "bWVyY2hhbnQtaXNzdWVkLXRva2Vu", "2024-07-05T10:11:41+07:00", NIVA_PAYMENT, "41807553358950093193",
            "NIVA VA payment (25) as NICEPAY sends it to the merchant's server, under the merchant-issued secret.")
notification("payout-notification", "IONPAYTEST", "2026-11-25T19:31:00+07:00", test_pub,
             rsa_sign("tests/keys/nicepay-notification-test-private-pkcs8.pem", "IONPAYTEST|2026-11-25T19:31:00+07:00"), True,
             "Payout result notification signed by openssl with the test notification key (what the simulator sends).")
write("payout-notification", "body.json", compact({
    "originalReferenceNo": "IONPAYTEST07202611251930001234", "originalPartnerReferenceNo": "payout20261125193000",
    "merchantId": "IONPAYTEST", "beneficiaryAccountNo": "5345000060", "amount": {"value": "10000.00", "currency": "IDR"},
    "latestTransactionStatus": "00", "transactionStatusDesc": "Success", "additionalInfo": {"bankCd": "CENA"},
}))
print("vectors written")
