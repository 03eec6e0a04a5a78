import { inTransaction, type DB } from '../../../db/connect'
import type { OrganisationKind, Role } from '../../../db/schema'
import { randomId } from '../../lib/ids'
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

async function assertUniqueName(
  db: DB,
  table: 'municipalities' | 'organisations',
  regionId: string,
  name: string,
  exceptId?: string,
) {
  let q = db.selectFrom(table).select('id').where('region_id', '=', regionId).where('name', '=', name)
  if (exceptId) q = q.where('id', '!=', exceptId)
  if (await q.executeTakeFirst()) throw new DuplicateNameError(name)
}

export async function createMunicipality(
  db: DB,
  input: { regionId: string; name: string; subregion: string; actorId: string | null; now: Date },
) {
  return inTransaction(db, async (trx) => {
    await assertUniqueName(trx, 'municipalities', input.regionId, input.name)
    const id = randomId()
    await trx
      .insertInto('municipalities')
      .values({ id, region_id: input.regionId, name: input.name, subregion: input.subregion, created_at: iso(input.now) })
      .execute()
    await recordAudit(trx, {
      action: 'municipality.created',
      subjectType: 'municipality',
      subjectId: id,
      regionId: input.regionId,
      actorId: input.actorId,
      data: { name: input.name, subregion: input.subregion },
      at: input.now,
    })
    return id
  })
}

/** Returns false when the municipality is not in this region. */
export async function updateMunicipality(
  db: DB,
  input: { regionId: string; id: string; name: string; subregion: string; actorId: string; now: Date },
) {
  return inTransaction(db, async (trx) => {
    await assertUniqueName(trx, 'municipalities', input.regionId, input.name, input.id)
    const res = await trx
      .updateTable('municipalities')
      .set({ name: input.name, subregion: input.subregion })
      .where('id', '=', input.id)
      .where('region_id', '=', input.regionId)
      .executeTakeFirst()
    if (Number(res.numUpdatedRows) === 0) return false
    await recordAudit(trx, {
      action: 'municipality.updated',
      subjectType: 'municipality',
      subjectId: input.id,
      regionId: input.regionId,
      actorId: input.actorId,
      data: { name: input.name, subregion: input.subregion },
      at: input.now,
    })
    return true
  })
}

export async function createOrganisation(
  db: DB,
  input: { regionId: string; name: string; kind: OrganisationKind; actorId: string | null; now: Date },
) {
  return inTransaction(db, async (trx) => {
    await assertUniqueName(trx, 'organisations', input.regionId, input.name)
    const id = randomId()
    await trx
      .insertInto('organisations')
      .values({ id, region_id: input.regionId, name: input.name, kind: input.kind, created_at: iso(input.now) })
      .execute()
    await recordAudit(trx, {
      action: 'organisation.created',
      subjectType: 'organisation',
      subjectId: id,
      regionId: input.regionId,
      actorId: input.actorId,
      data: { name: input.name, kind: input.kind },
      at: input.now,
    })
    return id
  })
}

export async function updateOrganisation(
  db: DB,
  input: { regionId: string; id: string; name: string; kind: OrganisationKind; actorId: string; now: Date },
) {
  return inTransaction(db, async (trx) => {
    await assertUniqueName(trx, 'organisations', input.regionId, input.name, input.id)
    const res = await trx
      .updateTable('organisations')
      .set({ name: input.name, kind: input.kind })
      .where('id', '=', input.id)
      .where('region_id', '=', input.regionId)
      .executeTakeFirst()
    if (Number(res.numUpdatedRows) === 0) return false
    await recordAudit(trx, {
      action: 'organisation.updated',
      subjectType: 'organisation',
      subjectId: input.id,
      regionId: input.regionId,
      actorId: input.actorId,
      data: { name: input.name, kind: input.kind },
      at: input.now,
    })
    return true
  })
}

/** Adds a membership (user, organisation, role) in a region; a no-op when it exists. */
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

/** Changes the role of one membership in this region; returns false when there is no such membership. */
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
