import { Extension } from '@tiptap/core'
import { Plugin, PluginKey, Selection, TextSelection, type EditorState, type Transaction } from '@tiptap/pm/state'
import { Decoration, DecorationSet, type EditorView } from '@tiptap/pm/view'
import { absolutePositionToRelativePosition, relativePositionToAbsolutePosition, ySyncPluginKey } from '@tiptap/y-tiptap'
import { createAbsolutePositionFromRelativePosition, createRelativePositionFromTypeIndex } from 'yjs'
import type * as Y from 'yjs'
import { decodeRelative, encodeRelative, withAssoc } from './anchors'
import { EDITOR_FRAGMENT } from './extensions'

/**
 * Comments on words in the live editor:
 * - highlights every comment's current range, found by mapping its Y.RelativePosition anchors
 *   back into the text, so highlights follow everyone's edits live;
 * - keyboard selection (Shift+arrows, Shift+Home/End, Ctrl+Shift+arrows by word) where the text
 *   is read-only, since a browser does not move a selection in non-editable text by itself;
 * - the browser's own selection follows (so assistive technology and copy see it), and the
 *   selection scrolls into view below the editor's sticky bar;
 * - Tabbing into read-only text puts the caret at the start, so Shift+arrows select from the first key;
 * - Ctrl+Alt+M asks to comment on the selection.
 */
export interface CommentAnchor {
  id: string
  start: string
  end: string
  status: 'active' | 'outdated' | 'orphaned'
}

export interface CommentsOptions {
  ydoc: Y.Doc | null
  /** the comments to highlight now (read on every recomputation) */
  getComments: () => CommentAnchor[]
  /** Ctrl+Alt+M */
  onShortcut: () => void
}

interface PluginState {
  decorations: DecorationSet
  /** a selection made with the keyboard in read-only text: drawn by us, since the browser draws none */
  keyboardSelection: boolean
}

export const commentsKey = new PluginKey<PluginState>('samenspel-comments')

function mappingOf(state: EditorState) {
  const ystate = ySyncPluginKey.getState(state) as { binding?: { mapping: unknown; type: Y.XmlFragment } } | undefined
  return ystate?.binding ?? null
}

/**
 * y-tiptap's mapping, with one repair: it refuses a position that points at a character and lands
 * at 1 (the very start of the first paragraph) as "misresolved"; the same place expressed as an
 * index into its text resolves fine.
 */
function toAbsolute(ydoc: Y.Doc, fragment: Y.XmlFragment, rel: Y.RelativePosition, mapping: Parameters<typeof relativePositionToAbsolutePosition>[3]): number | null {
  const pos = relativePositionToAbsolutePosition(ydoc, fragment, rel, mapping)
  if (pos !== null || rel.item === null) return pos
  const abs = createAbsolutePositionFromRelativePosition(rel, ydoc)
  if (!abs || abs.index !== 0) return null
  return relativePositionToAbsolutePosition(ydoc, fragment, createRelativePositionFromTypeIndex(abs.type, 0, -1), mapping)
}

/** Where a comment sits in the text now, or null when its words are gone. */
export function currentRange(state: EditorState, ydoc: Y.Doc, c: Pick<CommentAnchor, 'start' | 'end'>): { from: number; to: number } | null {
  const binding = mappingOf(state)
  if (!binding) return null
  const start = decodeRelative(c.start)
  const end = decodeRelative(c.end)
  if (!start || !end) return null
  const fragment = ydoc.getXmlFragment(EDITOR_FRAGMENT)
  // y-tiptap's mapping type is internal; it takes what the binding holds.
  const mapping = binding.mapping as Parameters<typeof relativePositionToAbsolutePosition>[3]
  const from = toAbsolute(ydoc, fragment, start, mapping)
  const to = toAbsolute(ydoc, fragment, end, mapping)
  if (from === null || to === null || to <= from) return null
  const size = state.doc.content.size
  if (from < 0 || to > size) return null
  return { from, to }
}

