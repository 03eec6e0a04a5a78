import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { dispositions } from '../../db/schema'
import { invalid, parseForm, refusal } from '../../server/lib/forms'
import { requireDocument } from '../../server/modules/documents/access'
import { listVersions } from '../../server/modules/documents/queries'
import { moderate, reply, setDisposition } from '../../server/modules/comments/commands'
import { asReviewFilter, reviewComments } from '../../server/modules/comments/queries'
import { BODY_MAX, commentRefusals, reviewActionSchema } from '../../server/modules/comments/schemas'
import { CommentCard } from '../components/CommentCard'
import { ErrorSummary, fieldId } from '../components/forms'
import { FocusedNotice } from '../components/FocusedNotice'
import type { MessageKey } from '../i18n/messages'
import { useErrorText, useFormat, useT } from '../i18n/use'

export const meta: MetaFunction = () => [{ title: 'Reacties · Samenspel' }]

/**
 * All comments on a document, by principle, for the people who answer them (editors give the
 * disposition) and who moderate them (panel coordinators). Filters by state; links to each
 * version's response report.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { auth, doc, region } = await requireDocument(request, context, params, 'read')
  const filter = asReviewFilter(new URL(request.url).searchParams.get('filter'))
  const review = await reviewComments(context.db, context.collab, { actor: auth.actor, doc, filter, now: context.clock() })
  const versions = await listVersions(context.db, { actor: auth.actor, doc, now: context.clock() })
  return {
    region: { slug: region.slug },
    doc: { id: doc.id, title: doc.title },
    review,
    bodyMax: BODY_MAX,
    versions: versions.map((v) => ({ id: v.id, label: v.label, createdAt: v.created_at })),
  }
}

/** Answer (dispose), moderate or reply: one command per intent. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const { auth, doc } = await requireDocument(request, context, params, 'read')
  const parsed = await parseForm(request, reviewActionSchema)
  if (!parsed.ok) return invalid(parsed.errors, parsed.values)
  const input = parsed.data
  const by = { actor: auth.actor, doc, commentId: input.commentId, now: context.clock() }
  const result =
    input.intent === 'dispose'
      ? await setDisposition(context.db, { ...by, disposition: input.disposition, reason: input.reason, versionId: input.versionId })
      : input.intent === 'moderate'
        ? await moderate(context.db, { ...by, decision: input.decision, reason: input.reason })
        : await reply(context.db, { ...by, body: input.body })
  if (!result.ok) return refusal(result, commentRefusals, Object.fromEntries(Object.entries(input).map(([k, v]) => [k, String(v)])))
  return data({ ok: true as const, commentId: input.commentId, intent: input.intent, errors: {} as Record<string, string>, values: {} as Record<string, string> })
}

type ReviewResult = { ok: true; commentId: string; intent: string } | { ok: false; errors: Record<string, string>; values: Record<string, string> }

export default function DocumentComments() {
  const { doc, review, versions, region, bodyMax } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>() as ReviewResult | undefined
  const t = useT()
  const fmt = useFormat()
  const shownIds = new Set(review.sections.flatMap((s) => s.comments.map((c) => c.id)))
  // After an action the focus goes to its outcome: in the comment's card, or above the list when
  // the comment left this filter (approved from "waiting"), or when the refusal is about the page.
  const atTop = result && (result.ok ? !shownIds.has(result.commentId) : !shownIds.has(result.values?.commentId ?? '') || Boolean(result.errors.form))
  return (
    <div className="content">
      <Paragraph>
        <Link to={`/regio/${region.slug}/documenten/${doc.id}`}>← {doc.title}</Link>
      </Paragraph>
      <Heading level={1}>{t('review.title', { title: doc.title })}</Heading>
      <nav aria-label={t('review.filter')} className="filters">
        <ul>
          {(Object.keys(review.counts) as Array<keyof typeof review.counts>).map((f) => (
            <li key={f}>
              <Link to={`?filter=${f}`} aria-current={review.filter === f ? 'true' : undefined}>
                {t(`review.filter.${f}` as MessageKey)} ({review.counts[f]})
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      {atTop && result.ok ? <FocusedNotice focusKey={result}>{t('admin.saved')}</FocusedNotice> : null}
      {atTop && !result.ok ? <ErrorSummary errors={result.errors} focus /> : null}
      {review.sections.length === 0 ? <Paragraph>{t('review.none')}</Paragraph> : null}
      {review.sections.map(({ section, comments }) => (
        <section key={section || '-'} aria-label={section || t('review.noSection')}>
          <Heading level={2}>{section || t('review.noSection')}</Heading>
          <ul className="comment-list">
            {comments.map((c) => (
              <li key={c.id} className="card" id={`c-${c.id}`}>
                <CommentCard comment={c} showQuote />
                {result?.ok && result.commentId === c.id ? <FocusedNotice focusKey={result}>{t('admin.saved')}</FocusedNotice> : null}
                <CommentForms comment={c} versions={versions} bodyMax={bodyMax} failed={!atTop && result && !result.ok && result.values?.commentId === c.id ? result : undefined} />
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

/**
 * Approve, hide, answer and reply for one comment, as far as this person may. A refused form
 * shows its error summary (focused, announced) and the message at the field.
 */
