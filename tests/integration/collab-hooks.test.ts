import http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as Y from 'yjs'
import * as awarenessProtocol from 'y-protocols/awareness'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Connection } from '../../db/connect'
import { CollabServer } from '../../server/collab/server'
import type { AccessNotice, CollabHooks, StoredUpdate, UpdateAttempt, Verdict } from '../../server/collab/hooks'
import { dbStorage } from '../../server/collab/persistence'
import { createLogger } from '../../server/lib/log'
import type { Permission } from '../../server/policy/can'
import { createDocument } from '../../server/modules/documents/commands'
import { freshDb, makeRegion } from '../support/db'
import { connect, type, until, upgradeStatus, type Client, storedText as storedTextOf } from '../support/collab'
import { testClock } from '../support/server'

/**
 * Each named hook of the collaboration server on its own: a CollabServer built from its few
 * dependencies (storage, clock, logger, hooks) on a bare HTTP server on port 0, no portal around it.
 * Who connects is a header here (x-user), so the hooks are the only rules in play.
 */
describe('collaboration server hooks', () => {
  let conn: Connection
  let httpServer: http.Server
  let collab: CollabServer
  let url: string
  let docId: string
  const clients: Client[] = []
  /** what permissionOf answers, per user */
  const permissions = new Map<string, Permission>()
  const clock = testClock()

  async function start(hooks: Partial<CollabHooks>) {
    const base: CollabHooks = {
      async authorize(req) {
        const userId = req.headers['x-user']
        if (typeof userId !== 'string') return { ok: false, status: 401, reason: 'anonymous' }
        const permission = permissions.get(userId) ?? 'edit'
        if (permission === 'none') return { ok: false, status: 403, reason: 'no permission' }
        return { ok: true, userId, actor: { userId, under16: false, memberships: [] } as never, docId, permission }
      },
      permissionOf: async (userId) => permissions.get(userId) ?? 'edit',
    }
    collab = new CollabServer({
      storage: dbStorage(conn.db),
      clock: clock.clock,
      logger: createLogger('silent'),
      hooks: { ...base, ...hooks },
      limits: { clockTickMs: 20, idleUnloadMs: 50 },
    })
    httpServer = http.createServer((_req, res) => res.writeHead(404).end())
    httpServer.on('upgrade', collab.handleUpgrade)
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`
  }
  const open = (userId: string) => {
    const c = connect({ url }, docId, '', { headers: { 'x-user': userId } })
    clients.push(c)
    return c
  }
  const storedText = () => storedTextOf(conn.db, docId)

  beforeEach(async () => {
    conn = await freshDb()
    docId = await createDocument(conn.db, { regionId: await makeRegion(conn.db), kind: 'minutes', title: 'Notulen', actorId: null, now: new Date() })
    permissions.clear()
  })
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy()
    await collab?.close()
    await new Promise((r) => httpServer?.close(r))
    await conn.close()
  })

  it('authorize: decides at the upgrade, before any websocket opens', async () => {
    const seen: string[] = []
    await start({
      async authorize(req) {
        seen.push(req.url ?? '')
        const userId = req.headers['x-user']
        if (userId === 'mallory') return { ok: false, status: 403, reason: 'no' }
        if (typeof userId !== 'string') return { ok: false, status: 401, reason: 'anonymous' }
        return { ok: true, userId, actor: {} as never, docId, permission: 'edit' }
      },
    })
    expect(await upgradeStatus({ url }, `/collab/${docId}`, {})).toBe(401)
    expect(await upgradeStatus({ url }, `/collab/${docId}`, { 'x-user': 'mallory' })).toBe(403)
    expect(await upgradeStatus({ url }, `/collab/${docId}`, { 'x-user': 'anna' })).toBe(101)
    expect(seen).toEqual([`/collab/${docId}`, `/collab/${docId}`, `/collab/${docId}`])
  })

  it('beforeUpdate: a refused update is neither stored nor relayed; others are', async () => {
    const attempts: UpdateAttempt[] = []
    await start({
      beforeUpdate(attempt): Verdict {
        attempts.push(attempt)
        // Inserted text travels as UTF-8 in the update.
        return Buffer.from(attempt.update).includes('VERBODEN') ? { ok: false, reason: 'not allowed' } : { ok: true }
      },
    })
    const a = open('anna')
    const b = open('bram')
    await Promise.all([a.synced, b.synced])
    type(a.doc, 'goed ')
    await until(() => b.text() === 'goed ', 5000, 'the allowed edit')
    // A refused update from a fresh client (so the text is in its update alone).
    const m = open('mallory')
    await m.synced
    const before = attempts.length
    const p = new Y.XmlElement('paragraph')
    p.insert(0, [new Y.XmlText('VERBODEN')])
    m.doc.getXmlFragment('default').push([p])
    await until(() => attempts.length > before, 5000, 'the hook to be asked')
    type(a.doc, 'verder')
    await until(() => b.text() === 'goed verder', 5000, 'the next allowed edit')
    expect(b.text()).not.toContain('VERBODEN')
    expect(await storedText()).toBe('goed verder')
    expect(attempts.every((x) => x.docId === docId && x.permission === 'edit' && x.now instanceof Date)).toBe(true)
    expect(attempts.some((x) => x.userId === 'mallory')).toBe(true)
  })

  it('beforeUpdate that fails (cannot decide) costs no edit: the client reconnects and resends', async () => {
    let failures = 1
    await start({
      beforeUpdate(): Verdict {
        if (failures-- > 0) throw new Error('database unavailable')
        return { ok: true }
      },
    })
    const a = open('anna')
    await a.synced
    type(a.doc, 'bewaard')
    await until(() => a.closeCodes.includes(4500), 5000, 'the try-again-later close')
    await until(async () => (await storedText()) === 'bewaard', 10_000, 'the edit stored after the reconnect')
  })

  it('afterStored: told after each stored row, with whose updates are in it', async () => {
    const stored: StoredUpdate[] = []
    let storedTextAtHook = ''
    await start({
      afterStored(s) {
        stored.push(s)
        void storedText().then((t) => (storedTextAtHook = t))
      },
    })
    const a = open('anna')
    await a.synced
    type(a.doc, 'een')
    await until(() => stored.length >= 1, 5000, 'the hook')
    expect(stored[0]).toMatchObject({ docId, seq: 1, userIds: ['anna'] })
    await until(() => storedTextAtHook === 'een', 5000, 'the row to be readable when the hook runs')
  })

  it('accessChanged and permissionOf: told of an access change, and connections are looked up again', async () => {
    const notices: AccessNotice[] = []
    await start({ accessChanged: (n) => notices.push(n) })
    const a = open('anna')
    await a.synced
    permissions.set('anna', 'read')
    await collab.accessChanged({ docId })
    expect(notices).toEqual([{ docId, userId: undefined }])
    await until(() => a.closeCodes.includes(4002), 5000, 'the downgrade close')
    await until(() => a.provider.synced && a.provider.wsconnected, 5000, 'the reconnect')
    await until(() => [...(collab.loaded(docId)?.conns.values() ?? [])].some((c) => c.permission === 'read'), 5000, 'a read connection')
  })

  it('connected and beforeAwareness: per-connection data, a rewritten presence, a refusal that closes', async () => {
    const NAME = Symbol('name')
    await start({
      connected: async ({ conn }) => {
        if (conn.userId === 'weg') throw new Error('no identity')
        conn.hookData.set(NAME, `Naam van ${conn.userId}`)
      },
      beforeAwareness: ({ conn, update, conns, now }) => {
        expect(conns?.size).toBeGreaterThan(0)
        expect(now).toBeInstanceOf(Date)
        // Decode on a scratch Awareness, put the server's name in, encode again.
        const scratch = new awarenessProtocol.Awareness(new Y.Doc())
        awarenessProtocol.applyAwarenessUpdate(scratch, update, null)
        const ids = [...scratch.getStates().keys()]
        if (ids.some((id) => (scratch.getStates().get(id) as { evil?: boolean } | undefined)?.evil)) {
          return { ok: false, reason: 'evil', closeCode: 4408 }
        }
        for (const id of ids) {
          const state = scratch.getStates().get(id)
          if (state) scratch.states.set(id, { ...state, user: { name: conn.hookData?.get(NAME) } })
        }
        return { ok: true, update: awarenessProtocol.encodeAwarenessUpdate(scratch, ids) }
      },
    })
    const gone = open('weg')
    await until(() => gone.closeCodes.includes(1011), 5000, 'the failed connected hook to close')
    gone.provider.disconnect()
    const a = open('anna')
    const b = open('bram')
    await Promise.all([a.synced, b.synced])
    a.provider.awareness.setLocalStateField('user', { name: 'Wethouder (namaak)' })
    const seenByB = () => b.provider.awareness.getStates().get(a.doc.clientID) as { user?: { name?: string } } | undefined
    await until(() => seenByB()?.user?.name === 'Naam van anna', 5000, 'the server-set name')
    a.provider.awareness.setLocalStateField('evil', true)
    await until(() => a.closeCodes.includes(4408), 5000, 'the refusing hook to close')
    expect((seenByB() as { evil?: boolean } | undefined)?.evil).toBeUndefined()
  })

  it('accessChangesAt: at that moment of the (fake) clock every connection is looked up again', async () => {
    const at = new Date(clock.clock().getTime() + 60 * 60_000)
    await start({ accessChangesAt: async () => at })
    const a = open('anna')
    await a.synced
    type(a.doc, 'voor')
    await until(async () => (await storedText()) === 'voor', 5000, 'the first edit stored')
    permissions.set('anna', 'read')
    clock.advance(2 * 60 * 60_000)
    await until(() => a.closeCodes.includes(4002), 5000, 'the downgrade at the deadline')
  })
})
