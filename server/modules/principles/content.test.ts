import fs from 'node:fs'
import path from 'node:path'
import * as Y from 'yjs'
import { describe, expect, it } from 'vitest'
import { DEMO_MARK, demoNotice, demoSlugs, principlesFile, principlesUpdate, principlesWithAnchors, readIntro, readPrinciples } from './content'
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

  it('shows the demo notice only for a demo region whose document still says it is the demo text', () => {
    const demo = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../../content/principles/midden-limburg.json'), 'utf8'))
    const doc = new Y.Doc()
    Y.applyUpdate(doc, principlesUpdate(principlesFile.parse(demo)))
    expect(readIntro(doc)).toBe(demo.intro)
    expect(demoNotice('midden-limburg', doc)).toEqual(demo.source)
    expect(demoNotice('elders', doc)).toBeNull()
    // The drafters replace the introduction with the region's own: the notice goes.
    const own = new Y.Doc()
    Y.applyUpdate(own, principlesUpdate({ ...sample, intro: 'Onze eigen principes, vastgesteld door het PHO.' }))
    expect(demoNotice('midden-limburg', own)).toBeNull()
    expect(readIntro(own).startsWith(DEMO_MARK)).toBe(false)
  })

  it('knows the source of every demo region that has principles', () => {
    const dir = path.resolve(__dirname, '../../../content/principles')
    const slugs = fs.readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'facts.json').map((f) => f.replace(/\.json$/, ''))
    expect([...demoSlugs].sort()).toEqual(slugs.sort())
  })

  it('accepts every content file of the demo regions', () => {
    const dir = path.resolve(__dirname, '../../../content/principles')
    // facts.json holds the facts of the source documents (content-facts.test.ts), not a region's principles.
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'facts.json') : []
    expect(files.length).toBeGreaterThan(0)
    for (const f of files) {
      const parsed = principlesFile.parse(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')))
      // The demo's sources survive parsing (the page shows them as a notice).
      expect(parsed.source?.document, f).toBeTruthy()
      for (const s of parsed.sections) for (const item of s.items) expect(item.source, `${f}: ${item.name}`).toBeTruthy()
      const doc = new Y.Doc()
      Y.applyUpdate(doc, principlesUpdate(parsed))
      expect(readPrinciples(doc).length).toBe(parsed.sections.reduce((n, s) => n + s.items.length, 0))
    }
  })
})
