import { beforeEach, describe, expect, it } from 'vitest'
import { auditEntries, eachRegionSetting, makeMember, makeOrganisation, makeRegion, makeUser, T0 } from '../../../tests/support/db'
import {
  addMembership,
  changeRole,
  createMunicipality,
  createOrganisation,
  removeMembership,
  RoleDoesNotFitError,
  updateMunicipality,
  updateOrganisation,
  updateRegionSettings,
} from './commands'
import { loadActor } from '../../auth/actor'
import { createDocument } from '../documents/commands'

// The region's administrator works in 'Gemeente Haarlem' (s.staffOrgId); a second region stands beside it.
const s = eachRegionSetting({ staffRole: 'region_admin', regionName: 'Zuid-Kennemerland en IJmond' })
let otherRegionId: string
beforeEach(async () => {
  otherRegionId = await makeRegion(s.db, { name: 'Holland Rijnland' })
})

const now = T0
const municipalityResult = (name: string, region = s.regionId, subregion = '') =>
  createMunicipality(s.db, { regionId: region, name, subregion, actorId: s.staffId, now })
const organisationResult = (name: string, region = s.regionId) =>
  createOrganisation(s.db, { regionId: region, name, kind: 'provider', actorId: s.staffId, now })
const idOf = async (created: ReturnType<typeof municipalityResult>) => {
  const r = await created
  if (!r.ok) throw new Error(r.reason)
  return r.id
}
const municipality = (...args: Parameters<typeof municipalityResult>) => idOf(municipalityResult(...args))
const organisation = (...args: Parameters<typeof organisationResult>) => idOf(organisationResult(...args))
const duplicate = { ok: false, reason: 'duplicate_name' }
const lastAdmin = { ok: false, reason: 'last_admin' }
const notFound = { ok: false, reason: 'not_found' }
const membership = (id: string) => s.db.selectFrom('memberships').selectAll().where('id', '=', id).executeTakeFirst()
const entries = (action: string) => auditEntries(s.db).then((all) => all.filter((e) => e.action === action))

describe('municipalities', () => {
  it('refuses a second municipality with the same name in the region', async () => {
    await municipality('Velsen')
    expect(await municipalityResult('Velsen')).toEqual(duplicate)
    expect(await s.db.selectFrom('municipalities').select('id').where('name', '=', 'Velsen').execute()).toHaveLength(1)
  })

  it('allows the same name in another region', async () => {
    await municipality('Velsen')
    expect(await municipalityResult('Velsen', otherRegionId)).toEqual({ ok: true, id: expect.any(String) })
  })

  it('refuses renaming to the name of another municipality, but not keeping its own', async () => {
    await municipality('Velsen')
    const id = await municipality('Beverwijk')
    expect(await updateMunicipality(s.db, { regionId: s.regionId, id, name: 'Velsen', subregion: '', actorId: s.staffId, now })).toEqual(duplicate)
    expect(await updateMunicipality(s.db, { regionId: s.regionId, id, name: 'Beverwijk', subregion: 'IJmond', actorId: s.staffId, now })).toEqual({ ok: true, id })
    const row = await s.db.selectFrom('municipalities').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ name: 'Beverwijk', subregion: 'IJmond' })
  })

  it('does not update a municipality of another region', async () => {
    const foreign = await municipality('Leiden', otherRegionId)
    expect(await updateMunicipality(s.db, { regionId: s.regionId, id: foreign, name: 'Gekaapt', subregion: '', actorId: s.staffId, now })).toEqual(notFound)
    const row = await s.db.selectFrom('municipalities').selectAll().where('id', '=', foreign).executeTakeFirstOrThrow()
    expect(row.name).toBe('Leiden')
    expect(await entries('municipality.updated')).toHaveLength(0)
  })

  it('audits creation and update with the region and actor', async () => {
    const id = await municipality('Heemstede', s.regionId, 'Zuid-Kennemerland')
    await updateMunicipality(s.db, { regionId: s.regionId, id, name: 'Heemstede', subregion: 'ZK', actorId: s.staffId, now })
    const [created] = await entries('municipality.created')
    const [updated] = await entries('municipality.updated')
    expect(created).toMatchObject({ subject_id: id, region_id: s.regionId, actor_id: s.staffId })
    expect(JSON.parse(created!.data)).toMatchObject({ name: 'Heemstede', subregion: 'Zuid-Kennemerland' })
    expect(updated).toMatchObject({ subject_id: id, region_id: s.regionId, actor_id: s.staffId })
    expect(JSON.parse(updated!.data)).toMatchObject({ subregion: 'ZK' })
  })

  it('writes no audit entry for a refused duplicate', async () => {
    await municipality('Velsen')
    const before = (await auditEntries(s.db)).length
    expect(await municipalityResult('Velsen')).toEqual(duplicate)
    expect(await auditEntries(s.db)).toHaveLength(before)
  })
})

