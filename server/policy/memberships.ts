import type { OrganisationKind, Role } from '../../db/schema'

/**
 * Which roles a person can hold for which kind of organisation: a rule of the domain (DOMAIN.md,
 * "Who uses it"), not of the screens. An alderman (wethouder) sits for a municipality; a provider's
 * people are provider members; parents and youth take part through a panel; education partners
 * come from a school partnership (samenwerkingsverband passend onderwijs). The region's own people
 * (region administrator, civil servant such as the inkoopadviseur or contractmanager, evaluator)
 * work at a municipality or at the region's purchasing office, which the portal files as "other".
 * Local access teams (toegangsteams, CJG) are municipal work: their people take part as civil servants.
 *
 * Every membership, invitation and role change passes through `roleFitsOrganisation`, and `can()`
 * asks it whenever a resource names the role and organisation being granted.
 */
export const rolesByOrganisationKind: { readonly [K in OrganisationKind]: readonly Role[] } = {
  municipality: ['alderman', 'civil_servant', 'evaluator', 'region_admin'],
  other: ['civil_servant', 'evaluator', 'region_admin'],
  access_team: ['civil_servant'],
  provider: ['provider_member'],
  school_partnership: ['education_partner'],
  panel: ['panel_member'],
}

/** The role of the people in a panel: what queries for panel members select on. */
export const PANEL_ROLE = 'panel_member' satisfies Role

/**
 * The roles to offer for a membership at an organisation of this kind: the fitting ones, and the
 * current one first when it no longer fits (so a page can show it and offer a way out).
 */
export function rolesOffered(current: Role, kind: OrganisationKind): readonly Role[] {
  const fitting = rolesByOrganisationKind[kind]
  return fitting.includes(current) ? fitting : [current, ...fitting]
}

/** Whether `role` can be held for an organisation of this kind. */
export function roleFitsOrganisation(role: Role, kind: OrganisationKind): boolean {
  return Object.hasOwn(rolesByOrganisationKind, kind) && rolesByOrganisationKind[kind].includes(role)
}

/**
 * Panel members never get an e-mail invitation: they join with an access code that a coordinator
 * hands out (ADR 0005), so a guardian's consent and a chosen display name come first.
 */
export function roleIsInvitable(role: Role): boolean {
  return role !== 'panel_member'
}

/** Organisations whose members are panel members: the ones panel codes are issued for. */
export function holdsPanelMembers(org: { kind: OrganisationKind }): boolean {
  return roleFitsOrganisation('panel_member', org.kind)
}

/**
 * A person who is a panel member and nothing else: only they may re-enter with a panel code
 * (anyone with another role has a password or an e-mail address to log in with).
 */
export function onlyPanelMember(memberships: ReadonlyArray<{ role: Role }>): boolean {
  return memberships.length > 0 && memberships.every((m) => m.role === 'panel_member')
}

/** What is being granted: a role for an organisation of a kind. */
export interface MembershipGrant {
  role: Role
  organisationKind: OrganisationKind
}
