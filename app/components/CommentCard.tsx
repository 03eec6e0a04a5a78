import type { MessageKey } from '../i18n/messages'
import { useFormat, useT } from '../i18n/use'

/** One comment with where it stands: its words now, moderation, the answer ("you said, we did") and replies. */
export interface CommentCardData {
  id: string
  author: string
  mine: boolean
  quote: string
  current: string
  status: 'active' | 'outdated' | 'orphaned'
  body: string
  moderation: 'visible' | 'pending' | 'hidden'
  hiddenReason: string | null
  disposition: string
  dispositionReason: string | null
  dispositionVersion: string | null
  createdAt: string
  replies: Array<{ id: string; author: string; body: string; moderation: string; createdAt: string }>
}

/** The answer to a comment ("you said, we did"): what was done with it, in which version and why; or that none came yet. */
export function CommentAnswer({ disposition, reason, version }: { disposition: string; reason: string | null; version: string | null }) {
  const t = useT()
  if (disposition === 'open') return <p className="comment__waiting">{t('comments.noAnswerYet')}</p>
  return (
    <div className="comment__answer">
      <p>
        <strong>{t('comments.weDid')}</strong> {t(`disposition.${disposition}` as MessageKey)}
        {version ? <> · {t('comments.inVersion', { label: version })}</> : null}
      </p>
      {reason ? <p>{reason}</p> : null}
    </div>
  )
}

/** The id of a comment's card: where the focus goes once the comment is posted. */
export const commentDomId = (id: string) => `comment-${id}`

export function CommentCard({ comment: c, showQuote = false }: { comment: CommentCardData; showQuote?: boolean }) {
  const t = useT()
  const fmt = useFormat()
  return (
    <article id={commentDomId(c.id)} tabIndex={-1} className={`comment comment--${c.status}`} aria-label={t('comments.by', { name: c.author })}>
      <p className="comment__meta">
        <strong>{c.author}</strong>
        {c.mine ? <span className="badge">{t('comments.you')}</span> : null} · {fmt.dateTime(c.createdAt)}
        {c.status !== 'active' ? <span className={`badge badge--${c.status}`}>{t(`comments.status.${c.status}` as MessageKey)}</span> : null}
        {c.moderation !== 'visible' ? <span className="badge badge--warning">{t(`comments.moderation.${c.moderation}` as MessageKey)}</span> : null}
      </p>
      {showQuote || c.status !== 'active' ? (
        <blockquote className="comment__quote">
          <span className="visually-hidden">{t('comments.quote')}: </span>“{c.quote}”
        </blockquote>
      ) : null}
      <p className="comment__body">{c.body}</p>
      {c.moderation === 'hidden' && c.hiddenReason ? <p className="comment__hidden">{t('comments.hiddenBecause', { reason: c.hiddenReason })}</p> : null}
      <CommentAnswer disposition={c.disposition} reason={c.dispositionReason} version={c.dispositionVersion} />
      {c.replies.length > 0 ? (
        <ul className="comment__replies">
          {c.replies.map((r) => (
            <li key={r.id}>
              <strong>{r.author}</strong> · {fmt.dateTime(r.createdAt)}
              {r.moderation !== 'visible' ? <span className="badge badge--warning">{t(`comments.moderation.${r.moderation}` as MessageKey)}</span> : null}
              <p>{r.body}</p>
            </li>
          ))}
        </ul>
      ) : null}
    </article>
  )
}
