import * as Y from 'yjs'
import { diffArrays, diffWords } from 'diff'
import { z } from 'zod'
import type { Node as PMNode } from '@tiptap/pm/model'
import { prosemirrorToYXmlFragment } from '@tiptap/y-tiptap'
import { inTransaction, type DB, type Trx } from '../../../db/connect'
import type { Document } from '../../../db/schema'
import type { Actor } from '../../policy/can'
import { randomId } from '../../lib/ids'
import { iso } from '../../lib/time'
import { recordAudit } from '../audit/audit'
import { appendUpdate } from '../../collab/persistence'
import { SERVER_ORIGIN } from '../../collab/room'
import { FRAGMENT, NotAllowedError, permissionFor } from './documents'
import { contentNode, docFromVersionState, latestState, type LiveDocuments } from './render'

/**
 * Named versions of a document (DESIGN.md, "Real-time documents"): a version is the document's
 * state when it was saved (Y.encodeStateAsUpdateV2), not a history kept by the live document.
 * Saving and restoring need 'edit'; listing and comparing need 'read'. Restoring writes the old
 * text as a new change, through the live room when the document is open, so everyone sees it and
 * it lands in the update log like any edit.
 */

export const LABEL_MAX = 120
export const versionLabel = z.string({ error: 'error.required' }).trim().min(1, 'error.required').max(LABEL_MAX, `error.tooLong|${LABEL_MAX}`)
export const saveVersionSchema = z.object({ intent: z.literal('save'), label: versionLabel })
export const restoreVersionSchema = z.object({ intent: z.literal('restore'), versionId: z.string().min(1).max(64) })

const bytes = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)

function requireEdit(actor: Actor, doc: Document) {
  if (permissionFor(actor, doc) !== 'edit') throw new NotAllowedError()
}
function requireRead(actor: Actor, doc: Document) {
  if (permissionFor(actor, doc) === 'none') throw new NotAllowedError()
}

async function insertVersion(
  trx: Trx,
  input: { doc: Document; label: string; state: Uint8Array; actorId: string; now: Date; automatic?: boolean },
): Promise<string> {
  const id = randomId()
  await trx
    .insertInto('doc_versions')
    .values({
      id,
      doc_id: input.doc.id,
      label: input.label,
      state: Buffer.from(input.state),
      created_by: input.actorId,
      created_at: iso(input.now),
    })
    .execute()
  await recordAudit(trx, {
    action: 'document.version_saved',
    subjectType: 'document',
    subjectId: input.doc.id,
    regionId: input.doc.region_id,
    actorId: input.actorId,
    data: { versionId: id, label: input.label, ...(input.automatic ? { automatic: true } : {}) },
    at: input.now,
  })
  return id
}

export type SaveResult = { ok: true; id: string } | { ok: false; errors: { label: string } }

/** Saves the document's current state under a label (trimmed, 1–120 characters). */
export async function saveVersion(
  db: DB,
  live: LiveDocuments | undefined,
  input: { actor: Actor; doc: Document; label: string; now: Date },
): Promise<SaveResult> {
  requireEdit(input.actor, input.doc)
  const label = versionLabel.safeParse(input.label)
  if (!label.success) return { ok: false, errors: { label: label.error.issues[0]?.message ?? 'error.required' } }
  const current = await latestState(db, live, input.doc.id)
  const state = Y.encodeStateAsUpdateV2(current)
  current.destroy()
  const id = await inTransaction(db, (trx) =>
    insertVersion(trx, { doc: input.doc, label: label.data, state, actorId: input.actor.userId, now: input.now }),
  )
  return { ok: true, id }
}

export interface VersionSummary {
  id: string
  label: string
  created_at: string
  created_by: string | null
  author: string | null
}

/** The versions of a document, newest first, without their states. */
export async function listVersions(db: DB, input: { actor: Actor; doc: Document }): Promise<VersionSummary[]> {
  requireRead(input.actor, input.doc)
  return db
    .selectFrom('doc_versions')
    .leftJoin('users', 'users.id', 'doc_versions.created_by')
    .select(['doc_versions.id', 'doc_versions.label', 'doc_versions.created_at', 'doc_versions.created_by', 'users.name as author'])
    .where('doc_versions.doc_id', '=', input.doc.id)
    .orderBy('doc_versions.created_at', 'desc')
    .orderBy('doc_versions.id', 'desc')
    .execute()
}

