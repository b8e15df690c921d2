// What the two example apps share: the client and a QRIS checkout. With NICEPAY_SIMULATOR set
// (e.g. http://127.0.0.1:8800, a running `nicepay-snap simulate --port 8800`) the credentials
// come from the simulator's /__admin/info; otherwise from the NICEPAY_* environment variables
// (Client.fromEnv). APP_URL is where NICEPAY reaches this app (default http://127.0.0.1:8000).
import { randomUUID } from 'node:crypto'

import { Client } from 'nicepay-snap'

export const SIMULATOR = process.env.NICEPAY_SIMULATOR ?? ''
export const APP_URL = process.env.APP_URL ?? 'http://127.0.0.1:8000'
export const PORT = Number(new URL(APP_URL).port || 8000)

export async function client() {
  if (!SIMULATOR) return Client.fromEnv()
  const info = await (await fetch(`${SIMULATOR}/__admin/info`)).json()
  return new Client({
    clientId: info.clientId,
    clientSecret: info.clientSecret,
    privateKey: info.privateKeyPem,
    notificationPublicKey: info.notificationPublicKey,
    baseUrl: info.baseUrl,
  })
}

/** Creates a QRIS for a new order, notified to this app; answers how to pay it. */
export async function checkout(nicepay) {
  const generated = await nicepay.qrisGenerate({
    partnerReferenceNo: `order-${randomUUID().slice(0, 12)}`,
    amount: { value: '15000.00', currency: 'IDR' },
    merchantId: nicepay.clientId,
    storeId: 'NICEPAY',
    validityPeriod: '',
    additionalInfo: { goodsNm: 'Kopi', dbProcessUrl: `${APP_URL}/api/v1.0/qr/qr-mpm-notify` },
  })
  const answer = { referenceNo: generated.referenceNo, qrContent: generated.qrContent }
  if (SIMULATOR) answer.pay = `curl -X POST ${SIMULATOR}/__admin/qris/${generated.referenceNo}/pay`
  return answer
}

/** onPaid: runs once per confirmed payment (a real app marks the order paid here). */
export function fulfil(result) {
  const order = result.notification.originalPartnerReferenceNo ?? result.notification.trxId
  console.log(`paid: ${result.product} order ${order}`)
}
