// Client against the simulator on loopback: the full QRIS flow, token caching, Promise
// rejections with stable codes, money safety, notification verification from Node request
// headers and raw bodies, redaction.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:net'
import { describe, it } from 'node:test'
import { inspect } from 'node:util'

import { outcomeUnknown, repoFile, snap } from './helpers.mjs'
import { checked } from './shapes.mjs'
import { admin, clientOptions, simulatorMissing, simulatorSuite } from './simulator.mjs'

const REFUND_PATH = '/api/v1.0/qr/qr-mpm-refund'
const skip = simulatorMissing()

const unique = (prefix) => `${prefix}${randomUUID().replaceAll('-', '').slice(0, 20)}`

describe('Client against the simulator', { skip: skip ?? false }, () => {
  let info
  let inbox
  simulatorSuite((started) => ({ info, inbox } = started))

  const options = (over = {}) => clientOptions(info, over)

  const generateRequest = (dbProcessUrl = '', value = '10000.00') => ({
    partnerReferenceNo: unique('ord'),
    amount: { value, currency: 'IDR' },
    merchantId: info.clientId,
    storeId: 'NicepayStoreID1',
    validityPeriod: '',
    additionalInfo: { goodsNm: 'Test goods', billingNm: 'Budi', ...(dbProcessUrl ? { dbProcessUrl } : {}) },
  })
  const queryRequest = (generated, order) => ({
    originalReferenceNo: generated.referenceNo,
    originalPartnerReferenceNo: order,
    merchantId: info.clientId,
    externalStoreId: 'NicepayStoreID1',
    serviceCode: '47',
    additionalInfo: {},
  })
  const refundRequest = (generated, order, value) => ({
    originalReferenceNo: generated.referenceNo,
    originalPartnerReferenceNo: order,
    partnerRefundNo: unique('rfd'),
    merchantId: info.clientId,
    externalStoreId: 'NicepayStoreID1',
    refundAmount: { value, currency: 'IDR' },
    reason: 'Customer request',
    additionalInfo: { cancelType: '1' },
  })

  /** A generated and paid QR; its notification is consumed from the inbox. */
  async function paidQr(client) {
    const req = generateRequest(inbox.url)
    const generated = await client.qrisGenerate(req)
    await admin(info, 'POST', `/__admin/qris/${generated.referenceNo}/pay`)
    const notification = await inbox.next()
    return { order: req.partnerReferenceNo, generated, notification }
  }

  it('runs the full QRIS flow: token, generate, query, pay, notification, refund', async () => {
    const client = checked(new snap.Client(options()))
    assert.equal(client.clientId, info.clientId)
    assert.ok(client.baseUrl.startsWith(info.baseUrl))
    const token = await client.accessToken()
    assert.ok(token)
    assert.equal(await client.accessToken(), token, 'the token is cached')

    const genReq = generateRequest(inbox.url)
    const generated = await client.qrisGenerate(genReq)
    assert.equal(generated.responseCode, '2004700')
    assert.ok(generated.referenceNo && generated.qrContent)
    const order = genReq.partnerReferenceNo

    const pending = await client.qrisQuery(queryRequest(generated, order))
    assert.equal(pending.responseCode, '2005100')
    assert.equal(pending.latestTransactionStatus, '03')

    await admin(info, 'POST', `/__admin/qris/${generated.referenceNo}/pay`)
    const { headers, rawHeaders, body } = await inbox.next()
    assert.ok(Buffer.isBuffer(body))
    const notification = client.verifyNotification(headers, body)
    assert.equal(notification.originalReferenceNo, generated.referenceNo)
    // rawHeaders, [name, value] pairs and a string body work too.
    assert.deepEqual(client.verifyNotification(rawHeaders, body.toString('utf8')), notification)
    const pairs = []
    for (let i = 0; i < rawHeaders.length; i += 2) pairs.push([rawHeaders[i], rawHeaders[i + 1]])
    assert.deepEqual(client.verifyNotification(pairs, body), notification)
    // And without a Client.
    assert.deepEqual(
      snap.verifyNotificationRequest({ publicKey: info.notificationPublicKey, clientId: info.clientId }, headers, body),
      notification,
    )

    const paid = await client.qrisQuery(queryRequest(generated, order))
    assert.equal(paid.latestTransactionStatus, '00')

    const refund = refundRequest(generated, order, '10000.00')
    const refunded = await client.qrisRefund(refund)
    assert.equal(refunded.responseCode, '2007800')
    assert.equal(refunded.partnerRefundNo, refund.partnerRefundNo)

    // A second full refund is rejected: ERR_NICEPAY_API with the parsed code.
    await assert.rejects(client.qrisRefund({ ...refund, partnerRefundNo: unique('rfd') }), (e) => {
      assert.ok(e instanceof Error)
      assert.equal(e.code, 'ERR_NICEPAY_API')
      assert.equal(e.httpStatus, 403)
      assert.match(e.responseCode, /^40378/)
      assert.equal(e.serviceCode, '78')
      assert.equal(e.caseCode, e.responseCode.slice(5))
      assert.ok(e.responseMessage)
      return true
    })
  })

  it('verifies and confirms a notification with a status query', async () => {
    const client = checked(new snap.Client(options()))
    const { generated, notification } = await paidQr(client)
    const confirmed = await client.verifyAndConfirm('qris', notification.headers, notification.body)
    assert.equal(confirmed.paid, true)
    assert.equal(confirmed.duplicate, false)
    assert.equal(confirmed.notification.originalReferenceNo, generated.referenceNo)
    assert.equal(confirmed.status.latestTransactionStatus, '00')
    // Delivered again to the same client (its in-memory store): a repeat.
    const again = await client.verifyAndConfirm('qris', notification.headers, notification.body)
    assert.deepEqual([again.paid, again.duplicate], [true, true])
    // A forged notification is rejected before any query; a bad product is a rejection too.
    const forged = { ...notification.headers, 'x-signature': `${notification.headers['x-signature'].slice(0, -4)}AAA=` }
    await assert.rejects(client.verifyAndConfirm('qris', forged, notification.body), { code: 'ERR_NICEPAY_SIGNATURE' })
    await assert.rejects(client.verifyAndConfirm('card', notification.headers, notification.body), {
      code: 'ERR_NICEPAY_INVALID_INPUT',
      field: 'product',
    })
  })

  it('runs calls concurrently, through execute() too', async () => {
    // Parsed keys work as well as key texts.
    const client = checked(new snap.Client(
      options({
        privateKey: new snap.PrivateKey(info.privateKeyPem),
        notificationPublicKey: new snap.PublicKey(info.notificationPublicKey),
      }),
    ))
    const genReq = generateRequest()
    const [generated, token] = await Promise.all([client.qrisGenerate(genReq), client.accessToken()])
    assert.ok(token)
    await admin(info, 'POST', `/__admin/qris/${generated.referenceNo}/pay`)
    const order = genReq.partnerReferenceNo
    const paid = await client.execute('qris.query', queryRequest(generated, order))
    assert.equal(paid.latestTransactionStatus, '00')
    const results = await Promise.all([
      client.qrisRefund(refundRequest(generated, order, '4000.00')),
      client.qrisRefund(refundRequest(generated, order, '6000.00')),
    ])
    assert.deepEqual(
      results.map((r) => r.responseCode),
      ['2007800', '2007800'],
    )
    await assert.rejects(client.qrisRefund(refundRequest(generated, order, '1.00')), { code: 'ERR_NICEPAY_API' })
  })

  it('reports an unknown refund outcome and never resends it', async () => {
    const client = checked(new snap.Client(options()))
    const { order, generated } = await paidQr(client)
    await admin(info, 'POST', '/__admin/faults', { path: REFUND_PATH, kind: 'respondAfter', status: 504, times: 1 })
    const refund = refundRequest(generated, order, '10000.00')
    const identifiers = { partnerRefundNo: refund.partnerRefundNo }
    const expected = { operation: 'qris.refund', responseCode: '5047800', httpStatus: 504, identifiers }
    await assert.rejects(client.qrisRefund(refund), outcomeUnknown(expected))
    // The refund was applied once (respondAfter) and never resent.
    const status = await client.qrisQuery(queryRequest(generated, order))
    assert.equal(status.latestTransactionStatus, '04')
  })

  it('reports a dropped connection on a refund as an unknown outcome', async () => {
    const client = checked(new snap.Client(options()))
    const { order, generated } = await paidQr(client)
    await admin(info, 'POST', '/__admin/faults', { path: REFUND_PATH, kind: 'dropAfter', times: 1 })
    const refund = client.qrisRefund(refundRequest(generated, order, '10000.00'))
    await assert.rejects(refund, outcomeUnknown({ responseCode: undefined, httpStatus: 0 }))
  })

  it('rejects tampered, stale, incomplete and parsed notifications', async () => {
    const client = new snap.Client(options())
    const { notification } = await paidQr(client)
    const { headers, body } = notification
    const sig = headers['x-signature']
    assert.throws(() => client.verifyNotification({ ...headers, 'x-signature': `${sig.slice(0, -4)}AAA=` }, body), {
      code: 'ERR_NICEPAY_SIGNATURE',
    })
    assert.throws(() => client.verifyNotification({ ...headers, 'x-timestamp': '2020-01-01T00:00:00+07:00' }, body), {
      code: 'ERR_NICEPAY_INVALID_INPUT',
      field: 'X-TIMESTAMP',
    })
    const { 'x-signature': _, ...unsigned } = headers
    assert.throws(() => client.verifyNotification(unsigned, body), { code: 'ERR_NICEPAY_INVALID_INPUT', field: 'X-SIGNATURE' })
    assert.throws(() => client.verifyNotification(headers, Buffer.from('not json')), {
      code: 'ERR_NICEPAY_INVALID_INPUT',
      field: 'body',
    })
    // express.json() already parsed it: the raw body is required.
    assert.throws(() => client.verifyNotification(headers, JSON.parse(body)), { code: 'ERR_NICEPAY_INVALID_INPUT', field: 'body' })
    assert.throws(() => client.verifyNotification('x-signature: abc', body), { code: 'ERR_NICEPAY_INVALID_INPUT', field: 'headers' })
    // Another merchant's client id.
    assert.throws(
      () => snap.verifyNotificationRequest({ publicKey: info.notificationPublicKey, clientId: 'OTHER' }, headers, body),
      { code: 'ERR_NICEPAY_INVALID_INPUT', field: 'X-CLIENT-KEY' },
    )
    // Without a notification key configured.
    const bare = new snap.Client(options({ notificationPublicKey: undefined }))
    assert.throws(() => bare.verifyNotification(headers, body), { code: 'ERR_NICEPAY_INVALID_INPUT', field: 'notificationPublicKey' })
  })

  it('reports every exchange to onExchange, without secrets', async () => {
    const seen = []
    const client = new snap.Client(options({ onExchange: (e) => seen.push(e) }))
    const generated = await client.qrisGenerate(generateRequest())
    const token = await client.accessToken()
    // The callback is queued to the JavaScript thread: let the queue drain.
    for (let i = 0; i < 50 && seen.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    assert.deepEqual(
      seen.map((e) => [e.operation, e.httpStatus, e.responseCode]),
      [
        ['access-token', 200, '2007300'],
        ['qris.generate', 200, '2004700'],
      ],
    )
    const [tokenExchange, generate] = seen
    assert.equal(generate.method, 'POST')
    assert.equal(generate.path, '/api/v1.0/qr/qr-mpm-generate')
    assert.equal(generate.attempt, 1)
    assert.ok(generate.elapsedMs >= 0)
    assert.ok(generate.externalId)
    assert.equal(tokenExchange.externalId, undefined)
    assert.equal(generate.transportError, undefined)
    const text = JSON.stringify(seen)
    for (const secret of [token, info.clientSecret]) assert.ok(!text.includes(secret))
    assert.ok(!text.includes(generated.referenceNo), 'no response body in an exchange')
  })

  it('keeps calls working when onExchange throws (a process warning), and checks its type', async () => {
    let calls = 0
    const client = new snap.Client(
      options({
        onExchange: () => {
          calls += 1
          throw new Error('observer bug')
        },
      }),
    )
    const warnings = []
    const onWarning = (w) => {
      if (w.name === 'NicepayWarning') warnings.push(w.message)
    }
    process.on('warning', onWarning)
    try {
      assert.equal((await client.qrisGenerate(generateRequest())).responseCode, '2004700')
      for (let i = 0; i < 50 && warnings.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10))
    } finally {
      process.off('warning', onWarning)
    }
    assert.equal(calls, 2)
    assert.deepEqual(warnings, ['onExchange threw: observer bug', 'onExchange threw: observer bug'])
    assert.throws(() => new snap.Client(options({ onExchange: 'console.log' })), {
      code: 'ERR_NICEPAY_INVALID_INPUT',
      field: 'onExchange',
    })
  })

  it('rejects bad payloads (as rejections, not throws)', async () => {
    const client = new snap.Client(options())
    await assert.rejects(client.qrisGenerate({ partnerReferenceNo: 'x' }), { code: 'ERR_NICEPAY_INVALID_INPUT', field: 'request' })
    await assert.rejects(client.qrisGenerate(generateRequest('', '10000')), { code: 'ERR_NICEPAY_INVALID_INPUT' })
    await assert.rejects(client.qrisGenerate('{}'), { code: 'ERR_NICEPAY_INVALID_INPUT', field: 'request' })
    await assert.rejects(client.qrisGenerate({ ...generateRequest(), amount: 10n }), { code: 'ERR_NICEPAY_INVALID_INPUT', field: 'request' })
    await assert.rejects(client.execute('qris.nope', {}), { code: 'ERR_NICEPAY_INVALID_INPUT', field: 'operation' })
    await assert.rejects(client.execute(42, {}), { code: 'ERR_NICEPAY_INVALID_INPUT', field: 'operation' })
  })

  it('keeps the event loop free during a slow call', async () => {
    const client = new snap.Client(options())
    await client.accessToken()
    await admin(info, 'POST', '/__admin/faults', {
      path: '/api/v1.0/qr/qr-mpm-generate',
      kind: 'none',
      latencyMs: 600,
      times: 1,
    })
    let ticks = 0
    const timer = setInterval(() => ticks++, 10)
    try {
      await client.qrisGenerate(generateRequest())
    } finally {
      clearInterval(timer)
    }
    assert.ok(ticks >= 20, `the event loop was blocked (${ticks} ticks during a 600 ms call)`)
  })

  it('never shows secrets in inspect output or errors', async () => {
    const client = new snap.Client(options())
    const token = await client.accessToken()
    const shown = [inspect(client, { showHidden: true, depth: 5 }), String(client), JSON.stringify(client)].join(' ')
    let err
    try {
      await client.qrisGenerate({ partnerReferenceNo: 'x' })
    } catch (e) {
      err = e
    }
    const all = `${shown} ${inspect(err, { showHidden: true, depth: 5 })}`
    for (const secret of [info.clientSecret, token, info.privateKeyPem.split('\n')[1]]) {
      assert.ok(!all.includes(secret), `leaked in: ${all}`)
    }
  })

  it('builds from the environment', async () => {
    const saved = { ...process.env }
    try {
      Object.assign(process.env, {
        NICEPAY_CLIENT_ID: info.clientId,
        NICEPAY_CLIENT_SECRET: info.clientSecret,
        NICEPAY_PRIVATE_KEY: info.privateKeyPem,
        NICEPAY_BASE_URL: info.baseUrl,
      })
      const client = snap.Client.fromEnv({ timeoutMs: 5000 })
      assert.ok(await client.accessToken())
      delete process.env.NICEPAY_CLIENT_SECRET
      assert.throws(() => snap.Client.fromEnv(), { code: 'ERR_NICEPAY_INVALID_INPUT', field: 'clientSecret' })
    } finally {
      process.env = saved
    }
  })
})

