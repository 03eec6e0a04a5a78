import type { DocumentKind } from '../../db/schema'
import type { Actor } from './actor'
import { isDrafter, rolesIn } from './roles'

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
 * - a locked document is read-only for everyone who could read it; so is one past its closing time.
 */
export interface DocumentResource {
  type: 'document'
  regionId: string
  kind: DocumentKind
  ownerOrganisationId: string | null
  locked: boolean
  /** the region lets providers co-draft its leading principles */
  providersMayDraft?: boolean
  /** when the document closes (ISO 8601), e.g. a round's deadline; null or absent: it never does */
  closesAt?: string | null
  /** the moment the question is asked (the server clock); see isClosed */
  asOf?: Date
}
export const documentActions = ['read', 'comment', 'edit', 'create', 'lock', 'adopt'] as const
export type DocumentAction = (typeof documentActions)[number]
export type Permission = 'edit' | 'comment' | 'read' | 'none'

/** The order of the permission levels: each includes the ones below it. */
const rank: Record<Permission, number> = { none: 0, read: 1, comment: 2, edit: 3 }

/** Whether a level includes another: `atLeast('edit', 'comment')` is true. */
export function atLeast(level: Permission, wanted: Permission): boolean {
  return rank[level] >= rank[wanted]
}

/**
 * Whether the document is past its closing time at the moment of asking. Without a moment (asOf),
 * or with a closing time that cannot be read, a document that has one counts as closed: a caller
 * that forgot the clock gets a read-only document, never an open one.
 */
export function isClosed(doc: Pick<DocumentResource, 'closesAt' | 'asOf'>): boolean {
  if (doc.closesAt === null || doc.closesAt === undefined) return false
  const at = Date.parse(doc.closesAt)
  if (Number.isNaN(at) || !doc.asOf) return true
  return doc.asOf.getTime() >= at
}

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
  if ((doc.locked || isClosed(doc)) && level !== 'none') return 'read'
  return level
}

export function documentRule(actor: Actor, action: string, doc: DocumentResource): boolean {
  const roles = rolesIn(actor, doc.regionId)
  switch (action) {
    case 'read':
    case 'comment':
    case 'edit':
      return atLeast(permissionOn(actor, doc), action)
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
