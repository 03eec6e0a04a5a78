import { describe, expect, it } from 'vitest'
import { eachRegionSetting, issueCode, makeMember, makeOrganisation, makeRegion, makeUser, T0 } from '../../../tests/support/db'
import { safeNameFor, up as migrateMinorNames } from '../../../db/migrations/2026-12-02T0930_minor_names'
import { loadPresenceIdentity, FALLBACK_NAME } from '../../collab/presence'
import { createDocument } from '../documents/commands'
import { recordConsent, redeemPanelCode } from '../panels/commands'
import { checkDisplayName, isSafeName, NAME_ADJECTIVES, NAME_ANIMALS, NAME_NUMBERS, randomSafeName, suggestNames } from './names'
import { updateName } from './commands'
import { offerSafeNames } from './queries'

describe('safe names', () => {
  it('accepts exactly adjective + animal + two-digit number from the lists', () => {
    expect(isSafeName('Vrolijke Vos 27')).toBe(true)
    expect(isSafeName('Nieuwsgierige Pinguïn 99')).toBe(true)
    for (const bad of [
      'UNMODERATED-NAME bel me 06…',
      'Vrolijke Vos 0612345678',
      'Vrolijke Vos',
      'vrolijke vos 27',
      'Vrolijke  Vos 27',
      ' Vrolijke Vos 27',
      'Vrolijke Vos 27 bel me',
      'Boze Vos 27',
      'Vrolijke Wethouder 27',
      'Vrolijke Vos 69',
      'Vrolijke Vos 88',
      'Vrolijke Vos 7',
      'Vrolijke Vos ２７',
      '',
    ]) {
      expect(isSafeName(bad), bad).toBe(false)
    }
  })

  it('generates only names that pass the rule, several different ones to choose from', () => {
    for (let i = 0; i < 500; i++) expect(isSafeName(randomSafeName())).toBe(true)
    const offered = suggestNames(4)
    expect(new Set(offered).size).toBe(4)
    expect(offered.every(isSafeName)).toBe(true)
    // Names in use are not offered.
    const only = suggestNames(3, { random: (n) => n - 1, taken: () => false })
    expect(only).toEqual([`${NAME_ADJECTIVES.at(-1)} ${NAME_ANIMALS.at(-1)} ${NAME_NUMBERS.at(-1)}`])
    expect(suggestNames(3, { taken: () => true })).toEqual([])
  })

  it('lets adults keep free names, and members under 16 only safe ones', () => {
    expect(checkDisplayName({ under16: false, name: ' Fatima B. ' })).toEqual({ ok: true, name: 'Fatima B.' })
    expect(checkDisplayName({ under16: false, name: 'Anything at all 06' })).toMatchObject({ ok: true })
    expect(checkDisplayName({ under16: true, name: 'UNMODERATED-NAME bel me 06…' })).toEqual({ ok: false, reason: 'not_safe' })
    expect(checkDisplayName({ under16: true, name: 'Rustige Otter 31' })).toEqual({ ok: true, name: 'Rustige Otter 31' })
  })
})

