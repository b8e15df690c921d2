// The Express and Fastify adapters on node http, on loopback ports: the simulator pays a QRIS,
// a VA and an e-wallet transaction and delivers the signed notifications; `onPaid` runs once per
// payment; forged, stale, foreign, malformed, oversize and replayed deliveries are refused or
// acknowledged as tests/receivers/scenario.json says (shared with the Rust and Python suites).
// Express runs in each body-parser order: its middleware before `express.json()`, after
// `express.json({ verify: captureRawBody })`, and after `express.raw()`.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { createRequire } from 'node:module'
import { describe, it } from 'node:test'

import { repoFile, snap } from './helpers.mjs'
import { admin, clientOptions, simulatorMissing, simulatorSuite } from './simulator.mjs'

const require = createRequire(import.meta.url)
const express = require('express')
const Fastify = require('fastify')
const { notifications, captureRawBody } = require('../express.js')
const nicepayNotifications = require('../fastify.js')

const skip = simulatorMissing()
const scenario = JSON.parse(repoFile('tests/receivers/scenario.json'))
const NICEPAY_KEY = repoFile('tests/keys/nicepay-notification-test-private-pkcs8.pem')
const MERCHANT_KEY = repoFile('tests/keys/merchant-test-private-pkcs8.pem')

/** Listens with a node http server on a loopback port; resolves to `{ base, close() }`. */
function listen(app) {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () =>
      resolve({
        base: `http://127.0.0.1:${server.address().port}`,
        close: () => new Promise((done) => server.close(done)),
      }),
    )
  })
}

/** The apps under test: each resolves to `{ base, close() }`. */
const servers = {
  'express, before express.json()': (handler, onPaid) => {
    const app = express()
    app.use(notifications(handler, onPaid))
    app.use(express.json())
    return listen(app)
  },
  'express, after express.json({ verify: captureRawBody })': (handler, onPaid) => {
    const app = express()
    app.use(express.json({ verify: captureRawBody }))
    app.use(notifications(handler, onPaid))
    return listen(app)
  },
  'express, after express.raw()': (handler, onPaid) => {
    const app = express()
    app.use(express.raw({ type: '*/*' }))
    app.use(notifications(handler, onPaid))
    return listen(app)
  },
  fastify: async (handler, onPaid) => {
    const app = Fastify()
    await app.register(nicepayNotifications, { handler, onPaid })
    const base = await app.listen({ port: 0, host: '127.0.0.1' })
    return { base, close: () => app.close() }
  },
}

const fill = (template, values) =>
  JSON.parse(Object.entries(values).reduce((text, [k, v]) => text.replaceAll(`{${k}}`, v), JSON.stringify(template)))

const pointer = (doc, path) => path.split('/').slice(1).reduce((d, part) => d[part], doc)

const sign = (pem, clientId, timestamp) => new snap.PrivateKey(pem).sign(`${clientId}|${timestamp}`)

/** The simulator's reported delivery, re-signed as NICEPAY signs it, with a refusal's `change`. */
function delivery(info, reported, change) {
  const timestamp = change.timestamp ?? reported.timestamp
  const body =
    change.body !== undefined
      ? Buffer.from(change.body)
      : change.bodyRepeat !== undefined
        ? Buffer.alloc(change.bodyRepeat, 'x')
        : Buffer.from(reported.body)
  return {
    headers: {
      'content-type': 'application/json',
      'x-timestamp': timestamp,
      'x-client-key': change.clientKey ?? info.clientId,
      'x-signature': sign(change.signWith === 'merchant' ? MERCHANT_KEY : NICEPAY_KEY, info.clientId, timestamp),
    },
    body,
  }
}

async function post(url, { headers, body }) {
  const res = await fetch(url, { method: 'POST', headers, body })
  return [res.status, JSON.parse(await res.text()).responseCode]
}

/** The responseCode the app acknowledged a simulator delivery with (after HTTP 200). */
function acknowledged(answer) {
  assert.equal(answer.notification.httpStatus, 200, JSON.stringify(answer.notification))
  return JSON.parse(answer.notification.responseBody).responseCode
}

