"""Typed shapes of the request and response dicts of the NICEPAY SNAP clients.

These ``TypedDict`` classes describe the dicts that ``Client`` and ``AsyncClient`` accept as
requests and return as responses. Keys are NICEPAY's camelCase JSON names, exactly as sent on the
wire (including the odd ones: ``userIP``, ``tXidVA``, ``externalStoreID``, ``beneficiaryPOE``,
``type``). They are for type checkers only: calling a class builds a plain dict, e.g.
``Amount(value="10000.00", currency="IDR")`` is ``{"value": "10000.00", "currency": "IDR"}``.

Responses (and the ``"notification"`` dict of ``verify_and_confirm``) are re-encoded from the Rust
core's typed structs, so they always carry every declared key (``None`` when NICEPAY omitted the
field), except the few keys declared in a ``total=False`` part, which are left out when absent.
They may also carry undeclared keys that NICEPAY added; those are passed through unchanged.
``verify_notification`` returns the raw notification body, which need not have every key.

``OPERATION_TYPES`` maps every operation name accepted by ``Client.execute`` to its
``(request, response)`` classes.
"""

from typing import Any, Dict, List, Optional, Tuple, TypedDict

# --------------------------------------------------------------------------------------------------
# Shared
# --------------------------------------------------------------------------------------------------


class Amount(TypedDict):
    """A SNAP amount object, e.g. ``{"value": "10000.00", "currency": "IDR"}``."""

    #: 1 to 9 integer digits without leading zeros, ``.``, exactly two decimals (``"10000.00"``).
    value: str
    #: Always ``"IDR"``.
    currency: str


# --------------------------------------------------------------------------------------------------
# QRIS
# --------------------------------------------------------------------------------------------------


class QrisGenerateAdditionalInfo(TypedDict, total=False):
    """``additionalInfo`` of a QRIS generate request. Unknown keys are kept (not declared here)."""

    goodsNm: Optional[str]
    billingNm: Optional[str]
    billingPhone: Optional[str]
    billingEmail: Optional[str]
    billingAddr: Optional[str]
    billingCity: Optional[str]
    billingState: Optional[str]
    billingPostCd: Optional[str]
    billingCountry: Optional[str]
    #: Where the customer's browser is sent back to.
    callBackUrl: Optional[str]
    #: Where NICEPAY posts the payment notification (http(s) URL).
    dbProcessUrl: Optional[str]
    userIP: Optional[str]
    #: A JSON document encoded as a string.
    cartData: Optional[str]
    #: QRIS acquirer: ``QSHP``, ``NOBU`` or ``NICE``.
    mitraCd: Optional[str]
    msId: Optional[str]
    msFee: Optional[str]
    msFeeType: Optional[str]
    mbFee: Optional[str]
    mbFeeType: Optional[str]


class _QrisGenerateRequestBase(TypedDict):
    """Required keys of ``QrisGenerateRequest``."""

    #: Merchant order id, max 40 characters.
    partnerReferenceNo: str
    amount: Amount
    #: iMid, max 10 characters.
    merchantId: str
    storeId: str
    additionalInfo: QrisGenerateAdditionalInfo


class QrisGenerateRequest(_QrisGenerateRequestBase, total=False):
    """``POST /api/v1.0/qr/qr-mpm-generate`` request body (operation ``qris.generate``)."""

    subMerchantId: Optional[str]
    #: ISO-8601 end of validity; the official SDKs send ``""``.
    validityPeriod: Optional[str]


class QrisGenerateResponse(TypedDict):
    """Response of QRIS generate (``2004700``). Unknown keys are kept (not declared here)."""

    responseCode: str
    responseMessage: str
    #: NICEPAY transaction id (tXid).
    referenceNo: Optional[str]
    partnerReferenceNo: Optional[str]
    #: EMV QR payload to render.
    qrContent: Optional[str]
    qrUrl: Optional[str]
    additionalInfo: Optional[Dict[str, Any]]


