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

/**
 * The entries of a `Refusals` table, by the convention every module follows: the status says what
 * kind of refusal it is (a value that cannot be used, a state that does not allow it, something used
 * up, not for this person, not there), so a table names only the field and the message. The
 * message stands above the form ('form') unless a field is named.
 */
export const refusals = {
  /** 400: the value at `field` cannot be used. */
  value: (field: string, message: string): Refusal => ({ status: 400, field, message }),
  /** 400: the choice at `field` is not (or no longer) among those offered. */
  choice: (field: string): Refusal => ({ status: 400, field, message: 'error.choice' }),
  /** 409: the state of things does not allow it now. */
  conflict: (message: string, field = 'form'): Refusal => ({ status: 409, field, message }),
  /** 410: it was used up or withdrawn. */
  gone: (message: string, field = 'form'): Refusal => ({ status: 410, field, message }),
  /** 403: not for this person. */
  notYours: (message: string, field = 'form'): Refusal => ({ status: 403, field, message }),
  /** 404: it is not there. */
  missing: (message = 'error.missing', field = 'form'): Refusal => ({ status: 404, field, message }),
} as const

/** Reasons every command may give, with the same meaning everywhere (a table need not repeat them). */
export const commonRefusals = {
  forbidden: refusals.notYours('error.forbidden'),
  not_found: refusals.missing(),
} as const satisfies Refusals<'forbidden' | 'not_found'>
export type CommonReason = keyof typeof commonRefusals
