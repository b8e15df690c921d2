// End to end: the addon's `Client` against hand-written peers, one simulator. Every client makes
// QRIS status queries against the same `nicepay-snap simulate` on loopback:
// - `Client` (Promises; Rust and tokio underneath);
// - a hand-written client on the global `fetch` and one on an undici `Pool`: what a careful Node
//   integration would write, with `node:crypto` signatures, the token fetched once and cached,
//   keep-alive connections.
// Sequential (one awaited call after another) and concurrent (CONCURRENCY calls in flight) rates,
// p50/p99 latencies, and each rate as a ratio of the addon's sequential rate, from interleaved
// rounds (every ratio within one run).
//
//   npm run build:release && cargo build --release -p nicepay-snap-cli
//   NICEPAY_SIMULATOR_BIN=../target/release/nicepay-snap node bench/client.mjs [--calls N] [--rounds R] [--concurrency C]
//
// Without NICEPAY_SIMULATOR_BIN the package's own simulator runs inside this process.
// `--smoke` makes a few calls per mode and checks the answers, no ratios (CI). `--json
// --only-client` runs one round of the addon's modes against the simulator described by
// NICEPAY_BENCH_SIMULATOR and prints JSON: python/bench/bench_client.py --node uses it to
// compare with the Python clients in the same run.
import { spawn } from 'node:child_process'
import { createHash, createHmac, createPrivateKey, randomBytes, sign } from 'node:crypto'
import { createInterface } from 'node:readline'
import { createRequire } from 'node:module'
import { parseArgs } from 'node:util'

const require = createRequire(import.meta.url)
const snap = require('../index.js')
const { Pool } = require('undici')

const { values: opts } = parseArgs({
  options: {
    calls: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '16' },
    smoke: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'only-client': { type: 'boolean', default: false },
  },
})
let calls = Number(opts.calls)
let rounds = Number(opts.rounds)
let concurrency = Number(opts.concurrency)
if (opts.smoke) [calls, rounds, concurrency] = [8, 1, 4]

const QUERY_PATH = '/api/v1.0/qr/qr-mpm-query'
const OK = '2005100'

/** The simulator: the one described by NICEPAY_BENCH_SIMULATOR, a child process, or in-process. */
async function startSimulator() {
  if (process.env.NICEPAY_BENCH_SIMULATOR) return { info: JSON.parse(process.env.NICEPAY_BENCH_SIMULATOR), stop() {} }
  const bin = process.env.NICEPAY_SIMULATOR_BIN
  if (bin) {
    const child = spawn(bin, ['simulate', '--port', '0'], { stdio: ['ignore', 'pipe', 'ignore'] })
    const line = await new Promise((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve)
      child.once('error', reject)
    })
    return { info: JSON.parse(line), stop: () => child.kill() }
  }
  const { Simulator } = require('../testing.js')
  const sim = await Simulator.start()
  console.log('note: no NICEPAY_SIMULATOR_BIN: the packaged simulator runs inside this process')
  return { info: sim.info, stop: () => sim.stop() }
}

/** Jakarta time, `yyyy-MM-ddTHH:mm:ss+07:00`. */
function timestamp() {
  return new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 19) + '+07:00'
}

/** Signs SNAP requests the way a hand-written integration does (node:crypto). */
class Signer {
  constructor(info) {
    this.clientId = info.clientId
    this.secret = info.clientSecret
    this.key = createPrivateKey(info.privateKeyPem)
    this.prefix = randomBytes(6).toString('hex')
    this.n = 0
  }
  tokenRequest() {
    const ts = timestamp()
    const signature = sign('sha256', Buffer.from(`${this.clientId}|${ts}`), this.key).toString('base64')
    const headers = { 'Content-Type': 'application/json', 'X-TIMESTAMP': ts, 'X-CLIENT-KEY': this.clientId, 'X-SIGNATURE': signature }
    return { path: '/nicepay/v1.0/access-token/b2b', headers, body: '{"grantType":"client_credentials","additionalInfo":{}}' }
  }
  call(token, path, payload) {
    const body = JSON.stringify(payload)
    const ts = timestamp()
    const hash = createHash('sha256').update(body).digest('hex')
    const signature = createHmac('sha512', this.secret).update(`POST:${path}:${token}:${hash}:${ts}`).digest('base64')
    const headers = {
      'Content-Type': 'application/json',
      Authorization: `Bearer ${token}`,
      'X-TIMESTAMP': ts,
      'X-SIGNATURE': signature,
      'X-PARTNER-ID': this.clientId,
      'X-EXTERNAL-ID': `${this.prefix}${this.n++}`,
      'CHANNEL-ID': `${this.clientId}01`,
    }
    return { path: `/nicepay${path}`, headers, body }
  }
}