describe('notification adapters under real servers', { skip: skip ?? false }, () => {
  let info
  simulatorSuite((started) => ({ info } = started))

  for (const [name, serve] of Object.entries(servers)) {
    it(`${name}: receives, verifies and acknowledges`, async () => {
      const handler = new snap.NotificationHandler(new snap.Client(clientOptions(info)))
      const merchant = new snap.Client(clientOptions(info))
      const paid = []
      const app = await serve(handler, async (result) => paid.push(result))
      try {
        const resends = []
        let qris
        for (const [i, payment] of scenario.payments.entries()) {
          const order = `recv${randomUUID().replaceAll('-', '').slice(0, 16)}`
          const request = fill(payment.request, { order, clientId: info.clientId, base: app.base })
          const created = await merchant.execute(payment.operation, request)
          const id = pointer(created, payment.idPointer)
          const outcome = await admin(info, 'POST', payment.pay.replace('{id}', id))
          assert.equal(acknowledged(outcome), payment.ack, payment.operation)
          assert.equal(paid.length, i + 1, 'onPaid runs once per payment')
          const last = paid.at(-1)
          assert.equal(last.product, payment.product)
          assert.ok(last.paid && !last.duplicate && last.fulfil)
          assert.ok(JSON.stringify(last.notification).includes(order))
          if (payment.product === 'qris') qris = outcome.notification
          resends.push([payment.resend.replace('{id}', id), payment.ack])
        }

        const url = app.base + scenario.payments[0].path
        for (const refusal of scenario.refusals) {
          const answer = await post(url, delivery(info, qris, refusal.change))
          assert.deepEqual(answer, [refusal.status, refusal.responseCode], refusal.name)
        }
        assert.equal(paid.length, 3, 'no refusal runs onPaid')

        // NICEPAY's retries and a replay of the exact delivery are acknowledged, fulfilling nothing.
        for (const [resend, ack] of resends) assert.equal(acknowledged(await admin(info, 'POST', resend)), ack)
        assert.deepEqual(await post(url, delivery(info, qris, {})), [200, '2005200'])
        assert.equal(paid.length, 3, 'a redelivery ran onPaid again')
      } finally {
        await app.close()
      }
    })
  }

  it('express after a plain express.json() fails loudly instead of verifying re-serialized JSON', async () => {
    const handler = new snap.NotificationHandler(new snap.Client(clientOptions(info)))
    const app = express()
    app.use(express.json())
    app.use(notifications(handler, () => assert.fail('onPaid')))
    app.use((error, _req, res, _next) => res.status(500).json({ message: error.message }))
    const served = await listen(app)
    try {
      const res = await fetch(served.base + '/api/v1.0/qr/qr-mpm-notify', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      })
      assert.equal(res.status, 500)
      assert.match((await res.json()).message, /captureRawBody/)
    } finally {
      await served.close()
    }
  })

  it('the handler refuses unknown products and can skip confirmation', async () => {
    const handler = new snap.NotificationHandler(new snap.Client(clientOptions(info)), { confirm: false })
    const unknown = await handler.handle({}, '{"originalReferenceNo":"T"}', { path: '/hooks/nicepay' })
    assert.deepEqual([unknown.statusCode, unknown.refusal, unknown.product], [400, 'unknown_product', null])
    assert.equal(JSON.parse(unknown.body).responseCode, '4000001')
    const timestamp = snap.timestampNow()
    const headers = [
      ['X-TIMESTAMP', timestamp],
      ['X-CLIENT-KEY', info.clientId],
      ['X-SIGNATURE', sign(NICEPAY_KEY, info.clientId, timestamp)],
    ]
    const body = '{"trxId":"t1","virtualAccountNo":"123","additionalInfo":{"latestTransactionStatus":"00"}}'
    const claimed = await handler.handle(headers, body)
    assert.deepEqual([claimed.statusCode, claimed.product, claimed.paid, claimed.status], [200, 'va', true, null])
    assert.equal(claimed.body.toString(), '{"responseCode":"2002500","responseMessage":"Successful"}')
    assert.throws(() => new snap.NotificationHandler({}), TypeError)
  })
})
