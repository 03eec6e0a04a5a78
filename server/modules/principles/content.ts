import * as Y from 'yjs'
import { z } from 'zod'
import type { DB } from '../../../db/connect'
import { can, permissionOn, type Actor } from '../../policy/can'
import { done, refuse, type Result } from '../../lib/result'
import { asResource, withDocumentState, type LiveDocuments } from '../documents/queries'
import { FRAGMENT } from '../documents/render'
import { encodeAnchor } from '../comments/anchors'
import { listComments, type CommentView } from '../comments/queries'
import ijmondZuidKennemerland from '../../../content/principles/ijmond-zuid-kennemerland.json'
import ijsselland from '../../../content/principles/ijsselland.json'
import middenLimburg from '../../../content/principles/midden-limburg.json'
import zuidHollandZuid from '../../../content/principles/zuid-holland-zuid.json'

/**
 * The leading principles of a region as one co-edited document: a level-2 heading per group
 * (principles, starting points, policy goals), and per principle a level-3 heading with its name,
 * its text, and a quote block with the plain-language summary for panels. The panel pages read the
 * principles back from the same document, so drafters edit one text.
 */
export const principlesFile = z.object({
  title: z.string().min(1),
  intro: z.string(),
  /** Demo content: the region's own document it follows (shown as a notice on the principles page). */
  source: z.object({ document: z.string().min(1), version: z.string().min(1), section: z.string().min(1) }).optional(),
  sections: z.array(
    z.object({
      heading: z.string().min(1),
      /** the part of the source this group follows */
      source: z.string().min(1).optional(),
      items: z
        .array(
          z.object({
            name: z.string().min(1),
            text: z.string().min(1),
            summary: z.string().min(1),
            /** document, year and section the text follows */
            source: z.string().min(1).optional(),
          }),
        )
        .min(1),
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

function firstText(el: Y.XmlElement): Y.XmlText | null {
  for (const c of el.toArray()) {
    if (c instanceof Y.XmlText) return c
    if (c instanceof Y.XmlElement) {
      const t = firstText(c)
      if (t) return t
    }
  }
  return null
}

function lastText(el: Y.XmlElement): Y.XmlText | null {
  for (const c of el.toArray().reverse()) {
    if (c instanceof Y.XmlText) return c
    if (c instanceof Y.XmlElement) {
      const t = lastText(c)
      if (t) return t
    }
  }
  return null
}

export interface PrincipleWithAnchor extends Principle {
  /** anchors around the principle's text, so a panel member can react to a whole principle */
  anchor: { start: string; end: string; quote: string } | null
}

/** The principles with anchors around each one's text (not its summary), for "react to this principle". */
export function principlesWithAnchors(doc: Y.Doc): PrincipleWithAnchor[] {
  const principles = readPrinciples(doc)
  const out: PrincipleWithAnchor[] = []
  let index = -1
  let current: Y.XmlElement[] | null = null
  const finish = () => {
    if (!current) return
    const p = principles[index]!
    const first = current.length ? firstText(current[0]!) : null
    const last = current.length ? lastText(current[current.length - 1]!) : null
    const anchor =
      first && last && p.text.trim()
        ? {
            start: encodeAnchor(Y.createRelativePositionFromTypeIndex(first, 0)),
            end: encodeAnchor(Y.createRelativePositionFromTypeIndex(last, last.length, -1)),
            quote: p.text,
          }
        : null
    out.push({ ...p, anchor })
    current = null
  }
  for (const node of doc.getXmlFragment(FRAGMENT).toArray()) {
    if (!(node instanceof Y.XmlElement)) continue
    if (node.nodeName === 'heading') {
      finish()
      if (Number(node.getAttribute('level')) > 2) {
        index++
        current = []
      }
    } else if (current && node.nodeName !== 'blockquote') {
      current.push(node)
    }
  }
  finish()
  return out
}

export interface DemoSource {
  document: string
  version: string
  section: string
}

/** The demo regions' principles (content/principles/), keyed by region slug. */
const demoContent: Record<string, { source?: DemoSource }> = {
  'ijmond-zuid-kennemerland': ijmondZuidKennemerland,
  ijsselland,
  'midden-limburg': middenLimburg,
  'zuid-holland-zuid': zuidHollandZuid,
}
export const demoSlugs = Object.keys(demoContent)

/** The document a demo region's principles follow, as written in content/principles/<slug>.json. */
export function demoSourceFor(slug: string): DemoSource | null {
  return demoContent[slug]?.source ?? null
}

/** The text before the first heading: the document's introduction. */
export function readIntro(doc: Y.Doc): string {
  const out: string[] = []
  for (const node of doc.getXmlFragment(FRAGMENT).toArray()) {
    if (node instanceof Y.XmlElement && node.nodeName === 'heading') break
    if (node instanceof Y.XmlElement || node instanceof Y.XmlText) out.push(plain(node))
  }
  return out.filter(Boolean).join('\n')
}

export const DEMO_MARK = 'Demotekst, in eigen woorden, volgens '

/**
 * The demo notice for the principles page: the document a demo text follows, as long as the
 * document still says it is the demo text (once drafters replace the introduction with the
 * region's own, the notice goes too; a region that merely shares a demo slug never shows it).
 */
export function demoNotice(slug: string, doc: Y.Doc): DemoSource | null {
  const source = demoSourceFor(slug)
  return source && readIntro(doc).startsWith(DEMO_MARK) ? source : null
}

/** The region's principles document (the first one, when a region has several). */
export function findPrinciplesDocument(db: DB, regionId: string) {
  return db
    .selectFrom('documents')
    .innerJoin('regions', 'regions.id', 'documents.region_id')
    .selectAll('documents')
    .select('regions.providers_may_draft')
    .where('documents.region_id', '=', regionId)
    .where('documents.kind', '=', 'principles')
    .orderBy('documents.created_at')
    .limit(1)
    .executeTakeFirst()
}

export interface PrinciplesPage {
  doc: { id: string; title: string }
  /** the document a demo text follows, while the text still says it is the demo */
  demo: DemoSource | null
  canComment: boolean
  canEdit: boolean
  principles: Array<Principle & { key: string; comments: CommentView[] }>
}

/**
 * The principles page of a region: each principle as the document says it now, with the reactions
 * this person may see. 'not_found' when the region has no principles document, 'forbidden' when
 * the person may not read it.
 */
export async function principlesPage(
  db: DB,
  live: LiveDocuments | undefined,
  input: { actor: Actor; regionId: string; regionSlug: string; now: Date },
): Promise<Result<PrinciplesPage, 'not_found' | 'forbidden'>> {
  const doc = await findPrinciplesDocument(db, input.regionId)
  if (!doc) return refuse('not_found')
  const permission = permissionOn(input.actor, asResource(doc, input.now))
  if (permission === 'none') return refuse('forbidden')
  return withDocumentState(db, live, doc.id, async (ydoc) => {
    const comments = await listComments(db, { actor: input.actor, doc, now: input.now, ydoc })
    return done({
      doc: { id: doc.id, title: doc.title },
      demo: demoNotice(input.regionSlug, ydoc),
      canComment: can(input.actor, 'comment', asResource(doc, input.now)),
      canEdit: permission === 'edit',
      principles: readPrinciples(ydoc).map((p, i) => ({ ...p, key: `p${i}`, comments: comments.filter((c) => c.section === p.name) })),
    })
  })
}
