// The Node code of the user guide (docs/src/*.md include it between its ANCHOR lines);
// guide.spec.mjs runs every function here against the packaged simulator, so the guide cannot
// drift from the real API. Imports are the ones a user writes (this file is inside the package,
// so `nicepay-snap` resolves to it).
// ANCHOR: imports
import { Client, NotificationHandler, generateKeyPair, sourceAllowed } from 'nicepay-snap'
// ANCHOR_END: imports
import { writeFileSync } from 'node:fs'
// ANCHOR: adapter-imports
import express from 'express'
import Fastify from 'fastify'
import { captureRawBody, notifications } from 'nicepay-snap/express'
import { nicepayNotifications } from 'nicepay-snap/fastify'
// ANCHOR_END: adapter-imports

// ANCHOR: keys
export function newMerchantKeys() {
  const { privateKeyPem, publicKeyPem } = generateKeyPair() // RSA-2048, PKCS#8 PEM
  writeFileSync('merchant-private.pem', privateKeyPem, { flag: 'wx', mode: 0o600 }) // never overwrite a key
  return publicKeyPem // send this to NICEPAY
}
// ANCHOR_END: keys

// ANCHOR: client
export function makeClient() {
  // NICEPAY_CLIENT_ID, NICEPAY_CLIENT_SECRET, NICEPAY_PRIVATE_KEY (PEM or bare base64),
  // NICEPAY_NOTIFICATION_PUBLIC_KEY; NICEPAY_ENVIRONMENT is 'sandbox' (the default) or
  // 'production'. One client per process: it caches the access token.
  return Client.fromEnv()
}
// ANCHOR_END: client

// ANCHOR: generate
export async function createQr(client, orderId, amount, notifyUrl) {
  return client.qrisGenerate({
    partnerReferenceNo: orderId, // your order id, unique per QR
    amount: { value: amount, currency: 'IDR' }, // a string with two decimals
    merchantId: client.clientId,
    storeId: 'NICEPAY',
    validityPeriod: '',
    additionalInfo: { goodsNm: 'Kopi susu', dbProcessUrl: notifyUrl },
  })
  // show generated.qrContent as a QR code; keep generated.referenceNo with the order
}
// ANCHOR_END: generate

// ANCHOR: query
export async function isPaid(client, referenceNo, orderId) {
  const status = await client.qrisQuery({
    originalReferenceNo: referenceNo,
    originalPartnerReferenceNo: orderId,
    merchantId: client.clientId,
    externalStoreId: 'NICEPAY',
    serviceCode: '47',
    additionalInfo: {},
  })
  return status.latestTransactionStatus === '00'
}
// ANCHOR_END: query

// ANCHOR: refund
/** 'refunded', or 'processing' when the outcome is unknown. */
export async function refund(client, referenceNo, orderId, refundNo, amount) {
  try {
    await client.qrisRefund({
      originalReferenceNo: referenceNo,
      originalPartnerReferenceNo: orderId,
      partnerRefundNo: refundNo, // unique per refund: store it before calling
      merchantId: client.clientId,
      externalStoreId: 'NICEPAY',
      refundAmount: { value: amount, currency: 'IDR' },
      reason: 'Customer request',
      additionalInfo: { cancelType: '1' },
    })
    return 'refunded'
  } catch (e) {
    // Timeout, 5xx, 504 or 202: maybe applied, maybe not. Never resend with a new
    // partnerRefundNo; the journal entry is settled by resolvePending() below.
    if (e.code === 'ERR_NICEPAY_OUTCOME_UNKNOWN') return 'processing'
    throw e // ERR_NICEPAY_API: NICEPAY refused it; nothing happened
  }
}
// ANCHOR_END: refund

// ANCHOR: resolve
/** A periodic job: every open money-moving call, settled by status query. */
export async function settlePending(client) {
  const settled = []
  for (const entry of await client.resolvePending()) { // never resends anything
    if (entry.state === 'succeeded' || entry.state === 'refused') settled.push(entry)
    // still 'unknown' or 'inFlight': entry.detail says why; it is tried again next run
  }
  return settled
}
// ANCHOR_END: resolve

// ANCHOR: express
export function expressApp(client, onPaid) {
  const app = express()
  // The rest of the app may parse JSON: captureRawBody keeps the exact bytes for the notifications.
  app.use(express.json({ verify: captureRawBody }))
  // POST on every notification path NICEPAY documents: verify, confirm by status query,
  // acknowledge; onPaid(result) runs once per new confirmed payment.
  app.use(notifications(new NotificationHandler(client), onPaid))
  return app
}
// ANCHOR_END: express

// ANCHOR: fastify
export async function fastifyApp(client, onPaid) {
  const app = Fastify()
  await app.register(nicepayNotifications, { handler: new NotificationHandler(client), onPaid })
  return app
}
// ANCHOR_END: fastify

// ANCHOR: verify
/** Without an adapter: hand the headers and the raw body bytes to a NotificationHandler. */
export async function receive(client, headers, rawBody, path) {
  const result = await new NotificationHandler(client).handle(headers, rawBody, { path })
  if (result.fulfil) {
    // paid and not seen before: mark result.notification.originalPartnerReferenceNo paid
  }
  // answer with result.statusCode, result.headers and exactly result.body
  return result
}
// ANCHOR_END: verify

// ANCHOR: source
export function fromNicepay(peerIp) {
  return sourceAllowed(peerIp) // NICEPAY's published ranges; or pass your own list
}
// ANCHOR_END: source
