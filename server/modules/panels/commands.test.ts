import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Connection, DB } from '../../../db/connect'
import { auditEntries, issueCode, makeMember, makeOrganisation, makeRegion, makeUser, regionSetting, T0 } from '../../../tests/support/db'
import { loadActor } from '../../auth/actor'
import { createSession, validateSessionToken } from '../../auth/session'
import { DAY, MINUTE } from '../../lib/time'
import { addMembership } from '../regions/commands'
import { randomSafeName } from '../accounts/names'
import { generateCode, normaliseCode } from './codes'
import { issuePanelCode, recordConsent, redeemPanelCode, revokePanelCode, withdrawConsent } from './commands'
import { listIssuedCodes, panelHome, peekPanelCode } from './queries'
import { createDocument } from '../documents/commands'

const later = (ms: number) => new Date(T0.getTime() + ms)

let conn: Connection
let db: DB
let regionId: string
let panelId: string
let coordinatorId: string

beforeEach(async () => {
  ;({ conn, db, regionId, panelId, staffId: coordinatorId } = await regionSetting())
})
afterEach(() => conn.close())

const issueResult = (opts: { under16?: boolean; userId?: string; now?: Date } = {}) =>
  issuePanelCode(db, {
    regionId,
    organisationId: panelId,
    userId: opts.userId,
    under16: opts.under16 ?? false,
    actorId: coordinatorId,
    now: opts.now ?? T0,
  })
const issue = (opts: Parameters<typeof issueResult>[0] = {}) =>
  issueCode(db, { regionId, organisationId: panelId, actorId: coordinatorId, ...opts })

/** A new panel member who joined with a code; returns their user id. */
async function joinedMember(opts: { under16?: boolean; name?: string } = {}) {
  const { code } = await issue({ under16: opts.under16 })
  // Members under 16 choose a safe name (ADR 0012).
  const res = await redeemPanelCode(db, { code, displayName: opts.name ?? (opts.under16 ? randomSafeName() : 'Zonnebloem'), now: later(MINUTE) })
  if (!res.ok) throw new Error(`redeem failed: ${res.reason}`)
  return res.userId
}

const userRow = (id: string) => db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
const membershipsOf = (id: string) => db.selectFrom('memberships').selectAll().where('user_id', '=', id).execute()
const countUsers = async () => (await db.selectFrom('users').select('id').execute()).length

describe('codes', () => {
  it('look like XXXX-XXXX-XXXX without characters that are easy to confuse', () => {
    const codes = Array.from({ length: 300 }, generateCode)
    for (const code of codes) {
      expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/)
      expect(code).not.toMatch(/[01OIL]/)
    }
    expect(new Set(codes).size).toBe(codes.length)
  })

  it('are the same code however they are typed', () => {
    const canonical = 'ABCD-EFGH-JKMN'
    for (const typed of ['abcd efgh jkmn', 'ABCDEFGHJKMN', ' abcd-efgh-jkmn ', 'Abcd - Efgh - Jkmn', 'abcdefghjkmn\n']) {
      expect(normaliseCode(typed), JSON.stringify(typed)).toBe(canonical)
    }
    expect(normaliseCode(canonical)).toBe(canonical)
  })

  it('keep different codes different', () => {
    expect(normaliseCode('ABCD-EFGH-JKMN')).not.toBe(normaliseCode('ABCD-EFGH-JKMP'))
  })
})

