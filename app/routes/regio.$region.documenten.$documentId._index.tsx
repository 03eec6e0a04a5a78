import { Component, lazy, Suspense, useEffect, useState, type ReactNode } from 'react'
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { Form, Link, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { forbidden } from '../../server/auth/guards'
import { can } from '../../server/policy/can'
import { parseForm } from '../../server/lib/forms'
import { asResource, NotAllowedError, setLocked } from '../../server/modules/documents/documents'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { requireDocument } from '../../server/modules/documents/access'
import { documentHTML } from '../../server/modules/documents/render'
import { Notice } from '../components/forms'
import { colourFor } from '../editor/presence'
import { useT } from '../i18n/use'
import type { MessageKey } from '../i18n/messages'

/** Browser only: Remix leaves .client modules out of the server build. */
const CollabEditor = lazy(() => import('../editor/Editor.client'))

/**
 * A document: its latest text rendered on the server (readable without JavaScript), replaced by
 * the live editor once that has synced. Read-only for 'read' and 'comment', with the reason.
 */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { auth, region, doc, permission } = await requireDocument(request, context, params, 'read')
  const html = await documentHTML(context.db, context.collab, doc.id)
  return {
    region: { slug: region.slug, name: region.name },
    doc: { id: doc.id, title: doc.title, kind: doc.kind, status: doc.status },
    editable: permission === 'edit',
    readOnlyReason: permission === 'edit' ? null : doc.status === 'locked' ? ('locked' as const) : permission,
    html,
    user: { id: auth.user.id, name: auth.user.name, color: colourFor(auth.user.id) },
    canLock: can(auth.actor, 'lock', { ...asResource(doc), locked: false }),
  }
}

const lockSchema = z.object({ intent: z.enum(['lock', 'unlock']) })

/** Locking makes the document read-only for everyone; open editors switch at once (the collab server is told). */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const { auth, doc, region } = await requireDocument(request, context, params, 'read')
  const parsed = await parseForm(request, lockSchema)
  if (!parsed.ok) throw new Response('Bad Request', { status: 400 })
  try {
    await setLocked(context.db, { actor: auth.actor, docId: doc.id, locked: parsed.data.intent === 'lock', now: context.clock() })
  } catch (err) {
    if (err instanceof NotAllowedError) forbidden()
    throw err
  }
  await context.collab.accessChanged({ docId: doc.id })
  return redirect(`/regio/${region.slug}/documenten/${doc.id}`)
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.doc.title} · ${data.region.name} · Samenspel` : 'Samenspel' }]

export default function DocumentPage() {
  const { region, doc, editable, readOnlyReason, html, user, canLock } = useLoaderData<typeof loader>()
  const t = useT()
  const [mounted, setMounted] = useState(false)
  useEffect(() => setMounted(true), [])
  const base = `/regio/${region.slug}/documenten`
  const fallback = <StaticText html={html} />
  return (
    <div className="content doc-page">
      <p className="doc-page__back">
        <Link to={base}>{t('doc.allDocuments')}</Link>
      </p>
      <Heading level={1}>{doc.title}</Heading>
      <p className="doc-page__meta">
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
      </p>
      {readOnlyReason ? <Notice kind="info">{t(`doc.readonly.${readOnlyReason}` as MessageKey)}</Notice> : null}
      <noscript>
        <Paragraph className="muted">{t('doc.noscript')}</Paragraph>
      </noscript>
      {mounted ? (
        <EditorBoundary fallback={<><Notice kind="error">{t('doc.editorFailed')}</Notice>{fallback}</>}>
          <Suspense fallback={fallback}>
            <CollabEditor documentId={doc.id} title={doc.title} user={user} editable={editable} fallback={fallback} />
          </Suspense>
        </EditorBoundary>
      ) : (
        fallback
      )}
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
