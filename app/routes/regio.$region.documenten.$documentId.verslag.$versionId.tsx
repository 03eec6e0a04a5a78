import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { notFound } from '../../server/auth/guards'
import { requireDocument } from '../../server/modules/documents/access'
import { responseReport } from '../../server/modules/comments/queries'
import type { MessageKey } from '../i18n/messages'
import { useFormat, useT } from '../i18n/use'
import { DataTable } from '../components/DataTable'

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
      <DataTable
        caption={t('report.caption', { count: rows.length })}
        rows={rows}
        rowKey={(r) => r.id}
        columns={[
          { header: t('report.section'), cell: (r) => r.section },
          { header: t('report.quote'), cell: (r) => `“${r.quote}”` },
          { header: t('report.comment'), cell: (r) => r.body },
          { header: t('report.author'), cell: (r) => r.author },
          { header: t('report.disposition'), cell: (r) => t(`disposition.${r.disposition}` as MessageKey) },
          { header: t('report.reason'), cell: (r) => r.disposition_reason },
          { header: t('report.handledIn'), className: 'cell--name', cell: (r) => r.handled_in },
        ]}
      />
      <Paragraph className="no-print">
        <a href={`/regio/${region.slug}/documenten/${doc.id}/verslag/${version.id}.csv`} download>
          {t('report.csv')}
        </a>
      </Paragraph>
    </div>
  )
}
