import * as Y from 'yjs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Connection } from '../../db/connect'
import { freshDb, makeRegion, T0 } from '../../tests/support/db'
import { createDocument } from '../modules/documents/commands'
import { iso } from '../lib/time'
import { appendUpdate, combine, compact, loadDoc, pendingCount, readAfter } from './persistence'

let conn: Connection
let docId: string
beforeEach(async () => {
  conn = await freshDb()
  docId = await createDocument(conn.db, { regionId: await makeRegion(conn.db), kind: 'minutes', title: 'Notulen', actorId: null, now: T0 })
})
afterEach(() => conn.close())

/** One keystroke per update, as a typist produces them. */
function keystrokes(n: number) {
  const doc = new Y.Doc()
  const updates: Uint8Array[] = []
  doc.on('update', (u: Uint8Array) => updates.push(u))
  const text = doc.getText('t')
  for (let i = 0; i < n; i++) text.insert(text.length, String(i % 10))
  return { updates, expected: text.toString() }
}

const textOf = (update: Uint8Array | null) => {
  const d = new Y.Doc()
  if (update) Y.applyUpdate(d, update)
  return d.getText('t').toString()
}

describe('the update log', () => {
  it('numbers updates per document and loads them back in order', async () => {
    const { updates, expected } = keystrokes(2000)
    for (const u of updates) await appendUpdate(conn.db, docId, u, T0)
    const loaded = await loadDoc(conn.db, docId)
    expect(loaded.seq).toBe(2000)
    expect(textOf(loaded.update)).toBe(expected)
  })

  it('compacts into the state in one go, and readers that were behind still get everything', async () => {
    const { updates, expected } = keystrokes(300)
    for (const u of updates.slice(0, 200)) await appendUpdate(conn.db, docId, u, T0)
    expect(await compact(conn.db, docId, T0)).toBe(200)
    expect(await pendingCount(conn.db, docId)).toBe(0)
    for (const u of updates.slice(200)) await appendUpdate(conn.db, docId, u, T0)
    expect(await pendingCount(conn.db, docId)).toBe(100)
    expect(textOf((await loadDoc(conn.db, docId)).update)).toBe(expected)
    // A reader at seq 50 (before the compaction) gets the state plus the later rows.
    const behind = await readAfter(conn.db, docId, 50)
    expect(behind.seq).toBe(300)
    expect(textOf(combine(behind.updates))).toBe(expected)
    const current = await readAfter(conn.db, docId, 250)
    expect(current.updates).toHaveLength(50)
  })

  it('a compaction between the two reads of a load does not make the load miss what it folded away', async () => {
    const { updates, expected } = keystrokes(300)
    for (const u of updates.slice(0, 100)) await appendUpdate(conn.db, docId, u, T0)
    expect(await compact(conn.db, docId, T0)).toBe(100)
    for (const u of updates.slice(100, 250)) await appendUpdate(conn.db, docId, u, T0)
    // Another instance (or this one unloading the room) compacts right after the state row was read,
    // and then more is typed: before the fix the tail started after a gap (seq 101-250 gone).
    let once = true
    const loaded = await loadDoc(conn.db, docId, async () => {
      if (!once) return
      once = false
      await compact(conn.db, docId, T0)
      for (const u of updates.slice(250)) await appendUpdate(conn.db, docId, u, T0)
    })
    expect(textOf(loaded.update)).toBe(expected)
    expect(loaded.seq).toBe(300)
  })

  it('a compaction between the reads with nothing typed after it is noticed too (an empty tail)', async () => {
    const { updates, expected } = keystrokes(120)
    for (const u of updates) await appendUpdate(conn.db, docId, u, T0)
    let once = true
    const loaded = await loadDoc(conn.db, docId, async () => {
      if (once) await compact(conn.db, docId, T0)
      once = false
    })
    expect(textOf(loaded.update)).toBe(expected)
    expect(loaded.seq).toBe(120)
  })

  it('another instance catching up does not skip what a compaction folded away between its reads', async () => {
    const { updates, expected } = keystrokes(30)
    for (const u of updates.slice(0, 20)) await appendUpdate(conn.db, docId, u, T0)
    // The reader applied up to seq 10; a compaction folds 1-20 and seq 21-30 follow, between its reads.
    let once = true
    const caught = await readAfter(conn.db, docId, 10, async () => {
      if (!once) return
      once = false
      await compact(conn.db, docId, T0)
      for (const u of updates.slice(20)) await appendUpdate(conn.db, docId, u, T0)
    })
    expect(caught.seq).toBe(30)
    const reader = new Y.Doc()
    for (const u of updates.slice(0, 10)) Y.applyUpdate(reader, u)
    for (const u of caught.updates) Y.applyUpdate(reader, u)
    expect(reader.getText('t').toString()).toBe(expected)
  })

  it('combines updates whose dependencies come later (pending structs are kept)', () => {
    const { updates, expected } = keystrokes(10)
    const reversed = combine([...updates].reverse())
    expect(textOf(reversed)).toBe(expected)
  })
})

describe('the SQLite append (statements prepared once, outside kysely)', () => {
  it('never joins a kysely transaction open on the connection: that one rolling back keeps the update', async () => {
    const { updates } = keystrokes(1)
    let opened!: () => void
    let release!: () => void
    const open = new Promise<void>((r) => (opened = r))
    const gate = new Promise<void>((r) => (release = r))
    const other = conn.db.transaction().execute(async (trx) => {
      await trx.updateTable('documents').set({ title: 'gewijzigd' }).where('id', '=', docId).execute()
      opened()
      await gate
      throw new Error('rolled back')
    })
    await open
    const appended = appendUpdate(conn.db, docId, updates[0]!, T0)
    release()
    await expect(other).rejects.toThrow('rolled back')
    expect(await appended).toBe(1)
    const doc = await conn.db.selectFrom('documents').select(['title', 'last_seq']).where('id', '=', docId).executeTakeFirstOrThrow()
    expect(doc).toEqual({ title: 'Notulen', last_seq: 1 })
    expect(textOf((await loadDoc(conn.db, docId)).update)).toBe('0')
  })

  it('numbers on from appends made in a transaction, stores the bytes and time as given, and stores nothing for a missing document', async () => {
    const { updates, expected } = keystrokes(3)
    expect(await conn.db.transaction().execute((trx) => appendUpdate(trx, docId, updates[0]!, T0))).toBe(1)
    expect(await appendUpdate(conn.db, docId, updates[1]!, T0)).toBe(2)
    await expect(appendUpdate(conn.db, 'bestaat-niet', updates[2]!, T0)).rejects.toThrow('does not exist')
    // A view on a larger buffer: only its own bytes are stored.
    const padded = new Uint8Array(updates[2]!.length + 8)
    padded.set(updates[2]!, 4)
    expect(await appendUpdate(conn.db, docId, padded.subarray(4, 4 + updates[2]!.length), T0)).toBe(3)
    const rows = await conn.db.selectFrom('doc_updates').select(['doc_id', 'seq', 'update', 'created_at']).orderBy('seq').execute()
    expect(rows.map((r) => [r.doc_id, r.seq, r.created_at])).toEqual([1, 2, 3].map((seq) => [docId, seq, iso(T0)]))
    expect(rows.map((r) => Buffer.from(r.update).equals(Buffer.from(updates[r.seq - 1]!)))).toEqual([true, true, true])
    expect(textOf((await loadDoc(conn.db, docId)).update)).toBe(expected)
  })
})
