// The named Virtual Account, e-wallet and payout methods against the simulator on loopback: a
// full flow per service with signed notifications received on a node:http inbox and confirmed by
// verifyAndConfirm, the services' rejections (ERR_NICEPAY_API with the parsed responseCode) and a
// payout approve whose outcome is unknown, resolved by inquiry.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { beforeEach, describe, it } from 'node:test'

import { outcomeUnknown, snap } from './helpers.mjs'
import { checked } from './shapes.mjs'
import { admin, clientOptions, simulatorMissing, simulatorSuite } from './simulator.mjs'

const APPROVE_PATH = '/api/v1.0/transfer/approve'
const SHOP_RETURN = 'http://127.0.0.1:9/shop/return' // never opened: the redirect is not followed
const skip = simulatorMissing()

const unique = (prefix) => `${prefix}${randomUUID().replaceAll('-', '').slice(0, 20)}`
const idr = (value) => ({ value, currency: 'IDR' })

/** Asserts a rejection with ERR_NICEPAY_API and the given responseCode (and HTTP status). */
const apiError = (responseCode, httpStatus) => (e) => {
  assert.ok(e instanceof Error)
  assert.equal(e.code, 'ERR_NICEPAY_API')
  assert.equal(e.responseCode, responseCode)
  if (httpStatus !== undefined) assert.equal(e.httpStatus, httpStatus)
  assert.ok(e.responseMessage)
  return true
}

