import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { requireAbility } from '../../server/auth/guards'
import { latestCheckpoints, listAudit, verifyAuditForRegion } from '../../server/modules/audit/audit'
import { Notice, SubmitButton } from '../components/forms'
import { useFormat, useT } from '../i18n/use'

const PAGE = 50
/** Checkpoints shown (and printed) with the log: enough to compare a printout with a later one. */
const CHECKPOINTS = 5

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { region } = await requireAbility(request, context, params.region, 'auditLog', 'read')
  const before = Number(new URL(request.url).searchParams.get('voor')) || undefined
  const entries = await listAudit(context.db, region.id, { before, limit: PAGE })
  return {
    entries,
    next: entries.length === PAGE ? entries[entries.length - 1]!.seq : null,
    checkpoints: latestCheckpoints(context.db, CHECKPOINTS),
    now: context.clock().toISOString(),
  }
}

/**
 * Verifying walks the whole chain and compares it with the checkpoints; it changes nothing in the
 * database but appends the verified head to the checkpoint file, so it is a POST.
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const { region } = await requireAbility(request, context, params.region, 'auditLog', 'read')
  return verifyAuditForRegion(context.db, region.id)
}

export default function AuditLog() {
  const { entries, next, checkpoints, now } = useLoaderData<typeof loader>()
  const verified = useActionData<typeof action>()
  const t = useT()
  const fmt = useFormat()
  return (
    <div className="content">
      <Heading level={1}>{t('audit.title')}</Heading>
      <Paragraph>{t('audit.intro')}</Paragraph>
      <Form method="post" className="no-print">
        <SubmitButton secondary>{t('audit.verify')}</SubmitButton>
      </Form>
      {verified ? (
        verified.ok ? (
          <Notice>
            {t('audit.chainOk', { count: fmt.number(verified.checked) })}{' '}
            {t('audit.regionChecked', {
              count: fmt.number(verified.regionChecked),
              checkpoints: fmt.number(verified.checkpoints.compared),
            })}
          </Notice>
        ) : (
          <Notice kind="error">
            <p>{t('audit.chainBroken', { seq: verified.brokenAtSeq ?? '?' })}</p>
            <p>{t('audit.problemsTitle')}:</p>
            <ul className="audit-problems">
              {verified.problems.map((p) => {
                const reason = t(`audit.check.${p.check}`)
                const text = p.checkpointAt
                  ? t('audit.problemCheckpoint', { time: fmt.dateTime(p.checkpointAt), seq: p.seq, reason })
                  : p.own
                    ? t('audit.problemOwn', { seq: p.seq, time: p.at ? fmt.dateTime(p.at) : '?', action: p.action ?? '?', reason })
                    : t('audit.problemOther', { seq: p.seq, reason })
                return <li key={`${p.seq}-${p.check}-${p.checkpointAt ?? ''}`}>{text}</li>
              })}
            </ul>
          </Notice>
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
        <Paragraph className="no-print">
          <Link to={`?voor=${next}`}>{t('audit.older')}</Link>
        </Paragraph>
      ) : null}

      {/* Printed with the log, so that a printout can later be held against the chain. */}
      <section aria-labelledby="audit-checkpoints">
        <Heading level={2} id="audit-checkpoints">{t('audit.checkpoints')}</Heading>
        <Paragraph>{t('audit.checkpointsIntro')}</Paragraph>
        <Paragraph>{t('audit.asOf', { time: fmt.dateTime(now) })}</Paragraph>
        {checkpoints.length === 0 ? (
          <Paragraph>{t('audit.checkpointsNone')}</Paragraph>
        ) : (
          <table className="utrecht-table data-table">
            <caption className="utrecht-table__caption visually-hidden">{t('audit.checkpoints')}</caption>
            <thead className="utrecht-table__header">
              <tr className="utrecht-table__row">
                <th scope="col" className="utrecht-table__header-cell">{t('audit.checkpointAt')}</th>
                <th scope="col" className="utrecht-table__header-cell">{t('audit.checkpointSeq')}</th>
                <th scope="col" className="utrecht-table__header-cell">{t('audit.checkpointHash')}</th>
                <th scope="col" className="utrecht-table__header-cell">{t('audit.checkpointReason')}</th>
              </tr>
            </thead>
            <tbody className="utrecht-table__body">
              {checkpoints.map((c) => (
                <tr key={`${c.seq}-${c.at}`} className="utrecht-table__row">
                  <td className="utrecht-table__cell">{fmt.dateTime(c.at)}</td>
                  <td className="utrecht-table__cell">{c.seq}</td>
                  <td className="utrecht-table__cell"><code className="audit-data">{c.hash}</code></td>
                  <td className="utrecht-table__cell">{t(`audit.reason.${c.reason}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  )
}