/** One version of this document (never another document's), with its state. */
export function findVersion(db: DB, docId: string, versionId: string) {
  return db
    .selectFrom('doc_versions')
    .leftJoin('users', 'users.id', 'doc_versions.created_by')
    .select(['doc_versions.id', 'doc_versions.label', 'doc_versions.state', 'doc_versions.created_at', 'doc_versions.created_by', 'users.name as author'])
    .where('doc_versions.id', '=', versionId)
    .where('doc_versions.doc_id', '=', docId)
    .executeTakeFirst()
}

function versionNode(state: Uint8Array): PMNode {
  const doc = docFromVersionState(bytes(state))
  try {
    return contentNode(doc)
  } finally {
    doc.destroy()
  }
}

export type RestoreResult =
  | { ok: true; changed: boolean; label: string; backupId: string | null; backupLabel: string | null }
  | { ok: false; reason: 'not_found' }

/**
 * Makes the document's text what it was in a version, as a new change on top of the current one
 * (re-applying an old update would do nothing). The Y fragment is brought to the old content with
 * y-tiptap's diffing update, in one transaction: paragraphs that did not change keep their
 * identity, so other people's carets (and later, comment anchors) in them stay put.
 *
 * When `backupLabel` is given and the text differs, the current text is first saved as a version
 * under the label it returns for the restored version's label, so a restore never loses what was
 * there.
 */
export async function restoreVersion(
  db: DB,
  live: LiveDocuments | undefined,
  input: { actor: Actor; doc: Document; versionId: string; now: Date; backupLabel?: (restoredLabel: string) => string },
): Promise<RestoreResult> {
  requireEdit(input.actor, input.doc)
  const version = await findVersion(db, input.doc.id, input.versionId)
  if (!version) return { ok: false, reason: 'not_found' }
  const target = versionNode(version.state)
  const actorId = input.actor.userId
  const audit = (trx: Trx) =>
    recordAudit(trx, {
      action: 'document.version_restored',
      subjectType: 'document',
      subjectId: input.doc.id,
      regionId: input.doc.region_id,
      actorId,
      data: { versionId: version.id, label: version.label },
      at: input.now,
    })

  const current = await latestState(db, live, input.doc.id)
  const unchanged = contentNode(current).eq(target)
  const backupState = Y.encodeStateAsUpdateV2(current)
  current.destroy()
  if (unchanged) return { ok: true, changed: false, label: version.label, backupId: null, backupLabel: null }
  const backupLabel = input.backupLabel ? versionLabel.safeParse(input.backupLabel(version.label)) : null
  const done = (backupId: string | null): RestoreResult => ({
    ok: true,
    changed: true,
    label: version.label,
    backupId,
    backupLabel: backupId && backupLabel?.success ? backupLabel.data : null,
  })
  const backup = (trx: Trx) =>
    backupLabel?.success
      ? insertVersion(trx, { doc: input.doc, label: backupLabel.data, state: backupState, actorId, now: input.now, automatic: true })
      : Promise.resolve(null)

  const room = live?.loaded(input.doc.id)
  if (room) {
    const ready = await room.ready.then(
      () => true,
      () => false,
    )
    // No await between this check and the change: an idle room cannot start unloading in between,
    // so the change goes through the room's write path (stored, then broadcast to everyone).
    if (ready && live?.loaded(input.doc.id) === room) {
      const backupId = await inTransaction(db, backup)
      if (live.loaded(input.doc.id) === room) {
        room.doc.transact(() => {
          prosemirrorToYXmlFragment(target, room.doc.getXmlFragment(FRAGMENT))
        }, SERVER_ORIGIN)
        await room.drained()
        await inTransaction(db, audit)
        return done(backupId)
      }
      // Unloaded while the backup was written: restore through the store instead.
      return done(await restoreInStore(db, live, input.doc.id, target, input.now, audit, async () => backupId))
    }
  }
  return done(await restoreInStore(db, live, input.doc.id, target, input.now, audit, backup))
}

