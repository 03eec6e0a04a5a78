import * as Y from 'yjs'
import type { Node as PMNode } from '@tiptap/pm/model'
import type { DB } from '../../../db/connect'
import type { Document } from '../../../db/schema'
import { abilities, can, isClosed, permissionOn, type Actor, type DocumentResource } from '../../policy/can'
import { loadDoc } from '../../collab/persistence'
import { blocksOf, compareBlocks, foldUnchanged, type Comparison } from './diff'
import { contentNode, docFromVersionState, renderHTML } from './render'
import { creatableKinds } from './schemas'

/**
 * Reads of the documents module: a document and what a person may do with it, the documents page,
 * the document page's text, versions and their comparison, adoptions. Each answer is already
 * filtered by the policy; nothing here writes.
 */

/** A document row with its region's setting that the policy needs. */
export type DocumentRow = Document & { providers_may_draft?: number }

/**
 * The document as the policy sees it, at `now` (the server clock): its lock, its closing time and
 * the moment of asking, so `can()` alone decides. `now` is required: every caller passes the
 * context's clock, so tests can move it past a deadline.
 */
export function asResource(
  doc: Pick<Document, 'region_id' | 'kind' | 'owner_organisation_id' | 'status'> & { closes_at?: string | null; providers_may_draft?: number },
  now: Date,
): DocumentResource {
  return {
    type: 'document',
    regionId: doc.region_id,
    kind: doc.kind,
    ownerOrganisationId: doc.owner_organisation_id,
    locked: doc.status === 'locked',
    providersMayDraft: Boolean(doc.providers_may_draft),
    closesAt: doc.closes_at ?? null,
    asOf: now,
  }
}

/** Documents with their region's "providers may draft the principles" setting. */
function documentsWithRegion(db: DB) {
  return db.selectFrom('documents').innerJoin('regions', 'regions.id', 'documents.region_id').selectAll('documents').select('regions.providers_may_draft')
}

export function findDocument(db: DB, id: string): Promise<DocumentRow | undefined> {
  return documentsWithRegion(db).where('documents.id', '=', id).executeTakeFirst()
}

/** Why the page is read-only for this person, or null when they may edit. */
export type ReadOnlyReason = 'locked' | 'closed' | 'comment' | 'read'

/** What the document page needs from the policy: the buttons (abilities) and the reason it is read-only. */
export function documentStanding(actor: Actor | null, doc: DocumentRow, now: Date) {
  const resource = asResource(doc, now)
  const can = abilities(actor, resource)
  const permission = permissionOn(actor, resource)
  const readOnlyReason: ReadOnlyReason | null = can.edit
    ? null
    : resource.locked
      ? 'locked'
      : isClosed(resource)
        ? 'closed'
        : permission === 'comment'
          ? 'comment'
          : 'read'
  return { resource, abilities: can, permission, readOnlyReason }
}

/** The kinds of document this person may start in the region (the "new document" form's choices). */
export function creatableKindsFor(actor: Actor | null, regionId: string) {
  return creatableKinds.filter((kind) =>
    can(actor, 'create', { type: 'document', regionId, kind, ownerOrganisationId: null, locked: false }),
  )
}

/**
 * The documents page: the region's documents this person may at least read, newest first, with
 * their access level and the date of their latest adoption (a document that was adopted says so
 * rather than "concept").
 */
export async function listDocuments(db: DB, input: { actor: Actor; regionId: string; now: Date }) {
  const docs = await documentsWithRegion(db).where('documents.region_id', '=', input.regionId).orderBy('documents.created_at', 'desc').execute()
  const readable = docs
    .map((d) => ({ doc: d, permission: permissionOn(input.actor, asResource(d, input.now)) }))
    .filter((d) => d.permission !== 'none')
  const adopted = await adoptionDates(
    db,
    readable.map((d) => d.doc.id),
  )
  return readable.map(({ doc, permission }) => ({
    id: doc.id,
    title: doc.title,
    kind: doc.kind,
    status: doc.status,
    adoptedOn: adopted.get(doc.id) ?? null,
    permission,
    created_at: doc.created_at,
  }))
}

/* ------------------------------------------------------------------------------------------------
 * The text: from the live document when it is open here, else from the store.
 */

/**
 * Where loaded documents live: the collaboration server (server/collab/server.ts), or a stand-in in
 * tests. A snapshot holds only what the log holds, as a reader arriving now would get it; null when
 * the document is not loaded there.
 */
export interface LiveDocuments {
  snapshot(docId: string): Promise<Uint8Array | null>
}

