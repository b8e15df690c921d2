// Bad input throws an Error with a stable `code` (never a crash), and no secret ever appears in
// an error's message, its properties or util.inspect output.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { inspect } from 'node:util'

import { repoFile, snap } from './helpers.mjs'

const SECRET = 'sup3r-s3cret-VALUE'
const TOKEN = 'ACCESS-TOKEN-VALUE-123'
const KEY = repoFile('tests/keys/merchant-test-private-pkcs8.pem')
const KEY_BODY = KEY.split('\n')[1] // a line of the key's base64
const TS = '2024-07-05T10:11:40+07:00'

const txn = (over = {}) => ({
  clientSecret: SECRET,
  method: 'POST',
  path: '/nicepay/api/v1.0/qr/qr-mpm-refund',
  accessToken: TOKEN,
  body: '{}',
  timestamp: TS,
  ...over,
})

/** Asserts `fn` throws an Error with `code` (and `field`), leaking no secret. */
function throwsCode(fn, code, field) {
  let caught
  try {
    fn()
  } catch (e) {
    caught = e
  }
  assert.ok(caught, 'expected a throw')
  assert.ok(caught instanceof Error, `not an Error: ${caught}`)
  assert.equal(caught.code, code, caught.message)
  if (field !== undefined) assert.equal(caught.field, field, caught.message)
  const shown = `${inspect(caught, { showHidden: true, depth: 5 })} ${caught} ${JSON.stringify(caught)} ${caught.stack}`
  for (const secret of [SECRET, TOKEN, KEY_BODY]) assert.ok(!shown.includes(secret), `leaked: ${shown}`)
  return caught
}

const INVALID = 'ERR_NICEPAY_INVALID_INPUT'

describe('signTransaction rejects bad input', () => {
  const cases = [
    ['options is not an object', () => snap.signTransaction(undefined), 'options'],
    ['options is a string', () => snap.signTransaction(SECRET), 'options'],
    ['options is an array', () => snap.signTransaction([SECRET]), 'options'],
    ['missing clientSecret', () => snap.signTransaction(txn({ clientSecret: undefined })), 'clientSecret'],
    ['empty clientSecret', () => snap.signTransaction(txn({ clientSecret: '' })), 'clientSecret'],
    ['clientSecret of the wrong type', () => snap.signTransaction(txn({ clientSecret: Buffer.from(SECRET) })), 'clientSecret'],
    ['numeric clientSecret', () => snap.signTransaction(txn({ clientSecret: 12345 })), 'clientSecret'],
    ['unsupported method', () => snap.signTransaction(txn({ method: 'GET' })), 'method'],
    ['path with a host', () => snap.signTransaction(txn({ path: 'https://x.invalid/api' })), 'path'],
    ['path with a query', () => snap.signTransaction(txn({ path: '/api/v1.0/x?y=1' })), 'path'],
    ['empty access token', () => snap.signTransaction(txn({ accessToken: '' })), 'accessToken'],
    ['access token with a space', () => snap.signTransaction(txn({ accessToken: `${TOKEN} x` })), 'accessToken'],
    ['access token object', () => snap.signTransaction(txn({ accessToken: { toString: () => TOKEN } })), 'accessToken'],
    ['body of the wrong type', () => snap.signTransaction(txn({ body: { a: 1 } })), 'body'],
    ['body number', () => snap.signTransaction(txn({ body: 42 })), 'body'],
    ['missing body', () => snap.signTransaction(txn({ body: undefined })), 'body'],
    ['timestamp not +07:00', () => snap.signTransaction(txn({ timestamp: '2024-07-05T03:11:40Z' })), 'timestamp'],
    ['garbage timestamp', () => snap.signTransaction(txn({ timestamp: 'yesterday' })), 'timestamp'],
    ['Date timestamp', () => snap.signTransaction(txn({ timestamp: new Date() })), 'timestamp'],
  ]
  for (const [name, fn, field] of cases) it(name, () => throwsCode(fn, INVALID, field))

  it('names the canonical spelling of a non-Jakarta timestamp', () => {
    const e = throwsCode(() => snap.signTransaction(txn({ timestamp: '2024-07-05T03:11:40Z' })), INVALID, 'timestamp')
    assert.match(e.message, /2024-07-05T10:11:40\+07:00/)
  })
})

