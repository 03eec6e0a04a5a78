import { spawn, type ChildProcess } from 'node:child_process'
import net from 'node:net'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll } from 'vitest'
import { connect as connectDb, migrateToLatest, type Connection } from '../../db/connect'
import { seed } from '../../db/seed'
import { createSession } from '../../server/auth/session'
import { createDocument } from '../../server/modules/documents/commands'
import { clientPool } from './collab'
import { regionIdOf } from './demo'
import { cookieHeader, freshSqliteFile } from './server'

/**
 * The portal as a separate process (`node --import tsx server/main.ts`), for tests that must kill
 * it the hard way or run two instances. Output is kept for the failure message.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port
      srv.close(() => resolve(port))
    })
    srv.on('error', reject)
  })
}

export interface ServerProcess {
  url: string
  port: number
  child: ChildProcess
  output: () => string
  kill: (signal?: NodeJS.Signals) => Promise<void>
}

export async function startProcess(opts: { port: number; databaseUrl: string; env?: Record<string, string> }): Promise<ServerProcess> {
  let out = ''
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(opts.port),
      DATABASE_URL: opts.databaseUrl,
      SAMENSPEL_DEMO: 'true',
      LOG_LEVEL: 'warn',
      // Production with PostgreSQL requires the audit key; instances sharing a database share it.
      AUDIT_KEY: 'a1'.repeat(32),
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const url = `http://127.0.0.1:${opts.port}`
  const started = Date.now()
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${out}`)
    try {
      const res = await fetch(`${url}/healthz`)
      if (res.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() - started > 30_000) {
      child.kill('SIGKILL')
      throw new Error(`server did not start within 30 s:\n${out}`)
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  return {
    url,
    port: opts.port,
    child,
    output: () => out,
    kill: (signal = 'SIGKILL') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill(signal)
      }),
  }
}

/**
 * Clean-ups that run after the suite, last pushed first: `const later = cleanupsAfterAll()`, then
 * `later(() => conn.close())` as each thing is made, so whatever was made is undone even when a step fails.
 */
export function cleanupsAfterAll(): (...fns: Array<() => Promise<unknown> | unknown>) => void {
  const stack: Array<() => Promise<unknown> | unknown> = []
  afterAll(async () => {
    for (const c of stack.splice(0).reverse()) await c()
  })
  return (...fns) => void stack.push(...fns)
}

/**
 * A database prepared for server processes started on it: migrated, seeded with the demo, one new
 * proposal in the demo region, and a session cookie per entry of `sessionsOf` (e-mail addresses,
 * repeated for more sessions of one person). Close `conn` when done.
 */
export async function seededDatabase(
  databaseUrl: string,
  opts: { title: string; sessionsOf: readonly string[] },
): Promise<{ conn: Connection; docId: string; cookies: string[] }> {
  const conn = await connectDb(databaseUrl)
  await migrateToLatest(conn)
  await seed(conn.db, { demoAccounts: true })
  const docId = await createDocument(conn.db, { regionId: await regionIdOf(conn.db), kind: 'proposal', title: opts.title, actorId: null, now: new Date() })
  const cookies: string[] = []
  for (const email of opts.sessionsOf) {
    const user = await conn.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()
    cookies.push(cookieHeader((await createSession(conn.db, user.id, { now: new Date(), device: 'test' })).token))
  }
  return { conn, docId, cookies }
}

/**
 * The portal as a process on a fresh seeded SQLite file with one typing client per session, synced:
 * the start of every durability test. `server` is the running process; `start()` starts it again on
 * the same port and file after a kill. Everything is undone through `later`.
 */
export async function typingOnSqliteProcess(
  later: ReturnType<typeof cleanupsAfterAll>,
  opts: { name: string; title: string; sessionsOf: readonly string[] },
) {
  const { databaseUrl, file, remove } = freshSqliteFile(opts.name)
  later(remove)
  const { conn, docId, cookies } = await seededDatabase(databaseUrl, opts)
  later(() => conn.close())
  const port = await freePort()
  let server: ServerProcess = await startProcess({ port, databaseUrl })
  later(() => server.kill())
  const pool = clientPool(() => server)
  later(pool.destroyAll)
  const clients = cookies.map((cookie) => pool.open(docId, cookie))
  await Promise.all(clients.map((c) => c.synced))
  return {
    file,
    conn,
    docId,
    clients,
    get server() {
      return server
    },
    async start() {
      server = await startProcess({ port, databaseUrl })
    },
  }
}

/**
 * Another process holding SQLite's write lock (BEGIN IMMEDIATE, sleep, COMMIT), as a backup tool
 * or a careless operator's sqlite3 shell would. `locked` resolves once the lock is held, `done`
 * with the exit code once it is released.
 */
export function holdSqliteLock(file: string, ms: number): { locked: Promise<void>; done: Promise<number | null> } {
  const script = `
    const fs = require('node:fs')
    const db = new (require('better-sqlite3'))(process.argv[1])
    db.pragma('busy_timeout = 10000')
    db.exec('BEGIN IMMEDIATE')
    fs.writeSync(1, 'locked\\n')
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(process.argv[2]))
    db.exec('COMMIT')
    db.close()
  `
  const child = spawn(process.execPath, ['-e', script, file, String(ms)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let err = ''
  child.stderr!.on('data', (d) => (err += d))
  const locked = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => String(d).includes('locked') && resolve())
    child.once('exit', (code) => reject(new Error(`lock holder exited (${code}) before locking: ${err}`)))
  })
  const done = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { locked, done }
}