describe('issuing and redeeming a code for a new member', () => {
  it('creates a user without e-mail address or password, with the chosen name and a panel membership', async () => {
    const { code } = await issue()
    const res = await redeemPanelCode(db, { code, displayName: 'Zonnebloem', now: later(MINUTE) })
    expect(res).toMatchObject({ ok: true, newMember: true })
    if (!res.ok) return
    expect(await userRow(res.userId)).toMatchObject({ email: null, name: 'Zonnebloem', password_hash: null, under_16: 0 })
    const memberships = await membershipsOf(res.userId)
    expect(memberships).toHaveLength(1)
    expect(memberships[0]).toMatchObject({ region_id: regionId, organisation_id: panelId, role: 'panel_member' })
  })

  it('stores only a hash of the code', async () => {
    const { code, id } = await issue()
    const row = await db.selectFrom('panel_access_codes').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    const plain = code.replace(/-/g, '')
    for (const value of Object.values(row)) {
      expect(String(value)).not.toContain(code)
      expect(String(value)).not.toContain(plain)
    }
  })

  it('expires 14 days after issue', async () => {
    const { expiresAt } = await issue()
    expect(Date.parse(expiresAt) - T0.getTime()).toBe(14 * DAY)
  })

  it('accepts the code typed in lower case with spaces', async () => {
    const { code } = await issue()
    const typed = code.toLowerCase().replace(/-/g, ' ')
    expect(await redeemPanelCode(db, { code: typed, displayName: 'Vlinder', now: later(MINUTE) })).toMatchObject({ ok: true })
  })

  it('works once', async () => {
    const { code } = await issue()
    expect(await redeemPanelCode(db, { code, displayName: 'Eerste', now: later(MINUTE) })).toMatchObject({ ok: true })
    const users = await countUsers()
    expect(await redeemPanelCode(db, { code, displayName: 'Tweede', now: later(2 * MINUTE) })).toEqual({
      ok: false,
      reason: 'invalid_code',
    })
    expect(await countUsers()).toBe(users)
    expect(await peekPanelCode(db, code, later(2 * MINUTE))).toBeNull()
  })

  it('does not work once expired', async () => {
    const { code, expiresAt } = await issue()
    const expired = new Date(Date.parse(expiresAt) + 1000)
    expect(await peekPanelCode(db, code, expired)).toBeNull()
    expect(await redeemPanelCode(db, { code, displayName: 'Te laat', now: expired })).toEqual({
      ok: false,
      reason: 'invalid_code',
    })
    // just before expiry it still works
    expect(
      await redeemPanelCode(db, { code, displayName: 'Net op tijd', now: new Date(Date.parse(expiresAt) - 1000) }),
    ).toMatchObject({ ok: true })
  })

  it('refuses an unknown code', async () => {
    expect(await redeemPanelCode(db, { code: generateCode(), displayName: 'X', now: T0 })).toEqual({
      ok: false,
      reason: 'invalid_code',
    })
  })

  it('asks a new member for a display name without using up the code', async () => {
    const { code, id } = await issue()
    expect(await peekPanelCode(db, code, later(MINUTE))).toEqual({ newMember: true, under16: false })
    const users = await countUsers()
    expect(await redeemPanelCode(db, { code, now: later(MINUTE) })).toEqual({ ok: false, reason: 'name_required' })
    expect(await redeemPanelCode(db, { code, displayName: '', now: later(MINUTE) })).toEqual({
      ok: false,
      reason: 'name_required',
    })
    const row = await db.selectFrom('panel_access_codes').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(row.used_at).toBeNull()
    expect(row.user_id).toBeNull()
    expect(await countUsers()).toBe(users)
    expect(await redeemPanelCode(db, { code, displayName: 'Later', now: later(2 * MINUTE) })).toMatchObject({ ok: true })
  })
})

describe('re-entry codes', () => {
  it('log the same member in again without a new account or membership', async () => {
    const memberId = await joinedMember()
    const users = await countUsers()
    const { code } = await issue({ userId: memberId, now: later(DAY) })
    expect(await peekPanelCode(db, code, later(DAY))).toEqual({ newMember: false, under16: false })
    const res = await redeemPanelCode(db, { code, now: later(DAY + MINUTE) })
    expect(res).toEqual({ ok: true, userId: memberId, newMember: false })
    expect(await countUsers()).toBe(users)
    expect(await membershipsOf(memberId)).toHaveLength(1)
    expect((await userRow(memberId))!.name).toBe('Zonnebloem')
  })

  it('work once as well', async () => {
    const memberId = await joinedMember()
    const { code } = await issue({ userId: memberId, now: later(DAY) })
    expect(await redeemPanelCode(db, { code, now: later(DAY) })).toMatchObject({ ok: true })
    expect(await redeemPanelCode(db, { code, now: later(DAY) })).toEqual({ ok: false, reason: 'invalid_code' })
  })
})

