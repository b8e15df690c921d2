import type { FastifyPluginAsync } from 'fastify'
import type { NotificationHandler, NotificationResult } from './handler.js'

export interface NicepayNotificationsOptions {
  handler: NotificationHandler
  onPaid: (result: NotificationResult) => unknown
}

/** A Fastify plugin answering `POST` on every documented notification path. */
declare const nicepayNotifications: FastifyPluginAsync<NicepayNotificationsOptions>
export default nicepayNotifications
export { nicepayNotifications }
