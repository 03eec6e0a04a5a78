import { data } from '@remix-run/node'
import type { z } from 'zod'
import { commonRefusals, type CommonReason, type Refusal, type Refusals, type Refused } from './result'

/**
 * Parses a submitted form with a zod schema. Messages in the schemas are i18n keys (see
 * app/i18n/messages.ts), optionally with a value after a bar: `error.tooLong|120`.
 */
export type FieldErrors = Record<string, string>

export type Parsed<T> =
  | { ok: true; data: T; form: FormData }
  | { ok: false; errors: FieldErrors; values: Record<string, string>; form: FormData }

export async function parseForm<S extends z.ZodType>(request: Request, schema: S): Promise<Parsed<z.infer<S>>> {
  let form: FormData
  try {
    form = await request.formData()
  } catch {
    throw new Response('Bad Request', { status: 400 })
  }
  return parseFormData(form, schema)
}

export function parseFormData<S extends z.ZodType>(form: FormData, schema: S): Parsed<z.infer<S>> {
  const values: Record<string, string> = {}
  for (const [k, v] of form.entries()) if (typeof v === 'string') values[k] = v
  const result = schema.safeParse(values)
  if (result.success) return { ok: true, data: result.data, form }
  const errors: FieldErrors = {}
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? 'form')
    // Our schemas' messages are i18n keys ("error.tooLong|120"); zod's own English ones are not shown.
    errors[field] ??= /^[a-z][A-Za-z]*\.[A-Za-z.]+(\|\d+)?$/.test(issue.message) ? issue.message : 'error.required'
  }
  // Never echo passwords back into the page.
  for (const k of Object.keys(values)) if (/password/i.test(k)) delete values[k]
  return { ok: false, errors, values, form }
}

/** The reply to an invalid form: 400 with the errors per field and the values to refill. */
export function invalid(errors: FieldErrors, values: Record<string, string> = {}, status = 400) {
  return data({ ok: false as const, errors, values }, { status })
}

/** Passes an action's Retry-After (429) on to the document response; Remix drops action headers otherwise. */
export function retryAfterHeaders({ actionHeaders }: { actionHeaders: Headers }): Record<string, string> {
  const retryAfter = actionHeaders.get('Retry-After')
  return retryAfter ? { 'Retry-After': retryAfter } : {}
}

/**
 * The reply to a command's refusal (ADR 0017): the status, and the message next to the field that
 * the module's table names for this reason (or the common ones: forbidden, not_found). The page
 * shows it like any field error: in the summary and at the field, announced.
 */
export function refusal<R extends string>(
  refused: Refused<R>,
  table: Partial<Refusals<R>>,
  values: Record<string, string> = {},
) {
  const entry: Refusal | undefined =
    (Object.hasOwn(table, refused.reason) ? table[refused.reason] : undefined) ??
    (Object.hasOwn(commonRefusals, refused.reason) ? commonRefusals[refused.reason as CommonReason] : undefined)
  if (!entry) throw new Error(`no refusal entry for reason "${refused.reason}"`)
  return invalid({ [entry.field]: entry.message }, values, entry.status)
}
