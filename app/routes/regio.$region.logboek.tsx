import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { requireAbility } from '../../server/auth/guards'
import { listAudit, verifyAuditChain } from '../../server/modules/audit/audit'
import { Notice, SubmitButton } from '../components/forms'
import { useFormat, useT } from '../i18n/use'

const PAGE = 50

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { region } = await requireAbility(request, context, params.region, 'auditLog', 'read')
  const before = Number(new URL(request.url).searchParams.get('voor')) || undefined
  const entries = await listAudit(context.db, region.id, { before, limit: PAGE })
  return { entries, next: entries.length === PAGE ? entries[entries.length - 1]!.seq : null }
}

/** Verifying walks the whole chain; it changes nothing, but is a POST because it is work on demand. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  await requireAbility(request, context, params.region, 'auditLog', 'read')
  return verifyAuditChain(context.db)
}

export default function AuditLog() {
  const { entries, next } = useLoaderData<typeof loader>()
  const verified = useActionData<typeof action>()
  const t = useT()
  const fmt = useFormat()
  return (
    <div className="content">
      <Heading level={1}>{t('audit.title')}</Heading>
      <Paragraph>{t('audit.intro')}</Paragraph>
      <Form method="post">
        <SubmitButton secondary>{t('audit.verify')}</SubmitButton>
      </Form>
      {verified ? (
        verified.ok ? (
          <Notice>{t('audit.chainOk', { count: fmt.number(verified.checked) })}</Notice>
        ) : (
          <Notice kind="error">{t('audit.chainBroken', { seq: verified.brokenAtSeq ?? '?' })}</Notice>
        )
      ) : null}
      {entries.length === 0 ? <Paragraph>{t('audit.empty')}</Paragraph> : null}
      <table className="utrecht-table data-table">
        <caption className="utrecht-table__caption visually-hidden">{t('audit.title')}</caption>
        <thead className="utrecht-table__header">
          <tr className="utrecht-table__row">
            <th scope="col" className="utrecht-table__header-cell">#</th>
            <th scope="col" className="utrecht-table__header-cell">{t('audit.when')}</th>
            <th scope="col" className="utrecht-table__header-cell">{t('audit.who')}</th>
            <th scope="col" className="utrecht-table__header-cell">{t('audit.what')}</th>
            <th scope="col" className="utrecht-table__header-cell">{t('audit.details')}</th>
          </tr>
        </thead>
        <tbody className="utrecht-table__body">
          {entries.map((e) => (
            <tr key={e.seq} className="utrecht-table__row">
              <td className="utrecht-table__cell">{e.seq}</td>
              <td className="utrecht-table__cell">{fmt.dateTime(e.at)}</td>
              <td className="utrecht-table__cell">{e.actor_name ?? <span className="muted">{t('audit.system')}</span>}</td>
              <td className="utrecht-table__cell"><code>{e.action}</code></td>
              <td className="utrecht-table__cell"><code className="audit-data">{e.data === '{}' ? '' : e.data}</code></td>
            </tr>
          ))}
        </tbody>
      </table>
      {next ? (
        <Paragraph>
          <Link to={`?voor=${next}`}>{t('audit.older')}</Link>
        </Paragraph>
      ) : null}
    </div>
  )
}
