// Every golden vector in tests/vectors/, artifact by artifact: the same files the Rust and
// Python suites read, which is what proves the binding is thin.
import assert from 'node:assert/strict'
import { createPublicKey, verify } from 'node:crypto'
import { describe, it } from 'node:test'

import { cases, repoFile, snap } from './helpers.mjs'

/** A suite over every vector case of `kind` (at least `min` of them): `body(c)` per case. */
function eachCase(title, kind, min, body) {
  describe(title, () => {
    const all = cases(kind)
    it('finds the committed cases', () => assert.ok(all.length >= min, `found ${all.length}`))
    for (const c of all) body(c)
  })
}

eachCase('transaction vectors', 'transaction', 4, (c) => {
  describe(c.name, () => {
    const { ctx } = c
    const body = c.bytes('body.json')
    const base = {
      method: ctx.method,
      path: ctx.path,
      accessToken: ctx.accessToken,
      timestamp: ctx.timestamp,
    }

    it('signed path', () => assert.equal(snap.signedPath(ctx.path), ctx.signedPath))

    it('body hash of the exact bytes (Buffer, Uint8Array and string)', () => {
      const expected = c.text('body-sha256.txt')
      assert.equal(snap.bodySha256Hex(body), expected)
      assert.equal(snap.bodySha256Hex(new Uint8Array(body)), expected)
      assert.equal(snap.bodySha256Hex(body.toString('utf8')), expected)
    })

    it('string to sign', () => {
      const expected = c.text('string-to-sign.txt')
      assert.equal(snap.transactionStringToSign({ ...base, body }), expected)
      assert.equal(snap.transactionStringToSign({ ...base, body: body.toString('utf8') }), expected)
    })

    it('signature', () => {
      const expected = c.text('signature.txt')
      assert.equal(snap.signTransaction({ ...base, clientSecret: ctx.clientSecret, body }), expected)
      assert.equal(
        snap.signTransaction({ ...base, clientSecret: ctx.clientSecret, body: body.toString('utf8') }),
        expected,
      )
    })

    it('minifying the exact bytes is the identity', () => {
      assert.deepEqual(snap.minifyJson(body), body)
      assert.equal(snap.minifyJson(body.toString('utf8')), body.toString('utf8'))
    })

    it('pretty JSON minifies back to the exact bytes', () => {
      // Only JSON.stringify-safe bodies can be re-indented by JS without changing them.
      const pretty = JSON.stringify(JSON.parse(body.toString('utf8')), null, 2)
      if (JSON.stringify(JSON.parse(body.toString('utf8'))) === body.toString('utf8')) {
        assert.equal(snap.minifyJson(pretty), body.toString('utf8'))
      }
    })

    it('one changed body byte changes the signature', () => {
      const changed = Buffer.from(body)
      changed[changed.length - 2] ^= 1
      assert.notEqual(
        snap.signTransaction({ ...base, clientSecret: ctx.clientSecret, body: changed }),
        c.text('signature.txt'),
      )
    })
  })
})

describe('transaction vectors interleaved across client secrets', () => {
  // The addon keeps the last secret's prepared HMAC key: switching secrets back and forth (and a
  // secret that is a prefix of another) must never sign with a stale key.
  const all = cases('transaction')
  it('every signature matches its vector, whatever was signed before', () => {
    assert.ok(new Set(all.map((c) => c.ctx.clientSecret)).size >= 2, 'vectors should use several secrets')
    for (const c of [...all, ...[...all].reverse(), ...all]) {
      const { ctx } = c
      const options = {
        clientSecret: ctx.clientSecret,
        method: ctx.method,
        path: ctx.path,
        accessToken: ctx.accessToken,
        body: c.bytes('body.json'),
        timestamp: ctx.timestamp,
      }
      assert.equal(snap.signTransaction(options), c.text('signature.txt'), c.name)
      const prefix = { ...options, clientSecret: ctx.clientSecret.slice(0, -1) }
      assert.notEqual(snap.signTransaction(prefix), c.text('signature.txt'), c.name)
    }
  })
})

eachCase('token vectors', 'token', 2, (c) => {
  it(c.name, () => {
    const { ctx } = c
    const keyText = repoFile(ctx.privateKeyFile)
    const sts = c.text('token-string-to-sign.txt')
    const expected = c.text('token-signature.txt')
    assert.equal(snap.tokenStringToSign({ clientId: ctx.clientId, timestamp: ctx.timestamp }), sts)
    assert.equal(
      snap.signTokenRequest({ privateKey: keyText, clientId: ctx.clientId, timestamp: ctx.timestamp }),
      expected,
    )
    // Every accepted text form of the same key signs identically.
    const bare = keyText
      .split('\n')
      .filter((l) => !l.startsWith('-----'))
      .join('')
    const escaped = keyText.replaceAll('\n', '\\n')
    for (const form of [bare, escaped]) {
      assert.equal(
        snap.signTokenRequest({ privateKey: form, clientId: ctx.clientId, timestamp: ctx.timestamp }),
        expected,
      )
    }
    // A parsed PrivateKey signs identically, and its public key is the registered one.
    const key = new snap.PrivateKey(keyText)
    assert.equal(snap.signTokenRequest({ privateKey: key, clientId: ctx.clientId, timestamp: ctx.timestamp }), expected)
    assert.equal(key.sign(sts), expected)
    assert.equal(key.sign(Buffer.from(sts)), expected)
    assert.equal(key.publicKey().toPem(), new snap.PublicKey(repoFile(ctx.publicKeyFile)).toPem())
    assert.ok(key.publicKey().verify(sts, expected))
    // Node's own crypto agrees that the signature is valid for the registered public key.
    const pub = createPublicKey(repoFile(ctx.publicKeyFile))
    assert.ok(verify('sha256', Buffer.from(sts), pub, Buffer.from(expected, 'base64')))
  })
})

eachCase('notification vectors', 'notification', 3, (c) => {
  it(`${c.name} (valid: ${c.ctx.valid})`, () => {
    const { ctx } = c
    assert.equal(snap.tokenStringToSign({ clientId: ctx.clientId, timestamp: ctx.timestamp }), c.text('string-to-sign.txt'))
    const result = snap.verifyNotification({
      publicKey: ctx.publicKey,
      clientId: ctx.clientId,
      timestamp: ctx.timestamp,
      signature: c.text('signature.txt'),
    })
    assert.equal(result, ctx.valid)
    const key = new snap.PublicKey(ctx.publicKey)
    assert.equal(key.toBase64(), ctx.publicKey)
    assert.equal(
      snap.verifyNotification({ publicKey: key, clientId: ctx.clientId, timestamp: ctx.timestamp, signature: c.text('signature.txt') }),
      ctx.valid,
    )
    assert.equal(key.verify(c.text('string-to-sign.txt'), c.text('signature.txt')), ctx.valid)
  })
})
