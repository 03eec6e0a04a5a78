import type { MembershipGrant } from './memberships'
import { roleFitsOrganisation, roleIsInvitable } from './memberships'
import { coordinatesPanels, isAdmin, isMember, type Roles } from './roles'

/**
 * The region's own resources: the region itself, its municipalities, organisations, memberships,
 * invitations, panel access and audit log. Each action is a rule on the roles held in the region.
 */
export const regionResourceActions = {
  region: ['view', 'administer'],
  municipality: ['list', 'create', 'update'],
  organisation: ['list', 'create', 'update'],
  membership: ['list', 'manage'],
  invitation: ['list', 'create', 'revoke'],
  panelAccess: ['manage'],
  auditLog: ['read'],
} as const

export type RegionResourceType = keyof typeof regionResourceActions
export type RegionActionOf<T extends RegionResourceType> = (typeof regionResourceActions)[T][number]

export interface RegionResource<T extends RegionResourceType = RegionResourceType> {
  type: T
  regionId: string
  /**
   * For an invitation or a membership: the role and kind of organisation being granted. Given, the
   * answer also says whether that role fits that organisation (`roleFitsOrganisation`); left out,
   * it says whether the actor may create or manage these at all (the buttons on a page).
   */
  grant?: MembershipGrant
}

type Rule = (roles: Roles) => boolean
const rules: { [T in RegionResourceType]: Record<RegionActionOf<T>, Rule> } = {
  region: { view: isMember, administer: isAdmin },
  municipality: { list: isMember, create: isAdmin, update: isAdmin },
  organisation: { list: isMember, create: isAdmin, update: isAdmin },
  membership: { list: isAdmin, manage: isAdmin },
  invitation: { list: isAdmin, create: isAdmin, revoke: isAdmin },
  panelAccess: { manage: coordinatesPanels },
  auditLog: { read: isAdmin },
}

export function isRegionResourceType(type: string): type is RegionResourceType {
  return Object.hasOwn(rules, type)
}

export function regionRule(roles: Roles, action: string, resource: RegionResource): boolean {
  // The collab server and forms pass strings from outside: only own keys count, never inherited
  // ones such as "constructor" or "toString".
  const ruleSet = rules[resource.type] as Record<string, Rule>
  if (!Object.hasOwn(ruleSet, action)) return false
  if (ruleSet[action]!(roles) !== true) return false
  return resource.grant ? grantFits(resource.type, resource.grant) : true
}

/** A role granted by invitation must fit the organisation and be one that is invited by e-mail. */
function grantFits(type: RegionResourceType, grant: MembershipGrant): boolean {
  if (!roleFitsOrganisation(grant.role, grant.organisationKind)) return false
  return type === 'invitation' ? roleIsInvitable(grant.role) : true
}
