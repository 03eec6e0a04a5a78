import * as Y from 'yjs'
import type BetterSqlite3 from 'better-sqlite3'
import { inTransaction, sqliteHandle, type DB } from '../../db/connect'
import { iso } from '../lib/time'

/**
 * Durable storage of a document: an append-only log of Yjs updates, numbered per document, and a
 * compacted state. Numbers are handed out by incrementing documents.last_seq inside the inserting
 * transaction: that row lock makes commit order equal number order for one document, so a reader
 * that asks for "everything after n" can never skip an update that commits late.
 */
export interface StoredDoc {
  /** all persisted updates merged, or null for a new document */
  update: Uint8Array | null
  /** the highest sequence number included */
  seq: number
}

const bytes = (b: Uint8Array | Buffer): Uint8Array => (b instanceof Uint8Array ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : b)

/** Appends one update and returns its sequence number. */
export async function appendUpdate(db: DB, docId: string, update: Uint8Array, now: Date): Promise<number> {
  const fast = sqliteAppend(db, docId, update, now)
  if (fast !== null) return fast
  return inTransaction(db, async (trx) => {
    const row = await trx
      .updateTable('documents')
      .set((eb) => ({ last_seq: eb('last_seq', '+', 1) }))
      .where('id', '=', docId)
      .returning('last_seq')
      .executeTakeFirst()
    if (!row) throw new Error(`document ${docId} does not exist`)
    await trx
      .insertInto('doc_updates')
      .values({ doc_id: docId, seq: row.last_seq, update: Buffer.from(update), created_at: iso(now) })
      .execute()
    return row.last_seq
  })
}

type SqliteAppend = (docId: string, update: Uint8Array, at: string) => number
const sqliteAppends = new WeakMap<BetterSqlite3.Database, SqliteAppend>()

/**
 * The same two statements in one transaction, prepared once per SQLite connection and run
 * synchronously: kysely builds, compiles and prepares each statement anew and wraps the
 * transaction in promises, which made an append cost about 220 µs of CPU against 30 µs this way
 * (tests/bench/write-path.ts, docs/BENCHMARKS.md). Null when it does not apply (PostgreSQL, a
 * transaction given as `db`, or a kysely transaction open on the connection right now, which these
 * statements would join): then kysely's path runs, which waits for that transaction. A failure
 * (the write lock held elsewhere past the busy timeout) rolls back and throws, as kysely's does.
 */
function sqliteAppend(db: DB, docId: string, update: Uint8Array, now: Date): number | null {
  const sqlite = sqliteHandle(db)
  if (!sqlite || sqlite.inTransaction) return null
  let append = sqliteAppends.get(sqlite)
  if (!append) {
    const next = sqlite.prepare<[string], { last_seq: number }>('update "documents" set "last_seq" = "last_seq" + 1 where "id" = ? returning "last_seq"')
    const insert = sqlite.prepare<[string, number, Buffer, string]>('insert into "doc_updates" ("doc_id", "seq", "update", "created_at") values (?, ?, ?, ?)')
    append = sqlite.transaction((id: string, u: Uint8Array, at: string) => {
      const row = next.get(id)
      if (!row) throw new Error(`document ${id} does not exist`)
      insert.run(id, row.last_seq, Buffer.from(u.buffer, u.byteOffset, u.byteLength), at)
      return row.last_seq
    })
    sqliteAppends.set(sqlite, append)
  }
  return append(docId, update, iso(now))
}

/** The compacted state plus every later update, merged into one update. */
/** (`between` runs between the reads: the tests put a compaction there.) */
export async function loadDoc(db: DB, docId: string, between?: () => Promise<void>): Promise<StoredDoc> {
  // The state row and the log after it are two reads; see `tailAfter` for the gap a compaction
  // between them leaves. An empty tail is checked against the state row once more, since the state
  // itself is returned here.
  for (let attempt = 1; ; attempt++) {
    const state = await db.selectFrom('doc_states').select(['state', 'upto_seq']).where('doc_id', '=', docId).executeTakeFirst()
    await between?.()
    const from = state?.upto_seq ?? 0
    const { rows, contiguous } = await tailAfter(db, docId, from)
    const moved = !contiguous || (rows.length === 0 && (await stateSeq(db, docId)) !== from)
    if (moved && attempt < RE_READS) continue
    const parts = [...(state ? [bytes(state.state)] : []), ...rows.map((u) => bytes(u.update))]
    const seq = rows.at(-1)?.seq ?? from
    return { update: parts.length === 0 ? null : parts.length === 1 ? parts[0]! : combine(parts), seq }
  }
}

