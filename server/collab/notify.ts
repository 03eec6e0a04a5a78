import type pg from 'pg'
import type { Logger } from '../lib/log'

/**
 * Change notices between instances. On PostgreSQL: LISTEN/NOTIFY on two channels, carrying only
 * identifiers (the data itself is read from the log, so a lost notice costs latency, not data; a
 * periodic poll covers that). With SQLite there is one instance and nothing to tell.
 */
export type Notice =
  | { kind: 'update'; docId: string; seq: number }
  | { kind: 'access'; docId?: string; userId?: string }

export interface Notifier {
  publish(notice: Notice): Promise<void>
  subscribe(handler: (notice: Notice) => void): void
  close(): Promise<void>
}

export const localNotifier = (): Notifier => {
  const handlers: Array<(n: Notice) => void> = []
  return {
    // A single instance already acted on its own change; access notices still reach the handlers.
    async publish(notice) {
      if (notice.kind === 'access') for (const h of handlers) h(notice)
    },
    subscribe: (h) => void handlers.push(h),
    async close() {},
  }
}

const CHANNEL = 'samenspel_collab'

export async function postgresNotifier(connectionString: string, schema: string | null, logger: Logger): Promise<Notifier> {
  const { default: pgLib } = await import('pg')
  const handlers: Array<(n: Notice) => void> = []
  // One channel per schema, so test runs in separate schemas do not hear each other.
  const channel = schema ? `${CHANNEL}_${schema}` : CHANNEL
  let listener: pg.Client | null = null
  let closed = false

  const connectListener = async () => {
    const client = new pgLib.Client({ connectionString })
    client.on('notification', (msg) => {
      if (msg.channel !== channel || !msg.payload) return
      try {
        const notice = JSON.parse(msg.payload) as Notice
        for (const h of handlers) h(notice)
      } catch {
        logger.warn('collab: unreadable notice ignored')
      }
    })
    client.on('error', () => {
      if (closed) return
      logger.warn('collab: notice connection lost, reconnecting')
      listener = null
      setTimeout(() => void connectListener().catch(() => undefined), 1000)
    })
    await client.connect()
    await client.query(`listen "${channel}"`)
    listener = client
  }
  await connectListener()

  const sender = new pgLib.Pool({ connectionString, max: 2 })
  return {
    async publish(notice) {
      await sender.query('select pg_notify($1, $2)', [channel, JSON.stringify(notice)])
    },
    subscribe: (h) => void handlers.push(h),
    async close() {
      closed = true
      await listener?.end().catch(() => undefined)
      await sender.end().catch(() => undefined)
    },
  }
}
