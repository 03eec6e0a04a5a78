import { Form, Link } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import type { ReadableEntry, RegionVerification } from '../../server/modules/audit/queries'
import type { Checkpoint } from '../../server/modules/audit/trail'
import type { EventGroup } from '../../server/modules/audit/events'
import { DataTable } from './DataTable'
import { ErrorSummary, Notice, SelectField, SubmitButton, TextField } from './forms'
import { useFormat, useT } from '../i18n/use'
import type { MessageKey } from '../i18n/messages'

/**
 * The parts of the logbook page: the search form (who, what, period), the entries as sentences
 * with the stored record one click away, the verdict of "Keten controleren" and the checkpoints.
 */
const FILTER_FIELDS = ['wie', 'wat', 'van', 'tot'] as const

export function AuditFilterForm({
  actors,
  groups,
  values,
  errors,
}: {
  actors: Array<{ id: string; name: string }>
  /** the groups of events (from the module's catalogue: the client may not import the server) */
  groups: readonly EventGroup[]
  values: Record<string, string>
  errors?: Record<string, string>
}) {
  const t = useT()
  const labels = { wie: t('audit.filter.who'), wat: t('audit.filter.what'), van: t('audit.filter.from'), tot: t('audit.filter.to') }
  return (
    <Form method="get" className="audit-filter no-print" noValidate>
      <ErrorSummary errors={errors} fields={FILTER_FIELDS.map((name) => ({ name, label: labels[name] }))} focus />
      <fieldset className="audit-filter__fields">
        <legend>{t('audit.filter.legend')}</legend>
        <SelectField
          name="wie"
          label={labels.wie}
          error={errors?.wie}
          defaultValue={values.wie ?? ''}
          options={[{ value: '', label: t('audit.filter.anyone') }, ...actors.map((a) => ({ value: a.id, label: a.name }))]}
        />
        <SelectField
          name="wat"
          label={labels.wat}
          error={errors?.wat}
          defaultValue={values.wat ?? ''}
          options={[{ value: '', label: t('audit.filter.anything') }, ...groups.map((g) => ({ value: g, label: t(`audit.group.${g}` as MessageKey) }))]}
        />
        <TextField name="van" type="date" label={labels.van} hint={t('audit.filter.dateHint')} error={errors?.van} defaultValue={values.van ?? ''} />
        <TextField name="tot" type="date" label={labels.tot} hint={t('audit.filter.dateHint')} error={errors?.tot} defaultValue={values.tot ?? ''} />
      </fieldset>
      <div className="actions">
        <SubmitButton>{t('audit.filter.apply')}</SubmitButton>
        <Link to="?">{t('audit.filter.reset')}</Link>
      </div>
    </Form>
  )
}

/** The stored fields of an entry, as they are in the chain. */
function AuditRecord({ entry }: { entry: ReadableEntry }) {
  const t = useT()
  const fields: Array<[string, string]> = [
    ['seq', String(entry.raw.seq)],
    ['at', entry.raw.at],
    ['action', entry.raw.action],
    ['actor_id', entry.raw.actor_id ?? ''],
    ['subject_type', entry.raw.subject_type],
    ['subject_id', entry.raw.subject_id ?? ''],
    ['data', JSON.stringify(entry.raw.data, null, 1)],
  ]
  return (
    <details className="audit-record">
      <summary>
        {t('audit.raw')}
        <span className="visually-hidden"> ({t('audit.entry', { seq: entry.seq })})</span>
      </summary>
      <dl>
        {fields.map(([k, v]) => (
          <div key={k}>
            <dt>
              <code>{k}</code>
            </dt>
            <dd>
              <code className="audit-data">{v}</code>
            </dd>
          </div>
        ))}
      </dl>
    </details>
  )
}

export function AuditEntries({ entries }: { entries: ReadableEntry[] }) {
  const t = useT()
  const fmt = useFormat()
  return (
    <DataTable
      caption={t('audit.title')}
      captionHidden
      className="audit-entries"
      rows={entries}
      rowKey={(e) => String(e.seq)}
      rowProps={(e) => ({ 'data-testid': `audit-${e.seq}` })}
      columns={[
        { header: t('audit.when'), cell: (e) => <time dateTime={e.at}>{fmt.dateTime(e.at)}</time>, className: 'cell--when' },
        {
          header: t('audit.what'),
          cell: (e) => (
            <>
              <span className="audit-sentence">{e.sentence}</span>
              <AuditRecord entry={e} />
            </>
          ),
        },
      ]}
    />
  )
}

export function VerificationNotice({ verified }: { verified: RegionVerification }) {
  const t = useT()
  const fmt = useFormat()
  if (verified.ok) {
    return (
      <Notice>
        {t('audit.chainOk', { count: fmt.number(verified.checked) })}{' '}
        {t('audit.regionChecked', { count: fmt.number(verified.regionChecked), checkpoints: fmt.number(verified.checkpoints.compared) })}
      </Notice>
    )
  }
  return (
    <Notice kind="error">
      <p>{t('audit.chainBroken', { seq: verified.brokenAtSeq ?? '?' })}</p>
      <p>{t('audit.problemsTitle')}:</p>
      <ul className="audit-problems">
        {verified.problems.map((p) => {
          const reason = t(`audit.check.${p.check}` as MessageKey)
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
}

/** Printed with the log, so that a printout can later be held against the chain. */
export function Checkpoints({ checkpoints, now }: { checkpoints: Checkpoint[]; now: string }) {
  const t = useT()
  const fmt = useFormat()
  return (
    <section aria-labelledby="audit-checkpoints">
      <Heading level={2} id="audit-checkpoints">
        {t('audit.checkpoints')}
      </Heading>
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
            { header: t('audit.checkpointReason'), cell: (c) => t(`audit.reason.${c.reason}` as MessageKey) },
          ]}
        />
      )}
    </section>
  )
}
