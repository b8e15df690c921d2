// nicepay-snap/express: receive NICEPAY notifications in Express. `notifications(handler,
// onPaid)` is a middleware answering `POST` on every documented notification path with the
// handler, from the raw body bytes (never re-serialized JSON), whether or not a body parser ran
// first:
// - mounted before `express.json()`, it reads the request stream itself;
// - after `express.raw()`, it takes the Buffer it left in `req.body`;
// - after `express.json({ verify: captureRawBody })`, it takes the bytes captured in `req.rawBody`.
// After a plain `express.json()` the bytes are gone: it fails the request with a clear error
// instead of verifying re-serialized JSON.
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

function notifications(handler, onPaid) {
  return async function nicepayNotifications(req, res, next) {
    if (req.method !== 'POST' || !PATHS.has(req.path)) return next()
    try {
      const result = await handler.handle(req.headers, await rawBodyOf(req), { path: req.path })
      if (result.fulfil) await onPaid(result)
      res.status(result.statusCode).set(result.headers).end(result.body)
    } catch (error) {
      next(error)
    }
  }
}

module.exports = { notifications, captureRawBody, rawBodyOf }