describe('organisations', () => {
  it('refuses a duplicate name in the region and allows it elsewhere', async () => {
    await organisation('Kenter Jeugdhulp')
    expect(await organisationResult('Kenter Jeugdhulp')).toEqual(duplicate)
    expect(await organisationResult('Kenter Jeugdhulp', otherRegionId)).toEqual({ ok: true, id: expect.any(String) })
  })

  it('refuses renaming to the name of another organisation', async () => {
    await organisation('Kenter Jeugdhulp')
    const id = await organisation('Parlan')
    expect(await updateOrganisation(s.db, { regionId: s.regionId, id, name: 'Kenter Jeugdhulp', kind: 'provider', actorId: s.staffId, now })).toEqual(duplicate)
  })

  it('updates within the region and audits it', async () => {
    const id = await organisation('Parlan')
    expect(await updateOrganisation(s.db, { regionId: s.regionId, id, name: 'Parlan Jeugdhulp', kind: 'other', actorId: s.staffId, now })).toEqual({ ok: true, id })
    const row = await s.db.selectFrom('organisations').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ name: 'Parlan Jeugdhulp', kind: 'other' })
    const [updated] = await entries('organisation.updated')
    expect(updated).toMatchObject({ subject_id: id, region_id: s.regionId, actor_id: s.staffId })
    expect((await entries('organisation.created')).map((e) => e.subject_id)).toContain(id)
  })

  it('does not update an organisation of another region', async () => {
    const foreign = await organisation('Cardea', otherRegionId)
    expect(await updateOrganisation(s.db, { regionId: s.regionId, id: foreign, name: 'Gekaapt', kind: 'other', actorId: s.staffId, now })).toEqual(notFound)
    const row = await s.db.selectFrom('organisations').selectAll().where('id', '=', foreign).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ name: 'Cardea', kind: 'provider' })
  })
})

