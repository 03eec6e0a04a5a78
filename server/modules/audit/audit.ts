import { createHmac } from 'node:crypto'
import { PostgresAdapter, sql } from 'kysely'
import type { DB, Trx } from '../../../db/connect'
import type { AuditEntry } from '../../../db/schema'
import { sha256Hex } from '../../lib/ids'
import { iso } from '../../lib/time'
import { appendCheckpoint, auditTrailOf, readCheckpoints, type AuditTrail, type Checkpoint, type CheckpointReason } from './trail'

/**
 * The audit log: append-only (the database refuses UPDATE, DELETE, REPLACE and any reuse of a seq
 * or hash) and hash-chained, so that a removed or altered entry is visible. Each entry's hash
 * covers the previous entry's hash and its own content, keyed with an HMAC whose key is not in the
 * database (see trail.ts and ADR 0014), and the chain's head is published to a checkpoint file
 * outside it. Write an entry in the same transaction as the change it records.
 */
export const GENESIS_HASH = '0'.repeat(64)

/** Rows written before the chain was keyed: plain SHA-256. */
export const CHAIN_UNKEYED = 1
/** HMAC-SHA-256 with the audit key. */
export const CHAIN_KEYED = 2

/** The action of the keyed entry that seals the unkeyed rows of a database from before the key. */
export const SEAL_ACTION = 'audit.chain_keyed'

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

type Content = Pick<AuditEntry, 'at' | 'region_id' | 'actor_id' | 'action' | 'subject_type' | 'subject_id' | 'data'>

function canonical(prevHash: string, e: Content): string {
  return JSON.stringify([prevHash, e.at, e.region_id, e.actor_id, e.action, e.subject_type, e.subject_id, e.data])
}

/** The hash of chain version 1, kept to verify old rows and to recognise a rewrite without the key. */
export function unkeyedHash(prevHash: string, e: Content): string {
  return sha256Hex(canonical(prevHash, e))
}

export function keyedHash(key: Buffer, prevHash: string, e: Content): string {
  return createHmac('sha256', key).update(canonical(prevHash, e)).digest('hex')
}

async function lockChain(db: DB): Promise<void> {
  // One writer at a time extends the chain. SQLite already serialises writers; PostgreSQL needs a
  // lock held until the transaction ends.
  if (db.getExecutor().adapter instanceof PostgresAdapter) await sql`select pg_advisory_xact_lock(7201505)`.execute(db)
}

