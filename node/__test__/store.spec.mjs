// The `store` option against the simulator: URL checks at construction, a SQLite file shared by
// two clients (one token, one journal, one dedupe record), pending outcomes settled by query.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'

import { snap } from './helpers.mjs'
import { admin, clientOptions, simulatorMissing, simulatorSuite } from './simulator.mjs'

const REFUND_PATH = '/api/v1.0/qr/qr-mpm-refund'
const unique = (prefix) => `${prefix}${randomUUID().replaceAll('-', '').slice(0, 20)}`
const dir = mkdtempSync(join(tmpdir(), 'nicepay-store-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const sqliteUrl = (grace = 120) => `sqlite://${join(dir, `${unique('s')}.db`)}?grace=${grace}`

/** A loopback port nobody listens on. */
async function closedPort() {
  const server = createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  await new Promise((resolve) => server.close(resolve))
  return port
}

describe('store option', { skip: simulatorMissing() ?? false }, () => {
  let info
  let inbox
  simulatorSuite((started) => ({ info, inbox } = started))
  const options = (over = {}) => clientOptions(info, over)

  async function paidQr(client) {
    const order = unique('ord')
    const generated = await client.qrisGenerate({
      partnerReferenceNo: order,
      amount: { value: '10000.00', currency: 'IDR' },
      merchantId: info.clientId,
      storeId: 'NicepayStoreID1',
      validityPeriod: '',
      additionalInfo: { goodsNm: 'Test goods', dbProcessUrl: inbox.url },
    })
    await admin(info, 'POST', `/__admin/qris/${generated.referenceNo}/pay`)
    return { order, generated, notification: await inbox.next() }
  }

  it('rejects bad URLs and unreachable stores at construction', async () => {
    for (const store of ['nope', 'sqlite://relative.db', 'memory:?grace=soon']) {
      assert.throws(() => new snap.Client(options({ store })), { code: 'ERR_NICEPAY_INVALID_INPUT', field: 'store' })
    }
    const port = await closedPort()
    assert.throws(
      () => new snap.Client(options({ store: `redis://:hunter2@127.0.0.1:${port}/0` })),
      (e) => e.code === 'ERR_NICEPAY_STORE' && e.backend === 'redis' && !e.message.includes('hunter2'),
    )
    assert.throws(() => new snap.Client(options({ store: `sqlite://${dir}/missing/dir/x.db` })), {
      code: 'ERR_NICEPAY_STORE',
      backend: 'sqlite',
    })
  })

  it('shares the token and the journal through one SQLite file, and settles by query', async () => {
    await admin(info, 'POST', '/__admin/tokens/expire')
    const store = sqliteUrl(0)
    const first = new snap.Client(options({ store }))
    const second = new snap.Client(options({ store }))
    const before = (await admin(info, 'GET', '/__admin/state')).tokensIssued
    assert.equal(await first.accessToken(), await second.accessToken())
    assert.equal((await admin(info, 'GET', '/__admin/state')).tokensIssued, before + 1)

    const { order, generated } = await paidQr(first)
    await admin(info, 'POST', '/__admin/faults', { path: REFUND_PATH, kind: 'respondAfter', status: 504, times: 1 })
    const refund = {
      originalReferenceNo: generated.referenceNo,
      originalPartnerReferenceNo: order,
      partnerRefundNo: unique('rfd'),
      merchantId: info.clientId,
      externalStoreId: 'NicepayStoreID1',
      refundAmount: { value: '10000.00', currency: 'IDR' },
      reason: 'Customer request',
      additionalInfo: { cancelType: '1' },
    }
    await assert.rejects(first.qrisRefund(refund), { code: 'ERR_NICEPAY_OUTCOME_UNKNOWN' })
    const pending = await second.pendingOutcomes()
    assert.deepEqual(
      pending.map((e) => [e.operation, e.state, e.references.partnerRefundNo]),
      [['qris.refund', 'unknown', refund.partnerRefundNo]],
    )
    assert.deepEqual((await second.resolvePending()).map((e) => e.state), ['succeeded'])
    assert.deepEqual(await first.pendingOutcomes(), [])
  })

  it('reports a notification confirmed by another client on the store as a duplicate', async () => {
    const store = sqliteUrl()
    const first = new snap.Client(options({ store }))
    const second = new snap.Client(options({ store }))
    const { notification } = await paidQr(new snap.Client(options()))
    const confirmed = await first.verifyAndConfirm('qris', notification.headers, notification.body)
    assert.deepEqual([confirmed.paid, confirmed.duplicate], [true, false])
    const again = await second.verifyAndConfirm('qris', notification.headers, notification.body)
    assert.deepEqual([again.paid, again.duplicate], [true, true])
  })
})
