import { useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent, type ReactNode } from 'react'
import { useRevalidator } from '@remix-run/react'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import { EditorContent, useEditor, useEditorState, type Editor } from '@tiptap/react'
import Collaboration from '@tiptap/extension-collaboration'
import CollaborationCaret from '@tiptap/extension-collaboration-caret'
import { useT } from '../i18n/use'
import { isMessageKey, type MessageKey } from '../i18n/messages'
import { EDITOR_FRAGMENT, editorExtensions } from './extensions'
import { presentPeople, type PresenceUser } from './presence'
import { trackConnection, type ConnectionState } from './connection'
import { caretToStart, Comments, currentRange, refreshComments, selectedWords, selectRange, selectionAnchors, type CommentAnchor } from './comments'

/**
 * The co-editing editor: Tiptap bound to the document's Y.Doc, synced through y-websocket with
 * the portal's collaboration server at /collab/<documentId> (same origin, so the session cookie goes
 * along). Browser only: the route loads this module with React.lazy after mount and shows the
 * server-rendered text until the editor has synced.
 */
export interface CollabEditorProps {
  documentId: string
  title: string
  user: PresenceUser
  editable: boolean
  /** the server-rendered text, shown until the live document has synced */
  fallback: ReactNode
  /** may comment on words (select, then "Reageer op selectie" or Ctrl+Alt+M) */
  canComment?: boolean
  /** the comments to highlight in the text */
  comments?: CommentAnchor[]
  /** Ctrl+Alt+M in the text */
  onCommentShortcut?: () => void
  /** the editor's comment functions, once the live text is there (null when it goes) */
  onReady?: (api: EditorCommentApi | null) => void
}

/** What the page around the editor may ask of it for comments. */
export interface EditorCommentApi {
  /** anchors and words of the current selection, or null when nothing is selected */
  selection(): { start: string; end: string; quote: string } | null
  /** selects a comment's words, scrolls them into view and focuses the text; false when they are gone */
  goTo(anchor: { start: string; end: string }): boolean
  focus(): void
  /** focuses the text with the caret at its very start, so Shift+arrows select from the first word */
  start(): void
}

interface Session {
  doc: Y.Doc
  provider: WebsocketProvider
}