async function lastEntry(db: DB) {
  return db
    .selectFrom('audit_log')
    .select(['seq', 'hash', 'chain_version'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst()
}

async function append(db: DB, trail: AuditTrail, prevHash: string, input: AuditInput): Promise<void> {
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
    .values({
      ...entry,
      prev_hash: prevHash,
      hash: keyedHash(trail.key, prevHash, entry),
      chain_version: CHAIN_KEYED,
      key_id: trail.keyId,
    })
    .execute()
}

/**
 * Writes one entry, inside the transaction of the change it records (the type admits only a
 * transaction, and so does the check: an entry written after its change could be lost alone).
 */
export async function recordAudit(trx: Trx, input: AuditInput): Promise<void> {
  if (!trx.isTransaction) throw new Error('recordAudit needs the transaction of the change it records')
  await lockChain(trx)
  const last = await lastEntry(trx)
  await append(trx, auditTrailOf(trx), last?.hash ?? GENESIS_HASH, input)
}

/** Who did something, in which region, and when: the same three fields on every entry a command writes. */
export interface Stamp {
  actorId: string | null
  regionId: string | null
  at: Date
}

/** The stamp of an action by a person (or by nobody: the system) in a region at a moment. */
export function stamp(actor: { userId: string } | string | null, regionId: string | null, at: Date): Stamp {
  return { actorId: typeof actor === 'string' ? actor : (actor?.userId ?? null), regionId, at }
}

/**
 * The short form of `recordAudit` for commands:
 * `await audit(trx, by, 'membership.added', ['user', userId], { role })`.
 */
export function audit(
  trx: Trx,
  by: Stamp,
  action: string,
  subject: readonly [type: string, id: string | null],
  data?: Record<string, unknown>,
): Promise<void> {
  return recordAudit(trx, { action, subjectType: subject[0], subjectId: subject[1], regionId: by.regionId, actorId: by.actorId, at: by.at, ...(data ? { data } : {}) })
}

/**
 * A database from before the keyed chain ends in unkeyed rows: one keyed entry after them covers
 * them all (its HMAC includes the last unkeyed hash, which covers every row before it). Returns
 * whether it sealed; idempotent, and safe when several instances start at once.
 */
export async function sealUnkeyedChain(db: DB, now: Date): Promise<{ sealed: boolean; unkeyed: number }> {
  return db.transaction().execute(async (trx) => {
    await lockChain(trx)
    const last = await lastEntry(trx)
    if (!last || last.chain_version !== CHAIN_UNKEYED) return { sealed: false, unkeyed: 0 }
    // Unkeyed rows after keyed ones are a downgrade, not history: verification must keep naming them.
    const keyed = await trx.selectFrom('audit_log').select('seq').where('chain_version', '=', CHAIN_KEYED).limit(1).executeTakeFirst()
    if (keyed) return { sealed: false, unkeyed: 0 }
    const { n } = await trx
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('chain_version', '=', CHAIN_UNKEYED)
      .executeTakeFirstOrThrow()
    await append(trx, auditTrailOf(trx), last.hash, {
      action: SEAL_ACTION,
      subjectType: 'audit_log',
      data: { unkeyedEntries: Number(n), lastUnkeyedSeq: last.seq },
      at: now,
    })
    return { sealed: true, unkeyed: Number(n) }
  })
}

export async function chainHead(db: DB): Promise<{ seq: number; hash: string } | null> {
  const last = await lastEntry(db)
  return last ? { seq: last.seq, hash: last.hash } : null
}

/**
 * Writes the head (the current one, or the one just verified) to the checkpoint file, unless the
 * newest checkpoint already names it. Never inside a transaction: only committed rows may be
 * published, or a checkpoint could name an entry that is then rolled back.
 */
export async function writeCheckpoint(
  db: DB,
  reason: CheckpointReason,
  verifiedHead?: { seq: number; hash: string } | null,
): Promise<Checkpoint | null> {
  if (db.isTransaction) throw new Error('writeCheckpoint: call it outside a transaction')
  const trail = auditTrailOf(db)
  if (!trail.checkpointFile) return null
  const head = verifiedHead === undefined ? await chainHead(db) : verifiedHead
  if (!head) return null
  const newest = readCheckpoints(trail.checkpointFile).at(-1)
  if (newest && newest.seq === head.seq && newest.hash === head.hash) return newest
  const cp: Checkpoint = { seq: head.seq, hash: head.hash, at: iso(trail.clock()), reason }
  appendCheckpoint(trail.checkpointFile, cp)
  return cp
}

// ---------------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------------

/**
 * Which check failed:
 * - link: the entry does not point at the entry before it (one was removed, inserted or changed)
 * - hash: the entry's content does not match its HMAC (it was changed)
 * - unkeyed: its hash was recomputed without the key (plain SHA-256 where an HMAC belongs)
 * - other-key: signed with a key that is not this server's key
 * - unkeyed-after-keyed: an unkeyed row after the chain was keyed (a downgrade)
 * - unsealed: the chain holds only unkeyed rows, although a server with a key seals them at start
 * - checkpoint-mismatch: the entry named by a checkpoint has another hash than it had then
 * - checkpoint-missing: the entry named by a checkpoint is gone (the tail was cut off, or removed)
 */
export type AuditCheck =
  | 'link'
  | 'hash'
  | 'unkeyed'
  | 'other-key'
  | 'unkeyed-after-keyed'
  | 'unsealed'
  | 'checkpoint-mismatch'
  | 'checkpoint-missing'

export interface AuditProblem {
  seq: number
  check: AuditCheck
  /** the entry's time and region as stored (absent for a missing entry) */
  at?: string
  regionId?: string | null
  action?: string
  /** for checkpoint checks: when the checkpoint was written */
  checkpointAt?: string
}

export interface ChainVerification {
  ok: boolean
  checked: number
  /** the first entry whose link, content, key or checkpoint does not match */
  brokenAtSeq?: number
  /** every problem found, in chain order (at most MAX_PROBLEMS) */
  problems: AuditProblem[]
  /** how many checkpoints were compared with the chain, and how many matched */
  checkpoints: { compared: number; matched: number }
  head: { seq: number; hash: string } | null
}

const MAX_PROBLEMS = 100

/**
 * Walks the whole chain in order, in pages. After a problem it carries on from the stored hash, so
 * that every damaged entry is named, not only the first. Then compares the checkpoints: each must
 * name an entry that still exists with the same hash.
 */
export async function verifyAuditChain(db: DB): Promise<ChainVerification> {
  const trail = auditTrailOf(db)
  const checkpoints = readCheckpoints(trail.checkpointFile)
  const bySeq = new Map<number, Checkpoint[]>()
  for (const cp of checkpoints) bySeq.set(cp.seq, [...(bySeq.get(cp.seq) ?? []), cp])

  const problems: AuditProblem[] = []
  const report = (p: AuditProblem) => {
    if (problems.length < MAX_PROBLEMS) problems.push(p)
  }
  let prevHash = GENESIS_HASH
  let keyed = false
  let after = 0
  let checked = 0
  let matched = 0
  /** seqs named by a checkpoint that exist in the chain */
  const seen = new Set<number>()
  let head: { seq: number; hash: string } | null = null
  let last: AuditEntry | undefined
  for (;;) {
    const page = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>', after)
      .orderBy('seq', 'asc')
      .limit(1000)
      .execute()
    if (page.length === 0) break
    for (const e of page) {
      const where = { seq: e.seq, at: e.at, regionId: e.region_id, action: e.action }
      if (e.prev_hash !== prevHash) report({ ...where, check: 'link' })
      // The content is checked against the entry's own link, so a broken link and changed
      // content are told apart.
      if (e.chain_version === CHAIN_UNKEYED) {
        if (keyed) report({ ...where, check: 'unkeyed-after-keyed' })
        else if (unkeyedHash(e.prev_hash, e) !== e.hash) report({ ...where, check: 'hash' })
      } else {
        keyed = true
        if (e.key_id !== trail.keyId) report({ ...where, check: 'other-key' })
        else if (keyedHash(trail.key, e.prev_hash, e) !== e.hash) {
          report({ ...where, check: unkeyedHash(e.prev_hash, e) === e.hash ? 'unkeyed' : 'hash' })
        }
      }
      const named = bySeq.get(e.seq)
      if (named) {
        seen.add(e.seq)
        for (const cp of named) {
          if (cp.hash === e.hash) matched++
          else report({ ...where, check: 'checkpoint-mismatch', checkpointAt: cp.at })
        }
      }
      prevHash = e.hash
      after = e.seq
      last = e
      checked++
    }
  }
  if (last) {
    head = { seq: last.seq, hash: last.hash }
    if (!keyed) report({ seq: last.seq, at: last.at, regionId: last.region_id, action: last.action, check: 'unsealed' })
  }
  for (const cp of checkpoints) {
    if (!seen.has(cp.seq)) report({ seq: cp.seq, check: 'checkpoint-missing', checkpointAt: cp.at })
  }
  problems.sort((a, b) => a.seq - b.seq)
  const result: ChainVerification = {
    ok: problems.length === 0,
    checked,
    problems,
    checkpoints: { compared: checkpoints.length, matched },
    head,
  }
  if (problems.length > 0) result.brokenAtSeq = problems[0]!.seq
  return result
}
