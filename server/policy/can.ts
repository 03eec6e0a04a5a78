import type { OrganisationKind, Role } from '../../db/schema'

/**
 * The one place that decides who may do what. Routes call it through guards, the collaboration
 * server will call it at upgrade, and the UI shows a button exactly when `can` says yes.
 * Everything is scoped to a region: a membership in one region grants nothing in another.
 */
export interface ActorMembership {
  regionId: string
  organisationId: string
  organisationKind: OrganisationKind
  role: Role
}

export interface Actor {
  userId: string
  /** Only memberships that count: a member under 16 without guardian consent has none there. */
  memberships: ActorMembership[]
}

/** Resources and the actions that exist on each. */
export const resourceActions = {
  region: ['view', 'administer'],
  municipality: ['list', 'create', 'update'],
  organisation: ['list', 'create', 'update'],
  membership: ['list', 'manage'],
  invitation: ['list', 'create', 'revoke'],
  panelAccess: ['manage'],
  auditLog: ['read'],
} as const

export type ResourceType = keyof typeof resourceActions
export type ActionOf<T extends ResourceType> = (typeof resourceActions)[T][number]
export interface Resource<T extends ResourceType = ResourceType> {
  type: T
  regionId: string
}

export function rolesIn(actor: Actor | null, regionId: string): Set<Role> {
  return new Set((actor?.memberships ?? []).filter((m) => m.regionId === regionId).map((m) => m.role))
}

const isMember = (roles: Set<Role>) => roles.size > 0
const isAdmin = (roles: Set<Role>) => roles.has('region_admin')
/** Panel coordinators hand out access codes and record guardian consent (ADR 0005). */
const coordinatesPanels = (roles: Set<Role>) => roles.has('region_admin') || roles.has('civil_servant')

type Rule = (roles: Set<Role>) => boolean
const rules: { [T in ResourceType]: Record<ActionOf<T>, Rule> } = {
  region: { view: isMember, administer: isAdmin },
  municipality: { list: isMember, create: isAdmin, update: isAdmin },
  organisation: { list: isMember, create: isAdmin, update: isAdmin },
  membership: { list: isAdmin, manage: isAdmin },
  invitation: { list: isAdmin, create: isAdmin, revoke: isAdmin },
  panelAccess: { manage: coordinatesPanels },
  auditLog: { read: isAdmin },
}

export function can<T extends ResourceType>(actor: Actor | null, action: ActionOf<T>, resource: Resource<T>): boolean {
  if (!actor) return false
  // The collab server calls this with strings from the wire: only own keys count, never
  // inherited ones such as "constructor" or "toString".
  if (!Object.hasOwn(rules, resource.type)) return false
  const ruleSet = rules[resource.type] as Record<string, Rule>
  if (!Object.hasOwn(ruleSet, action)) return false
  return ruleSet[action]!(rolesIn(actor, resource.regionId)) === true
}

/** Everything the actor may do in a region, for the UI (menus, buttons, the home page). */
export function abilitiesIn(actor: Actor | null, regionId: string) {
  const out = {} as { [T in ResourceType]: Record<ActionOf<T>, boolean> }
  for (const type of Object.keys(resourceActions) as ResourceType[]) {
    const entry: Record<string, boolean> = {}
    for (const action of resourceActions[type]) entry[action] = can(actor, action as never, { type, regionId })
    ;(out as Record<string, unknown>)[type] = entry
  }
  return out
}
export type Abilities = ReturnType<typeof abilitiesIn>