describe('other functions reject bad input', () => {
  const cases = [
    ['bodySha256Hex(number)', () => snap.bodySha256Hex(1), 'body'],
    ['bodySha256Hex()', () => snap.bodySha256Hex(), 'body'],
    ['minifyJson(invalid JSON)', () => snap.minifyJson('{"a":'), 'body'],
    ['minifyJson(two documents)', () => snap.minifyJson('{} {}'), 'body'],
    ['minifyJson(null)', () => snap.minifyJson(null), 'body'],
    ['signedPath(/nicepay)', () => snap.signedPath('/nicepay'), 'path'],
    ['signedPath(number)', () => snap.signedPath(7), 'path'],
    ['normalizeTimestamp(bad)', () => snap.normalizeTimestamp('2024-13-01T00:00:00Z'), 'timestamp'],
    ['tokenStringToSign(clientId with |)', () => snap.tokenStringToSign({ clientId: 'a|b', timestamp: TS }), 'clientId'],
    ['tokenStringToSign(clientId of 21 chars)', () => snap.tokenStringToSign({ clientId: 'I'.repeat(21), timestamp: TS }), 'clientId'],
    ['signTokenRequest(clientId of 100k chars)', () => snap.signTokenRequest({ privateKey: KEY, clientId: 'I'.repeat(100_000), timestamp: TS }), 'clientId'],
    [
      'signTokenRequest(bad key)',
      () => snap.signTokenRequest({ privateKey: 'not a key', clientId: 'IONPAYTEST', timestamp: TS }),
      'privateKey',
    ],
    [
      'signTokenRequest(public key as private)',
      () =>
        snap.signTokenRequest({
          privateKey: repoFile('tests/keys/merchant-test-public.pem'),
          clientId: 'IONPAYTEST',
          timestamp: TS,
        }),
      'privateKey',
    ],
    [
      'signTokenRequest(truncated key)',
      () => snap.signTokenRequest({ privateKey: KEY.slice(0, 400), clientId: 'IONPAYTEST', timestamp: TS }),
      'privateKey',
    ],
    [
      'signTokenRequest(bad timestamp)',
      () => snap.signTokenRequest({ privateKey: KEY, clientId: 'IONPAYTEST', timestamp: '2024-07-05 10:11:40' }),
      'timestamp',
    ],
    [
      'signTokenRequest(a PublicKey as privateKey)',
      () =>
        snap.signTokenRequest({
          privateKey: new snap.PublicKey(repoFile('tests/keys/merchant-test-public.pem')),
          clientId: 'IONPAYTEST',
          timestamp: TS,
        }),
      'privateKey',
    ],
    [
      'signTokenRequest(a look-alike object as privateKey)',
      () => snap.signTokenRequest({ privateKey: { inner: KEY }, clientId: 'IONPAYTEST', timestamp: TS }),
      'privateKey',
    ],
    ['new PrivateKey(garbage)', () => new snap.PrivateKey('-----BEGIN PRIVATE KEY-----\nQUJD\n-----END PRIVATE KEY-----'), 'privateKey'],
    ['new PrivateKey(number)', () => new snap.PrivateKey(5), 'privateKey'],
    ['new PublicKey(private key)', () => new snap.PublicKey(KEY), 'publicKey'],
    ['PrivateKey.sign(number)', () => new snap.PrivateKey(KEY).sign(5), 'message'],
    [
      'verifyNotification(bad key)',
      () => snap.verifyNotification({ publicKey: 'QUJD', clientId: 'X', timestamp: TS, signature: 'QUJD' }),
      'publicKey',
    ],
    [
      'verifyNotification(missing signature)',
      () => snap.verifyNotification({ publicKey: repoFile('tests/keys/merchant-test-public.pem'), clientId: 'X', timestamp: TS }),
      'signature',
    ],
  ]
  for (const [name, fn, field] of cases) it(name, () => throwsCode(fn, INVALID, field))

  it('an unverifiable notification signature is false, not a throw', () => {
    const publicKey = repoFile('tests/keys/merchant-test-public.pem')
    for (const signature of ['', 'QUJD', '***', 'A'.repeat(344)]) {
      assert.equal(snap.verifyNotification({ publicKey, clientId: 'IONPAYTEST', timestamp: TS, signature }), false)
    }
  })

  it('any typed-array view is hashed as its bytes, like node:crypto does', () => {
    const view = new Float64Array([1.5, -2])
    assert.equal(snap.bodySha256Hex(view), snap.bodySha256Hex(Buffer.from(view.buffer)))
  })

  it('an exception thrown by a getter propagates unchanged', () => {
    const trap = new Proxy({}, { get: () => { throw new RangeError('trap') } })
    assert.throws(() => snap.signTransaction(trap), { name: 'RangeError', message: 'trap' })
  })

  it('hostile arguments never crash the process', () => {
    const hostile = [
      Symbol('s'),
      10n,
      () => SECRET,
      Object.create(null),
      { clientSecret: SECRET, body: new ArrayBuffer(4) },
    ]
    for (const value of hostile) {
      for (const fn of [snap.signTransaction, snap.signTokenRequest, snap.verifyNotification, snap.bodySha256Hex, snap.minifyJson]) {
        throwsCode(() => fn(value), INVALID)
      }
    }
  })
})