/** The anchors and words of the current selection, for a new comment; null without a selection. */
export function selectionAnchors(state: EditorState, ydoc: Y.Doc): { start: string; end: string; quote: string } | null {
  const { from, to, empty } = state.selection
  if (empty) return null
  const quote = state.doc.textBetween(from, to, ' ').replace(/\s+/g, ' ').trim()
  if (!quote) return null
  const binding = mappingOf(state)
  if (!binding) return null
  const fragment = ydoc.getXmlFragment(EDITOR_FRAGMENT)
  const mapping = binding.mapping as Parameters<typeof absolutePositionToRelativePosition>[2]
  const start = withAssoc(absolutePositionToRelativePosition(from, fragment, mapping) as Y.RelativePosition, ydoc, 0)
  const end = withAssoc(absolutePositionToRelativePosition(to, fragment, mapping) as Y.RelativePosition, ydoc, -1)
  return { start: encodeRelative(start), end: encodeRelative(end), quote }
}

function build(state: EditorState, options: CommentsOptions, keyboardSelection: boolean): DecorationSet {
  const decorations: Decoration[] = []
  if (options.ydoc) {
    for (const c of options.getComments()) {
      if (c.status === 'orphaned') continue
      const range = currentRange(state, options.ydoc, c)
      if (!range) continue
      decorations.push(
        Decoration.inline(range.from, range.to, { class: `comment-mark comment-mark--${c.status}`, 'data-comment-id': c.id }, { commentId: c.id }),
      )
    }
  }
  const { from, to, empty } = state.selection
  if (keyboardSelection && !empty) decorations.push(Decoration.inline(from, to, { class: 'comment-selection' }))
  return DecorationSet.create(state.doc, decorations)
}

const KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End'])

/** Moves the head of the selection in read-only text, as a caret would move in editable text. */
function moveInReadOnly(view: EditorView, event: KeyboardEvent): boolean {
  if (!KEYS.has(event.key) || event.altKey || event.metaKey) return false
  const { state } = view
  const { doc, selection } = state
  const $head = selection.$head
  let head = selection.head
  const back = event.key === 'ArrowLeft' || event.key === 'ArrowUp' || event.key === 'Home'
  if (event.key === 'Home' || event.key === 'End') {
    head = event.ctrlKey ? (back ? 0 : doc.content.size) : back ? $head.start() : $head.end()
  } else if (event.key === 'ArrowLeft' || event.key === 'ArrowRight') {
    if (event.ctrlKey && $head.parent.isTextblock) {
      const text = $head.parent.textContent
      let offset = $head.parentOffset
      if (back) {
        while (offset > 0 && /\s/.test(text[offset - 1]!)) offset--
        while (offset > 0 && !/\s/.test(text[offset - 1]!)) offset--
      } else {
        while (offset < text.length && !/\s/.test(text[offset]!)) offset++
        while (offset < text.length && /\s/.test(text[offset]!)) offset++
      }
      head = offset === $head.parentOffset ? head + (back ? -1 : 1) : $head.start() + offset
    } else {
      head += back ? -1 : 1
    }
  } else {
    const coords = view.coordsAtPos(head)
    const line = Math.max(8, coords.bottom - coords.top)
    const found = view.posAtCoords({ left: coords.left, top: back ? coords.top - line / 2 : coords.bottom + line / 2 })
    head = found ? found.pos : back ? 0 : doc.content.size
  }
  head = Math.max(0, Math.min(doc.content.size, head))
  const $to = doc.resolve(head)
  const $anchor = event.shiftKey ? selection.$anchor : $to
  const next = TextSelection.between($anchor, $to, back ? -1 : 1)
  view.dispatch(state.tr.setSelection(next).setMeta(commentsKey, { keyboard: event.shiftKey }).scrollIntoView())
  mirrorSelection(view)
  return true
}

/**
 * Read-only text has no caret of the browser's own: after the editor moved its selection, set the
 * browser's selection to the same words, so a screen reader, copying and find see what is selected.
 */
function mirrorSelection(view: EditorView) {
  const { anchor, head } = view.state.selection
  const dom = view.dom.ownerDocument.getSelection()
  if (!dom) return
  try {
    const a = view.domAtPos(anchor)
    const h = view.domAtPos(head)
    dom.setBaseAndExtent(a.node, a.offset, h.node, h.offset)
  } catch {
    // A position without a DOM place (between blocks while the view redraws): the drawn selection stays.
  }
}

/** The room the editor's sticky bar (toolbar, connection) takes at the top, so a selection scrolls into view below it. */
function stickyTop(): number {
  const bar = typeof document === 'undefined' ? null : document.querySelector('.doc-editor__bar')
  return bar ? Math.ceil(bar.getBoundingClientRect().height) + 16 : 16
}

