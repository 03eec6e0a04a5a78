import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { requireAbility } from '../../server/auth/guards'
import { latestCheckpoints, listAudit, verifyAuditForRegion } from '../../server/modules/audit/audit'
import { DataTable } from '../components/DataTable'
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
      <DataTable
        caption={t('audit.title')}
        captionHidden
        rows={entries}
        rowKey={(e) => String(e.seq)}
        columns={[
          { header: '#', cell: (e) => e.seq },
          { header: t('audit.when'), cell: (e) => fmt.dateTime(e.at) },
          { header: t('audit.who'), cell: (e) => e.actor_name ?? <span className="muted">{t('audit.system')}</span> },
          { header: t('audit.what'), cell: (e) => <code>{e.action}</code> },
          { header: t('audit.details'), cell: (e) => <code className="audit-data">{e.data === '{}' ? '' : e.data}</code> },
        ]}
      />
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
          <DataTable
            caption={t('audit.checkpoints')}
            captionHidden
            rows={checkpoints}
            rowKey={(c) => `${c.seq}-${c.at}`}
            columns={[
              { header: t('audit.checkpointAt'), cell: (c) => fmt.dateTime(c.at) },
              { header: t('audit.checkpointSeq'), cell: (c) => c.seq },
              { header: t('audit.checkpointHash'), cell: (c) => <code className="audit-data">{c.hash}</code> },
              { header: t('audit.checkpointReason'), cell: (c) => t(`audit.reason.${c.reason}`) },
            ]}
          />
        )}
      </section>
    </div>
  )
}
