import { z } from 'zod'
import type { DocumentKind } from '../../../db/schema'
import { refusals, type Refusals } from '../../lib/result'

/**
 * The documents module's forms and the reasons its commands refuse (ADR 0017). Messages are i18n
 * keys (app/i18n/messages.ts); the UI may import this file.
 */

/** Kinds a region's drafters create here; providers' submissions come with the dialogue module. */
export const creatableKinds = ['principles', 'proposal', 'mandate', 'agreement', 'minutes'] as const satisfies readonly DocumentKind[]

export const TITLE_MAX = 200
export const LABEL_MAX = 120
export const REFERENCE_MAX = 100

/** The "new document" form. */
export const newDocumentSchema = z.object({
  title: z.string({ error: 'error.required' }).trim().min(1, 'error.required').max(TITLE_MAX, `error.tooLong|${TITLE_MAX}`),
  kind: z.enum(creatableKinds, { error: 'error.choice' }),
})

/** Locking and unlocking, from the document page. */
export const lockSchema = z.object({ intent: z.enum(['lock', 'unlock']) })

export const versionLabel = z.string({ error: 'error.required' }).trim().min(1, 'error.required').max(LABEL_MAX, `error.tooLong|${LABEL_MAX}`)
export const saveVersionSchema = z.object({ intent: z.literal('save'), label: versionLabel })
export const restoreVersionSchema = z.object({ intent: z.literal('restore'), versionId: z.string().min(1).max(64) })

/**
 * Adoption (vaststelling) of a saved version: the date and reference of the PHO's decision. That the
 * date is not in the future is the command's to say (it knows the clock): reason 'in_future'.
 */
export const adoptSchema = z.object({
  intent: z.literal('adopt'),
  versionId: z.string().min(1, 'error.choice').max(64),
  adoptedOn: z
    .string({ error: 'error.required' })
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'error.date')
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'error.date'),
  reference: z.string({ error: 'error.required' }).trim().min(1, 'error.required').max(REFERENCE_MAX, `error.tooLong|${REFERENCE_MAX}`),
})

/** Everything the versions page posts. */
export const versionsFormSchema = z.discriminatedUnion('intent', [saveVersionSchema, restoreVersionSchema, adoptSchema])

/** The calendar day (YYYY-MM-DD) in the Netherlands: a decision taken at 00:30 on 2 May is dated 2 May, not 1 May (UTC). */
export function decisionDay(now: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now)
}

/** Why a documents command refused, and how the page shows it (forbidden and not_found are common to all). */
export type DocumentRefusal = 'forbidden' | 'not_found' | 'version_not_found' | 'label_required' | 'label_too_long' | 'in_future'

export const documentRefusals = {
  version_not_found: refusals.missing('versions.notFound'),
  label_required: refusals.value('label', 'error.required'),
  label_too_long: refusals.value('label', `error.tooLong|${LABEL_MAX}`),
  in_future: refusals.value('adoptedOn', 'adoption.notInFuture'),
} as const satisfies Partial<Refusals<DocumentRefusal>>
