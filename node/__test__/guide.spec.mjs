// The user guide's Node code (__test__/guide.mjs, included into docs/src/*.md) against the
// packaged simulator: key generation, the first payment, a refund whose outcome is unknown and
// its settlement from the journal, and the Express and Fastify receivers on loopback ports.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'

import { snap } from './helpers.mjs'
import * as guide from './guide.mjs'

const { Simulator } = createRequire(import.meta.url)('../testing.js')

const NOTIFY_PATH = '/api/v1.0/qr/qr-mpm-notify'
const orderId = () => `order-${randomUUID().replaceAll('-', '').slice(0, 16)}`

// ANCHOR: start
describe('the user guide (Node)', () => {
  let sim
  before(async () => {
    sim = await Simulator.start() // const { Simulator } = require('nicepay-snap/testing')
  })
  after(async () => sim.stop())
  // ANCHOR_END: start

  it('newMerchantKeys writes the private key once and returns its public key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'guide-keys-'))
    const cwd = process.cwd()
    process.chdir(dir)
    try {
      const publicPem = guide.newMerchantKeys()
      const key = new snap.PrivateKey(readFileSync(join(dir, 'merchant-private.pem'), 'utf8'))
      assert.equal(key.publicKey().toPem(), new snap.PublicKey(publicPem).toPem())
      assert.throws(() => guide.newMerchantKeys(), { code: 'EEXIST' })
    } finally {
      process.chdir(cwd)
    }
  })

  it('makeClient from NICEPAY_* naming the simulator: generate, pay, query', async () => {
    const names = { CLIENT_ID: 'clientId', CLIENT_SECRET: 'clientSecret', PRIVATE_KEY: 'privateKeyPem', NOTIFICATION_PUBLIC_KEY: 'notificationPublicKey', BASE_URL: 'baseUrl' }
    for (const [name, key] of Object.entries(names)) process.env[`NICEPAY_${name}`] = sim.info[key]
    let client
    try {
      client = guide.makeClient()
    } finally {
      for (const name of Object.keys(names)) delete process.env[`NICEPAY_${name}`]
    }
    const order = orderId()
    const generated = await guide.createQr(client, order, '15000.00', `https://shop.example${NOTIFY_PATH}`)
    assert.ok(generated.qrContent)
    assert.equal(await guide.isPaid(client, generated.referenceNo, order), false)
    await sim.payQris(generated.referenceNo)
    assert.equal(await guide.isPaid(client, generated.referenceNo, order), true)
  })

  it('a refund whose outcome is unknown is settled from the journal', async () => {
    const client = new snap.Client(sim.clientOptions({ store: 'memory:?grace=0' }))
    const order = orderId()
    const { referenceNo } = await guide.createQr(client, order, '15000.00', `https://shop.example${NOTIFY_PATH}`)
    await sim.payQris(referenceNo)
    assert.equal(await guide.refund(client, referenceNo, order, `${order}-r1`, '5000.00'), 'refunded')
    await sim.addFault({ path: '/api/v1.0/qr/qr-mpm-refund', kind: 'respondAfter', status: 504, times: 1 })
    assert.equal(await guide.refund(client, referenceNo, order, `${order}-r2`, '10000.00'), 'processing')
    assert.deepEqual((await client.pendingOutcomes()).map((e) => e.state), ['unknown'])
    const settled = await guide.settlePending(client)
    assert.deepEqual(settled.map((e) => [e.state, e.references.partnerRefundNo]), [['succeeded', `${order}-r2`]])
    assert.deepEqual(await client.pendingOutcomes(), [])
    await assert.rejects(guide.refund(client, referenceNo, order, `${order}-r3`, '1.00'), { code: 'ERR_NICEPAY_API' })
  })

  for (const [name, start] of [
    ['Express', async (client, onPaid) => {
      const server = guide.expressApp(client, onPaid).listen(0, '127.0.0.1')
      await new Promise((resolve) => server.once('listening', resolve))
      return { url: `http://127.0.0.1:${server.address().port}`, stop: () => new Promise((resolve) => server.close(resolve)) }
    }],
    ['Fastify', async (client, onPaid) => {
      const app = await guide.fastifyApp(client, onPaid)
      const url = await app.listen({ port: 0, host: '127.0.0.1' })
      return { url, stop: () => app.close() }
    }],
  ]) {
    it(`the ${name} receiver confirms a delivered notification`, async () => {
      const client = new snap.Client(sim.clientOptions())
      const paid = []
      const app = await start(client, (result) => paid.push(result))
      try {
        const order = orderId()
        const { referenceNo } = await guide.createQr(client, order, '15000.00', `${app.url}${NOTIFY_PATH}`)
        const { notification: delivery } = await sim.payQris(referenceNo)
        assert.ok(delivery.delivered, JSON.stringify(delivery))
        assert.match(delivery.responseBody, /2005200/)
        assert.deepEqual(paid.map((r) => r.notification.originalPartnerReferenceNo), [order])
        // The same delivery through the adapter-less handler of another client.
        const other = new snap.Client(sim.clientOptions())
        const body = Buffer.from(delivery.body)
        assert.equal((await guide.receive(other, delivery.headers, body, NOTIFY_PATH)).fulfil, true)
        const again = await guide.receive(other, delivery.headers, body, NOTIFY_PATH)
        assert.equal(again.statusCode, 200)
        assert.equal(again.duplicate, true)
        const forged = Object.fromEntries(Object.entries(delivery.headers).map(([k, v]) => [k, k.toLowerCase() === 'x-signature' ? 'Zm9yZ2Vk' : v]))
        assert.equal((await guide.receive(other, forged, body, NOTIFY_PATH)).statusCode, 401)
      } finally {
        await app.stop()
      }
    })
  }

  it('fromNicepay checks the source address', () => {
    assert.equal(guide.fromNicepay('103.20.51.33'), true)
    assert.equal(guide.fromNicepay('127.0.0.1'), false)
  })
})
