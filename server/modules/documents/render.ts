import * as Y from 'yjs'
import { getSchema, type JSONContent } from '@tiptap/core'
import type { Node as PMNode } from '@tiptap/pm/model'
import { generateHTML } from '@tiptap/html/server'
import { yXmlFragmentToProseMirrorRootNode } from '@tiptap/y-tiptap'
import { editorExtensions } from '../../../app/editor/extensions'

/**
 * A document's text in the editor's own schema (app/editor/extensions.ts): the Y.Doc fragment the
 * editor writes, as ProseMirror content and as HTML for the page before (or without) JavaScript.
 * Pure: where the state comes from is queries.ts's business.
 */
export const schema = getSchema(editorExtensions)

/** The editor keeps its content in this fragment of the Y.Doc. */
export const FRAGMENT = 'default'

/** Paragraphs of plain text as a first content, the way the editor's schema stores them. */
export function paragraphsUpdate(paragraphs: string[]): Uint8Array {
  const doc = new Y.Doc()
  const fragment = doc.getXmlFragment(FRAGMENT)
  fragment.insert(
    0,
    paragraphs.map((text) => {
      const p = new Y.XmlElement('paragraph')
      p.insert(0, [new Y.XmlText(text)])
      return p
    }),
  )
  const update = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return update
}

/** A Y.Doc from a saved version (Y.encodeStateAsUpdateV2). */
export function docFromVersionState(state: Uint8Array): Y.Doc {
  const doc = new Y.Doc()
  Y.applyUpdateV2(doc, state)
  return doc
}

/**
 * The editor's content as a ProseMirror node. Elements the schema does not know (an old or a
 * hostile client) are left out rather than failing the page. Read only copies: the converter may
 * drop such elements from the Y.Doc it reads.
 */
export function contentNode(ydoc: Y.Doc): PMNode {
  return yXmlFragmentToProseMirrorRootNode(ydoc.getXmlFragment(FRAGMENT), schema)
}

export function contentJSON(ydoc: Y.Doc): JSONContent {
  return contentNode(ydoc).toJSON() as JSONContent
}

/** HTML of ProseMirror JSON with the editor's extensions (Tiptap's server-side generateHTML). */
export function jsonToHTML(json: JSONContent): string {
  if (!json.content?.length) return ''
  return generateHTML(json, editorExtensions)
}

export function renderHTML(ydoc: Y.Doc): string {
  return jsonToHTML(contentJSON(ydoc))
}