describe('secrets stay out of inspect output', () => {
  it('the error of a failed signature carries no input value', () => {
    const e = throwsCode(() => snap.signTransaction(txn({ method: 'PATCH' })), INVALID, 'method')
    assert.deepEqual(
      Object.keys(e).sort(),
      ['code', 'field'],
    )
  })

  it('a parsed PrivateKey shows no key material', () => {
    const key = new snap.PrivateKey(KEY)
    const shown = [inspect(key, { showHidden: true, depth: 5 }), String(key), JSON.stringify(key), Object.keys(key).join()].join(' ')
    assert.ok(!shown.includes(KEY_BODY), shown)
  })

  it('the module itself shows no state', () => {
    snap.signTransaction(txn())
    const shown = inspect(snap, { showHidden: true, depth: 5 })
    assert.ok(!shown.includes(SECRET) && !shown.includes(TOKEN))
  })
})

describe('error messages echo a short prefix of a refused value', () => {
  const HUGE = '9'.repeat(10 * 1024 * 1024)
  const PUBLIC = repoFile('tests/keys/merchant-test-public.pem')
  const short = (e) => {
    assert.ok(e.message.length < 300, `${e.message.length} chars: ${e.message.slice(0, 300)}`)
    assert.ok(e.message.includes(`(${HUGE.length} bytes)`), e.message)
  }

  it('a 10 MB X-TIMESTAMP header to verifyNotificationRequest', () => {
    const headers = { 'x-timestamp': HUGE, 'x-signature': 'QUJD', 'x-client-key': 'IONPAYTEST' }
    short(throwsCode(() => snap.verifyNotificationRequest({ publicKey: PUBLIC, clientId: 'IONPAYTEST' }, headers, '{}'), INVALID))
  })

  it('a 10 MB timestamp to verifyNotification, X-CLIENT-KEY, method', () => {
    short(throwsCode(() => snap.verifyNotification({ publicKey: PUBLIC, clientId: 'IONPAYTEST', timestamp: HUGE, signature: 'QUJD' }), INVALID, 'timestamp'))
    const headers = { 'x-timestamp': TS, 'x-signature': 'QUJD', 'x-client-key': HUGE }
    short(throwsCode(() => snap.verifyNotificationRequest({ publicKey: PUBLIC, clientId: 'IONPAYTEST' }, headers, '{}'), INVALID))
    short(throwsCode(() => snap.signTransaction(txn({ method: HUGE })), INVALID, 'method'))
  })
})
