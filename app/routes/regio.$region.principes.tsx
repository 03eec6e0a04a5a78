import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { forbidden, notFound, requireRegion } from '../../server/auth/guards'
import { invalid, parseForm, refusal } from '../../server/lib/forms'
import { commentOnPrinciple } from '../../server/modules/comments/commands'
import { BODY_MAX, principleReactionSchema, principleRefusals } from '../../server/modules/comments/schemas'
import { principlesPage } from '../../server/modules/principles/content'
import { latestAdoption } from '../../server/modules/documents/queries'
import { ErrorSummary } from '../components/forms'
import { FocusedNotice } from '../components/FocusedNotice'
import { CommentCard } from '../components/CommentCard'
import { useErrorText, useFormat, useT } from '../i18n/use'

export const meta: MetaFunction = () => [{ title: 'Leidende principes · Samenspel' }]

/**
 * The principles for everyone in the region, in plain words first: each principle's summary, its
 * full text on request, a simple way to react to it, and the reactions with their answers.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { auth, region } = await requireRegion(request, context, params.region)
  const page = await principlesPage(context.db, context.collab, { actor: auth.actor, regionId: region.id, regionSlug: region.slug, now: context.clock() })
  if (!page.ok) return page.reason === 'not_found' ? notFound() : forbidden()
  return { ...page, bodyMax: BODY_MAX, region: { slug: region.slug, name: region.name }, adoption: await latestAdoption(context.db, page.doc.id) }
}

/** A reaction to one whole principle. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const { auth, region } = await requireRegion(request, context, params.region)
  const parsed = await parseForm(request, principleReactionSchema)
  if (!parsed.ok) return invalid(parsed.errors, parsed.values)
  const result = await commentOnPrinciple(context.db, context.collab, { actor: auth.actor, regionId: region.id, ...parsed.data, now: context.clock() })
  if (!result.ok) return refusal(result, principleRefusals, { ...parsed.data })
  return data({ ok: true as const, principle: result.principle, pending: result.moderation === 'pending', commentId: result.id, errors: {} as Record<string, string>, values: {} as Record<string, string> })
}

export default function Principles() {
  const { doc, principles, canComment, canEdit, region, adoption, demo, bodyMax } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const navigation = useNavigation()
  const t = useT()
  const fmt = useFormat()
  const groups = [...new Set(principles.map((p) => p.group))]
  const docPath = `/regio/${region.slug}/documenten/${doc.id}`
  return (
    <div className="content principles">
      <Heading level={1}>{doc.title}</Heading>
      {/* The lead and the demo notice say the same: a demo text is not what the region adopted. */}
      <Paragraph lead>{t(demo ? 'principles.introDemo' : 'principles.intro')}</Paragraph>
      {demo ? (
        <div className="utrecht-alert utrecht-alert--info" data-testid="demo-notice">
          <div className="utrecht-alert__message">{t('principles.demoNotice', { ...demo })}</div>
        </div>
      ) : null}
      {adoption ? (
        <Paragraph>
          {t('adoption.current', { label: adoption.version_label, date: fmt.date(adoption.adopted_on), reference: adoption.reference })}{' '}
          <Link to={`${docPath}/versies?van=${adoption.version_id}&naar=huidig#vergelijking`}>{t('adoption.compare')}</Link>
        </Paragraph>
      ) : null}
      <Paragraph>
        <Link to="/mijn-reacties">{t('principles.myComments')}</Link>
        {canEdit ? (
          <>
            {' · '}
            <Link to={docPath}>{t('principles.editText')}</Link>
            {' · '}
            <Link to={`${docPath}/reacties`}>{t('principles.allComments')}</Link>
          </>
        ) : null}
      </Paragraph>
      {canComment && !canEdit ? (
        <Paragraph>
          {t('principles.onWords')} <Link to={docPath}>{t('principles.onWordsLink')}</Link>
        </Paragraph>
      ) : null}
      {/* The id comes from the position: a group's name has spaces, which an id reference cannot hold. */}
      {groups.map((group, index) => (
        <section key={group} aria-labelledby={`groep-${index + 1}`}>
          <Heading level={2} id={`groep-${index + 1}`}>
            {group}
          </Heading>
          {principles
            .filter((p) => p.group === group)
            .map((p) => (
              <article key={p.key} id={p.key} className="principle card" aria-labelledby={`${p.key}-name`}>
                <Heading level={3} id={`${p.key}-name`}>
                  {p.name}
                </Heading>
                <Paragraph className="principle__summary">{p.summary}</Paragraph>
                <details className="principle__text">
                  <summary>{t('principles.readFull')}</summary>
                  <Paragraph>{p.text}</Paragraph>
                </details>
                {p.comments.length > 0 ? (
                  <div className="principle__comments">
                    <Heading level={4}>{t('principles.reactions', { count: p.comments.length })}</Heading>
                    <ul className="comment-list">
                      {p.comments.map((c) => (
                        <li key={c.id}>
                          <CommentCard comment={c} />
                        </li>
                      ))}
                    </ul>
                  </div>
                ) : null}
                {canComment ? <ReactionForm principle={p} result={result} bodyMax={bodyMax} submitting={navigation.state === 'submitting'} /> : null}
              </article>
            ))}
        </section>
      ))}
    </div>
  )
}

