// The NICEPAY simulator inside the package, for your own test suite: no cargo, no network.
// `await Simulator.start()` runs the same Rust simulator the SDK is tested against, in this
// process, on a free loopback port, with TEST-ONLY credentials.
'use strict'

const { Native } = require('./index.js')

class Simulator {
  #native
  constructor(native) {
    this.#native = native
    /** Connection details: baseUrl, clientId, clientSecret, privateKeyPem, notificationPublicKey. */
    this.info = native.call('info')
  }

  /** Starts a simulator on 127.0.0.1 (`port` 0 or absent: any free port). */
  static async start({ port = 0 } = {}) {
    return new Simulator(new Native('simulator', { port }))
  }

  /** Host root, e.g. `http://127.0.0.1:41234` (clients append `/nicepay`). */
  get baseUrl() {
    return this.info.baseUrl
  }

  /** Options of `new Client(...)` for the simulator's merchant. */
  clientOptions(over = {}) {
    const { clientId, clientSecret, privateKeyPem, notificationPublicKey } = this.info
    return { clientId, clientSecret, privateKey: privateKeyPem, notificationPublicKey, baseUrl: this.baseUrl, ...over }
  }

  /** Calls the admin API (`/__admin/...`) and resolves with its JSON; an error answer rejects. */
  async admin(method, path, payload) {
    const res = await fetch(this.baseUrl + path, {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: payload === undefined ? undefined : JSON.stringify(payload),
    })
    const text = await res.text()
    if (!res.ok) throw new Error(`simulator admin ${method} ${path}: HTTP ${res.status} ${text.slice(0, 200)}`)
    return text ? JSON.parse(text) : null
  }

  payQris(referenceNo) {
    return this.admin('POST', `/__admin/qris/${encodeURIComponent(referenceNo)}/pay`)
  }
  payVa(virtualAccountNo) {
    return this.admin('POST', `/__admin/va/${encodeURIComponent(virtualAccountNo)}/pay`)
  }
  approveEwallet(referenceNo) {
    return this.admin('POST', `/__admin/ewallet/${encodeURIComponent(referenceNo)}/pay`)
  }
  addFault(fault) {
    return this.admin('POST', '/__admin/faults', fault)
  }
  clearFaults() {
    return this.admin('DELETE', '/__admin/faults')
  }
  state() {
    return this.admin('GET', '/__admin/state')
  }

  /** Stops the server (again: nothing). */
  async stop() {
    this.#native.call('stop')
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return `Simulator { baseUrl: '${this.baseUrl}' }`
  }
}

module.exports = { Simulator }