function CommentForms({
  comment: c,
  versions,
  bodyMax,
  failed,
}: {
  comment: { id: string; moderation: string; disposition: string; dispositionReason: string | null; can: { reply: boolean; moderate: boolean; dispose: boolean } }
  versions: Array<{ id: string; label: string; createdAt: string }>
  bodyMax: number
  failed: { errors: Record<string, string>; values: Record<string, string> } | undefined
}) {
  const t = useT()
  const fmt = useFormat()
  const errorText = useErrorText()
  const failedIntent = failed?.values?.intent
  /** A field of one form: its id (fieldId, so the error summary links to it), its error, and the props that tie them together. */
  const field = (intent: string, name: string, label: string) => {
    const error = failedIntent === intent ? failed?.errors[name] : undefined
    const id = fieldId(name, `${intent}-${c.id}`)
    return {
      id,
      error,
      label,
      link: { name, label, idPrefix: `${intent}-${c.id}` },
      message: error ? <p className="utrecht-form-field-error-message" id={`${id}-error`}>{errorText(error)}</p> : null,
      aria: { 'aria-invalid': error ? (true as const) : undefined, 'aria-describedby': error ? `${id}-error` : undefined },
    }
  }
  const summary = (intent: string, fields: Array<{ link: { name: string; label: string; idPrefix: string } }>) =>
    failedIntent === intent ? <ErrorSummary errors={failed?.errors} fields={fields.map((f) => f.link)} focus /> : null
  const hideReason = field('moderate', 'reason', t('review.hideReason'))
  const reason = field('dispose', 'reason', t('review.reason'))
  const version = field('dispose', 'versionId', t('review.version'))
  const replyBody = field('reply', 'body', t('review.reply'))
  return (
    <>
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
        <details open={hideReason.error ? true : undefined}>
          <summary>{t('review.hide')}</summary>
          <Form method="post" className="form">
            {summary('moderate', [hideReason])}
            <input type="hidden" name="intent" value="moderate" />
            <input type="hidden" name="commentId" value={c.id} />
            <input type="hidden" name="decision" value="hide" />
            <label className="utrecht-form-label" htmlFor={hideReason.id}>{hideReason.label}</label>
            {hideReason.message}
            <input id={hideReason.id} name="reason" className="utrecht-textbox utrecht-textbox--html-input" maxLength={500} required {...hideReason.aria} />
            <button type="submit" className="utrecht-button utrecht-button--secondary-action">{t('review.hide')}</button>
          </Form>
        </details>
      ) : null}
      {c.can.dispose ? (
        <Form method="post" className="form form--inline disposition-form">
          {summary('dispose', [reason, version])}
          <input type="hidden" name="intent" value="dispose" />
          <input type="hidden" name="commentId" value={c.id} />
          <div className="field">
            <label className="utrecht-form-label" htmlFor={`d-${c.id}`}>{t('review.disposition')}</label>
            <select id={`d-${c.id}`} name="disposition" defaultValue={failedIntent === 'dispose' ? failed?.values.disposition : c.disposition} className="utrecht-select utrecht-select--html-select">
              {dispositions.map((d) => (
                <option key={d} value={d}>{t(`disposition.${d}` as MessageKey)}</option>
              ))}
            </select>
          </div>
          <div className={`field${reason.error ? ' utrecht-form-field--invalid' : ''}`}>
            <label className="utrecht-form-label" htmlFor={reason.id}>{reason.label}</label>
            {reason.message}
            <textarea id={reason.id} name="reason" rows={2} className="utrecht-textarea utrecht-textarea--html-textarea" defaultValue={c.dispositionReason ?? ''} {...reason.aria} />
          </div>
          <div className={`field${version.error ? ' utrecht-form-field--invalid' : ''}`}>
            <label className="utrecht-form-label" htmlFor={version.id}>{version.label}</label>
            {version.message}
            <select id={version.id} name="versionId" defaultValue="" className="utrecht-select utrecht-select--html-select" {...version.aria}>
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
          {summary('reply', [replyBody])}
          <input type="hidden" name="intent" value="reply" />
          <input type="hidden" name="commentId" value={c.id} />
          <div className={`field${replyBody.error ? ' utrecht-form-field--invalid' : ''}`}>
            <label className="utrecht-form-label" htmlFor={replyBody.id}>{replyBody.label}</label>
            {replyBody.message}
            <input id={replyBody.id} name="body" className="utrecht-textbox utrecht-textbox--html-input" maxLength={bodyMax} required {...replyBody.aria} />
          </div>
          <button type="submit" className="utrecht-button utrecht-button--secondary-action">{t('review.sendReply')}</button>
        </Form>
      ) : null}
    </>
  )
}
