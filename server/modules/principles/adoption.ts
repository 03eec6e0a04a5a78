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

/** The calendar day (YYYY-MM-DD) in the Netherlands: a decision taken at 00:30 on 2 May is dated 2 May, not 1 May (UTC). */
export function decisionDay(now: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
}

export type AdoptResult = { ok: true; id: string } | { ok: false; reason: 'forbidden' | 'version_not_found' | 'in_future' }

export async function adoptVersion(
  db: DB,
  input: { actor: Actor; doc: Document; versionId: string; adoptedOn: string; reference: string; now: Date },
): Promise<AdoptResult> {
  if (!can(input.actor, 'adopt', asResource(input.doc))) return { ok: false, reason: 'forbidden' }
  if (input.adoptedOn > decisionDay(input.now)) return { ok: false, reason: 'in_future' }
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

/**
 * The date of each listed document's latest adoption, for lists: a document that was adopted shows
 * "vastgesteld op …" rather than "concept". Documents never adopted are absent from the map.
 */
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
