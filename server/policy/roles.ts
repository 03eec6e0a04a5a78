import type { Role } from '../../db/schema'
import type { Actor } from './actor'

/** The roles an actor holds in one region; a membership in one region grants nothing in another. */
export function rolesIn(actor: Actor | null, regionId: string): Set<Role> {
  return new Set((actor?.memberships ?? []).filter((m) => m.regionId === regionId).map((m) => m.role))
}

export type Roles = ReadonlySet<Role>

export const isMember = (roles: Roles) => roles.size > 0
export const isAdmin = (roles: Roles) => roles.has('region_admin')
/** Panel coordinators hand out access codes and record guardian consent (ADR 0005). */
export const coordinatesPanels = (roles: Roles) => roles.has('region_admin') || roles.has('civil_servant')
/** Drafters write the region's texts: civil servants, aldermen and region administrators. */
const drafterRoles: Role[] = ['civil_servant', 'alderman', 'region_admin']
export const isDrafter = (roles: Roles) => drafterRoles.some((r) => roles.has(r))

/** When several roles apply, the one shown. */
const ROLE_ORDER: readonly Role[] = [
  'alderman',
  'region_admin',
  'civil_servant',
  'evaluator',
  'education_partner',
  'provider_member',
  'panel_member',
]

/** The one role shown beside a person's name (presence, lists) when they hold several in a region. */
export function shownRole(roles: Iterable<Role>): Role | null {
  const held = new Set(roles)
  return ROLE_ORDER.find((r) => held.has(r)) ?? null
}
