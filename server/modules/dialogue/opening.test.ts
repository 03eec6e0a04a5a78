import { describe, expect, it } from 'vitest'
import { confirmOpening, OPENING_WINDOW_MS } from './opening'

const at = (min: number) => new Date(Date.UTC(2026, 7, 28, 11, min))

describe('the two-person opening', () => {
  it('opens on the second confirmation by a different person', () => {
    const first = confirmOpening([], { userId: 'anna', now: at(1), deadlinePassed: true })
    expect(first).toMatchObject({ ok: true, opened: false })
    const second = confirmOpening(first.ok ? first.confirmations : [], { userId: 'bram', now: at(5), deadlinePassed: true })
    expect(second).toMatchObject({ ok: true, opened: true })
  })

  it('never opens for one person confirming twice', () => {
    const first = confirmOpening([], { userId: 'anna', now: at(1), deadlinePassed: true })
    expect(confirmOpening(first.ok ? first.confirmations : [], { userId: 'anna', now: at(2), deadlinePassed: true })).toEqual({
      ok: false,
      reason: 'already_confirmed',
    })
  })

  it('asks a stale first confirmation again: the second must come within the window', () => {
    const first = confirmOpening([], { userId: 'anna', now: at(0), deadlinePassed: true })
    const late = new Date(at(0).getTime() + OPENING_WINDOW_MS + 1)
    const second = confirmOpening(first.ok ? first.confirmations : [], { userId: 'bram', now: late, deadlinePassed: true })
    expect(second).toMatchObject({ ok: true, opened: false })
    // and the person whose confirmation went stale may confirm again
    const again = confirmOpening(second.ok ? second.confirmations : [], { userId: 'anna', now: new Date(late.getTime() + 1000), deadlinePassed: true })
    expect(again).toMatchObject({ ok: true, opened: true })
  })

  it('is refused before the deadline, whoever asks', () => {
    expect(confirmOpening([], { userId: 'anna', now: at(0), deadlinePassed: false })).toEqual({ ok: false, reason: 'before_deadline' })
  })
})
