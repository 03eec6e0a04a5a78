import fs from 'node:fs'
import path from 'node:path'
import { createHmac, randomBytes } from 'node:crypto'
import type { DB } from '../../../db/connect'
import type { Clock } from '../../lib/time'

/**
 * What signs and anchors the audit chain, kept outside the database: the HMAC key and the file of
 * checkpoints. Someone who can write the database can then still not forge a chain that verifies.
 */
export interface AuditTrail {
  key: Buffer
  /** a fingerprint of the key, stored on each row so that "another key" can be told from "changed" */
  keyId: string
  /** the append-only checkpoint file; null for a throw-away database (unit tests, :memory:) */
  checkpointFile: string | null
  clock: Clock
}

export function keyIdOf(key: Buffer): string {
  // Derived with the key itself, so the fingerprint says nothing that helps to guess the key.
  return createHmac('sha256', key).update('samenspel audit key id').digest('hex').slice(0, 16)
}

export function makeTrail(key: Buffer, checkpointFile: string | null, clock: Clock = () => new Date()): AuditTrail {
  return { key, keyId: keyIdOf(key), checkpointFile, clock }
}

/*
 * The trail travels with the connection, not in module state (ADR 0006): the Remix server bundle
 * holds its own copy of this module, and tests run several servers in one process. Kysely shares
 * one adapter object between a Kysely instance and every transaction made from it, so a property
 * on the adapter, under a registered symbol that every copy of this module resolves to the same
 * value, reaches recordAudit(trx, …) without changing its signature.
 */
const TRAIL = Symbol.for('samenspel.audit.trail')

type Carrier = { [TRAIL]?: AuditTrail }

function carrier(db: DB): Carrier {
  return db.getExecutor().adapter as unknown as Carrier
}

export function bindAuditTrail(db: DB, trail: AuditTrail): void {
  Object.defineProperty(carrier(db), TRAIL, { value: trail, configurable: true, enumerable: false })
}

/**
 * The trail of this connection. A connection that was never bound (a unit test's in-memory
 * database) gets a random key of its own: its chain verifies while it lives and cannot be
 * mistaken for a real one afterwards. A real server always binds before it writes (startAuditTrail).
 */
export function auditTrailOf(db: DB): AuditTrail {
  const c = carrier(db)
  let trail = c[TRAIL]
  if (!trail) {
    trail = makeTrail(randomBytes(32), null)
    bindAuditTrail(db, trail)
  }
  return trail
}

// ---------------------------------------------------------------------------------------------
// Key files
// ---------------------------------------------------------------------------------------------

export type KeySource = { kind: 'config' } | { kind: 'file'; file: string; created: boolean }

/**
 * Reads the key file, or creates it (32 random bytes as hex, mode 0600) when `create` allows it.
 * 'wx' makes the creation atomic: two instances starting at once end up with the same key.
 */
export function loadOrCreateKeyFile(file: string, create: boolean): { key: Buffer; created: boolean } {
  const read = () => {
    const text = fs.readFileSync(file, 'utf8').trim()
    const key = /^(?:[0-9a-fA-F]{2})+$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64')
    if (key.length < 32) throw new Error(`audit key file ${file} holds fewer than 32 bytes`)
    return key
  }
  if (fs.existsSync(file)) return { key: read(), created: false }
  if (!create) {
    throw new Error(`audit key file ${file} does not exist: restore it from the backup, or set AUDIT_KEY`)
  }
  fs.mkdirSync(path.dirname(file), { recursive: true })
  try {
    fs.writeFileSync(file, randomBytes(32).toString('hex') + '\n', { flag: 'wx', mode: 0o600 })
    return { key: read(), created: true }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { key: read(), created: false }
    throw err
  }
}

// ---------------------------------------------------------------------------------------------
// Checkpoints
// ---------------------------------------------------------------------------------------------

const reasons = ['start', 'interval', 'verify', 'seal'] as const
export type CheckpointReason = (typeof reasons)[number]

/** One published head of the chain: the newest entry's seq and hash at a moment. */
export interface Checkpoint {
  seq: number
  hash: string
  /** when the checkpoint was written (ISO) */
  at: string
  reason: CheckpointReason
}

function isCheckpoint(v: unknown): v is Checkpoint {
  const c = v as Checkpoint
  return (
    typeof c === 'object' &&
    c !== null &&
    Number.isInteger(c.seq) &&
    typeof c.hash === 'string' &&
    typeof c.at === 'string' &&
    (reasons as readonly string[]).includes(c.reason)
  )
}

/**
 * Appends one JSON line. The file is opened for appending only (O_APPEND), so a line is never
 * written over an older one; one short write per line keeps concurrent writers' lines whole.
 */
export function appendCheckpoint(file: string, cp: Checkpoint): void {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const fd = fs.openSync(file, 'a', 0o600)
  try {
    fs.writeSync(fd, JSON.stringify(cp) + '\n')
  } finally {
    fs.closeSync(fd)
  }
}

/** Every readable checkpoint in the file, oldest first; a torn or foreign line is skipped. */
export function readCheckpoints(file: string | null): Checkpoint[] {
  if (!file || !fs.existsSync(file)) return []
  const out: Checkpoint[] = []
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue
    try {
      const v: unknown = JSON.parse(line)
      if (isCheckpoint(v)) out.push({ seq: v.seq, hash: v.hash, at: v.at, reason: v.reason })
    } catch {
      // a line cut off by a crash mid-write: the next checkpoint supersedes it
    }
  }
  return out
}
