import type { IncomingMessage, ServerResponse } from 'node:http'
import type { NotificationHandler, NotificationResult } from './handler.js'

/** An Express middleware answering `POST` on every documented notification path. */
export declare function notifications(
  handler: NotificationHandler,
  onPaid: (result: NotificationResult) => unknown,
): (req: any, res: any, next: (error?: unknown) => void) => Promise<void>

/** The `verify` option of `express.json()` that keeps the raw bytes (`req.rawBody`) for `notifications`. */
export declare function captureRawBody(req: IncomingMessage, res: ServerResponse, buf: Buffer): void

/** The exact body bytes of a request, however it was parsed before. */
export declare function rawBodyOf(req: IncomingMessage): Promise<Buffer>