class QrisQueryRequest(TypedDict):
    """``POST /api/v1.0/qr/qr-mpm-query`` request body (operation ``qris.query``)."""

    #: tXid from generate.
    originalReferenceNo: str
    #: Merchant order id.
    originalPartnerReferenceNo: str
    merchantId: str
    #: Store id (V2 ``storeCd``).
    externalStoreId: str
    #: Two digits; ``"47"`` by default (the Kotlin SDK sends ``"51"``).
    serviceCode: str
    #: Usually ``{}``.
    additionalInfo: Dict[str, Any]


class QrisQueryResponse(TypedDict):
    """Response of QRIS query (``2005100``). Unknown keys are kept (not declared here)."""

    responseCode: str
    responseMessage: str
    originalReferenceNo: Optional[str]
    originalPartnerReferenceNo: Optional[str]
    serviceCode: Optional[str]
    #: ``00`` success, ``03`` pending, ``04`` refunded, ``05`` canceled, ``06`` failed, ...
    latestTransactionStatus: Optional[str]
    transactionStatusDesc: Optional[str]
    amount: Optional[Amount]
    additionalInfo: Optional[Dict[str, Any]]


class QrisRefundAdditionalInfo(TypedDict):
    """``additionalInfo`` of a QRIS refund request. Unknown keys are kept (not declared here)."""

    #: ``"1"`` in every official SDK (V2: ``1`` full, ``2`` partial).
    cancelType: str


class QrisRefundRequest(TypedDict):
    """``POST /api/v1.0/qr/qr-mpm-refund`` request body (operation ``qris.refund``)."""

    #: tXid of the paid QRIS transaction.
    originalReferenceNo: str
    #: Merchant order id.
    originalPartnerReferenceNo: str
    #: Merchant refund reference; keep it stable across retries.
    partnerRefundNo: str
    merchantId: str
    externalStoreId: str
    refundAmount: Amount
    reason: str
    additionalInfo: QrisRefundAdditionalInfo


class QrisRefundResponseAdditionalInfo(TypedDict, total=False):
    """``additionalInfo`` of a QRIS refund response. Unknown keys are kept (not declared here)."""

    #: Cancel transaction serial number (left out when NICEPAY did not send it).
    cancelTrxSn: str


class QrisRefundResponse(TypedDict):
    """Response of QRIS refund (``2007800``). Unknown keys are kept (not declared here)."""

    responseCode: str
    responseMessage: str
    originalReferenceNo: Optional[str]
    originalPartnerReferenceNo: Optional[str]
    #: NICEPAY's refund transaction id.
    referenceNo: Optional[str]
    partnerRefundNo: Optional[str]
    refundAmount: Optional[Amount]
    #: ISO-8601 refund time.
    refundTime: Optional[str]
    additionalInfo: Optional[QrisRefundResponseAdditionalInfo]


class _QrisNotificationBase(TypedDict):
    """Required keys of ``QrisNotification``."""

    originalReferenceNo: Optional[str]
    originalPartnerReferenceNo: Optional[str]
    #: ``00`` success, ``05`` canceled, ...
    latestTransactionStatus: Optional[str]
    transactionStatusDesc: Optional[str]
    amount: Optional[Amount]
    #: Note the capital ``ID``.
    externalStoreID: Optional[str]


class QrisNotification(_QrisNotificationBase, total=False):
    """QRIS payment notification body (service 52). Unknown keys are kept (not declared here)."""

    #: Payment time (left out when NICEPAY did not send it).
    transactionDateTime: str
    additionalInfo: Dict[str, Any]


# --------------------------------------------------------------------------------------------------
# Virtual Account
# --------------------------------------------------------------------------------------------------


class _VaCreateAdditionalInfoBase(TypedDict):
    """Required keys of ``VaCreateAdditionalInfo``."""

    #: Bank code: ``BMRI``, ``BRIN``, ``CENA``, ``BBBA``, ``BNIA``, ... (max 4).
    bankCd: str


class VaCreateAdditionalInfo(_VaCreateAdditionalInfoBase, total=False):
    """``additionalInfo`` of a VA create request. Unknown keys are kept (not declared here)."""

    goodsNm: Optional[str]
    #: Where NICEPAY posts the paid notification.
    dbProcessUrl: Optional[str]
    #: Expiry date ``YYYYMMDD`` (or ``""``).
    vacctValidDt: Optional[str]
    #: Expiry time ``HHmmss`` (or ``""``).
    vacctValidTm: Optional[str]
    msId: Optional[str]
    msFee: Optional[str]
    msFeeType: Optional[str]
    mbFee: Optional[str]
    mbFeeType: Optional[str]


