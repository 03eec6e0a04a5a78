import type { LoaderFunctionArgs } from '@remix-run/node'
import { requireDocument } from '../../server/modules/documents/access'
import { responseReport } from '../../server/modules/comments/queries'
import { csvDateTime, csvHeaders, downloadRefused, toCsv } from '../../server/lib/csv'
import { translate, type MessageKey } from '../i18n/messages'
import { getLocale } from '../i18n/locale.server'

/** The response report of a version as CSV, in the reader's language. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const locale = await getLocale(request)
  const t = (k: MessageKey) => translate(locale, k)
  // The guard answers a page with a 404 or 403 page; a download says it in words instead (a
  // redirect to the login page passes through).
  const guarded = await requireDocument(request, context, params, 'read').catch((thrown: unknown) => {
    if (thrown instanceof Response && (thrown.status === 404 || thrown.status === 403)) return thrown.status
    throw thrown
  })
  if (typeof guarded === 'number') return downloadRefused(t(guarded === 404 ? 'export.notFound' : 'error.forbidden'), guarded)
  const report = await responseReport(context.db, { doc: guarded.doc, versionId: params.versionId ?? '' })
  if (!report) return downloadRefused(t('export.notFound'), 404)
  const header = (['report.section', 'report.quote', 'report.comment', 'report.author', 'report.disposition', 'report.reason', 'report.handledIn', 'report.date'] as const).map(t)
  const rows = report.rows.map((r) => [
    r.section,
    r.quote,
    r.body,
    r.author,
    t(`disposition.${r.disposition}` as MessageKey),
    r.disposition_reason ?? '',
    r.handled_in ?? '',
    csvDateTime(r.created_at),
  ])
  return new Response(toCsv(header, rows), { headers: csvHeaders(`reactieverslag-${report.version.label}`) })
}
