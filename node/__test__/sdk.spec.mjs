// The facades over the native SDK table: acknowledgements, key generation, the source check,
// the sans-IO RequestBuilder (golden vectors, and a whole flow sent with fetch) and the NIVA
// MerchantServer, driven by the simulator playing NICEPAY on loopback.
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { inspect } from 'node:util'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'

import { cases, repoFile, snap } from './helpers.mjs'
import { admin, simulatorMissing, simulatorSuite } from './simulator.mjs'

const invalid = { code: 'ERR_NICEPAY_INVALID_INPUT' }
const unique = (prefix) => `${prefix}${randomUUID().replaceAll('-', '').slice(0, 20)}`

describe('facades without the network', () => {
  it('builds the acknowledgement of every product', () => {
    for (const [product, code] of [['qris', '52'], ['va', '25'], ['ewallet', '56'], ['payout', '00']]) {
      const ok = snap.acknowledgement({ product })
      assert.equal(ok.status, 200)
      assert.deepEqual(ok.headers, { 'Content-Type': 'application/json' })
      assert.deepEqual(JSON.parse(ok.body), { responseCode: `200${code}00`, responseMessage: 'Successful' })
    }
    const denied = snap.acknowledgement({ product: 'va', kind: 'unauthorized' })
    assert.equal(denied.status, 401)
    assert.equal(JSON.parse(denied.body).responseCode, '4012500')
    assert.throws(() => snap.acknowledgement({ product: 'cash' }), invalid)
    assert.throws(() => snap.acknowledgement({ product: 'qris', kind: 'maybe' }), invalid)
    assert.throws(() => snap.acknowledgement(), invalid)
  })

  it('generates key pairs that sign and verify', () => {
    const { privateKeyPem, publicKeyPem } = snap.generateKeyPair()
    assert.match(privateKeyPem, /^-----BEGIN PRIVATE KEY-----/)
    const timestamp = '2024-07-05T10:11:40+07:00'
    const signature = snap.signTokenRequest({ privateKey: privateKeyPem, clientId: 'IONPAYTEST', timestamp })
    assert.ok(snap.verifyNotification({ publicKey: publicKeyPem, clientId: 'IONPAYTEST', timestamp, signature }))
    assert.throws(() => snap.generateKeyPair(1024), invalid)
  })

  it('checks notification sources against NICEPAY ranges or your own', () => {
    assert.equal(snap.sourceAllowed('103.20.51.33'), true)
    assert.equal(snap.sourceAllowed('127.0.0.1'), false)
    assert.equal(snap.sourceAllowed('127.0.0.1', ['127.0.0.0/8']), true)
    assert.throws(() => snap.sourceAllowed('127.0.0.1', ['nonsense']), invalid)
    assert.throws(() => snap.sourceAllowed(42), invalid)
  })

  const builder = (over = {}) =>
    new snap.RequestBuilder({
      clientId: 'IONPAYTEST',
      clientSecret: 'test-client-secret',
      privateKey: repoFile('tests/keys/merchant-test-private-pkcs8.pem'),
      baseUrl: 'http://127.0.0.1:9',
      ...over,
    })

  it('prepares exactly the golden vectors', () => {
    const named = cases().filter((c) => c.ctx.operation)
    assert.ok(named.length >= 3)
    for (const c of named) {
      const body = c.bytes('body.json')
      const p = builder({ clientSecret: c.ctx.clientSecret }).prepare(c.ctx.operation, JSON.parse(body), {
        accessToken: c.ctx.accessToken,
        timestamp: c.ctx.timestamp,
        externalId: c.ctx.externalId,
      })
      const headers = Object.fromEntries(p.headers)
      assert.equal(p.body.toString(), body.toString().trim(), c.name)
      assert.equal(p.url, `http://127.0.0.1:9/nicepay${c.ctx.signedPath}`)
      assert.equal(headers['X-SIGNATURE'], c.text('signature.txt').trim(), c.name)
      assert.equal(headers['X-EXTERNAL-ID'], c.ctx.externalId)
    }
  })

  it('refuses bad input with typed errors and hides secrets', () => {
    assert.throws(() => builder({ privateKey: 'nope' }), invalid)
    const b = builder()
    assert.throws(() => b.prepare('qris.nope', {}, { accessToken: 'TOKEN' }), invalid)
    assert.throws(() => b.prepare('qris.generate', { amount: 5 }, { accessToken: 'TOKEN' }), invalid)
    assert.throws(() => b.prepare('qris.generate', {}, { accessToken: 'has space' }), invalid)
    assert.doesNotMatch(inspect(b), /test-client-secret/)
  })
})

