// The simulator inside the package: `nicepay-snap/testing` and `npx nicepay-snap simulate`, with
// no cargo binary.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { randomUUID } from 'node:crypto'
import { inspect } from 'node:util'
import { describe, it } from 'node:test'

import { here, snap } from './helpers.mjs'

const require = createRequire(import.meta.url)
const { Simulator } = require('../testing.js')

describe('nicepay-snap/testing', () => {
  it('runs a whole payment against the bundled simulator', async () => {
    const sim = await Simulator.start()
    try {
      assert.match(sim.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
      assert.doesNotMatch(inspect(sim), new RegExp(sim.info.clientSecret))
      const client = new snap.Client(sim.clientOptions({ timeoutMs: 10_000 }))
      const order = `ord${randomUUID().replaceAll('-', '').slice(0, 20)}`
      const generated = await client.qrisGenerate({
        partnerReferenceNo: order,
        amount: { value: '10000.00', currency: 'IDR' },
        merchantId: sim.info.clientId,
        storeId: 'NicepayStoreID1',
        validityPeriod: '',
        additionalInfo: { goodsNm: 'Kopi', billingNm: 'Budi' },
      })
      await sim.payQris(generated.referenceNo)
      const status = await client.qrisQuery({
        originalReferenceNo: generated.referenceNo,
        originalPartnerReferenceNo: order,
        merchantId: sim.info.clientId,
        externalStoreId: 'NicepayStoreID1',
        serviceCode: '47',
        additionalInfo: {},
      })
      assert.equal(status.latestTransactionStatus, '00')
      await sim.addFault({ path: '/api/v1.0/qr/qr-mpm-query', kind: 'respondAfter', status: 504, times: 1 })
      assert.equal((await sim.state()).faults.length, 1)
      await sim.clearFaults()
      await assert.rejects(sim.payQris('no-such-reference'))
    } finally {
      await sim.stop()
      await sim.stop()
    }
    assert.throws(() => new snap.Native('simulator', { port: 70000 }), { code: 'ERR_NICEPAY_INVALID_INPUT' })
  })

  it('npx nicepay-snap simulate prints its details and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [`${here}/../cli.js`, 'simulate', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
    const line = await new Promise((resolve, reject) => {
      let out = ''
      child.stdout.on('data', (d) => {
        out += d
        if (out.includes('\n')) resolve(out.split('\n')[0])
      })
      child.on('exit', (code) => reject(new Error(`exited ${code}`)))
    })
    const info = JSON.parse(line)
    const res = await fetch(`${info.baseUrl}/__admin/info`)
    assert.equal((await res.json()).clientId, info.clientId)
    const exited = new Promise((resolve) => child.on('exit', resolve))
    child.kill('SIGTERM')
    assert.equal(await exited, 0)
  })
})
