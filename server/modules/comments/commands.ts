import type * as Y from 'yjs'
import { inTransaction, type DB } from '../../../db/connect'
import type { Disposition, Document, Moderation } from '../../../db/schema'
import { can, type Actor } from '../../policy/can'
import { randomId } from '../../lib/ids'
import { done, refuse, type Result } from '../../lib/result'
import { iso } from '../../lib/time'
import { audit, stamp } from '../audit/audit'
import { asResource, withDocumentState, type LiveDocuments } from '../documents/queries'
import { findPrinciplesDocument, principlesWithAnchors } from '../principles/content'
import { decodeAnchor, normaliseQuote, sectionAt, textBetween } from './anchors'
import { notify } from './notifications'
import { commentResource, findComment } from './queries'

/**
 * Comments on words of a document, their replies, moderation and dispositions (ADR 0017: each
 * command checks `can` itself, writes in one transaction with its audit entry, and returns a
 * Result whose reasons schemas.ts turns into replies). Where the words matter, the command reads
 * the document's latest text itself and lets go of it afterwards.
 */

const isUnder16 = async (db: DB, userId: string) =>
  Boolean((await db.selectFrom('users').select('under_16').where('id', '=', userId).executeTakeFirst())?.under_16)

type Words = { start: string; end: string; quote: string }
type Made = { id: string; moderation: Moderation }

/**
 * Comments on the words between two anchors. The words must still be there and be the quoted ones
 * (else 'range_gone' or 'text_changed': the person selects again). A member under 16 waits for a
 * coordinator's approval before anyone else sees it. One home for both entry points below.
 */
async function comment(
  db: DB,
  ydoc: Y.Doc,
  input: { actor: Actor; doc: Document; body: string; now: Date } & Words,
): Promise<Result<Made, 'forbidden' | 'range_gone' | 'text_changed'>> {
  if (!can(input.actor, 'comment', asResource(input.doc, input.now))) return refuse('forbidden')
  const start = decodeAnchor(input.start)
  const end = decodeAnchor(input.end)
  const words = start && end ? textBetween(ydoc, start, end) : null
  if (!start || !end || words === null || normaliseQuote(words) === '') return refuse('range_gone')
  if (normaliseQuote(words) !== normaliseQuote(input.quote)) return refuse('text_changed')
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
      section: sectionAt(ydoc, start),
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
  return done({ id, moderation })
}

/** A comment on words a person selected in a document (the document page's "Reageer op selectie"). */
export function commentOnDocument(db: DB, live: LiveDocuments | undefined, input: { actor: Actor; doc: Document; body: string; now: Date } & Words) {
  return withDocumentState(db, live, input.doc.id, (ydoc) => comment(db, ydoc, input))
}

/**
 * A reaction to one whole principle of the region's principles (the principles page): anchored
 * to that principle's text as it stands now. 'no_principle' when there is no such principle (any
 * more), 'not_found' when the region has no principles document.
 */
export async function commentOnPrinciple(
  db: DB,
  live: LiveDocuments | undefined,
  input: { actor: Actor; regionId: string; principle: string; body: string; now: Date },
): Promise<Result<Made & { principle: string }, 'not_found' | 'forbidden' | 'no_principle' | 'range_gone' | 'text_changed'>> {
  const doc = await findPrinciplesDocument(db, input.regionId)
  if (!doc) return refuse('not_found')
  if (!can(input.actor, 'comment', asResource(doc, input.now))) return refuse('forbidden')
  return withDocumentState(db, live, doc.id, async (ydoc) => {
    const anchor = principlesWithAnchors(ydoc)[Number(input.principle.slice(1))]?.anchor
    if (!anchor) return refuse('no_principle')
    const made = await comment(db, ydoc, { actor: input.actor, doc, body: input.body, now: input.now, ...anchor })
    return made.ok ? done({ id: made.id, moderation: made.moderation, principle: input.principle }) : made
  })
}

/** The comment as this person may touch it: 'not_found' when they may not see it, 'forbidden' when they may not do `action`. */
async function commentFor(db: DB, actor: Actor, doc: Document, commentId: string, action: 'reply' | 'moderate' | 'dispose', now: Date) {
  const found = await findComment(db, doc.id, commentId)
  if (!found || !can(actor, 'view', commentResource(doc, found, now))) return refuse('not_found')
  if (!can(actor, action, commentResource(doc, found, now))) return refuse('forbidden')
  return done({ comment: found })
}