describe('VA, e-wallet and payout methods against the simulator', { skip: skip ?? false }, () => {
  let info
  let inbox
  let client
  simulatorSuite((started) => {
    ;({ info, inbox } = started)
    // Every request and response of these flows is checked against the payload interfaces.
    client = checked(new snap.Client(clientOptions(info)))
  })

  it('has a named Promise method for every operation', () => {
    for (const name of [
      'qrisGenerate',
      'qrisQuery',
      'qrisRefund',
      'vaCreate',
      'vaStatus',
      'vaDelete',
      'ewalletPayment',
      'ewalletStatus',
      'ewalletRefund',
      'payoutRegistration',
      'payoutApprove',
      'payoutInquiry',
      'payoutCancel',
      'payoutReject',
      'balanceInquiry',
    ]) {
      assert.equal(typeof client[name], 'function', name)
    }
  })

  describe('Virtual Account', () => {
    const createRequest = (trxId, value, dbProcessUrl) => ({
      partnerServiceId: '',
      customerNo: '',
      virtualAccountNo: '',
      virtualAccountName: 'Budi Santoso',
      trxId,
      totalAmount: idr(value),
      additionalInfo: {
        bankCd: 'BMRI',
        goodsNm: 'Kopi',
        vacctValidDt: '',
        vacctValidTm: '',
        ...(dbProcessUrl ? { dbProcessUrl } : {}),
      },
    })
    const statusRequest = ({ vaNo, txid, trxId, value }) => ({
      partnerServiceId: '',
      customerNo: '',
      virtualAccountNo: vaNo,
      inquiryRequestId: unique('inq'),
      additionalInfo: { totalAmount: idr(value), trxId, tXidVA: txid },
    })
    const deleteRequest = ({ vaNo, txid, trxId, value }) => ({
      partnerServiceId: '',
      customerNo: '',
      virtualAccountNo: vaNo,
      trxId,
      additionalInfo: { totalAmount: idr(value), tXidVA: txid, cancelMessage: 'Order cancelled' },
    })
    const statusOf = (response) => response.virtualAccountData.additionalInfo.latestTransactionStatus

    /** Creates a VA; resolves with its ids. */
    async function create(value, dbProcessUrl) {
      const trxId = unique('va')
      const created = await client.vaCreate(createRequest(trxId, value, dbProcessUrl))
      assert.equal(created.responseCode, '2002700')
      const data = created.virtualAccountData
      assert.match(data.virtualAccountNo, /^\d+$/)
      assert.ok(data.additionalInfo.tXidVA.startsWith(`${info.clientId}02`), data.additionalInfo.tXidVA)
      return { vaNo: data.virtualAccountNo, txid: data.additionalInfo.tXidVA, trxId, value }
    }

    it('create → pay → notification confirmed → status paid → delete refused', async () => {
      const va = await create('25000.00', inbox.url)
      const pending = await client.vaStatus(statusRequest(va))
      assert.equal(pending.responseCode, '2002600')
      assert.equal(statusOf(pending), '03')

      // The customer transfers: the simulator posts a signed notification to dbProcessUrl.
      const paid = await admin(info, 'POST', `/__admin/va/${va.vaNo}/pay`)
      assert.equal(paid.referenceNo, va.txid)
      assert.equal(paid.notification.delivered, true)
      const { headers, body } = await inbox.next()
      const confirmed = await client.verifyAndConfirm('va', headers, body)
      assert.equal(confirmed.paid, true)
      assert.equal(confirmed.notification.virtualAccountNo, va.vaNo)
      assert.equal(confirmed.notification.trxId, va.trxId)
      assert.equal(confirmed.notification.additionalInfo.tXidVA, va.txid)
      assert.equal(statusOf(confirmed.status), '00')
      // The signature does not cover the body: an edited amount is caught by the status query.
      const edited = body.toString('utf8').replace('25000.00', '1.00')
      assert.notEqual(edited, body.toString('utf8'))
      assert.equal((await client.verifyAndConfirm('va', headers, edited)).paid, false)

      const status = await client.vaStatus(statusRequest(va))
      assert.equal(statusOf(status), '00')
      // A paid VA cannot be deleted (Paid Bill).
      await assert.rejects(client.vaDelete(deleteRequest(va)), apiError('4043113', 404))
    })

    it('deletes an unpaid VA (DELETE with a body), which then reads as cancelled', async () => {
      const va = await create('10000.00')
      const deleted = await client.vaDelete(deleteRequest(va))
      assert.equal(deleted.responseCode, '2003100')
      assert.equal(statusOf(await client.vaStatus(statusRequest(va))), '04')
      await assert.rejects(client.vaDelete(deleteRequest(va)), apiError('4033115', 403))
      // A duplicate trxId is refused; execute() by name reaches the same operation.
      await assert.rejects(client.execute('va.create', createRequest(va.trxId, '1.00')), apiError('4092701', 409))
    })
  })

  describe('e-wallet', () => {
    const paymentRequest = (order, value) => ({
      partnerReferenceNo: order,
      merchantId: info.clientId,
      subMerchantId: '',
      externalStoreId: '',
      validUpTo: '',
      pointOfInitiation: 'Mobile App',
      amount: idr(value),
      urlParam: [
        { url: inbox.url, type: 'PAY_NOTIFY', isDeeplink: 'N' },
        { url: SHOP_RETURN, type: 'PAY_RETURN', isDeeplink: 'N' },
      ],
      additionalInfo: { mitraCd: 'DANA', goodsNm: 'Kopi' },
    })
    const statusRequest = (referenceNo, order, value) => ({
      merchantId: info.clientId,
      subMerchantId: '',
      originalPartnerReferenceNo: order,
      originalReferenceNo: referenceNo,
      serviceCode: '54',
      transactionDate: snap.timestampNow(),
      externalStoreId: '',
      amount: idr(value),
      additionalInfo: {},
    })
    const refundRequest = (referenceNo, order, value) => ({
      merchantId: info.clientId,
      subMerchantId: '',
      originalPartnerReferenceNo: order,
      originalReferenceNo: referenceNo,
      partnerRefundNo: unique('rfd'),
      externalStoreId: '',
      refundAmount: idr(value),
      reason: 'Customer request',
      additionalInfo: { refundType: '1' },
    })

    it('payment → redirect page → notification confirmed → status → partial refund → over-refund refused', async () => {
      const order = unique('ew')
      const payment = await client.ewalletPayment(paymentRequest(order, '30000.00'))
      assert.equal(payment.responseCode, '2005400')
      assert.equal(payment.partnerReferenceNo, order)
      const { referenceNo, webRedirectUrl } = payment
      assert.ok(referenceNo)
      const pending = await client.ewalletStatus(statusRequest(referenceNo, order, '30000.00'))
      assert.equal(pending.responseCode, '2005500')
      assert.equal(pending.latestTransactionStatus, '03')

      // The customer opens webRedirectUrl (only ever on loopback): paid, notified, sent back.
      const page = new URL(webRedirectUrl)
      assert.equal(page.hostname, '127.0.0.1')
      assert.ok(webRedirectUrl.startsWith(info.baseUrl), webRedirectUrl)
      const res = await fetch(page, { redirect: 'manual' })
      await res.arrayBuffer()
      assert.equal(res.status, 303)
      assert.equal(res.headers.get('location'), SHOP_RETURN)

      const { headers, body } = await inbox.next()
      const confirmed = await client.verifyAndConfirm('ewallet', headers, body)
      assert.equal(confirmed.paid, true)
      assert.equal(confirmed.notification.originalReferenceNo, referenceNo)
      assert.equal(confirmed.status.latestTransactionStatus, '00')

      const paid = await client.ewalletStatus(statusRequest(referenceNo, order, '30000.00'))
      assert.equal(paid.latestTransactionStatus, '00')
      assert.equal(paid.amount.value, '30000.00')

      const partial = refundRequest(referenceNo, order, '10000.00')
      const refunded = await client.ewalletRefund(partial)
      assert.equal(refunded.responseCode, '2005800')
      assert.equal(refunded.partnerRefundNo, partial.partnerRefundNo)
      assert.equal(refunded.refundAmount.value, '10000.00')
      const after = await client.ewalletStatus(statusRequest(referenceNo, order, '30000.00'))
      assert.equal(after.additionalInfo.remainingAmount.value, '20000.00')

      // More than what remains is refused (Exceeds Transaction Amount Limit); so is a reused
      // partnerRefundNo.
      await assert.rejects(client.ewalletRefund(refundRequest(referenceNo, order, '20000.01')), apiError('4035802', 403))
      await assert.rejects(client.ewalletRefund(partial), apiError('4095801', 409))
    })

    it('refuses a refund of an unpaid payment', async () => {
      const order = unique('ew')
      const { referenceNo } = await client.ewalletPayment(paymentRequest(order, '5000.00'))
      await assert.rejects(client.ewalletRefund(refundRequest(referenceNo, order, '1.00')), apiError('4035815', 403))
    })
  })

  describe('payout', () => {
    const ACCOUNT = '5345000060'
    const registrationRequest = (partnerReferenceNo, value, scheduled = false) => ({
      partnerReferenceNo,
      merchantId: info.clientId,
      beneficiaryAccountNo: ACCOUNT,
      beneficiaryName: 'Ani Wijaya',
      beneficiaryPhone: '08123456789',
      beneficiaryCustomerResidence: '1',
      beneficiaryCustomerType: '1',
      beneficiaryPostalCode: '10110',
      beneficiaryBankCode: 'BNIA',
      payoutMethod: '0',
      description: 'Seller payout',
      reservedDt: scheduled ? '20991231' : '',
      reservedTm: scheduled ? '100000' : '',
      deliveryId: '',
      deliveryNm: 'Ani',
      amount: idr(value),
    })
    const reference = ({ referenceNo, partnerReferenceNo }, beneficiaryAccountNo) => ({
      originalReferenceNo: referenceNo,
      originalPartnerReferenceNo: partnerReferenceNo,
      merchantId: info.clientId,
      ...(beneficiaryAccountNo ? { beneficiaryAccountNo } : {}),
    })
    const balance = async () => {
      const res = await client.balanceInquiry({ accountNo: '', additionalInfo: { msId: '' } })
      assert.equal(res.responseCode, '2001100')
      return res.accountInfos[0].availableBalance.value
    }

    /** Registers a payout: status 03, awaiting approve or reject. */
    async function register(value, scheduled) {
      const partnerReferenceNo = unique('po')
      const registered = await client.payoutRegistration(registrationRequest(partnerReferenceNo, value, scheduled))
      assert.equal(registered.responseCode, '2000000')
      assert.equal(registered.partnerReferenceNo, partnerReferenceNo)
      assert.equal(registered.transactionStatus, '03')
      assert.ok(registered.referenceNo.startsWith(`${info.clientId}07`), registered.referenceNo)
      return { referenceNo: registered.referenceNo, partnerReferenceNo }
    }

    beforeEach(async () => {
      await admin(info, 'POST', '/__admin/payout/balance', { availableBalance: '100000.00' })
    })

    it('registration → approve → inquiry 00, balance debited', async () => {
      assert.equal(await balance(), '100000.00')
      const payout = await register('1500.00')
      const approved = await client.payoutApprove(reference(payout))
      assert.equal(approved.responseCode, '2000000')
      assert.equal(approved.transactionStatus, '00')
      const inquiry = await client.payoutInquiry(reference(payout, ACCOUNT))
      assert.equal(inquiry.responseCode, '2000000')
      assert.equal(inquiry.transactionStatus, '00')
      assert.equal(inquiry.originalReferenceNo, payout.referenceNo)
      assert.equal(inquiry.beneficiaryAccountNo, ACCOUNT)
      assert.equal(await balance(), '98500.00')
      const state = await admin(info, 'GET', '/__admin/payout/balance')
      assert.equal(state.payoutBalances[info.clientId], '98500.00')
      // Approving twice is refused; inquiry needs the beneficiary account.
      await assert.rejects(client.payoutApprove(reference(payout)), apiError('4030015', 403))
      await assert.rejects(client.payoutInquiry(reference(payout)), apiError('4000002', 400))
    })

    it('registration → reject 05; approve after reject is refused', async () => {
      const payout = await register('1000.00')
      const rejected = await client.payoutReject(reference(payout, ACCOUNT))
      assert.equal(rejected.responseCode, '2000000')
      assert.equal(rejected.transactionStatus, '05')
      await assert.rejects(client.payoutApprove(reference(payout)), apiError('4030015', 403))
      assert.equal((await client.payoutInquiry(reference(payout, ACCOUNT))).transactionStatus, '05')
      assert.equal(await balance(), '100000.00')
    })

    it('cancels a scheduled payout (04), crediting an approved amount back', async () => {
      const payout = await register('2000.00', true)
      await client.payoutApprove(reference(payout))
      assert.equal(await balance(), '98000.00')
      const cancelled = await client.payoutCancel(reference(payout))
      assert.equal(cancelled.transactionStatus, '04')
      assert.equal(await balance(), '100000.00')
      await assert.rejects(client.payoutCancel(reference(payout)), apiError('4030015', 403))
    })

    it('reports an approve answered with 504 as an unknown outcome, resolved by inquiry', async () => {
      const payout = await register('1000.00')
      await admin(info, 'POST', '/__admin/faults', { path: APPROVE_PATH, kind: 'respondAfter', status: 504, times: 1 })
      const expected = { operation: 'payout.approve', httpStatus: 504, identifiers: { originalReferenceNo: payout.referenceNo } }
      await assert.rejects(client.payoutApprove(reference(payout)), outcomeUnknown(expected))
      // Never approve again blindly: the inquiry says the approve was applied, exactly once.
      const inquiry = await client.payoutInquiry(reference(payout, ACCOUNT))
      assert.equal(inquiry.transactionStatus, '00')
      assert.equal(await balance(), '99000.00')
    })

    it('refuses an approve above the balance; the payout stays pending', async () => {
      await admin(info, 'POST', '/__admin/payout/balance', { availableBalance: '500.00' })
      const payout = await register('500.01')
      await assert.rejects(client.payoutApprove(reference(payout)), apiError('4030014', 403))
      assert.equal((await client.payoutInquiry(reference(payout, ACCOUNT))).transactionStatus, '03')
      assert.equal(await balance(), '500.00')
      await assert.rejects(client.balanceInquiry({ accountNo: 'SOMEONEELSE', additionalInfo: { msId: '' } }), apiError('4041111', 404))
    })
  })
})
