import { createHash } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Connection, DB } from '../../../db/connect'
import type { Role } from '../../../db/schema'
import { auditEntries, freshDb, makeMember, makeOrganisation, makeRegion, makeUser, T0 } from '../../../tests/support/db'
import { hashPassword } from '../../auth/password'
import { randomId } from '../../lib/ids'
import { DAY, MINUTE } from '../../lib/time'
import { acceptInvitation, issueInvitation, revokeInvitation } from './commands'
import { findInvitationByToken, listInvitations } from './queries'

const PASSWORD = 'lange-wachtwoordzin-42'
const later = (ms: number) => new Date(T0.getTime() + ms)

let conn: Connection
let db: DB
let regionId: string
let organisationId: string
let adminId: string

beforeEach(async () => {
  conn = await freshDb()
  db = conn.db
  regionId = await makeRegion(db)
  organisationId = await makeOrganisation(db, regionId, { name: 'Gemeente Velsen', kind: 'municipality' })
  adminId = (await makeMember(db, { regionId, organisationId, role: 'region_admin' })).userId
})
afterEach(() => conn.close())

const invite = async (email = 'nieuw@example.test', role: Role = 'civil_servant', now = T0) => {
  const issued = await issueInvitation(db, { regionId, organisationId, role, email, actorId: adminId, now })
  if (!issued.ok) throw new Error(`invitation refused: ${issued.reason}`)
  return issued
}

const usersWithEmail = (email: string) => db.selectFrom('users').selectAll().where('email', '=', email).execute()
const membershipsOf = (userId: string) =>
  db.selectFrom('memberships').selectAll().where('user_id', '=', userId).where('region_id', '=', regionId).execute()

describe('issuing', () => {
  it('gives an open invitation for the address, organisation and role', async () => {
    const { token, id } = await invite('Nieuw@Example.TEST', 'alderman')
    const found = await findInvitationByToken(db, token, later(MINUTE))
    expect(found.state).toBe('open')
    expect(found.hasAccount).toBe(false)
    expect(found.invitation).toMatchObject({
      id,
      email: 'nieuw@example.test',
      role: 'alderman',
      region_id: regionId,
      organisation_id: organisationId,
      organisation_name: 'Gemeente Velsen',
    })
  })

  it('never stores the token, only its SHA-256', async () => {
    const { token, id } = await invite()
    const row = await db.selectFrom('invitations').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    for (const value of Object.values(row)) expect(String(value)).not.toContain(token)
    expect(row.token_hash).toBe(createHash('sha256').update(token).digest('hex'))
    expect(JSON.stringify(await auditEntries(db))).not.toContain(token)
  })

  it('is audited', async () => {
    const { id } = await invite()
    expect((await auditEntries(db, regionId)).find((e) => e.action === 'invitation.issued')).toMatchObject({
      subject_id: id,
      actor_id: adminId,
    })
  })
})

describe('findInvitationByToken', () => {
  it('does not know a malformed or unknown token', async () => {
    const { token } = await invite()
    for (const bad of ['', 'abc', token.toUpperCase(), `${token}x`, randomId(20)]) {
      expect((await findInvitationByToken(db, bad, T0)).state, bad).toBe('unknown')
    }
  })

  it('gives the invitation page and the list of invitations the fields they show, the same invitation in both', async () => {
    const { token, id } = await invite()
    const found = await findInvitationByToken(db, token, later(MINUTE))
    expect(Object.keys(found.invitation ?? {}).sort()).toEqual(
      ['accepted_at', 'email', 'expires_at', 'id', 'organisation_id', 'organisation_name', 'region_id', 'region_name', 'region_slug', 'revoked_at', 'role'],
    )
    const listed = await listInvitations(db, regionId, later(MINUTE))
    expect(listed).toHaveLength(1)
    expect(Object.keys(listed[0]!).sort()).toEqual(['accepted_at', 'created_at', 'email', 'expires_at', 'id', 'organisation_name', 'revoked_at', 'role', 'status'])
    expect(listed[0]).toMatchObject({ id, status: 'open', organisation_name: found.invitation?.organisation_name })
  })

  it('is open until 7 days after issue, then expired', async () => {
    const { token } = await invite()
    expect((await findInvitationByToken(db, token, later(7 * DAY - MINUTE))).state).toBe('open')
    expect((await findInvitationByToken(db, token, later(7 * DAY))).state).toBe('expired')
    expect((await findInvitationByToken(db, token, later(8 * DAY))).state).toBe('expired')
  })
})