/** A gap that is still there after this many reads is not a race (a log from before contiguous seqs): it is read as it is. */
const RE_READS = 5

const stateSeq = async (db: DB, docId: string) =>
  (await db.selectFrom('doc_states').select('upto_seq').where('doc_id', '=', docId).executeTakeFirst())?.upto_seq ?? 0

/**
 * The log after `from`, in order, and whether it starts right after it. A document's seqs are
 * contiguous, so a tail that starts later means a compaction committed between the caller's read of
 * the state row and this read: it folded rows into a newer state and deleted them. The caller reads
 * again rather than miss them.
 */
async function tailAfter(db: DB, docId: string, from: number) {
  const rows = await db.selectFrom('doc_updates').select(['seq', 'update']).where('doc_id', '=', docId).where('seq', '>', from).orderBy('seq').execute()
  return { rows, contiguous: rows.length === 0 || rows[0]!.seq === from + 1 }
}

/**
 * Many updates as one, through a (garbage-collected) Y.Doc in a single transaction: for a long log
 * this is about a hundred times faster than Y.mergeUpdates (20,000 one-keystroke updates: 0.2 s
 * against 23 s, see docs/BENCHMARKS.md), and deleted text does not pile up.
 */
export function combine(updates: Uint8Array[]): Uint8Array {
  const doc = new Y.Doc()
  doc.transact(() => {
    for (const u of updates) Y.applyUpdate(doc, u)
  })
  const merged = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return merged
}

/**
 * What another instance appended after `afterSeq`, in order. When compaction has already folded
 * some of those into the state row, the state comes first (applying it again is harmless: Yjs
 * updates are idempotent). Only the state's number is read first: the (large) state itself only
 * when the reader really is behind it, not on every catch-up.
 */
export async function readAfter(
  db: DB,
  docId: string,
  afterSeq: number,
  between?: () => Promise<void>,
): Promise<{ updates: Uint8Array[]; seq: number }> {
  for (let attempt = 1; ; attempt++) {
    const out: Uint8Array[] = []
    let from = afterSeq
    if ((await stateSeq(db, docId)) > afterSeq) {
      const state = await db.selectFrom('doc_states').select(['state', 'upto_seq']).where('doc_id', '=', docId).executeTakeFirst()
      if (state) {
        out.push(bytes(state.state))
        from = state.upto_seq
      }
    }
    await between?.()
    // An empty tail needs no second look here: the cursor stays where it was, and the next read
    // finds the newer state row.
    const { rows, contiguous } = await tailAfter(db, docId, from)
    if (!contiguous && attempt < RE_READS) continue
    for (const r of rows) out.push(bytes(r.update))
    return { updates: out, seq: rows.at(-1)?.seq ?? from }
  }
}

