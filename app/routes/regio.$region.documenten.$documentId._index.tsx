import { Component, lazy, Suspense, useEffect, useMemo, useState, type ReactNode } from 'react'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { invalid, parseFormData, refusal } from '../../server/lib/forms'
import { lockDocument, unlockDocument } from '../../server/modules/documents/commands'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { requireDocument } from '../../server/modules/documents/access'
import { withDocumentState } from '../../server/modules/documents/queries'
import { renderHTML } from '../../server/modules/documents/render'
import { lockSchema } from '../../server/modules/documents/schemas'
import { commentOnDocument } from '../../server/modules/comments/commands'
import { listComments } from '../../server/modules/comments/queries'
import { commentRefusals, commentSchema } from '../../server/modules/comments/schemas'
import { CommentComposer, CommentsPanel } from '../components/TextComments'
import type { EditorCommentApi } from '../editor/Editor.client'
import { Notice } from '../components/forms'
import { colourFor } from '../editor/presence'
import { useErrorText, useT } from '../i18n/use'
import type { MessageKey } from '../i18n/messages'

/** Browser only: Remix leaves .client modules out of the server build. */
const CollabEditor = lazy(() => import('../editor/Editor.client'))

/**
 * A document: its latest text rendered on the server (readable without JavaScript), replaced by
 * the live editor once that has synced. Read-only for 'read' and 'comment', with the reason.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { auth, region, doc, abilities, readOnlyReason } = await requireDocument(request, context, params, 'read')
  const { comments, html } = await withDocumentState(context.db, context.collab, doc.id, async (ydoc) => {
    // The comments first: rendering may drop unknown elements from the copy it reads.
    const comments = await listComments(context.db, { actor: auth.actor, doc, now: context.clock(), ydoc })
    return { comments, html: renderHTML(ydoc) }
  })
  return {
    region: { slug: region.slug, name: region.name },
    doc: { id: doc.id, title: doc.title, kind: doc.kind, status: doc.status },
    abilities,
    readOnlyReason,
    html,
    user: { id: auth.user.id, name: auth.user.name, color: colourFor(auth.user.id) },
    canReview: abilities.edit || comments.some((c) => c.can.moderate || c.can.dispose),
    comments,
  }
}

/**
 * Commenting on words (intent 'comment': anchors, quote and body; the words must still be there,
 * else 409), and locking, which makes the document read-only for everyone; open editors switch at
 * once (the collab server is told).
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const { auth, doc, region } = await requireDocument(request, context, params, 'read')
  let form: FormData
  try {
    form = await request.formData()
  } catch {
    throw new Response('Bad Request', { status: 400 })
  }
  if (form.get('intent') === 'comment') {
    const parsed = parseFormData(form, commentSchema)
    if (!parsed.ok) return invalid(parsed.errors, parsed.values)
    const result = await commentOnDocument(context.db, context.collab, { actor: auth.actor, doc, ...parsed.data, now: context.clock() })
    return result.ok ? data({ ok: true as const, commentId: result.id, moderation: result.moderation }) : refusal(result, commentRefusals, { body: parsed.data.body })
  }
  const parsed = parseFormData(form, lockSchema)
  if (!parsed.ok) throw new Response('Bad Request', { status: 400 })
  const input = { actor: auth.actor, doc, now: context.clock() }
  const locked = parsed.data.intent === 'lock' ? await lockDocument(context.db, context.collab, input) : await unlockDocument(context.db, context.collab, input)
  if (!locked.ok) return refusal(locked, {}, parsed.data)
  return redirect(`/regio/${region.slug}/documenten/${doc.id}`)
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.doc.title} · ${data.region.name} · Samenspel` : 'Samenspel' }]

export default function DocumentPage() {
  const { region, doc, abilities, readOnlyReason, html, user, canReview, comments } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const t = useT()
  const errorText = useErrorText()
  const { edit: editable, comment: canComment, lock: canLock } = abilities
  // A refused lock or unlock (someone else's change of roles, say) is said next to the button.
  const lockRefused = result && !result.ok && 'values' in result && (result.values.intent === 'lock' || result.values.intent === 'unlock') ? result.errors.form : undefined
  const [mounted, setMounted] = useState(false)
  useEffect(() => setMounted(true), [])
  const [api, setApi] = useState<EditorCommentApi | null>(null)
  const [openSignal, setOpenSignal] = useState(0)
  const anchors = useMemo(
    () => comments.filter((c) => c.moderation !== 'hidden').map((c) => ({ id: c.id, start: c.anchorStart, end: c.anchorEnd, status: c.status })),
    [comments],
  )
  const base = `/regio/${region.slug}/documenten`
  const fallback = <StaticText html={html} />
  return (
    <div className="content doc-page">
      <p className="doc-page__back">
        <Link to={base}>{t('doc.allDocuments')}</Link>
      </p>
      <Heading level={1}>{doc.title}</Heading>
      {/* A <div>, not a <p>: a <form> may not sit in a paragraph, and the browser would split it (React #418). */}
      <div className="doc-page__meta">
        <span>{t(`doc.kind.${doc.kind}` as MessageKey)}</span>
        <span className={`status status--doc-${doc.status}`}>{t(`doc.status.${doc.status}` as MessageKey)}</span>
        <Link to={`${base}/${doc.id}/versies`}>{t('doc.versions')}</Link>
        <Link to={`${base}/${doc.id}/reacties`}>{t('doc.comments')}</Link>
        {canLock ? (
          <Form method="post" className="inline-form">
            <input type="hidden" name="intent" value={doc.status === 'locked' ? 'unlock' : 'lock'} />
            <button type="submit" className="utrecht-button utrecht-button--secondary-action">
              {doc.status === 'locked' ? t('doc.unlock') : t('doc.lock')}
            </button>
          </Form>
        ) : null}
      </div>
      {lockRefused ? (
        <Notice kind="error">{errorText(lockRefused)}</Notice>
      ) : null}
      {readOnlyReason ? <Notice kind="info">{t(`doc.readonly.${readOnlyReason}` as MessageKey)}</Notice> : null}
      <noscript>
        <Paragraph className="muted">{t('doc.noscript')}</Paragraph>
      </noscript>
      <div className="doc-layout">
        <div className="doc-layout__main">
          {canComment && mounted ? <CommentComposer api={api} openSignal={openSignal} /> : null}
          {mounted ? (
            <EditorBoundary fallback={<><Notice kind="error">{t('doc.editorFailed')}</Notice>{fallback}</>}>
              <Suspense fallback={fallback}>
                <CollabEditor
                  documentId={doc.id}
                  title={doc.title}
                  user={user}
                  editable={editable}
                  fallback={fallback}
                  canComment={canComment}
                  comments={anchors}
                  onReady={setApi}
                  onCommentShortcut={canComment ? () => setOpenSignal((n) => n + 1) : undefined}
                />
              </Suspense>
            </EditorBoundary>
          ) : (
            fallback
          )}
        </div>
        <CommentsPanel comments={comments} api={api} reviewHref={canReview ? `${base}/${doc.id}/reacties` : null} />
      </div>
    </div>
  )
}

/** The server's rendering of the latest text (ProseMirror's own HTML, from the editor's schema). */
function StaticText({ html }: { html: string }) {
  const t = useT()
  if (!html) return <Paragraph className="muted">{t('doc.empty')}</Paragraph>
  return <div className="doc-text doc-text--static" data-testid="doc-static" dangerouslySetInnerHTML={{ __html: html }} />
}

/** If the editor's code cannot load (a network error, an old tab after a deploy), the text stays readable. */
class EditorBoundary extends Component<{ fallback: ReactNode; children: ReactNode }, { failed: boolean }> {
  state = { failed: false }
  static getDerivedStateFromError() {
    return { failed: true }
  }
  render() {
    return this.state.failed ? this.props.fallback : this.props.children
  }
}
