import fs from 'node:fs'
import path from 'node:path'
import type BetterSqlite3 from 'better-sqlite3'
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration, type Transaction } from 'kysely'
import type { Database } from './schema'
import { migrations, type Dialect } from './migrations/index'

export type DB = Kysely<Database>
/** A transaction: what commands that write an audit entry need (ADR 0017). */
export type Trx = Transaction<Database>

export interface Connection {
  db: DB
  dialect: Dialect
  /** A short description for /healthz and logs; never contains credentials. */
  label: string
  /** the PostgreSQL schema named by `?schema=`, or null */
  schema?: string | null
  close(): Promise<void>
}

/**
 * Opens the database named by DATABASE_URL: `sqlite:<file>` (embedded, WAL) or `postgres://…`.
 * A `?schema=name` parameter on a PostgreSQL URL puts every table in that schema (tests use it to
 * give each run its own schema); the schema is created when missing.
 */
export interface ConnectOptions {
  /**
   * SQLite: how long a statement waits for another process's write lock (ms). better-sqlite3 is
   * synchronous, so this wait blocks the whole process: keep it short and retry asynchronously.
   */
  sqliteBusyTimeoutMs?: number
  /** PostgreSQL: told when an idle pooled connection is lost (the pool replaces it). */
  onPoolError?: (err: Error) => void
}

export const DEFAULT_SQLITE_BUSY_TIMEOUT_MS = 200

export async function connect(databaseUrl: string, opts: ConnectOptions = {}): Promise<Connection> {
  if (databaseUrl.startsWith('sqlite:')) return connectSqlite(databaseUrl.slice('sqlite:'.length), opts)
  return connectPostgres(databaseUrl, opts)
}

async function connectSqlite(file: string, opts: ConnectOptions): Promise<Connection> {
  const { default: SQLite } = await import('better-sqlite3')
  const memory = file === ':memory:'
  if (!memory) fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true })
  const sqlite = new SQLite(memory ? ':memory:' : path.resolve(file))
  sqlite.pragma('journal_mode = WAL')
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.sqliteBusyTimeoutMs ?? DEFAULT_SQLITE_BUSY_TIMEOUT_MS))}`)
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) })
  sqliteHandles.set(db, sqlite)
  return { db, dialect: 'sqlite', label: 'sqlite', close: () => db.destroy() }
}

const sqliteHandles = new WeakMap<DB, BetterSqlite3.Database>()

/**
 * The better-sqlite3 handle behind a SQLite connection's `db` (never a transaction's, nor another
 * dialect's: undefined then), for the few hot statements that are prepared once instead of built
 * and prepared by kysely on every call (the collab append, server/collab/persistence.ts). Kysely
 * shares this one connection: run statements on it only synchronously, and only when
 * `handle.inTransaction` is false (otherwise a kysely transaction is open on it and they would
 * become part of that transaction).
 */
export function sqliteHandle(db: DB): BetterSqlite3.Database | undefined {
  return sqliteHandles.get(db)
}

async function connectPostgres(databaseUrl: string, opts: ConnectOptions): Promise<Connection> {
  const { default: pg } = await import('pg')
  const url = new URL(databaseUrl)
  const schema = url.searchParams.get('schema')
  url.searchParams.delete('schema')
  if (schema && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error('DATABASE_URL: schema must be a plain lower-case identifier')
  }
  if (schema) {
    const admin = new pg.Client({ connectionString: url.toString() })
    admin.on('error', () => undefined) // a lost connection fails the query below, which is enough
    await admin.connect()
    try {
      await admin.query(`create schema if not exists "${schema}"`)
    } finally {
      await admin.end()
    }
  }
  const pool = new pg.Pool({
    connectionString: url.toString(),
    max: 10,
    // A database that does not answer (a failover in progress) fails a request after 5 s instead
    // of holding it forever; the collab write path retries on its own.
    connectionTimeoutMillis: 5_000,
    ...(schema ? { options: `-c search_path="${schema}"` } : {}),
  })
  // An idle client ended by the server (a restart, failover, pg_terminate_backend, an idle reaper)
  // emits 'error' on the pool; without a handler Node ends the process. The pool drops that
  // client and opens a new one for the next query; a query in flight fails on its own.
  pool.on('error', (err) => opts.onPoolError?.(err))
  // pg-pool listens for errors only on idle clients: one that is checked out between two queries
  // (inside a transaction, say) would emit an unhandled 'error'. Its next query fails instead, and
  // the pool drops it on release (it is no longer queryable).
  pool.on('connect', (client) => client.on('error', () => undefined))
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  return { db, dialect: 'postgres', label: 'postgres', schema, close: () => db.destroy() }
}

/** Runs every pending migration; throws with the failing migration's name. */
export async function migrateToLatest(conn: Connection): Promise<void> {
  const provider = {
    async getMigrations(): Promise<Record<string, Migration>> {
      const out: Record<string, Migration> = {}
      for (const [name, m] of Object.entries(migrations)) {
        out[name] = { up: (db: any) => m.up(db, conn.dialect) }
      }
      return out
    },
  }
  // The migration tables in the connection's own schema, named explicitly: otherwise kysely's
  // check "does kysely_migration exist?" also sees other schemas' tables (parallel test runs, or
  // two portals in one database), skips creating its own, and the migration fails.
  const migrator = new Migrator({ db: conn.db, provider, ...(conn.schema ? { migrationTableSchema: conn.schema } : {}) })
  const { error, results } = await migrator.migrateToLatest()
  const failed = results?.find((r) => r.status === 'Error')
  if (error) {
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${String((error as Error).message ?? error)}`)
  }
}

/** Runs `fn` in a transaction, or inside the caller's when `db` already is one (kysely does not nest). */
export function inTransaction<T>(db: DB, fn: (trx: Trx) => Promise<T>): Promise<T> {
  return db.isTransaction ? fn(db as Trx) : db.transaction().execute(fn)
}