/** A Y.Doc of its own holding the latest state: the live document's, else the stored one. The caller destroys it. */
export async function latestState(db: DB, live: LiveDocuments | undefined, docId: string): Promise<Y.Doc> {
  const update = (await live?.snapshot(docId)) ?? (await loadDoc(db, docId)).update
  const doc = new Y.Doc()
  if (update) Y.applyUpdate(doc, update)
  return doc
}

/** Runs `read` on a copy of the document's latest state and frees the copy afterwards, also when `read` throws. */
export async function withDocumentState<T>(db: DB, live: LiveDocuments | undefined, docId: string, read: (doc: Y.Doc) => T | Promise<T>): Promise<T> {
  const doc = await latestState(db, live, docId)
  try {
    return await read(doc)
  } finally {
    doc.destroy()
  }
}

/** The latest text of a document as HTML, for the document page before (or without) JavaScript. */
export function documentHTML(db: DB, live: LiveDocuments | undefined, docId: string): Promise<string> {
  return withDocumentState(db, live, docId, renderHTML)
}

/* ------------------------------------------------------------------------------------------------
 * Versions and adoptions.
 */

export interface VersionSummary {
  id: string
  label: string
  created_at: string
  created_by: string | null
  author: string | null
}

/** The versions of a document, newest first, without their states; none for someone who may not read it. */
export async function listVersions(db: DB, input: { actor: Actor; doc: DocumentRow; now: Date }): Promise<VersionSummary[]> {
  if (!can(input.actor, 'read', asResource(input.doc, input.now))) return []
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

const bytes = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength)

/** A saved version's text as ProseMirror content. */
export function versionNode(state: Uint8Array): PMNode {
  const doc = docFromVersionState(bytes(state))
  try {
    return contentNode(doc)
  } finally {
    doc.destroy()
  }
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
  input: { actor: Actor; doc: DocumentRow; from: string; to: string | 'current'; now: Date },
): Promise<CompareResult> {
  if (!can(input.actor, 'read', asResource(input.doc, input.now))) return { ok: false, reason: 'not_found' }
  const from = await findVersion(db, input.doc.id, input.from)
  if (!from) return { ok: false, reason: 'not_found' }
  let toRef: VersionRef
  let toNode: PMNode
  if (input.to === 'current') {
    toNode = await withDocumentState(db, live, input.doc.id, contentNode)
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

/** The latest adoption of a document, with the adopted version's label. */
export function latestAdoption(db: DB, docId: string) {
  return db
    .selectFrom('adoptions')
    .innerJoin('doc_versions', 'doc_versions.id', 'adoptions.version_id')
    .leftJoin('users', 'users.id', 'adoptions.adopted_by')
    .select([
      'adoptions.id',
      'adoptions.version_id',
      'adoptions.adopted_on',
      'adoptions.reference',
      'doc_versions.label as version_label',
      'users.name as adopted_by_name',
    ])
    .where('adoptions.doc_id', '=', docId)
    .orderBy('adoptions.created_at', 'desc')
    .limit(1)
    .executeTakeFirst()
}

/** The date of each listed document's latest adoption; documents never adopted are absent from the map. */
export async function adoptionDates(db: DB, docIds: string[]): Promise<Map<string, string>> {
  if (docIds.length === 0) return new Map()
  const rows = await db
    .selectFrom('adoptions')
    .select((eb) => ['doc_id', eb.fn.max('adopted_on').as('adopted_on')])
    .where('doc_id', 'in', docIds)
    .groupBy('doc_id')
    .execute()
  return new Map(rows.map((r) => [r.doc_id, String(r.adopted_on)]))
}

/**
 * The versions page: the list, a comparison when asked for (long unchanged stretches folded unless
 * `all`), the latest adoption, and the buttons.
 */
export async function versionsPage(
  db: DB,
  live: LiveDocuments | undefined,
  input: { actor: Actor; doc: DocumentRow; now: Date; from: string | null; to: string | 'current'; all: boolean },
) {
  const result = input.from ? await compareVersions(db, live, { actor: input.actor, doc: input.doc, from: input.from, to: input.to, now: input.now }) : null
  if (result && !result.ok) return result
  const rows = result?.comparison.rows ?? []
  const items = input.all ? rows : foldUnchanged(rows)
  return {
    ok: true as const,
    versions: await listVersions(db, input),
    adoption: (await latestAdoption(db, input.doc.id)) ?? null,
    compared: result && {
      from: result.from,
      to: result.to,
      insertedWords: result.comparison.insertedWords,
      deletedWords: result.comparison.deletedWords,
      changed: rows.some((r) => r.change !== 'same'),
      items,
      folded: items.length < rows.length,
    },
    abilities: abilities(input.actor, asResource(input.doc, input.now)),
  }
}
