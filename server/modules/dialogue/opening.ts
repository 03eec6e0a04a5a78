import { done, refuse, type Result } from '../../lib/result'

/**
 * The two-person opening of a round's submissions (requirement 20–21 of procurement-anchors.md): the
 * deadline has passed, and two *different* authorised people have each confirmed, the second within
 * `windowMs` of the first (TenderNed's vault asks for both within ten minutes). One person twice
 * never opens; a first confirmation that has gone stale has to be given again.
 */
export interface Confirmation {
  userId: string
  at: string
}

export const OPENING_WINDOW_MS = 10 * 60 * 1000

export type OpeningRefusal = 'already_confirmed' | 'before_deadline'

export function confirmOpening(
  confirmations: readonly Confirmation[],
  by: { userId: string; now: Date; deadlinePassed: boolean },
  windowMs = OPENING_WINDOW_MS,
): Result<{ confirmations: Confirmation[]; opened: boolean }, OpeningRefusal> {
  if (!by.deadlinePassed) return refuse('before_deadline')
  const fresh = confirmations.filter((c) => by.now.getTime() - Date.parse(c.at) <= windowMs)
  if (fresh.some((c) => c.userId === by.userId)) return refuse('already_confirmed')
  const all = [...fresh, { userId: by.userId, at: by.now.toISOString() }]
  return done({ confirmations: all, opened: new Set(all.map((c) => c.userId)).size >= 2 })
}
