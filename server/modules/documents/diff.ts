import { diffArrays, diffWords } from 'diff'
import type { Node as PMNode } from '@tiptap/pm/model'

/**
 * Comparing two texts of a document (two versions, or a version and the current text): block by
 * block, then word by word inside blocks that changed. Pure: ProseMirror content in, rows out.
 */

export type BlockType = 'paragraph' | 'heading2' | 'heading3' | 'heading' | 'bullet' | 'ordered' | 'quote' | 'code' | 'rule'

export interface Block {
  type: BlockType
  /** nesting depth of lists */
  depth: number
  /** the list marker, e.g. "3." (display only) */
  marker?: string
  text: string
}

/** The document as a flat list of text blocks, the unit the comparison aligns. */
export function blocksOf(node: PMNode): Block[] {
  const out: Block[] = []
  const walk = (n: PMNode, ctx: { list: 'bullet' | 'ordered' | null; depth: number; quote: boolean; marker?: string }) => {
    n.forEach((child, _offset, index) => {
      const name = child.type.name
      if (name === 'bulletList' || name === 'orderedList') {
        const start = name === 'orderedList' ? Number(child.attrs.start ?? 1) : 1
        child.forEach((item, _o, i) => {
          walk(item, {
            list: name === 'bulletList' ? 'bullet' : 'ordered',
            depth: ctx.depth + 1,
            quote: ctx.quote,
            marker: name === 'bulletList' ? '•' : `${start + i}.`,
          })
        })
      } else if (name === 'blockquote') {
        walk(child, { ...ctx, quote: true })
      } else if (name === 'horizontalRule') {
        out.push({ type: 'rule', depth: ctx.depth, text: '' })
      } else if (child.isTextblock) {
        const text = child.textContent
        let type: BlockType
        if (ctx.list) type = ctx.list
        else if (ctx.quote) type = 'quote'
        else if (name === 'heading') type = child.attrs.level === 2 ? 'heading2' : child.attrs.level === 3 ? 'heading3' : 'heading'
        else if (name === 'codeBlock') type = 'code'
        else type = 'paragraph'
        // Only the first paragraph of a list item carries the marker.
        out.push({ type, depth: ctx.depth, marker: ctx.list && index === 0 ? ctx.marker : undefined, text })
      } else if (child.childCount > 0) {
        walk(child, ctx)
      }
    })
  }
  walk(node, { list: null, depth: 0, quote: false })
  return out
}

export interface Segment {
  text: string
  change?: 'ins' | 'del'
}

export interface DiffRow {
  change: 'same' | 'changed' | 'added' | 'removed'
  type: BlockType
  depth: number
  /** the block in the older text (with deletions marked), null when the block was added */
  before: { marker?: string; segments: Segment[] } | null
  /** the block in the newer text (with insertions marked), null when the block was removed */
  after: { marker?: string; segments: Segment[] } | null
}

export interface Comparison {
  rows: DiffRow[]
  insertedWords: number
  deletedWords: number
}

/** Below this share of common words, a pair of blocks counts as replaced rather than edited. */
const SIMILAR = 0.3
const words = (s: string) => s.split(/\s+/).filter(Boolean).length
const sig = (b: Block) => `${b.type}|${b.depth}|${b.text}`

/** Blocks are aligned first (unchanged ones match exactly); blocks that changed are compared word by word. */
export function compareBlocks(before: Block[], after: Block[]): Comparison {
  const rows: DiffRow[] = []
  let insertedWords = 0
  let deletedWords = 0
  const parts = diffArrays(before.map(sig), after.map(sig))
  let i = 0
  let j = 0
  const removedRow = (b: Block): DiffRow => {
    deletedWords += words(b.text)
    return { change: 'removed', type: b.type, depth: b.depth, before: { marker: b.marker, segments: [{ text: b.text, change: 'del' }] }, after: null }
  }
  const addedRow = (b: Block): DiffRow => {
    insertedWords += words(b.text)
    return { change: 'added', type: b.type, depth: b.depth, before: null, after: { marker: b.marker, segments: [{ text: b.text, change: 'ins' }] } }
  }
  for (let k = 0; k < parts.length; k++) {
    const part = parts[k]!
    if (!part.added && !part.removed) {
      for (let n = 0; n < part.count; n++) {
        const a = before[i++]!
        const b = after[j++]!
        rows.push({ change: 'same', type: b.type, depth: b.depth, before: { marker: a.marker, segments: [{ text: a.text }] }, after: { marker: b.marker, segments: [{ text: b.text }] } })
      }
      continue
    }
    // A run of removed blocks next to a run of added ones: pair them up as changed blocks.
    const next = parts[k + 1]
    const removed = part.removed ? part.count : next?.removed ? next.count : 0
    const added = part.added ? part.count : next?.added ? next.count : 0
    if (next && (next.added || next.removed) && next.added !== part.added) k++
    const olds = before.slice(i, i + removed)
    const news = after.slice(j, j + added)
    i += removed
    j += added
    const pairs = Math.min(olds.length, news.length)
    for (let n = 0; n < pairs; n++) {
      const a = olds[n]!
      const b = news[n]!
      const changes = diffWords(a.text, b.text, { timeout: 500 })
      // Blocks that share (almost) nothing read better as one removed and one added block.
      const common = changes ? changes.filter((c) => !c.added && !c.removed).reduce((n, c) => n + words(c.value), 0) : 0
      if (!changes || (2 * common) / Math.max(1, words(a.text) + words(b.text)) < SIMILAR) {
        rows.push(removedRow(a), addedRow(b))
        continue
      }
      const left: Segment[] = []
      const right: Segment[] = []
      for (const c of changes) {
        if (c.added) {
          right.push({ text: c.value, change: 'ins' })
          insertedWords += words(c.value)
        } else if (c.removed) {
          left.push({ text: c.value, change: 'del' })
          deletedWords += words(c.value)
        } else {
          left.push({ text: c.value })
          right.push({ text: c.value })
        }
      }
      rows.push({ change: 'changed', type: b.type, depth: b.depth, before: { marker: a.marker, segments: left }, after: { marker: b.marker, segments: right } })
    }
    for (const a of olds.slice(pairs)) rows.push(removedRow(a))
    for (const b of news.slice(pairs)) rows.push(addedRow(b))
  }
  return { rows, insertedWords, deletedWords }
}

/** A run of unchanged blocks shown as one row ("… 4 unchanged blocks …"). */
export interface FoldedRows {
  skipped: number
}

/** How many unchanged blocks stay visible on each side of a change. */
const CONTEXT = 1

/**
 * Long runs of unchanged blocks folded into one row, keeping one block of context on each side of a
 * change, so the changes of a long document are found without scrolling through all of it.
 */
export function foldUnchanged(rows: DiffRow[]): Array<DiffRow | FoldedRows> {
  const near = rows.map((_, i) => rows.slice(Math.max(0, i - CONTEXT), i + CONTEXT + 1).some((r) => r.change !== 'same'))
  const out: Array<DiffRow | FoldedRows> = []
  for (let i = 0; i < rows.length; i++) {
    if (near[i]) {
      out.push(rows[i]!)
      continue
    }
    let j = i
    while (j < rows.length && !near[j]) j++
    // Folding a single block saves nothing.
    if (j - i > 1) out.push({ skipped: j - i })
    else out.push(rows[i]!)
    i = j - 1
  }
  return out
}
