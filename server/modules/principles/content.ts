import * as Y from 'yjs'
import { z } from 'zod'
import { FRAGMENT } from '../documents/documents'

/**
 * The leading principles of a region as one co-edited document: a level-2 heading per group
 * (principles, starting points, policy goals), and per principle a level-3 heading with its name,
 * its text, and a quote block with the plain-language summary for panels. The panel pages read the
 * principles back from the same document, so drafters edit one text.
 */
export const principlesFile = z.object({
  title: z.string().min(1),
  intro: z.string(),
  sections: z.array(
    z.object({
      heading: z.string().min(1),
      items: z.array(z.object({ name: z.string().min(1), text: z.string().min(1), summary: z.string().min(1) })).min(1),
    }),
  ),
})
export type PrinciplesContent = z.infer<typeof principlesFile>

function element(name: string, children: Array<Y.XmlElement | Y.XmlText>, attrs: Record<string, unknown> = {}) {
  const el = new Y.XmlElement(name)
  // y-tiptap keeps node attributes as they are (a heading's level is a number).
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v as string)
  el.insert(0, children)
  return el
}
const paragraph = (text: string) => element('paragraph', [new Y.XmlText(text)])

export function principlesUpdate(content: PrinciplesContent): Uint8Array {
  const doc = new Y.Doc()
  const blocks: Y.XmlElement[] = []
  if (content.intro) blocks.push(paragraph(content.intro))
  for (const section of content.sections) {
    blocks.push(element('heading', [new Y.XmlText(section.heading)], { level: 2 }))
    for (const item of section.items) {
      blocks.push(element('heading', [new Y.XmlText(item.name)], { level: 3 }))
      blocks.push(paragraph(item.text))
      blocks.push(element('blockquote', [paragraph(item.summary)]))
    }
  }
  doc.getXmlFragment(FRAGMENT).insert(0, blocks)
  const update = Y.encodeStateAsUpdate(doc)
  doc.destroy()
  return update
}

export interface Principle {
  group: string
  name: string
  text: string
  summary: string
}

function plain(el: Y.XmlElement | Y.XmlText): string {
  if (el instanceof Y.XmlText) {
    return el
      .toDelta()
      .map((d: { insert?: unknown }) => (typeof d.insert === 'string' ? d.insert : ''))
      .join('')
  }
  return el
    .toArray()
    .map((c) => (c instanceof Y.XmlElement || c instanceof Y.XmlText ? plain(c) : ''))
    .join(el.nodeName === 'blockquote' ? ' ' : '')
}

/** The principles as they stand in the document now, for the panel pages. */
export function readPrinciples(doc: Y.Doc): Principle[] {
  const out: Principle[] = []
  let group = ''
  let current: Principle | null = null
  for (const node of doc.getXmlFragment(FRAGMENT).toArray()) {
    if (!(node instanceof Y.XmlElement)) continue
    const level = Number(node.getAttribute('level'))
    if (node.nodeName === 'heading' && level <= 2) {
      group = plain(node)
      current = null
    } else if (node.nodeName === 'heading') {
      current = { group, name: plain(node), text: '', summary: '' }
      out.push(current)
    } else if (current && node.nodeName === 'blockquote') {
      current.summary = [current.summary, plain(node)].filter(Boolean).join(' ')
    } else if (current) {
      current.text = [current.text, plain(node)].filter(Boolean).join('\n')
    }
  }
  return out
}