function check(status, data) {
  if (status !== 200 || data.responseCode !== OK) throw new Error(`unexpected answer ${status}: ${JSON.stringify(data)}`)
  return data
}

/** The global `fetch` (undici's, keep-alive by default), token cached. */
class FetchClient {
  constructor(signer, origin) {
    Object.assign(this, { signer, origin, token: null })
  }
  async post({ path, headers, body }) {
    const res = await fetch(this.origin + path, { method: 'POST', headers, body })
    return [res.status, await res.json()]
  }
  async qrisQuery(payload) {
    this.token ??= (await this.post(this.signer.tokenRequest()))[1].accessToken
    return check(...(await this.post(this.signer.call(this.token, QUERY_PATH, payload))))
  }
}

/** An undici `Pool` of keep-alive connections, token cached. */
class UndiciClient {
  constructor(signer, origin) {
    Object.assign(this, { signer, pool: new Pool(origin, { connections: 64 }), token: null })
  }
  async post({ path, headers, body }) {
    const res = await this.pool.request({ method: 'POST', path, headers, body })
    return [res.statusCode, await res.body.json()]
  }
  async qrisQuery(payload) {
    this.token ??= (await this.post(this.signer.tokenRequest()))[1].accessToken
    return check(...(await this.post(this.signer.call(this.token, QUERY_PATH, payload))))
  }
}

/** CPU microseconds and context switches of this process so far (all its threads). */
function usage() {
  const u = process.resourceUsage()
  return [u.userCPUTime + u.systemCPUTime, u.voluntaryContextSwitches + u.involuntaryContextSwitches]
}

/** `n` calls in `tasks` concurrent chains: their latencies (ms), the wall time (s), and the
 * process's CPU time (µs) and context switches over them. */
async function measure(call, n, tasks) {
  const latencies = []
  const before = usage()
  const started = performance.now()
  await Promise.all(
    Array.from({ length: tasks }, async () => {
      for (let i = 0; i < Math.floor(n / tasks); i++) {
        const t = performance.now()
        await call()
        latencies.push(performance.now() - t)
      }
    }),
  )
  const wall = (performance.now() - started) / 1000
  const after = usage()
  return { latencies, wall, cpu: after[0] - before[0], switches: after[1] - before[1] }
}

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1] : NaN
}

