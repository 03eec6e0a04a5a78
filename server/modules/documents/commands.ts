import * as Y from 'yjs'
import { prosemirrorToYXmlFragment } from '@tiptap/y-tiptap'
import { inTransaction, type DB, type Trx } from '../../../db/connect'
import type { DocumentKind } from '../../../db/schema'
import { can, type Actor } from '../../policy/can'
import { randomId } from '../../lib/ids'
import { done, refuse, type Result } from '../../lib/result'
import { iso } from '../../lib/time'
import { audit, stamp, type Stamp } from '../audit/audit'
import { appendUpdate } from '../../collab/persistence'
import { asResource, findDocument, findVersion, versionNode, withDocumentState, type DocumentRow, type LiveDocuments } from './queries'
import { contentNode, FRAGMENT, paragraphsUpdate } from './render'
import { decisionDay, versionLabel, type DocumentRefusal } from './schemas'

/**
 * Writes of the documents module (ADR 0017): each checks `can` itself, writes in one transaction
 * with its audit entry, and returns done(…) or refuse(reason); schemas.ts says how each reason is
 * shown. Changes to a document's text go through the collaboration server (CollabPort), never into
 * a loaded document directly, so nobody sees a change before it is stored.
 */

/** What the commands ask of the collaboration server (server/collab/server.ts). */
export interface CollabPort extends LiveDocuments {
  /** a change by the server to the text: stored first, then applied and sent to everyone */
  applyServerChange(docId: string, change: (doc: Y.Doc) => void): Promise<void>
  /** access to a document changed: open sockets are judged again (and become read-only, say) */
  accessChanged(notice: { docId: string }): Promise<void>
}

/**
 * Creates a document, optionally with a first text (paragraphs, or a Yjs update such as the seeded
 * principles), and audits it. The first text goes into the update log like any edit. The module
 * API for the seed and for other modules, which decide themselves who may; a person's request goes
 * through newDocument.
 */
export async function createDocument(
  db: DB,
  input: {
    regionId: string
    kind: DocumentKind
    title: string
    ownerOrganisationId?: string | null
    actorId: string | null
    now: Date
    paragraphs?: string[]
    /** a first content as a Yjs update (e.g. the seeded principles) */
    initial?: Uint8Array
  },
): Promise<string> {
  const id = randomId()
  await inTransaction(db, async (trx) => {
    await trx
      .insertInto('documents')
      .values({
        id,
        region_id: input.regionId,
        kind: input.kind,
        title: input.title,
        owner_organisation_id: input.ownerOrganisationId ?? null,
        status: 'draft',
        locked_at: null,
        last_seq: 0,
        created_by: input.actorId,
        created_at: iso(input.now),
      })
      .execute()
    const first = input.initial ?? (input.paragraphs?.length ? paragraphsUpdate(input.paragraphs) : null)
    if (first) await appendUpdate(trx, id, first, input.now)
    await audit(trx, stamp(input.actorId, input.regionId, input.now), 'document.created', ['document', id], { kind: input.kind, title: input.title })
  })
  return id
}

/** A person starts a document of the region ("Document maken"): a drafter of the region only. */
export async function newDocument(
  db: DB,
  input: { actor: Actor; regionId: string; kind: DocumentKind; title: string; now: Date },
): Promise<Result<{ id: string }, 'forbidden'>> {
  const resource = { type: 'document', regionId: input.regionId, kind: input.kind, ownerOrganisationId: null, locked: false } as const
  if (!can(input.actor, 'create', resource)) return refuse('forbidden')
  const id = await createDocument(db, { regionId: input.regionId, kind: input.kind, title: input.title, actorId: input.actor.userId, now: input.now })
  return done({ id })
}

/**
 * Locks a document: read-only for everyone, until it is unlocked. The lock and its audit entry are
 * one transaction; then the collaboration server is told, so open editors become read-only at once.
 * Locking a locked document changes nothing and records nothing.
 */
export function lockDocument(db: DB, collab: Pick<CollabPort, 'accessChanged'>, input: { actor: Actor; doc: DocumentRow; now: Date }) {
  return setLock(db, collab, { ...input, locked: true })
}

/** Unlocks a locked document; the open editors of those who may edit get their editing back. */
export function unlockDocument(db: DB, collab: Pick<CollabPort, 'accessChanged'>, input: { actor: Actor; doc: DocumentRow; now: Date }) {
  return setLock(db, collab, { ...input, locked: false })
}

async function setLock(
  db: DB,
  collab: Pick<CollabPort, 'accessChanged'>,
  input: { actor: Actor; doc: DocumentRow; now: Date; locked: boolean },
): Promise<Result<{ changed: boolean }, 'forbidden' | 'not_found'>> {
  const result = await inTransaction(db, async (trx): Promise<Result<{ changed: boolean }, 'forbidden' | 'not_found'>> => {
    // The row as it is now, not as the page saw it.
    const doc = await findDocument(trx, input.doc.id)
    if (!doc) return refuse('not_found')
    if (!can(input.actor, 'lock', asResource(doc, input.now))) return refuse('forbidden')
    if ((doc.status === 'locked') === input.locked) return done({ changed: false })
    await trx
      .updateTable('documents')
      .set({ status: input.locked ? 'locked' : 'draft', locked_at: input.locked ? iso(input.now) : null })
      .where('id', '=', doc.id)
      .execute()
    await audit(trx, stamp(input.actor, doc.region_id, input.now), input.locked ? 'document.locked' : 'document.unlocked', ['document', doc.id])
    return done({ changed: true })
  })
  if (result.ok && result.changed) await collab.accessChanged({ docId: input.doc.id })
  return result
}

