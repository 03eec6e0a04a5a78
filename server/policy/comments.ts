import type { Actor } from './actor'
import { atLeast, permissionOn, type DocumentResource } from './documents'
import { coordinatesPanels, rolesIn } from './roles'

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

export function commentRule(actor: Actor, action: string, comment: CommentResource): boolean {
  const doc = comment.document
  const level = permissionOn(actor, doc)
  if (level === 'none') return false
  const coordinator = coordinatesPanels(rolesIn(actor, doc.regionId))
  const seen = comment.moderation === 'visible' || comment.authorId === actor.userId || coordinator
  switch (action) {
    case 'view':
      return seen
    case 'reply':
      return seen && comment.moderation === 'visible' && atLeast(level, 'comment')
    case 'moderate':
      return coordinator
    case 'dispose':
      return level === 'edit' && comment.moderation === 'visible'
    default:
      return false
  }
}