describe('accepting for a new address', () => {
  it('creates the account with an argon2id hash and the membership, and uses up the invitation', async () => {
    const { token } = await invite('nieuw@example.test', 'evaluator')
    const res = await acceptInvitation(db, { token, name: 'Nina Nieuw', password: PASSWORD, now: later(DAY) })
    expect(res.ok).toBe(true)
    if (!res.ok) return

    const [user, ...others] = await usersWithEmail('nieuw@example.test')
    expect(others).toHaveLength(0)
    expect(user).toMatchObject({ id: res.userId, name: 'Nina Nieuw', under_16: 0 })
    expect(user!.password_hash).toMatch(/^\$argon2id\$/)
    expect(user!.password_hash).not.toContain(PASSWORD)

    const memberships = await membershipsOf(res.userId)
    expect(memberships).toHaveLength(1)
    expect(memberships[0]).toMatchObject({ organisation_id: organisationId, role: 'evaluator' })

    expect((await findInvitationByToken(db, token, later(DAY))).state).toBe('used')
  })

  it('works only once', async () => {
    const { token } = await invite()
    expect((await acceptInvitation(db, { token, name: 'Eerste', password: PASSWORD, now: later(DAY) })).ok).toBe(true)
    expect(await acceptInvitation(db, { token, name: 'Tweede', password: PASSWORD, now: later(DAY) })).toEqual({
      ok: false,
      reason: 'not_open',
    })
    expect(await usersWithEmail('nieuw@example.test')).toHaveLength(1)
  })

  it('is refused once expired', async () => {
    const { token } = await invite()
    expect(await acceptInvitation(db, { token, name: 'Te laat', password: PASSWORD, now: later(7 * DAY + MINUTE) })).toEqual({
      ok: false,
      reason: 'not_open',
    })
    expect(await usersWithEmail('nieuw@example.test')).toHaveLength(0)
  })

  it('is audited', async () => {
    const { token, id } = await invite()
    const res = await acceptInvitation(db, { token, name: 'Nina', password: PASSWORD, now: later(DAY) })
    if (!res.ok) throw new Error(res.reason)
    const entries = await auditEntries(db, regionId)
    expect(entries.find((e) => e.action === 'invitation.accepted')).toMatchObject({ subject_id: id, actor_id: res.userId })
    expect(entries.find((e) => e.action === 'membership.added' && e.subject_id === res.userId)).toBeDefined()
    expect(JSON.stringify(entries)).not.toContain(PASSWORD)
  })
})

describe('revoking', () => {
  it('makes the invitation revoked and unusable', async () => {
    const { token, id } = await invite()
    expect(await revokeInvitation(db, { regionId, id, actorId: adminId, now: later(MINUTE) })).toEqual({ ok: true })
    expect((await findInvitationByToken(db, token, later(MINUTE))).state).toBe('revoked')
    expect(await acceptInvitation(db, { token, name: 'Nina', password: PASSWORD, now: later(MINUTE) })).toEqual({
      ok: false,
      reason: 'not_open',
    })
    expect((await auditEntries(db, regionId)).find((e) => e.action === 'invitation.revoked')).toMatchObject({
      subject_id: id,
    })
  })

  it('is scoped to the region', async () => {
    const { token, id } = await invite()
    const otherRegion = await makeRegion(db)
    expect(await revokeInvitation(db, { regionId: otherRegion, id, actorId: adminId, now: T0 })).toEqual({ ok: false, reason: 'not_found' })
    expect((await findInvitationByToken(db, token, T0)).state).toBe('open')
  })

  it('does not undo an accepted invitation', async () => {
    const { token, id } = await invite()
    await acceptInvitation(db, { token, name: 'Nina', password: PASSWORD, now: T0 })
    expect(await revokeInvitation(db, { regionId, id, actorId: adminId, now: later(MINUTE) })).toEqual({ ok: false, reason: 'not_found' })
    expect((await findInvitationByToken(db, token, later(MINUTE))).state).toBe('used')
  })
})