class VaCreateRequest(TypedDict):
    """``POST /api/v1.0/transfer-va/create-va`` request body (operation ``va.create``)."""

    #: ``""`` for a normal VA.
    partnerServiceId: str
    #: ``""`` for a normal VA; the fixed VA id otherwise.
    customerNo: str
    #: ``""`` lets NICEPAY generate the number.
    virtualAccountNo: str
    #: Customer name.
    virtualAccountName: str
    #: Merchant order id.
    trxId: str
    totalAmount: Amount
    additionalInfo: VaCreateAdditionalInfo


class VaData(TypedDict):
    """``virtualAccountData`` of VA responses. Unknown keys are kept (not declared here)."""

    partnerServiceId: Optional[str]
    customerNo: Optional[str]
    #: The VA number the customer pays to.
    virtualAccountNo: Optional[str]
    virtualAccountName: Optional[str]
    trxId: Optional[str]
    totalAmount: Optional[Amount]
    #: ``bankCd``, ``tXidVA``, ``vacctValidDt``, ``latestTransactionStatus``, ...
    additionalInfo: Optional[Dict[str, Any]]


class VaCreateResponse(TypedDict):
    """Response of VA create (``2002700``). Unknown keys are kept (not declared here)."""

    responseCode: str
    responseMessage: str
    virtualAccountData: Optional[VaData]


class VaStatusAdditionalInfo(TypedDict):
    """``additionalInfo`` of a VA status request. Unknown keys are kept (not declared here)."""

    totalAmount: Amount
    #: Merchant order id.
    trxId: str
    #: NICEPAY's VA transaction id.
    tXidVA: str


class VaStatusRequest(TypedDict):
    """``POST /api/v1.0/transfer-va/status`` request body (operation ``va.status``)."""

    partnerServiceId: str
    customerNo: str
    virtualAccountNo: str
    #: Inquiry id (NICEPAY: the ``X-EXTERNAL-ID`` value), max 128.
    inquiryRequestId: str
    additionalInfo: VaStatusAdditionalInfo


class VaStatusResponse(TypedDict):
    """Response of VA status (``2002600``). Unknown keys are kept (not declared here)."""

    responseCode: str
    responseMessage: str
    #: The VA; its ``additionalInfo`` usually holds ``latestTransactionStatus``.
    virtualAccountData: Optional[VaData]
    additionalInfo: Optional[Dict[str, Any]]


class VaDeleteAdditionalInfo(TypedDict):
    """``additionalInfo`` of a VA delete request. Unknown keys are kept (not declared here)."""

    totalAmount: Amount
    #: NICEPAY's VA transaction id.
    tXidVA: str
    #: Why it is cancelled, max 255.
    cancelMessage: str


class VaDeleteRequest(TypedDict):
    """``DELETE /api/v1.0/transfer-va/delete-va`` request body (operation ``va.delete``)."""

    partnerServiceId: str
    #: Mandatory for a fixed VA.
    customerNo: str
    virtualAccountNo: str
    trxId: str
    additionalInfo: VaDeleteAdditionalInfo


class VaDeleteResponse(TypedDict):
    """Response of VA delete (``2003100``). Unknown keys are kept (not declared here)."""

    responseCode: str
    responseMessage: str
    virtualAccountData: Optional[VaData]


class _VaNotificationBase(TypedDict):
    """Required keys of ``VaNotification``."""

    partnerServiceId: Optional[str]
    customerNo: Optional[str]
    virtualAccountNo: Optional[str]
    virtualAccountName: Optional[str]
    trxId: Optional[str]
    #: NICEPAY payment id.
    paymentRequestId: Optional[str]
    paidAmount: Optional[Amount]
    trxDateTime: Optional[str]


class VaNotification(_VaNotificationBase, total=False):
    """VA paid notification body (service 25). Unknown keys are kept (not declared here)."""

    #: ``tXidVA``, ``bankCd``, ... (left out when NICEPAY did not send it).
    additionalInfo: Dict[str, Any]


# --------------------------------------------------------------------------------------------------
# E-wallet
# --------------------------------------------------------------------------------------------------


