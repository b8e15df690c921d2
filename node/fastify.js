// nicepay-snap/fastify: receive NICEPAY notifications in Fastify. Register the plugin with
// `{ handler, onPaid, prefix? }`: it answers `POST` on every documented notification path with
// the handler, from the raw body bytes (within the plugin's own context every body is parsed as
// a Buffer; the rest of the app keeps its parsers). `onPaid(result)` (may be async) runs once
// for each confirmed payment not seen before.
'use strict'

const { NOTIFICATION_PATHS } = require('./handler.js')

async function nicepayNotifications(fastify, { handler, onPaid }) {
  fastify.removeAllContentTypeParsers()
  fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body))
  for (const [path] of NOTIFICATION_PATHS) {
    fastify.post(path, async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
      const result = await handler.handle(request.headers, body, { path })
      if (result.fulfil) await onPaid(result)
      return reply.code(result.statusCode).headers(result.headers).send(result.body)
    })
  }
}

module.exports = nicepayNotifications
module.exports.default = nicepayNotifications
module.exports.nicepayNotifications = nicepayNotifications