/** A loopback port nothing listens on (bound once to pick it, then closed). */
const closedPort = () =>
  new Promise((resolve) => {
    const s = createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })

describe('Client without a server', () => {
  const KEY = 'MIIB' // not a key
  it('rejects bad options synchronously', () => {
    assert.throws(() => new snap.Client(), { code: 'ERR_NICEPAY_INVALID_INPUT', field: 'options' })
    assert.throws(() => new snap.Client({ clientId: 'X', clientSecret: 's', privateKey: KEY }), {
      code: 'ERR_NICEPAY_INVALID_INPUT',
      field: 'privateKey',
    })
  })

  it('reports a refused connection as ERR_NICEPAY_TRANSPORT (connect)', async () => {
    const port = await closedPort()
    const client = new snap.Client({
      clientId: 'IONPAYTEST',
      clientSecret: 'secret',
      privateKey: repoFile('tests/keys/merchant-test-private-pkcs8.pem'),
      baseUrl: `http://127.0.0.1:${port}`,
      connectTimeoutMs: 2000,
    })
    await assert.rejects(client.accessToken(), { code: 'ERR_NICEPAY_TRANSPORT', kind: 'connect', notDelivered: true })
  })

  it('resends an undelivered request connectRetries times, and validates the tuning', async () => {
    const port = await closedPort()
    const base = {
      clientId: 'IONPAYTEST',
      clientSecret: 'secret',
      privateKey: repoFile('tests/keys/merchant-test-private-pkcs8.pem'),
      baseUrl: `http://127.0.0.1:${port}`,
    }
    for (const [retries, attempts] of [
      [0, [1]],
      [2, [1, 2, 3]],
    ]) {
      const seen = []
      const client = new snap.Client({ ...base, connectRetries: retries, onExchange: (e) => seen.push(e) })
      await assert.rejects(client.accessToken(), { code: 'ERR_NICEPAY_TRANSPORT', notDelivered: true })
      for (let i = 0; i < 50 && seen.length < attempts.length; i++) await new Promise((resolve) => setTimeout(resolve, 10))
      assert.deepEqual(
        seen.map((e) => e.attempt),
        attempts,
      )
    }
    assert.throws(() => new snap.Client({ ...base, connectRetries: 11 }), { code: 'ERR_NICEPAY_INVALID_INPUT', field: 'connectRetries' })
    assert.throws(() => new snap.Client({ ...base, connectRetries: -1 }), { code: 'ERR_NICEPAY_INVALID_INPUT', field: 'connectRetries' })
    assert.throws(() => new snap.Client({ ...base, tokenRefreshMarginMs: 600_001 }), {
      code: 'ERR_NICEPAY_INVALID_INPUT',
      field: 'tokenRefreshMarginMs',
    })
    new snap.Client({ ...base, connectRetries: 0, tokenRefreshMarginMs: 0 })
  })
})
