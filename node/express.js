// nicepay-snap/express: receive NICEPAY notifications in Express. `notifications(handler,
// onPaid)` is a middleware answering `POST` on every documented notification path with the
// handler, from the raw body bytes (never re-serialized JSON), whether or not a body parser ran
// first:
// - mounted before `express.json()`, it reads the request stream itself;
// - after `express.raw()`, it takes the Buffer it left in `req.body`;
// - after `express.json({ verify: captureRawBody })`, it takes the bytes captured in `req.rawBody`.
// After a plain `express.json()` the bytes are gone: it fails the request with a clear error
// instead of verifying re-serialized JSON. It is a pair of middleware (the second answers
// notifications whose JSON the parser refused); `app.use()` takes both.
// `onPaid(result)` (may be async) runs once for each confirmed payment not seen before.
'use strict'

const { NOTIFICATION_PATHS } = require('./handler.js')

const PATHS = new Set(NOTIFICATION_PATHS.map(([path]) => path))

/** The `verify` option of `express.json()` that keeps the raw bytes for this middleware. */
function captureRawBody(req, _res, buf) {
  req.rawBody = Buffer.from(buf)
}

function readStream(req) {
  return new Promise((resolve, reject) => {
    const chunks = []
    req.on('data', (chunk) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

/** The exact body bytes of `req`, however it was (or was not) parsed before. */
async function rawBodyOf(req) {
  if (Buffer.isBuffer(req.rawBody)) return req.rawBody
  if (Buffer.isBuffer(req.body)) return req.body
  if (!req._body && !req.readableEnded) return readStream(req)
  throw new Error(
    'nicepay-snap/express: a body parser consumed the notification body; mount notifications() before ' +
      'express.json(), or use express.json({ verify: captureRawBody }) from nicepay-snap/express',
  )
}

const isNotification = (req) => req.method === 'POST' && PATHS.has(req.path)

/**
 * The middleware: `[receive, afterParserError]`, for `app.use(...)`. The second one answers a
 * notification whose body `express.json({ verify: captureRawBody })` failed to parse (with the
 * SNAP acknowledgement for a malformed body, from the captured bytes) instead of the parser's
 * error page; every other error passes on.
 */
function notifications(handler, onPaid) {
  async function respond(req, res, body) {
    const result = await handler.handle(req.headers, body, { path: req.path })
    if (result.fulfil) await onPaid(result)
    res.status(result.statusCode).set(result.headers).end(result.body)
  }
  function receive(req, res, next) {
    if (!isNotification(req)) return next()
    rawBodyOf(req)
      .then((body) => respond(req, res, body))
      .catch(next)
  }
  function afterParserError(error, req, res, next) {
    if (!isNotification(req) || !Buffer.isBuffer(req.rawBody)) return next(error)
    respond(req, res, req.rawBody).catch(next)
  }
  return [receive, afterParserError]
}

module.exports = { notifications, captureRawBody, rawBodyOf }
