import { describe, expect, it } from 'vitest'
import { blocksOf, compareBlocks, foldUnchanged, type DiffRow } from './diff'
import { schema } from './render'

describe('comparing two texts', () => {
  it('aligns blocks and marks words inserted and deleted', () => {
    const before = [
      { type: 'heading2' as const, depth: 0, text: 'Doel' },
      { type: 'paragraph' as const, depth: 0, text: 'Zorg zo dichtbij mogelijk.' },
      { type: 'paragraph' as const, depth: 0, text: 'Weg ermee.' },
    ]
    const after = [
      { type: 'heading2' as const, depth: 0, text: 'Doel' },
      { type: 'paragraph' as const, depth: 0, text: 'Zorg zo dichtbij en licht mogelijk.' },
      { type: 'bullet' as const, depth: 1, marker: '•', text: 'Nieuw punt' },
    ]
    const c = compareBlocks(before, after)
    // The third paragraph shares no words with the new list item: removed and added, not edited.
    expect(c.rows.map((r) => r.change)).toEqual(['same', 'changed', 'removed', 'added'])
    const changed = c.rows[1]!
    expect(changed.after!.segments.filter((s) => s.change === 'ins').map((s) => s.text.trim())).toEqual(['en licht'])
    expect(changed.before!.segments.some((s) => s.change === 'del')).toBe(false)
    expect(c.insertedWords).toBe(4)
    expect(c.deletedWords).toBe(2)
    // A block only on one side is wholly added or removed.
    const only = compareBlocks(before, before.slice(0, 2))
    expect(only.rows.at(-1)).toMatchObject({ change: 'removed', after: null, before: { segments: [{ text: 'Weg ermee.', change: 'del' }] } })
  })

  it('reads blocks from the editor’s content: headings, list items with markers', () => {
    const node = schema.nodeFromJSON({
      type: 'doc',
      content: [
        { type: 'heading', attrs: { level: 3 }, content: [{ type: 'text', text: 'Kop' }] },
        { type: 'orderedList', attrs: { start: 1 }, content: [{ type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Een' }] }] }, { type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'Twee' }] }] }] },
      ],
    })
    expect(blocksOf(node)).toEqual([
      { type: 'heading3', depth: 0, marker: undefined, text: 'Kop' },
      { type: 'ordered', depth: 1, marker: '1.', text: 'Een' },
      { type: 'ordered', depth: 1, marker: '2.', text: 'Twee' },
    ])
  })

  it('folds long unchanged stretches, keeping one block of context around each change', () => {
    const row = (change: DiffRow['change'], text: string): DiffRow => ({ change, type: 'paragraph', depth: 0, before: { segments: [{ text }] }, after: { segments: [{ text }] } })
    const rows = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'].map((n) => row(n === '5' ? 'changed' : 'same', n))
    const folded = foldUnchanged(rows)
    expect(folded.map((r) => ('skipped' in r ? `…${r.skipped}` : r.after!.segments[0]!.text))).toEqual(['…3', '4', '5', '6', '…4'])
    // A single unchanged block is not folded: that would save nothing.
    const short = foldUnchanged([row('same', 'a'), row('same', 'b'), row('changed', 'c')])
    expect(short.map((r) => ('skipped' in r ? `…${r.skipped}` : r.after!.segments[0]!.text))).toEqual(['a', 'b', 'c'])
    // Nothing changed: everything folds into one row.
    expect(foldUnchanged([row('same', 'a'), row('same', 'b')])).toEqual([{ skipped: 2 }])
  })
})
