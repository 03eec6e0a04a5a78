import type { LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { Link, useLoaderData } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { requireUser } from '../../server/auth/guards'
import { myComments } from '../../server/modules/comments/comments'
import { listNotifications, markAllRead } from '../../server/modules/comments/notifications'
import type { MessageKey } from '../i18n/messages'
import { useFormat, useT } from '../i18n/use'

export const meta: MetaFunction = () => [{ title: 'Mijn reacties · Samenspel' }]

/** "You said, we did": everything this person said, with the answers; opening it reads the notifications. */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireUser(request, context)
  const [comments, notifications] = await Promise.all([myComments(context.db, auth.user.id), listNotifications(context.db, auth.user.id, 20)])
  await markAllRead(context.db, auth.user.id, context.clock())
  return {
    comments,
    news: notifications
      .filter((n) => !n.read_at)
      .map((n) => ({ id: n.id, kind: n.kind, createdAt: n.created_at, title: String((JSON.parse(n.data) as { title?: string }).title ?? '') })),
  }
}

export default function MyComments() {
  const { comments, news } = useLoaderData<typeof loader>()
  const t = useT()
  const fmt = useFormat()
  return (
    <div className="content narrow">
      <Heading level={1}>{t('mine.title')}</Heading>
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
