import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { notFound } from '../../server/auth/guards'
import { requireDocument } from '../../server/modules/documents/access'
import { responseReport } from '../../server/modules/comments/comments'
import type { MessageKey } from '../i18n/messages'
import { useFormat, useT } from '../i18n/use'

export const meta: MetaFunction = () => [{ title: 'Reactieverslag · Samenspel' }]

/** The response report of one version: every comment, its disposition and reason, to read and print (CSV beside it). */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { doc, region } = await requireDocument(request, context, params, 'read')
  const report = await responseReport(context.db, { doc, versionId: params.versionId ?? '' })
  if (!report) notFound()
  return { region: { slug: region.slug }, doc: { id: doc.id, title: doc.title }, version: report.version, rows: report.rows }
}

export default function ResponseReport() {
  const { doc, version, rows, region } = useLoaderData<typeof loader>()
  const t = useT()
  const fmt = useFormat()
  return (
    <div className="content report">
      <Paragraph className="no-print">
        <Link to={`/regio/${region.slug}/documenten/${doc.id}/reacties`}>← {t('review.back')}</Link>
      </Paragraph>
      <Heading level={1}>{t('report.title', { title: doc.title })}</Heading>
      <Paragraph>
        {t('report.version', { label: version.label, date: fmt.dateTime(version.created_at) })}
      </Paragraph>
      <table className="utrecht-table data-table">
        <caption className="utrecht-table__caption">{t('report.caption', { count: rows.length })}</caption>
        <thead className="utrecht-table__header">
          <tr className="utrecht-table__row">
            {(['report.section', 'report.quote', 'report.comment', 'report.author', 'report.disposition', 'report.reason', 'report.handledIn'] as const).map((k) => (
              <th key={k} scope="col" className="utrecht-table__header-cell">{t(k)}</th>
            ))}
          </tr>
        </thead>
        <tbody className="utrecht-table__body">
          {rows.map((r) => (
            <tr key={r.id} className="utrecht-table__row">
              <td className="utrecht-table__cell">{r.section}</td>
              <td className="utrecht-table__cell">“{r.quote}”</td>
              <td className="utrecht-table__cell">{r.body}</td>
              <td className="utrecht-table__cell">{r.author}</td>
              <td className="utrecht-table__cell">{t(`disposition.${r.disposition}` as MessageKey)}</td>
              <td className="utrecht-table__cell">{r.disposition_reason}</td>
              <td className="utrecht-table__cell">{r.handled_in}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Paragraph className="no-print">
        <a href={`/regio/${region.slug}/documenten/${doc.id}/verslag/${version.id}.csv`} download>
          {t('report.csv')}
        </a>
      </Paragraph>
    </div>
  )
}
