import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { z } from 'zod'
import { dispositions } from '../../db/schema'
import { notFound, forbidden } from '../../server/auth/guards'
import { invalid, parseForm } from '../../server/lib/forms'
import { requireDocument } from '../../server/modules/documents/access'
import { latestState, listVersions } from '../../server/modules/documents/queries'
import { dispositionSchema, listComments, moderate, moderateSchema, replySchema, reply, setDisposition } from '../../server/modules/comments/comments'
import { CommentCard } from '../components/CommentCard'
import { Notice } from '../components/forms'
import type { MessageKey } from '../i18n/messages'
import { useErrorText, useFormat, useT } from '../i18n/use'

export const meta: MetaFunction = () => [{ title: 'Reacties · Samenspel' }]

const filters = ['all', 'open', 'answered', 'pending', 'outdated', 'orphaned'] as const

/**
 * All comments on a document, by principle, for the people who answer them (editors give the
 * disposition) and who moderate them (panel coordinators). Filters by state; links to each
 * version's response report.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { auth, doc, region } = await requireDocument(request, context, params, 'read')
  const ydoc = await latestState(context.db, context.collab, doc.id)
  try {
    const comments = await listComments(context.db, { actor: auth.actor, doc, ydoc })
    const versions = await listVersions(context.db, { actor: auth.actor, doc })
    return {
      region: { slug: region.slug },
      doc: { id: doc.id, title: doc.title },
      comments,
      versions: versions.map((v) => ({ id: v.id, label: v.label, createdAt: v.created_at })),
    }
  } finally {
    ydoc.destroy()
  }
}

const commentAction = z.discriminatedUnion('intent', [dispositionSchema, moderateSchema, replySchema])

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { auth, doc } = await requireDocument(request, context, params, 'read')
  const parsed = await parseForm(request, commentAction)
  if (!parsed.ok) return invalid(parsed.errors, parsed.values)
  const input = parsed.data
  const now = context.clock()
  const result =
    input.intent === 'dispose'
      ? await setDisposition(context.db, { actor: auth.actor, doc, commentId: input.commentId, disposition: input.disposition, reason: input.reason, versionId: input.versionId, now })
      : input.intent === 'moderate'
        ? await moderate(context.db, { actor: auth.actor, doc, commentId: input.commentId, decision: input.decision, reason: input.reason, now })
        : await reply(context.db, { actor: auth.actor, doc, commentId: input.commentId, body: input.body, now })
  if (!result.ok) {
    if (result.reason === 'not_found') notFound()
    if (result.reason === 'forbidden') forbidden()
    const values = Object.fromEntries(Object.entries(input).map(([k, v]) => [k, String(v)]))
    return invalid(result.reason === 'reason_required' ? { reason: 'comments.reasonRequired' } : { versionId: 'error.choice' }, values)
  }
  return data({ ok: true as const, commentId: input.commentId, errors: {} as Record<string, string>, values: {} as Record<string, string> })
}

export default function DocumentComments() {
  const { doc, comments, versions, region } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const [params] = useSearchParams()
  const t = useT()
  const fmt = useFormat()
  const errorText = useErrorText()
  const filter = (filters as readonly string[]).includes(params.get('filter') ?? '') ? params.get('filter')! : 'all'
  const shown = comments.filter((c) =>
    filter === 'all'
      ? true
      : filter === 'open'
        ? c.disposition === 'open' && c.moderation === 'visible'
        : filter === 'answered'
          ? c.disposition !== 'open'
          : filter === 'pending'
            ? c.moderation === 'pending'
            : c.status === filter,
  )
  const sections = [...new Set(shown.map((c) => c.section))]
  const failed = result && !result.ok ? result : undefined
  return (
    <div className="content">
      <Paragraph>
        <Link to={`/regio/${region.slug}/documenten/${doc.id}`}>← {doc.title}</Link>
      </Paragraph>
      <Heading level={1}>{t('review.title', { title: doc.title })}</Heading>
      <nav aria-label={t('review.filter')} className="filters">
        <ul>
          {filters.map((f) => (
            <li key={f}>
              <Link to={`?filter=${f}`} aria-current={filter === f ? 'true' : undefined}>
                {t(`review.filter.${f}` as MessageKey)} ({f === 'all' ? comments.length : comments.filter((c) => (f === 'open' ? c.disposition === 'open' && c.moderation === 'visible' : f === 'answered' ? c.disposition !== 'open' : f === 'pending' ? c.moderation === 'pending' : c.status === f)).length})
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {result?.ok ? <Notice>{t('admin.saved')}</Notice> : null}
      {shown.length === 0 ? <Paragraph>{t('review.none')}</Paragraph> : null}
      {sections.map((section) => (
        <section key={section || '-'} aria-label={section || t('review.noSection')}>
          <Heading level={2}>{section || t('review.noSection')}</Heading>
          <ul className="comment-list">
            {shown
              .filter((c) => c.section === section)
              .map((c) => (
                <li key={c.id} className="card" id={`c-${c.id}`}>
                  <CommentCard comment={c} showQuote />
                  {c.can.moderate && c.moderation === 'pending' ? (
                    <div className="actions">
                      <Form method="post">
                        <input type="hidden" name="intent" value="moderate" />
                        <input type="hidden" name="commentId" value={c.id} />
                        <input type="hidden" name="decision" value="approve" />
                        <button type="submit" className="utrecht-button utrecht-button--primary-action">{t('review.approve')}</button>
                      </Form>
                    </div>
                  ) : null}
                  {c.can.moderate && c.moderation !== 'hidden' ? (
                    <details>
                      <summary>{t('review.hide')}</summary>
                      <Form method="post" className="form">
                        <input type="hidden" name="intent" value="moderate" />
                        <input type="hidden" name="commentId" value={c.id} />
                        <input type="hidden" name="decision" value="hide" />
                        <label className="utrecht-form-label" htmlFor={`hide-${c.id}`}>{t('review.hideReason')}</label>
                        <input id={`hide-${c.id}`} name="reason" className="utrecht-textbox utrecht-textbox--html-input" maxLength={500} required />
                        <button type="submit" className="utrecht-button utrecht-button--secondary-action">{t('review.hide')}</button>
                      </Form>
                    </details>
                  ) : null}
                  {c.can.dispose ? (
                    <Form method="post" className="form form--inline disposition-form">
                      <input type="hidden" name="intent" value="dispose" />
                      <input type="hidden" name="commentId" value={c.id} />
                      <div className="field">
                        <label className="utrecht-form-label" htmlFor={`d-${c.id}`}>{t('review.disposition')}</label>
                        <select id={`d-${c.id}`} name="disposition" defaultValue={c.disposition} className="utrecht-select utrecht-select--html-select">
                          {dispositions.map((d) => (
                            <option key={d} value={d}>{t(`disposition.${d}` as MessageKey)}</option>
                          ))}
                        </select>
                      </div>
                      <div className={`field${failed?.values?.commentId === c.id && failed.errors.reason ? ' utrecht-form-field--invalid' : ''}`}>
                        <label className="utrecht-form-label" htmlFor={`r-${c.id}`}>{t('review.reason')}</label>
                        {failed?.values?.commentId === c.id && failed.errors.reason ? (
                          <p className="utrecht-form-field-error-message" id={`r-${c.id}-error`}>{errorText(failed.errors.reason)}</p>
                        ) : null}
                        <textarea
                          id={`r-${c.id}`}
                          name="reason"
                          rows={2}
                          className="utrecht-textarea utrecht-textarea--html-textarea"
                          defaultValue={c.dispositionReason ?? ''}
                          aria-invalid={failed?.values?.commentId === c.id && failed.errors.reason ? true : undefined}
                          aria-describedby={failed?.values?.commentId === c.id && failed.errors.reason ? `r-${c.id}-error` : undefined}
                        />
                      </div>
                      <div className="field">
                        <label className="utrecht-form-label" htmlFor={`v-${c.id}`}>{t('review.version')}</label>
                        <select id={`v-${c.id}`} name="versionId" defaultValue="" className="utrecht-select utrecht-select--html-select">
                          <option value="">{t('review.noVersion')}</option>
                          {versions.map((v) => (
                            <option key={v.id} value={v.id}>{v.label} ({fmt.dateTime(v.createdAt)})</option>
                          ))}
                        </select>
                      </div>
                      <button type="submit" className="utrecht-button utrecht-button--primary-action">{t('review.save')}</button>
                    </Form>
                  ) : null}
                  {c.can.reply ? (
                    <Form method="post" className="form form--inline">
                      <input type="hidden" name="intent" value="reply" />
                      <input type="hidden" name="commentId" value={c.id} />
                      <div className="field">
                        <label className="utrecht-form-label" htmlFor={`re-${c.id}`}>{t('review.reply')}</label>
                        <input id={`re-${c.id}`} name="body" className="utrecht-textbox utrecht-textbox--html-input" maxLength={2000} required />
                      </div>
                      <button type="submit" className="utrecht-button utrecht-button--secondary-action">{t('review.sendReply')}</button>
                    </Form>
                  ) : null}
                </li>
              ))}
          </ul>
        </section>
      ))}
      <section aria-labelledby="reports">
        <Heading level={2} id="reports">{t('review.reports')}</Heading>
        {versions.length === 0 ? <Paragraph>{t('review.noVersions')}</Paragraph> : null}
        <ul>
          {versions.map((v) => (
            <li key={v.id}>
              <Link to={`/regio/${region.slug}/documenten/${doc.id}/verslag/${v.id}`}>{v.label}</Link> ({fmt.dateTime(v.createdAt)}) ·{' '}
              <a href={`/regio/${region.slug}/documenten/${doc.id}/verslag/${v.id}.csv`} download>
                CSV
              </a>
            </li>
          ))}
        </ul>
      </section>
    </div>
  )
}