class UrlParam(TypedDict):
    """One ``urlParam`` entry of an e-wallet payment request."""

    url: str
    #: ``PAY_NOTIFY`` (notification) or ``PAY_RETURN`` (customer return).
    type: str
    #: ``"Y"`` or ``"N"``.
    isDeeplink: str


class _EwalletPaymentAdditionalInfoBase(TypedDict):
    """Required keys of ``EwalletPaymentAdditionalInfo``."""

    #: Wallet: ``DANA``, ``ESHP`` (ShopeePay), ``LINK`` (LinkAja), ``OVOE`` (OVO).
    mitraCd: str


class EwalletPaymentAdditionalInfo(_EwalletPaymentAdditionalInfoBase, total=False):
    """``additionalInfo`` of an e-wallet payment request. Unknown keys are kept (not declared here)."""

    goodsNm: Optional[str]
    billingNm: Optional[str]
    billingPhone: Optional[str]
    billingEmail: Optional[str]
    #: Where NICEPAY posts the notification.
    dbProcessUrl: Optional[str]
    callBackUrl: Optional[str]
    #: A JSON document encoded as a string.
    cartData: Optional[str]
    msId: Optional[str]
    msFee: Optional[str]
    msFeeType: Optional[str]
    mbFee: Optional[str]
    mbFeeType: Optional[str]


class EwalletPaymentRequest(TypedDict):
    """``POST /api/v1.0/debit/payment-host-to-host`` request body (operation ``ewallet.payment``)."""

    #: Merchant order id.
    partnerReferenceNo: str
    merchantId: str
    #: Usually ``""``.
    subMerchantId: str
    #: Usually ``""``.
    externalStoreId: str
    #: Usually ``""``.
    validUpTo: str
    #: e.g. ``"Mobile App"``.
    pointOfInitiation: str
    amount: Amount
    #: A list of URL entries (not a single object).
    urlParam: List[UrlParam]
    additionalInfo: EwalletPaymentAdditionalInfo


class EwalletPaymentResponse(TypedDict):
    """Response of e-wallet payment (``2005400``). Unknown keys are kept (not declared here)."""

    responseCode: str
    responseMessage: str
    partnerReferenceNo: Optional[str]
    #: NICEPAY transaction id (tXid).
    referenceNo: Optional[str]
    #: Where the customer approves the payment.
    webRedirectUrl: Optional[str]
    appRedirectUrl: Optional[str]
    additionalInfo: Optional[Dict[str, Any]]


class EwalletStatusRequest(TypedDict):
    """``POST /api/v1.0/debit/status`` request body (operation ``ewallet.status``)."""

    merchantId: str
    #: Usually ``""``.
    subMerchantId: str
    #: Merchant order id.
    originalPartnerReferenceNo: str
    #: tXid.
    originalReferenceNo: str
    #: ``"54"``: the service code of the original payment.
    serviceCode: str
    #: ``yyyy-MM-ddTHH:mm:ss+07:00``.
    transactionDate: str
    #: Usually ``""``.
    externalStoreId: str
    amount: Amount
    #: Usually ``{}``.
    additionalInfo: Dict[str, Any]


class EwalletStatusResponse(TypedDict):
    """Response of e-wallet status (``2005500``). Unknown keys are kept (not declared here)."""

    responseCode: str
    responseMessage: str
    originalReferenceNo: Optional[str]
    originalPartnerReferenceNo: Optional[str]
    serviceCode: Optional[str]
    #: ``00`` success, ``01`` initiated, ``03`` pending, ``04`` refunded, ``05`` canceled, ``06`` failed.
    latestTransactionStatus: Optional[str]
    transactionStatusDesc: Optional[str]
    transAmount: Optional[Amount]
    amount: Optional[Amount]
    additionalInfo: Optional[Dict[str, Any]]


class EwalletRefundAdditionalInfo(TypedDict):
    """``additionalInfo`` of an e-wallet refund request. Unknown keys are kept (not declared here)."""

    #: ``"1"`` in the official SDKs.
    refundType: str