export async function reply(
  db: DB,
  input: { actor: Actor; doc: Document; commentId: string; body: string; now: Date },
): Promise<Result<{ id: string }, 'not_found' | 'forbidden'>> {
  const found = await commentFor(db, input.actor, input.doc, input.commentId, 'reply', input.now)
  if (!found.ok) return found
  const id = randomId()
  await db
    .insertInto('comment_replies')
    .values({
      id,
      comment_id: found.comment.id,
      author_id: input.actor.userId,
      body: input.body,
      moderation: (await isUnder16(db, input.actor.userId)) ? 'pending' : 'visible',
      created_at: iso(input.now),
    })
    .execute()
  return done({ id })
}

/**
 * The answer to a comment ("you said, we did"): a disposition, a reason (required for 'not
 * adopted'), and the version in which it was handled. The author is notified in the app.
 */
export async function setDisposition(
  db: DB,
  input: { actor: Actor; doc: Document; commentId: string; disposition: Disposition; reason: string; versionId: string; now: Date },
): Promise<Result<object, 'not_found' | 'forbidden' | 'reason_required' | 'version_not_found'>> {
  const found = await commentFor(db, input.actor, input.doc, input.commentId, 'dispose', input.now)
  if (!found.ok) return found
  const { comment: c } = found
  if (input.disposition === 'not_adopted' && !input.reason.trim()) return refuse('reason_required')
  if (input.versionId) {
    const version = await db.selectFrom('doc_versions').select('id').where('id', '=', input.versionId).where('doc_id', '=', input.doc.id).executeTakeFirst()
    if (!version) return refuse('version_not_found')
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
      .where('id', '=', c.id)
      .execute()
    await audit(trx, stamp(input.actor, input.doc.region_id, input.now), 'comment.disposition_set', ['comment', c.id], {
      disposition: input.disposition,
      versionId: input.versionId || null,
    })
    if (c.author_id !== input.actor.userId) {
      await notify(trx, {
        userId: c.author_id,
        regionId: input.doc.region_id,
        kind: 'comment.answered',
        subjectId: c.id,
        data: { docId: input.doc.id, title: input.doc.title, disposition: input.disposition },
        now: input.now,
      })
    }
  })
  return done()
}

/** A coordinator approves a waiting comment, or hides one with a reason (audited; the author is told). */
export async function moderate(
  db: DB,
  input: { actor: Actor; doc: Document; commentId: string; decision: 'approve' | 'hide'; reason: string; now: Date },
): Promise<Result<object, 'not_found' | 'forbidden'>> {
  const found = await commentFor(db, input.actor, input.doc, input.commentId, 'moderate', input.now)
  if (!found.ok) return found
  const { comment: c } = found
  const approve = input.decision === 'approve'
  await inTransaction(db, async (trx) => {
    await trx
      .updateTable('comments')
      .set({ moderation: approve ? 'visible' : 'hidden', hidden_reason: approve ? null : input.reason, moderated_by: input.actor.userId, moderated_at: iso(input.now) })
      .where('id', '=', c.id)
      .execute()
    await audit(trx, stamp(input.actor, input.doc.region_id, input.now), approve ? 'comment.approved' : 'comment.hidden', ['comment', c.id], approve ? {} : { reason: input.reason })
    await notify(trx, {
      userId: c.author_id,
      regionId: input.doc.region_id,
      kind: approve ? 'comment.approved' : 'comment.hidden',
      subjectId: c.id,
      data: { docId: input.doc.id, title: input.doc.title },
      now: input.now,
    })
  })
  return done()
}

/** Marks the person's unread notifications read; with `upTo` only those created at or before it (the ones they saw). */
export async function markRead(db: DB, input: { userId: string; now: Date; upTo?: string }): Promise<Result> {
  let q = db.updateTable('notifications').set({ read_at: iso(input.now) }).where('user_id', '=', input.userId).where('read_at', 'is', null)
  if (input.upTo) q = q.where('created_at', '<=', input.upTo)
  await q.execute()
  return done()
}
