import type { DB } from '../../../db/connect'
import { translate, type Locale } from '../../../app/i18n/messages'
import { CSV_BOM, csvDateTime, csvLine } from '../../lib/csv'
import { listAudit, readable, resolveNames } from './queries'
import type { LogFilter } from './schemas'

/** Rows read, named and written per step: the most the export holds in memory at once. */
export const EXPORT_PAGE = 500

/**
 * The filtered logbook as CSV lines in the reader's language, a page at a time: a region with
 * 100,000 entries is written as 200 steps of 500 rows, never as one string. Columns: time (Amsterdam);
 * who; what (the sentence); event code; subject; the stored data.
 */
export async function* auditCsvChunks(db: DB, regionId: string, opts: { filter: LogFilter; locale: Locale; pageSize?: number }): AsyncGenerator<string> {
  const t = (k: Parameters<typeof translate>[1]) => translate(opts.locale, k)
  const size = opts.pageSize ?? EXPORT_PAGE
  yield CSV_BOM + csvLine(['audit.csv.time', 'audit.csv.who', 'audit.csv.what', 'audit.csv.code', 'audit.csv.subject', 'audit.csv.data'].map((k) => t(k as never)))
  let before: number | undefined
  for (;;) {
    const rows = await listAudit(db, regionId, { filter: opts.filter, before, limit: size })
    if (rows.length === 0) return
    const names = await resolveNames(db, regionId, rows)
    let chunk = ''
    for (const row of rows) {
      const e = readable(opts.locale, names, row)
      chunk += csvLine([
        csvDateTime(e.at),
        e.actorName || t('audit.systemActor'),
        e.sentence,
        e.raw.action,
        e.raw.subject_id ? `${e.raw.subject_type} ${e.raw.subject_id}` : e.raw.subject_type,
        JSON.stringify(e.raw.data),
      ])
    }
    yield chunk
    if (rows.length < size) return
    before = rows[rows.length - 1]!.seq
  }
}

/** The chunks as a byte stream that is pulled as the client reads (backpressure: one page ahead at most). */
export function auditCsvStream(db: DB, regionId: string, opts: { filter: LogFilter; locale: Locale }): ReadableStream<Uint8Array> {
  const chunks = auditCsvChunks(db, regionId, opts)
  const encoder = new TextEncoder()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next()
      if (next.done) controller.close()
      else controller.enqueue(encoder.encode(next.value))
    },
    async cancel() {
      await chunks.return(undefined)
    },
  })
}
