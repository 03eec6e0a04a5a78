import { describe, expect, it } from 'vitest'
import { csvDateTime, csvHeaders, toCsv } from './csv'

describe('CSV for Dutch spreadsheets', () => {
  it('starts with a BOM, separates with semicolons and ends lines with CRLF', () => {
    expect(toCsv(['a', 'b'], [['één', 'twee']])).toBe('\uFEFFa;b\r\néén;twee\r\n')
  })

  it('quotes a cell with a semicolon, quote or line break; a comma needs no quotes', () => {
    expect(toCsv(['x'], [['a;b'], ['zei "ja"'], ['regel 1\nregel 2'], ['1,5']])).toBe(
      '\uFEFFx\r\n"a;b"\r\n"zei ""ja"""\r\n"regel 1\nregel 2"\r\n1,5\r\n',
    )
  })

  it('never lets a cell run as a formula', () => {
    for (const payload of ['=HYPERLINK("http://x")', '+31 6', '-2+3', '@SUM(A1)', '\t=1', '\r=1']) {
      const line = toCsv(['x'], [[payload]]).split('\r\n')[1]!
      expect(line.startsWith(`"'`), payload).toBe(true)
    }
  })

  it('writes times as Amsterdam wall-clock time, summer and winter', () => {
    expect(csvDateTime('2026-12-31T13:05:00.000Z')).toBe('31-12-2026 14:05')
    expect(csvDateTime('2026-07-01T22:30:00.000Z')).toBe('02-07-2026 00:30')
    expect(csvDateTime('not a date')).toBe('not a date')
  })

  it('names the file with letters and digits only, and keeps accents in filename*', () => {
    const h = csvHeaders('reactieverslag "Versie 1"/../x')
    expect(h['Content-Disposition']).toContain('filename="reactieverslag-Versie-1-x.csv"')
    expect(csvHeaders('logboek é')['Content-Disposition']).toContain("filename*=UTF-8''logboek-%C3%A9.csv")
    expect(csvHeaders('')['Content-Disposition']).toContain('filename="export.csv"')
  })
})
