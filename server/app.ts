import http from 'node:http'
import type { Duplex } from 'node:stream'
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import express from 'express'
import helmet from 'helmet'
import { sql } from 'kysely'
import { createRequestHandler } from '@remix-run/express'
import type { AppLoadContext, ServerBuild } from '@remix-run/node'
import { connect, migrateToLatest, type Connection } from '../db/connect'
import { startAuditTrail } from './modules/audit/start'
import { isEmpty, seed } from '../db/seed'
import type { Config } from './env'
import type { ServerContext } from './context'
import { createLogger, type Logger } from './lib/log'
import { systemClock, type Clock } from './lib/time'
import { originAllowed } from './auth/origin'
import { bodyLimit, checkContinue } from './http/body-limit'
import { noStoreForSessions, permissionsPolicy } from './http/headers'
import { CollabServer, type CollabLimits } from './collab/server'
import { localNotifier, postgresNotifier } from './collab/notify'
import { dbStorage, withFaults } from './collab/persistence'
import { portalHooks } from './collab/auth'
import { PresenceGate, withPresence } from './collab/presence'
import { errorText } from './collab/room'

export type UpgradeHandler = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void

export interface StartedServer {
  url: string
  port: number
  context: ServerContext
  httpServer: http.Server
  /** Routes websocket upgrades whose path starts with `prefix` to `handler` (the collab server). */
  onUpgrade(prefix: string, handler: UpgradeHandler): void
  close(): Promise<void>
}

export interface ServerOptions {
  config: Config
  /** The Remix server build, or a loader for it (dev mode reloads it on every request). */
  build: ServerBuild | (() => Promise<ServerBuild>)
  /** Folder with the browser assets (build/client); absent in dev mode, where Vite serves them. */
  clientDir?: string
  /** Vite's middlewares in dev mode. */
  devMiddleware?: express.RequestHandler
  clock?: Clock
  logger?: Logger
  collabLimits?: Partial<CollabLimits>
}

/**
 * Builds the whole portal on one port: health check, security headers, the Origin check on
 * mutations, static assets, Remix, and a hook for websocket upgrades. Migrates the database first
 * and seeds it from content/ when it is empty.
 */
