import type { LoaderFunctionArgs } from '@remix-run/node'
import { notFound } from '../../server/auth/guards'
import { requireDocument } from '../../server/modules/documents/access'
import { responseReport, toCsv } from '../../server/modules/comments/comments'
import { translate, type MessageKey } from '../i18n/messages'
import { getLocale } from '../i18n/locale.server'

/** The response report of a version as CSV, in the reader's language. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { doc } = await requireDocument(request, context, params, 'read')
  const report = await responseReport(context.db, { doc, versionId: params.versionId ?? '' })
  if (!report) notFound()
  const locale = await getLocale(request)
  const t = (k: MessageKey) => translate(locale, k)
  const header = (['report.section', 'report.quote', 'report.comment', 'report.author', 'report.disposition', 'report.reason', 'report.handledIn', 'report.date'] as const).map(t)
  const rows = report.rows.map((r) => [
    r.section,
    r.quote,
    r.body,
    r.author,
    t(`disposition.${r.disposition}` as MessageKey),
    r.disposition_reason ?? '',
    r.handled_in ?? '',
    r.created_at,
  ])
  const name = `reactieverslag-${report.version.label.replace(/[^\p{L}\p{N}]+/gu, '-').slice(0, 60)}.csv`
  return new Response(toCsv(header, rows), {
    headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${name}"` },
  })
}
