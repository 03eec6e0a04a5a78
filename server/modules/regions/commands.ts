import type { Kysely } from 'kysely'
import { inTransaction, type DB } from '../../../db/connect'
import type { OrganisationKind, Role } from '../../../db/schema'
import { randomId } from '../../lib/ids'
import { roleFitsOrganisation } from '../../policy/memberships'
import { iso } from '../../lib/time'
import { recordAudit } from '../audit/audit'

/**
 * Commands on a region's structure. Each takes the database (or a transaction) first, validates
 * nothing itself (the route's zod schema and guard did), and writes its audit entry in the same
 * transaction as the change. The seed and the tests build data with the same functions.
 */

export async function createRegion(db: DB, input: { slug: string; name: string; description?: string; now: Date }) {
  const id = randomId()
  await db
    .insertInto('regions')
    .values({ id, slug: input.slug, name: input.name, description: input.description ?? '', created_at: iso(input.now) })
    .execute()
  return id
}

export class DuplicateNameError extends Error {}
/** The role does not fit the organisation's kind (server/policy/memberships.ts), or the organisation is not in the region. */
export class RoleDoesNotFitError extends Error {}

/** A role is only held for an organisation of the region where it fits; nothing is written otherwise. */
async function assertRoleFits(db: DB, regionId: string, organisationId: string, role: Role) {
  const org = await db
    .selectFrom('organisations')
    .select('kind')
    .where('id', '=', organisationId)
    .where('region_id', '=', regionId)
    .executeTakeFirst()
  if (!org || !roleFitsOrganisation(role, org.kind)) throw new RoleDoesNotFitError(`${role} does not fit this organisation`)
}
/** A region always keeps at least one administrator. */
export class LastAdminError extends Error {}

async function assertNotLastAdmin(db: DB, regionId: string, role: Role) {
  if (role !== 'region_admin') return
  const { n } = await db
    .selectFrom('memberships')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('region_id', '=', regionId)
    .where('role', '=', 'region_admin')
    .executeTakeFirstOrThrow()
  if (Number(n) <= 1) throw new LastAdminError()
}

/**
 * Municipalities and organisations are both named things of a region whose name is unique there;
 * one pair of commands creates and updates either, with its audit entry.
 */
type Named = {
  municipalities: { subject: 'municipality'; fields: { subregion: string } }
  organisations: { subject: 'organisation'; fields: { kind: OrganisationKind } }
}
export type NamedTable = keyof Named
const subjectOf: { [T in NamedTable]: Named[T]['subject'] } = { municipalities: 'municipality', organisations: 'organisation' }

// kysely cannot type a write to "one of two tables"; the input types above keep the columns right.
const loose = (db: DB) => db as unknown as Kysely<any>

async function assertUniqueName(db: DB, table: NamedTable, regionId: string, name: string, exceptId?: string) {
  let q = db.selectFrom(table).select('id').where('region_id', '=', regionId).where('name', '=', name)
  if (exceptId) q = q.where('id', '!=', exceptId)
  if (await q.executeTakeFirst()) throw new DuplicateNameError(name)
}

async function createNamed<T extends NamedTable>(
  db: DB,
  table: T,
  input: { regionId: string; name: string; actorId: string | null; now: Date } & Named[T]['fields'],
): Promise<string> {
  const { regionId, name, actorId, now, ...fields } = input
  return inTransaction(db, async (trx) => {
    await assertUniqueName(trx, table, regionId, name)
    const id = randomId()
    await loose(trx).insertInto(table).values({ id, region_id: regionId, name, created_at: iso(now), ...fields }).execute()
    await recordAudit(trx, {
      action: `${subjectOf[table]}.created`,
      subjectType: subjectOf[table],
      subjectId: id,
      regionId,
      actorId,
      data: { name, ...fields },
      at: now,
    })
    return id
  })
}

/** Returns false when there is no such id in this region. */
async function updateNamed<T extends NamedTable>(
  db: DB,
  table: T,
  input: { regionId: string; id: string; name: string; actorId: string; now: Date } & Named[T]['fields'],
): Promise<boolean> {
  const { regionId, id, name, actorId, now, ...fields } = input
  return inTransaction(db, async (trx) => {
    await assertUniqueName(trx, table, regionId, name, id)
    const res = await loose(trx)
      .updateTable(table as string)
      .set({ name, ...(fields as Record<string, string>) })
      .where('id', '=', id)
      .where('region_id', '=', regionId)
      .executeTakeFirst()
    if (Number(res.numUpdatedRows) === 0) return false
    await recordAudit(trx, {
      action: `${subjectOf[table]}.updated`,
      subjectType: subjectOf[table],
      subjectId: id,
      regionId,
      actorId,
      data: { name, ...fields },
      at: now,
    })
    return true
  })
}

/** Creates (no id) or updates (id) either kind of named thing: 'not_found' when the id is not in the region. */
export async function saveNamed<T extends NamedTable>(
  db: DB,
  table: T,
  input: { id?: string; regionId: string; name: string; actorId: string; now: Date } & Named[T]['fields'],
): Promise<'created' | 'updated' | 'not_found'> {
  const { id, ...rest } = input
  if (!id) {
    await createNamed(db, table, rest as Parameters<typeof createNamed<T>>[2])
    return 'created'
  }
  return (await updateNamed(db, table, { ...rest, id } as Parameters<typeof updateNamed<T>>[2])) ? 'updated' : 'not_found'
}