class EwalletRefundRequest(TypedDict):
    """``POST /api/v1.0/debit/refund`` request body (operation ``ewallet.refund``)."""

    merchantId: str
    #: Usually ``""``.
    subMerchantId: str
    originalPartnerReferenceNo: str
    #: tXid.
    originalReferenceNo: str
    #: Merchant refund reference; keep it stable across retries.
    partnerRefundNo: str
    #: Usually ``""``.
    externalStoreId: str
    refundAmount: Amount
    reason: str
    additionalInfo: EwalletRefundAdditionalInfo


class EwalletRefundResponse(TypedDict):
    """Response of e-wallet refund (``2005800``). Unknown keys are kept (not declared here)."""

    responseCode: str
    responseMessage: str
    originalReferenceNo: Optional[str]
    originalPartnerReferenceNo: Optional[str]
    #: NICEPAY's refund id.
    refundNo: Optional[str]
    partnerRefundNo: Optional[str]
    refundAmount: Optional[Amount]
    refundTime: Optional[str]
    additionalInfo: Optional[Dict[str, Any]]


class _EwalletNotificationBase(TypedDict):
    """Required keys of ``EwalletNotification``."""

    originalReferenceNo: Optional[str]
    originalPartnerReferenceNo: Optional[str]
    #: Note the capital ``ID``.
    externalStoreID: Optional[str]
    amount: Optional[Amount]
    latestTransactionStatus: Optional[str]
    transactionStatusDesc: Optional[str]


class EwalletNotification(_EwalletNotificationBase, total=False):
    """E-wallet payment notification body (service 56). Unknown keys are kept (not declared here)."""

    #: Left out when NICEPAY did not send it.
    additionalInfo: Dict[str, Any]


# --------------------------------------------------------------------------------------------------
# Payout
# --------------------------------------------------------------------------------------------------


class _PayoutRegistrationRequestBase(TypedDict):
    """Required keys of ``PayoutRegistrationRequest``."""

    #: Merchant payout reference, max 40.
    partnerReferenceNo: str
    merchantId: str
    #: Destination account number, max 25.
    beneficiaryAccountNo: str
    #: Account holder name, max 100.
    beneficiaryName: str
    #: Max 20.
    beneficiaryPhone: str
    #: ``"1"`` resident (WNI), ``"2"`` non-resident.
    beneficiaryCustomerResidence: str
    #: ``"1"`` personal, ``"2"`` company, ``"3"`` government.
    beneficiaryCustomerType: str
    beneficiaryPostalCode: str
    #: e.g. ``BNIA``, ``CENA``, ``BDIN``, ``BMRI``, ``BBBA``.
    beneficiaryBankCode: str
    #: ``"0"`` overbooking, ``"1"`` online, ``"2"`` SKN, ``"3"`` RTGS, ``"4"`` cashout.
    payoutMethod: str
    #: Scheduled date ``YYYYMMDD`` (or ``""``).
    reservedDt: str
    #: Scheduled time ``HHmmss`` (or ``""``).
    reservedTm: str
    deliveryId: str
    amount: Amount


class PayoutRegistrationRequest(_PayoutRegistrationRequestBase, total=False):
    """``POST /api/v1.0/transfer/registration`` request body (operation ``payout.registration``).

    Unknown keys are kept (not declared here).
    """

    msId: Optional[str]
    description: Optional[str]
    #: Delivery name as the Kotlin SDK sends it; set this, ``deliveryNm`` or both.
    deliveryName: Optional[str]
    #: Delivery name as the Python SDK sends it.
    deliveryNm: Optional[str]
    beneficiaryPOE: Optional[str]
    beneficiaryDOE: Optional[str]
    beneficiaryCoNo: Optional[str]
    beneficiaryAddress: Optional[str]
    beneficiaryAuthPhoneNumber: Optional[str]
    beneficiaryMerCategory: Optional[str]
    beneficiaryCoMgmtName: Optional[str]
    beneficiaryCoShName: Optional[str]


class PayoutRegistrationResponse(TypedDict):
    """Response of payout registration (``2000000``). Unknown keys are kept (not declared here)."""

    responseCode: str
    responseMessage: str
    partnerReferenceNo: Optional[str]
    #: NICEPAY payout id (tXid): needed to approve, reject, cancel or query.
    referenceNo: Optional[str]
    transactionStatus: Optional[str]


