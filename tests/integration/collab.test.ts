import WebSocket from 'ws'
import { beforeAll, describe, expect, it } from 'vitest'
import { createDocument, lockDocument } from '../../server/modules/documents/commands'
import { findDocument } from '../../server/modules/documents/queries'
import { loadActor } from '../../server/auth/actor'
import { type, until, upgradeStatus, type Client } from '../support/collab'
import { DEMO } from '../support/demo'
import { liveServer } from '../support/live'
import { testDialects } from '../support/server'

const { drafter, alderman, provider, competitor, parent, outsider } = DEMO
const users = { drafter, alderman, provider, competitor, parent, outsider }

describe.each(testDialects())('the collaboration server on %s', (dialect) => {
  const live = liveServer({ dialect, collabLimits: { idleUnloadMs: 50, maxConnectionsPerUser: 6 } }, users)
  const { cookie, open, storedText } = live
  let proposal: string
  let principles: string
  let submission: string

  beforeAll(async () => {
    const db = live.db
    const regionId = live.regionId
    const kompas = await db.selectFrom('organisations').select('id').where('name', 'like', 'Kompas%').executeTakeFirstOrThrow()
    const now = new Date()
    proposal = await createDocument(db, { regionId, kind: 'proposal', title: 'PHO-voorstel', actorId: null, now, paragraphs: ['Eerste alinea.'] })
    principles = await createDocument(db, { regionId, kind: 'principles', title: 'Leidende principes', actorId: null, now })
    submission = await createDocument(db, { regionId, kind: 'submission', title: 'Inschrijving Kompas', ownerOrganisationId: kompas.id, actorId: null, now })
  })

  it('refuses the upgrade before any websocket opens: 401, 403, 404', async () => {
    const origin = live.server.url
    expect(await upgradeStatus(live.server, `/collab/${proposal}`, { Origin: origin })).toBe(401)
    expect(await upgradeStatus(live.server, `/collab/${proposal}`, { Origin: origin, Cookie: 'samenspel_session=bogus' })).toBe(401)
    expect(await upgradeStatus(live.server, `/collab/${proposal}`, { Origin: 'https://evil.example', Cookie: cookie.drafter })).toBe(403)
    expect(await upgradeStatus(live.server, `/collab/${proposal}`, { Cookie: cookie.drafter })).toBe(403)
    expect(await upgradeStatus(live.server, `/collab/${proposal}`, { Origin: origin, Cookie: cookie.outsider })).toBe(403)
    expect(await upgradeStatus(live.server, `/collab/${submission}`, { Origin: origin, Cookie: cookie.competitor })).toBe(403)
    expect(await upgradeStatus(live.server, `/collab/${submission}`, { Origin: origin, Cookie: cookie.drafter })).toBe(403)
    expect(await upgradeStatus(live.server, `/collab/${'a'.repeat(24)}`, { Origin: origin, Cookie: cookie.drafter })).toBe(404)
    expect(await upgradeStatus(live.server, '/collab/../etc', { Origin: origin, Cookie: cookie.drafter })).toBe(404)
    expect(await upgradeStatus(live.server, `/collab/${submission}`, { Origin: origin, Cookie: cookie.provider })).toBe(101)
  })

  it('two editors converge, and a reader sees it live', async () => {
    const a = open(proposal, 'drafter')
    const b = open(proposal, 'alderman')
    const reader = open(proposal, 'provider')
    await Promise.all([a.synced, b.synced, reader.synced])
    expect(a.text()).toBe('Eerste alinea.')
    type(a.doc, ' Van A.')
    type(b.doc, ' Van B.')
    await until(() => a.text() === b.text() && a.text().includes('Van A.') && a.text().includes('Van B.'), 5000, 'convergence')
    await until(() => reader.text() === a.text(), 5000, 'the reader to see the edits')
  })

  it('drops document updates from read and comment connections', async () => {
    const editor = open(principles, 'drafter')
    const commenter = open(principles, 'parent')
    const reader = open(proposal, 'provider')
    await Promise.all([editor.synced, commenter.synced, reader.synced])
    type(editor.doc, 'Normaliseren.')
    await until(() => commenter.text() === 'Normaliseren.', 5000, 'the commenter to receive the text')
    type(commenter.doc, ' Ingebroken!')
    type(reader.doc, ' Ook ingebroken!')
    // Give the server time to (not) apply them, then look at what it has and what others got.
    type(editor.doc, ' Verder.')
    await until(() => commenter.text().endsWith('Verder.') || commenter.text().includes('Verder.'), 5000, 'the next edit')
    expect(editor.text()).toBe('Normaliseren. Verder.')
    await live.server.context.collab.loaded(principles)!.drained()
    expect(await storedText(principles)).toBe('Normaliseren. Verder.')
    expect(await storedText(proposal)).not.toContain('Ook ingebroken')
    // Presence still flows from the commenter.
    commenter.provider.awareness.setLocalStateField('user', { name: 'Fatima B.', color: '#b34a00' })
    await until(() => [...editor.provider.awareness.getStates().values()].some((s) => s.user?.name === 'Fatima B.'), 5000, 'presence')
  })

  it('persists every accepted update and loads it again after the document was unloaded', async () => {
    const id = await createDocument(live.server.context.db, {
      regionId: (await live.server.context.db.selectFrom('documents').select('region_id').where('id', '=', proposal).executeTakeFirstOrThrow()).region_id,
      kind: 'minutes',
      title: 'Notulen',
      actorId: null,
      now: new Date(),
    })
    const a = open(id, 'drafter')
    await a.synced
    for (const word of ['een ', 'twee ', 'drie']) type(a.doc, word)
    await until(() => live.server.context.collab.loaded(id) !== undefined)
    await until(() => a.provider.synced)
    await live.server.context.collab.loaded(id)!.drained()
    a.destroy()
    await until(() => live.server.context.collab.loaded(id) === undefined, 5000, 'the idle document to unload')
    expect(await storedText(id)).toBe('een twee drie')
    const b = open(id, 'alderman')
    await b.synced
    expect(b.text()).toBe('een twee drie')
  })

  it('locking a document downgrades open connections at once', async () => {
    const region = (await live.server.context.db.selectFrom('documents').select('region_id').where('id', '=', proposal).executeTakeFirstOrThrow()).region_id
    const id = await createDocument(live.server.context.db, { regionId: region, kind: 'mandate', title: 'Mandaat kernteam', actorId: null, now: new Date() })
    const a = open(id, 'drafter')
    const b = open(id, 'alderman')
    await Promise.all([a.synced, b.synced])
    type(a.doc, 'Voor het slot.')
    await until(() => b.text() === 'Voor het slot.')
    const drafter = await live.server.context.db.selectFrom('users').select(['id', 'under_16']).where('email', '=', users.drafter).executeTakeFirstOrThrow()
    const codes: number[] = []
    for (const c of [a, b]) c.provider.on('connection-close', (e: CloseEvent | null) => e && codes.push(e.code))
    // The command tells the collaboration server itself.
    const locked = await lockDocument(live.server.context.db, live.server.context.collab, { actor: await loadActor(live.server.context.db, drafter), doc: (await findDocument(live.server.context.db, id))!, now: new Date() })
    expect(locked).toEqual({ ok: true, changed: true })
    // Both editors are told (4002), reconnect, and are read-only from then on.
    await until(() => codes.filter((c) => c === 4002).length === 2, 5000, 'the permission-changed close')
    await until(() => a.provider.wsconnected && b.provider.wsconnected && a.provider.synced && b.provider.synced, 5000, 'reconnect')
    await until(() => {
      const room = live.server.context.collab.loaded(id)
      return room !== undefined && room.conns.size === 2 && [...room.conns.values()].every((c) => c.permission === 'read')
    }, 5000, 'read-only connections')
    type(b.doc, ' Na het slot.')
    type(a.doc, ' Ook na het slot.')
    await new Promise((r) => setTimeout(r, 200))
    await live.server.context.collab.loaded(id)?.drained()
    expect(await storedText(id)).toBe('Voor het slot.')
  })

  it("revoking a user's access closes that user's sockets only", async () => {
    const a = open(proposal, 'drafter')
    const b = open(proposal, 'alderman')
    await Promise.all([a.synced, b.synced])
    const closed = new Promise<number>((resolve) => a.provider.ws!.addEventListener('close', (e) => resolve((e as CloseEvent).code)))
    const drafterId = (await live.server.context.db.selectFrom('users').select('id').where('email', '=', users.drafter).executeTakeFirstOrThrow()).id
    a.provider.shouldConnect = false
    await live.server.context.collab.accessChanged({ userId: drafterId })
    expect(await closed).toBe(4001)
    expect(b.provider.wsconnected).toBe(true)
  })

  it('limits connections per user with 429 before the upgrade', async () => {
    const extra: Client[] = []
    for (let i = 0; i < 6; i++) extra.push(open(proposal, 'competitor'))
    await Promise.all(extra.map((c) => c.synced))
    expect(await upgradeStatus(live.server, `/collab/${proposal}`, { Origin: live.server.url, Cookie: cookie.competitor })).toBe(429)
    for (const c of extra) c.destroy()
  })

  it('a hostile client sending garbage is closed with 4400; others keep editing', async () => {
    const a = open(proposal, 'drafter')
    const b = open(proposal, 'alderman')
    await Promise.all([a.synced, b.synced])
    let closedWith = 0
    let seed = 42
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)
    for (let round = 0; round < 40; round++) {
      const ws = new WebSocket(live.server.url.replace(/^http/, 'ws') + `/collab/${proposal}`, { headers: { Cookie: cookie.drafter, Origin: live.server.url } })
      const code = await new Promise<number>((resolve) => {
        ws.on('open', () => {
          for (let i = 0; i < 5; i++) {
            const len = Math.floor(rnd() * 40)
            const frame = Buffer.alloc(len)
            for (let j = 0; j < len; j++) frame[j] = Math.floor(rnd() * 256)
            if (i === 0 && len > 0) frame[0] = Math.floor(rnd() * 5) // sometimes a plausible type byte
            ws.send(frame)
          }
          ws.send('text is never allowed')
        })
        ws.on('close', (c) => resolve(c))
      })
      if (code === 4400) closedWith++
    }
    expect(closedWith).toBe(40)
    type(a.doc, ' Na de aanval.')
    await until(() => b.text().includes('Na de aanval.'), 5000, 'editing to go on')
  })
})
