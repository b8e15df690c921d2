// Pure-JavaScript facades over the native SDK table (`nativeCall` / `Native`): each converts
// its arguments to the camelCase JSON arguments of one entry of `nicepay_snap_client::native`
// and the result back. The rules live in Rust; errors carry the package's `ERR_NICEPAY_*` codes.
'use strict'

module.exports = function facades(binding) {
  const { nativeCall, Native } = binding
  const text = (body) => (typeof body === 'string' ? body : Buffer.from(body).toString('utf8'))
  const answer = (a) => ({ status: a.status, headers: a.headers, body: Buffer.from(a.body, 'utf8') })
  // Headers go to the native side as given: `req.headers` (array values joined), `req.rawHeaders`
  // or `[name, value]` pairs are all read there, by the rule the Client's own methods use.

  const signedPath = (path) => nativeCall('signedPath', { path })
  const normalizeTimestamp = (timestamp) => nativeCall('normalizeTimestamp', { timestamp })
  const timestampNow = () => nativeCall('timestampNow')
  const version = () => nativeCall('version')

  function verifyNotification(options) {
    const { publicKey, signature, clientId, timestamp } = options ?? {}
    const key = publicKey instanceof binding.PublicKey ? publicKey.toPem() : publicKey
    return nativeCall('verifyNotification', { publicKey: key, signature, clientId, timestamp })
  }

  function acknowledgement({ product, kind = 'success', message } = {}) {
    return answer(nativeCall('acknowledgement', { product, kind, message }))
  }

  function generateKeyPair(bits = 2048) {
    return nativeCall('generateKeyPair', { bits })
  }

  function sourceAllowed(ip, ranges) {
    return nativeCall('sourceAllowed', ranges === undefined ? { ip } : { ip, ranges: [...ranges] })
  }

  class RequestBuilder {
    #native
    constructor(options) {
      this.#native = new Native('requestBuilder', { ...options })
    }
    #prepare(args) {
      const p = this.#native.call('prepare', args)
      return { ...p, body: Buffer.from(p.body, 'utf8') }
    }
    prepareAccessToken({ timestamp } = {}) {
      return this.#prepare({ operation: 'access-token', timestamp })
    }
    prepare(operation, request, options = {}) {
      return this.#prepare({ ...options, operation, request })
    }
    prepareRaw(method, path, request, options = {}) {
      return this.#prepare({ ...options, method, path, request })
    }
    parse(operation, httpStatus, body, headers) {
      const args = { operation, httpStatus, body: text(body) }
      if (headers !== undefined) args.headers = headers
      return this.#native.call('parse', args)
    }
    [Symbol.for('nodejs.util.inspect.custom')]() {
      return 'RequestBuilder {}'
    }
  }

  const bill = (b) => {
    if (b === null || b === undefined) return { status: 'notFound' }
    if (typeof b === 'string') return { status: b }
    return { status: 'open', ...b }
  }

  class MerchantServer {
    #native
    constructor(options) {
      this.#native = new Native('merchantServer', { ...options })
    }
    receive(method, path, headers, body, { timestamp } = {}) {
      const r = this.#native.call('receive', { method, path, headers, body: text(body), timestamp })
      return r.response ? { kind: r.kind, response: answer(r.response) } : { kind: r.kind, request: r.request }
    }
    answerInquiry(request, b) {
      return answer(this.#native.call('answer', { kind: 'vaInquiry', request, answer: bill(b) }))
    }
    answerPayment(request, b) {
      return answer(this.#native.call('answer', { kind: 'vaPayment', request, answer: bill(b) }))
    }
    answerReversal(request, accepted) {
      return answer(this.#native.call('answer', { kind: 'vaReversal', request, accepted }))
    }
    async handle(method, path, headers, body, { lookup, onPaid } = {}) {
      const received = this.receive(method, path, headers, body)
      if (received.response) return received.response
      const found = await lookup(received.kind, received.request)
      if (received.kind === 'vaReversal') return this.answerReversal(received.request, Boolean(found))
      if (received.kind === 'vaInquiry') return this.answerInquiry(received.request, found)
      const response = this.answerPayment(received.request, found)
      if (response.status === 200 && onPaid) await onPaid(received.request)
      return response
    }
    liveTokens() {
      return this.#native.call('liveTokens')
    }
    [Symbol.for('nodejs.util.inspect.custom')]() {
      return 'MerchantServer {}'
    }
  }

  return {
    signedPath,
    normalizeTimestamp,
    timestampNow,
    version,
    verifyNotification,
    acknowledgement,
    generateKeyPair,
    sourceAllowed,
    RequestBuilder,
    MerchantServer,
  }
}
