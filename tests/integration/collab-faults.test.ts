import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StorageFaults } from '../../server/collab/persistence'
import { trackConnection, type ConnectionState } from '../../app/editor/connection'
import { fragmentText, type, until, type Client } from '../support/collab'
import { DEMO } from '../support/demo'
import { liveServer } from '../support/live'
import { testDialects } from '../support/server'

/**
 * The write path under a failing store, through the fault seam (persistence.ts withFaults):
 * nothing is applied, relayed or served before it is stored; while the store fails the document
 * says "retrying" and drops new edits (their authors keep them); when it works again every edit
 * any client holds is stored and reaches everyone.
 */
describe.each(testDialects())('storage faults on %s', (dialect) => {
  // Short retries, so that recovery after faults.reset() comes soon.
  const live = liveServer(
    { dialect, collabLimits: { retryBaseMs: 20, retryMaxMs: 200, idleUnloadMs: 200 } },
    { drafter: DEMO.drafter, alderman: DEMO.alderman, coordinator: DEMO.admin },
  )
  const { open, storedText } = live
  let faults: StorageFaults
  /** A new document opened by each of `who` (synced), and its room on the server. */
  const opened = async <W extends Array<'drafter' | 'alderman'>>(...who: W) => {
    const id = await live.newDoc('Storingstest')
    const clients = who.map((w) => open(id, w)) as { [I in keyof W]: Client }
    await Promise.all(clients.map((c) => c.synced))
    return { id, clients, room: live.server.context.collab.loaded(id)! }
  }
  const roomText = (docId: string) => fragmentText(live.server.context.collab.loaded(docId)!.doc)
  const health = async () => {
    const res = await fetch(`${live.server.url}/healthz`)
    return { status: res.status, body: (await res.json()) as { ok: boolean; status: { storage: string } } }
  }

  beforeAll(() => {
    faults = live.server.context.collab.faults!
  })
  afterAll(() => {
    faults?.reset()
  })

  it('is a seam of tests only: present under NODE_ENV=test, wired to the storage', () => {
    expect(faults).toBeDefined()
  })

  it('applies, relays and serves nothing before it is stored; dropped edits arrive after recovery', async () => {
    const {
      id,
      clients: [a, b],
    } = await opened('drafter', 'alderman')
    const states: ConnectionState[] = []
    const stopTracking = trackConnection(a.provider, a.doc, (s) => states.push(s))
    type(a.doc, 'voor ')
    await until(() => b.text() === 'voor ' && states.at(-1) === 'saved', 5000, 'a stored first edit')

    faults.failNext(1_000_000)
    type(a.doc, 'X1 ')
    // Every connection is told; health says degraded; the failed edit is nowhere but with its author.
    await until(() => a.storage() === 'retrying' && b.storage() === 'retrying', 5000, 'the retrying status')
    await until(() => states.at(-1) === 'retrying', 5000, 'the editor to show "not saved, retrying"')
    expect(live.server.context.collab.health().storage).toBe('degraded')
    const h = await health()
    expect(h.status).toBe(503)
    expect(h.body).toMatchObject({ ok: false, status: { storage: 'degraded' } })
    expect(roomText(id)).toBe('voor ')
    expect(b.text()).toBe('voor ')
    // A newcomer is served only what is stored.
    const c = open(id, 'coordinator')
    await c.synced
    expect(c.text()).toBe('voor ')
    await until(() => c.storage() === 'retrying', 5000, 'the newcomer to hear "retrying"')

    // Edits made during the outage are dropped by the server and kept by their authors.
    type(a.doc, 'X2 ')
    type(b.doc, 'Y1 ')
    const room = live.server.context.collab.loaded(id)!
    await until(() => [...room.conns.values()].filter((x) => x.dropped).length === 2, 5000, 'both senders marked')
    expect(roomText(id)).toBe('voor ')
    expect(await storedText(id)).toBe('voor ')
    expect(states.slice(states.lastIndexOf('retrying'))).not.toContain('saved')

    // Storage is back: the kept batch is stored, the authors of dropped edits resync.
    faults.reset()
    const all = ['voor', 'X1', 'X2', 'Y1']
    await until(() => [a, b, c].every((x) => all.every((t) => x.text().includes(t))), 10_000, 'every edit at every client')
    await until(() => all.every((t) => roomText(id).includes(t)), 5000, 'the room to hold everything')
    await until(() => [a, b, c].every((x) => x.storage() === 'ok'), 5000, 'status ok')
    expect(a.closeCodes).toContain(4003)
    expect(b.closeCodes).toContain(4003)
    expect(c.closeCodes).not.toContain(4003)
    await room.settled()
    const stored = await storedText(id)
    expect(all.filter((t) => !stored.includes(t))).toEqual([])
    await until(() => states.at(-1) === 'saved', 10_000, 'the editor to show "saved" again')
    expect(live.server.context.collab.health().storage).toBe('ok')
    expect((await health()).status).toBe(200)
    stopTracking()
  })

  it('holds a stalled write back from everyone until it is stored', async () => {
    const {
      id,
      clients: [a, b],
      room,
    } = await opened('drafter', 'alderman')
    let released = false
    faults.stall(1500)
    const stallOver = new Promise<void>((r) =>
      setTimeout(() => {
        released = true
        r()
      }, 1500),
    )
    type(a.doc, 'traag ')
    // While the write waits: not in the doc, not at b. (Checked until the stall is over.)
    while (!released) {
      expect(roomText(id)).toBe('')
      expect(b.text()).toBe('')
      await new Promise((r) => setTimeout(r, 50))
    }
    await stallOver
    await until(() => b.text() === 'traag ', 10_000, 'the stalled edit to arrive')
    await room.settled()
    expect(await storedText(id)).toBe('traag ')
  })

  it('a failed read of the log never rejects and is caught up later', async () => {
    const {
      id,
      clients: [a],
      room,
    } = await opened('drafter')
    faults.failNext(1, 'readAfter')
    await expect(room.pullRemote()).resolves.toBeUndefined()
    expect(faults.failed.readAfter).toBeGreaterThan(0)
    await expect(room.pullRemote()).resolves.toBeUndefined()
    type(a.doc, 'verder')
    await until(() => roomText(id) === 'verder', 5000, 'the edit to be stored and applied')
    expect(await storedText(id)).toBe('verder')
  })

  it('a failed compaction keeps the document working (the log still holds everything)', async () => {
    const {
      id,
      clients: [a],
      room,
    } = await opened('drafter')
    faults.failNext(1, 'compact')
    type(a.doc, 'een ')
    await until(() => roomText(id) === 'een ', 5000, 'the edit to be stored and applied')
    await room.settled()
    // The unload compacts: it fails once, and nothing is lost.
    a.destroy()
    await until(() => live.server.context.collab.loaded(id) === undefined, 5000, 'unload')
    expect(faults.failed.compact).toBeGreaterThan(0)
    const b = open(id, 'alderman')
    await b.synced
    expect(b.text()).toBe('een ')
    type(b.doc, 'twee')
    await until(() => roomText(id) === 'een twee', 5000, 'the edit to be stored and applied')
    expect(await storedText(id)).toBe('een twee')
  })
})