describe('RequestBuilder and MerchantServer against the simulator', { skip: simulatorMissing() ?? false }, () => {
  let info
  simulatorSuite((started) => {
    ;({ info } = started)
  })
  const send = async (p) => {
    const res = await fetch(p.url, { method: p.method, headers: p.headers, body: p.body })
    return [res.status, Buffer.from(await res.arrayBuffer())]
  }
  const generateRequest = () => ({
    partnerReferenceNo: unique('ord'),
    amount: { value: '10000.00', currency: 'IDR' },
    merchantId: info.clientId,
    storeId: 'NicepayStoreID1',
    validityPeriod: '',
    additionalInfo: { goodsNm: 'Test goods', billingNm: 'Budi' },
  })

  it('runs a flow sent with fetch', async () => {
    const b = new snap.RequestBuilder({
      clientId: info.clientId,
      clientSecret: info.clientSecret,
      privateKey: info.privateKeyPem,
      baseUrl: info.baseUrl,
    })
    const { accessToken } = b.parse('access-token', ...(await send(b.prepareAccessToken())))
    const request = generateRequest()
    const generated = b.parse('qris.generate', ...(await send(b.prepare('qris.generate', request, { accessToken }))))
    assert.equal(generated.partnerReferenceNo, request.partnerReferenceNo)
    assert.ok(generated.qrContent)
    const raw = b.prepareRaw('POST', '/api/v1.0/qr/qr-mpm-generate', generateRequest(), { accessToken })
    assert.ok(b.parse('qris.generate', ...(await send(raw))).qrContent)
    const refused = await send(b.prepare('qris.generate', request, { accessToken: 'WRONGTOKEN' }))
    assert.throws(() => b.parse('qris.generate', ...refused), (e) => e.code === 'ERR_NICEPAY_API' && e.httpStatus === 401)
    assert.throws(() => b.parse('qris.generate', 200, '<html>'), { code: 'ERR_NICEPAY_API', httpStatus: 200 })
  })

  it('answers NICEPAY as a NIVA merchant, refusing forgeries, wrong amounts and repeats', async () => {
    const server = new snap.MerchantServer({
      clientId: 'MERCHANT-NIVA',
      clientSecret: 'merchant-issued-secret',
      nicepayPublicKey: info.notificationPublicKey,
    })
    const bills = { '700140001': { status: 'open', bill: { virtualAccountName: 'Budi', totalAmount: { value: '150000.00', currency: 'IDR' } } } }
    const paid = []
    const http = createServer((req, res) => {
      const chunks = []
      req.on('data', (c) => chunks.push(c)).on('end', async () => {
        const answer = await server.handle(req.method, req.url, req.headers, Buffer.concat(chunks), {
          lookup: (kind, request) => {
            const bill = bills[request.virtualAccountNo.trim()]
            return bill ? (bill.status === 'open' ? bill.bill : bill.status) : null
          },
          onPaid: (request) => {
            const va = request.virtualAccountNo.trim()
            bills[va].status = 'paid'
            paid.push(va)
          },
        })
        res.writeHead(answer.status, answer.headers).end(answer.body)
      })
    })
    await new Promise((resolve) => http.listen(0, '127.0.0.1', resolve))
    const baseUrl = `http://127.0.0.1:${http.address().port}`
    const pay = (payment = {}) =>
      admin(info, 'POST', '/__admin/niva/pay', {
        merchant: { baseUrl, clientId: 'MERCHANT-NIVA', clientSecret: 'merchant-issued-secret' },
        payment: { partnerServiceId: '70014', customerNo: '0001', ...payment },
      })
    try {
      const forged = await pay({ fault: 'forged-signature' })
      assert.equal(forged.paid, false)
      assert.equal(forged.steps.at(-1).httpStatus, 401)
      const wrong = await pay({ paidAmount: { value: '1.00', currency: 'IDR' } })
      assert.equal(wrong.steps.at(-1).responseCode, '4042513')
      assert.deepEqual(paid, [])
      const run = await pay()
      assert.equal(run.paid, true, JSON.stringify(run))
      assert.deepEqual(run.steps.map((s) => s.step), ['access-token', 'inquiry', 'payment'])
      assert.deepEqual(paid, ['700140001'])
      const again = await pay()
      assert.equal(again.paid, false)
      assert.equal(again.steps.at(-1).responseCode, '4042414')
      for (const fault of ['unknown-token', 'forged-token-request', 'replay-external-id']) {
        assert.equal((await pay({ customerNo: '0002', fault })).paid, false)
      }
      assert.deepEqual(paid, ['700140001'])
      assert.ok(server.liveTokens() >= 1)
      assert.throws(() => new snap.MerchantServer({ clientId: 'M', clientSecret: '', nicepayPublicKey: info.notificationPublicKey }), invalid)
    } finally {
      http.close()
    }
  })
})
