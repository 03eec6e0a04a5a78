import type { DocumentKind, OrganisationKind, Role } from '../../db/schema'
import { roleFitsOrganisation, roleIsInvitable, type MembershipGrant } from './memberships'

export { rolesByOrganisationKind, roleFitsOrganisation, roleIsInvitable, type MembershipGrant } from './memberships'

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
  /**
   * For an invitation or a membership: the role and kind of organisation being granted. Given, the
   * answer also says whether that role fits that organisation (`roleFitsOrganisation`); left out,
   * it says whether the actor may create or manage these at all (the buttons on a page).
   */
  grant?: MembershipGrant
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

/**
 * A co-edited document. Who may edit, comment or read depends on its kind, its owner and whether it
 * is locked (DESIGN.md, "Access"):
 * - a provider's submission is for that provider's team only; every other provider and, for now,
 *   the region's staff get nothing (reading after the deadline and the recorded opening comes with
 *   the dialogue module);
 * - leading principles are edited by drafters (civil servants, aldermen, region administrators,
 *   and providers where the region allows it), commented on by panels, providers and education
 *   partners, read by every member;
 * - the PHO's proposals, core-team mandates, OOGO agreements and minutes are edited by drafters
 *   and read by every member;
 * - a locked document is read-only for everyone who could read it.
 */
export interface DocumentResource {
  type: 'document'
  regionId: string
  kind: DocumentKind
  ownerOrganisationId: string | null
  locked: boolean
  /** the region lets providers co-draft its leading principles */
  providersMayDraft?: boolean
}
export const documentActions = ['read', 'comment', 'edit', 'create', 'lock', 'adopt'] as const
export type DocumentAction = (typeof documentActions)[number]
export type Permission = 'edit' | 'comment' | 'read' | 'none'

const drafterRoles: Role[] = ['civil_servant', 'alderman', 'region_admin']
const isDrafter = (roles: Set<Role>) => drafterRoles.some((r) => roles.has(r))

/** The one permission level of an actor on a document; every document action follows from it. */
export function permissionOn(actor: Actor | null, doc: Omit<DocumentResource, 'type'>): Permission {
  if (!actor) return 'none'
  const roles = rolesIn(actor, doc.regionId)
  if (roles.size === 0) return 'none'
  let level: Permission
  if (doc.kind === 'submission') {
    const onTeam = actor.memberships.some(
      (m) => m.regionId === doc.regionId && m.role === 'provider_member' && m.organisationId === doc.ownerOrganisationId,
    )
    level = onTeam ? 'edit' : 'none'
  } else if (isDrafter(roles)) {
    level = 'edit'
  } else if (doc.kind === 'principles' && doc.providersMayDraft && roles.has('provider_member')) {
    level = 'edit'
  } else if (doc.kind === 'principles' && (roles.has('panel_member') || roles.has('provider_member') || roles.has('education_partner'))) {
    level = 'comment'
  } else {
    level = 'read'
  }
  if (doc.locked && level !== 'none') return 'read'
  return level
}

const rank: Record<Permission, number> = { none: 0, read: 1, comment: 2, edit: 3 }

function documentRule(actor: Actor, action: string, doc: DocumentResource): boolean {
  const roles = rolesIn(actor, doc.regionId)
  switch (action) {
    case 'read':
    case 'comment':
    case 'edit':
      return rank[permissionOn(actor, doc)] >= rank[action]
    case 'create':
      // Providers create their submissions through the dialogue module; here the region's drafters.
      return doc.kind === 'submission' ? false : isDrafter(roles)
    case 'lock':
      return doc.kind !== 'submission' && (roles.has('region_admin') || roles.has('civil_servant'))
    case 'adopt':
      // Adopting (vaststellen) is the aldermen's: they take the decision in the PHO.
      return doc.kind !== 'submission' && roles.has('alderman')
    default:
      return false
  }
}

/**
 * A comment on a document. Everyone who may read the document sees visible comments (panel members
 * by display name only). A comment awaiting moderation (its author is under 16) or hidden by a
 * coordinator is seen only by its author and the panel coordinators. Coordinators moderate; the
 * document's editors give the disposition ("you said, we did"); whoever may comment may reply.
 */
export interface CommentResource {
  type: 'comment'
  authorId: string
  moderation: 'visible' | 'pending' | 'hidden'
  document: DocumentResource
}
export const commentActions = ['view', 'reply', 'moderate', 'dispose'] as const
export type CommentAction = (typeof commentActions)[number]

function commentRule(actor: Actor, action: string, comment: CommentResource): boolean {
  const doc = comment.document
  const level = permissionOn(actor, doc)
  if (level === 'none') return false
  const coordinator = coordinatesPanels(rolesIn(actor, doc.regionId))
  const seen = comment.moderation === 'visible' || comment.authorId === actor.userId || coordinator
  switch (action) {
    case 'view':
      return seen
    case 'reply':
      return seen && comment.moderation === 'visible' && rank[level] >= rank.comment
    case 'moderate':
      return coordinator
    case 'dispose':
      return level === 'edit' && comment.moderation === 'visible'
    default:
      return false
  }
}

export function can(actor: Actor | null, action: CommentAction, resource: CommentResource): boolean
export function can(actor: Actor | null, action: DocumentAction, resource: DocumentResource): boolean
export function can<T extends ResourceType>(actor: Actor | null, action: ActionOf<T>, resource: Resource<T>): boolean
export function can(actor: Actor | null, action: string, resource: Resource | DocumentResource | CommentResource): boolean {
  if (!actor) return false
  if (resource.type === 'document') return documentRule(actor, action, resource as DocumentResource)
  if (resource.type === 'comment') return commentRule(actor, action, resource as CommentResource)
  // The collab server calls this with strings from the wire: only own keys count, never
  // inherited ones such as "constructor" or "toString".
  if (!Object.hasOwn(rules, resource.type)) return false
  const ruleSet = rules[resource.type] as Record<string, Rule>
  if (!Object.hasOwn(ruleSet, action)) return false
  if (ruleSet[action]!(rolesIn(actor, resource.regionId)) !== true) return false
  return resource.grant ? grantFits(resource.type, resource.grant) : true
}

/** A role granted by invitation must fit the organisation and be one that is invited by e-mail. */
function grantFits(type: ResourceType, grant: MembershipGrant): boolean {
  if (!roleFitsOrganisation(grant.role, grant.organisationKind)) return false
  return type === 'invitation' ? roleIsInvitable(grant.role) : true
}

/** Everything the actor may do in a region, for the UI (menus, buttons, the home page). */
export function abilitiesIn(actor: Actor | null, regionId: string) {
  const out = {} as { [T in ResourceType]: Record<ActionOf<T>, boolean> }
  for (const type of Object.keys(resourceActions) as ResourceType[]) {
    const entry: Record<string, boolean> = {}
    for (const action of resourceActions[type]) entry[action] = can(actor, action as ActionOf<typeof type>, { type, regionId })
    ;(out as Record<string, unknown>)[type] = entry
  }
  return out
}
export type Abilities = ReturnType<typeof abilitiesIn>
