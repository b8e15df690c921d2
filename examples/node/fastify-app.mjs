// Fastify: NICEPAY_SIMULATOR=http://127.0.0.1:8800 node fastify-app.mjs
import Fastify from 'fastify'
import { NotificationHandler } from 'nicepay-snap'
import nicepayNotifications from 'nicepay-snap/fastify'

import { PORT, checkout, client, fulfil } from './merchant.mjs'

const nicepay = await client()
const app = Fastify()
await app.register(nicepayNotifications, { handler: new NotificationHandler(nicepay), onPaid: fulfil })
app.post('/checkout', async () => checkout(nicepay))
await app.listen({ port: PORT, host: '127.0.0.1' })
console.log(`listening on 127.0.0.1:${PORT}`)
