import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { notFound } from '../../server/auth/guards'
import { invalid, parseForm, refusal } from '../../server/lib/forms'
import { requireDocument } from '../../server/modules/documents/access'
import { adoptVersion, restoreVersion, saveVersion } from '../../server/modules/documents/commands'
import type { DiffRow, FoldedRows, Segment } from '../../server/modules/documents/diff'
import { versionsPage } from '../../server/modules/documents/queries'
import { decisionDay, documentRefusals, LABEL_MAX, versionsFormSchema } from '../../server/modules/documents/schemas'
import { getLocale } from '../i18n/locale.server'
import { translate } from '../i18n/messages'
import { actionReply, ErrorSummary, Notice, SelectField, SubmitButton, TextField } from '../components/forms'
import { DataTable } from '../components/DataTable'
import { useFormat, useT } from '../i18n/use'

/**
 * Named versions of a document: save one (edit), list them (read), compare two or one with the
 * current text (read, ?van=<id>&naar=<id|huidig>), restore one as a new change (edit), adopt one
 * (the aldermen).
 */
const CURRENT = 'huidig'

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { auth, region, doc } = await requireDocument(request, context, params, 'read')
  const url = new URL(request.url)
  const from = url.searchParams.get('van')
  const to = url.searchParams.get('naar') || CURRENT
  const now = context.clock()
  const all = url.searchParams.get('alles') === '1'
  const page = await versionsPage(context.db, context.collab, { actor: auth.actor, doc, now, from, to: to === CURRENT ? 'current' : to, all })
  if (!page.ok) notFound()
  return {
    region: { slug: region.slug, name: region.name },
    doc: { id: doc.id, title: doc.title },
    canEdit: page.abilities.edit,
    canAdopt: page.abilities.adopt,
    adoption: page.adoption,
    today: decisionDay(now),
    labelMax: LABEL_MAX,
    versions: page.versions,
    selection: { from, to },
    compared: page.compared,
  }
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `Versies · ${data.doc.title} · Samenspel` : 'Samenspel' }]

type Reply =
  | { ok: true; message: 'adopted'; label: string }
  | { ok: true; message: 'saved'; label: string }
  | { ok: true; message: 'restored'; label: string; backup: string | null }
  | { ok: true; message: 'unchanged'; label: string }

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { auth, doc } = await requireDocument(request, context, params, 'read')
  const parsed = await parseForm(request, versionsFormSchema)
  if (!parsed.ok) return invalid(parsed.errors, parsed.values)
  const input = parsed.data
  const values = Object.fromEntries(Object.entries(input).map(([k, v]) => [k, String(v)]))
  const by = { actor: auth.actor, doc, now: context.clock() }
  if (input.intent === 'adopt') {
    const adopted = await adoptVersion(context.db, { ...by, ...input })
    if (!adopted.ok) return refusal(adopted, documentRefusals, values)
    return data({ ok: true, message: 'adopted', label: adopted.label } satisfies Reply)
  }
  if (input.intent === 'save') {
    const saved = await saveVersion(context.db, context.collab, { ...by, label: input.label })
    if (!saved.ok) return refusal(saved, documentRefusals, values)
    return data({ ok: true, message: 'saved', label: saved.label } satisfies Reply)
  }
  const locale = await getLocale(request)
  // The text before the restore is kept as a version of its own, named in the user's language.
  const backupLabel = (label: string) => translate(locale, 'versions.backupLabel', { label: shorten(label, LABEL_MAX - 30) })
  const restored = await restoreVersion(context.db, context.collab, { ...by, versionId: input.versionId, backupLabel })
  if (!restored.ok) return refusal(restored, documentRefusals, values)
  if (!restored.changed) return data({ ok: true, message: 'unchanged', label: restored.label } satisfies Reply)
  return data({ ok: true, message: 'restored', label: restored.label, backup: restored.backupLabel } satisfies Reply)
}

/**
 * "Vaststellen…" for one version: date and reference of the PHO's decision. A refused form comes
 * back open, with each message at its field and a summary that links to them and takes focus.
 */
function AdoptForm({
  version,
  today,
  result,
}: {
  version: { id: string; label: string }
  today: string
  result?: { errors: Record<string, string>; values: Record<string, string> }
}) {
  const t = useT()
  const idPrefix = `adopt-${version.id}`
  const errors = result?.errors
  return (
    <details className="adopt" open={result ? true : undefined}>
      <summary>{t('adoption.adopt')}</summary>
      <Form method="post" noValidate className="form">
        <ErrorSummary
          errors={errors}
          focus
          fields={[
            { name: 'adoptedOn', label: t('adoption.date'), idPrefix },
            { name: 'reference', label: t('adoption.reference'), idPrefix },
          ]}
        />
        <input type="hidden" name="intent" value="adopt" />
        <input type="hidden" name="versionId" value={version.id} />
        <TextField
          name="adoptedOn"
          type="date"
          idPrefix={idPrefix}
          label={t('adoption.date')}
          max={today}
          defaultValue={result?.values.adoptedOn ?? today}
          error={errors?.adoptedOn}
          required
        />
        <TextField
          name="reference"
          idPrefix={idPrefix}
          label={t('adoption.reference')}
          maxLength={100}
          defaultValue={result?.values.reference}
          error={errors?.reference}
          required
        />
        <SubmitButton>{t('adoption.confirm', { label: version.label })}</SubmitButton>
      </Form>
    </details>
  )
}

