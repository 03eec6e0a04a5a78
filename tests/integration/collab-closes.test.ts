import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDocument } from '../../server/modules/documents/commands'
import { asResource, findDocument } from '../../server/modules/documents/queries'
import { permissionOn } from '../../server/policy/can'
import { loadActor } from '../../server/auth/actor'
import { iso } from '../../server/lib/time'
import { connect, fragmentText, type, until, upgradeStatus, type Client, storedText as storedTextOf } from '../support/collab'
import { loginAs, startTestServer, testClock, testDialects, type TestServer } from '../support/server'

/**
 * A real rule through the hooks: a document with closes_at becomes read-only at that moment of the
 * server clock (a fake one here), for open sockets too, with no restart and nothing accepted after it.
 * And the upgrade answers 401 to an anonymous caller before it looks anything up.
 */
describe.each(testDialects())('documents that close at a deadline, on %s', (dialect) => {
  let server: TestServer
  const clock = testClock()
  let regionId: string
  const cookie = { drafter: '', alderman: '' }
  const clients: Client[] = []
  const open = (docId: string, who: keyof typeof cookie) => {
    const c = connect(server, docId, cookie[who])
    clients.push(c)
    return c
  }
  const storedText = (docId: string) => storedTextOf(server.context.db, docId)

  beforeAll(async () => {
    // The periodic deadline check is off (a minute): here the check on every update must do it alone.
    server = await startTestServer({ dialect, clock: clock.clock, collabLimits: { clockTickMs: 60_000 } })
    cookie.drafter = await loginAs(server, 'beleidsmedewerker@samenspel.example')
    cookie.alderman = await loginAs(server, 'wethouder@samenspel.example')
    regionId = (await server.context.db.selectFrom('regions').select('id').where('slug', '=', 'ijmond-zuid-kennemerland').executeTakeFirstOrThrow()).id
  })
  afterAll(async () => {
    for (const c of clients) c.destroy()
    await server?.close()
  })

  it('answers an anonymous upgrade with 401 whether or not the document exists', async () => {
    const id = await createDocument(server.context.db, { regionId, kind: 'proposal', title: 'Bestaat', actorId: null, now: clock.clock() })
    expect(await upgradeStatus(server, `/collab/${id}`, { Origin: server.url })).toBe(401)
    expect(await upgradeStatus(server, `/collab/${'a'.repeat(24)}`, { Origin: server.url })).toBe(401)
    expect(await upgradeStatus(server, `/collab/${'a'.repeat(24)}`, { Origin: server.url, Cookie: cookie.drafter })).toBe(404)
  })

  it('becomes read-only at closes_at by the server clock: open sockets downgraded, nothing accepted after', async () => {
    const db = server.context.db
    const id = await createDocument(db, { regionId, kind: 'proposal', title: 'Inschrijving sluit', actorId: null, now: clock.clock() })
    const closesAt = new Date(clock.clock().getTime() + 60 * 60_000)
    await db.updateTable('documents').set({ closes_at: iso(closesAt) }).where('id', '=', id).execute()
    const a = open(id, 'drafter')
    const b = open(id, 'alderman')
    await Promise.all([a.synced, b.synced])
    type(a.doc, 'voor de deadline')
    await until(() => b.text() === 'voor de deadline', 5000, 'the edit before the deadline')
    const drafter = await db.selectFrom('users').select(['id', 'under_16']).where('email', '=', 'beleidsmedewerker@samenspel.example').executeTakeFirstOrThrow()
    const actor = await loadActor(db, drafter)
    expect(permissionOn(actor, asResource((await findDocument(db, id))!, clock.clock()))).toBe('edit')

    clock.advance(2 * 60 * 60_000)
    // The first update after the deadline is refused, and that makes the server look again: both
    // editors are downgraded (4002) and come back read-only.
    type(a.doc, ' NA DE DEADLINE')
    await until(() => a.closeCodes.includes(4002) && b.closeCodes.includes(4002), 5000, 'the downgrade')
    await until(() => {
      const room = server.context.collab.loaded(id)
      return room !== undefined && room.conns.size === 2 && [...room.conns.values()].every((c) => c.permission === 'read')
    }, 5000, 'read-only connections after the reconnect')
    expect(permissionOn(actor, asResource((await findDocument(db, id))!, clock.clock()))).toBe('read')
    expect(fragmentText(server.context.collab.loaded(id)!.doc)).toBe('voor de deadline')
    expect(await storedText(id)).toBe('voor de deadline')
    expect(b.text()).toBe('voor de deadline')
  })
})
