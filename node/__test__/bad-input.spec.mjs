// Bad input through the addon: every exported function, constructor and Client method is called
// with random types and values (undefined, null, numbers for strings, huge and lone-surrogate
// strings, Buffers, nested junk, symbols, functions). Each call must either work or throw (or
// reject with) an Error carrying a string `code`, or a TypeError: never a crash or a panic.
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'

import { repoFile, snap } from './helpers.mjs'

const KEY = repoFile('tests/keys/merchant-test-private-pkcs8.pem')
const TS = '2024-07-05T10:11:40+07:00'

// A small seeded generator, so a failure names a reproducible seed.
function rng(seed) {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13
    s ^= s >>> 17
    s ^= s << 5
    return (s >>> 0) / 2 ** 32
  }
}

function junk(r, depth = 0) {
  const pick = Math.floor(r() * (depth > 2 ? 14 : 17))
  switch (pick) {
    case 0: return undefined
    case 1: return null
    case 2: return r() < 0.5
    case 3: return Math.floor(r() * 2 ** 53) * (r() < 0.5 ? -1 : 1)
    case 4: return [NaN, Infinity, -Infinity, -0, 1e308, 2 ** 64][Math.floor(r() * 6)]
    case 5: return 'x'.repeat(Math.floor(r() * 40))
    case 6: return '\ud800\udfff\ud800'.slice(0, 1 + Math.floor(r() * 3))
    case 7: return 'y'.repeat(200_000)
    case 8: return Buffer.from([0xff, 0xfe, 0x00, 0x7b])
    case 9: return TS
    case 10: return '{"a":1}'
    case 11: return Symbol('junk')
    case 12: return () => 1
    case 13: return 10n ** 30n
    case 14: return Array.from({ length: Math.floor(r() * 4) }, () => junk(r, depth + 1))
    case 15: {
      const o = {}
      for (const k of ['clientId', 'clientSecret', 'privateKey', 'timestamp', 'body', 'method', 'path', 'accessToken', 'value']) {
        if (r() < 0.5) o[k] = junk(r, depth + 1)
      }
      return o
    }
    default: return { amount: { value: junk(r, depth + 1), currency: 'IDR' }, nested: [junk(r, depth + 1)] }
  }
}

/** Runs `call`; a throw or rejection must be a documented error. */
async function check(label, call) {
  let result
  try {
    result = call()
  } catch (e) {
    assertDocumented(label, e)
    return
  }
  if (result && typeof result.then === 'function') {
    try {
      await result
    } catch (e) {
      assertDocumented(label, e)
    }
  }
}

function assertDocumented(label, e) {
  assert.ok(e instanceof Error, `${label}: threw a non-Error ${String(e)}`)
  const ok = e instanceof TypeError || typeof e.code === 'string'
  assert.ok(ok, `${label}: undocumented ${e.name}: ${String(e.message).slice(0, 200)}`)
  assert.ok(!/panic/i.test(e.message), `${label}: a Rust panic escaped: ${e.message.slice(0, 200)}`)
}

const functions = Object.entries(snap).filter(([name, v]) => typeof v === 'function' && !/^[A-Z]/.test(name))
const classes = ['Client', 'PrivateKey', 'PublicKey', 'RequestBuilder', 'MerchantServer'].map((name) => [name, snap[name]])

describe('bad input never crashes the addon', () => {
  it('lists what it calls', () => {
    const names = functions.map(([n]) => n)
    for (const n of ['signTransaction', 'signTokenRequest', 'verifyNotification', 'minifyJson']) assert.ok(names.includes(n), n)
  })

  it('every exported function and constructor', async () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = rng(seed)
      const args = Array.from({ length: Math.floor(r() * 5) }, () => junk(r))
      const [name, fn] = functions[seed % functions.length]
      await check(`${name} (seed ${seed})`, () => fn(...args))
      const [cname, cls] = classes[seed % classes.length]
      await check(`new ${cname} (seed ${seed})`, () => new cls(...args))
    }
  })

  it('every Client method', async () => {
    // Nothing listens on port 9: a well-formed request fails as a transport error.
    const client = new snap.Client({
      clientId: 'IONPAYTEST', clientSecret: 'secret', privateKey: KEY,
      baseUrl: 'http://127.0.0.1:9', timeoutMs: 2000, connectRetries: 0,
    })
    const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(client))
      .filter((m) => m !== 'constructor' && typeof client[m] === 'function')
    assert.ok(methods.includes('qrisRefund') && methods.includes('execute'), methods.join(','))
    for (let seed = 1; seed <= 300; seed++) {
      const r = rng(seed * 7919)
      const args = Array.from({ length: Math.floor(r() * 4) }, () => junk(r))
      const m = methods[seed % methods.length]
      await check(`client.${m} (seed ${seed})`, () => client[m](...args))
    }
  })
})
