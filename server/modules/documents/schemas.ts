import { z } from 'zod'
import type { DocumentKind } from '../../../db/schema'

/** Kinds a region's drafters create here; providers' submissions come with the dialogue module. */
export const creatableKinds = ['principles', 'proposal', 'mandate', 'agreement', 'minutes'] as const satisfies readonly DocumentKind[]

export const TITLE_MAX = 200

/** The "new document" form. Messages are i18n keys (app/i18n/messages.ts). */
export const newDocumentSchema = z.object({
  title: z.string({ error: 'error.required' }).trim().min(1, 'error.required').max(TITLE_MAX, `error.tooLong|${TITLE_MAX}`),
  kind: z.enum(creatableKinds, { error: 'error.choice' }),
})
