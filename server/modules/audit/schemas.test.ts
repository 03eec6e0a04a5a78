import { describe, expect, it } from 'vitest'
import { amsterdamDayStart, filterParams, parseLogQuery, periodOf } from './schemas'

const parse = (q: string) => parseLogQuery(new URLSearchParams(q))

describe('the logbook filter', () => {
  it('reads who, what, period and paging; empty fields mean "any"', () => {
    const r = parse('wie=abc123&wat=members&van=2027-03-01&tot=2027-03-31&voor=120')
    expect(r).toMatchObject({ ok: true, data: { filter: { actorId: 'abc123', group: 'members', from: '2027-03-01', to: '2027-03-31' }, before: 120 } })
    expect(parse('wie=&wat=&van=&tot=')).toMatchObject({ ok: true, data: { filter: {} } })
  })

  it('a bad date gets a message at its field', () => {
    expect(parse('van=31-03-2027')).toMatchObject({ ok: false, errors: { van: 'error.date' } })
    expect(parse('tot=2027-02-30')).toMatchObject({ ok: false, errors: { tot: 'error.date' } })
    expect(parse('van=gisteren')).toMatchObject({ ok: false, errors: { van: 'error.date' } })
  })

  it('an end before the start is refused at the end date', () => {
    expect(parse('van=2027-03-10&tot=2027-03-01')).toMatchObject({ ok: false, errors: { tot: 'audit.filter.toBeforeFrom' } })
    expect(parse('van=2027-03-10&tot=2027-03-10').ok).toBe(true)
    // a refused start date is the only message: the order of a date that is not one is not judged
    expect(parse('van=31-12-2026&tot=2026-01-01')).toEqual(expect.objectContaining({ ok: false, errors: { van: 'error.date' } }))
  })

  it('an unknown group or an odd actor id is refused, not ignored', () => {
    expect(parse('wat=everything')).toMatchObject({ ok: false, errors: { wat: 'error.choice' } })
    expect(parse("wie=' or 1=1 --")).toMatchObject({ ok: false, errors: { wie: 'error.choice' } })
    expect(parse('voor=-3').ok).toBe(false)
    // a broken paging position says what to do, not the generic 'fill in this field'
    for (const q of ['voor=-3', 'voor=abc', 'voor=1.5']) {
      const r = parse(q)
      expect(r.ok ? null : r.errors.voor).toBe('audit.filter.badPage')
    }
  })

  it('writes the filter back as the query of the paging link and the download', () => {
    expect(filterParams({ actorId: 'a', group: 'documents', from: '2027-01-01' }).toString()).toBe('wie=a&wat=documents&van=2027-01-01')
  })
})

describe('the period in Amsterdam time', () => {
  it('a winter day starts at 23:00 UTC the day before, a summer day at 22:00', () => {
    expect(amsterdamDayStart('2027-01-15')).toBe('2027-01-14T23:00:00.000Z')
    expect(amsterdamDayStart('2027-07-15')).toBe('2027-07-14T22:00:00.000Z')
  })

  it('the days the clocks change start at local midnight too', () => {
    expect(amsterdamDayStart('2027-03-28')).toBe('2027-03-27T23:00:00.000Z') // clocks go forward at 02:00 that night
    expect(amsterdamDayStart('2027-03-29')).toBe('2027-03-28T22:00:00.000Z')
    expect(amsterdamDayStart('2027-10-31')).toBe('2027-10-30T22:00:00.000Z') // back at 03:00
    expect(amsterdamDayStart('2027-11-01')).toBe('2027-10-31T23:00:00.000Z')
  })

  it('"to" includes the whole last day', () => {
    expect(periodOf({ from: '2027-03-01', to: '2027-03-31' })).toEqual({ fromAt: '2027-02-28T23:00:00.000Z', beforeAt: '2027-03-31T22:00:00.000Z' })
  })
})
