// Types of the pure-JavaScript facades in sdk.js (hand-written; re-exported by index.d.ts).

import type { PublicKey } from './index.js'

/** The path that is signed: without `/nicepay`, checked (leading `/`, no query, no trailing `/`). */
export declare function signedPath(path: string): string
/** The same instant in the canonical `yyyy-MM-ddTHH:mm:ss+07:00` form (accepts `Z` or any `±HH:MM` offset). */
export declare function normalizeTimestamp(timestamp: string): string
/** The current time as an `X-TIMESTAMP` (Jakarta time, `+07:00`). */
export declare function timestampNow(): string
/** The package version (the Cargo workspace version, which `package.json` repeats). */
export declare function version(): string

/** Options of `verifyNotification`. */
export interface VerifyNotificationOptions {
  /** NICEPAY's notification public key: PEM or bare base64 SubjectPublicKeyInfo, or a `PublicKey`. */
  publicKey: string | PublicKey
  /** The merchant's client ID. */
  clientId: string
  /** `X-TIMESTAMP` exactly as received (any offset). */
  timestamp: string
  /** `X-SIGNATURE` as received (base64). */
  signature: string
}

/**
 * `true` when `signature` is NICEPAY's SHA256withRSA signature of `clientId|timestamp` (the
 * timestamp exactly as received), `false` otherwise. Does not check freshness and does not cover
 * the body; malformed keys, client IDs or timestamps throw `ERR_NICEPAY_INVALID_INPUT`.
 */
export declare function verifyNotification(options: VerifyNotificationOptions): boolean

/** An HTTP answer to send: status, headers and the exact body bytes. */
export interface HttpAnswer {
  status: number
  headers: Record<string, string>
  body: Buffer
}

/** Incoming headers: `req.headers`, `req.rawHeaders` or `[name, value]` pairs. */
export type IncomingHeaders = Record<string, string | string[] | undefined> | string[] | Array<[string, string]>

/**
 * The answer to a NICEPAY notification of `product`: `success` (`200{svc}00`), `unauthorized`
 * (`401{svc}00`, a bad signature) or `badRequest` (`400{svc}01`, with `message`).
 */
export declare function acknowledgement(options: {
  product: 'qris' | 'va' | 'ewallet' | 'payout'
  kind?: 'success' | 'unauthorized' | 'badRequest'
  message?: string
}): HttpAnswer

/** A new RSA key pair (PEM): register `publicKeyPem` with NICEPAY, keep `privateKeyPem` secret. */
export declare function generateKeyPair(bits?: number): { privateKeyPem: string; publicKeyPem: string }

/** Whether a notification's source address is allowed: NICEPAY's published ranges by default. */
export declare function sourceAllowed(ip: string, ranges?: Iterable<string>): boolean

/** A signed request to send as it is: the exact `body` bytes were hashed and signed. */
export interface PreparedRequest {
  method: string
  url: string
  path: string
  headers: Array<[string, string]>
  body: Buffer
}

/** Per-request inputs of `RequestBuilder.prepare`: `timestamp` defaults to now, `externalId` to a fresh id. */
export interface PrepareOptions {
  accessToken: string
  timestamp?: string
  externalId?: string
}

/** The settings of a client (`privateKey` as PEM text). */
export interface RequestBuilderOptions {
  clientId: string
  clientSecret: string
  privateKey: string
  notificationPublicKey?: string
  baseUrl?: string
  environment?: string
  hostFamily?: string
  channelId?: string
}

/**
 * The sans-IO request side, for sending with your own HTTP client: prepares signed requests and
 * parses NICEPAY's answers (a refusal throws `ERR_NICEPAY_API`). No IO; the token is yours.
 */
export declare class RequestBuilder {
  constructor(options: RequestBuilderOptions)
  prepareAccessToken(options?: { timestamp?: string }): PreparedRequest
  prepare(operation: string, request: Record<string, unknown>, options: PrepareOptions): PreparedRequest
  prepareRaw(method: string, path: string, request: Record<string, unknown>, options: PrepareOptions): PreparedRequest
  parse(operation: string, httpStatus: number, body: string | Buffer, headers?: IncomingHeaders): Record<string, any>
}

/** A bill: open (`{ virtualAccountName, totalAmount, additionalInfo? }`), or `null` / `'notFound'`, `'paid'`, `'expired'`. */
export type Bill =
  | { virtualAccountName: string; totalAmount: { value: string; currency: string }; additionalInfo?: Record<string, unknown> }
  | 'notFound'
  | 'paid'
  | 'expired'
  | null

/** What `MerchantServer.receive` made of a request. */
export type Received =
  | { kind: 'respond'; response: HttpAnswer }
  | { kind: 'vaInquiry' | 'vaPayment' | 'vaReversal'; request: Record<string, any> }

/** Settings of the NIVA merchant server: the credentials the merchant issued to NICEPAY and NICEPAY's key. */
export interface MerchantServerOptions {
  clientId: string
  clientSecret: string
  nicepayPublicKey: string
  tokenLifetimeSeconds?: number
  maxSkewSeconds?: number
  mountPrefix?: string
}

/**
 * The merchant's side of NIVA (NICEPAY calls the merchant), sans-IO: verifies NICEPAY's token
 * request, issues tokens, verifies each inquiry, payment and reversal, refuses replayed
 * `X-EXTERNAL-ID`s and builds every SNAP answer. State lives in the object: one per process.
 */
export declare class MerchantServer {
  constructor(options: MerchantServerOptions)
  receive(method: string, path: string, headers: IncomingHeaders, body: string | Buffer, options?: { timestamp?: string }): Received
  answerInquiry(request: Record<string, any>, bill: Bill): HttpAnswer
  answerPayment(request: Record<string, any>, bill: Bill): HttpAnswer
  answerReversal(request: Record<string, any>, accepted: boolean): HttpAnswer
  /** `receive`, then `lookup(kind, request)` for the bill (or a reversal's acceptance); `onPaid` runs after an accepted payment. */
  handle(
    method: string,
    path: string,
    headers: IncomingHeaders,
    body: string | Buffer,
    hooks: {
      lookup: (kind: 'vaInquiry' | 'vaPayment' | 'vaReversal', request: Record<string, any>) => Bill | boolean | Promise<Bill | boolean>
      onPaid?: (request: Record<string, any>) => void | Promise<void>
    },
  ): Promise<HttpAnswer>
  liveTokens(): number
}

/**
 * One money-moving call in the client's `store` journal (`pendingOutcomes()`, `resolvePending()`):
 * its intent, written before the request was sent, and where it stands.
 */
export interface JournalEntry {
  clientId: string
  /** `qris.refund`, `ewallet.refund`, `payout.approve` or `raw`. */
  operation: string
  externalId: string
  /** The identifying references of the request (`originalReferenceNo`, `partnerRefundNo`, ...). */
  references: Record<string, string>
  /** The amount moved, when the request names one. */
  amount: string | null
  /** The request body. */
  request: Record<string, any>
  createdMillis: number
  /** `inFlight` and `unknown` are open; `succeeded` and `refused` are settled. */
  state: 'inFlight' | 'unknown' | 'succeeded' | 'refused'
  updatedMillis: number
  /** Why it is in this state. */
  detail: string | null
}