/** Number of log rows not yet folded into the state. */
export async function pendingCount(db: DB, docId: string): Promise<number> {
  const state = await db.selectFrom('doc_states').select('upto_seq').where('doc_id', '=', docId).executeTakeFirst()
  const row = await db
    .selectFrom('doc_updates')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('doc_id', '=', docId)
    .where('seq', '>', state?.upto_seq ?? 0)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/**
 * Folds the log into the state row in one transaction: merge the old state with every update,
 * write it, delete the folded rows. Holding the document row lock keeps two instances from
 * compacting at once; the log never loses an update that is not in the state.
 */
export async function compact(db: DB, docId: string, now: Date): Promise<number> {
  return inTransaction(db, async (trx) => {
    const doc = await trx
      .updateTable('documents')
      .set((eb) => ({ last_seq: eb('last_seq', '+', 0) }))
      .where('id', '=', docId)
      .returning('last_seq')
      .executeTakeFirst()
    if (!doc) return 0
    const { update, seq } = await loadDoc(trx, docId)
    const previous = await trx.selectFrom('doc_states').select('upto_seq').where('doc_id', '=', docId).executeTakeFirst()
    if (!update || seq === (previous?.upto_seq ?? 0)) return 0
    // loadDoc combined it through a garbage-collected document already.
    const state = Buffer.from(update)
    if (previous) {
      await trx.updateTable('doc_states').set({ state, upto_seq: seq, updated_at: iso(now) }).where('doc_id', '=', docId).execute()
    } else {
      await trx.insertInto('doc_states').values({ doc_id: docId, state, upto_seq: seq, updated_at: iso(now) }).execute()
    }
    const res = await trx.deleteFrom('doc_updates').where('doc_id', '=', docId).where('seq', '<=', seq).executeTakeFirst()
    return Number(res.numDeletedRows)
  })
}

/**
 * The four storage operations the collaboration server needs, as one object: the seam where tests
 * inject faults (withFaults) and where another store could plug in.
 */
export interface CollabStorage {
  append(docId: string, update: Uint8Array, now: Date): Promise<number>
  load(docId: string): Promise<StoredDoc>
  readAfter(docId: string, afterSeq: number): Promise<{ updates: Uint8Array[]; seq: number }>
  compact(docId: string, now: Date): Promise<number>
  /** the highest seq of each document (for the poll that catches up with other instances) */
  heads(docIds: string[]): Promise<Map<string, number>>
}

export function dbStorage(db: DB): CollabStorage {
  return {
    append: (docId, update, now) => appendUpdate(db, docId, update, now),
    load: (docId) => loadDoc(db, docId),
    readAfter: (docId, afterSeq) => readAfter(db, docId, afterSeq),
    compact: (docId, now) => compact(db, docId, now),
    heads: async (docIds) => {
      if (docIds.length === 0) return new Map()
      const rows = await db.selectFrom('documents').select(['id', 'last_seq']).where('id', 'in', docIds).execute()
      return new Map(rows.map((r) => [r.id, r.last_seq]))
    },
  }
}

export type StorageOperation = keyof CollabStorage

/** Controls for a storage wrapped by withFaults: only reachable from code, never from a request. */
export interface StorageFaults {
  /** the next `n` calls of `operation` (default: append) reject without touching the database */
  failNext(n: number, operation?: StorageOperation): void
  /** every call made in the next `ms` milliseconds waits until then, then runs */
  stall(ms: number): void
  /** calls that failed through failNext, per operation */
  readonly failed: Record<StorageOperation, number>
  reset(): void
}

export class InjectedFault extends Error {
  constructor(operation: StorageOperation) {
    super(`injected fault: ${operation}`)
  }
}

/** Wraps a storage with a fault controller, for tests of the write path under a failing store. */
export function withFaults(inner: CollabStorage): { storage: CollabStorage; faults: StorageFaults } {
  const toFail: Record<StorageOperation, number> = { append: 0, load: 0, readAfter: 0, compact: 0, heads: 0 }
  const failed: Record<StorageOperation, number> = { append: 0, load: 0, readAfter: 0, compact: 0, heads: 0 }
  let stalledUntil = 0
  const gate = async (op: StorageOperation) => {
    const wait = stalledUntil - Date.now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    if (toFail[op] > 0) {
      toFail[op]--
      failed[op]++
      throw new InjectedFault(op)
    }
  }
  const storage: CollabStorage = {
    append: async (...a) => (await gate('append'), inner.append(...a)),
    load: async (...a) => (await gate('load'), inner.load(...a)),
    readAfter: async (...a) => (await gate('readAfter'), inner.readAfter(...a)),
    compact: async (...a) => (await gate('compact'), inner.compact(...a)),
    heads: async (...a) => (await gate('heads'), inner.heads(...a)),
  }
  const faults: StorageFaults = {
    failNext(n, operation = 'append') {
      toFail[operation] = n
    },
    stall(ms) {
      stalledUntil = Date.now() + ms
    },
    failed,
    reset() {
      for (const k of Object.keys(toFail) as StorageOperation[]) toFail[k] = 0
      stalledUntil = 0
    },
  }
  return { storage, faults }
}
