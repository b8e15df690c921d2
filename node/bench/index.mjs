// Compares the addon with the same operations done by Node's built-in crypto, on the same
// inputs, asserting equal outputs first. Not part of CI. Build the addon in release mode first:
//   npm run build:release && npm run bench
// Options: BENCH_MS (time per side and case, default 1500), BENCH_ROUNDS (default 5).
import assert from 'node:assert/strict'
import { createHash, createHmac, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const snap = createRequire(import.meta.url)('../index.js')
const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..')
const read = (p) => readFileSync(join(root, p))
const BENCH_MS = Number(process.env.BENCH_MS || 1500)
const ROUNDS = Number(process.env.BENCH_ROUNDS || 5)

// Inputs: the spec refund vector, the test merchant key, the test notification vector.
const vec = join('tests', 'vectors', 'spec-hmac-qris-refund')
const ctx = JSON.parse(read(join(vec, 'context.json')))
const body = read(join(vec, 'body.json'))
const privatePem = read('tests/keys/merchant-test-private-pkcs8.pem').toString()
const publicPem = read('tests/keys/merchant-test-public.pem').toString()
const clientId = 'IONPAYTEST'
const ts = ctx.timestamp

function nodeSignTransaction({ clientSecret, method, path, accessToken, body, timestamp }) {
  const signedPath = path.startsWith('/nicepay/') ? path.slice('/nicepay'.length) : path
  const hash = createHash('sha256').update(body).digest('hex')
  const sts = `${method}:${signedPath}:${accessToken}:${hash}:${timestamp}`
  return createHmac('sha512', clientSecret).update(sts).digest('base64')
}
const txn = { clientSecret: ctx.clientSecret, method: ctx.method, path: ctx.path, accessToken: ctx.accessToken, body, timestamp: ts }

const keyObject = createPrivateKey(privatePem)
const pubObject = createPublicKey(publicPem)
const nodeSignToken = (key) => sign('sha256', Buffer.from(`${clientId}|${ts}`), key).toString('base64')
const tokenSig = nodeSignToken(keyObject)
const nodeVerify = (key, sig) => verify('sha256', Buffer.from(`${clientId}|${ts}`), key, Buffer.from(sig, 'base64'))
const notif = { publicKey: publicPem, clientId, timestamp: ts, signature: tokenSig }
const parsedKey = new snap.PrivateKey(privatePem)
const parsedNotif = { ...notif, publicKey: new snap.PublicKey(publicPem) }

// Same inputs, same outputs.
assert.equal(snap.signTransaction(txn), nodeSignTransaction(txn))
assert.equal(snap.signTransaction(txn), readFileSync(join(root, vec, 'signature.txt'), 'utf8'))
assert.equal(snap.signTokenRequest({ privateKey: privatePem, clientId, timestamp: ts }), tokenSig)
assert.equal(snap.verifyNotification(notif), true)
assert.equal(snap.signTokenRequest({ privateKey: parsedKey, clientId, timestamp: ts }), tokenSig)
assert.equal(snap.verifyNotification(parsedNotif), true)
assert.equal(nodeVerify(pubObject, tokenSig), true)

/** Runs `fn` for about BENCH_MS / ROUNDS (after a warm-up); returns operations per second. */
function measure(fn) {
  for (let i = 0; i < 50; i++) fn()
  let n = 0
  const start = process.hrtime.bigint()
  const deadline = start + BigInt(Math.ceil(BENCH_MS / ROUNDS)) * 1_000_000n
  let now = start
  while (now < deadline) {
    for (let i = 0; i < 20; i++) fn()
    n += 20
    now = process.hrtime.bigint()
  }
  return n / (Number(now - start) / 1e9)
}

const rows = []
// Rounds alternate between the two sides and the best round of each counts, so that load from
// other processes (a shared 2-core machine) distorts the ratio as little as possible.
function compare(name, binding, node, note = '') {
  let b = 0
  let n = 0
  for (let r = 0; r < ROUNDS; r++) {
    b = Math.max(b, measure(binding))
    n = Math.max(n, measure(node))
  }
  rows.push({ name, binding: b, node: n, ratio: b / n, note })
}

compare('signTransaction (HMAC-SHA512)', () => snap.signTransaction(txn), () => nodeSignTransaction(txn))
compare(
  'signTokenRequest (RSA-2048 sign)',
  () => snap.signTokenRequest({ privateKey: privatePem, clientId, timestamp: ts }),
  () => nodeSignToken(createPrivateKey(privatePem)),
  'both parse the PEM per call',
)
compare(
  'signTokenRequest, keys parsed once',
  () => snap.signTokenRequest({ privateKey: parsedKey, clientId, timestamp: ts }),
  () => nodeSignToken(keyObject),
  'PrivateKey vs KeyObject',
)
compare(
  'verifyNotification (RSA-2048 verify)',
  () => snap.verifyNotification(notif),
  () => nodeVerify(createPublicKey(publicPem), tokenSig),
  'both parse the PEM per call',
)
compare(
  'verifyNotification, keys parsed once',
  () => snap.verifyNotification(parsedNotif),
  () => nodeVerify(pubObject, tokenSig),
  'PublicKey vs KeyObject',
)

const fmt = (x) => x.toFixed(0).padStart(10)
console.log(`node ${process.version}, ${BENCH_MS} ms per side and case, best of ${ROUNDS} rounds; ratio = binding ops/s ÷ node:crypto ops/s (> 1: binding faster)\n`)
console.log(`${'operation'.padEnd(44)}${'binding/s'.padStart(10)}${'node/s'.padStart(10)}   ratio  note`)
for (const r of rows) {
  console.log(`${r.name.padEnd(44)}${fmt(r.binding)}${fmt(r.node)}   ${r.ratio.toFixed(2).padStart(5)}  ${r.note}`)
}
