import type { LoaderFunctionArgs } from '@remix-run/node'
import { requireDocument } from '../../server/modules/documents/access'
import { responseReport } from '../../server/modules/comments/queries'
import { csvDateTime, csvHeaders, toCsv } from '../../server/lib/csv'
import { translate, type MessageKey } from '../i18n/messages'
import { getLocale } from '../i18n/locale.server'

/** The response report of a version as CSV, in the reader's language. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { doc } = await requireDocument(request, context, params, 'read')
  const report = await responseReport(context.db, { doc, versionId: params.versionId ?? '' })
  const locale = await getLocale(request)
  const t = (k: MessageKey) => translate(locale, k)
  // A download has no page around it: say in words, in the reader's language, what is missing.
  if (!report) return new Response(t('export.notFound'), { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })
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
