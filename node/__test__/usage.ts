// Type-checked (never run) by `npm run typecheck`: proves the generated index.d.ts is usable
// from TypeScript, including the error properties documented in the README.
import { readFileSync } from 'node:fs'

import {
  Client,
  PrivateKey,
  PublicKey,
  verifyNotificationRequest,
  bodySha256Hex,
  minifyJson,
  normalizeTimestamp,
  signTokenRequest,
  signTransaction,
  signedPath,
  timestampNow,
  tokenStringToSign,
  transactionStringToSign,
  verifyNotification,
  version,
  type Amount,
  type Exchange,
  type NicepayErrorFields,
  type PayoutReference,
  type QrisGenerateRequest,
  type QrisQueryResponse,
  type SignTransactionOptions,
} from '../index.js'

const body: Buffer = readFileSync('body.json')
const options: SignTransactionOptions = {
  clientSecret: process.env.NICEPAY_CLIENT_SECRET ?? '',
  method: 'POST',
  path: '/nicepay/api/v1.0/qr/qr-mpm-refund',
  accessToken: 'token',
  body,
  timestamp: timestampNow(),
}
const signature: string = signTransaction(options)
const sts: string = transactionStringToSign({ ...options, body: body.toString('utf8') })
const hash: string = bodySha256Hex('{}')
const minified: string | Buffer = minifyJson(body)
const path: string = signedPath('/nicepay/api/v1.0/qr/qr-mpm-refund')
const ts: string = normalizeTimestamp('2024-07-05T03:11:40Z')
const tokenSts: string = tokenStringToSign({ clientId: 'IONPAYTEST', timestamp: ts })
const tokenSig: string = signTokenRequest({ privateKey: '-----BEGIN PRIVATE KEY-----...', clientId: 'IONPAYTEST', timestamp: ts })
const ok: boolean = verifyNotification({ publicKey: 'MIIB...', clientId: 'IONPAYTEST', timestamp: ts, signature: tokenSig })
const v: string = version()

try {
  signTransaction({ ...options, method: 'GET' })
} catch (e) {
  const err = e as Error & { code?: string; field?: string }
  if (err.code === 'ERR_NICEPAY_INVALID_INPUT') console.error(err.field, err.message)
}

// @ts-expect-error: a body must be a string or a Buffer
signTransaction({ ...options, body: 42 })
// @ts-expect-error: clientSecret is required
signTransaction({ method: 'POST', path: '/x', accessToken: 't', body: '', timestamp: ts })

export { signature, sts, hash, minified, path, tokenSts, ok, v }

