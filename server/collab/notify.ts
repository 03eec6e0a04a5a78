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
/** a connect + LISTEN attempt that has not settled after this long is abandoned */
const STUCK_MS = 10_000

export interface PostgresNotifierOptions {
  /** first reconnect after this long, doubling up to 10 s */
  reconnectMs?: number
  /** how often the listener is checked (default 5 s) */
  probeMs?: number
  /** the client class (tests hand in one that fails in chosen ways); pg's Client by default */
  Client?: new (config: pg.ClientConfig) => pg.Client
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
  const Client = opts.Client ?? pgLib.Client
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
      connectingSince = Date.now()
      const mine = ++attempt
      void connectListener(mine)
        .then(
          () => {
            attempts = 0
            for (const h of resubscribed) h()
          },
          (err) => {
            if (mine !== attempt) return // abandoned by the watchdog: a newer attempt runs
            logger.warn('collab: notice connection failed, retrying', { error: errorText(err) })
            scheduleReconnect()
          },
        )
        .finally(() => {
          if (mine === attempt) connecting = false
        })
    }, delay)
    timer.unref()
  }
  // A safety net: whatever way a connection was lost, a missing listener is noticed and replaced;
  // and the listener is asked to LISTEN again (a no-op for a live one), so a connection that died
  // without telling the client (a middlebox dropping it, or a termination seen under heavy load
  // in pg-faults.test.ts) fails that query within its timeout and is replaced too.
  /** the current listener's loss handler, for the probe above */
  let lostListener: ((err?: Error) => void) | null = null

  let attempt = 0
  let connectingSince = 0
  const connectListener = async (mine = attempt) => {
    // Bounded: a connect or LISTEN that hangs (a failover in progress) fails and is retried.
    const client = new Client({ connectionString, connectionTimeoutMillis: 5_000, query_timeout: 5_000 })
    let lost = false
    // Idempotent through `listener !== client`, not through `lost`: a loss seen while the client was
    // still being set up marks it lost, and the probe's later failure must still replace it.
    const onLost = (err?: Error) => {
      if (!lost) {
        lost = true
        client.removeListener('notification', onNotification)
      }
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
      // The server may end the connection in the same read as it answers the LISTEN (seen under
      // heavy load when a backend is terminated right then): the 'error' came before this line ran,
      // while the client was not yet the listener, so nobody would ever replace it.
      if (lost) throw new Error('the notice connection was lost while it was set up')
    } catch (err) {
      lost = true
      client.removeListener('notification', onNotification)
      // Not awaited: end() on a connection the server already closed can wait for an 'end' that
      // was emitted before, and this attempt (and with it every later one) would never finish.
      void client.end().catch(() => undefined)
      throw err
    }
    if (closed || mine !== attempt) {
      lost = true
      void client.end().catch(() => undefined)
      if (!closed) throw new Error('abandoned attempt')
      return
    }
    listener = client
    lostListener = onLost
    generation++
  }
  // The first listener is connected before the watchdog starts: a slow first connect is not a
  // lost listener (the watchdog would start a second attempt and abandon this one, and the start
  // would fail); a failed first connect fails the start, and no timer is left behind.
  await connectListener()
  let watchdog: NodeJS.Timeout | undefined
  let probing = false
  watchdog = setInterval(() => {
    if (closed) return
    // An attempt that neither connected nor failed in time (seen under heavy load, cause not
    // found) is abandoned: a later one starts, and the abandoned one is ended if it ever finishes.
    if (connecting && Date.now() - connectingSince > STUCK_MS) {
      logger.warn('collab: notice connection attempt hangs, starting another')
      attempt++
      connecting = false
      scheduleReconnect()
      return
    }
    if (listener === null) {
      if (timer === null && !connecting) scheduleReconnect()
      return
    }
    if (probing) return
    probing = true
    const client = listener
    client
      .query(`listen "${channel}"`)
      .catch((err: unknown) => {
        if (listener === client) lostListener?.(err instanceof Error ? err : new Error(String(err)))
      })
      .finally(() => (probing = false))
  }, opts.probeMs ?? 5_000)
  watchdog.unref()

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
      if (watchdog) clearInterval(watchdog)
      if (timer) clearTimeout(timer)
      await listener?.end().catch(() => undefined)
      await sender.end().catch(() => undefined)
    },
  }
}
