import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { useEffect, useRef } from 'react'
import { z } from 'zod'
import { requireUser } from '../../server/auth/guards'
import { parseForm } from '../../server/lib/forms'
import { myComments } from '../../server/modules/comments/comments'
import { listNotifications, markAllRead } from '../../server/modules/comments/notifications'
import { Notice, SubmitButton } from '../components/forms'
import type { MessageKey } from '../i18n/messages'
import { useFormat, useT } from '../i18n/use'

export const meta: MetaFunction = () => [{ title: 'Mijn reacties · Samenspel' }]

/**
 * "You said, we did": everything this person said, with the answers, and what is new. Opening the
 * page changes nothing (a GET may be prefetched, retried or opened by a link checker); the news is
 * marked read with an explicit button, a POST.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireUser(request, context)
  const [comments, notifications] = await Promise.all([myComments(context.db, auth.user.id), listNotifications(context.db, auth.user.id, 20)])
  return {
    comments,
    news: notifications
      .filter((n) => !n.read_at)
      .map((n) => ({ id: n.id, kind: n.kind, createdAt: n.created_at, title: String((JSON.parse(n.data) as { title?: string }).title ?? '') })),
  }
}

/** `upTo`: the newest notification on the page, so one that arrived after it was opened stays unread. */
const markReadSchema = z.object({ intent: z.literal('markRead'), upTo: z.iso.datetime() })

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireUser(request, context)
  const parsed = await parseForm(request, markReadSchema)
  if (!parsed.ok) throw new Response('Bad Request', { status: 400 })
  await markAllRead(context.db, auth.user.id, context.clock(), parsed.data.upTo)
  return { marked: true }
}

export default function MyComments() {
  const { comments, news } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const t = useT()
  const fmt = useFormat()
  const confirmation = useRef<HTMLDivElement>(null)
  // The button disappears with the news: put the keyboard focus on the confirmation instead of the page's start.
  useEffect(() => {
    if (result?.marked) confirmation.current?.focus()
  }, [result])
  return (
    <div className="content narrow">
      <Heading level={1}>{t('mine.title')}</Heading>
      {result?.marked ? (
        <div ref={confirmation} tabIndex={-1}>
          <Notice>{t('mine.markedRead')}</Notice>
        </div>
      ) : null}
      {news.length > 0 ? (
        <section aria-labelledby="news" className="card card--news">
          <Heading level={2} id="news">
            {t('mine.news', { count: news.length })}
          </Heading>
          <ul>
            {news.map((n) => (
              <li key={n.id}>
                {t(`notification.${n.kind}` as MessageKey, { title: n.title })} · {fmt.dateTime(n.createdAt)}
              </li>
            ))}
          </ul>
          <Form method="post" className="inline-form">
            <input type="hidden" name="intent" value="markRead" />
            <input type="hidden" name="upTo" value={news[0]!.createdAt} />
            <SubmitButton secondary>{t('mine.markRead')}</SubmitButton>
          </Form>
        </section>
      ) : null}
      {comments.length === 0 ? <Paragraph>{t('mine.none')}</Paragraph> : null}
      <ul className="comment-list">
        {comments.map((c) => (
          <li key={c.id} className="card">
            <p className="comment__meta">
              <Link to={`/regio/${c.region_slug}/principes`}>{c.doc_title}</Link>
              {c.section ? <> · {c.section}</> : null} · {fmt.dateTime(c.created_at)}
            </p>
            <blockquote className="comment__quote">
              <span className="visually-hidden">{t('comments.quote')}: </span>“{c.quote}”
            </blockquote>
            <p>
              <strong>{t('mine.youSaid')}</strong> {c.body}
            </p>
            {c.moderation === 'pending' ? <p className="badge badge--warning">{t('comments.moderation.pending')}</p> : null}
            {c.moderation === 'hidden' ? <p>{t('comments.hiddenBecause', { reason: c.hidden_reason ?? '' })}</p> : null}
            {c.disposition === 'open' ? (
              <p className="comment__waiting">{t('comments.noAnswerYet')}</p>
            ) : (
              <div className="comment__answer">
                <p>
                  <strong>{t('comments.weDid')}</strong> {t(`disposition.${c.disposition}` as MessageKey)}
                  {c.version_label ? <> · {t('comments.inVersion', { label: c.version_label })}</> : null}
                </p>
                {c.disposition_reason ? <p>{c.disposition_reason}</p> : null}
              </div>
            )}
          </li>
        ))}
      </ul>
    </div>
  )
}
