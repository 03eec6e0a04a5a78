import StarterKit from '@tiptap/starter-kit'
import type { Extensions } from '@tiptap/core'

/**
 * The editor's schema, in one place for the browser editor and the server's HTML rendering
 * (server/modules/documents/render.ts), so both read a document the same way. The collaboration
 * extensions are added only in the browser (Editor.client.tsx).
 *
 * - undoRedo off: Collaboration brings its own undo (y-undo), which only undoes one's own edits.
 * - headings h2 and h3: the page's h1 is the document title, so the text's headings sit below it.
 * - links are kept (pasted text may hold them) but do not open on click while editing.
 */
export const HEADING_LEVELS = [2, 3] as const

export const editorExtensions: Extensions = [
  StarterKit.configure({
    undoRedo: false,
    heading: { levels: [...HEADING_LEVELS] },
    link: { openOnClick: false, autolink: true },
  }),
]

/** The Y.XmlFragment of the document's Y.Doc that holds the editor's content. */
export const EDITOR_FRAGMENT = 'default'