class _PayoutReferenceBase(TypedDict):
    """Required keys of ``PayoutReference``."""

    #: NICEPAY payout id (tXid) from registration.
    originalReferenceNo: str
    #: The merchant reference used at registration.
    originalPartnerReferenceNo: str
    merchantId: str


class PayoutReference(_PayoutReferenceBase, total=False):
    """Body of ``POST /api/v1.0/transfer/{approve,inquiry,cancel,reject}``: identifies one payout."""

    #: Required by inquiry (also sent on reject by the Kotlin SDK).
    beneficiaryAccountNo: Optional[str]


class PayoutResponse(TypedDict):
    """Response of payout approve/inquiry/cancel/reject (``2000000``).

    Unknown keys are kept (not declared here).
    """

    responseCode: str
    responseMessage: str
    originalPartnerReferenceNo: Optional[str]
    #: tXid.
    originalReferenceNo: Optional[str]
    beneficiaryAccountNo: Optional[str]
    beneficiaryName: Optional[str]
    beneficiaryBankCode: Optional[str]
    amount: Optional[Amount]
    #: ``00`` success, ``03`` pending, ``04`` canceled, ``05`` rejected, ``08`` suspect, ``09`` failed.
    transactionStatus: Optional[str]
    #: Some responses carry the status under this name instead.
    latestTransactionStatus: Optional[str]


class BalanceInquiryAdditionalInfo(TypedDict):
    """``additionalInfo`` of a balance inquiry request. Unknown keys are kept (not declared here)."""

    #: Marketplace id (may be ``""``).
    msId: str


class BalanceInquiryRequest(TypedDict):
    """``POST /api/v1.0/balance-inquiry`` request body (operation ``payout.balance``)."""

    #: The iMid (Kotlin SDK) or ``""`` (Python SDK).
    accountNo: str
    additionalInfo: BalanceInquiryAdditionalInfo


class AccountInfo(TypedDict):
    """One ``accountInfos`` entry of a balance inquiry response. Unknown keys are kept (not declared here)."""

    availableBalance: Optional[Amount]


class BalanceInquiryResponse(TypedDict):
    """Response of balance inquiry (``2001100``). Unknown keys are kept (not declared here)."""

    responseCode: str
    responseMessage: str
    accountNo: Optional[str]
    #: Empty list when NICEPAY sent no balances.
    accountInfos: List[AccountInfo]


# --------------------------------------------------------------------------------------------------
# Access token
# --------------------------------------------------------------------------------------------------


class AccessTokenRequest(TypedDict):
    """``POST /v1.0/access-token/b2b`` request body (sent by the clients themselves)."""

    #: Always ``"client_credentials"``.
    grantType: str
    #: Always ``{}``.
    additionalInfo: Dict[str, Any]


class AccessTokenResponse(TypedDict):
    """Successful access-token response (``2007300``). Unknown keys are kept (not declared here)."""

    responseCode: str
    responseMessage: str
    #: The token: a secret, never log it.
    accessToken: str
    #: ``"Bearer"``.
    tokenType: Optional[str]
    #: Lifetime in seconds, as a string (``"900"``).
    expiresIn: Optional[str]


# --------------------------------------------------------------------------------------------------
# verify_and_confirm results
# --------------------------------------------------------------------------------------------------


class QrisConfirmation(TypedDict):
    """``verify_and_confirm(product="qris", ...)``: the verified notification and the query."""

    notification: QrisNotification
    #: The QRIS status query made to confirm the notification.
    status: QrisQueryResponse
    #: ``True`` only when the query says the payment succeeded: fulfil the order only then.
    paid: bool


class VaConfirmation(TypedDict):
    """``verify_and_confirm(product="va", ...)``: the verified notification and the query."""

    notification: VaNotification
    #: The VA status inquiry made to confirm the notification.
    status: VaStatusResponse
    #: ``True`` only when the inquiry says the VA was paid: fulfil the order only then.
    paid: bool


class EwalletConfirmation(TypedDict):
    """``verify_and_confirm(product="ewallet", ...)``: the verified notification and the query."""

    notification: EwalletNotification
    #: The e-wallet status query made to confirm the notification.
    status: EwalletStatusResponse
    #: ``True`` only when the query says the payment succeeded: fulfil the order only then.
    paid: bool


