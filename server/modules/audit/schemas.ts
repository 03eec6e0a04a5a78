import { z } from 'zod'
import { parseFormData, type Parsed } from '../../lib/forms'
import { eventGroups, type EventGroup } from './events'

/**
 * The logbook's filter, as the page's search form and the CSV download send it (GET, Dutch
 * parameter names): who (an actor's id), what (a group of events), a period of calendar dates in
 * Amsterdam time, and the paging position. Messages are i18n keys; an empty field means "any".
 */
const empty = (v: unknown) => (v === '' ? undefined : v)

const YMD = /^\d{4}-\d{2}-\d{2}$/

/** A real calendar date, YYYY-MM-DD (2027-02-30 is refused). */
const calendarDate = z
  .string()
  .regex(YMD, 'error.date')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`)
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s
  }, 'error.date')

export const logFilterSchema = z
  .object({
    wie: z.preprocess(empty, z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'error.choice').optional()),
    wat: z.preprocess(empty, z.enum(eventGroups, { message: 'error.choice' }).optional()),
    van: z.preprocess(empty, calendarDate.optional()),
    tot: z.preprocess(empty, calendarDate.optional()),
    // The paging position is no field anyone fills in: its message says what to do instead.
    voor: z.preprocess(empty, z.coerce.number({ error: 'audit.filter.badPage' }).int('audit.filter.badPage').positive('audit.filter.badPage').optional()),
  })
  // Only two valid dates can be in the wrong order (zod runs this even when a date was refused).
  .refine((f) => !YMD.test(f.van ?? '') || !YMD.test(f.tot ?? '') || f.van! <= f.tot!, { path: ['tot'], message: 'audit.filter.toBeforeFrom' })

/** The filter in the module's words. */
export interface LogFilter {
  actorId?: string
  group?: EventGroup
  /** calendar dates (YYYY-MM-DD), Amsterdam time, both inclusive */
  from?: string
  to?: string
}

export interface LogQuery {
  filter: LogFilter
  /** show entries older than this seq (paging) */
  before?: number
}

/** Reads the filter from a URL's query; bad values come back per field (400 at the field). */
export function parseLogQuery(params: URLSearchParams): Parsed<LogQuery> {
  const form = new FormData()
  for (const [k, v] of params) form.append(k, v)
  const parsed = parseFormData(form, logFilterSchema)
  if (!parsed.ok) return parsed
  const { wie, wat, van, tot, voor } = parsed.data
  const filter: LogFilter = {
    ...(wie ? { actorId: wie } : {}),
    ...(wat ? { group: wat } : {}),
    ...(van ? { from: van } : {}),
    ...(tot ? { to: tot } : {}),
  }
  return { ok: true, form, data: { filter, ...(voor ? { before: voor } : {}) } }
}

/** The query string of a filter (for the paging link and the download), without the paging position. */
export function filterParams(filter: LogFilter): URLSearchParams {
  const p = new URLSearchParams()
  if (filter.actorId) p.set('wie', filter.actorId)
  if (filter.group) p.set('wat', filter.group)
  if (filter.from) p.set('van', filter.from)
  if (filter.to) p.set('tot', filter.to)
  return p
}

const amsterdam = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Amsterdam',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
})

/** How far Amsterdam's clock is ahead of UTC at a moment, in ms. */
function amsterdamOffset(ms: number): number {
  const p = Object.fromEntries(amsterdam.formatToParts(new Date(ms)).map((x) => [x.type, Number(x.value)]))
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - (ms - (ms % 1000))
}

/**
 * The moment a calendar day starts in Amsterdam, as a stored time (ISO, UTC). The clocks change at
 * 01:00 UTC, after midnight in Amsterdam, so the offset at UTC midnight is the one at local midnight.
 */
export function amsterdamDayStart(ymd: string): string {
  const utcMidnight = Date.parse(`${ymd}T00:00:00Z`)
  return new Date(utcMidnight - amsterdamOffset(utcMidnight)).toISOString()
}

/** The period as stored times: from the start of `from` up to (not including) the day after `to`. */
export function periodOf(filter: LogFilter): { fromAt?: string; beforeAt?: string } {
  const next = (ymd: string) => new Date(Date.parse(`${ymd}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
  return {
    ...(filter.from ? { fromAt: amsterdamDayStart(filter.from) } : {}),
    ...(filter.to ? { beforeAt: amsterdamDayStart(next(filter.to)) } : {}),
  }
}
