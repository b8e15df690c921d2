// The `nicepay-snap simulate` process and a loopback notification inbox, for the client suite.
// Everything listens on 127.0.0.1 only.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, before, beforeEach } from 'node:test'

import { repoRoot } from './helpers.mjs'

/** The CLI: $NICEPAY_SIMULATOR_BIN, else target/debug/nicepay-snap if it was built. */
export function simulatorBinary() {
  if (process.env.NICEPAY_SIMULATOR_BIN) return process.env.NICEPAY_SIMULATOR_BIN
  const target = process.env.CARGO_TARGET_DIR || join(repoRoot, 'target')
  const built = join(target, 'debug', 'nicepay-snap')
  return existsSync(built) ? built : null
}

/**
 * Why the simulator cannot run here, or null. scripts/test-node.sh sets
 * NICEPAY_REQUIRE_SIMULATOR=1, which turns a missing simulator into a failure instead of a skip.
 */
export function simulatorMissing() {
  if (simulatorBinary()) return null
  const reason = 'nicepay-snap CLI not built (cargo build -p nicepay-snap-cli)'
  if (process.env.NICEPAY_REQUIRE_SIMULATOR === '1') throw new Error(reason)
  return reason
}

/** Starts `nicepay-snap simulate --port 0`; resolves with `{ info, stop() }`. */
export async function startSimulator() {
  const proc = spawn(simulatorBinary(), ['simulate', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  proc.stderr.on('data', (d) => (stderr += d))
  const lines = createInterface({ input: proc.stdout })
  const first = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator did not start in 60 s: ${stderr}`)), 60_000)
    lines.once('line', (line) => {
      clearTimeout(timer)
      resolve(line)
    })
    proc.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`simulator exited with ${code}: ${stderr}`))
    })
  })
  const info = JSON.parse(first)
  if (!info.baseUrl.startsWith('http://127.0.0.1:')) throw new Error(`not loopback: ${info.baseUrl}`)
  return {
    info,
    async stop() {
      if (proc.exitCode !== null) return
      const exited = new Promise((resolve) => proc.once('exit', resolve))
      proc.kill('SIGTERM')
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    },
  }
}

/** Calls the simulator's admin API (loopback). */
export async function admin(info, method, path, payload) {
  const res = await fetch(info.baseUrl + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: payload === undefined ? undefined : JSON.stringify(payload),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`admin ${method} ${path}: ${res.status} ${text}`)
  return text ? JSON.parse(text) : null
}

/**
 * A loopback HTTP endpoint that records notifications as a merchant server sees them (the
 * request's `headers`, `rawHeaders` and raw body bytes) and acknowledges them.
 */
export async function startInbox() {
  const queue = []
  const waiters = []
  const server = createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      const item = { headers: req.headers, rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) }
      const waiter = waiters.shift()
      if (waiter) waiter(item)
      else queue.push(item)
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"responseCode":"2005200","responseMessage":"Successful"}')
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address()
  return {
    url: `http://127.0.0.1:${port}/api/v1.0/qr/qr-mpm-notify`,
    next(timeoutMs = 10_000) {
      if (queue.length) return Promise.resolve(queue.shift())
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no notification arrived')), timeoutMs)
        waiters.push((item) => {
          clearTimeout(timer)
          resolve(item)
        })
      })
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  }
}

/**
 * The hooks of a suite against the simulator: starts it and a notification inbox before the
 * tests (then calls `started({ sim, info, inbox })`), clears its faults before each test and
 * stops both after.
 */
export function simulatorSuite(started) {
  let sim
  let inbox
  before(async () => {
    sim = await startSimulator()
    inbox = await startInbox()
    await started({ sim, info: sim.info, inbox })
  })
  after(async () => {
    await inbox?.close()
    await sim?.stop()
  })
  beforeEach(async () => {
    await admin(sim.info, 'DELETE', '/__admin/faults')
  })
}

/** Options of a `Client` for the simulator's merchant (`info`), with `over` on top. */
export const clientOptions = (info, over = {}) => ({
  clientId: info.clientId,
  clientSecret: info.clientSecret,
  privateKey: info.privateKeyPem,
  notificationPublicKey: info.notificationPublicKey,
  baseUrl: info.baseUrl,
  timeoutMs: 10_000,
  ...over,
})