/** Puts the caret at the very start of the text, focuses it and brings it into view. */
export function caretToStart(view: EditorView) {
  const { state } = view
  view.dispatch(state.tr.setSelection(Selection.atStart(state.doc)).setMeta(commentsKey, { keyboard: false }).scrollIntoView())
  view.dom.focus({ preventScroll: true })
  mirrorSelection(view)
}

export function isCommentShortcut(event: KeyboardEvent): boolean {
  return event.ctrlKey && event.altKey && !event.metaKey && (event.code === 'KeyM' || event.key.toLowerCase() === 'm')
}

export const Comments = Extension.create<CommentsOptions>({
  name: 'samenspelComments',
  addOptions() {
    return { ydoc: null, getComments: () => [], onShortcut: () => undefined }
  },
  addProseMirrorPlugins() {
    const options = this.options
    return [
      new Plugin<PluginState>({
        key: commentsKey,
        state: {
          init: (_config, state) => ({ decorations: build(state, options, false), keyboardSelection: false }),
          apply: (tr: Transaction, prev, _old, state) => {
            const meta = tr.getMeta(commentsKey) as { keyboard?: boolean } | undefined
            const keyboardSelection = meta?.keyboard !== undefined ? meta.keyboard : tr.selectionSet ? false : prev.keyboardSelection
            // A local edit has not reached the Y.Doc yet (y-tiptap writes it after this): map the
            // highlights through it. Anything else (remote edits, syncing, new comments): recompute.
            if (tr.docChanged && !tr.getMeta(ySyncPluginKey)) {
              const mapped = build(state, { ...options, ydoc: null }, keyboardSelection)
              const comments = prev.decorations.find(undefined, undefined, (spec) => typeof spec.commentId === 'string').map((d) => d)
              const moved = DecorationSet.create(tr.before, comments).map(tr.mapping, tr.doc)
              return { decorations: moved.add(state.doc, mapped.find()), keyboardSelection }
            }
            return { decorations: build(state, options, keyboardSelection), keyboardSelection }
          },
        },
        props: {
          decorations: (state) => commentsKey.getState(state)?.decorations ?? null,
          // Read at every scroll: the sticky bar's height changes with the width (it wraps).
          get scrollMargin() {
            return { top: stickyTop(), bottom: 16, left: 0, right: 0 }
          },
          handleDOMEvents: {
            focus: (view) => {
              // Tabbing into read-only text: the caret starts at the beginning, not where the sync left it (the end).
              const { selection, doc } = view.state
              if (!view.editable && selection.empty && selection.head >= Selection.atEnd(doc).head) {
                view.dispatch(view.state.tr.setSelection(Selection.atStart(doc)).setMeta(commentsKey, { keyboard: false }))
              }
              return false
            },
            keydown: (view, event) => {
              if (isCommentShortcut(event)) {
                event.preventDefault()
                options.onShortcut()
                return true
              }
              if (!view.editable && moveInReadOnly(view, event)) {
                event.preventDefault()
                return true
              }
              return false
            },
          },
        },
      }),
    ]
  },
})

/** Tells the highlights that the list of comments changed. */
export function refreshComments(view: EditorView) {
  view.dispatch(view.state.tr.setMeta(commentsKey, {}))
}

/** Selects a range (drawn also where the text is read-only), scrolls to it and focuses the text. */
export function selectRange(view: EditorView, range: { from: number; to: number }) {
  const { state } = view
  view.dispatch(state.tr.setSelection(TextSelection.create(state.doc, range.from, range.to)).setMeta(commentsKey, { keyboard: true }).scrollIntoView())
  view.focus()
  view.dom.focus()
  if (!view.editable) mirrorSelection(view)
}

/** The selected words in short, for an announcement: all of them when few, else the first and last few and the count. */
export function selectedWords(state: EditorState): { text: string; words: number; start: string; end: string } | null {
  const { from, to, empty } = state.selection
  if (empty) return null
  const text = state.doc.textBetween(from, to, ' ').replace(/\s+/g, ' ').trim()
  if (!text) return null
  const words = text.split(' ')
  return { text, words: words.length, start: words.slice(0, 6).join(' '), end: words.slice(-3).join(' ') }
}
