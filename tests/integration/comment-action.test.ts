import * as Y from 'yjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { encodeAnchor } from '../../server/modules/comments/anchors'
import { FRAGMENT } from '../../server/modules/documents/render'
import { latestState } from '../../server/modules/documents/queries'
import { findPrinciplesDocument } from '../../server/modules/principles/content'
import { DEMO, DEMO_REGION as REGION } from '../support/demo'
import { liveServer } from '../support/live'
import { testDialects } from '../support/server'

/**
 * Commenting on words through the document page's action (intent 'comment'): what the editor's
 * "Reageer op selectie" form posts. Bad input is refused with a status and nothing is saved.
 */
const SENTENCE = 'Vaak helpt het al om te weten wat bij een leeftijd hoort'

describe.each(testDialects())('the document page takes comments on words on %s', (dialect) => {
  const live = liveServer({ dialect }, { parent: DEMO.parent, outsider: DEMO.outsider })
  let docId: string
  const path = () => `/regio/${REGION}/documenten/${docId}`
  const count = async () => (await live.server.context.db.selectFrom('comments').select('id').where('doc_id', '=', docId).execute()).length

  /** Anchors around `text` in the document as it is now, as the browser would encode them. */
  async function anchorsAround(text: string) {
    const doc = await latestState(live.server.context.db, live.server.context.collab, docId)
    const found = findText(doc.getXmlFragment(FRAGMENT), text)
    if (!found) throw new Error(`not in the document: ${text}`)
    return {
      start: encodeAnchor(Y.createRelativePositionFromTypeIndex(found.node, found.index, 0)),
      end: encodeAnchor(Y.createRelativePositionFromTypeIndex(found.node, found.index + text.length, -1)),
      quote: text,
    }
  }
  function findText(type: Y.XmlFragment | Y.XmlElement, text: string): { node: Y.XmlText; index: number } | null {
    for (const child of type.toArray()) {
      if (child instanceof Y.XmlText) {
        const plain = child.toDelta().map((d: { insert?: unknown }) => (typeof d.insert === 'string' ? d.insert : '')).join('')
        if (plain.indexOf(text) !== -1) return { node: child, index: plain.indexOf(text) }
      } else if (child instanceof Y.XmlElement) {
        const found = findText(child, text)
        if (found) return found
      }
    }
    return null
  }

  beforeAll(async () => {
    docId = (await findPrinciplesDocument(live.db, live.regionId))!.id
  })

  it('refuses an empty or oversize body with 400 and a field error, saving nothing', async () => {
    const anchors = await anchorsAround(SENTENCE)
    const empty = await live.as('parent')(path(), { form: { intent: 'comment', ...anchors, body: '   ' } })
    expect(empty.status).toBe(400)
    expect(await empty.text()).toContain('error.required')
    const long = await live.as('parent')(path(), { form: { intent: 'comment', ...anchors, body: 'x'.repeat(2001) } })
    expect(long.status).toBe(400)
    expect(await long.text()).toContain('error.tooLong')
    expect(await count()).toBe(0)
  })

  it('answers 409 when the words are gone or changed, saving nothing', async () => {
    // Anchors into a document that has nothing to do with this one: their range does not exist here.
    const other = new Y.Doc()
    const text = new Y.XmlText('Een andere tekst')
    const p = new Y.XmlElement('paragraph')
    p.insert(0, [text])
    other.getXmlFragment(FRAGMENT).insert(0, [p])
    const gone = {
      start: encodeAnchor(Y.createRelativePositionFromTypeIndex(text, 0, 0)),
      end: encodeAnchor(Y.createRelativePositionFromTypeIndex(text, 4, -1)),
      quote: 'Een ',
    }
    const res = await live.as('parent')(path(), { form: { intent: 'comment', ...gone, body: 'Waar gaat dit over?' } })
    expect(res.status).toBe(409)
    expect(await res.text()).toContain('comments.rangeGone')
    const changed = await live.as('parent')(path(), { form: { intent: 'comment', ...(await anchorsAround(SENTENCE)), quote: 'Iets anders', body: 'Hallo' } })
    expect(changed.status).toBe(409)
    const malformed = await live.as('parent')(path(), { form: { intent: 'comment', start: '!!!', end: '???', quote: 'x', body: 'Hallo' } })
    expect(malformed.status).toBe(409)
    expect(await count()).toBe(0)
  })

  it('saves a comment on words that are there, and lists it on the page', async () => {
    const res = await live.as('parent')(path(), { form: { intent: 'comment', ...(await anchorsAround(SENTENCE)), body: 'Duidelijk verwoord.' } })
    expect(res.status).toBe(200)
    expect(await count()).toBe(1)
    const page = await (await live.as('parent')(path())).text()
    expect(page).toContain('Duidelijk verwoord.')
    expect(page).toContain('Reacties op de tekst (1)')
  })

  it('refuses someone from another region with 403', async () => {
    const res = await live.as('outsider')(path(), { form: { intent: 'comment', ...(await anchorsAround(SENTENCE)), body: 'Mag dit?' } })
    expect(res.status).toBe(403)
    expect(await count()).toBe(1)
  })
})
