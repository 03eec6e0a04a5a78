import type * as Y from 'yjs'
import { z } from 'zod'
import { inTransaction, type DB } from '../../../db/connect'
import { dispositions, type Disposition, type Document, type Moderation } from '../../../db/schema'
import { can, type Actor, type CommentResource } from '../../policy/can'
import { randomId } from '../../lib/ids'
import { iso } from '../../lib/time'
import { recordAudit } from '../audit/audit'
import { asResource } from '../documents/queries'
import { anchorStatus, decodeAnchor, normaliseQuote, sectionAt, textBetween, type AnchorStatus } from './anchors'
import { notify } from './notifications'

/**
 * Comments on words of a document, their replies, moderation and dispositions. The commands take
 * the current Y.Doc (the caller reads it from the live room or the store) where they need to check
 * or describe the words.
 */
export const BODY_MAX = 2000
const body = z.string({ error: 'error.required' }).trim().min(1, 'error.required').max(BODY_MAX, `error.tooLong|${BODY_MAX}`)

export const commentSchema = z.object({
  intent: z.literal('comment'),
  start: z.string().min(1).max(400),
  end: z.string().min(1).max(400),
  quote: z.string().trim().min(1, 'comments.noSelection').max(5000),
  body,
})
export const replySchema = z.object({ intent: z.literal('reply'), commentId: z.string().min(1).max(64), body })
export const dispositionSchema = z
  .object({
    intent: z.literal('dispose'),
    commentId: z.string().min(1).max(64),
    disposition: z.enum(dispositions, { error: 'error.choice' }),
    reason: z.string().trim().max(BODY_MAX, `error.tooLong|${BODY_MAX}`).default(''),
    versionId: z.string().max(64).default(''),
  })
  .refine((d) => d.disposition !== 'not_adopted' || d.reason.length > 0, { path: ['reason'], message: 'comments.reasonRequired' })
export const moderateSchema = z
  .object({
    intent: z.literal('moderate'),
    commentId: z.string().min(1).max(64),
    decision: z.enum(['approve', 'hide'], { error: 'error.choice' }),
    reason: z.string().trim().max(500, 'error.tooLong|500').default(''),
  })
  .refine((d) => d.decision !== 'hide' || d.reason.length > 0, { path: ['reason'], message: 'comments.hideReasonRequired' })

export function commentResource(doc: Document, c: { author_id: string; moderation: Moderation }): CommentResource {
  return { type: 'comment', authorId: c.author_id, moderation: c.moderation, document: asResource(doc) }
}

const isUnder16 = async (db: DB, userId: string) =>
  Boolean((await db.selectFrom('users').select('under_16').where('id', '=', userId).executeTakeFirst())?.under_16)

export type CreateResult = { ok: true; id: string; moderation: Moderation } | { ok: false; reason: 'forbidden' | 'range_gone' | 'text_changed' }

/**
 * Comments on the words between two anchors. The words must still be there and be the quoted ones
 * (else 'range_gone' or 'text_changed': the person selects again). A member under 16 waits for a
 * coordinator's approval before anyone else sees it.
 */
export async function createComment(
  db: DB,
  input: { actor: Actor; doc: Document; ydoc: Y.Doc; start: string; end: string; quote: string; body: string; now: Date },
): Promise<CreateResult> {
  if (!can(input.actor, 'comment', asResource(input.doc, input.now))) return { ok: false, reason: 'forbidden' }
  const start = decodeAnchor(input.start)
  const end = decodeAnchor(input.end)
  const words = start && end ? textBetween(input.ydoc, start, end) : null
  if (!start || !end || words === null || normaliseQuote(words) === '') return { ok: false, reason: 'range_gone' }
  if (normaliseQuote(words) !== normaliseQuote(input.quote)) return { ok: false, reason: 'text_changed' }
  const moderation: Moderation = (await isUnder16(db, input.actor.userId)) ? 'pending' : 'visible'
  const id = randomId()
  await db
    .insertInto('comments')
    .values({
      id,
      doc_id: input.doc.id,
      region_id: input.doc.region_id,
      author_id: input.actor.userId,
      anchor_start: input.start,
      anchor_end: input.end,
      quote: normaliseQuote(words),
      section: sectionAt(input.ydoc, start),
      body: input.body,
      moderation,
      hidden_reason: null,
      moderated_by: null,
      moderated_at: null,
      disposition: 'open',
      disposition_reason: null,
      disposition_version_id: null,
      disposition_by: null,
      disposition_at: null,
      created_at: iso(input.now),
    })
    .execute()
  return { ok: true, id, moderation }
}

export function findComment(db: DB, docId: string, commentId: string) {
  return db.selectFrom('comments').selectAll().where('doc_id', '=', docId).where('id', '=', commentId).executeTakeFirst()
}