async function insertVersion(
  trx: Trx,
  by: Stamp,
  input: { doc: DocumentRow; label: string; state: Uint8Array; automatic?: boolean },
): Promise<string> {
  const id = randomId()
  await trx
    .insertInto('doc_versions')
    .values({ id, doc_id: input.doc.id, label: input.label, state: Buffer.from(input.state), created_by: by.actorId, created_at: iso(by.at) })
    .execute()
  await audit(trx, by, 'document.version_saved', ['document', input.doc.id], {
    versionId: id,
    label: input.label,
    ...(input.automatic ? { automatic: true } : {}),
  })
  return id
}

type LabelRefusal = Extract<DocumentRefusal, 'label_required' | 'label_too_long'>

function checkLabel(label: string): Result<{ label: string }, LabelRefusal> {
  const parsed = versionLabel.safeParse(label)
  if (parsed.success) return done({ label: parsed.data })
  return refuse(parsed.error.issues[0]?.message.startsWith('error.tooLong') ? 'label_too_long' : 'label_required')
}

/**
 * Saves the document's current text as a named version (Y.encodeStateAsUpdateV2 of the state, not
 * a history kept by the live document): those who may edit, a label of 1–120 characters.
 */
export async function saveVersion(
  db: DB,
  live: LiveDocuments | undefined,
  input: { actor: Actor; doc: DocumentRow; label: string; now: Date },
): Promise<Result<{ id: string; label: string }, 'forbidden' | LabelRefusal>> {
  if (!can(input.actor, 'edit', asResource(input.doc, input.now))) return refuse('forbidden')
  const label = checkLabel(input.label)
  if (!label.ok) return label
  const state = await withDocumentState(db, live, input.doc.id, (current) => Y.encodeStateAsUpdateV2(current))
  const by = stamp(input.actor, input.doc.region_id, input.now)
  const id = await inTransaction(db, (trx) => insertVersion(trx, by, { doc: input.doc, label: label.label, state }))
  return done({ id, label: label.label })
}

/**
 * Makes the text what it was in a version, as a new change on top of the current one (re-applying
 * an old update would do nothing). The fragment is brought to the old content with y-tiptap's
 * diffing update: paragraphs that did not change keep their identity, so other people's carets and
 * comment anchors in them stay put. The change goes through the collaboration server: stored
 * first, then everyone connected sees it.
 *
 * When the text differs, the current text is first saved as a version under `backupLabel(label)`
 * (in the person's language), so a restore never loses what was there. The audit entry follows
 * once the change is stored: the log of the text and the audit trail are written by different
 * transactions here (the collaboration server owns the first).
 */
export async function restoreVersion(
  db: DB,
  collab: CollabPort,
  input: { actor: Actor; doc: DocumentRow; versionId: string; now: Date; backupLabel?: (restoredLabel: string) => string },
): Promise<Result<{ changed: boolean; label: string; backupId: string | null; backupLabel: string | null }, 'forbidden' | 'version_not_found'>> {
  if (!can(input.actor, 'edit', asResource(input.doc, input.now))) return refuse('forbidden')
  const version = await findVersion(db, input.doc.id, input.versionId)
  if (!version) return refuse('version_not_found')
  const target = versionNode(version.state)
  const { unchanged, backupState } = await withDocumentState(db, collab, input.doc.id, (current) => ({
    unchanged: contentNode(current).eq(target),
    backupState: Y.encodeStateAsUpdateV2(current),
  }))
  if (unchanged) return done({ changed: false, label: version.label, backupId: null, backupLabel: null })

  const by = stamp(input.actor, input.doc.region_id, input.now)
  const label = input.backupLabel ? checkLabel(input.backupLabel(version.label)) : null
  const backupLabel = label?.ok ? label.label : null
  const backupId = backupLabel
    ? await inTransaction(db, (trx) => insertVersion(trx, by, { doc: input.doc, label: backupLabel, state: backupState, automatic: true }))
    : null
  const change = (doc: Y.Doc) => prosemirrorToYXmlFragment(target, doc.getXmlFragment(FRAGMENT))
  await collab.applyServerChange(input.doc.id, change)
  await inTransaction(db, (trx) => audit(trx, by, 'document.version_restored', ['document', input.doc.id], { versionId: version.id, label: version.label }))
  return done({ changed: true, label: version.label, backupId, backupLabel })
}

/**
 * Adoption (vaststelling): an alderman records that the PHO adopted a saved version of the
 * document, on a date (not in the future, by the Dutch calendar) and under the decision's
 * reference. Needs no edit right: the document may be locked by then. The decision log links to it
 * later.
 */
export async function adoptVersion(
  db: DB,
  input: { actor: Actor; doc: DocumentRow; versionId: string; adoptedOn: string; reference: string; now: Date },
): Promise<Result<{ id: string; label: string }, 'forbidden' | 'version_not_found' | 'in_future'>> {
  if (!can(input.actor, 'adopt', asResource(input.doc, input.now))) return refuse('forbidden')
  if (input.adoptedOn > decisionDay(input.now)) return refuse('in_future')
  const version = await findVersion(db, input.doc.id, input.versionId)
  if (!version) return refuse('version_not_found')
  const id = randomId()
  await inTransaction(db, async (trx) => {
    await trx
      .insertInto('adoptions')
      .values({
        id,
        doc_id: input.doc.id,
        version_id: version.id,
        adopted_on: input.adoptedOn,
        reference: input.reference,
        adopted_by: input.actor.userId,
        created_at: iso(input.now),
      })
      .execute()
    await audit(trx, stamp(input.actor, input.doc.region_id, input.now), 'document.adopted', ['document', input.doc.id], {
      versionId: version.id,
      adoptedOn: input.adoptedOn,
      reference: input.reference,
    })
  })
  return done({ id, label: version.label })
}
