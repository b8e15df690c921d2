// The calls beyond the typed ones: account binding with its customer token, raw signed calls,
// and the payout result notification confirmed by inquiry, against the simulator on loopback.
import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import { randomUUID } from 'node:crypto'
import { describe, it } from 'node:test'

import { outcomeUnknown, snap } from './helpers.mjs'
import { admin, clientOptions, simulatorMissing, simulatorSuite } from './simulator.mjs'

const skip = simulatorMissing()
const unique = (prefix) => `${prefix}${randomUUID().replaceAll('-', '').slice(0, 20)}`

/** GET `url` without following redirects: resolves with [status, Location]. */
const get = (url) =>
  new Promise((resolve, reject) => {
    httpRequest(url, (res) => {
      res.resume()
      resolve([res.statusCode, res.headers.location])
    })
      .on('error', reject)
      .end()
  })

describe('binding, raw calls and payout notifications', { skip: skip ?? false }, () => {
  let info
  let inbox
  let client
  simulatorSuite((started) => {
    ;({ info, inbox } = started)
    client = new snap.Client(clientOptions(info))
  })

  it('binds an account, buys a customer token, inquires and unbinds', async () => {
    const order = unique('bind')
    const bound = await client.accountBinding({
      partnerReferenceNo: order,
      merchantId: info.clientId,
      additionalData: { userId: 'Budi Santoso', email: 'budi@example.com', phoneNo: '081234567890' },
      additionalInfo: { mitraCd: 'ALLO', callbackUrl: 'https://merchant.example/bound' },
    })
    assert.equal(bound.responseCode, '2000700')
    const [status, location] = await get(bound.redirectUrl)
    assert.equal(status, 303)
    const authCode = new URL(location).searchParams.get('authCode')
    assert.ok(authCode)
    const token = await client.customerToken({ grantType: 'AUTHORIZATION_CODE', authCode })
    assert.equal(token.responseCode, '2007400')
    await assert.rejects(client.customerToken({ grantType: 'AUTHORIZATION_CODE', authCode }), (e) => e.responseCode === '4017400')
    await assert.rejects(client.customerToken({ grantType: 'AUTHORIZATION_CODE' }), (e) => e.code === 'ERR_NICEPAY_INVALID_INPUT')
    const account = await client.accountInquiry({
      partnerReferenceNo: order,
      additionalInfo: { refreshToken: token.refreshToken, mitraCd: 'ALLO' },
    })
    assert.equal(account.accountName, 'Budi Santoso')
    const unbound = await client.accountUnbinding({
      partnerReferenceNo: order,
      merchantId: info.clientId,
      additionalInfo: { referenceNo: bound.referenceNo, mitraCd: 'ALLO', authCode },
    })
    assert.equal(unbound.unlinkResult, 'success')
  })

  it('makes raw signed calls under the same money-safety rules', async () => {
    const generated = await client.executeRaw(
      'POST',
      '/api/v1.0/qr/qr-mpm-generate',
      { partnerReferenceNo: unique('raw'), amount: { value: '10000.00', currency: 'IDR' }, merchantId: info.clientId, storeId: 'NICEPAY', additionalInfo: { goodsNm: 'Kopi' } },
      false,
    )
    assert.equal(generated.responseCode, '2004700')
    await admin(info, 'POST', `/__admin/qris/${generated.referenceNo}/pay`)
    await admin(info, 'POST', '/__admin/faults', { path: '/api/v1.0/qr/qr-mpm-refund', kind: 'respondAfter', status: 504, times: 1 })
    const refund = {
      originalReferenceNo: generated.referenceNo,
      originalPartnerReferenceNo: generated.partnerReferenceNo,
      partnerRefundNo: unique('rf'),
      merchantId: info.clientId,
      externalStoreId: '',
      refundAmount: { value: '10000.00', currency: 'IDR' },
      reason: 'test',
      additionalInfo: { cancelType: '1' },
    }
    await assert.rejects(
      client.executeRaw('POST', '/api/v1.0/qr/qr-mpm-refund', refund, true),
      outcomeUnknown({ operation: 'raw', identifiers: { partnerRefundNo: refund.partnerRefundNo } }),
    )
    await assert.rejects(client.executeRaw('POST', '/api/x?q=1', {}, false), (e) => e.code === 'ERR_NICEPAY_INVALID_INPUT')
    await assert.rejects(client.executeRaw('POST', '/api/x', {}, 'yes'), (e) => e.code === 'ERR_NICEPAY_INVALID_INPUT')
  })

  it('confirms a payout result notification by inquiry', async () => {
    await admin(info, 'POST', '/__admin/payout/notification-url', { url: inbox.url })
    const order = unique('po')
    const registered = await client.payoutRegistration({
      partnerReferenceNo: order, merchantId: info.clientId, beneficiaryAccountNo: '5345000060',
      beneficiaryName: 'Ani Wijaya', beneficiaryPhone: '08123456789', beneficiaryCustomerResidence: '1',
      beneficiaryCustomerType: '1', beneficiaryPostalCode: '10110', beneficiaryBankCode: 'BNIA', payoutMethod: '0',
      description: 'Seller payout', reservedDt: '', reservedTm: '', deliveryId: '', deliveryNm: 'Ani',
      amount: { value: '1500.00', currency: 'IDR' },
    })
    await client.payoutApprove({ originalReferenceNo: registered.referenceNo, originalPartnerReferenceNo: order, merchantId: info.clientId })
    const { headers, body } = await inbox.next()
    const confirmed = await client.verifyAndConfirm('payout', headers, body)
    assert.equal(confirmed.paid, true)
    assert.equal(confirmed.notification.originalReferenceNo, registered.referenceNo)
    await admin(info, 'POST', '/__admin/payout/notification-url', { url: '' })
  })
})