describe('memberships', () => {
  it('adds a membership once and audits it once', async () => {
    const userId = await makeUser(s.db)
    const input = { userId, regionId: s.regionId, organisationId: s.staffOrgId, role: 'alderman' as const, actorId: s.staffId, now }
    const first = await addMembership(s.db, input)
    const before = (await auditEntries(s.db)).length
    expect(await addMembership(s.db, input)).toBe(first)
    expect(await auditEntries(s.db)).toHaveLength(before)
    expect((await entries('membership.added')).filter((e) => e.subject_id === userId)).toHaveLength(1)
  })

  it('changes a role and audits the change', async () => {
    const { userId, membershipId } = await makeMember(s.db, { regionId: s.regionId, organisationId: s.staffOrgId, role: 'civil_servant' })
    expect(await changeRole(s.db, { regionId: s.regionId, membershipId, role: 'alderman', actorId: s.staffId, now })).toMatchObject({ ok: true })
    expect((await membership(membershipId))!.role).toBe('alderman')
    const [changed] = await entries('membership.role_changed')
    expect(changed).toMatchObject({ subject_id: userId, region_id: s.regionId, actor_id: s.staffId })
    expect(JSON.parse(changed!.data)).toMatchObject({ from: 'civil_servant', to: 'alderman' })
  })

  it('merges into an existing membership when the person already holds the new role there', async () => {
    const userId = await makeUser(s.db)
    const base = { userId, regionId: s.regionId, organisationId: s.staffOrgId, actorId: s.staffId, now }
    const servant = await addMembership(s.db, { ...base, role: 'civil_servant' })
    const alderman = await addMembership(s.db, { ...base, role: 'alderman' })
    expect(await changeRole(s.db, { regionId: s.regionId, membershipId: servant, role: 'alderman', actorId: s.staffId, now })).toMatchObject({ ok: true })
    const left = await s.db.selectFrom('memberships').selectAll().where('user_id', '=', userId).execute()
    expect(left.map((m) => m.id)).toEqual([alderman])
  })

  it('removes a membership and audits it', async () => {
    const { userId, membershipId } = await makeMember(s.db, { regionId: s.regionId, organisationId: s.staffOrgId, role: 'evaluator' })
    expect(await removeMembership(s.db, { regionId: s.regionId, membershipId, actorId: s.staffId, now })).toMatchObject({ ok: true })
    expect(await membership(membershipId)).toBeUndefined()
    const [removed] = await entries('membership.removed')
    expect(removed).toMatchObject({ subject_id: userId, region_id: s.regionId, actor_id: s.staffId })
    expect(JSON.parse(removed!.data)).toMatchObject({ role: 'evaluator' })
  })

  it('does not touch a membership of another region', async () => {
    const foreignOrg = await makeOrganisation(s.db, otherRegionId)
    const { membershipId } = await makeMember(s.db, { regionId: otherRegionId, organisationId: foreignOrg, role: 'evaluator' })
    expect(await changeRole(s.db, { regionId: s.regionId, membershipId, role: 'region_admin', actorId: s.staffId, now })).toEqual(notFound)
    expect(await removeMembership(s.db, { regionId: s.regionId, membershipId, actorId: s.staffId, now })).toEqual(notFound)
    expect((await membership(membershipId))!.role).toBe('evaluator')
  })
})

describe('memberships and the collaboration server', () => {
  it('tells it whose access changed after a change or removal, and nothing after a refusal', async () => {
    const told: Array<{ userId?: string }> = []
    const notices = { accessChanged: (n: { userId?: string }) => void told.push(n) }
    const { userId, membershipId } = await makeMember(s.db, { regionId: s.regionId, organisationId: s.staffOrgId, role: 'civil_servant' })
    expect(await changeRole(s.db, { regionId: s.regionId, membershipId, role: 'alderman', actorId: s.staffId, now }, notices)).toEqual({ ok: true, userId })
    expect(await changeRole(s.db, { regionId: s.regionId, membershipId, role: 'provider_member', actorId: s.staffId, now }, notices)).toMatchObject({ ok: false })
    expect(await changeRole(s.db, { regionId: s.regionId, membershipId, role: 'alderman', actorId: s.staffId, now }, notices)).toEqual({ ok: true, userId })
    expect(await removeMembership(s.db, { regionId: s.regionId, membershipId, actorId: s.staffId, now }, notices)).toEqual({ ok: true, userId })
    expect(await removeMembership(s.db, { regionId: s.regionId, membershipId, actorId: s.staffId, now }, notices)).toEqual(notFound)
    expect(told).toEqual([{ userId }, { userId }])
  })
})