export async function reply(
  db: DB,
  input: { actor: Actor; doc: Document; commentId: string; body: string; now: Date },
): Promise<{ ok: true; id: string } | { ok: false; reason: 'not_found' | 'forbidden' }> {
  const comment = await findComment(db, input.doc.id, input.commentId)
  if (!comment || !can(input.actor, 'view', commentResource(input.doc, comment))) return { ok: false, reason: 'not_found' }
  if (!can(input.actor, 'reply', commentResource(input.doc, comment))) return { ok: false, reason: 'forbidden' }
  const id = randomId()
  await db
    .insertInto('comment_replies')
    .values({
      id,
      comment_id: comment.id,
      author_id: input.actor.userId,
      body: input.body,
      moderation: (await isUnder16(db, input.actor.userId)) ? 'pending' : 'visible',
      created_at: iso(input.now),
    })
    .execute()
  return { ok: true, id }
}

/**
 * The answer to a comment ("you said, we did"): a disposition, a reason (required for 'not
 * adopted'), and the version in which it was handled. The author is notified in the app.
 */
export async function setDisposition(
  db: DB,
  input: { actor: Actor; doc: Document; commentId: string; disposition: Disposition; reason: string; versionId: string; now: Date },
): Promise<{ ok: true } | { ok: false; reason: 'not_found' | 'forbidden' | 'reason_required' | 'version_not_found' }> {
  const comment = await findComment(db, input.doc.id, input.commentId)
  if (!comment || !can(input.actor, 'view', commentResource(input.doc, comment))) return { ok: false, reason: 'not_found' }
  if (!can(input.actor, 'dispose', commentResource(input.doc, comment))) return { ok: false, reason: 'forbidden' }
  if (input.disposition === 'not_adopted' && !input.reason.trim()) return { ok: false, reason: 'reason_required' }
  if (input.versionId) {
    const version = await db.selectFrom('doc_versions').select('id').where('id', '=', input.versionId).where('doc_id', '=', input.doc.id).executeTakeFirst()
    if (!version) return { ok: false, reason: 'version_not_found' }
  }
  await inTransaction(db, async (trx) => {
    await trx
      .updateTable('comments')
      .set({
        disposition: input.disposition,
        disposition_reason: input.reason.trim() || null,
        disposition_version_id: input.versionId || null,
        disposition_by: input.actor.userId,
        disposition_at: iso(input.now),
      })
      .where('id', '=', comment.id)
      .execute()
    await recordAudit(trx, {
      action: 'comment.disposition_set',
      subjectType: 'comment',
      subjectId: comment.id,
      regionId: input.doc.region_id,
      actorId: input.actor.userId,
      data: { disposition: input.disposition, versionId: input.versionId || null },
      at: input.now,
    })
    if (comment.author_id !== input.actor.userId) {
      await notify(trx, {
        userId: comment.author_id,
        regionId: input.doc.region_id,
        kind: 'comment.answered',
        subjectId: comment.id,
        data: { docId: input.doc.id, title: input.doc.title, disposition: input.disposition },
        now: input.now,
      })
    }
  })
  return { ok: true }
}

/** A coordinator approves a waiting comment, or hides one with a reason (audited; the author is told). */
export async function moderate(
  db: DB,
  input: { actor: Actor; doc: Document; commentId: string; decision: 'approve' | 'hide'; reason: string; now: Date },
): Promise<{ ok: true } | { ok: false; reason: 'not_found' | 'forbidden' }> {
  const comment = await findComment(db, input.doc.id, input.commentId)
  if (!comment || !can(input.actor, 'view', commentResource(input.doc, comment))) return { ok: false, reason: 'not_found' }
  if (!can(input.actor, 'moderate', commentResource(input.doc, comment))) return { ok: false, reason: 'forbidden' }
  await inTransaction(db, async (trx) => {
    await trx
      .updateTable('comments')
      .set({
        moderation: input.decision === 'approve' ? 'visible' : 'hidden',
        hidden_reason: input.decision === 'hide' ? input.reason : null,
        moderated_by: input.actor.userId,
        moderated_at: iso(input.now),
      })
      .where('id', '=', comment.id)
      .execute()
    await recordAudit(trx, {
      action: input.decision === 'approve' ? 'comment.approved' : 'comment.hidden',
      subjectType: 'comment',
      subjectId: comment.id,
      regionId: input.doc.region_id,
      actorId: input.actor.userId,
      data: input.decision === 'hide' ? { reason: input.reason } : {},
      at: input.now,
    })
    await notify(trx, {
      userId: comment.author_id,
      regionId: input.doc.region_id,
      kind: input.decision === 'approve' ? 'comment.approved' : 'comment.hidden',
      subjectId: comment.id,
      data: { docId: input.doc.id, title: input.doc.title },
      now: input.now,
    })
  })
  return { ok: true }
}

