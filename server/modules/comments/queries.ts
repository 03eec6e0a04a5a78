import type * as Y from 'yjs'
import type { DB } from '../../../db/connect'
import type { Disposition, Document, Moderation } from '../../../db/schema'
import { can, type Actor, type CommentResource } from '../../policy/can'
import { asResource, withDocumentState, type LiveDocuments } from '../documents/queries'
import { anchorStatus, type AnchorStatus } from './anchors'
import { reviewFilters, type ReviewFilter } from './schemas'

/**
 * What the comment pages show, already filtered by the policy: the comments on a document with
 * where each stands against the text now, the review page's filters, a person's own comments and
 * news, and a version's response report.
 */

export function commentResource(doc: Document, c: { author_id: string; moderation: Moderation }, now: Date): CommentResource {
  return { type: 'comment', authorId: c.author_id, moderation: c.moderation, document: asResource(doc, now) }
}

export function findComment(db: DB, docId: string, commentId: string) {
  return db.selectFrom('comments').selectAll().where('doc_id', '=', docId).where('id', '=', commentId).executeTakeFirst()
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

type TextSource = { ydoc: Y.Doc } | { live: LiveDocuments | undefined }

/**
 * The comments on a document that this person may see, with where each stands now against the
 * text (given as a Y.Doc the caller already holds, or read here from `live`). People appear by
 * their (display) name only; nothing else about them is shown.
 */
export async function listComments(db: DB, input: { actor: Actor; doc: Document; now: Date } & TextSource): Promise<CommentView[]> {
  if (!('ydoc' in input)) return withDocumentState(db, input.live, input.doc.id, (ydoc) => listComments(db, { actor: input.actor, doc: input.doc, now: input.now, ydoc }))
  const rows = await db
    .selectFrom('comments')
    .innerJoin('users', 'users.id', 'comments.author_id')
    .leftJoin('doc_versions', 'doc_versions.id', 'comments.disposition_version_id')
    .selectAll('comments')
    .select(['users.name as author_name', 'doc_versions.label as version_label'])
    .where('comments.doc_id', '=', input.doc.id)
    .orderBy('comments.created_at')
    .execute()
  const visible = rows.filter((r) => can(input.actor, 'view', commentResource(input.doc, r, input.now)))
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
    const resource = commentResource(input.doc, r, input.now)
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

const inFilter: Record<ReviewFilter, (c: CommentView) => boolean> = {
  all: () => true,
  open: (c) => c.disposition === 'open' && c.moderation === 'visible',
  answered: (c) => c.disposition !== 'open',
  pending: (c) => c.moderation === 'pending',
  outdated: (c) => c.status === 'outdated',
  orphaned: (c) => c.status === 'orphaned',
}

export function asReviewFilter(value: string | null): ReviewFilter {
  return (reviewFilters as readonly string[]).includes(value ?? '') ? (value as ReviewFilter) : 'all'
}

/**
 * The review page: the comments this person may see in one filter (open, answered, waiting for
 * approval, text changed, text removed), grouped by principle, with the count per filter.
 */
export async function reviewComments(db: DB, live: LiveDocuments | undefined, input: { actor: Actor; doc: Document; filter: ReviewFilter; now: Date }) {
  const all = await listComments(db, { actor: input.actor, doc: input.doc, now: input.now, live })
  const shown = all.filter(inFilter[input.filter])
  return {
    filter: input.filter,
    counts: Object.fromEntries(reviewFilters.map((f) => [f, all.filter(inFilter[f]).length])) as Record<ReviewFilter, number>,
    sections: [...new Set(shown.map((c) => c.section))].map((section) => ({ section, comments: shown.filter((c) => c.section === section) })),
  }
}

/**
 * Comments with what they said and how they were answered: the disposition, its reason, and (joined
 * for the caller to name) the version they were handled in, `doc_versions.label`.
 */
function commentsWithAnswers(db: DB) {
  return db
    .selectFrom('comments')
    .leftJoin('doc_versions', 'doc_versions.id', 'comments.disposition_version_id')
    .select([
      'comments.id',
      'comments.section',
      'comments.quote',
      'comments.body',
      'comments.disposition',
      'comments.disposition_reason',
      'comments.created_at',
    ])
}

/** "My comments": everything a person said, across documents, with the answers they got. */
export function myComments(db: DB, userId: string) {
  return commentsWithAnswers(db)
    .innerJoin('documents', 'documents.id', 'comments.doc_id')
    .innerJoin('regions', 'regions.id', 'comments.region_id')
    .select([
      'comments.moderation',
      'comments.hidden_reason',
      'comments.disposition_at',
      'documents.id as doc_id',
      'documents.title as doc_title',
      'regions.slug as region_slug',
      'doc_versions.label as version_label',
    ])
    .where('comments.author_id', '=', userId)
    .orderBy('comments.created_at', 'desc')
    .execute()
}

export function listNotifications(db: DB, userId: string, limit = 50) {
  return db
    .selectFrom('notifications')
    .select(['id', 'kind', 'subject_id', 'data', 'created_at', 'read_at', 'region_id'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute()
}

/** The person's unread notifications as the "new for you" list shows them: what happened to which document. */
export async function unreadNews(db: DB, userId: string, limit = 20) {
  return (await listNotifications(db, userId, limit))
    .filter((n) => !n.read_at)
    .map((n) => ({ id: n.id, kind: n.kind, createdAt: n.created_at, title: String((JSON.parse(n.data) as { title?: string }).title ?? '') }))
}

export async function unreadCount(db: DB, userId: string): Promise<number> {
  const row = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(row.n)
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
  const rows = await commentsWithAnswers(db)
    .innerJoin('users', 'users.id', 'comments.author_id')
    .select(['users.name as author', 'doc_versions.label as handled_in'])
    .where('comments.doc_id', '=', input.doc.id)
    .where('comments.moderation', '=', 'visible')
    .where('comments.created_at', '<=', version.created_at)
    .orderBy('comments.section')
    .orderBy('comments.created_at')
    .execute()
  return { version, rows }
}