describe('roles that fit the organisation', () => {
  it('adds no alderman to a care provider, and writes nothing', async () => {
    const provider = await organisation('Kompas Jeugd & Gezin')
    const userId = await makeUser(s.db)
    const before = (await auditEntries(s.db)).length
    await expect(addMembership(s.db, { userId, regionId: s.regionId, organisationId: provider, role: 'alderman', actorId: s.staffId, now })).rejects.toBeInstanceOf(
      RoleDoesNotFitError,
    )
    expect(await s.db.selectFrom('memberships').select('id').where('user_id', '=', userId).execute()).toHaveLength(0)
    expect(await auditEntries(s.db)).toHaveLength(before)
    expect(await addMembership(s.db, { userId, regionId: s.regionId, organisationId: provider, role: 'provider_member', actorId: s.staffId, now })).toBeTruthy()
  })

  it('adds no membership for an organisation of another region', async () => {
    const foreign = await organisation('Cardea', otherRegionId)
    const userId = await makeUser(s.db)
    await expect(addMembership(s.db, { userId, regionId: s.regionId, organisationId: foreign, role: 'provider_member', actorId: s.staffId, now })).rejects.toBeInstanceOf(
      RoleDoesNotFitError,
    )
  })

  it('changes no role into one that does not fit, and writes nothing', async () => {
    const provider = await organisation('Kompas Jeugd & Gezin')
    const { membershipId } = await makeMember(s.db, { regionId: s.regionId, organisationId: provider, role: 'provider_member' })
    const before = (await auditEntries(s.db)).length
    expect(await changeRole(s.db, { regionId: s.regionId, membershipId, role: 'alderman', actorId: s.staffId, now })).toEqual({ ok: false, reason: 'role_does_not_fit' })
    expect((await membership(membershipId))!.role).toBe('provider_member')
    expect(await auditEntries(s.db)).toHaveLength(before)
  })
})

describe('the last region administrator', () => {
  let adminMembership: string

  beforeEach(async () => {
    adminMembership = (await s.db
      .selectFrom('memberships')
      .select('id')
      .where('user_id', '=', s.staffId)
      .executeTakeFirstOrThrow()).id
  })

  it('cannot be given another role', async () => {
    const before = (await auditEntries(s.db)).length
    expect(await changeRole(s.db, { regionId: s.regionId, membershipId: adminMembership, role: 'civil_servant', actorId: s.staffId, now })).toEqual(lastAdmin)
    expect((await membership(adminMembership))!.role).toBe('region_admin')
    expect(await auditEntries(s.db)).toHaveLength(before)
  })

  it('cannot be removed', async () => {
    expect(await removeMembership(s.db, { regionId: s.regionId, membershipId: adminMembership, actorId: s.staffId, now })).toEqual(lastAdmin)
    expect(await membership(adminMembership)).toBeDefined()
  })

  it('counts per region: an administrator elsewhere does not help', async () => {
    const foreignOrg = await makeOrganisation(s.db, otherRegionId)
    await makeMember(s.db, { regionId: otherRegionId, organisationId: foreignOrg, role: 'region_admin' })
    expect(await removeMembership(s.db, { regionId: s.regionId, membershipId: adminMembership, actorId: s.staffId, now })).toEqual(lastAdmin)
  })

  it('can step down once there is another administrator', async () => {
    const second = await makeMember(s.db, { regionId: s.regionId, organisationId: s.staffOrgId, role: 'region_admin' })
    expect(await changeRole(s.db, { regionId: s.regionId, membershipId: adminMembership, role: 'civil_servant', actorId: s.staffId, now })).toMatchObject({ ok: true })
    // now the second one is the last
    expect(await removeMembership(s.db, { regionId: s.regionId, membershipId: second.membershipId, actorId: s.staffId, now })).toEqual(lastAdmin)
  })

  it('may keep the role while other memberships change', async () => {
    const { membershipId } = await makeMember(s.db, { regionId: s.regionId, organisationId: s.staffOrgId, role: 'alderman' })
    expect(await removeMembership(s.db, { regionId: s.regionId, membershipId, actorId: s.staffId, now })).toMatchObject({ ok: true })
  })
})