describe('guardian consent for members under 16', () => {
  it('a new under-16 member counts nowhere until consent is recorded', async () => {
    const memberId = await joinedMember({ under16: true })
    const user = (await userRow(memberId))!
    expect(user.under_16).toBe(1)
    expect((await loadActor(db, user)).memberships).toEqual([])

    expect(
      await recordConsent(db, { regionId, userId: memberId, givenBy: 'moeder', actorId: coordinatorId, now: later(DAY) }),
    ).toEqual({ ok: true })
    expect((await loadActor(db, user)).memberships).toEqual([
      { regionId, organisationId: panelId, organisationKind: 'panel', role: 'panel_member' },
    ])
  })

  it('is recorded only for members under 16', async () => {
    const adultId = await joinedMember({ under16: false })
    expect(
      await recordConsent(db, { regionId, userId: adultId, givenBy: 'moeder', actorId: coordinatorId, now: T0 }),
    ).toEqual({ ok: false, reason: 'not_under_16' })
    expect(await db.selectFrom('guardian_consents').selectAll().execute()).toHaveLength(0)
    // an adult member counts without any consent
    expect((await loadActor(db, (await userRow(adultId))!)).memberships).toHaveLength(1)
  })

  it('is refused for someone who is not a panel member of the region', async () => {
    const stranger = await makeUser(db, { under16: true })
    expect(
      await recordConsent(db, { regionId, userId: stranger, givenBy: 'vader', actorId: coordinatorId, now: T0 }),
    ).toEqual({ ok: false, reason: 'not_found' })
  })

  it('is recorded once while active', async () => {
    const memberId = await joinedMember({ under16: true })
    const input = { regionId, userId: memberId, givenBy: 'moeder', actorId: coordinatorId, now: T0 }
    expect(await recordConsent(db, input)).toEqual({ ok: true })
    expect(await recordConsent(db, input)).toEqual({ ok: false, reason: 'already_consented' })
  })

  it('counts per region: consent in one region does not open another', async () => {
    const memberId = await joinedMember({ under16: true })
    const otherRegion = await makeRegion(db)
    const otherPanel = await makeOrganisation(db, otherRegion, { kind: 'panel' })
    await addMembership(db, {
      userId: memberId,
      regionId: otherRegion,
      organisationId: otherPanel,
      role: 'panel_member',
      actorId: null,
      now: T0,
    })
    await recordConsent(db, { regionId, userId: memberId, givenBy: 'moeder', actorId: coordinatorId, now: T0 })
    const actor = await loadActor(db, (await userRow(memberId))!)
    expect(actor.memberships.map((m) => m.regionId)).toEqual([regionId])
  })

  it('withdrawal ends the sessions at once and the memberships stop counting', async () => {
    const memberId = await joinedMember({ under16: true })
    await recordConsent(db, { regionId, userId: memberId, givenBy: 'moeder', actorId: coordinatorId, now: T0 })
    const { token } = await createSession(db, memberId, { now: T0, device: '' })
    const opts = { clock: () => later(MINUTE), idleDays: 14 }
    expect(await validateSessionToken(db, token, opts)).not.toBeNull()

    expect(await withdrawConsent(db, { regionId, userId: memberId, actorId: coordinatorId, now: later(MINUTE) })).toEqual({
      ok: true,
    })
    expect(await validateSessionToken(db, token, opts)).toBeNull()
    expect((await loadActor(db, (await userRow(memberId))!)).memberships).toEqual([])
    // the membership itself is kept, so consent can be given again later
    expect(await membershipsOf(memberId)).toHaveLength(1)
  })

  it('withdrawal without active consent reports none', async () => {
    const memberId = await joinedMember({ under16: true })
    expect(await withdrawConsent(db, { regionId, userId: memberId, actorId: coordinatorId, now: T0 })).toEqual({
      ok: false,
      reason: 'no_consent',
    })
  })

  it('can be recorded again after withdrawal', async () => {
    const memberId = await joinedMember({ under16: true })
    const base = { regionId, userId: memberId, actorId: coordinatorId, now: T0 }
    await recordConsent(db, { ...base, givenBy: 'moeder' })
    await withdrawConsent(db, base)
    expect(await recordConsent(db, { ...base, givenBy: 'voogd' })).toEqual({ ok: true })
    expect((await loadActor(db, (await userRow(memberId))!)).memberships).toHaveLength(1)
  })
})

describe('audit', () => {
  it('records issuing, using, consent and withdrawal, without the code itself', async () => {
    const { code, id } = await issue({ under16: true })
    const res = await redeemPanelCode(db, { code, displayName: 'Blije Bever 42', now: later(MINUTE) })
    if (!res.ok) throw new Error(res.reason)
    await recordConsent(db, { regionId, userId: res.userId, givenBy: 'moeder', actorId: coordinatorId, now: later(DAY) })
    await withdrawConsent(db, { regionId, userId: res.userId, actorId: coordinatorId, now: later(2 * DAY) })

    const entries = await auditEntries(db, regionId)
    const find = (action: string) => entries.find((e) => e.action === action && e.subject_id !== coordinatorId)
    expect(find('panel_code.issued')).toMatchObject({ subject_id: id, actor_id: coordinatorId })
    expect(find('panel_code.used')).toMatchObject({ subject_id: id, actor_id: res.userId })
    expect(find('membership.added')).toMatchObject({ subject_id: res.userId })
    expect(find('consent.recorded')).toMatchObject({ subject_id: res.userId, actor_id: coordinatorId })
    expect(find('consent.withdrawn')).toMatchObject({ subject_id: res.userId, actor_id: coordinatorId })

    const everything = JSON.stringify(await auditEntries(db))
    expect(everything).not.toContain(code)
    expect(everything).not.toContain(code.replace(/-/g, ''))
  })

  it('records nothing for a refused redemption', async () => {
    const { code } = await issue()
    const before = (await auditEntries(db)).length
    await redeemPanelCode(db, { code, now: later(MINUTE) }) // name required
    await redeemPanelCode(db, { code: generateCode(), displayName: 'X', now: later(MINUTE) }) // unknown
    expect(await auditEntries(db)).toHaveLength(before)
  })
})