const shorten = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s)

export default function Versions() {
  const { region, doc, canEdit, canAdopt, adoption, today, labelMax, versions, selection, compared } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const t = useT()
  const fmt = useFormat()
  const { errors, done: reply } = actionReply<Reply>(result)
  // A refused adoption is shown in its own version's form, not in the page's summary.
  const adoptRefused = result && !result.ok && result.values.intent === 'adopt' ? result : undefined
  const docUrl = `/regio/${region.slug}/documenten/${doc.id}`
  const versionName = (id: string | null) => (id === 'current' || id === CURRENT ? t('versions.current') : (versions.find((v) => v.id === id)?.label ?? ''))
  return (
    <div className="content versions-page">
      <p className="doc-page__back">
        <Link to={docUrl}>{t('versions.backToDocument')}</Link>
      </p>
      <Heading level={1}>
        {t('versions.title')}: {doc.title}
      </Heading>
      <Paragraph>{t('versions.intro')}</Paragraph>

      {adoption ? (
        <div className="card adoption">
          <Paragraph>
            <strong>{t('adoption.current', { label: adoption.version_label, date: fmt.date(adoption.adopted_on), reference: adoption.reference })}</strong>
          </Paragraph>
          <Paragraph>
            <Link to={`?van=${adoption.version_id}&naar=${CURRENT}#vergelijking`}>{t('adoption.compare')}</Link>
          </Paragraph>
        </div>
      ) : null}
      {reply?.message === 'adopted' ? <Notice>{t('adoption.done', { label: reply.label })}</Notice> : null}
      {reply?.message === 'saved' ? <Notice>{t('versions.saved', { label: reply.label })}</Notice> : null}
      {reply?.message === 'restored' ? (
        <Notice>
          {t('versions.restored', { label: reply.label })} {reply.backup ? t('versions.restoredBackup', { backup: reply.backup }) : null}
        </Notice>
      ) : null}
      {reply?.message === 'unchanged' ? <Notice kind="info">{t('versions.restoredSame', { label: reply.label })}</Notice> : null}
      {errors?.form === 'versions.notFound' ? (
        <Notice kind="error">{t('versions.notFound')}</Notice>
      ) : adoptRefused && canAdopt && versions.some((v) => v.id === adoptRefused.values.versionId) ? null : (
        <ErrorSummary errors={errors} />
      )}

      {canEdit ? (
        <section aria-labelledby="save-version">
          <Heading level={2} id="save-version">
            {t('versions.save')}
          </Heading>
          {/* A new key after each saved version empties the field. */}
          <Form method="post" noValidate className="form" key={versions.length}>
            <input type="hidden" name="intent" value="save" />
            <TextField name="label" label={t('versions.label')} hint={t('versions.labelHint')} error={errors?.label} required maxLength={labelMax} />
            <SubmitButton>{t('versions.save')}</SubmitButton>
          </Form>
        </section>
      ) : (
        <Paragraph className="muted">{t('versions.editOnly')}</Paragraph>
      )}

      <section aria-labelledby="version-list">
        <Heading level={2} id="version-list">
          {t('versions.list')}
        </Heading>
        {versions.length === 0 ? (
          <Paragraph>{t('versions.none')}</Paragraph>
        ) : (
          <DataTable
            caption={t('versions.list')}
            captionHidden
            className="versions-table"
            rows={versions}
            rowKey={(v) => v.id}
            columns={[
              { header: t('versions.col.label'), rowHeader: true, className: 'versions-table__label cell--name', cell: (v) => v.label },
              { header: t('versions.col.when'), cell: (v) => fmt.dateTime(v.created_at) },
              { header: t('versions.col.who'), cell: (v) => v.author ?? <span className="muted">{t('versions.unknownAuthor')}</span> },
              {
                header: t('versions.col.actions'),
                cell: (v) => (
                  <div className="actions">
                    <Link to={`?van=${v.id}&naar=${CURRENT}#vergelijking`} aria-label={t('versions.compareWithCurrentLabel', { label: v.label })}>
                      {t('versions.compareWithCurrent')}
                    </Link>
                    {canAdopt ? <AdoptForm version={v} today={today} result={adoptRefused?.values.versionId === v.id ? adoptRefused : undefined} /> : null}
                    {canEdit ? (
                      <Form method="post" className="inline-form">
                        <input type="hidden" name="intent" value="restore" />
                        <input type="hidden" name="versionId" value={v.id} />
                        <button type="submit" className="utrecht-button utrecht-button--secondary-action" aria-label={t('versions.restoreLabel', { label: v.label })}>
                          {t('versions.restore')}
                        </button>
                      </Form>
                    ) : null}
                  </div>
                ),
              },
            ]}
          />
        )}
      </section>

      {versions.length > 0 ? (
        <section aria-labelledby="compare">
          <Heading level={2} id="compare">
            {t('versions.compare')}
          </Heading>
          <Form method="get" className="form form--inline" preventScrollReset>
            <SelectField
              name="van"
              idPrefix="cmp"
              label={t('versions.from')}
              defaultValue={selection.from ?? versions[versions.length > 1 ? 1 : 0]?.id}
              options={versions.map((v) => ({ value: v.id, label: `${v.label} (${fmt.dateTime(v.created_at)})` }))}
            />
            <SelectField
              name="naar"
              idPrefix="cmp"
              label={t('versions.to')}
              defaultValue={selection.to}
              options={[{ value: CURRENT, label: t('versions.current') }, ...versions.map((v) => ({ value: v.id, label: `${v.label} (${fmt.dateTime(v.created_at)})` }))]}
            />
            <SubmitButton secondary>{t('versions.compareButton')}</SubmitButton>
          </Form>
        </section>
      ) : null}

      {compared ? (
        <section aria-labelledby="vergelijking-titel" id="vergelijking" tabIndex={-1} className="comparison">
          <Heading level={2} id="vergelijking-titel">
            {t('versions.comparison')}
          </Heading>
          {!compared.changed ? (
            <Paragraph>{t('versions.noChanges')}</Paragraph>
          ) : (
            <Paragraph>
              {t('versions.summary', { ins: compared.insertedWords, del: compared.deletedWords })}{' '}
              <span className="muted">{t('versions.legend')}</span>
            </Paragraph>
          )}
          {compared.changed ? (
            <ComparisonTable
              items={compared.items}
              from={{ name: versionName(compared.from.id), when: compared.from.created_at }}
              to={{ name: versionName(compared.to.id), when: compared.to.created_at }}
              showAllHref={compared.folded ? `?van=${selection.from}&naar=${selection.to}&alles=1#vergelijking` : null}
            />
          ) : null}
        </section>
      ) : null}
    </div>
  )
}

