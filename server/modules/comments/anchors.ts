import * as Y from 'yjs'
import { FRAGMENT } from '../documents/render'

/**
 * Where a comment sits: two Y.RelativePositions (start, end) plus the words quoted when it was
 * made. Relative positions follow their characters through everyone's edits, so a comment stays on
 * its words while others type around them. Comparing the words between the anchors now with the
 * quote tells whether the comment still fits: 'active' (same words), 'outdated' (the words changed)
 * or 'orphaned' (the words are gone). Nothing is ever dropped.
 */
export type AnchorStatus = 'active' | 'outdated' | 'orphaned'

export function encodeAnchor(rel: Y.RelativePosition): string {
  return Buffer.from(Y.encodeRelativePosition(rel)).toString('base64')
}

export function decodeAnchor(encoded: string): Y.RelativePosition | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length > 400) return null
  try {
    return Y.decodeRelativePosition(new Uint8Array(Buffer.from(encoded, 'base64')))
  } catch {
    return null
  }
}

/** Whitespace runs count as one space, so line breaks between blocks do not matter. */
export function normaliseQuote(text: string): string {
  return text.replace(/\s+/g, ' ').trim()
}

function plain(text: Y.XmlText): string {
  return text
    .toDelta()
    .map((d: { insert?: unknown }) => (typeof d.insert === 'string' ? d.insert : ''))
    .join('')
}

/** Every text node of the fragment in document order (depth first). */
function textNodes(fragment: Y.XmlFragment | Y.XmlElement, out: Y.XmlText[] = []): Y.XmlText[] {
  for (const child of fragment.toArray()) {
    if (child instanceof Y.XmlText) out.push(child)
    else if (child instanceof Y.XmlElement) textNodes(child, out)
  }
  return out
}

/**
 * The words between two relative positions in the editor's fragment, blocks joined by a space;
 * null when an anchor cannot be resolved (it points into something that is gone entirely).
 */
export function textBetween(doc: Y.Doc, start: Y.RelativePosition, end: Y.RelativePosition): string | null {
  const a = Y.createAbsolutePositionFromRelativePosition(start, doc)
  const b = Y.createAbsolutePositionFromRelativePosition(end, doc)
  if (!a || !b) return null
  const nodes = textNodes(doc.getXmlFragment(FRAGMENT))
  const ia = nodes.indexOf(a.type as Y.XmlText)
  const ib = nodes.indexOf(b.type as Y.XmlText)
  if (ia === -1 || ib === -1) return null
  if (ia > ib || (ia === ib && a.index >= b.index)) return ''
  if (ia === ib) return plain(nodes[ia]!).slice(a.index, b.index)
  const parts = [plain(nodes[ia]!).slice(a.index)]
  for (let i = ia + 1; i < ib; i++) parts.push(plain(nodes[i]!))
  parts.push(plain(nodes[ib]!).slice(0, b.index))
  return parts.join(' ')
}

export function anchorStatus(doc: Y.Doc, anchor: { start: string; end: string; quote: string }): { status: AnchorStatus; current: string } {
  const start = decodeAnchor(anchor.start)
  const end = decodeAnchor(anchor.end)
  const current = start && end ? textBetween(doc, start, end) : null
  const now = normaliseQuote(current ?? '')
  if (now === '') return { status: 'orphaned', current: '' }
  return { status: now === normaliseQuote(anchor.quote) ? 'active' : 'outdated', current: now }
}

/** The heading (principle name) that precedes a position, for grouping comments by principle. */
export function sectionAt(doc: Y.Doc, start: Y.RelativePosition): string {
  const abs = Y.createAbsolutePositionFromRelativePosition(start, doc)
  if (!abs) return ''
  let block: Y.AbstractType<unknown> | null = abs.type
  const fragment = doc.getXmlFragment(FRAGMENT)
  while (block && block.parent && block.parent !== fragment) block = block.parent as Y.AbstractType<unknown>
  let heading = ''
  for (const child of fragment.toArray()) {
    if (child instanceof Y.XmlElement && child.nodeName === 'heading') {
      heading = textNodes(child).map(plain).join('')
    }
    if (child === block) break
  }
  return heading
}