describe('with a database', () => {
  const s = eachRegionSetting()
  const nameOf = async (id: string) => (await s.db.selectFrom('users').select('name').where('id', '=', id).executeTakeFirstOrThrow()).name

  it('a member under 16 cannot rename to free text, only to a safe name nobody else has', async () => {
    const { db } = s
    const youth = await makeUser(db, { under16: true, name: 'Blije Bever 42', email: null })
    expect(await updateName(db, youth, 'UNMODERATED-NAME bel me 06…')).toEqual({ ok: false, reason: 'not_safe' })
    expect(await nameOf(youth)).toBe('Blije Bever 42')
    await makeUser(db, { under16: true, name: 'Kalme Uil 55', email: null })
    expect(await updateName(db, youth, 'Kalme Uil 55')).toEqual({ ok: false, reason: 'taken' })
    expect(await updateName(db, youth, 'Sterke Das 12')).toEqual({ ok: true })
    expect(await nameOf(youth)).toBe('Sterke Das 12')
    // Keeping one's own name is fine.
    expect(await updateName(db, youth, 'Sterke Das 12')).toEqual({ ok: true })
  })

  it('an adult keeps a free name', async () => {
    const { db } = s
    const adult = await makeUser(db, { name: 'Fatima B.' })
    expect(await updateName(db, adult, 'Fatima Bakkali')).toEqual({ ok: true })
    expect(await nameOf(adult)).toBe('Fatima Bakkali')
    expect(await updateName(db, 'nobody', 'X')).toEqual({ ok: false, reason: 'not_found' })
  })

  it('offers safe names that nobody uses', async () => {
    const { db } = s
    const offered = await offerSafeNames(db, 4)
    expect(offered).toHaveLength(4)
    expect(offered.every(isSafeName)).toBe(true)
    // With a generator that always gives the same name, a used one is left out.
    await makeUser(db, { under16: true, name: 'Blije Bever 10', email: null })
    expect(await offerSafeNames(db, 4, () => 0)).toEqual([])
  })

  it('the first name at /panelcode: free text refused for under-16 codes (and the code stays usable), free for adults', async () => {
    const { db, regionId, panelId, staffId: coordinatorId } = s
    const { code } = await issueCode(db, { regionId, organisationId: panelId, under16: true, actorId: coordinatorId })
    const later = new Date(T0.getTime() + 60_000)
    expect(await redeemPanelCode(db, { code, displayName: 'Noor 06 12345678', now: later })).toEqual({ ok: false, reason: 'name_not_safe' })
    await makeUser(db, { under16: true, name: 'Kalme Uil 55', email: null })
    expect(await redeemPanelCode(db, { code, displayName: 'Kalme Uil 55', now: later })).toEqual({ ok: false, reason: 'name_taken' })
    const ok = await redeemPanelCode(db, { code, displayName: 'Moedige Egel 23', now: later })
    expect(ok).toMatchObject({ ok: true, newMember: true })
    if (ok.ok) expect(await nameOf(ok.userId)).toBe('Moedige Egel 23')

    const adult = await issueCode(db, { regionId, organisationId: panelId, actorId: coordinatorId })
    const res = await redeemPanelCode(db, { code: adult.code, displayName: 'Noor', now: later })
    expect(res).toMatchObject({ ok: true })
    if (res.ok) expect(await nameOf(res.userId)).toBe('Noor')
  })

  it('migration 2026-12-02T0930 gives every under-16 with a free name a safe one, and leaves the rest alone', async () => {
    const { db } = s
    const free = await makeUser(db, { under16: true, name: 'UNMODERATED-NAME bel me 06…', email: null })
    const free2 = await makeUser(db, { under16: true, name: 'Sam', email: null })
    const safe = await makeUser(db, { under16: true, name: 'Trouwe Mus 61', email: null })
    const adult = await makeUser(db, { name: 'Sam de Vries' })
    await makeUser(db, { name: safeNameFor(free) }) // the first pick for `free` is taken: it gets another
    await migrateMinorNames(db)
    expect(isSafeName(await nameOf(free))).toBe(true)
    expect(await nameOf(free)).not.toBe(safeNameFor(free))
    expect(await nameOf(free2)).toBe(safeNameFor(free2))
    expect(await nameOf(safe)).toBe('Trouwe Mus 61')
    expect(await nameOf(adult)).toBe('Sam de Vries')
    // The frozen copy of the lists still matches the rule.
    for (let i = 0; i < 300; i++) expect(isSafeName(safeNameFor(`user-${i}`, i % 3))).toBe(true)
  })

  it("presence shows the server's identity: role in the document's region, a minor only by a safe name", async () => {
    const { db, regionId, panelId, staffId: coordinatorId } = s
    const docId = await createDocument(db, { regionId, kind: 'principles', title: 'Principes', actorId: null, now: T0 })
    const youth = await makeMember(db, { regionId, organisationId: panelId, role: 'panel_member', under16: true, email: null })
    await db.updateTable('users').set({ name: 'UNMODERATED-NAME bel me 06…' }).where('id', '=', youth.userId).execute()
    await recordConsent(db, { regionId, userId: youth.userId, givenBy: 'moeder', actorId: coordinatorId, now: T0 })
    expect(await loadPresenceIdentity(db, youth.userId, docId)).toMatchObject({ id: youth.userId, name: FALLBACK_NAME, role: 'panel_member' })
    await db.updateTable('users').set({ name: 'Blije Bever 42' }).where('id', '=', youth.userId).execute()
    expect(await loadPresenceIdentity(db, youth.userId, docId)).toMatchObject({ name: 'Blije Bever 42', role: 'panel_member' })
    expect(await loadPresenceIdentity(db, coordinatorId, docId)).toMatchObject({ role: 'civil_servant' })
    // A role elsewhere does not count here.
    const elsewhere = await makeRegion(db)
    const otherOrg = await makeOrganisation(db, elsewhere)
    const alderman = await makeMember(db, { regionId: elsewhere, organisationId: otherOrg, role: 'alderman' })
    expect(await loadPresenceIdentity(db, alderman.userId, docId)).toMatchObject({ role: null })
    expect(await loadPresenceIdentity(db, 'nobody', docId)).toBeNull()
  })
})
