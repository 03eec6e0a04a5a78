import fs from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { principlesFile } from './content'

/**
 * The demo principles follow the regions' own documents: the same number of principles, under the
 * names the source gives them, each text saying which document and section it follows, and the
 * document saying it is a demo in our own words. The facts are kept beside the content, in
 * content/principles/facts.json, taken from the sources (../shared/sources/).
 */
const dir = path.resolve(__dirname, '../../../content/principles')

const factsFile = z.record(
  z.string(),
  z.object({
    document: z.string().min(1),
    version: z.string().min(1),
    sourceFile: z.string().min(1),
    sections: z.array(
      z.object({
        heading: z.string().min(1),
        follows: z.string().min(1),
        document: z.string().optional(),
        sourceFile: z.string().optional(),
        namedBySource: z.boolean(),
        count: z.number().int().positive(),
        names: z.array(z.string().min(1)),
      }),
    ),
  }),
)

const raw = JSON.parse(fs.readFileSync(path.join(dir, 'facts.json'), 'utf8')) as Record<string, unknown>
delete raw.$comment
const facts = factsFile.parse(raw)
const slugs = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.json') && f !== 'facts.json')
  .map((f) => f.replace(/\.json$/, ''))
  .sort()
const content = (slug: string) => principlesFile.parse(JSON.parse(fs.readFileSync(path.join(dir, `${slug}.json`), 'utf8')))

const sentences = (text: string) =>
  text
    .split(/(?<=[.!?])\s+/)
    .map((s) => s.trim())
    .filter(Boolean)
const words = (s: string) => s.split(/\s+/).filter(Boolean).length

describe('demo principles against the facts of their source documents', () => {
  it('has facts for every region with demo principles, and demo principles for every region in the facts', () => {
    expect(slugs).toEqual(Object.keys(facts).sort())
  })

  for (const slug of Object.keys(facts).sort()) {
    const f = facts[slug]!
    describe(slug, () => {
      it('has the sections, the number of principles and the names of the source', () => {
        const c = content(slug)
        for (const s of f.sections) expect(s.names, `facts for "${s.heading}" list ${s.count} names`).toHaveLength(s.count)
        const all = c.sections.flatMap((s) => s.items)
        expect(all.length, 'number of principles').toBe(f.sections.reduce((n, s) => n + s.count, 0))
        expect(all.map((p) => p.name)).toEqual(f.sections.flatMap((s) => s.names))
        expect(c.sections.map((s) => s.heading)).toEqual(f.sections.map((s) => s.heading))
        f.sections.forEach((fs_, i) => {
          expect(fs_.names, `facts for "${fs_.heading}" list ${fs_.count} names`).toHaveLength(fs_.count)
          const items = c.sections[i]?.items ?? []
          expect(items.length, `number of items in "${fs_.heading}"`).toBe(fs_.count)
          expect(items.map((p) => p.name)).toEqual(fs_.names)
        })
      })

      it('says which document and section every text follows', () => {
        const c = content(slug)
        expect(c.source?.document).toBe(f.document)
        expect(c.source?.version).toBe(f.version)
        expect(c.source?.section).toBeTruthy()
        f.sections.forEach((fs_, i) => {
          const section = c.sections[i]
          expect(section?.source, `source of section "${fs_.heading}"`).toBeTruthy()
          for (const item of section?.items ?? []) {
            expect(item.source, `source of "${item.name}"`).toBeTruthy()
            // Each text names the document it follows (the region's, or the section's own).
            expect(item.source, `source of "${item.name}"`).toContain(fs_.document ?? f.document)
          }
        })
      })

      it('calls itself a demo in its own words, following the document, in the intro', () => {
        const c = content(slug)
        expect(c.intro).toMatch(/^Demotekst, in eigen woorden, volgens /)
        expect(c.intro).toContain(f.document)
        for (const s of f.sections) if (s.document) expect(c.intro).toContain(s.document)
      })

      it('keeps the summaries plain: short sentences, "je" and not "u"', () => {
        for (const section of content(slug).sections) {
          for (const item of section.items) {
            const parts = sentences(item.summary)
            expect(parts.length, `summary of "${item.name}"`).toBeLessThanOrEqual(4)
            for (const s of parts) expect(words(s), `sentence "${s}"`).toBeLessThanOrEqual(15)
            expect(item.summary, `summary of "${item.name}"`).not.toMatch(/\b(u|uw)\b/i)
          }
        }
      })
    })
  }
})