const { info, stop } = await startSimulator()
try {
  const client = new snap.Client({
    clientId: info.clientId,
    clientSecret: info.clientSecret,
    privateKey: info.privateKeyPem,
    baseUrl: info.baseUrl,
    timeoutMs: 10_000,
  })
  let payload = process.env.NICEPAY_BENCH_QUERY && JSON.parse(process.env.NICEPAY_BENCH_QUERY)
  if (!payload) {
    const order = `bench-${randomBytes(6).toString('hex')}`
    const generated = await client.qrisGenerate({
      partnerReferenceNo: order,
      amount: { value: '10000.00', currency: 'IDR' },
      merchantId: info.clientId,
      storeId: 'NICEPAY',
      validityPeriod: '',
      additionalInfo: {},
    })
    payload = {
      originalReferenceNo: generated.referenceNo,
      originalPartnerReferenceNo: order,
      merchantId: info.clientId,
      externalStoreId: 'NICEPAY',
      serviceCode: '47',
      additionalInfo: {},
    }
  }
  const sdk = async () => check(200, await client.qrisQuery(payload))
  const modes = [
    ['Client', sdk, 1],
    [`Client x${concurrency}`, sdk, concurrency],
  ]
  let undici
  if (!opts['only-client']) {
    // The transport's reqwest path (what every call took before the direct path): taken when
    // the environment names a proxy; 127.0.0.1 is exempt from it.
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, NO_PROXY: process.env.NO_PROXY }
    Object.assign(process.env, { HTTP_PROXY: 'http://127.0.0.1:9', NO_PROXY: '127.0.0.1' })
    const viaReqwest = new snap.Client({ clientId: info.clientId, clientSecret: info.clientSecret, privateKey: info.privateKeyPem, baseUrl: info.baseUrl, timeoutMs: 10_000 })
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
    const reqwestCall = async () => check(200, await viaReqwest.qrisQuery(payload))
    modes.push(['Client via reqwest', reqwestCall, 1], [`Client via reqwest x${concurrency}`, reqwestCall, concurrency])
    const signer = new Signer(info)
    const viaFetch = new FetchClient(signer, info.baseUrl)
    undici = new UndiciClient(signer, info.baseUrl)
    modes.push(
      ['fetch', () => viaFetch.qrisQuery(payload), 1],
      [`fetch x${concurrency}`, () => viaFetch.qrisQuery(payload), concurrency],
      ['undici Pool', () => undici.qrisQuery(payload), 1],
      [`undici Pool x${concurrency}`, () => undici.qrisQuery(payload), concurrency],
    )
  }
  // Warm-up: connections, tokens, the runtime's threads.
  for (const [, call] of modes) await call()
  const figures = new Map(modes.map(([name]) => [name, { latencies: [], wall: 0, cpu: 0, switches: 0 }]))
  for (let r = 0; r < rounds; r++) {
    for (const [name, call, tasks] of modes) {
      const { latencies, wall, cpu, switches } = await measure(call, calls, tasks)
      const f = figures.get(name)
      f.latencies.push(...latencies)
      f.wall += wall
      f.cpu += cpu
      f.switches += switches
    }
  }
  await undici?.pool.close()
  if (opts.json) {
    const [seq, conc] = [figures.get('Client'), figures.get(`Client x${concurrency}`)]
    const out = (f) => ({ latenciesMs: f.latencies, wallSeconds: f.wall })
    console.log(JSON.stringify({ sequential: out(seq), concurrent: out(conc) }))
  } else {
    const rate = (f) => f.latencies.length / f.wall
    const base = rate(figures.get('Client'))
    console.log(`Node ${process.version}, nicepay-snap ${snap.version()}; QRIS query, ${calls} calls per mode and round, ${rounds} rounds`)
    console.log('(cpu and switches: this process only, all threads, per call; the simulator is not counted)')
    console.log(`${'mode'.padEnd(26)} ${'calls/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'x Client'.padStart(9)} ${'cpu us'.padStart(7)} ${'switches'.padStart(8)}`)
    for (const [name, f] of figures) {
      const sorted = f.latencies.slice().sort((a, b) => a - b)
      const ratio = opts.smoke ? '-' : `${(rate(f) / base).toFixed(2)}x`
      const n = Math.max(1, f.latencies.length)
      console.log(
        `${name.padEnd(26)} ${rate(f).toFixed(0).padStart(9)} ${percentile(sorted, 50).toFixed(3).padStart(8)} ${percentile(sorted, 99).toFixed(3).padStart(8)} ${ratio.padStart(9)} ${(f.cpu / n).toFixed(0).padStart(7)} ${(f.switches / n).toFixed(2).padStart(8)}`,
      )
    }
    if (!opts.smoke) {
      const r = (a, b) => (rate(figures.get(a)) / rate(figures.get(b))).toFixed(2)
      console.log(`\nClient / fetch: ${r('Client', 'fetch')}x sequential, ${r(`Client x${concurrency}`, `fetch x${concurrency}`)}x concurrent; ` +
        `Client / undici Pool: ${r('Client', 'undici Pool')}x sequential, ${r(`Client x${concurrency}`, `undici Pool x${concurrency}`)}x concurrent; ` +
        `Client / Client via reqwest: ${r('Client', 'Client via reqwest')}x sequential`)
    }
  }
} finally {
  await stop()
}