# --------------------------------------------------------------------------------------------------
# Observability
# --------------------------------------------------------------------------------------------------


class Exchange(TypedDict):
    """One HTTP exchange a client made, as passed to its ``on_exchange`` callback. No secrets."""

    #: ``"access-token"`` or the operation name (``"qris.refund"``, ``"va.create"``, ...).
    operation: str
    #: ``"POST"`` or ``"DELETE"``.
    method: str
    #: The signed path (without ``/nicepay``).
    path: str
    #: The request's ``X-EXTERNAL-ID`` (``None`` for the access-token request).
    external_id: Optional[str]
    #: 1, or 2 and up for byte-identical resends of a request that was certainly not delivered.
    attempt: int
    elapsed_ms: float
    #: ``None`` when no response arrived.
    http_status: Optional[int]
    #: The SNAP ``responseCode`` of the response body, when it had one.
    response_code: Optional[str]
    #: ``"connect"`` (certainly not delivered), ``"timeout"``, ``"io"``, ``"body_too_large"`` or
    #: ``"other"`` (may have been applied); ``None`` when a response arrived.
    transport_error: Optional[str]


# --------------------------------------------------------------------------------------------------
# Operations
# --------------------------------------------------------------------------------------------------

OPERATION_TYPES: Dict[str, Tuple[type, type]] = {
    "qris.generate": (QrisGenerateRequest, QrisGenerateResponse),
    "qris.query": (QrisQueryRequest, QrisQueryResponse),
    "qris.refund": (QrisRefundRequest, QrisRefundResponse),
    "va.create": (VaCreateRequest, VaCreateResponse),
    "va.status": (VaStatusRequest, VaStatusResponse),
    "va.delete": (VaDeleteRequest, VaDeleteResponse),
    "ewallet.payment": (EwalletPaymentRequest, EwalletPaymentResponse),
    "ewallet.status": (EwalletStatusRequest, EwalletStatusResponse),
    "ewallet.refund": (EwalletRefundRequest, EwalletRefundResponse),
    "payout.registration": (PayoutRegistrationRequest, PayoutRegistrationResponse),
    "payout.approve": (PayoutReference, PayoutResponse),
    "payout.inquiry": (PayoutReference, PayoutResponse),
    "payout.cancel": (PayoutReference, PayoutResponse),
    "payout.reject": (PayoutReference, PayoutResponse),
    "payout.balance": (BalanceInquiryRequest, BalanceInquiryResponse),
}
"""Operation name (as accepted by ``Client.execute``) to its ``(request, response)`` classes."""

__all__ = [
    "AccessTokenRequest",
    "AccessTokenResponse",
    "AccountInfo",
    "Amount",
    "BalanceInquiryAdditionalInfo",
    "BalanceInquiryRequest",
    "BalanceInquiryResponse",
    "EwalletConfirmation",
    "EwalletNotification",
    "EwalletPaymentAdditionalInfo",
    "EwalletPaymentRequest",
    "EwalletPaymentResponse",
    "EwalletRefundAdditionalInfo",
    "EwalletRefundRequest",
    "EwalletRefundResponse",
    "EwalletStatusRequest",
    "EwalletStatusResponse",
    "Exchange",
    "OPERATION_TYPES",
    "PayoutReference",
    "PayoutRegistrationRequest",
    "PayoutRegistrationResponse",
    "PayoutResponse",
    "QrisConfirmation",
    "QrisGenerateAdditionalInfo",
    "QrisGenerateRequest",
    "QrisGenerateResponse",
    "QrisNotification",
    "QrisQueryRequest",
    "QrisQueryResponse",
    "QrisRefundAdditionalInfo",
    "QrisRefundRequest",
    "QrisRefundResponse",
    "QrisRefundResponseAdditionalInfo",
    "UrlParam",
    "VaConfirmation",
    "VaCreateAdditionalInfo",
    "VaCreateRequest",
    "VaCreateResponse",
    "VaData",
    "VaDeleteAdditionalInfo",
    "VaDeleteRequest",
    "VaDeleteResponse",
    "VaNotification",
    "VaStatusAdditionalInfo",
    "VaStatusRequest",
    "VaStatusResponse",
]
