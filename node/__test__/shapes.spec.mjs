// The run-time shape checker (shapes.mjs) and its table (payload-shapes.json, generated from the
// Python TypedDicts with the TypeScript interfaces): it covers every named Client method and
// catches each kind of mistake, so the flow tests that run through it can fail.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { snap } from './helpers.mjs'
import { ShapeError, conforms, methodNames, methodTypes } from './shapes.mjs'

const generate = () => ({
  partnerReferenceNo: 'ord-1',
  amount: { value: '10000.00', currency: 'IDR' },
  merchantId: 'IONPAYTEST',
  storeId: 'NicepayStoreID1',
  additionalInfo: { goodsNm: 'Coffee', userIP: '127.0.0.1' },
})
const request = { ref: 'QrisGenerateRequest' }

describe('payload shapes', () => {
  it('cover every named Client method', () => {
    const client = Object.getOwnPropertyNames(snap.Client.prototype)
    for (const method of methodNames) assert.ok(client.includes(method), method)
    assert.ok(methodNames.length >= 18, `${methodNames.length} methods`)
    assert.deepEqual(methodTypes('payoutApprove'), { operation: 'payout.approve', request: 'PayoutReference', response: 'PayoutResponse' })
  })

  it('accept a valid request', () => conforms(generate(), request, { strict: true }))

  it('reject each kind of mistake', () => {
    const { storeId, ...missing } = generate()
    assert.ok(storeId)
    const cases = [
      [missing, /lacks required keys storeId/],
      [{ ...generate(), storeID: 'x' }, /key storeID is not declared in QrisGenerateRequest/],
      [{ ...generate(), amount: '10000.00' }, /\$\.amount: expected an object, got string/],
      [{ ...generate(), amount: { value: 10000, currency: 'IDR' } }, /\$\.amount\.value: expected string, got number/],
      [{ ...generate(), additionalInfo: { userIp: '127.0.0.1' } }, /key userIp is not declared in QrisGenerateAdditionalInfo/],
      [{ ...generate(), subMerchantId: 5 }, /\$\.subMerchantId: matches none of its types/],
    ]
    for (const [value, message] of cases) {
      assert.throws(() => conforms(value, request, { strict: true }), (e) => e instanceof ShapeError && message.test(e.message))
    }
  })

  it('allow undeclared response keys, not missing or mistyped ones', () => {
    const response = {
      responseCode: '2001100',
      responseMessage: 'Successful',
      accountNo: null,
      accountInfos: [{ availableBalance: { value: '1.00', currency: 'IDR' }, newKey: 1 }],
      somethingNew: true,
    }
    const type = { ref: 'BalanceInquiryResponse' }
    conforms(response, type, { strict: false })
    assert.throws(() => conforms(response, type, { strict: true }), ShapeError)
    assert.throws(() => conforms({ ...response, accountInfos: null }, type, { strict: false }), /accountInfos: expected an array/)
    const { accountInfos, ...without } = response
    assert.ok(accountInfos)
    assert.throws(() => conforms(without, type, { strict: false }), /lacks required keys accountInfos/)
  })
})