export interface CommentView {
  id: string
  author: string
  mine: boolean
  quote: string
  current: string
  status: AnchorStatus
  section: string
  body: string
  moderation: Moderation
  hiddenReason: string | null
  disposition: Disposition
  dispositionReason: string | null
  dispositionVersion: string | null
  createdAt: string
  anchorStart: string
  anchorEnd: string
  replies: Array<{ id: string; author: string; body: string; moderation: Moderation; createdAt: string }>
  can: { reply: boolean; moderate: boolean; dispose: boolean }
}

/**
 * The comments on a document that this person may see, with where each stands now against the
 * text. People appear by their (display) name only; nothing else about them is shown.
 */
export async function listComments(db: DB, input: { actor: Actor; doc: Document; ydoc: Y.Doc }): Promise<CommentView[]> {
  const rows = await db
    .selectFrom('comments')
    .innerJoin('users', 'users.id', 'comments.author_id')
    .leftJoin('doc_versions', 'doc_versions.id', 'comments.disposition_version_id')
    .selectAll('comments')
    .select(['users.name as author_name', 'doc_versions.label as version_label'])
    .where('comments.doc_id', '=', input.doc.id)
    .orderBy('comments.created_at')
    .execute()
  const visible = rows.filter((r) => can(input.actor, 'view', commentResource(input.doc, r)))
  const replies = visible.length
    ? await db
        .selectFrom('comment_replies')
        .innerJoin('users', 'users.id', 'comment_replies.author_id')
        .select(['comment_replies.id', 'comment_replies.comment_id', 'comment_replies.author_id', 'comment_replies.body', 'comment_replies.moderation', 'comment_replies.created_at', 'users.name'])
        .where('comment_replies.comment_id', 'in', visible.map((r) => r.id))
        .orderBy('comment_replies.created_at')
        .execute()
    : []
  return visible.map((r) => {
    const resource = commentResource(input.doc, r)
    const anchor = anchorStatus(input.ydoc, { start: r.anchor_start, end: r.anchor_end, quote: r.quote })
    return {
      id: r.id,
      author: r.author_name,
      mine: r.author_id === input.actor.userId,
      quote: r.quote,
      current: anchor.current,
      status: anchor.status,
      section: r.section,
      body: r.body,
      moderation: r.moderation,
      hiddenReason: r.hidden_reason,
      disposition: r.disposition,
      dispositionReason: r.disposition_reason,
      dispositionVersion: r.version_label,
      createdAt: r.created_at,
      anchorStart: r.anchor_start,
      anchorEnd: r.anchor_end,
      replies: replies
        .filter((x) => x.comment_id === r.id)
        .filter((x) => x.moderation === 'visible' || x.author_id === input.actor.userId || can(input.actor, 'moderate', resource))
        .map((x) => ({ id: x.id, author: x.name, body: x.body, moderation: x.moderation, createdAt: x.created_at })),
      can: {
        reply: can(input.actor, 'reply', resource),
        moderate: can(input.actor, 'moderate', resource),
        dispose: can(input.actor, 'dispose', resource),
      },
    }
  })
}

/** "My comments": everything a person said, across documents, with the answers they got. */
export function myComments(db: DB, userId: string) {
  return db
    .selectFrom('comments')
    .innerJoin('documents', 'documents.id', 'comments.doc_id')
    .innerJoin('regions', 'regions.id', 'comments.region_id')
    .leftJoin('doc_versions', 'doc_versions.id', 'comments.disposition_version_id')
    .select([
      'comments.id',
      'comments.quote',
      'comments.body',
      'comments.section',
      'comments.moderation',
      'comments.hidden_reason',
      'comments.disposition',
      'comments.disposition_reason',
      'comments.disposition_at',
      'comments.created_at',
      'documents.id as doc_id',
      'documents.title as doc_title',
      'regions.slug as region_slug',
      'doc_versions.label as version_label',
    ])
    .where('comments.author_id', '=', userId)
    .orderBy('comments.created_at', 'desc')
    .execute()
}

/**
 * The response report of a version: every visible comment made before the version was saved,
 * with its disposition, reason and the version it was handled in.
 */
export async function responseReport(db: DB, input: { doc: Document; versionId: string }) {
  const version = await db
    .selectFrom('doc_versions')
    .select(['id', 'label', 'created_at'])
    .where('id', '=', input.versionId)
    .where('doc_id', '=', input.doc.id)
    .executeTakeFirst()
  if (!version) return null
  const rows = await db
    .selectFrom('comments')
    .innerJoin('users', 'users.id', 'comments.author_id')
    .leftJoin('doc_versions', 'doc_versions.id', 'comments.disposition_version_id')
    .select([
      'comments.id',
      'comments.section',
      'comments.quote',
      'comments.body',
      'comments.disposition',
      'comments.disposition_reason',
      'comments.created_at',
      'users.name as author',
      'doc_versions.label as handled_in',
    ])
    .where('comments.doc_id', '=', input.doc.id)
    .where('comments.moderation', '=', 'visible')
    .where('comments.created_at', '<=', version.created_at)
    .orderBy('comments.section')
    .orderBy('comments.created_at')
    .execute()
  return { version, rows }
}
