import { PostgresAdapter, sql } from 'kysely'
import type { DB } from '../../../db/connect'
import type { AuditEntry } from '../../../db/schema'
import { sha256Hex } from '../../lib/ids'
import { iso } from '../../lib/time'

/**
 * The audit log: append-only (the database refuses UPDATE and DELETE) and hash-chained, so that a
 * removed or altered entry is visible. Each entry's hash covers the previous entry's hash and its
 * own content. Write it in the same transaction as the change it records.
 */
export const GENESIS_HASH = '0'.repeat(64)

export interface AuditInput {
  action: string
  subjectType: string
  subjectId?: string | null
  regionId?: string | null
  actorId?: string | null
  /** Details; never passwords, tokens or more personal data than the entry needs. */
  data?: Record<string, unknown>
  at?: Date
}

function entryHash(prevHash: string, e: Omit<AuditEntry, 'seq' | 'hash' | 'prev_hash'>): string {
  return sha256Hex(
    JSON.stringify([prevHash, e.at, e.region_id, e.actor_id, e.action, e.subject_type, e.subject_id, e.data]),
  )
}

export async function recordAudit(db: DB, input: AuditInput): Promise<void> {
  if (!db.isTransaction) {
    await db.transaction().execute((trx) => recordAudit(trx, input))
    return
  }
  // One writer at a time extends the chain. SQLite already serialises writers; PostgreSQL needs a
  // lock held until the transaction ends.
  if (db.getExecutor().adapter instanceof PostgresAdapter) await sql`select pg_advisory_xact_lock(7201505)`.execute(db)
  const last = await db
    .selectFrom('audit_log')
    .select('hash')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst()
  const prevHash = last?.hash ?? GENESIS_HASH
  const entry = {
    at: iso(input.at ?? new Date()),
    region_id: input.regionId ?? null,
    actor_id: input.actorId ?? null,
    action: input.action,
    subject_type: input.subjectType,
    subject_id: input.subjectId ?? null,
    data: JSON.stringify(input.data ?? {}),
  }
  await db
    .insertInto('audit_log')
    .values({ ...entry, prev_hash: prevHash, hash: entryHash(prevHash, entry) })
    .execute()
}

export interface ChainVerification {
  ok: boolean
  checked: number
  /** the first entry whose link or content does not match */
  brokenAtSeq?: number
}

/** Walks the whole chain in order, in pages, and reports the first broken link. */
export async function verifyAuditChain(db: DB): Promise<ChainVerification> {
  let prevHash = GENESIS_HASH
  let after = 0
  let checked = 0
  for (;;) {
    const page = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>', after)
      .orderBy('seq', 'asc')
      .limit(1000)
      .execute()
    if (page.length === 0) return { ok: true, checked }
    for (const e of page) {
      if (e.prev_hash !== prevHash || entryHash(prevHash, e) !== e.hash) {
        return { ok: false, checked, brokenAtSeq: e.seq }
      }
      prevHash = e.hash
      after = e.seq
      checked++
    }
  }
}

export async function listAudit(db: DB, regionId: string, opts: { before?: number; limit: number }) {
  let q = db
    .selectFrom('audit_log')
    .leftJoin('users', 'users.id', 'audit_log.actor_id')
    .select([
      'audit_log.seq',
      'audit_log.at',
      'audit_log.action',
      'audit_log.subject_type',
      'audit_log.subject_id',
      'audit_log.data',
      'users.name as actor_name',
    ])
    .where('audit_log.region_id', '=', regionId)
  if (opts.before) q = q.where('audit_log.seq', '<', opts.before)
  return q.orderBy('audit_log.seq', 'desc').limit(opts.limit).execute()
}
