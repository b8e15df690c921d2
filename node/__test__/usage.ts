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
  type NicepayErrorFields,
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
  })
  const fromEnv: Client = Client.fromEnv({ environment: 'sandbox' })
  const token: string = await client.accessToken()
  const generated = await client.qrisGenerate({ partnerReferenceNo: 'ord1', amount: { value: '1.00', currency: 'IDR' } })
  const referenceNo: string = generated.referenceNo
  await client.qrisQuery({ originalReferenceNo: referenceNo })
  await client.execute('qris.refund', { partnerRefundNo: 'r1' })
  try {
    await client.qrisRefund({ partnerRefundNo: 'r1' })
  } catch (e) {
    const err = e as Error & NicepayErrorFields
    if (err.code === 'ERR_NICEPAY_API') console.error(err.httpStatus, err.responseCode, err.responseMessage)
    if (err.code === 'ERR_NICEPAY_OUTCOME_UNKNOWN') console.error(err.operation, err.identifiers?.partnerRefundNo)
    // @ts-expect-error: codes are a closed union
    if (err.code === 'ERR_SOMETHING_ELSE') console.error('never')
  }
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
  console.log(notification.originalReferenceNo, status.latestTransactionStatus)
  return paid
}
export { confirmUsage }

// The named VA, e-wallet and payout methods: plain request objects in, Promises of response objects out.
async function servicesUsage(client: Client): Promise<string> {
  const amount = { value: '25000.00', currency: 'IDR' }
  const created = await client.vaCreate({ trxId: 'order-1', totalAmount: amount, additionalInfo: { bankCd: 'BMRI' } })
  const tXidVA: string = created.virtualAccountData.additionalInfo.tXidVA
  await client.vaStatus({ virtualAccountNo: created.virtualAccountData.virtualAccountNo, additionalInfo: { tXidVA } })
  await client.vaDelete({ trxId: 'order-1', additionalInfo: { tXidVA, cancelMessage: 'Cancelled' } })
  const payment = await client.ewalletPayment({ partnerReferenceNo: 'order-2', amount, urlParam: [] })
  const redirect: string = payment.webRedirectUrl
  await client.ewalletStatus({ originalReferenceNo: payment.referenceNo })
  await client.ewalletRefund({ partnerRefundNo: 'refund-1', refundAmount: amount })
  const payout = await client.payoutRegistration({ partnerReferenceNo: 'payout-1', amount })
  const ref = { originalReferenceNo: payout.referenceNo as string, originalPartnerReferenceNo: 'payout-1' }
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
  console.log(redirect, balance.accountInfos[0].availableBalance.value, confirmed)
  // @ts-expect-error: a request is an object
  await client.vaCreate('{}')
  // @ts-expect-error: the request is required
  await client.payoutApprove()
  return tXidVA
}
export { servicesUsage }