describe('accepting for an address that already has an account', () => {
  let existingId: string
  let existingHash: string

  beforeEach(async () => {
    existingHash = await hashPassword(PASSWORD)
    existingId = await makeUser(db, { email: 'bestaand@example.test', name: 'Bea Bestaand', passwordHash: existingHash })
  })

  it('knows the address has an account', async () => {
    const { token } = await invite('Bestaand@example.test')
    expect((await findInvitationByToken(db, token, T0)).hasAccount).toBe(true)
  })

  it('never accepts a password through the link: the account holder must be logged in', async () => {
    const { token } = await invite('bestaand@example.test')
    expect(await acceptInvitation(db, { token, name: 'Indringer', password: PASSWORD, now: T0 })).toEqual({
      ok: false,
      reason: 'account_exists',
    })
    expect(await membershipsOf(existingId)).toHaveLength(0)
    expect((await findInvitationByToken(db, token, T0)).state).toBe('open')
  })

  it('refuses someone logged in as another account and leaves the invitation open', async () => {
    const { token } = await invite('bestaand@example.test')
    const otherId = await makeUser(db, { email: 'ander@example.test', name: 'Ander', passwordHash: existingHash })
    expect(await acceptInvitation(db, { token, asUserId: otherId, now: T0 })).toEqual({ ok: false, reason: 'wrong_account' })
    expect(await membershipsOf(existingId)).toHaveLength(0)
    expect(await membershipsOf(otherId)).toHaveLength(0)
    expect((await findInvitationByToken(db, token, T0)).state).toBe('open')
  })

  it('adds the membership to the existing account when its holder accepts while logged in', async () => {
    const { token } = await invite('bestaand@example.test', 'evaluator')
    const res = await acceptInvitation(db, { token, asUserId: existingId, now: T0 })
    expect(res).toMatchObject({ ok: true, userId: existingId })

    const users = await usersWithEmail('bestaand@example.test')
    expect(users).toHaveLength(1)
    // the account itself is unchanged: same name, same password hash
    expect(users[0]).toMatchObject({ name: 'Bea Bestaand', password_hash: existingHash })
    const memberships = await membershipsOf(existingId)
    expect(memberships.map((m) => m.role)).toEqual(['evaluator'])
    expect((await findInvitationByToken(db, token, T0)).state).toBe('used')
  })
})

describe('refusals, with nothing written', () => {
  const issue = (input: { organisationId?: string; role: Role; email?: string; now?: Date }) =>
    issueInvitation(db, {
      regionId,
      organisationId: input.organisationId ?? organisationId,
      role: input.role,
      email: input.email ?? 'nieuw@example.test',
      actorId: adminId,
      now: input.now ?? T0,
    })
  const written = async () => ({ invitations: (await db.selectFrom('invitations').select('id').execute()).length, audit: (await auditEntries(db)).length })

  it('refuses a role that does not fit the organisation: no alderman for a care provider', async () => {
    const provider = await makeOrganisation(db, regionId, { name: 'Kompas Jeugd & Gezin', kind: 'provider' })
    const before = await written()
    expect(await issue({ organisationId: provider, role: 'alderman' })).toEqual({ ok: false, reason: 'role_does_not_fit' })
    expect(await issue({ organisationId: provider, role: 'evaluator' })).toEqual({ ok: false, reason: 'role_does_not_fit' })
    expect(await issue({ role: 'provider_member' })).toEqual({ ok: false, reason: 'role_does_not_fit' })
    expect(await written()).toEqual(before)
    expect((await issue({ organisationId: provider, role: 'provider_member' })).ok).toBe(true)
  })

  it('never invites a panel member by e-mail (they join with a code)', async () => {
    const panel = await makeOrganisation(db, regionId, { kind: 'panel' })
    expect(await issue({ organisationId: panel, role: 'panel_member' })).toEqual({ ok: false, reason: 'role_does_not_fit' })
  })

  it('refuses an organisation of another region', async () => {
    const elsewhere = await makeOrganisation(db, await makeRegion(db), { kind: 'municipality' })
    expect(await issue({ organisationId: elsewhere, role: 'civil_servant' })).toEqual({ ok: false, reason: 'organisation_not_found' })
  })

  it('refuses a second open invitation for the same address in the region, whatever its case', async () => {
    const first = await issue({ role: 'civil_servant' })
    expect(first.ok).toBe(true)
    const before = await written()
    const again = await issue({ role: 'alderman', email: ' Nieuw@Example.test ', now: later(DAY) })
    expect(again).toEqual({ ok: false, reason: 'already_invited', expiresAt: new Date(T0.getTime() + 7 * DAY).toISOString() })
    expect(await written()).toEqual(before)
  })

  it('invites the address again once the open invitation is revoked or has expired', async () => {
    const first = await issue({ role: 'civil_servant' })
    if (!first.ok) throw new Error('not issued')
    await revokeInvitation(db, { regionId, id: first.id, actorId: adminId, now: T0 })
    const second = await issue({ role: 'civil_servant' })
    expect(second.ok).toBe(true)
    expect((await issue({ role: 'civil_servant', now: later(8 * DAY) })).ok).toBe(true)
  })

  it('is not taken up when the organisation has since become a kind the role does not fit', async () => {
    const { token } = await invite('nieuw@example.test', 'alderman')
    await db.updateTable('organisations').set({ kind: 'provider' }).where('id', '=', organisationId).execute()
    expect(await acceptInvitation(db, { token, name: 'Nieuw', password: PASSWORD, now: T0 })).toEqual({ ok: false, reason: 'not_open' })
    expect(await usersWithEmail('nieuw@example.test')).toHaveLength(0)
  })
})
