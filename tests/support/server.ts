import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import pg from 'pg'
import type { ServerBuild } from '@remix-run/node'
import { readConfig } from '../../server/env'
import { startServer, type StartedServer } from '../../server/app'
import { createSession } from '../../server/auth/session'
import { SESSION_COOKIE } from '../../server/auth/session'
import { randomId } from '../../server/lib/ids'
import type { Clock } from '../../server/lib/time'
import type { CollabLimits } from '../../server/collab/server'

/**
 * Starts the real portal for a test: the production build, on port 0, with a fresh SQLite file or
 * a fresh PostgreSQL schema, seeded with the demo content. Close it when done; the schema or file
 * is removed.
 */
export type Dialect = 'sqlite' | 'postgres'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

/** The dialects to run against: PostgreSQL whenever TEST_DATABASE_URL is set, and it must be in CI. */
export function testDialects(): Dialect[] {
  if (process.env.CI === 'true' && !process.env.TEST_DATABASE_URL) {
    throw new Error('CI=true but TEST_DATABASE_URL is not set: the PostgreSQL suite may not be skipped in CI')
  }
  return process.env.TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite']
}

/**
 * The production build, copied once per test worker to a folder of its own, so that a rebuild in
 * the working tree during a test run cannot pull files from under a running server.
 */
let buildCopy: { dir: string; server: Promise<ServerBuild> } | undefined
function build() {
  if (buildCopy) return buildCopy
  const source = path.resolve(root, process.env.SAMENSPEL_BUILD_DIR || 'build')
  if (!fs.existsSync(path.join(source, 'server/index.js'))) {
    throw new Error('build/server/index.js is missing: run `npm run build` (npm test does this first)')
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samenspel-build-'))
  fs.cpSync(source, dir, { recursive: true })
  // The server bundle imports its dependencies by name: let it find this project's node_modules.
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir')
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }))
  buildCopy = { dir, server: import(pathToFileURL(path.join(dir, 'server/index.js')).href) as Promise<ServerBuild> }
  return buildCopy
}

export function loadBuild(): Promise<ServerBuild> {
  return build().server
}

/** A clock the test can move forward. */
export function testClock(start = Date.now()) {
  let offset = 0
  const realStart = Date.now()
  const clock: Clock = () => new Date(start + offset + (Date.now() - realStart))
  return { clock, advance: (ms: number) => (offset += ms) }
}

export interface TestServer extends StartedServer {
  dialect: Dialect
  origin: string
  /** the database URL, so a second instance can share it */
  databaseUrl: string
}

export interface TestServerOptions {
  dialect: Dialect
  clock?: Clock
  demo?: boolean
  collabLimits?: Partial<CollabLimits>
  /** another instance's database: this one then neither seeds nor removes it */
  shareDatabaseOf?: TestServer
  port?: number
}