export async function startServer(opts: ServerOptions): Promise<StartedServer> {
  const { config } = opts
  const logger = opts.logger ?? createLogger(config.logLevel)
  const conn: Connection = await connect(config.databaseUrl, {
    sqliteBusyTimeoutMs: config.sqliteBusyTimeoutMs,
    onPoolError: (err) => logger.warn('database connection lost; the pool replaces it', { error: errorText(err) }),
  })
  await migrateToLatest(conn)
  // The audit key is bound before anything (the seed included) writes an audit entry.
  const auditTrail = await startAuditTrail(conn, config, { clock: opts.clock ?? systemClock, logger })
  if (await isEmpty(conn.db)) {
    const counts = await seed(conn.db, { demoAccounts: config.demo })
    logger.info('database seeded', counts)
    await auditTrail.tick() // the seeded chain's first checkpoint, without waiting for the timer
  }
  const shared = conn.dialect === 'postgres'
  const notifier = shared
    ? await postgresNotifier(withoutSchema(config.databaseUrl), schemaOf(config.databaseUrl), logger)
    : localNotifier()
  const context = {
    db: conn.db,
    dialect: conn.dialect,
    config,
    clock: opts.clock ?? systemClock,
    logger,
  } as ServerContext
  // The fault seam exists only in tests (NODE_ENV=test): code reaches it through
  // context.collab.faults; nothing outside the process can switch it.
  const storage = config.nodeEnv === 'test' ? withFaults(dbStorage(conn.db)) : { storage: dbStorage(conn.db), faults: undefined }
  context.collab = new CollabServer({
    storage: storage.storage,
    faults: storage.faults,
    clock: context.clock,
    logger,
    // Presence is granted, not claimed: the gate rewrites every awareness state with the person's
    // server-side identity and refuses foreign, oversize or flooding states (ADR 0012).
    hooks: withPresence(portalHooks({ db: conn.db, clock: context.clock, config }), new PresenceGate({ db: conn.db, clock: context.clock, logger })),
    notifier,
    limits: opts.collabLimits,
    shared,
  })

  const app = express()
  app.disable('x-powered-by')
  app.set('trust proxy', config.trustProxy)
  // First of all, so that nothing in front of the routes reads an unlimited body.
  app.use(bodyLimit({ onRefused: (info) => logger.warn('request body too large', info) }))

  // ok: false with 503 whenever the database does not answer within a second or a document is
  // retrying a failed write: a load balancer then prefers another instance, an operator sees why.
  app.get('/healthz', async (_req, res) => {
    const database = await Promise.race([
      sql`select 1`.execute(conn.db).then(
        () => 'ok' as const,
        () => 'degraded' as const,
      ),
      new Promise<'degraded'>((resolve) => setTimeout(() => resolve('degraded'), 1000).unref()),
    ])
    const collab = context.collab.health()
    const ok = database === 'ok' && collab.storage === 'ok' && collab.notices
    res.status(ok ? 200 : 503).json({
      ok,
      version: config.version,
      database: conn.dialect,
      status: { database, storage: collab.storage, notices: collab.notices ? 'ok' : 'degraded' },
      retryingDocuments: collab.retryingDocuments,
    })
  })

  app.use((_req, res, next) => {
    res.locals.nonce = randomBytes(16).toString('base64')
    next()
  })
  const dev = Boolean(opts.devMiddleware)
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          // Vite's dev server injects inline scripts without a nonce; production needs none.
          scriptSrc: dev
            ? ["'self'", "'unsafe-inline'"]
            : ["'self'", (_req, res) => `'nonce-${(res as express.Response).locals.nonce}'`],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'", ...(dev ? ['ws:'] : [])],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'self'"],
          objectSrc: ["'none'"],
          ...(config.cookieSecure ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      strictTransportSecurity: config.cookieSecure,
      crossOriginEmbedderPolicy: false,
      referrerPolicy: { policy: 'same-origin' },
    }),
  )
  app.use(permissionsPolicy())

  // Every mutation must come from a page of this portal (CSRF defence in depth besides SameSite).
  app.use((req, res, next) => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return next()
    if (originAllowed(req, config.publicOrigins)) return next()
    logger.warn('cross-origin mutation refused', { method: req.method, path: req.path })
    res
      .status(403)
      .type('text/plain; charset=utf-8')
      .send('Geweigerd: dit verzoek komt niet van een pagina van Samenspel. / Refused: cross-origin request.')
  })

  if (opts.devMiddleware) app.use(opts.devMiddleware)
  if (opts.clientDir) {
    app.use('/assets', express.static(path.join(opts.clientDir, 'assets'), { immutable: true, maxAge: '1y' }))
    app.use(express.static(opts.clientDir, { maxAge: '1h', index: false }))
  }

  app.use(noStoreForSessions())

  const build = opts.build
  app.all(
    '*',
    createRequestHandler({
      build,
      mode: dev ? 'development' : 'production',
      getLoadContext: (req, res): AppLoadContext => ({
        ...context,
        nonce: String(res.locals.nonce),
        clientAddress: req.ip ?? req.socket.remoteAddress ?? 'unknown',
      }),
    }),
  )

  const httpServer = http.createServer(app)
  httpServer.on('checkContinue', checkContinue(app))
  const upgrades: Array<{ prefix: string; handler: UpgradeHandler }> = [{ prefix: '/collab/', handler: context.collab.handleUpgrade }]
  httpServer.on('upgrade', (req, socket, head) => {
    const url = req.url ?? ''
    const match = upgrades.find((u) => url.startsWith(u.prefix))
    if (match) return match.handler(req, socket, head)
    if (dev) return // Vite's HMR socket has its own listener in dev mode
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
  })

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject)
    httpServer.listen(config.port, config.host, () => resolve())
  })
  const address = httpServer.address()
  const port = typeof address === 'object' && address ? address.port : config.port
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host

  let closing: Promise<void> | undefined
  return {
    url: `http://${host}:${port}`,
    port,
    context,
    httpServer,
    onUpgrade: (prefix, handler) => upgrades.push({ prefix, handler }),
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => {
          const force = setTimeout(() => httpServer.closeAllConnections(), 10_000)
          httpServer.close(() => {
            clearTimeout(force)
            resolve()
          })
          httpServer.closeIdleConnections()
        })
        // Websockets keep the HTTP server open: close them (and write every document) first.
        await context.collab.close()
        await stopped
        auditTrail.stop()
        await conn.close()
      })()
      return closing
    },
  }
}

function schemaOf(databaseUrl: string): string | null {
  return new URL(databaseUrl).searchParams.get('schema')
}

function withoutSchema(databaseUrl: string): string {
  const url = new URL(databaseUrl)
  url.searchParams.delete('schema')
  return url.toString()
}
