import { rowOfRegion } from '../../lib/region-rows'
import type { DB } from '../../../db/connect'
import { organisationKinds, type Role } from '../../../db/schema'
import { rolesOffered } from '../../policy/memberships'

export function findRegionBySlug(db: DB, slug: string) {
  return db.selectFrom('regions').select(['id', 'slug', 'name', 'description']).where('slug', '=', slug).executeTakeFirst()
}

/** The regions a user has a membership in, for the region switcher and the start page. */
export function listRegionsOf(db: DB, regionIds: string[]) {
  if (regionIds.length === 0) return Promise.resolve([])
  return db
    .selectFrom('regions')
    .select(['id', 'slug', 'name'])
    .where('id', 'in', regionIds)
    .orderBy('name')
    .execute()
}

export function listMunicipalities(db: DB, regionId: string) {
  return db
    .selectFrom('municipalities')
    .select(['id', 'name', 'subregion'])
    .where('region_id', '=', regionId)
    .orderBy('subregion')
    .orderBy('name')
    .execute()
}

export function listOrganisations(db: DB, regionId: string) {
  return db
    .selectFrom('organisations')
    .select(['id', 'name', 'kind'])
    .where('region_id', '=', regionId)
    .orderBy('kind')
    .orderBy('name')
    .execute()
}

export function findOrganisation(db: DB, regionId: string, organisationId: string) {
  return rowOfRegion(db, 'organisations', regionId, organisationId).select(['id', 'name', 'kind', 'region_id']).executeTakeFirst()
}

/**
 * Members of a region with their roles, for the administrator's list. Each row offers only the
 * roles that fit its organisation (server/policy/memberships.ts), and keeps a role from before the
 * rule so that the select shows what the person holds.
 */
export async function listMembers(db: DB, regionId: string) {
  const rows = await regionPeople(db, regionId)
  return rows.map((m) => ({ ...m, roles: rolesOffered(m.role, m.organisation_kind) }))
}

/**
 * The people of a region, a row per membership, with their organisation: by name, or grouped by
 * organisation (`byOrganisation`); only those holding `role` when one is given. The e-mail address
 * is in the row for the module to decide on; pages that need not show it leave it out.
 */
export function regionPeople(db: DB, regionId: string, opts: { role?: Role; byOrganisation?: boolean } = {}) {
  let q = db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .innerJoin('organisations', 'organisations.id', 'memberships.organisation_id')
    .select([
      'memberships.id as membership_id',
      'memberships.role',
      'users.id as user_id',
      'users.name',
      'users.email',
      'users.under_16',
      'organisations.id as organisation_id',
      'organisations.name as organisation_name',
      'organisations.kind as organisation_kind',
    ])
    .where('memberships.region_id', '=', regionId)
  if (opts.role) q = q.where('memberships.role', '=', opts.role)
  if (opts.byOrganisation) q = q.orderBy('organisations.name')
  return q.orderBy('users.name').execute()
}

/** The region settings an administrator can change. */
export async function regionSettings(db: DB, regionId: string) {
  const row = await db.selectFrom('regions').select('providers_may_draft').where('id', '=', regionId).executeTakeFirstOrThrow()
  return { providersMayDraft: Boolean(row.providers_may_draft) }
}

/** The region at a glance for its staff home: municipalities by subregion, organisations per kind. */
export async function regionOverview(db: DB, regionId: string) {
  const [municipalities, organisations] = await Promise.all([listMunicipalities(db, regionId), listOrganisations(db, regionId)])
  const counts = new Map<string, number>()
  for (const o of organisations) counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1)
  return {
    municipalities,
    organisationCount: organisations.length,
    countByKind: organisationKinds.map((kind) => ({ kind, count: counts.get(kind) ?? 0 })),
  }
}
