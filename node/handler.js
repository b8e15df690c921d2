// NotificationHandler: a framework-free notification endpoint over a `Client` (pure JavaScript
// over the native `notificationTriage` / `notificationOutcome` functions, which hold every
// decision; see nicepay_snap_client::NotificationHandler). It takes what a web framework
// received (headers, the raw body bytes, the request path) and resolves to what to answer
// (status, headers, the exact acknowledgement bytes) and what was verified. A bad signature, a
// stale timestamp, a wrong client key, a malformed or oversize body or an unknown product
// resolve to the documented SNAP error acknowledgement, never a rejection.
'use strict'

const { nativeCall } = require('./index.js')

/** The inbound paths NICEPAY documents, each with its product. */
const NOTIFICATION_PATHS = Object.freeze([
  ['/api/v1.0/qr/qr-mpm-notify', 'qris'],
  ['/api/v1.0/qr/qr-mpm-notif', 'qris'],
  ['/api/v1.0/transfer-va/payment', 'va'],
  ['/api/v1.0/debit/notify', 'ewallet'],
  ['/api/v1.0/transfer/notify', 'payout'],
])

/** The named arguments that are set (the native side takes JSON: no `undefined`). */
const defined = (args) => Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined && v !== null))

function result(answer) {
  const out = {
    statusCode: answer.statusCode,
    headers: answer.headers,
    body: Buffer.from(answer.body, 'utf8'),
    product: answer.product ?? null,
    notification: answer.notification ?? null,
    status: answer.status ?? null,
    paid: Boolean(answer.paid),
    duplicate: Boolean(answer.duplicate),
    error: answer.error ?? null,
    refusal: answer.refusal ?? null,
  }
  out.fulfil = out.paid && !out.duplicate
  return out
}

class NotificationHandler {
  /**
   * @param client a `Client`
   * @param options `{ confirm = true, maxBodyBytes }`: `confirm: false` skips the status query
   *   (`paid` is then the unsigned body's own claim); `maxBodyBytes` defaults to 64 KiB.
   */
  constructor(client, { confirm = true, maxBodyBytes } = {}) {
    if (!client || typeof client.verifyAndConfirm !== 'function') {
      throw new TypeError('NotificationHandler needs a nicepay-snap Client')
    }
    this.client = client
    this.confirm = confirm
    this.maxBodyBytes = maxBodyBytes
  }

  /**
   * Handles one notification: `headers` as received (`req.headers` works), `rawBody` the exact
   * bytes. `path` (the request path) or `product` names the product; else the body does.
   */
  async handle(headers, rawBody, { path, product } = {}) {
    const body = Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody ?? '', 'utf8')
    const triage = nativeCall(
      'notificationTriage',
      defined({ body: body.toString('utf8'), path, product, maxBodyBytes: this.maxBodyBytes }),
    )
    if (triage.statusCode !== undefined) return result(triage)
    const outcome = { product: triage.product, confirm: this.confirm }
    try {
      outcome.verified = this.confirm
        ? await this.client.verifyAndConfirm(triage.product, headers, body)
        : this.client.verifyNotification(headers, body)
    } catch (error) {
      if (typeof error?.code !== 'string' || !error.code.startsWith('ERR_NICEPAY_')) throw error
      Object.assign(outcome, defined({ errorClass: error.code, field: error.field, message: error.message }))
    }
    return result(nativeCall('notificationOutcome', outcome))
  }
}

module.exports = { NotificationHandler, NOTIFICATION_PATHS }