/** The document is not open here: compute the change on a copy of the stored state and append it. */
async function restoreInStore(
  db: DB,
  live: LiveDocuments | undefined,
  docId: string,
  target: PMNode,
  now: Date,
  audit: (trx: Trx) => Promise<void>,
  backup: (trx: Trx) => Promise<string | null>,
): Promise<string | null> {
  const doc = await latestState(db, undefined, docId)
  const before = Y.encodeStateVector(doc)
  doc.transact(() => {
    prosemirrorToYXmlFragment(target, doc.getXmlFragment(FRAGMENT))
  }, SERVER_ORIGIN)
  const update = Y.encodeStateAsUpdate(doc, before)
  doc.destroy()
  const backupId = await inTransaction(db, async (trx) => {
    const id = await backup(trx)
    await appendUpdate(trx, docId, update, now)
    await audit(trx)
    return id
  })
  // A room that started loading meanwhile may have read the store before this commit: let it
  // catch up from the log (idempotent when it already has the change).
  const room = live?.loaded(docId)
  if (room) await room.ready.then(() => room.pullRemote()).catch(() => undefined)
  return backupId
}

/* ------------------------------------------------------------------------------------------------
 * Comparing two versions (or a version with the current text): block by block, word by word.
 */

export type BlockType = 'paragraph' | 'heading2' | 'heading3' | 'heading' | 'bullet' | 'ordered' | 'quote' | 'code' | 'rule'

export interface Block {
  type: BlockType
  /** nesting depth of lists */
  depth: number
  /** the list marker, e.g. "3." (display only) */
  marker?: string
  text: string
}

/** The document as a flat list of text blocks, the unit the comparison aligns. */
export function blocksOf(node: PMNode): Block[] {
  const out: Block[] = []
  const walk = (n: PMNode, ctx: { list: 'bullet' | 'ordered' | null; depth: number; quote: boolean; marker?: string }) => {
    n.forEach((child, _offset, index) => {
      const name = child.type.name
      if (name === 'bulletList' || name === 'orderedList') {
        const start = name === 'orderedList' ? Number(child.attrs.start ?? 1) : 1
        child.forEach((item, _o, i) => {
          walk(item, {
            list: name === 'bulletList' ? 'bullet' : 'ordered',
            depth: ctx.depth + 1,
            quote: ctx.quote,
            marker: name === 'bulletList' ? '•' : `${start + i}.`,
          })
        })
      } else if (name === 'blockquote') {
        walk(child, { ...ctx, quote: true })
      } else if (name === 'horizontalRule') {
        out.push({ type: 'rule', depth: ctx.depth, text: '' })
      } else if (child.isTextblock) {
        const text = child.textContent
        let type: BlockType
        if (ctx.list) type = ctx.list
        else if (ctx.quote) type = 'quote'
        else if (name === 'heading') type = child.attrs.level === 2 ? 'heading2' : child.attrs.level === 3 ? 'heading3' : 'heading'
        else if (name === 'codeBlock') type = 'code'
        else type = 'paragraph'
        // Only the first paragraph of a list item carries the marker.
        out.push({ type, depth: ctx.depth, marker: ctx.list && index === 0 ? ctx.marker : undefined, text })
      } else if (child.childCount > 0) {
        walk(child, ctx)
      }
    })
  }
  walk(node, { list: null, depth: 0, quote: false })
  return out
}

export interface Segment {
  text: string
  change?: 'ins' | 'del'
}

export interface DiffRow {
  change: 'same' | 'changed' | 'added' | 'removed'
  type: BlockType
  depth: number
  /** the block in the older text (with deletions marked), null when the block was added */
  before: { marker?: string; segments: Segment[] } | null
  /** the block in the newer text (with insertions marked), null when the block was removed */
  after: { marker?: string; segments: Segment[] } | null
}

export interface Comparison {
  rows: DiffRow[]
  insertedWords: number
  deletedWords: number
}

/** Below this share of common words, a pair of blocks counts as replaced rather than edited. */
const SIMILAR = 0.3
const words = (s: string) => s.split(/\s+/).filter(Boolean).length
const sig = (b: Block) => `${b.type}|${b.depth}|${b.text}`

