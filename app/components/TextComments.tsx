import { useEffect, useRef, useState } from 'react'
import { Link, useFetcher } from '@remix-run/react'
import type { EditorCommentApi } from '../editor/Editor.client'
import type { MessageKey } from '../i18n/messages'
import { useErrorText, useT } from '../i18n/use'
import { CommentCard, commentDomId, type CommentCardData } from './CommentCard'
import { ErrorSummary, Notice } from './forms'

/**
 * Commenting on words of a document page: "Reageer op tekst" (to the text, caret at the start),
 * the "Reageer op selectie" button and the form (also opened with Ctrl+Alt+M in the text), and the
 * side panel listing the comments by principle and state, each with a button that selects its
 * words in the editor. After posting, the focus goes to the new comment in the panel; after a
 * refusal, to the error summary above the form.
 */
export interface PanelComment extends CommentCardData {
  section: string
  anchorStart: string
  anchorEnd: string
}

type ActionResult = { ok: true; commentId?: string; moderation?: string } | { ok: false; errors: Record<string, string>; values: Record<string, string> }

export function CommentComposer({ api, openSignal }: { api: EditorCommentApi | null; openSignal: number }) {
  const t = useT()
  const errorText = useErrorText()
  const fetcher = useFetcher<ActionResult>()
  const [draft, setDraft] = useState<{ start: string; end: string; quote: string } | null>(null)
  const [noSelection, setNoSelection] = useState(false)
  const [saved, setSaved] = useState<{ id: string; text: string } | null>(null)
  const bodyRef = useRef<HTMLTextAreaElement>(null)
  const noSelectionRef = useRef<HTMLParagraphElement>(null)
  const savedRef = useRef<HTMLDivElement>(null)

  const open = () => {
    const selection = api?.selection() ?? null
    setSaved(null)
    if (!selection) {
      setDraft(null)
      setNoSelection(true)
      return
    }
    setNoSelection(false)
    setDraft(selection)
  }
  // The shortcut in the text bumps openSignal.
  const openRef = useRef(open)
  openRef.current = open
  useEffect(() => {
    if (openSignal > 0) openRef.current()
  }, [openSignal])
  useEffect(() => {
    if (draft) bodyRef.current?.focus()
  }, [draft])
  useEffect(() => {
    if (noSelection) noSelectionRef.current?.focus()
  }, [noSelection])
  const result = fetcher.state === 'idle' ? fetcher.data : undefined
  useEffect(() => {
    if (result?.ok && result.commentId) {
      setDraft(null)
      setSaved({ id: result.commentId, text: result.moderation === 'pending' ? t('annotate.savedPending') : t('annotate.saved') })
    }
  }, [result, t])
  // Once the form is gone: the new comment in the panel takes the focus (the page's data already
  // holds it), else the announced confirmation; never the page's start.
  useEffect(() => {
    if (!saved) return
    const card = document.getElementById(commentDomId(saved.id))
    ;(card ?? savedRef.current)?.focus()
  }, [saved])
  const errors = result && !result.ok ? result.errors : {}

  return (
    <div className="annotate">
      <div className="annotate__bar">
        <button
          type="button"
          className="utrecht-button utrecht-button--secondary-action"
          aria-disabled={api ? undefined : true}
          onClick={() => api?.start()}
        >
          {t('annotate.toText')}
        </button>
        <button
          type="button"
          className="utrecht-button utrecht-button--secondary-action"
          aria-keyshortcuts="Control+Alt+M"
          // Keep the text's selection when pressing the button.
          onMouseDown={(e) => e.preventDefault()}
          onClick={open}
        >
          {t('annotate.button')}
        </button>
      </div>
      {noSelection ? (
        <p className="annotate__message" tabIndex={-1} ref={noSelectionRef}>
          {t('comments.noSelection')}
        </p>
      ) : null}
      {saved ? (
        <div ref={savedRef} tabIndex={-1} className="focus-target">
          <Notice>{saved.text}</Notice>
        </div>
      ) : null}
      {draft ? (
        <fetcher.Form method="post" className="form annotate__form" aria-labelledby="annotate-title">
          <h2 id="annotate-title" className="annotate__title">
            {t('annotate.formTitle')}
          </h2>
          <ErrorSummary errors={result && !result.ok ? errors : undefined} fields={[{ name: 'body', label: t('annotate.body'), idPrefix: 'annotate' }]} focus />
          {errors.quote ? <p className="utrecht-form-field-error-message">{errorText(errors.quote)}</p> : null}
          <p className="annotate__about">{t('annotate.about')}</p>
          <blockquote className="comment__quote">“{draft.quote}”</blockquote>
          <input type="hidden" name="intent" value="comment" />
          <input type="hidden" name="start" value={draft.start} />
          <input type="hidden" name="end" value={draft.end} />
          <input type="hidden" name="quote" value={draft.quote} />
          <div className={`field${errors.body ? ' utrecht-form-field--invalid' : ''}`}>
            <label className="utrecht-form-label" htmlFor="annotate-body">
              {t('annotate.body')}
            </label>
            {errors.body ? (
              <p className="utrecht-form-field-error-message" id="annotate-body-error">
                {errorText(errors.body)}
              </p>
            ) : null}
            <textarea
              id="annotate-body"
              name="body"
              ref={bodyRef}
              rows={4}
              maxLength={2000}
              className="utrecht-textarea utrecht-textarea--html-textarea"
              aria-invalid={errors.body ? true : undefined}
              aria-describedby={errors.body ? 'annotate-body-error' : undefined}
            />
          </div>
          <div className="actions">
            <button type="submit" className="utrecht-button utrecht-button--primary-action" disabled={fetcher.state !== 'idle'}>
              {t('annotate.submit')}
            </button>
            <button
              type="button"
              className="utrecht-button utrecht-button--secondary-action"
              onClick={() => {
                setDraft(null)
                api?.focus()
              }}
            >
              {t('annotate.cancel')}
            </button>
          </div>
        </fetcher.Form>
      ) : null}
    </div>
  )
}

