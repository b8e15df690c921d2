// Regression tests for the defects found by adversarial testing (the "Hardening" issue), each
// named after its defect. Every wait is bounded, so a regression fails instead of hanging.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'

import { snap } from './helpers.mjs'
import { simulatorMissing, startSimulator } from './simulator.mjs'

const skip = simulatorMissing()
const LIMIT_MS = 20_000

const withinLimit = (promise) =>
  Promise.race([
    promise,
    new Promise((_, reject) => {
      const timer = setTimeout(() => reject(new Error('the call did not return: the client deadlocked')), LIMIT_MS)
      timer.unref()
    }),
  ])

describe('hardening', { skip: skip ?? false }, () => {
  let sim
  before(async () => {
    sim = await startSimulator()
  })
  after(async () => {
    await sim?.stop()
  })

  it('onExchange calling accessToken during a token exchange does not deadlock', async () => {
    const info = sim.info
    const inner = []
    let client
    const seenInner = new Promise((resolve) => {
      client = new snap.Client({
        clientId: info.clientId,
        clientSecret: info.clientSecret,
        privateKey: info.privateKeyPem,
        baseUrl: info.baseUrl,
        timeoutMs: 5_000,
        onExchange: (e) => {
          if (e.operation === 'access-token') {
            client.accessToken().then((t) => {
              inner.push(t)
              resolve()
            }, resolve)
          }
        },
      })
    })
    const token = await withinLimit(client.accessToken())
    await withinLimit(seenInner)
    assert.deepEqual(inner, [token], 'the callback saw the same, cached token')
    // Later and concurrent calls still run.
    const again = await withinLimit(Promise.all([client.accessToken(), client.accessToken()]))
    assert.deepEqual(again, [token, token])
  })
})