/** Blocks are aligned first (unchanged ones match exactly); blocks that changed are compared word by word. */
export function compareBlocks(before: Block[], after: Block[]): Comparison {
  const rows: DiffRow[] = []
  let insertedWords = 0
  let deletedWords = 0
  const parts = diffArrays(before.map(sig), after.map(sig))
  let i = 0
  let j = 0
  const removedRow = (b: Block): DiffRow => {
    deletedWords += words(b.text)
    return { change: 'removed', type: b.type, depth: b.depth, before: { marker: b.marker, segments: [{ text: b.text, change: 'del' }] }, after: null }
  }
  const addedRow = (b: Block): DiffRow => {
    insertedWords += words(b.text)
    return { change: 'added', type: b.type, depth: b.depth, before: null, after: { marker: b.marker, segments: [{ text: b.text, change: 'ins' }] } }
  }
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k]!
    if (!part.added && !part.removed) {
      for (let n = 0; n < part.count; n++) {
        const a = before[i++]!
        const b = after[j++]!
        rows.push({ change: 'same', type: b.type, depth: b.depth, before: { marker: a.marker, segments: [{ text: a.text }] }, after: { marker: b.marker, segments: [{ text: b.text }] } })
      }
      continue
    }
    // A run of removed blocks next to a run of added ones: pair them up as changed blocks.
    const next = parts[k + 1]
    const removed = part.removed ? part.count : next?.removed ? next.count : 0
    const added = part.added ? part.count : next?.added ? next.count : 0
    if (next && (next.added || next.removed) && next.added !== part.added) k++
    const olds = before.slice(i, i + removed)
    const news = after.slice(j, j + added)
    i += removed
    j += added
    const pairs = Math.min(olds.length, news.length)
    for (let n = 0; n < pairs; n++) {
      const a = olds[n]!
      const b = news[n]!
      const changes = diffWords(a.text, b.text, { timeout: 500 })
      // Blocks that share (almost) nothing read better as one removed and one added block.
      const common = changes ? changes.filter((c) => !c.added && !c.removed).reduce((n, c) => n + words(c.value), 0) : 0
      if (!changes || (2 * common) / Math.max(1, words(a.text) + words(b.text)) < SIMILAR) {
        rows.push(removedRow(a), addedRow(b))
        continue
      }
      const left: Segment[] = []
      const right: Segment[] = []
      for (const c of changes) {
        if (c.added) {
          right.push({ text: c.value, change: 'ins' })
          insertedWords += words(c.value)
        } else if (c.removed) {
          left.push({ text: c.value, change: 'del' })
          deletedWords += words(c.value)
        } else {
          left.push({ text: c.value })
          right.push({ text: c.value })
        }
      }
      rows.push({ change: 'changed', type: b.type, depth: b.depth, before: { marker: a.marker, segments: left }, after: { marker: b.marker, segments: right } })
    }
    for (const a of olds.slice(pairs)) rows.push(removedRow(a))
    for (const b of news.slice(pairs)) rows.push(addedRow(b))
  }
  return { rows, insertedWords, deletedWords }
}

export interface VersionRef {
  id: string | 'current'
  label: string | null
  created_at: string | null
  author: string | null
}

export type CompareResult = { ok: true; from: VersionRef; to: VersionRef; comparison: Comparison } | { ok: false; reason: 'not_found' }

/** Compares version `from` with version `to`, or with the current text when `to` is 'current'. */
export async function compareVersions(
  db: DB,
  live: LiveDocuments | undefined,
  input: { actor: Actor; doc: Document; from: string; to: string | 'current' },
): Promise<CompareResult> {
  requireRead(input.actor, input.doc)
  const from = await findVersion(db, input.doc.id, input.from)
  if (!from) return { ok: false, reason: 'not_found' }
  let toRef: VersionRef
  let toNode: PMNode
  if (input.to === 'current') {
    const current = await latestState(db, live, input.doc.id)
    toNode = contentNode(current)
    current.destroy()
    toRef = { id: 'current', label: null, created_at: null, author: null }
  } else {
    const to = await findVersion(db, input.doc.id, input.to)
    if (!to) return { ok: false, reason: 'not_found' }
    toNode = versionNode(to.state)
    toRef = { id: to.id, label: to.label, created_at: to.created_at, author: to.author }
  }
  const comparison = compareBlocks(blocksOf(versionNode(from.state)), blocksOf(toNode))
  return { ok: true, from: { id: from.id, label: from.label, created_at: from.created_at, author: from.author }, to: toRef, comparison }
}