// The async client.
async function clientUsage(): Promise<void> {
  const client = new Client({
    clientId: 'IONPAYTEST',
    clientSecret: 'secret',
    privateKey: '-----BEGIN PRIVATE KEY-----...',
    baseUrl: 'http://127.0.0.1:8080',
    timeoutMs: 10_000,
    onExchange: (e: Exchange) => console.log(e.operation, e.externalId, e.attempt, e.httpStatus ?? e.transportError, e.elapsedMs),
  })
  // @ts-expect-error: onExchange receives an Exchange, not a string
  new Client({ clientId: 'IONPAYTEST', clientSecret: 's', privateKey: 'k', onExchange: (e: string) => e.length })
  const fromEnv: Client = Client.fromEnv({ environment: 'sandbox' })
  const token: string = await client.accessToken()
  const generateRequest: QrisGenerateRequest = {
    partnerReferenceNo: 'ord1',
    amount: { value: '1.00', currency: 'IDR' },
    merchantId: 'IONPAYTEST',
    storeId: 'NicepayStoreID1',
    additionalInfo: { goodsNm: 'Coffee', dbProcessUrl: 'https://shop.example/notify' },
  }
  const generated = await client.qrisGenerate(generateRequest)
  const referenceNo: string = generated.referenceNo ?? ''
  const qrContent: string | null = generated.qrContent
  const query = { originalReferenceNo: referenceNo, originalPartnerReferenceNo: 'ord1', merchantId: 'IONPAYTEST', externalStoreId: 'NicepayStoreID1' }
  const status: QrisQueryResponse = await client.qrisQuery({ ...query, serviceCode: '47', additionalInfo: {} })
  await client.execute('qris.refund', { partnerRefundNo: 'r1' })
  const refund = { ...query, partnerRefundNo: 'r1', refundAmount: { value: '1.00', currency: 'IDR' }, reason: 'Customer request', additionalInfo: { cancelType: '1' } }
  try {
    await client.qrisRefund(refund)
  } catch (e) {
    const err = e as Error & NicepayErrorFields
    if (err.code === 'ERR_NICEPAY_API') console.error(err.httpStatus, err.responseCode, err.responseMessage)
    if (err.code === 'ERR_NICEPAY_OUTCOME_UNKNOWN') console.error(err.operation, err.identifiers?.partnerRefundNo)
    // @ts-expect-error: codes are a closed union
    if (err.code === 'ERR_SOMETHING_ELSE') console.error('never')
  }
  console.log(qrContent, status.latestTransactionStatus)
  // The payload interfaces catch what the SNAP server would reject:
  // @ts-expect-error: a misspelt key
  await client.qrisGenerate({ ...generateRequest, storeID: 'NicepayStoreID1' })
  // @ts-expect-error: a required key is missing
  await client.qrisRefund({ ...refund, refundAmount: undefined })
  // @ts-expect-error: amounts are strings ("10000.00"), not numbers
  await client.qrisGenerate({ ...generateRequest, amount: { value: 10000, currency: 'IDR' } })
  // @ts-expect-error: a response field that does not exist
  console.log(generated.qrContentt)
  // @ts-expect-error: response fields NICEPAY may omit are nullable
  const notNull: string = generated.qrContent
  console.log(notNull)
  // In an Express handler with express.raw({ type: 'application/json' }):
  const req = { headers: { 'x-timestamp': 't', 'x-signature': 's' } as Record<string, string | string[] | undefined>, body: Buffer.from('{}') }
  const notification = client.verifyNotification(req.headers, req.body)
  const again = verifyNotificationRequest({ publicKey: 'MIIB...', clientId: 'IONPAYTEST', maxSkewSeconds: 300 }, req.headers, req.body)
  console.log(token, fromEnv.clientId, notification, again)
  // @ts-expect-error: the options object is required
  new Client()
}

export { clientUsage }

// Parsed keys.
const privateKey = new PrivateKey('-----BEGIN PRIVATE KEY-----...')
const publicKey: PublicKey = privateKey.publicKey()
const sig2: string = signTokenRequest({ privateKey, clientId: 'IONPAYTEST', timestamp: '2024-07-05T10:11:40+07:00' })
const ok2: boolean = verifyNotification({ publicKey, clientId: 'IONPAYTEST', timestamp: '2024-07-05T10:11:40+07:00', signature: sig2 })
const pem: string = publicKey.toPem()
export { ok2, pem }

async function confirmUsage(client: Client, headers: Record<string, string | string[] | undefined>, body: Buffer): Promise<boolean> {
  const { notification, status, paid } = await client.verifyAndConfirm('qris', headers, body)
  const reference: string | null = notification.originalReferenceNo
  const latest: string | null = status.latestTransactionStatus
  console.log(reference, latest)
  return paid
}
export { confirmUsage }

