/** The inbound paths NICEPAY documents, each with its product. */
export declare const NOTIFICATION_PATHS: ReadonlyArray<readonly [path: string, product: 'qris' | 'va' | 'ewallet' | 'payout']>

/** What to answer a notification with, and what it said. Send `statusCode`, `headers` and exactly `body`. */
export interface NotificationResult {
  statusCode: number
  headers: Record<string, string>
  /** The exact acknowledgement bytes. */
  body: Buffer
  product: 'qris' | 'va' | 'ewallet' | 'payout' | null
  /** The verified notification body (null when refused). */
  notification: Record<string, any> | null
  /** The status query's answer (only with confirmation). */
  status: Record<string, any> | null
  /** Confirmed by the status query (or, with `confirm: false`, the unsigned body's own claim). */
  paid: boolean
  /** The client's store has seen this notification before. */
  duplicate: boolean
  /** `paid && !duplicate`: fulfil the order now. */
  fulfil: boolean
  /** Why it was refused (the error message), or null. */
  error: string | null
  /** `'signature'`, `'timestamp'`, `'client_key'`, `'malformed'`, `'oversize'`, `'unknown_product'`, ... or null. */
  refusal: string | null
}

export interface NotificationHandlerOptions {
  /** `false` skips the status query (default `true`). */
  confirm?: boolean
  /** The largest body accepted (default 64 KiB). */
  maxBodyBytes?: number
}

/** The part of `Client` the handler uses. */
export interface NotificationClient {
  verifyAndConfirm(product: string, headers: any, body: Buffer): Promise<Record<string, any>>
  verifyNotification(headers: any, body: Buffer): Record<string, any>
}

/** Verifies, confirms and acknowledges NICEPAY notifications with a `Client`. */
export declare class NotificationHandler {
  constructor(client: NotificationClient, options?: NotificationHandlerOptions)
  readonly client: NotificationClient
  /** Handles one notification; never rejects for a bad notification (that is an acknowledgement too). */
  handle(
    headers: Record<string, string | string[] | undefined> | Array<[string, string]>,
    rawBody: Buffer | string,
    options?: { path?: string; product?: 'qris' | 'va' | 'ewallet' | 'payout' },
  ): Promise<NotificationResult>
}
