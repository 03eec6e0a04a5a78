import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useNavigation } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { z } from 'zod'
import { forbidden, notFound, requireRegion } from '../../server/auth/guards'
import { can, permissionOn } from '../../server/policy/can'
import { invalid, parseForm } from '../../server/lib/forms'
import { asResource, latestAdoption, latestState } from '../../server/modules/documents/queries'
import { createComment, listComments, BODY_MAX } from '../../server/modules/comments/comments'
import { demoNotice, findPrinciplesDocument, principlesWithAnchors } from '../../server/modules/principles/content'
import { Notice } from '../components/forms'
import { CommentCard } from '../components/CommentCard'
import { useErrorText, useFormat, useT } from '../i18n/use'

export const meta: MetaFunction = () => [{ title: 'Leidende principes · Samenspel' }]

/**
 * The principles for everyone in the region, in plain words first: each principle's summary, its
 * full text on request, a simple way to react to it, and the reactions with their answers.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { auth, region } = await requireRegion(request, context, params.region)
  const doc = await findPrinciplesDocument(context.db, region.id)
  if (!doc) notFound()
  const permission = permissionOn(auth.actor, asResource(doc, context.clock()))
  if (permission === 'none') forbidden()
  const ydoc = await latestState(context.db, context.collab, doc.id)
  try {
    const principles = principlesWithAnchors(ydoc)
    const comments = await listComments(context.db, { actor: auth.actor, doc, ydoc })
    return {
      adoption: await latestAdoption(context.db, doc.id),
      region: { slug: region.slug, name: region.name },
      doc: { id: doc.id, title: doc.title },
      demo: demoNotice(region.slug, ydoc),
      canComment: can(auth.actor, 'comment', asResource(doc)),
      canEdit: permission === 'edit',
      principles: principles.map((p, i) => ({
        key: `p${i}`,
        group: p.group,
        name: p.name,
        summary: p.summary,
        text: p.text,
        comments: comments.filter((c) => c.section === p.name),
      })),
    }
  } finally {
    ydoc.destroy()
  }
}

const reactSchema = z.object({
  principle: z.string().regex(/^p\d{1,3}$/),
  body: z.string({ error: 'error.required' }).trim().min(1, 'error.required').max(BODY_MAX, `error.tooLong|${BODY_MAX}`),
})

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { auth, region } = await requireRegion(request, context, params.region)
  const doc = await findPrinciplesDocument(context.db, region.id)
  if (!doc) notFound()
  if (!can(auth.actor, 'comment', asResource(doc))) forbidden()
  const parsed = await parseForm(request, reactSchema)
  if (!parsed.ok) return invalid(parsed.errors, parsed.values)
  const ydoc = await latestState(context.db, context.collab, doc.id)
  try {
    const principle = principlesWithAnchors(ydoc)[Number(parsed.data.principle.slice(1))]
    if (!principle?.anchor) return invalid({ body: 'comments.rangeGone' }, { ...parsed.data }, 409)
    const result = await createComment(context.db, {
      actor: auth.actor,
      doc,
      ydoc,
      ...principle.anchor,
      body: parsed.data.body,
      now: context.clock(),
    })
    if (!result.ok) return invalid({ body: result.reason === 'forbidden' ? 'error.forbidden' : 'comments.rangeGone' }, { ...parsed.data }, result.reason === 'forbidden' ? 403 : 409)
    return data({ ok: true as const, principle: parsed.data.principle, pending: result.moderation === 'pending', errors: {} as Record<string, string>, values: {} as Record<string, string> })
  } finally {
    ydoc.destroy()
  }
}

export default function Principles() {
  const { doc, principles, canComment, canEdit, region, adoption, demo } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const navigation = useNavigation()
  const t = useT()
  const errorText = useErrorText()
  const fmt = useFormat()
  const groups = [...new Set(principles.map((p) => p.group))]
  const failedFor = result && !result.ok ? result.values?.principle : undefined
  return (
    <div className="content principles">
      <Heading level={1}>{doc.title}</Heading>
      <Paragraph lead>{t('principles.intro')}</Paragraph>
      {demo ? (
        <div className="utrecht-alert utrecht-alert--info" data-testid="demo-notice">
          <div className="utrecht-alert__message">{t('principles.demoNotice', { ...demo })}</div>
        </div>
      ) : null}
      {adoption ? (
        <Paragraph>
          {t('adoption.current', { label: adoption.version_label, date: fmt.date(adoption.adopted_on), reference: adoption.reference })}{' '}
          <Link to={`/regio/${region.slug}/documenten/${doc.id}/versies?van=${adoption.version_id}&naar=huidig#vergelijking`}>{t('adoption.compare')}</Link>
        </Paragraph>
      ) : null}
      <Paragraph>
        <Link to="/mijn-reacties">{t('principles.myComments')}</Link>
        {canEdit ? (
          <>
            {' · '}
            <Link to={`/regio/${region.slug}/documenten/${doc.id}`}>{t('principles.editText')}</Link>
            {' · '}
            <Link to={`/regio/${region.slug}/documenten/${doc.id}/reacties`}>{t('principles.allComments')}</Link>
          </>
        ) : null}
      </Paragraph>
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
                {canComment ? (
                  <Form method="post" className="form principle__react" preventScrollReset>
                    <input type="hidden" name="principle" value={p.key} />
                    {result?.ok && result.principle === p.key ? (
                      <Notice>{result.pending ? t('principles.thanksPending') : t('principles.thanks')}</Notice>
                    ) : null}
                    <div className={`utrecht-form-field${failedFor === p.key ? ' utrecht-form-field--invalid' : ''}`}>
                      <label className="utrecht-form-label" htmlFor={`${p.key}-body`}>
                        {t('principles.react', { name: p.name })}
                      </label>
                      {failedFor === p.key && result && !result.ok ? (
                        <p className="utrecht-form-field-error-message" id={`${p.key}-error`}>
                          {errorText(result.errors.body)}
                        </p>
                      ) : null}
                      <textarea
                        id={`${p.key}-body`}
                        name="body"
                        rows={3}
                        maxLength={BODY_MAX_UI}
                        className="utrecht-textarea utrecht-textarea--html-textarea"
                        aria-invalid={failedFor === p.key ? true : undefined}
                        aria-describedby={failedFor === p.key ? `${p.key}-error` : undefined}
                        defaultValue={failedFor === p.key ? result?.values?.body : undefined}
                        key={result?.ok && result.principle === p.key ? 'sent' : 'draft'}
                      />
                    </div>
                    <button type="submit" className="utrecht-button utrecht-button--primary-action" disabled={navigation.state === 'submitting'}>
                      {t('principles.send')}
                    </button>
                  </Form>
                ) : null}
              </article>
            ))}
        </section>
      ))}
    </div>
  )
}

const BODY_MAX_UI = 2000