describe('re-entry codes only for people who sign in with codes', () => {
  it('are refused for someone with an e-mail account, or with another role too', async () => {
    const withEmail = await makeMember(db, { regionId, organisationId: panelId, role: 'panel_member', email: 'ouder@example.test' })
    expect(await issueResult({ userId: withEmail.userId })).toEqual({ ok: false, reason: 'not_panel_only' })

    const codeOnly = await makeMember(db, { regionId, organisationId: panelId, role: 'panel_member', email: null })
    const staff = await makeOrganisation(db, regionId, { kind: 'municipality' })
    await addMembership(db, { userId: codeOnly.userId, regionId, organisationId: staff, role: 'region_admin', actorId: null, now: T0 })
    expect(await issueResult({ userId: codeOnly.userId })).toEqual({ ok: false, reason: 'not_panel_only' })
    const codes = await db.selectFrom('panel_access_codes').select('id').execute()
    expect(codes).toHaveLength(0)
  })

  it('are issued for a member of this panel who has nothing but codes', async () => {
    const member = await makeMember(db, { regionId, organisationId: panelId, role: 'panel_member', email: null })
    const { code } = await issue({ userId: member.userId })
    const result = await redeemPanelCode(db, { code, now: later(MINUTE) })
    expect(result).toEqual({ ok: true, userId: member.userId, newMember: false })
  })
})

describe('issued codes: listed for the coordinators, revocable while unused', () => {
  const coordinator = () => loadActor(db, { id: coordinatorId, under_16: 0 })

  it('lists who a code is for, under 16 or not, and its state, never the code', async () => {
    const fresh = await issue({ under16: true })
    const usedCode = await issue()
    const res = await redeemPanelCode(db, { code: usedCode.code, displayName: 'Zonnebloem', now: later(MINUTE) })
    if (!res.ok) throw new Error(res.reason)
    const expired = await issue({ now: new Date(T0.getTime() - 15 * DAY) })
    const list = await listIssuedCodes(db, regionId, later(2 * MINUTE))
    const byId = new Map(list.map((c) => [c.id, c]))
    expect(byId.get(fresh.id)).toMatchObject({ state: 'open', under16: true, member_name: null, panel_name: 'Jongerenpanel' })
    expect(byId.get(usedCode.id)).toMatchObject({ state: 'used', under16: false, member_name: 'Zonnebloem' })
    expect(byId.get(expired.id)).toMatchObject({ state: 'expired' })
    expect(byId.get(fresh.id)!.issued_by).toBeTruthy()
    const text = JSON.stringify(list)
    for (const { code } of [fresh, usedCode, expired]) {
      expect(text).not.toContain(code)
      expect(text).not.toContain(code.replace(/-/g, ''))
    }
    // Another region's codes are not in this list.
    const other = await regionSetting()
    try {
      await issueCode(other.db, { regionId: other.regionId, organisationId: other.panelId, actorId: other.staffId })
      expect(await listIssuedCodes(other.db, regionId, T0)).toEqual([])
    } finally {
      await other.conn.close()
    }
  })

  it('a revoked code opens nothing, is audited, and shows as revoked', async () => {
    const { id, code } = await issue()
    expect(await revokePanelCode(db, { actor: await coordinator(), regionId, codeId: id, now: later(MINUTE) })).toEqual({ ok: true })
    expect(await peekPanelCode(db, code, later(2 * MINUTE))).toBeNull()
    const users = await countUsers()
    expect(await redeemPanelCode(db, { code, displayName: 'Te laat', now: later(2 * MINUTE) })).toEqual({ ok: false, reason: 'invalid_code' })
    expect(await countUsers()).toBe(users)
    const [entry] = (await auditEntries(db, regionId)).filter((e) => e.action === 'panel_code.revoked')
    expect(entry).toMatchObject({ subject_id: id, actor_id: coordinatorId })
    expect(JSON.stringify(entry)).not.toContain(code)
    expect((await listIssuedCodes(db, regionId, later(3 * MINUTE)))[0]).toMatchObject({ id, state: 'revoked' })
    // Twice is refused.
    expect(await revokePanelCode(db, { actor: await coordinator(), regionId, codeId: id, now: later(4 * MINUTE) })).toEqual({ ok: false, reason: 'code_revoked' })
  })

  it('a used code cannot be revoked, and the member keeps their way in', async () => {
    const { id, code } = await issue()
    const res = await redeemPanelCode(db, { code, displayName: 'Vlinder', now: later(MINUTE) })
    expect(res.ok).toBe(true)
    const before = (await auditEntries(db)).length
    expect(await revokePanelCode(db, { actor: await coordinator(), regionId, codeId: id, now: later(2 * MINUTE) })).toEqual({ ok: false, reason: 'code_used' })
    expect(await auditEntries(db)).toHaveLength(before)
    const row = await db.selectFrom('panel_access_codes').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(row.revoked_at).toBeNull()
  })

  it('is refused to someone who does not coordinate panels in that region, and to any region but the code’s own', async () => {
    const { id, code } = await issue()
    const provider = await makeOrganisation(db, regionId, { kind: 'provider' })
    const member = await makeMember(db, { regionId, organisationId: provider, role: 'provider_member' })
    const outsider = await loadActor(db, { id: member.userId, under_16: 0 })
    expect(await revokePanelCode(db, { actor: outsider, regionId, codeId: id, now: later(MINUTE) })).toEqual({ ok: false, reason: 'forbidden' })
    // A coordinator of another region, naming their own region: the code is not there.
    const otherRegion = await makeRegion(db)
    const otherStaff = await makeOrganisation(db, otherRegion, { kind: 'municipality' })
    const otherCoordinator = await makeMember(db, { regionId: otherRegion, organisationId: otherStaff, role: 'civil_servant' })
    const elsewhere = await loadActor(db, { id: otherCoordinator.userId, under_16: 0 })
    expect(await revokePanelCode(db, { actor: elsewhere, regionId: otherRegion, codeId: id, now: later(MINUTE) })).toEqual({ ok: false, reason: 'not_found' })
    // ... or naming this region: not theirs.
    expect(await revokePanelCode(db, { actor: elsewhere, regionId, codeId: id, now: later(MINUTE) })).toEqual({ ok: false, reason: 'forbidden' })
    expect(await peekPanelCode(db, code, later(MINUTE))).not.toBeNull()
  })
})

