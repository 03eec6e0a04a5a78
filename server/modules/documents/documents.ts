import * as Y from 'yjs'
import { inTransaction, type DB } from '../../../db/connect'
import type { Document, DocumentKind } from '../../../db/schema'
import { can, permissionOn, type Actor, type DocumentResource, type Permission } from '../../policy/can'
import { randomId } from '../../lib/ids'
import { iso } from '../../lib/time'
import { recordAudit } from '../audit/audit'
import { appendUpdate } from '../../collab/persistence'

/**
 * Documents: the module API later modules call to create a co-edited document and to ask what a
 * person may do with it. The rules themselves live in server/policy (permissionOn).
 */
/** A document row with its region's setting that the policy needs. */
export type DocumentRow = Document & { providers_may_draft: number }

export function asResource(
  doc: Pick<Document, 'region_id' | 'kind' | 'owner_organisation_id' | 'status'> & { providers_may_draft?: number },
): DocumentResource {
  return {
    type: 'document',
    regionId: doc.region_id,
    kind: doc.kind,
    ownerOrganisationId: doc.owner_organisation_id,
    locked: doc.status === 'locked',
    providersMayDraft: Boolean(doc.providers_may_draft),
  }
}

/** Documents with their region's "providers may draft the principles" setting. */
function documentsWithRegion(db: DB) {
  return db.selectFrom('documents').innerJoin('regions', 'regions.id', 'documents.region_id').selectAll('documents').select('regions.providers_may_draft')
}

export function findDocument(db: DB, id: string): Promise<DocumentRow | undefined> {
  return documentsWithRegion(db).where('documents.id', '=', id).executeTakeFirst()
}

/**
 * What the actor may do with the document at `now`: past its closes_at (a deadline) a document
 * is read-only for everyone who could read it, like a locked one.
 */
export function permissionFor(actor: Actor | null, doc: Document, now: Date = new Date()): Permission {
  const closed = doc.closes_at !== null && doc.closes_at !== undefined && Date.parse(doc.closes_at) <= now.getTime()
  return permissionOn(actor, closed ? { ...asResource(doc), locked: true } : asResource(doc))
}

/** Documents of a region the actor may at least read, newest first. */
export async function listReadableDocuments(db: DB, actor: Actor, regionId: string) {
  const docs = await documentsWithRegion(db)
    .where('documents.region_id', '=', regionId)
    .orderBy('documents.created_at', 'desc')
    .execute()
  return docs
    .map((d) => ({ ...d, permission: permissionFor(actor, d) }))
    .filter((d) => d.permission !== 'none')
}

/**
 * Creates a document, optionally with a first text (paragraphs, as the editor's schema stores
 * them), and audits it. The first text goes into the update log like any edit.
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
    await recordAudit(trx, {
      action: 'document.created',
      subjectType: 'document',
      subjectId: id,
      regionId: input.regionId,
      actorId: input.actorId,
      data: { kind: input.kind, title: input.title },
      at: input.now,
    })
  })
  return id
}

/** The editor keeps its content in this fragment of the Y.Doc. */
export const FRAGMENT = 'default'

export function paragraphsUpdate(paragraphs: string[]): Uint8Array {
  const doc = new Y.Doc()
  const fragment = doc.getXmlFragment(FRAGMENT)
  fragment.insert(
    0,
    paragraphs.map((text) => {
      const p = new Y.XmlElement('paragraph')
      p.insert(0, [new Y.XmlText(text)])
      return p
    }),
  )
  const update = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return update
}

export class NotAllowedError extends Error {}

/** Locks (or unlocks) a document: read-only for everyone. Returns the updated row. */
export async function setLocked(db: DB, input: { actor: Actor; docId: string; locked: boolean; now: Date }) {
  return inTransaction(db, async (trx) => {
    const doc = await findDocument(trx, input.docId)
    if (!doc) return null
    if (!can(input.actor, 'lock', { ...asResource(doc), locked: false })) throw new NotAllowedError()
    await trx
      .updateTable('documents')
      .set({ status: input.locked ? 'locked' : 'draft', locked_at: input.locked ? iso(input.now) : null })
      .where('id', '=', doc.id)
      .execute()
    await recordAudit(trx, {
      action: input.locked ? 'document.locked' : 'document.unlocked',
      subjectType: 'document',
      subjectId: doc.id,
      regionId: doc.region_id,
      actorId: input.actor.userId,
      at: input.now,
    })
    return { ...doc, status: input.locked ? ('locked' as const) : ('draft' as const) }
  })
}
