import type pg from 'pg'
import type { Logger } from '../lib/log'
import { errorText } from './room'

/**
 * Change notices between instances. On PostgreSQL: LISTEN/NOTIFY on one channel, carrying only
 * identifiers (the data itself is read from the log, so a lost notice costs latency, not data; a
 * periodic poll covers that). With SQLite there is one instance and nothing to tell.
 */
export type Notice =
  | { kind: 'update'; docId: string; seq: number }
  | { kind: 'access'; docId?: string; userId?: string }

export interface Notifier {
  publish(notice: Notice): Promise<void>
  subscribe(handler: (notice: Notice) => void): void
  /** after a lost notice connection was replaced: notices in between are missed, catch up */
  onResubscribed?(handler: () => void): void
  /** false while the notice connection is being replaced */
  healthy?(): boolean
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

export interface PostgresNotifierOptions {
  /** first reconnect after this long, doubling up to 10 s */
  reconnectMs?: number
}

/**
 * LISTEN on one dedicated client. A lost client (error, end, or both, in either order) is
 * replaced exactly once: each client gets one `lost` handler that only acts while that client
 * is still the current one, so handlers never pile up. After a replacement the subscribers are
 * told to catch up from the seq they applied.
 */
export async function postgresNotifier(
  connectionString: string,
  schema: string | null,
  logger: Logger,
  opts: PostgresNotifierOptions = {},
): Promise<Notifier & { listenerGeneration(): number }> {
  const { default: pgLib } = await import('pg')
  const handlers: Array<(n: Notice) => void> = []
  const resubscribed: Array<() => void> = []
  // One channel per schema, so test runs in separate schemas do not hear each other.
  const channel = schema ? `${CHANNEL}_${schema}` : CHANNEL
  const baseMs = opts.reconnectMs ?? 250
  let listener: pg.Client | null = null
  let generation = 0
  let attempts = 0
  let timer: NodeJS.Timeout | null = null
  let connecting = false
  let closed = false

  const onNotification = (msg: pg.Notification) => {
    if (msg.channel !== channel || !msg.payload) return
    let notice: Notice
    try {
      notice = JSON.parse(msg.payload) as Notice
    } catch {
      logger.warn('collab: unreadable notice ignored')
      return
    }
    for (const h of handlers) h(notice)
  }

  const scheduleReconnect = () => {
    if (closed || timer) return
    const delay = Math.min(baseMs * 2 ** attempts, 10_000)
    attempts++
    timer = setTimeout(() => {
      timer = null
      connecting = true
      void connectListener()
        .then(
          () => {
            attempts = 0
            for (const h of resubscribed) h()
          },
          (err) => {
            logger.warn('collab: notice connection failed, retrying', { error: errorText(err) })
            scheduleReconnect()
          },
        )
        .finally(() => (connecting = false))
    }, delay)
    timer.unref()
  }
  // A safety net: whatever way a connection was lost, a missing listener is noticed and replaced.
  const watchdog = setInterval(() => {
    if (!closed && listener === null && timer === null && !connecting) scheduleReconnect()
  }, 5_000)
  watchdog.unref()

  const connectListener = async () => {
    // Bounded: a connect or LISTEN that hangs (a failover in progress) fails and is retried.
    const client = new pgLib.Client({ connectionString, connectionTimeoutMillis: 5_000, query_timeout: 5_000 })
    let lost = false
    const onLost = (err?: Error) => {
      if (lost) return
      lost = true
      client.removeListener('notification', onNotification)
      // A late error of a client that is already gone needs the handler above, nothing more.
      if (listener !== client) return
      listener = null
      if (closed) return
      logger.warn('collab: notice connection lost, reconnecting', { error: err ? errorText(err) : 'ended' })
      client.end().catch(() => undefined)
      scheduleReconnect()
    }
    // Keep an 'error' handler on this client for good: pg may emit more than one.
    client.on('error', onLost)
    client.on('end', () => onLost())
    client.on('notification', onNotification)
    try {
      await client.connect()
      await client.query(`listen "${channel}"`)
    } catch (err) {
      lost = true
      client.removeListener('notification', onNotification)
      await client.end().catch(() => undefined)
      throw err
    }
    if (closed) {
      await client.end().catch(() => undefined)
      return
    }
    listener = client
    generation++
  }
  await connectListener()

  const sender = new pgLib.Pool({ connectionString, max: 2 })
  // An idle client of the pool that the server ends emits 'error' on the pool: without a
  // handler that would end the process. The pool replaces the client on the next query.
  sender.on('error', (err) => logger.warn('collab: notice sender connection lost', { error: errorText(err) }))
  sender.on('connect', (client) => client.on('error', () => undefined)) // checked-out clients too (see db/connect.ts)
  return {
    async publish(notice) {
      await sender.query('select pg_notify($1, $2)', [channel, JSON.stringify(notice)])
    },
    subscribe: (h) => void handlers.push(h),
    onResubscribed: (h) => void resubscribed.push(h),
    healthy: () => listener !== null,
    listenerGeneration: () => generation,
    async close() {
      closed = true
      clearInterval(watchdog)
      if (timer) clearTimeout(timer)
      await listener?.end().catch(() => undefined)
      await sender.end().catch(() => undefined)
    },
  }
}
