import * as Y from 'yjs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { prosemirrorJSONToYXmlFragment } from '@tiptap/y-tiptap'
import type { Connection, DB } from '../../../db/connect'
import { freshDb, makeRegion, T0 } from '../../../tests/support/db'
import { appendUpdate } from '../../collab/persistence'
import { createDocument } from './commands'
import { documentHTML } from './queries'
import { contentJSON, FRAGMENT, renderHTML, schema } from './render'

let conn: Connection
let db: DB
let regionId: string

beforeEach(async () => {
  conn = await freshDb()
  db = conn.db
  regionId = await makeRegion(db)
})
afterEach(() => conn.close())

/** A Y.Doc holding ProseMirror JSON in the editor's fragment, as the browser editor would. */
function docOf(json: object): Y.Doc {
  const doc = new Y.Doc()
  prosemirrorJSONToYXmlFragment(schema, json, doc.getXmlFragment(FRAGMENT))
  return doc
}

const rich = {
  type: 'doc',
  content: [
    { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Normaliseren' }] },
    {
      type: 'paragraph',
      content: [
        { type: 'text', text: 'Zo ' },
        { type: 'text', marks: [{ type: 'bold' }], text: 'dichtbij' },
        { type: 'text', text: ' mogelijk, ' },
        { type: 'text', marks: [{ type: 'italic' }], text: 'zo licht' },
        { type: 'text', text: ' als kan.' },
      ],
    },
    {
      type: 'bulletList',
      content: [
        { type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Eén gezin' }] }] },
        { type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Eén plan' }] }] },
      ],
    },
    { type: 'orderedList', attrs: { start: 1, type: null }, content: [{ type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Eerst' }] }] }] },
  ],
}

describe('render: the latest text as HTML on the server', () => {
  it('renders the stored paragraphs of a document', async () => {
    const id = await createDocument(db, { regionId, kind: 'proposal', title: 'Voorstel', actorId: null, now: T0, paragraphs: ['Eerste alinea.', 'Tweede alinea.'] })
    expect(await documentHTML(db, undefined, id)).toBe('<p>Eerste alinea.</p><p>Tweede alinea.</p>')
  })

  it('includes updates appended to the log after the compacted state', async () => {
    const id = await createDocument(db, { regionId, kind: 'proposal', title: 'Voorstel', actorId: null, now: T0, paragraphs: ['Een.'] })
    const stored = new Y.Doc()
    const { loadDoc } = await import('../../collab/persistence')
    Y.applyUpdate(stored, (await loadDoc(db, id)).update!)
    const before = Y.encodeStateVector(stored)
    const p = new Y.XmlElement('paragraph')
    p.insert(0, [new Y.XmlText('Twee.')])
    stored.getXmlFragment(FRAGMENT).push([p])
    await appendUpdate(db, id, Y.encodeStateAsUpdate(stored, before), T0)
    expect(await documentHTML(db, undefined, id)).toBe('<p>Een.</p><p>Twee.</p>')
  })

  it('renders headings, marks and lists with the editor’s schema', () => {
    const html = renderHTML(docOf(rich))
    expect(html).toBe(
      '<h2>Normaliseren</h2>' +
        '<p>Zo <strong>dichtbij</strong> mogelijk, <em>zo licht</em> als kan.</p>' +
        '<ul><li><p>Eén gezin</p></li><li><p>Eén plan</p></li></ul>' +
        '<ol><li><p>Eerst</p></li></ol>',
    )
    // The JSON round-trips: what is rendered is what the editor holds.
    expect(contentJSON(docOf(rich))).toEqual(rich)
  })

  it('escapes text and leaves out elements the schema does not know', () => {
    const doc = new Y.Doc()
    const fragment = doc.getXmlFragment(FRAGMENT)
    const script = new Y.XmlElement('script')
    script.insert(0, [new Y.XmlText('alert(1)')])
    const p = new Y.XmlElement('paragraph')
    p.insert(0, [new Y.XmlText('<img src=x onerror=alert(1)> & meer')])
    fragment.push([script, p])
    const html = renderHTML(doc)
    expect(html).toBe('<p>&lt;img src=x onerror=alert(1)&gt; &amp; meer</p>')
  })

  it('neutralises javascript: links', () => {
    const html = renderHTML(
      docOf({
        type: 'doc',
        content: [{ type: 'paragraph', content: [{ type: 'text', text: 'klik', marks: [{ type: 'link', attrs: { href: 'javascript:alert(1)' } }] }] }],
      }),
    )
    expect(html).not.toContain('javascript:')
    expect(html).toContain('klik')
  })

  it('renders an empty document as no HTML', async () => {
    const id = await createDocument(db, { regionId, kind: 'minutes', title: 'Leeg', actorId: null, now: T0 })
    expect(await documentHTML(db, undefined, id)).toBe('')
  })

  it('prefers the live document over the store, and reads the store when it is not loaded', async () => {
    const id = await createDocument(db, { regionId, kind: 'proposal', title: 'Voorstel', actorId: null, now: T0, paragraphs: ['Opgeslagen.'] })
    const liveDoc = docOf({ type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Live.' }] }] })
    const live = { snapshot: async (docId: string) => (docId === id ? Y.encodeStateAsUpdate(liveDoc) : null) }
    expect(await documentHTML(db, live, id)).toBe('<p>Live.</p>')
    expect(await documentHTML(db, { snapshot: async () => null }, id)).toBe('<p>Opgeslagen.</p>')
    // Reading does not change the live document.
    expect(liveDoc.getXmlFragment(FRAGMENT).length).toBe(1)
  })
})