const statusOrder = { active: 0, outdated: 1, orphaned: 2 } as const

export function CommentsPanel({ comments, api, reviewHref }: { comments: PanelComment[]; api: EditorCommentApi | null; reviewHref: string | null }) {
  const t = useT()
  const sections = [...new Set(comments.map((c) => c.section))]
  return (
    <section className="comments-panel" aria-labelledby="comments-panel-title">
      <h2 id="comments-panel-title" className="comments-panel__title">
        {`${t('annotate.panel')} (${comments.length})`}
      </h2>
      {reviewHref ? (
        <p>
          <Link to={reviewHref}>{t('annotate.review')}</Link>
        </p>
      ) : null}
      {comments.length === 0 ? <p className="muted">{t('annotate.none')}</p> : null}
      {sections.map((section) => (
        <div key={section || '-'} className="comments-panel__section">
          <h3 className="comments-panel__section-title">{section || t('review.noSection')}</h3>
          <ul className="comments-panel__list">
            {comments
              .filter((c) => c.section === section)
              .sort((a, b) => statusOrder[a.status] - statusOrder[b.status])
              .map((c) => (
                <li key={c.id} className="comments-panel__item" data-comment={c.id} data-status={c.status}>
                  <p className="comments-panel__status">{t(`annotate.group.${c.status}` as MessageKey)}</p>
                  <CommentCard comment={c} showQuote />
                  {c.status !== 'orphaned' ? (
                    <button
                      type="button"
                      className="utrecht-button utrecht-button--subtle comments-panel__goto"
                      disabled={!api}
                      onClick={() => api?.goTo({ start: c.anchorStart, end: c.anchorEnd })}
                    >
                      {t('annotate.goTo')}
                      <span className="visually-hidden">: “{c.quote}”</span>
                    </button>
                  ) : null}
                </li>
              ))}
          </ul>
        </div>
      ))}
    </section>
  )
}
