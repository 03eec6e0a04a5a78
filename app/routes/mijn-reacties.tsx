import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { requireUser } from '../../server/auth/guards'
import { parseForm } from '../../server/lib/forms'
import { markRead } from '../../server/modules/comments/commands'
import { myComments, unreadNews } from '../../server/modules/comments/queries'
import { markReadSchema } from '../../server/modules/comments/schemas'
import { SubmitButton } from '../components/forms'
import { FocusedNotice } from '../components/FocusedNotice'
import { CommentAnswer } from '../components/CommentCard'
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
  const [comments, news] = await Promise.all([myComments(context.db, auth.user.id), unreadNews(context.db, auth.user.id)])
  return { comments, news }
}

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireUser(request, context)
  const parsed = await parseForm(request, markReadSchema)
  if (!parsed.ok) throw new Response('Bad Request', { status: 400 })
  await markRead(context.db, { userId: auth.user.id, now: context.clock(), upTo: parsed.data.upTo })
  return { marked: true }
}

export default function MyComments() {
  const { comments, news } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const t = useT()
  const fmt = useFormat()
  return (
    <div className="content narrow">
      <Heading level={1}>{t('mine.title')}</Heading>
      {/* The button disappears with the news: the keyboard focus goes to the confirmation instead of the page's start. */}
      {result?.marked ? <FocusedNotice focusKey={result}>{t('mine.markedRead')}</FocusedNotice> : null}
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
            <CommentAnswer disposition={c.disposition} reason={c.disposition_reason} version={c.version_label} />
          </li>
        ))}
      </ul>
    </div>
  )
}
