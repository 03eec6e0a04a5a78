import type { DB } from '../../db/connect'
import type { Actor, ActorMembership } from '../policy/can'

/**
 * Loads the memberships that count for a user. A member younger than 16 counts in a region only
 * while a guardian's consent for that region is recorded and not withdrawn.
 */
export async function loadActor(db: DB, user: { id: string; under_16: number }): Promise<Actor> {
  const rows = await db
    .selectFrom('memberships')
    .innerJoin('organisations', 'organisations.id', 'memberships.organisation_id')
    .select([
      'memberships.region_id',
      'memberships.organisation_id',
      'memberships.role',
      'organisations.kind',
    ])
    .where('memberships.user_id', '=', user.id)
    .execute()
  let memberships: ActorMembership[] = rows.map((r) => ({
    regionId: r.region_id,
    organisationId: r.organisation_id,
    organisationKind: r.kind,
    role: r.role,
  }))
  if (user.under_16) {
    const consented = new Set(await consentedRegions(db, user.id))
    memberships = memberships.filter((m) => consented.has(m.regionId))
  }
  return { userId: user.id, memberships }
}

export async function consentedRegions(db: DB, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('guardian_consents')
    .select('region_id')
    .where('user_id', '=', userId)
    .where('withdrawn_at', 'is', null)
    .execute()
  return rows.map((r) => r.region_id)
}
