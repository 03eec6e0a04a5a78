import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { inTransaction, type Connection, type DB } from '../../../db/connect'
import { countingQueries, freshDb, makeOrganisation, makeRegion, makeUser, T0 } from '../../../tests/support/db'
import { randomId } from '../../lib/ids'
import { recordAudit } from './audit'
import { auditCsvChunks, auditCsvStream } from './export'

/** The CSV of the logbook: Dutch Excel's format, the sentences, Amsterdam dates, written a page at a time. */
let conn: Connection
let db: DB
let [regionId, otherRegion, anna, town] = ['', '', '', '']

beforeEach(async () => {
  conn = await freshDb()
  db = conn.db
  ;[regionId, otherRegion] = [await makeRegion(db), await makeRegion(db)]
  ;[town, anna] = [await makeOrganisation(db, regionId, { name: 'Gemeente Dordrecht' }), await makeUser(db, { name: 'Anna de Vries' })]
})
afterEach(() => conn.close())

async function collect(chunks: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = []
  for await (const c of chunks) out.push(c)
  return out
}

describe('the logbook as CSV', () => {
  it('opens with the BOM and a header in the reader language, semicolons between cells', async () => {
    const [first] = await collect(auditCsvChunks(db, regionId, { filter: {}, locale: 'nl' }))
    expect(first).toBe('\uFEFFTijd;Wie;Wat;Code;Onderwerp;Gegevens\r\n')
    const [firstEn] = await collect(auditCsvChunks(db, regionId, { filter: {}, locale: 'en' }))
    expect(firstEn).toBe('\uFEFFTime;Who;What;Code;Subject;Data\r\n')
  })

  it('one row per entry: Amsterdam time, the name, the sentence (quoted when it holds a semicolon), code, subject, data', async () => {
    await inTransaction(db, (trx) =>
      recordAudit(trx, {
        action: 'organisation.created',
        subjectType: 'organisation',
        subjectId: town,
        regionId,
        actorId: anna,
        data: { name: 'Jeugd; Gezin', kind: 'provider' },
        at: new Date('2027-07-01T22:30:00Z'),
      }),
    )
    const text = (await collect(auditCsvChunks(db, regionId, { filter: {}, locale: 'nl' }))).join('')
    const line = text.split('\r\n').find((l) => l.includes('organisation.created'))!
    expect(line).toBe(
      `02-07-2027 00:30;Anna de Vries;"Anna de Vries heeft de organisatie Jeugd; Gezin (Zorgaanbieder) toegevoegd.";organisation.created;organisation ${town};"{""name"":""Jeugd; Gezin"",""kind"":""provider""}"`,
    )
  })

  it('holds only the region’s own entries, narrowed by the filter', async () => {
    await inTransaction(db, async (trx) => {
      await recordAudit(trx, { action: 'document.locked', subjectType: 'document', subjectId: 'doc-own-region', regionId, actorId: anna, at: T0 })
      await recordAudit(trx, { action: 'membership.added', subjectType: 'user', subjectId: anna, regionId, actorId: null, data: { organisationId: town, role: 'alderman' }, at: T0 })
      await recordAudit(trx, { action: 'document.locked', subjectType: 'document', subjectId: 'doc-other-region', regionId: otherRegion, actorId: anna, at: T0 })
    })
    const rows = (filter: Parameters<typeof auditCsvChunks>[2]['filter']) =>
      collect(auditCsvChunks(db, regionId, { filter, locale: 'nl' })).then((c) => c.join('').split('\r\n').slice(1, -1))
    const all = await rows({})
    expect(all.filter((l) => l.includes('document.locked'))).toHaveLength(1)
    expect(all.join('\n')).not.toContain('doc-other-region')
    expect((await rows({ group: 'members' })).map((l) => l.split(';')[3])).toEqual(['membership.added'])
    expect(await rows({ actorId: anna })).toHaveLength(1)
    expect(await rows({ from: '2027-03-02' })).toEqual([])
  })

  it('a few thousand entries are written a page at a time: no chunk holds more than one page', async () => {
    const N = 3_000
    await inTransaction(db, async (trx) => {
      for (let i = 0; i < N; i++) {
        await recordAudit(trx, { action: 'document.version_saved', subjectType: 'document', subjectId: randomId(), regionId, actorId: anna, data: { versionId: randomId(), label: `v${i}` }, at: T0 })
      }
    })
    const chunks = auditCsvChunks(db, regionId, { filter: {}, locale: 'nl', pageSize: 500 })
    const sizes: number[] = []
    let rows = 0
    for await (const c of chunks) {
      const lines = c.split('\r\n').length - 1
      sizes.push(c.length)
      rows += lines
      expect(lines).toBeLessThanOrEqual(500)
    }
    const entries = N + 1 // and the organisation made before each test
    expect(rows).toBe(1 + entries) // the header and every entry
    expect(sizes.length).toBe(1 + Math.ceil(entries / 500))
    // What is held at once is one page: the largest chunk is a small part of the whole.
    expect(Math.max(...sizes)).toBeLessThan(sizes.reduce((a, b) => a + b, 0) / 5)
  })

  it('the byte stream is pulled as it is read: reading the header does not read the log', async () => {
    const counted = countingQueries(db)
    const reader = auditCsvStream(counted.db, regionId, { filter: {}, locale: 'nl' }).getReader()
    const first = await reader.read()
    expect(new TextDecoder('utf-8', { ignoreBOM: true }).decode(first.value).startsWith('\uFEFFTijd;')).toBe(true)
    expect(counted.count()).toBe(0)
    await reader.cancel()
  })
})
