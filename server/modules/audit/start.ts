import fs from 'node:fs'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import type { Connection } from '../../../db/connect'
import type { Config } from '../../env'
import type { Logger } from '../../lib/log'
import { DAY, iso, MINUTE, type Clock } from '../../lib/time'
import { chainHead, sealUnkeyedChain, writeCheckpoint } from './audit'
import { bindAuditTrail, loadOrCreateKeyFile, makeTrail, readCheckpoints, type AuditTrail } from './trail'

/** A checkpoint after this many new entries … */
export const CHECKPOINT_EVERY = 100
/** … or after this long, whichever comes first (when anything was written at all). */
export const CHECKPOINT_MAX_AGE = DAY
const CHECK_INTERVAL = MINUTE

export interface RunningAuditTrail {
  trail: AuditTrail
  /** writes a checkpoint when enough entries or time have passed since the newest one */
  tick(): Promise<void>
  stop(): void
}

/**
 * Where the key and the checkpoints live: beside the SQLite file, or in ./data for PostgreSQL,
 * unless configured. Never inside the database, whose rows they must be able to judge.
 */
export function auditPaths(config: Config): { dir: string | null; keyFile: string | null; checkpointFile: string | null } {
  const url = config.databaseUrl
  const sqliteFile = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : null
  const dir = sqliteFile === ':memory:' ? null : sqliteFile ? path.dirname(path.resolve(sqliteFile)) : path.resolve('data')
  return {
    dir,
    keyFile: config.audit.keyFile ? path.resolve(config.audit.keyFile) : dir && path.join(dir, 'audit.key'),
    checkpointFile: config.audit.checkpointFile
      ? path.resolve(config.audit.checkpointFile)
      : dir && path.join(dir, sqliteFile ? 'audit-checkpoints.log' : `audit-checkpoints-${postgresName(url)}.log`),
  }
}

/**
 * A checkpoint file describes one database. PostgreSQL databases share ./data by default, so the
 * file is named after the database (and schema): switching DATABASE_URL in development must not
 * make one database's checkpoints look like another's missing entries.
 */
function postgresName(url: string): string {
  const u = new URL(url)
  const name = [u.hostname, u.port, u.pathname.replace(/^\//, ''), u.searchParams.get('schema')].filter(Boolean).join('-')
  return name.replace(/[^A-Za-z0-9_.-]/g, '_') || 'postgres'
}

/**
 * Loads (or on first start creates) the audit key, binds it to the connection, seals a chain from
 * before the key, publishes the head and starts the periodic checkpoints. Call after the
 * migrations and before anything writes an audit entry (the seed included).
 */
export async function startAuditTrail(
  conn: Connection,
  config: Config,
  opts: { clock: Clock; logger: Logger },
): Promise<RunningAuditTrail> {
  const { logger, clock } = opts
  const paths = auditPaths(config)
  let key: Buffer
  if (config.audit.key) key = config.audit.key
  else if (paths.keyFile) {
    // SQLite: the key file sits beside the database and is made on first start. PostgreSQL in
    // production: instances must share one key, so the file must already be there (env.ts
    // demands AUDIT_KEY or AUDIT_KEY_FILE); elsewhere a development key is made in ./data.
    const create = conn.dialect === 'sqlite' || config.nodeEnv !== 'production'
    const loaded = loadOrCreateKeyFile(paths.keyFile, create)
    key = loaded.key
    if (loaded.created) {
      logger.warn('audit key created: back it up separately from the database', { file: paths.keyFile })
    }
  } else key = randomBytes(32) // an in-memory database dies with the process, and its chain with it
  const trail = makeTrail(key, paths.checkpointFile, clock)
  bindAuditTrail(conn.db, trail)

  await retireStaleCheckpoints(conn, trail, logger)

  const hadCheckpoints = readCheckpoints(trail.checkpointFile).length > 0
  if (!hadCheckpoints) {
    // The first start with a key: seal the unkeyed rows of an older database. Never again after
    // checkpoints exist: a chain that turns unkeyed later was downgraded, and must stay visible.
    const { sealed, unkeyed } = await sealUnkeyedChain(conn.db, clock())
    if (sealed) {
      logger.info('audit chain sealed with the key', { unkeyedEntries: unkeyed })
      await writeCheckpoint(conn.db, 'seal')
    }
  }
  await writeCheckpoint(conn.db, 'start')

  const tick = async () => {
    const file = trail.checkpointFile
    if (!file) return
    const head = await chainHead(conn.db)
    const newest = readCheckpoints(file).at(-1)
    if (!head || (newest && newest.seq === head.seq)) return
    const due =
      !newest || head.seq - newest.seq >= CHECKPOINT_EVERY || clock().getTime() - Date.parse(newest.at) >= CHECKPOINT_MAX_AGE
    if (due) await writeCheckpoint(conn.db, 'interval')
  }
  const timer = setInterval(() => {
    tick().catch((err: unknown) => logger.warn('audit checkpoint failed', { error: String(err) }))
  }, CHECK_INTERVAL)
  timer.unref()
  return { trail, tick, stop: () => clearInterval(timer) }
}

/**
 * A brand-new database (no regions, no audit entries) beside an old checkpoint file means the
 * database was replaced (the demo is re-seeded that way): the old checkpoints describe a chain
 * that no longer exists. They are moved aside, not deleted. An emptied audit log in a database
 * that still has its regions is not new: then the checkpoints stay, and report the loss.
 */
async function retireStaleCheckpoints(conn: Connection, trail: AuditTrail, logger: Logger): Promise<void> {
  const file = trail.checkpointFile
  if (!file || !fs.existsSync(file) || fs.statSync(file).size === 0) return
  const anyEntry = await conn.db.selectFrom('audit_log').select('seq').limit(1).executeTakeFirst()
  const anyRegion = await conn.db.selectFrom('regions').select('id').limit(1).executeTakeFirst()
  if (anyEntry || anyRegion) return
  const aside = `${file}.${iso(trail.clock()).replace(/[:.]/g, '-')}.old`
  fs.renameSync(file, aside)
  logger.warn('audit checkpoints of a previous database moved aside', { file: aside })
}
