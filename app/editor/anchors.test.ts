import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { decodeAnchor, encodeAnchor, textBetween } from '../../server/modules/comments/anchors'
import { decodeRelative, encodeRelative, withAssoc } from './anchors'

/** The browser's anchor encoding matches the server's, and a range keeps exactly its own words. */
function paragraph(text: string) {
  const doc = new Y.Doc()
  const t = new Y.XmlText(text)
  const p = new Y.XmlElement('paragraph')
  p.insert(0, [t])
  doc.getXmlFragment('default').insert(0, [p])
  return { doc, t }
}

describe('comment anchors in the browser', () => {
  it('encodes as the server does, and decodes what the server encodes', () => {
    const { t } = paragraph('Zo dichtbij als het kan.')
    const rel = Y.createRelativePositionFromTypeIndex(t, 3, 0)
    expect(encodeRelative(rel)).toBe(encodeAnchor(rel))
    expect(encodeAnchor(decodeRelative(encodeAnchor(rel))!)).toBe(encodeAnchor(rel))
    expect(encodeRelative(decodeAnchor(encodeRelative(rel))!)).toBe(encodeAnchor(rel))
    expect(Y.createAbsolutePositionFromRelativePosition(decodeRelative(encodeAnchor(rel))!, t.doc!)?.index).toBe(3)
  })

  it('refuses malformed input', () => {
    expect(decodeRelative('!!!')).toBeNull()
    expect(decodeRelative('A'.repeat(404))).toBeNull()
  })

  it('a range with start assoc 0 and end assoc -1 does not take in words typed right before or after it', () => {
    const { doc, t } = paragraph('Zo dichtbij als het kan.')
    // As y-tiptap makes them: every position with assoc -1.
    const start = withAssoc(Y.createRelativePositionFromTypeIndex(t, 3, -1), doc, 0)
    const end = withAssoc(Y.createRelativePositionFromTypeIndex(t, 11, -1), doc, -1)
    expect(textBetween(doc, start, end)).toBe('dichtbij')
    t.insert(3, 'heel ')
    t.insert(16, ' en licht')
    expect(t.toString()).toBe('Zo heel dichtbij en licht als het kan.')
    expect(textBetween(doc, start, end)).toBe('dichtbij')
    // Without the repair, the start takes in the word typed before it.
    const loose = Y.createRelativePositionFromTypeIndex(t, 3, -1)
    t.insert(3, 'erg ')
    expect(textBetween(doc, loose, end)).toBe('erg heel dichtbij')
  })

  it('keeps a range at the very start of a text', () => {
    const { doc, t } = paragraph('Normaliseren gaat voor.')
    const start = withAssoc(Y.createRelativePositionFromTypeIndex(t, 0, -1), doc, 0)
    const end = withAssoc(Y.createRelativePositionFromTypeIndex(t, 12, -1), doc, -1)
    t.insert(0, 'Eerst: ')
    expect(textBetween(doc, start, end)).toBe('Normaliseren')
  })
})
