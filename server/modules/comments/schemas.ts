import { z } from 'zod'
import { dispositions } from '../../../db/schema'
import { refusals, type Refusals } from '../../lib/result'

/**
 * The forms of the comments module (messages are i18n keys, app/i18n/messages.ts) and the reasons
 * its commands refuse, with the status, field and message each becomes (ADR 0017). The UI imports
 * this file for its field names and limits.
 */
export const BODY_MAX = 2000
const body = z.string({ error: 'error.required' }).trim().min(1, 'error.required').max(BODY_MAX, `error.tooLong|${BODY_MAX}`)
const commentId = z.string().min(1).max(64)

/** A comment on words of a document: the anchors around them, the words as quoted, and the comment. */
export const commentSchema = z.object({
  intent: z.literal('comment'),
  start: z.string().min(1).max(400),
  end: z.string().min(1).max(400),
  quote: z.string().trim().min(1, 'comments.noSelection').max(5000),
  body,
})

/** A reaction to a whole principle on the principles page: which one (p0, p1, …) and the reaction. */
export const principleReactionSchema = z.object({
  principle: z.string().regex(/^p\d{1,3}$/),
  body,
})

export const replySchema = z.object({ intent: z.literal('reply'), commentId, body })

export const dispositionSchema = z
  .object({
    intent: z.literal('dispose'),
    commentId,
    disposition: z.enum(dispositions, { error: 'error.choice' }),
    reason: z.string().trim().max(BODY_MAX, `error.tooLong|${BODY_MAX}`).default(''),
    versionId: z.string().max(64).default(''),
  })
  .refine((d) => d.disposition !== 'not_adopted' || d.reason.length > 0, { path: ['reason'], message: 'comments.reasonRequired' })

export const moderateSchema = z
  .object({
    intent: z.literal('moderate'),
    commentId,
    decision: z.enum(['approve', 'hide'], { error: 'error.choice' }),
    reason: z.string().trim().max(500, 'error.tooLong|500').default(''),
  })
  .refine((d) => d.decision !== 'hide' || d.reason.length > 0, { path: ['reason'], message: 'comments.hideReasonRequired' })

/** The forms of the review page: answer, moderate, reply. */
export const reviewActionSchema = z.discriminatedUnion('intent', [dispositionSchema, moderateSchema, replySchema])

/** `upTo`: the newest notification on the page, so one that arrived after it was opened stays unread. */
export const markReadSchema = z.object({ intent: z.literal('markRead'), upTo: z.iso.datetime() })

/** The review page's filters (?filter=…). */
export const reviewFilters = ['all', 'open', 'answered', 'pending', 'outdated', 'orphaned'] as const
export type ReviewFilter = (typeof reviewFilters)[number]

export type CommentReason = 'forbidden' | 'not_found' | 'range_gone' | 'text_changed' | 'no_principle' | 'reason_required' | 'version_not_found'

/**
 * Why a comment command refused. On the document page the words are the form's subject, so a
 * vanished range is said above the form; on the principles page next to the reaction.
 */
export const commentRefusals = {
  range_gone: refusals.conflict('comments.rangeGone'),
  text_changed: refusals.conflict('comments.rangeGone'),
  no_principle: refusals.conflict('comments.rangeGone', 'body'),
  reason_required: refusals.value('reason', 'comments.reasonRequired'),
  version_not_found: refusals.choice('versionId'),
} as const satisfies Partial<Refusals<CommentReason>>

export const principleRefusals = {
  ...commentRefusals,
  range_gone: refusals.conflict('comments.rangeGone', 'body'),
  text_changed: refusals.conflict('comments.rangeGone', 'body'),
  forbidden: refusals.notYours('error.forbidden', 'body'),
} as const satisfies Partial<Refusals<CommentReason>>
