import { z } from 'zod'
import { inTransaction, type DB } from '../../../db/connect'
import type { Document } from '../../../db/schema'
import { can, type Actor } from '../../policy/can'
import { randomId } from '../../lib/ids'
import { iso } from '../../lib/time'
import { recordAudit } from '../audit/audit'
import { asResource } from '../documents/documents'

/**
 * Adoption (vaststelling): an alderman records that the PHO adopted a saved version, on a date,
 * under a reference (the decision's number). The decision log will link to it later.
 */
export const adoptSchema = z.object({
  intent: z.literal('adopt'),
  versionId: z.string().min(1, 'error.choice').max(64),
  adoptedOn: z
    .string({ error: 'error.required' })
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'error.date')
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'error.date'),
  reference: z.string({ error: 'error.required' }).trim().min(1, 'error.required').max(100, 'error.tooLong|100'),
})

export type AdoptResult = { ok: true; id: string } | { ok: false; reason: 'forbidden' | 'version_not_found' | 'in_future' }

export async function adoptVersion(
  db: DB,
  input: { actor: Actor; doc: Document; versionId: string; adoptedOn: string; reference: string; now: Date },
): Promise<AdoptResult> {
  if (!can(input.actor, 'adopt', asResource(input.doc))) return { ok: false, reason: 'forbidden' }
  if (input.adoptedOn > iso(input.now).slice(0, 10)) return { ok: false, reason: 'in_future' }
  const version = await db
    .selectFrom('doc_versions')
    .select(['id', 'label'])
    .where('id', '=', input.versionId)
    .where('doc_id', '=', input.doc.id)
    .executeTakeFirst()
  if (!version) return { ok: false, reason: 'version_not_found' }
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
    await recordAudit(trx, {
      action: 'document.adopted',
      subjectType: 'document',
      subjectId: input.doc.id,
      regionId: input.doc.region_id,
      actorId: input.actor.userId,
      data: { versionId: version.id, adoptedOn: input.adoptedOn, reference: input.reference },
      at: input.now,
    })
  })
  return { ok: true, id }
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
