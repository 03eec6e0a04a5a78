import * as Y from 'yjs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Connection } from '../../db/connect'
import { freshDb, makeRegion, T0 } from '../../tests/support/db'
import { createDocument } from '../modules/documents/commands'
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

  it('combines updates whose dependencies come later (pending structs are kept)', () => {
    const { updates, expected } = keystrokes(10)
    const reversed = combine([...updates].reverse())
    expect(textOf(reversed)).toBe(expected)
  })
})
