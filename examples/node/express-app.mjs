// Express: NICEPAY_SIMULATOR=http://127.0.0.1:8800 node express-app.mjs
import express from 'express'
import { NotificationHandler } from 'nicepay-snap'
import { captureRawBody, notifications } from 'nicepay-snap/express'

import { PORT, checkout, client, fulfil } from './merchant.mjs'

const nicepay = await client()
const app = express()
// The rest of the app may parse JSON: captureRawBody keeps the exact bytes for the notifications.
app.use(express.json({ verify: captureRawBody }))
app.use(notifications(new NotificationHandler(nicepay), fulfil))
app.post('/checkout', async (_req, res) => res.json(await checkout(nicepay)))
app.listen(PORT, '127.0.0.1', () => console.log(`listening on 127.0.0.1:${PORT}`))
