import { describe, expect, it } from 'vitest'
import { asResource, findDocument } from '../../server/modules/documents/queries'
import { permissionOn } from '../../server/policy/can'
import { loadActor } from '../../server/auth/actor'
import { iso } from '../../server/lib/time'
import { fragmentText, type, until, upgradeStatus } from '../support/collab'
import { DEMO } from '../support/demo'
import { liveServer } from '../support/live'
import { testClock, testDialects } from '../support/server'

/**
 * A real rule through the hooks: a document with closes_at becomes read-only at that moment of the
 * server clock (a fake one here), for open sockets too, with no restart and nothing accepted after it.
 * And the upgrade answers 401 to an anonymous caller before it looks anything up.
 */
describe.each(testDialects())('documents that close at a deadline, on %s', (dialect) => {
  const clock = testClock()
  // The periodic deadline check is off (a minute): here the check on every update must do it alone.
  const live = liveServer({ dialect, clock: clock.clock, collabLimits: { clockTickMs: 60_000 } }, { drafter: DEMO.drafter, alderman: DEMO.alderman })
  const { cookie, open, storedText } = live

  it('answers an anonymous upgrade with 401 whether or not the document exists', async () => {
    const id = await live.newDoc('Bestaat')
    expect(await upgradeStatus(live.server, `/collab/${id}`, { Origin: live.server.url })).toBe(401)
    expect(await upgradeStatus(live.server, `/collab/${'a'.repeat(24)}`, { Origin: live.server.url })).toBe(401)
    expect(await upgradeStatus(live.server, `/collab/${'a'.repeat(24)}`, { Origin: live.server.url, Cookie: cookie.drafter })).toBe(404)
  })

  it('becomes read-only at closes_at by the server clock: open sockets downgraded, nothing accepted after', async () => {
    const db = live.db
    const id = await live.newDoc('Inschrijving sluit')
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
      const room = live.server.context.collab.loaded(id)
      return room !== undefined && room.conns.size === 2 && [...room.conns.values()].every((c) => c.permission === 'read')
    }, 5000, 'read-only connections after the reconnect')
    expect(permissionOn(actor, asResource((await findDocument(db, id))!, clock.clock()))).toBe('read')
    expect(fragmentText(live.server.context.collab.loaded(id)!.doc)).toBe('voor de deadline')
    expect(await storedText(id)).toBe('voor de deadline')
    expect(b.text()).toBe('voor de deadline')
  })
})
