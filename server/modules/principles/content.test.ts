import fs from 'node:fs'
import path from 'node:path'
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { principlesFile, principlesUpdate, principlesWithAnchors, readPrinciples } from './content'
import { anchorStatus } from '../comments/anchors'

const sample = {
  title: 'Leidende principes',
  intro: 'Waar we op letten.',
  sections: [
    { heading: 'Leidende principes', items: [{ name: 'Normaliseren', text: 'Niet elk probleem vraagt zorg.', summary: 'Opgroeien gaat met ups en downs.' }] },
    { heading: 'Beleidsdoelen', items: [{ name: 'Thuis opgroeien', text: 'Kinderen groeien thuis op.', summary: 'Je woont thuis als het kan.' }] },
  ],
}

describe('principles content', () => {
  it('round-trips through the document: groups, names, texts and summaries', () => {
    const doc = new Y.Doc()
    Y.applyUpdate(doc, principlesUpdate(sample))
    expect(readPrinciples(doc)).toEqual([
      { group: 'Leidende principes', name: 'Normaliseren', text: 'Niet elk probleem vraagt zorg.', summary: 'Opgroeien gaat met ups en downs.' },
      { group: 'Beleidsdoelen', name: 'Thuis opgroeien', text: 'Kinderen groeien thuis op.', summary: 'Je woont thuis als het kan.' },
    ])
  })

  it('reads edits made in the document', () => {
    const doc = new Y.Doc()
    Y.applyUpdate(doc, principlesUpdate(sample))
    const fragment = doc.getXmlFragment('default')
    const name = fragment.get(2) as Y.XmlElement // intro, h2, h3 …
    ;(name.get(0) as Y.XmlText).insert(0, 'Eerst ')
    expect(readPrinciples(doc)[0]!.name).toBe('Eerst Normaliseren')
  })

  it('anchors a reaction to the whole text of one principle', () => {
    const doc = new Y.Doc()
    Y.applyUpdate(doc, principlesUpdate(sample))
    const list = principlesWithAnchors(doc)
    expect(list.map((p) => p.name)).toEqual(['Normaliseren', 'Thuis opgroeien'])
    expect(anchorStatus(doc, list[1]!.anchor!)).toEqual({ status: 'active', current: 'Kinderen groeien thuis op.' })
  })

  it('accepts every content file of the demo regions', () => {
    const dir = path.resolve(__dirname, '../../../content/principles')
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : []
    for (const f of files) {
      const parsed = principlesFile.parse(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')))
      const doc = new Y.Doc()
      Y.applyUpdate(doc, principlesUpdate(parsed))
      expect(readPrinciples(doc).length).toBe(parsed.sections.reduce((n, s) => n + s.items.length, 0))
    }
  })
})
