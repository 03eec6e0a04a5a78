import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { paragraphsUpdate } from '../documents/render'
import { anchorStatus, decodeAnchor, encodeAnchor, normaliseQuote, sectionAt, textBetween } from './anchors'

function docWith(paragraphs: string[]) {
  const doc = new Y.Doc()
  Y.applyUpdate(doc, paragraphsUpdate(paragraphs))
  return doc
}

function textOf(doc: Y.Doc, paragraph: number) {
  return (doc.getXmlFragment('default').get(paragraph) as Y.XmlElement).get(0) as Y.XmlText
}

/** Anchors around `words` in a paragraph, as the editor would make them. */
function anchorAround(doc: Y.Doc, paragraph: number, words: string) {
  const text = textOf(doc, paragraph)
  const from = text.toString().indexOf(words)
  return {
    start: encodeAnchor(Y.createRelativePositionFromTypeIndex(text, from)),
    // the end sticks to the character before it, so typing right after the words stays outside
    end: encodeAnchor(Y.createRelativePositionFromTypeIndex(text, from + words.length, -1)),
    quote: words,
  }
}

describe('comment anchors', () => {
  it('stay on their words while others edit around them, also concurrently', () => {
    const a = docWith(['Kinderen groeien zo veel mogelijk thuis op.'])
    const anchor = anchorAround(a, 0, 'zo veel mogelijk')
    const b = new Y.Doc()
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a))
    textOf(a, 0).insert(0, 'Alle ')
    textOf(b, 0).insert(textOf(b, 0).length - 1, ' en veilig')
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b))
    expect(textOf(a, 0).toString()).toBe('Alle Kinderen groeien zo veel mogelijk thuis op en veilig.')
    expect(anchorStatus(a, anchor)).toEqual({ status: 'active', current: 'zo veel mogelijk' })
  })

  it('are outdated when their words change, and orphaned when the words are deleted', () => {
    const doc = docWith(['Lokaal wat kan, regionaal wat moet.'])
    const anchor = anchorAround(doc, 0, 'regionaal wat moet')
    const text = textOf(doc, 0)
    const at = text.toString().indexOf('moet')
    text.delete(at, 4)
    text.insert(at, 'nodig is')
    const changed = anchorStatus(doc, anchor)
    expect(changed.status).toBe('outdated')
    expect(changed.current.startsWith('regionaal wat')).toBe(true)
    text.delete(text.toString().indexOf('regionaal'), 'regionaal wat nodig is.'.length)
    expect(anchorStatus(doc, anchor).status).toBe('orphaned')
  })

  it('are orphaned when the whole paragraph is removed', () => {
    const doc = docWith(['Eerste.', 'Tweede zin hier.'])
    const anchor = anchorAround(doc, 1, 'zin')
    doc.getXmlFragment('default').delete(1, 1)
    expect(anchorStatus(doc, anchor).status).toBe('orphaned')
  })

  it('read across paragraphs', () => {
    const doc = docWith(['Een twee', 'drie vier'])
    const start = Y.createRelativePositionFromTypeIndex(textOf(doc, 0), 4)
    const end = Y.createRelativePositionFromTypeIndex(textOf(doc, 1), 4)
    expect(textBetween(doc, start, end)).toBe('twee drie')
  })

  it('reject what is not a relative position', () => {
    expect(decodeAnchor('not base64!')).toBeNull()
    expect(decodeAnchor('AAAA'.repeat(200))).toBeNull()
    expect(anchorStatus(docWith(['x']), { start: '!!', end: '!!', quote: 'x' }).status).toBe('orphaned')
    expect(normaliseQuote('  a \n\t b ')).toBe('a b')
  })

  it('know the principle (heading) they are under', () => {
    const doc = new Y.Doc()
    const fragment = doc.getXmlFragment('default')
    const h = new Y.XmlElement('heading')
    h.setAttribute('level', '2' as never)
    h.insert(0, [new Y.XmlText('Normaliseren')])
    const p = new Y.XmlElement('paragraph')
    p.insert(0, [new Y.XmlText('Niet elk probleem vraagt om zorg.')])
    fragment.insert(0, [h, p])
    const start = Y.createRelativePositionFromTypeIndex(p.get(0) as Y.XmlText, 4)
    expect(sectionAt(doc, start)).toBe('Normaliseren')
  })
})