// The named VA, e-wallet and payout methods: plain request objects in, Promises of response objects out.
async function servicesUsage(client: Client): Promise<string> {
  const amount: Amount = { value: '25000.00', currency: 'IDR' }
  const va = { partnerServiceId: '', customerNo: '', virtualAccountNo: '' }
  const created = await client.vaCreate({
    ...va,
    virtualAccountName: 'Ani',
    trxId: 'order-1',
    totalAmount: amount,
    additionalInfo: { bankCd: 'BMRI', goodsNm: 'Kopi' },
  })
  const tXidVA: string = created.virtualAccountData?.additionalInfo?.tXidVA ?? ''
  const vaNo = created.virtualAccountData?.virtualAccountNo ?? ''
  await client.vaStatus({ ...va, virtualAccountNo: vaNo, inquiryRequestId: 'inq-1', additionalInfo: { totalAmount: amount, trxId: 'order-1', tXidVA } })
  await client.vaDelete({ ...va, virtualAccountNo: vaNo, trxId: 'order-1', additionalInfo: { totalAmount: amount, tXidVA, cancelMessage: 'Cancelled' } })
  const merchant = { merchantId: 'IONPAYTEST', subMerchantId: '', externalStoreId: '' }
  const payment = await client.ewalletPayment({
    ...merchant,
    partnerReferenceNo: 'order-2',
    validUpTo: '',
    pointOfInitiation: 'Mobile App',
    amount,
    urlParam: [{ url: 'https://shop.example/notify', type: 'PAY_NOTIFY', isDeeplink: 'N' }],
    additionalInfo: { mitraCd: 'DANA' },
  })
  const redirect: string | null = payment.webRedirectUrl
  const original = { ...merchant, originalPartnerReferenceNo: 'order-2', originalReferenceNo: payment.referenceNo ?? '' }
  await client.ewalletStatus({ ...original, serviceCode: '54', transactionDate: timestampNow(), amount, additionalInfo: {} })
  await client.ewalletRefund({ ...original, partnerRefundNo: 'refund-1', refundAmount: amount, reason: 'Customer request', additionalInfo: { refundType: '1' } })
  const payout = await client.payoutRegistration({
    partnerReferenceNo: 'payout-1',
    merchantId: 'IONPAYTEST',
    beneficiaryAccountNo: '5345000060',
    beneficiaryName: 'Ani Wijaya',
    beneficiaryPhone: '08123456789',
    beneficiaryCustomerResidence: '1',
    beneficiaryCustomerType: '1',
    beneficiaryPostalCode: '10110',
    beneficiaryBankCode: 'BNIA',
    payoutMethod: '0',
    reservedDt: '',
    reservedTm: '',
    deliveryId: '',
    deliveryNm: 'Ani',
    amount,
  })
  const ref: PayoutReference = { originalReferenceNo: payout.referenceNo ?? '', originalPartnerReferenceNo: 'payout-1', merchantId: 'IONPAYTEST' }
  try {
    await client.payoutApprove(ref)
  } catch (e) {
    const err = e as Error & NicepayErrorFields
    if (err.code === 'ERR_NICEPAY_OUTCOME_UNKNOWN') await client.payoutInquiry({ ...ref, beneficiaryAccountNo: '5345000060' })
  }
  await client.payoutReject(ref)
  await client.payoutCancel(ref)
  const balance = await client.balanceInquiry({ accountNo: '', additionalInfo: { msId: '' } })
  const confirmed: boolean = (await client.verifyAndConfirm('va', {}, Buffer.from('{}'))).paid
  console.log(redirect, balance.accountInfos[0]?.availableBalance?.value, confirmed)
  // @ts-expect-error: a request is an object
  await client.vaCreate('{}')
  // @ts-expect-error: the request is required
  await client.payoutApprove()
  // @ts-expect-error: the payout approve request is a PayoutReference, not a registration
  await client.payoutApprove({ partnerReferenceNo: 'payout-1', amount })
  // @ts-expect-error: verifyAndConfirm knows its products
  await client.verifyAndConfirm('card', {}, Buffer.from('{}'))
  return tXidVA
}
export { servicesUsage }

// The facades over the native table (sdk.d.ts).
import { MerchantServer, RequestBuilder, acknowledgement, generateKeyPair, sourceAllowed } from '..'
import type { HttpAnswer, PreparedRequest } from '..'

async function facadesUsage(pem: string): Promise<number> {
  const ack: HttpAnswer = acknowledgement({ product: 'qris' })
  // @ts-expect-error: products are a closed set
  acknowledgement({ product: 'card' })
  const { publicKeyPem }: { publicKeyPem: string } = generateKeyPair()
  const allowed: boolean = sourceAllowed('103.20.51.33', ['103.20.51.0/24'])
  const builder = new RequestBuilder({ clientId: 'ID', clientSecret: 's', privateKey: pem })
  const prepared: PreparedRequest = builder.prepare('qris.generate', {}, { accessToken: 't' })
  const server = new MerchantServer({ clientId: 'M', clientSecret: 's', nicepayPublicKey: publicKeyPem })
  const answer: HttpAnswer = await server.handle('POST', '/api/v1.0/transfer-va/inquiry', {}, prepared.body, {
    lookup: () => 'paid',
    onPaid: () => undefined,
  })
  return ack.status + answer.status + (allowed ? 1 : 0) + server.liveTokens()
}
export { facadesUsage }

// The simulator inside the package (testing.d.ts).
import { Simulator } from '../testing.js'

async function testingUsage(): Promise<string> {
  const sim = await Simulator.start({ port: 0 })
  const client = new Client(sim.clientOptions({ timeoutMs: 5000 }))
  await sim.payQris('ref')
  await sim.stop()
  return sim.baseUrl + (await client.accessToken())
}
export { testingUsage }