/** The two texts side by side, one row per block; deletions on the left, insertions on the right. */
function ComparisonTable({
  items,
  from,
  to,
  showAllHref,
}: {
  items: Array<DiffRow | FoldedRows>
  from: { name: string; when: string | null }
  to: { name: string; when: string | null }
  showAllHref: string | null
}) {
  const t = useT()
  const fmt = useFormat()
  const heading = (side: typeof from) => (
    <th scope="col">
      {side.name}
      {side.when ? <span className="diff-table__when"> · {fmt.dateTime(side.when)}</span> : null}
    </th>
  )
  return (
    <>
      <table className="diff-table">
        <caption className="visually-hidden">{t('versions.caption', { from: from.name, to: to.name })}</caption>
        <thead>
          <tr>
            {heading(from)}
            {heading(to)}
          </tr>
        </thead>
        <tbody>
          {items.map((item, i) =>
            'skipped' in item ? (
              <tr key={i} className="diff-row diff-row--skipped">
                <td colSpan={2}>{t('versions.unchanged', { count: item.skipped })}</td>
              </tr>
            ) : (
              <tr key={i} className={`diff-row diff-row--${item.change}`}>
                <DiffCell row={item} side="before" />
                <DiffCell row={item} side="after" />
              </tr>
            ),
          )}
        </tbody>
      </table>
      {showAllHref ? (
        <Paragraph>
          <Link to={showAllHref} preventScrollReset>
            {t('versions.showAll')}
          </Link>
        </Paragraph>
      ) : null}
    </>
  )
}

function DiffCell({ row, side }: { row: DiffRow; side: 'before' | 'after' }) {
  const t = useT()
  const block = row[side]
  if (!block) {
    return (
      <td className="diff-cell diff-cell--absent">
        <span className="visually-hidden">{t('versions.absent')}</span>
      </td>
    )
  }
  return (
    <td className={`diff-cell diff-block diff-block--${row.type}`} style={row.depth > 1 ? { paddingInlineStart: `${row.depth}rem` } : undefined}>
      {block.marker ? <span className="diff-block__marker">{block.marker} </span> : null}
      {block.segments.map((s, i) => (
        <DiffSegment key={i} segment={s} />
      ))}
      {row.type === 'rule' ? <hr /> : null}
    </td>
  )
}

function DiffSegment({ segment }: { segment: Segment }) {
  const t = useT()
  if (segment.change === 'ins') {
    return (
      <ins>
        <span className="visually-hidden">{`[${t('versions.inserted')} `}</span>
        {segment.text}
        <span className="visually-hidden">{` ${t('versions.insertedEnd')}]`}</span>
      </ins>
    )
  }
  if (segment.change === 'del') {
    return (
      <del>
        <span className="visually-hidden">{`[${t('versions.deleted')} `}</span>
        {segment.text}
        <span className="visually-hidden">{` ${t('versions.deletedEnd')}]`}</span>
      </del>
    )
  }
  return <>{segment.text}</>
}
