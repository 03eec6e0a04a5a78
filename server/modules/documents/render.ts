import * as Y from 'yjs'
import { getSchema, type JSONContent } from '@tiptap/core'
import type { Node as PMNode } from '@tiptap/pm/model'
import { generateHTML } from '@tiptap/html/server'
import { yXmlFragmentToProseMirrorRootNode } from '@tiptap/y-tiptap'
import type { DB } from '../../../db/connect'
import { editorExtensions } from '../../../app/editor/extensions'
import { loadDoc } from '../../collab/persistence'
import type { Room } from '../../collab/room'
import { FRAGMENT } from './documents'

/**
 * A document's text as the server reads it: from the live room when the document is open, else
 * from the store; as ProseMirror content in the editor's own schema (app/editor/extensions.ts),
 * and as HTML for the page before (or without) JavaScript.
 */
export const schema = getSchema(editorExtensions)

/** Where loaded documents live: the collaboration server, or a stand-in in tests. */
export interface LiveDocuments {
  loaded(docId: string): Room | undefined
}

/** A Y.Doc of its own holding the latest state: a copy of the live room's, else the stored one. */
export async function latestState(db: DB, live: LiveDocuments | undefined, docId: string): Promise<Y.Doc> {
  const room = live?.loaded(docId)
  if (room) {
    try {
      await room.ready
      // Only what the log already holds, as a reader arriving now would get it.
      await room.drained()
      if (live?.loaded(docId) === room) {
        const copy = new Y.Doc()
        Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc))
        return copy
      }
    } catch {
      // A room that failed to load is dropped by the server; the store is the truth then.
    }
  }
  const stored = await loadDoc(db, docId)
  const doc = new Y.Doc()
  if (stored.update) Y.applyUpdate(doc, stored.update)
  return doc
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

/** The latest text of a document as HTML, for the document page. */
export async function documentHTML(db: DB, live: LiveDocuments | undefined, docId: string): Promise<string> {
  const doc = await latestState(db, live, docId)
  try {
    return renderHTML(doc)
  } finally {
    doc.destroy()
  }
}