type ReactionResult = { ok: true; principle: string; pending: boolean } | { ok: false; errors: Record<string, string>; values: Record<string, string> }

/**
 * The reaction form under one principle. After sending, the focus goes to what happened: the
 * thanks (announced), or the error summary above the field, with the error at the field.
 */
function ReactionForm({
  principle: p,
  result,
  bodyMax,
  submitting,
}: {
  principle: { key: string; name: string }
  result: ReactionResult | undefined
  bodyMax: number
  submitting: boolean
}) {
  const t = useT()
  const errorText = useErrorText()
  const sent = result?.ok && result.principle === p.key ? result : undefined
  const failed = result && !result.ok && result.values?.principle === p.key ? result : undefined
  const label = t('principles.react', { name: p.name })
  const fieldError = failed ? errorText(failed.errors.body ?? failed.errors.form) : undefined
  return (
    // The button stays focusable while sending (a disabled one drops the focus to the page); a second press waits.
    <Form method="post" className="form principle__react" preventScrollReset onSubmit={(e) => submitting && e.preventDefault()}>
      <input type="hidden" name="principle" value={p.key} />
      {sent ? <FocusedNotice focusKey={sent}>{sent.pending ? t('principles.thanksPending') : t('principles.thanks')}</FocusedNotice> : null}
      {failed ? <ErrorSummary errors={{ body: failed.errors.body ?? failed.errors.form ?? 'error.required' }} fields={[{ name: 'body', label, idPrefix: p.key }]} focus /> : null}
      <div className={`utrecht-form-field${fieldError ? ' utrecht-form-field--invalid' : ''}`}>
        <label className="utrecht-form-label" htmlFor={`${p.key}-body`}>
          {label}
        </label>
        {fieldError ? (
          <p className="utrecht-form-field-error-message" id={`${p.key}-error`}>
            {fieldError}
          </p>
        ) : null}
        <textarea
          id={`${p.key}-body`}
          name="body"
          rows={3}
          maxLength={bodyMax}
          className="utrecht-textarea utrecht-textarea--html-textarea"
          aria-invalid={fieldError ? true : undefined}
          aria-describedby={fieldError ? `${p.key}-error` : undefined}
          defaultValue={failed?.values?.body}
          key={sent ? 'sent' : 'draft'}
        />
      </div>
      <button type="submit" className="utrecht-button utrecht-button--primary-action" aria-disabled={submitting || undefined}>
        {t('principles.send')}
      </button>
    </Form>
  )
}