describe("an organisation's kind", () => {
  it('does not change when a current member holds a role that would not fit the new kind, and nothing is written', async () => {
    const provider = await organisation('Kompas Jeugd & Gezin')
    await makeMember(s.db, { regionId: s.regionId, organisationId: provider, role: 'provider_member' })
    const before = (await auditEntries(s.db)).length
    expect(await updateOrganisation(s.db, { regionId: s.regionId, id: provider, name: 'Kompas', kind: 'municipality', actorId: s.staffId, now })).toEqual({
      ok: false,
      reason: 'members_do_not_fit',
    })
    const row = await s.db.selectFrom('organisations').selectAll().where('id', '=', provider).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ name: 'Kompas Jeugd & Gezin', kind: 'provider' })
    expect(await auditEntries(s.db)).toHaveLength(before)
  })

  it('changes when every member still fits: a municipality with a civil servant may become "other"', async () => {
    const bureau = await makeOrganisation(s.db, s.regionId, { name: 'Inkoopbureau', kind: 'municipality' })
    await makeMember(s.db, { regionId: s.regionId, organisationId: bureau, role: 'civil_servant' })
    expect(await updateOrganisation(s.db, { regionId: s.regionId, id: bureau, name: 'Inkoopbureau', kind: 'other', actorId: s.staffId, now })).toEqual({ ok: true, id: bureau })
    // ... but not to "other" while an alderman sits there
    const gemeente = await makeOrganisation(s.db, s.regionId, { name: 'Gemeente Velsen', kind: 'municipality' })
    await makeMember(s.db, { regionId: s.regionId, organisationId: gemeente, role: 'alderman' })
    expect(await updateOrganisation(s.db, { regionId: s.regionId, id: gemeente, name: 'Gemeente Velsen', kind: 'other', actorId: s.staffId, now })).toMatchObject({
      reason: 'members_do_not_fit',
    })
  })

  it('changes freely while the organisation has no members', async () => {
    const empty = await organisation('Nog leeg')
    expect(await updateOrganisation(s.db, { regionId: s.regionId, id: empty, name: 'Nog leeg', kind: 'panel', actorId: s.staffId, now })).toEqual({ ok: true, id: empty })
  })

  it('no longer holds the kind back once the member is removed', async () => {
    const provider = await organisation('Parlan')
    const userId = await makeUser(s.db)
    await addMembership(s.db, { userId, regionId: s.regionId, organisationId: provider, role: 'provider_member', actorId: s.staffId, now })
    await s.db.deleteFrom('memberships').where('user_id', '=', userId).execute()
    expect(await updateOrganisation(s.db, { regionId: s.regionId, id: provider, name: 'Parlan', kind: 'other', actorId: s.staffId, now })).toMatchObject({ ok: true })
  })
})

describe('region settings', () => {
  const admin = () => loadActor(s.db, { id: s.staffId, under_16: 0 })

  it('writes, audits, and tells the collaboration server about each document of the region', async () => {
    const told: Array<{ docId?: string; userId?: string }> = []
    const notices = { accessChanged: (n: { docId?: string; userId?: string }) => void told.push(n) }
    const doc = await createDocument(s.db, { regionId: s.regionId, kind: 'principles', title: 'Leidende principes', actorId: s.staffId, now })
    const result = await updateRegionSettings(s.db, notices, { actor: await admin(), regionId: s.regionId, providersMayDraft: true, now })
    expect(result).toEqual({ ok: true, changed: true })
    expect((await s.db.selectFrom('regions').select('providers_may_draft').where('id', '=', s.regionId).executeTakeFirstOrThrow()).providers_may_draft).toBe(1)
    expect(told).toEqual([{ docId: doc }])
    const [entry] = await entries('region.settings_changed')
    expect(entry).toMatchObject({ subject_id: s.regionId, region_id: s.regionId, actor_id: s.staffId })
    expect(JSON.parse(entry!.data)).toEqual({ providersMayDraft: true })
  })

  it('refuses someone who may not administer the region, writing and telling nothing', async () => {
    const told: unknown[] = []
    const servant = await makeMember(s.db, { regionId: s.regionId, organisationId: s.staffOrgId, role: 'civil_servant' })
    const actor = await loadActor(s.db, { id: servant.userId, under_16: 0 })
    const result = await updateRegionSettings(s.db, { accessChanged: (n) => void told.push(n) }, { actor, regionId: s.regionId, providersMayDraft: true, now })
    expect(result).toEqual({ ok: false, reason: 'forbidden' })
    // An administrator of another region neither.
    const elsewhere = await updateRegionSettings(s.db, { accessChanged: (n) => void told.push(n) }, { actor: await admin(), regionId: otherRegionId, providersMayDraft: true, now })
    expect(elsewhere).toEqual({ ok: false, reason: 'forbidden' })
    expect(told).toEqual([])
    expect(await entries('region.settings_changed')).toHaveLength(0)
  })
})