export const createMunicipality = (db: DB, input: Parameters<typeof createNamed<'municipalities'>>[2]) =>
  createNamed(db, 'municipalities', input)
export const updateMunicipality = (db: DB, input: Parameters<typeof updateNamed<'municipalities'>>[2]) =>
  updateNamed(db, 'municipalities', input)
export const createOrganisation = (db: DB, input: Parameters<typeof createNamed<'organisations'>>[2]) =>
  createNamed(db, 'organisations', input)
export const updateOrganisation = (db: DB, input: Parameters<typeof updateNamed<'organisations'>>[2]) =>
  updateNamed(db, 'organisations', input)

/**
 * Adds a membership (user, organisation, role) in a region; a no-op when it exists. Throws
 * RoleDoesNotFitError when the role does not fit the organisation: callers check first.
 */
export async function addMembership(
  db: DB,
  input: { userId: string; regionId: string; organisationId: string; role: Role; actorId: string | null; now: Date; via?: string },
) {
  return inTransaction(db, async (trx) => {
    const existing = await trx
      .selectFrom('memberships')
      .select('id')
      .where('user_id', '=', input.userId)
      .where('region_id', '=', input.regionId)
      .where('organisation_id', '=', input.organisationId)
      .where('role', '=', input.role)
      .executeTakeFirst()
    if (existing) return existing.id
    await assertRoleFits(trx, input.regionId, input.organisationId, input.role)
    const id = randomId()
    await trx
      .insertInto('memberships')
      .values({
        id,
        user_id: input.userId,
        region_id: input.regionId,
        organisation_id: input.organisationId,
        role: input.role,
        created_at: iso(input.now),
      })
      .execute()
    await recordAudit(trx, {
      action: 'membership.added',
      subjectType: 'user',
      subjectId: input.userId,
      regionId: input.regionId,
      actorId: input.actorId,
      data: { organisationId: input.organisationId, role: input.role, ...(input.via ? { via: input.via } : {}) },
      at: input.now,
    })
    return id
  })
}

/**
 * Changes the role of one membership in this region; returns false when there is no such membership.
 * Throws LastAdminError for the region's last administrator and RoleDoesNotFitError when the new
 * role does not fit the membership's organisation; either way nothing is written.
 */
export async function changeRole(
  db: DB,
  input: { regionId: string; membershipId: string; role: Role; actorId: string; now: Date },
) {
  return inTransaction(db, async (trx) => {
    const m = await trx
      .selectFrom('memberships')
      .select(['id', 'user_id', 'role', 'organisation_id'])
      .where('id', '=', input.membershipId)
      .where('region_id', '=', input.regionId)
      .executeTakeFirst()
    if (!m) return false
    if (m.role === input.role) return true
    await assertRoleFits(trx, input.regionId, m.organisation_id, input.role)
    await assertNotLastAdmin(trx, input.regionId, m.role)
    const clash = await trx
      .selectFrom('memberships')
      .select('id')
      .where('user_id', '=', m.user_id)
      .where('region_id', '=', input.regionId)
      .where('organisation_id', '=', m.organisation_id)
      .where('role', '=', input.role)
      .executeTakeFirst()
    if (clash) await trx.deleteFrom('memberships').where('id', '=', m.id).execute()
    else await trx.updateTable('memberships').set({ role: input.role }).where('id', '=', m.id).execute()
    await recordAudit(trx, {
      action: 'membership.role_changed',
      subjectType: 'user',
      subjectId: m.user_id,
      regionId: input.regionId,
      actorId: input.actorId,
      data: { organisationId: m.organisation_id, from: m.role, to: input.role },
      at: input.now,
    })
    return true
  })
}

export async function removeMembership(
  db: DB,
  input: { regionId: string; membershipId: string; actorId: string; now: Date },
) {
  return inTransaction(db, async (trx) => {
    const m = await trx
      .selectFrom('memberships')
      .select(['id', 'user_id', 'role', 'organisation_id'])
      .where('id', '=', input.membershipId)
      .where('region_id', '=', input.regionId)
      .executeTakeFirst()
    if (!m) return false
    await assertNotLastAdmin(trx, input.regionId, m.role)
    await trx.deleteFrom('memberships').where('id', '=', m.id).execute()
    await recordAudit(trx, {
      action: 'membership.removed',
      subjectType: 'user',
      subjectId: m.user_id,
      regionId: input.regionId,
      actorId: input.actorId,
      data: { organisationId: m.organisation_id, role: m.role },
      at: input.now,
    })
    return true
  })
}

/** Whether providers may co-draft the region's leading principles (they comment otherwise). */
export async function setProvidersMayDraft(db: DB, input: { regionId: string; value: boolean; actorId: string; now: Date }) {
  await inTransaction(db, async (trx) => {
    await trx.updateTable('regions').set({ providers_may_draft: input.value ? 1 : 0 }).where('id', '=', input.regionId).execute()
    await recordAudit(trx, {
      action: 'region.settings_changed',
      subjectType: 'region',
      subjectId: input.regionId,
      regionId: input.regionId,
      actorId: input.actorId,
      data: { providersMayDraft: input.value },
      at: input.now,
    })
  })
}
