import { describe, expect, it } from 'vitest'
import { deadlineAfterNota, moveDeadline, phaseAt, step, type RoundState } from './rounds'

const T = (s: string) => new Date(`2026-04-02T${s}:00.000Z`)
const open: RoundState = { phase: 'open', deadline: '2026-04-02T10:00:00.000Z' }

describe('a round on server time', () => {
  it('is past its deadline from the very millisecond the clock reaches it, without anyone writing it', () => {
    expect(phaseAt(open, new Date(Date.parse(open.deadline!) - 1))).toBe('open')
    expect(phaseAt(open, new Date(Date.parse(open.deadline!)))).toBe('deadline_passed')
    expect(phaseAt({ phase: 'opened', deadline: open.deadline }, T('09:00'))).toBe('opened')
  })

  it('goes one way only: each step from its own phase, never back', () => {
    expect(step({ phase: 'concept', deadline: open.deadline }, 'publish', T('08:00'))).toEqual({ ok: true, phase: 'open' })
    expect(step(open, 'publish', T('08:00'))).toEqual({ ok: false, reason: 'wrong_phase' })
    expect(step(open, 'open_submissions', T('09:59'))).toEqual({ ok: false, reason: 'wrong_phase' })
    expect(step(open, 'open_submissions', T('10:00'))).toEqual({ ok: true, phase: 'opened' })
    expect(step({ phase: 'opened', deadline: open.deadline }, 'assess', T('11:00'))).toEqual({ ok: true, phase: 'assessed' })
    expect(step({ phase: 'opened', deadline: open.deadline }, 'close', T('11:00'))).toEqual({ ok: false, reason: 'wrong_phase' })
    expect(step({ phase: 'assessed', deadline: open.deadline }, 'close', T('11:00'))).toEqual({ ok: true, phase: 'closed' })
    for (const t of ['publish', 'open_submissions', 'assess', 'close'] as const) {
      expect(step({ phase: 'closed', deadline: open.deadline }, t, T('12:00')).ok).toBe(false)
    }
  })

  it('fails closed on dates that cannot be read: never open, never published, never moved to one', () => {
    expect(phaseAt({ phase: 'open', deadline: 'morgen' }, T('08:00'))).toBe('deadline_passed')
    expect(step({ phase: 'concept', deadline: 'morgen' }, 'publish', T('08:00'))).toEqual({ ok: false, reason: 'deadline_missing' })
    expect(moveDeadline(open, new Date('nonsense'), T('08:00'), 'planning')).toEqual({ ok: false, reason: 'not_in_future' })
  })

  it('is not published without a deadline or with one already past (that would be back-dated)', () => {
    expect(step({ phase: 'concept', deadline: null }, 'publish', T('08:00'))).toEqual({ ok: false, reason: 'deadline_missing' })
    expect(step({ phase: 'concept', deadline: open.deadline }, 'publish', T('10:00'))).toEqual({ ok: false, reason: 'deadline_past' })
  })
})

describe('moving a deadline', () => {
  it('only later, only into the future', () => {
    expect(moveDeadline(open, T('12:00'), T('08:00'), 'planning')).toEqual({ ok: true, deadline: '2026-04-02T12:00:00.000Z' })
    expect(moveDeadline(open, T('09:00'), T('08:00'), 'planning')).toEqual({ ok: false, reason: 'not_later' })
    expect(moveDeadline(open, T('10:00'), T('08:00'), 'planning')).toEqual({ ok: false, reason: 'not_later' })
  })

  it('after the deadline only for a recorded outage, and never once anything was opened', () => {
    expect(moveDeadline(open, T('14:00'), T('10:30'), 'planning')).toEqual({ ok: false, reason: 'wrong_phase' })
    expect(moveDeadline(open, T('14:00'), T('10:30'), 'outage')).toEqual({ ok: true, deadline: '2026-04-02T14:00:00.000Z' })
    expect(moveDeadline(open, T('10:15'), T('10:30'), 'outage')).toEqual({ ok: false, reason: 'not_in_future' })
    expect(moveDeadline({ phase: 'opened', deadline: open.deadline }, T('14:00'), T('10:30'), 'outage')).toEqual({ ok: false, reason: 'wrong_phase' })
  })
})

describe('a nota van inlichtingen close to the deadline', () => {
  const deadline = '2026-08-28T11:00:00.000Z'
  it('moves the deadline so that the minimum number of days remains', () => {
    const issued = new Date('2026-08-24T09:00:00.000Z')
    expect(deadlineAfterNota(deadline, issued, 6)?.toISOString()).toBe('2026-08-30T09:00:00.000Z')
  })
  it('leaves it alone when there is time enough, exactly six days included', () => {
    expect(deadlineAfterNota(deadline, new Date('2026-08-14T09:00:00.000Z'), 6)).toBeNull()
    expect(deadlineAfterNota(deadline, new Date('2026-08-22T11:00:00.000Z'), 6)).toBeNull()
  })
})
