// Types of testing.js: the simulator inside the package (`require('nicepay-snap/testing')`).
import type { ClientOptions } from './index.js'

/** What the simulator tells clients (TEST-ONLY credentials). */
export interface SimulatorInfo {
  baseUrl: string
  clientId: string
  clientSecret: string
  privateKeyPem: string
  notificationPublicKey: string
  [key: string]: unknown
}

/** A running NICEPAY SNAP simulator on 127.0.0.1, in this process. */
export declare class Simulator {
  static start(options?: { port?: number }): Promise<Simulator>
  readonly info: SimulatorInfo
  readonly baseUrl: string
  /** Options of `new Client(...)` for the simulator's merchant, with `over` on top. */
  clientOptions(over?: Partial<ClientOptions>): ClientOptions
  /** The admin API (`/__admin/...`): resolves with its JSON, rejects on an error answer. */
  admin(method: string, path: string, payload?: unknown): Promise<any>
  payQris(referenceNo: string): Promise<any>
  payVa(virtualAccountNo: string): Promise<any>
  approveEwallet(referenceNo: string): Promise<any>
  addFault(fault: Record<string, unknown>): Promise<any>
  clearFaults(): Promise<any>
  state(): Promise<Record<string, any>>
  stop(): Promise<void>
}
