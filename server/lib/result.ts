/**
 * What a command returns (ADR 0017): done, with what it made, or refused, with a reason. A reason is
 * a short snake_case word from the command's own list (`'range_gone'`, `'last_admin'`); the module's
 * `schemas.ts` says per reason which status, field and message it becomes (a `Refusals` table), and
 * `refusal()` in server/lib/forms.ts turns it into the reply. Commands never throw for a refusal
 * and never return booleans or strings; a thrown error means something broke.
 */
export type Done<T extends object = object> = { ok: true } & T
export interface Refused<R extends string = string> {
  ok: false
  reason: R
}
export type Result<T extends object = object, R extends string = string> = Done<T> | Refused<R>

export function done(): Done
export function done<T extends object>(value: T): Done<T>
export function done<T extends object>(value?: T): Done<T> {
  return { ...(value as T), ok: true }
}

export function refuse<R extends string>(reason: R): Refused<R> {
  return { ok: false, reason }
}

/** The HTTP statuses a refusal can become. */
export type RefusalStatus = 400 | 403 | 404 | 409 | 410 | 413 | 422 | 429

/** How one reason is shown: the status, the field the message stands next to, and the i18n key. */
export interface Refusal {
  status: RefusalStatus
  /** the form field the message belongs to; 'form' for the summary above the form */
  field: string
  /** an i18n key (app/i18n/messages.ts), optionally with a value after a bar: 'error.tooLong|120' */
  message: string
}

export type Refusals<R extends string> = { readonly [K in R]: Refusal }

/** Reasons every command may give, with the same meaning everywhere. */
export const commonRefusals = {
  forbidden: { status: 403, field: 'form', message: 'error.forbidden' },
  not_found: { status: 404, field: 'form', message: 'error.missing' },
} as const satisfies Refusals<'forbidden' | 'not_found'>
export type CommonReason = keyof typeof commonRefusals