describe('a panel member’s own home', () => {
  it('says what is open for reaction, how many reactions have an answer, and who gave the code', async () => {
    const memberId = await joinedMember()
    const actor = await loadActor(db, (await userRow(memberId))!)
    const principles = await createDocument(db, { regionId, kind: 'principles', title: 'Leidende principes', actorId: coordinatorId, now: T0 })
    await createDocument(db, { regionId, kind: 'proposal', title: 'Voorstel PHO', actorId: coordinatorId, now: T0 })
    const comment = (disposition: 'open' | 'adopted') => ({
      id: `c-${disposition}-${Math.random()}`,
      doc_id: principles,
      region_id: regionId,
      author_id: memberId,
      anchor_start: 'a',
      anchor_end: 'b',
      quote: 'woorden',
      section: '',
      body: 'Mijn reactie',
      moderation: 'visible' as const,
      disposition,
      created_at: T0.toISOString(),
    })
    await db.insertInto('comments').values([comment('open'), comment('adopted'), comment('adopted')]).execute()
    const home = await panelHome(db, actor, regionId, T0)
    // Panel members comment on the principles and only read proposals (the policy), so only the principles are open.
    expect(home).toEqual({
      principlesOpen: true,
      otherOpen: [],
      reactions: { total: 3, answered: 2 },
      coordinator: { name: expect.any(String), panel: 'Jongerenpanel' },
    })
    const coordinatorName = (await userRow(coordinatorId))!.name
    expect(home.coordinator!.name).toBe(coordinatorName)
  })

  it('has nothing open once the principles are locked, and no coordinator for a member who joined without a code', async () => {
    const member = await makeMember(db, { regionId, organisationId: panelId, role: 'panel_member', email: null })
    const principles = await createDocument(db, { regionId, kind: 'principles', title: 'Leidende principes', actorId: coordinatorId, now: T0 })
    await db.updateTable('documents').set({ status: 'locked' }).where('id', '=', principles).execute()
    const home = await panelHome(db, await loadActor(db, { id: member.userId, under_16: 0 }), regionId, T0)
    expect(home).toEqual({ principlesOpen: false, otherOpen: [], reactions: { total: 0, answered: 0 }, coordinator: null })
  })
})
