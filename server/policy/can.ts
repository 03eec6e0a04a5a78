import type { Actor } from './actor'
import { commentActions, commentRule, type CommentAction, type CommentResource } from './comments'
import { documentActions, documentRule, type DocumentAction, type DocumentResource } from './documents'
import {
  isRegionResourceType,
  regionResourceActions,
  regionRule,
  type RegionActionOf,
  type RegionResource,
  type RegionResourceType,
} from './region'
import { rolesIn } from './roles'

export type { Actor, ActorMembership } from './actor'
export { rolesIn } from './roles'
export { permissionOn, atLeast, isClosed, documentActions, type DocumentAction, type DocumentResource, type Permission } from './documents'
export { commentActions, type CommentAction, type CommentResource } from './comments'
export { rolesByOrganisationKind, roleFitsOrganisation, roleIsInvitable, type MembershipGrant } from './memberships'

/**
 * The one place that decides who may do what. Routes call it through guards and `abilities`, the
 * collaboration server calls it at upgrade, and the UI shows a button exactly when `can` says yes.
 * Each kind of resource has its rules in a file of its own (region.ts, documents.ts, comments.ts);
 * this file only dispatches. A resource carries the state the decision depends on (a document's
 * lock, a comment's moderation), so no caller has to decide anything itself.
 */
export const resourceActions = regionResourceActions
export type ResourceType = RegionResourceType
export type ActionOf<T extends ResourceType> = RegionActionOf<T>
export type Resource<T extends ResourceType = ResourceType> = RegionResource<T>

export type AnyResource = RegionResource | DocumentResource | CommentResource

export function can(actor: Actor | null, action: CommentAction, resource: CommentResource): boolean
export function can(actor: Actor | null, action: DocumentAction, resource: DocumentResource): boolean
export function can<T extends ResourceType>(actor: Actor | null, action: ActionOf<T>, resource: Resource<T>): boolean
export function can(actor: Actor | null, action: string, resource: AnyResource): boolean {
  if (!actor) return false
  if (resource.type === 'document') return documentRule(actor, action, resource)
  if (resource.type === 'comment') return commentRule(actor, action, resource)
  if (!isRegionResourceType(resource.type)) return false
  return regionRule(rolesIn(actor, resource.regionId), action, resource)
}

/** The actions that exist on a resource. */
function actionsOf(resource: AnyResource): readonly string[] {
  if (resource.type === 'document') return documentActions
  if (resource.type === 'comment') return commentActions
  return regionResourceActions[resource.type]
}

type AbilitiesOf<R extends AnyResource> = R extends DocumentResource
  ? Record<DocumentAction, boolean>
  : R extends CommentResource
    ? Record<CommentAction, boolean>
    : R extends RegionResource<infer T>
      ? Record<RegionActionOf<T>, boolean>
      : never

/**
 * Everything an actor may do with one resource, for a loader to hand to the page: the page shows a
 * button exactly when its entry is true, and the action asks `can` again.
 */
export function abilities<R extends AnyResource>(actor: Actor | null, resource: R): AbilitiesOf<R> {
  const out: Record<string, boolean> = {}
  for (const action of actionsOf(resource)) out[action] = can(actor, action as never, resource as never)
  return out as AbilitiesOf<R>
}

/** Everything the actor may do with the region's own resources, for menus and the home page. */
export function abilitiesIn(actor: Actor | null, regionId: string) {
  const out = {} as { [T in ResourceType]: Record<ActionOf<T>, boolean> }
  for (const type of Object.keys(resourceActions) as ResourceType[]) {
    ;(out as Record<string, unknown>)[type] = abilities(actor, { type, regionId })
  }
  return out
}
export type Abilities = ReturnType<typeof abilitiesIn>
