import type { DB } from '../../../db/connect'

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
  return db
    .selectFrom('organisations')
    .select(['id', 'name', 'kind', 'region_id'])
    .where('region_id', '=', regionId)
    .where('id', '=', organisationId)
    .executeTakeFirst()
}

/** Members of a region with their roles. Panel members appear by display name only. */
export async function listMembers(db: DB, regionId: string) {
  const rows = await db
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
    .orderBy('users.name')
    .execute()
  return rows
}

/** The person a membership of this region belongs to, or undefined. */
export async function membershipUserId(db: DB, regionId: string, membershipId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('memberships')
    .select('user_id')
    .where('region_id', '=', regionId)
    .where('id', '=', membershipId)
    .executeTakeFirst()
  return row?.user_id
}
