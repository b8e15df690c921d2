import type { IncomingMessage, ServerResponse } from 'node:http'
import type { NotificationHandler, NotificationResult } from './handler.js'

/**
 * Express middleware answering `POST` on every documented notification path, for `app.use()`:
 * the receiver, and an error handler for notifications whose JSON a body parser refused.
 */
export declare function notifications(
  handler: NotificationHandler,
  onPaid: (result: NotificationResult) => unknown,
): [
  (req: any, res: any, next: (error?: unknown) => void) => void,
  (error: unknown, req: any, res: any, next: (error?: unknown) => void) => void,
]

/** The `verify` option of `express.json()` that keeps the raw bytes (`req.rawBody`) for `notifications`. */
export declare function captureRawBody(req: IncomingMessage, res: ServerResponse, buf: Buffer): void

/** The exact body bytes of a request, however it was parsed before. */
export declare function rawBodyOf(req: IncomingMessage): Promise<Buffer>
