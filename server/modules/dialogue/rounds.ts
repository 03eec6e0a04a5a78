import { done, refuse, type Result } from '../../lib/result'
import { DAY } from '../../lib/time'

/**
 * A dialogue round's life, on server time only (issue 9, requirement 14 and 19 of
 * procurement-anchors.md): one way, never back, never back-dated.
 *
 *   concept ──publish──► open ──(the deadline passes)──► deadline_passed ──open_submissions──► opened
 *      ──assess──► assessed ──close──► closed
 *
 * "deadline_passed" is not written by anyone: a round that is stored as open *is* past its deadline
 * from the moment the clock reaches it, so a deadline cannot be missed by a job that did not run.
 * The deadline itself can only move later, and only for everyone at once: for a recorded outage of the
 * portal (also just after the deadline, before anything was opened) or because a nota van
 * inlichtingen came out too close to it.
 */
export const storedPhases = ['concept', 'open', 'opened', 'assessed', 'closed'] as const
export type StoredPhase = (typeof storedPhases)[number]
export const phases = ['concept', 'open', 'deadline_passed', 'opened', 'assessed', 'closed'] as const
export type Phase = (typeof phases)[number]

export interface RoundState {
  phase: StoredPhase
  /** ISO time of the submission deadline; required from publication on */
  deadline: string | null
}

/** The phase at a moment: a stored "open" round is past its deadline once the clock reaches it. */
export function phaseAt(round: RoundState, now: Date): Phase {
  // An unreadable stored deadline counts as passed: a round fails closed, never open.
  if (round.phase === 'open' && round.deadline !== null && !(now.getTime() < Date.parse(round.deadline))) return 'deadline_passed'
  return round.phase
}

export type Transition = 'publish' | 'open_submissions' | 'assess' | 'close'

const next: Record<Transition, { from: Phase; to: StoredPhase }> = {
  publish: { from: 'concept', to: 'open' },
  open_submissions: { from: 'deadline_passed', to: 'opened' },
  assess: { from: 'opened', to: 'assessed' },
  close: { from: 'assessed', to: 'closed' },
}

export type TransitionRefusal = 'wrong_phase' | 'deadline_missing' | 'deadline_past'

/**
 * Whether a round may take a step now, and the phase it lands in. Publishing needs a deadline that
 * is still ahead (a round published after its own deadline would be back-dated).
 */
export function step(round: RoundState, transition: Transition, now: Date): Result<{ phase: StoredPhase }, TransitionRefusal> {
  const rule = next[transition]
  if (phaseAt(round, now) !== rule.from) return refuse('wrong_phase')
  if (transition === 'publish') {
    if (round.deadline === null || Number.isNaN(Date.parse(round.deadline))) return refuse('deadline_missing')
    if (Date.parse(round.deadline) <= now.getTime()) return refuse('deadline_past')
  }
  return done({ phase: rule.to })
}

export type DeadlineRefusal = 'wrong_phase' | 'not_later' | 'not_in_future'

/**
 * Moves the deadline, for everyone at once. Only later than it was and later than now (never
 * back-dated), and only before anything was opened: while the round is open, or after the deadline
 * passed when an outage is recorded (the people who could not submit get their time back).
 */
export function moveDeadline(round: RoundState, to: Date, now: Date, why: 'outage' | 'nota' | 'planning'): Result<{ deadline: string }, DeadlineRefusal> {
  const phase = phaseAt(round, now)
  const allowed = phase === 'open' || phase === 'concept' || (phase === 'deadline_passed' && why === 'outage')
  if (!allowed) return refuse('wrong_phase')
  if (Number.isNaN(to.getTime())) return refuse('not_in_future')
  if (round.deadline !== null && to.getTime() <= Date.parse(round.deadline)) return refuse('not_later')
  if (to.getTime() <= now.getTime()) return refuse('not_in_future')
  return done({ deadline: to.toISOString() })
}

/**
 * A nota van inlichtingen issued less than `minDays` whole days before the deadline moves the
 * deadline so that `minDays` remain after it (requirement 7). Returns the new deadline, or null
 * when there is time enough.
 */
export function deadlineAfterNota(deadline: string, issuedAt: Date, minDays: number): Date | null {
  const needed = issuedAt.getTime() + minDays * DAY
  return Date.parse(deadline) < needed ? new Date(needed) : null
}