export async function startTestServer(opts: TestServerOptions = { dialect: 'sqlite' }): Promise<TestServer> {
  let databaseUrl: string
  let cleanup: () => Promise<void>
  // The audit key and checkpoints of this database (beside a SQLite file already; a folder of its own for a PostgreSQL schema).
  let auditFiles: Record<string, string> = {}
  if (opts.shareDatabaseOf) {
    databaseUrl = opts.shareDatabaseOf.databaseUrl
    const shared = opts.shareDatabaseOf.context.config.audit
    if (shared.keyFile && shared.checkpointFile) auditFiles = { AUDIT_KEY_FILE: shared.keyFile, AUDIT_CHECKPOINT_FILE: shared.checkpointFile }
    cleanup = async () => {}
  } else if (opts.dialect === 'postgres') {
    const fresh = freshPgSchema()
    databaseUrl = fresh.databaseUrl
    const auditDir = fs.mkdtempSync(path.join(os.tmpdir(), 'samenspel-audit-'))
    auditFiles = { AUDIT_KEY_FILE: path.join(auditDir, 'audit.key'), AUDIT_CHECKPOINT_FILE: path.join(auditDir, 'audit-checkpoints.log') }
    cleanup = async () => {
      fs.rmSync(auditDir, { recursive: true, force: true })
      await fresh.remove()
    }
  } else {
    const fresh = freshSqliteFile('test')
    databaseUrl = fresh.databaseUrl
    cleanup = async () => fresh.remove()
  }
  const config = readConfig({
    NODE_ENV: 'test',
    PORT: String(opts.port ?? 0),
    HOST: '127.0.0.1',
    DATABASE_URL: databaseUrl,
    SAMENSPEL_DEMO: opts.demo === false ? 'false' : 'true',
    LOG_LEVEL: 'silent',
    ...auditFiles,
  })
  const server = await startServer({
    config,
    build: await loadBuild(),
    clientDir: path.join(build().dir, 'client'),
    clock: opts.clock,
    collabLimits: opts.collabLimits,
  })
  const close = server.close
  return {
    ...server,
    dialect: opts.dialect,
    origin: server.url,
    databaseUrl,
    async close() {
      await close()
      await cleanup()
    },
  }
}

/** A schema of its own in TEST_DATABASE_URL's database, for one server or test; `remove` drops it. */
export function freshPgSchema(): { databaseUrl: string; remove: () => Promise<void> } {
  const base = process.env.TEST_DATABASE_URL
  if (!base) throw new Error('TEST_DATABASE_URL is not set')
  const schema = `t_${randomId(8)}`
  const url = new URL(base)
  url.searchParams.set('schema', schema)
  return {
    databaseUrl: url.toString(),
    async remove() {
      const client = new pg.Client({ connectionString: base })
      await client.connect()
      await client.query(`drop schema if exists "${schema}" cascade`)
      await client.end()
    },
  }
}

/** A SQLite file in a temporary folder of its own; `remove` deletes the folder. */
export function freshSqliteFile(name: string): { databaseUrl: string; file: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `samenspel-${name}-`))
  const file = path.join(dir, `${name}.db`)
  return { databaseUrl: `sqlite:${file}`, file, remove: () => fs.rmSync(dir, { recursive: true, force: true }) }
}

/** Logs a user in without the form (a session row and its cookie), like Epic Stack's fixture. */
export async function loginAs(server: TestServer, email: string): Promise<string> {
  const user = await server.context.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()
  const { token } = await createSession(server.context.db, user.id, { now: server.context.clock(), device: 'test' })
  return cookieHeader(token)
}

/** A session cookie for each of `users` (a name → e-mail map, such as a selection of DEMO). */
export async function loginAll<K extends string>(server: TestServer, users: Record<K, string>): Promise<Record<K, string>> {
  const cookies = {} as Record<K, string>
  for (const who of Object.keys(users) as K[]) cookies[who] = await loginAs(server, users[who])
  return cookies
}

export function cookieHeader(token: string): string {
  // Remix's createCookie stores values as base64 of their JSON.
  return `${SESSION_COOKIE}=${encodeURIComponent(Buffer.from(JSON.stringify(token)).toString('base64'))}`
}

/** fetch against the server with the same-origin header a browser would send, no redirects followed. */
export function client(server: TestServer, cookie?: string) {
  return async (pathname: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { ...(cookie ? { Cookie: cookie } : {}), ...init.headers }
    const method = init.method ?? (init.form ? 'POST' : 'GET')
    if (method !== 'GET' && !('Origin' in headers)) headers.Origin = server.origin
    return fetch(server.url + pathname, {
      method,
      headers,
      body: init.form ? new URLSearchParams(init.form) : undefined,
      redirect: 'manual',
    })
  }
}

/** The session token from a Set-Cookie header, as a Cookie header. */
export function sessionFrom(res: Response): string | null {
  const set = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))
  if (!set) return null
  const value = set.split(';')[0]!
  return value === `${SESSION_COOKIE}=` ? null : value
}