export default function CollabEditor(props: CollabEditorProps) {
  const [session, setSession] = useState<Session | null>(null)
  const { documentId, user } = props
  useEffect(() => {
    const doc = new Y.Doc()
    const url = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/collab`
    // No BroadcastChannel: every tab goes through the server, which checks what each may do.
    const provider = new WebsocketProvider(url, documentId, doc, { disableBc: true })
    provider.awareness.setLocalStateField('user', user)
    setSession({ doc, provider })
    return () => {
      // Only on leaving the page: a lost connection keeps the document, so offline edits merge later.
      provider.destroy()
      doc.destroy()
    }
    // Keyed on the user's id, not the object: a new object for the same person needs no new connection.
  }, [documentId, user.id])
  if (!session) return <EditorFrame {...props} state="connecting" people={[]} />
  return <LiveEditor key={session.doc.guid} {...props} session={session} />
}

function LiveEditor({ title, user, editable, fallback, session, canComment = false, comments = [], onCommentShortcut, onReady }: CollabEditorProps & { session: Session }) {
  const t = useT()
  const { doc, provider } = session
  const [state, setState] = useState<ConnectionState>('connecting')
  const [people, setPeople] = useState<PresentPerson[]>([])
  const [synced, setSynced] = useState(false)

  useEffect(() => trackConnection(provider, doc, setState), [provider, doc])
  // The server closes with 4001/4002 when what this person may do changed (the document was locked,
  // a role changed, sessions ended) and 4403 when access is gone: reload the page's data, so the
  // editor switches mode (or the login page follows).
  const revalidator = useRevalidator()
  useEffect(() => {
    const onClose = (event: CloseEvent | null) => {
      if (event && [4001, 4002, 4403].includes(event.code)) revalidator.revalidate()
    }
    provider.on('connection-close', onClose)
    return () => provider.off('connection-close', onClose)
  }, [provider, revalidator])
  useEffect(() => {
    const update = () => setPeople(withRoles(provider.awareness.getStates() as Map<number, Record<string, unknown>>, user.id))
    update()
    provider.awareness.on('change', update)
    return () => provider.awareness.off('change', update)
  }, [provider, user.id])
  useEffect(() => {
    // Once synced, the editor stays: a lost connection later keeps the text editable offline.
    if (provider.synced) setSynced(true)
    const onSync = (s: boolean) => s && setSynced(true)
    provider.on('sync', onSync)
    return () => provider.off('sync', onSync)
  }, [provider])

  const toolbarRef = useRef<HTMLDivElement>(null)
  const commentsRef = useRef(comments)
  commentsRef.current = comments
  const shortcutRef = useRef(onCommentShortcut)
  shortcutRef.current = onCommentShortcut
  const editor = useEditor(
    {
      immediatelyRender: false,
      editable,
      extensions: [
        ...editorExtensions,
        Collaboration.configure({ document: doc, field: EDITOR_FRAGMENT }),
        CollaborationCaret.configure({ provider, user, render: renderCaret, selectionRender: renderSelection }),
        Comments.configure({ ydoc: doc, getComments: () => commentsRef.current, onShortcut: () => shortcutRef.current?.() }),
      ],
      editorProps: {
        attributes: {
          id: 'doc-text',
          class: 'doc-text doc-text--live',
          role: 'textbox',
          'aria-multiline': 'true',
          'aria-label': t('doc.editorLabel', { title }),
          ...(editable || canComment ? { 'aria-describedby': 'doc-shortcuts' } : {}),
          ...(editable ? {} : { 'aria-readonly': 'true' }),
          // Read-only text stays reachable with Tab, so its words can be selected with the keyboard.
          ...(!editable && canComment ? { tabindex: '0' } : {}),
        },
        handleKeyDown: (_view, event) => {
          // Alt+F10 moves to the toolbar, as in other editors.
          if (event.altKey && event.key === 'F10') {
            toolbarRef.current?.querySelector<HTMLButtonElement>('button[tabindex="0"]')?.focus()
            return true
          }
          return false
        },
      },
    },
    [doc, provider, editable, canComment],
  )
  useEffect(() => {
    if (editor && editor.isEditable !== editable) editor.setEditable(editable)
  }, [editor, editable])
  // New or changed comments (after posting, or the page's data reloaded): highlight them.
  useEffect(() => {
    if (editor && !editor.isDestroyed) refreshComments(editor.view)
  }, [editor, comments])

  const live = synced && editor !== null
  // Read-only text only: in editable text the browser's own caret and selection are announced already.
  const announce = canComment && !editable
  const selected = useSelectionAnnouncement(editor, announce)
  useEffect(() => {
    if (!onReady) return
    if (!live || !editor) return onReady(null)
    onReady({
      selection: () => (editor.isDestroyed ? null : selectionAnchors(editor.state, doc)),
      goTo: (anchor) => {
        if (editor.isDestroyed) return false
        const range = currentRange(editor.state, doc, anchor)
        if (!range) return false
        selectRange(editor.view, range)
        return true
      },
      focus: () => editor.view.dom.focus(),
      start: () => {
        if (!editor.isDestroyed) caretToStart(editor.view)
      },
    })
    return () => onReady(null)
  }, [live, editor, doc, onReady])

  return (
    <EditorFrame title={title} user={user} editable={editable} canComment={canComment} fallback={fallback} state={state} people={people} toolbar={editable && editor ? <Toolbar editor={editor} innerRef={toolbarRef} /> : null}>
      <div hidden={!live} className="doc-editor__live">
        <EditorContent editor={editor} />
      </div>
      {announce ? (
        <p className="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="selection-status">
          {selected}
        </p>
      ) : null}
      {live ? null : fallback}
    </EditorFrame>
  )
}

/**
 * What is selected, said politely once the person pauses (not at every key): "Geselecteerd: …",
 * in short for a long selection, with the key that comments on it. Only while the text has focus.
 */
function useSelectionAnnouncement(editor: Editor | null, enabled: boolean): string {
  const t = useT()
  const [message, setMessage] = useState('')
  useEffect(() => {
    if (!editor || !enabled) return
    let timer: ReturnType<typeof setTimeout> | undefined
    const update = () => {
      clearTimeout(timer)
      timer = setTimeout(() => {
        if (editor.isDestroyed || !editor.view.hasFocus()) return
        const words = selectedWords(editor.state)
        if (!words) return setMessage('')
        const quote = words.words > 12 ? t('annotate.selectedMore', { start: words.start, end: words.end, count: words.words }) : words.text
        setMessage(t('annotate.selected', { quote }))
      }, 250)
    }
    editor.on('selectionUpdate', update)
    return () => {
      clearTimeout(timer)
      editor.off('selectionUpdate', update)
    }
  }, [editor, enabled, t])
  return message
}

/** The editor's surroundings: toolbar, connection state, presence, then the text. */
function EditorFrame({
  editable,
  canComment,
  fallback,
  state,
  people,
  user,
  toolbar,
  children,
}: Omit<CollabEditorProps, 'documentId'> & { state: ConnectionState; people: PresentPerson[]; toolbar?: ReactNode; children?: ReactNode }) {
  const t = useT()
  return (
    <div className="doc-editor">
      <div className="doc-editor__bar">
        {toolbar ?? <span />}
        {/* Someone who only reads has nothing to save: connected is all there is to say. */}
        <ConnectionStatus state={!editable && state === 'saved' ? 'connected' : state} />
      </div>
      {editable || canComment ? (
        <p id="doc-shortcuts" className="doc-editor__hint">
          {[editable ? t('doc.shortcuts') : '', canComment ? t('annotate.shortcutHint') : ''].filter(Boolean).join(' ')}
        </p>
      ) : null}
      <div className="doc-editor__body">
        <div className="doc-editor__text">{children ?? fallback}</div>
        <section className="presence" aria-labelledby="presence-title">
          <h2 id="presence-title" className="presence__title">
            {t('doc.presence')}
          </h2>
          <ul className="presence__list">
            {people.map((p) => (
              <li key={p.id} className="presence__person">
                <span className="presence__dot" style={{ backgroundColor: p.color }} aria-hidden="true" />
                <span>
                  <span style={{ color: p.color }}>{p.name}</span>
                  {p.role && isMessageKey(`role.${p.role}`) ? ` ${t('doc.presenceRole', { role: t(`role.${p.role}` as MessageKey) })}` : null}
                  {p.id === user.id ? <span className="presence__you">{` ${t('doc.you')}`}</span> : null}
                </span>
              </li>
            ))}
          </ul>
        </section>
      </div>
    </div>
  )
}

/**
 * The state in words, visible all the time. A separate polite live region announces only changes
 * of connection (connecting, connected, offline, reconnecting, closed), not every save while typing.
 */
function ConnectionStatus({ state }: { state: ConnectionState }) {
  const t = useT()
  const word = t(`doc.conn.${state}` as MessageKey)
  const category = state === 'saved' ? 'connected' : state
  const [announced, setAnnounced] = useState('')
  const lastCategory = useRef<string | null>(null)
  useEffect(() => {
    if (lastCategory.current === category) return
    lastCategory.current = category
    setAnnounced(`${t('doc.connection')}: ${word}`)
  }, [category, word, t])
  const hint =
    state === 'offline' || state === 'reconnecting'
      ? t('doc.conn.offlineHint')
      : state === 'closed'
        ? t('doc.conn.closedHint')
        : state === 'retrying'
          ? t('doc.conn.retryingHint')
          : null
  return (
    <div className="doc-status">
      <p className={`doc-status__state doc-status__state--${state}`} data-state={state}>
        <span className="doc-status__dot" aria-hidden="true" />
        <span>
          {t('doc.connection')}: <strong>{word}</strong>
        </span>
      </p>
      {hint ? <p className="doc-status__hint">{hint}</p> : null}
      <p className="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
        {announced}
      </p>
    </div>
  )
}

type ToolId = 'bold' | 'italic' | 'heading2' | 'heading3' | 'bulletList' | 'orderedList' | 'undo' | 'redo'

/**
 * Formatting toolbar (WAI-ARIA toolbar pattern): one tab stop, arrow keys, Home and End move
 * between buttons, Escape returns to the text. Toggles say whether they are on with aria-pressed;
 * undo and redo use the collaboration's own undo, which undoes only one's own edits.
 */
function Toolbar({ editor, innerRef }: { editor: Editor; innerRef: React.RefObject<HTMLDivElement> }) {
  const t = useT()
  const s = useEditorState({
    editor,
    selector: ({ editor: e }) => ({
      bold: e.isActive('bold'),
      italic: e.isActive('italic'),
      heading2: e.isActive('heading', { level: 2 }),
      heading3: e.isActive('heading', { level: 3 }),
      bulletList: e.isActive('bulletList'),
      orderedList: e.isActive('orderedList'),
      canUndo: e.can().undo(),
      canRedo: e.can().redo(),
    }),
  })
  const tools: Array<{ id: ToolId; label: MessageKey; pressed?: boolean; disabled?: boolean; run: () => void; glyph: string }> = [
    { id: 'bold', label: 'doc.bold', pressed: s.bold, run: () => editor.chain().focus().toggleBold().run(), glyph: 'B' },
    { id: 'italic', label: 'doc.italic', pressed: s.italic, run: () => editor.chain().focus().toggleItalic().run(), glyph: 'I' },
    { id: 'heading2', label: 'doc.heading2', pressed: s.heading2, run: () => editor.chain().focus().toggleHeading({ level: 2 }).run(), glyph: 'H2' },
    { id: 'heading3', label: 'doc.heading3', pressed: s.heading3, run: () => editor.chain().focus().toggleHeading({ level: 3 }).run(), glyph: 'H3' },
    { id: 'bulletList', label: 'doc.bulletList', pressed: s.bulletList, run: () => editor.chain().focus().toggleBulletList().run(), glyph: '•' },
    { id: 'orderedList', label: 'doc.orderedList', pressed: s.orderedList, run: () => editor.chain().focus().toggleOrderedList().run(), glyph: '1.' },
    { id: 'undo', label: 'doc.undo', disabled: !s.canUndo, run: () => editor.chain().focus().undo().run(), glyph: '↶' },
    { id: 'redo', label: 'doc.redo', disabled: !s.canRedo, run: () => editor.chain().focus().redo().run(), glyph: '↷' },
  ]
  const [active, setActive] = useState(0)
  const move = (index: number) => {
    const n = tools.length
    const next = ((index % n) + n) % n
    setActive(next)
    innerRef.current?.querySelectorAll<HTMLButtonElement>('button')[next]?.focus()
  }
  const onKeyDown = (event: ReactKeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'ArrowRight') move(active + 1)
    else if (event.key === 'ArrowLeft') move(active - 1)
    else if (event.key === 'Home') move(0)
    else if (event.key === 'End') move(tools.length - 1)
    else if (event.key === 'Escape') editor.commands.focus()
    else return
    event.preventDefault()
  }
  return (
    <div ref={innerRef} role="toolbar" aria-label={t('doc.toolbar')} aria-controls="doc-text" className="doc-toolbar" onKeyDown={onKeyDown}>
      {tools.map((tool, i) => (
        <button
          key={tool.id}
          type="button"
          className={`doc-toolbar__button doc-toolbar__button--${tool.id}`}
          tabIndex={i === active ? 0 : -1}
          aria-pressed={tool.pressed === undefined ? undefined : tool.pressed}
          aria-disabled={tool.disabled || undefined}
          aria-label={t(tool.label)}
          title={t(tool.label)}
          // Keep the text's selection when clicking a button.
          onMouseDown={(e) => e.preventDefault()}
          onFocus={() => setActive(i)}
          onClick={() => {
            if (!tool.disabled) tool.run()
          }}
        >
          <span aria-hidden="true">{tool.glyph}</span>
        </button>
      ))}
    </div>
  )
}

/**
 * The people present with the role the server gives them. The server sets every `user` field in
 * presence (name, colour, role: server/collab/presence.ts), whatever a client sends; only this
 * tab's own entry is the page's copy of the same identity.
 */
type PresentPerson = PresenceUser & { role?: string }
const roleKey = (value: unknown): string | null => (typeof value == 'string' && /^[a-z_]{1,40}$/.test(value) ? value : null)
function withRoles(states: Map<number, Record<string, unknown>>, selfId: string): PresentPerson[] {
  const roles = new Map<string, string>()
  for (const state of states.values()) {
    const u = state.user as { id?: unknown; role?: unknown } | undefined
    // Only a role key the server could have set (a string like 'civil_servant'), never free text.
    const key = u ? roleKey(u.role) : null
    if (u && typeof u.id === 'string' && key) roles.set(u.id, key)
  }
  return presentPeople(states, selfId).map((p) => ({ ...p, role: roles.get(p.id) }))
}

/** Another person's caret: a coloured bar with their name; hidden from screen readers (the presence list names them). */
function renderCaret(user: Record<string, unknown>): HTMLElement {
  const colour = typeof user.color === 'string' ? user.color : '#4a4f55'
  const caret = document.createElement('span')
  caret.className = 'collaboration-carets__caret'
  caret.setAttribute('aria-hidden', 'true')
  caret.style.borderColor = colour
  const label = document.createElement('span')
  label.className = 'collaboration-carets__label'
  label.style.backgroundColor = colour
  label.textContent = typeof user.name === 'string' ? user.name : ''
  caret.append(label)
  return caret
}

/** Another person's selection: a light tint of their colour, so the text stays readable. */
function renderSelection(user: Record<string, unknown>) {
  const colour = typeof user.color === 'string' && /^#[0-9a-f]{6}$/i.test(user.color) ? user.color : '#4a4f55'
  return { style: `background-color: ${colour}29`, class: 'collaboration-carets__selection' }
}
