/** Time as the database stores it: ISO-8601 strings in UTC. `now` is injectable for tests. */
export type Clock = () => Date

export const systemClock: Clock = () => new Date()

export function iso(date: Date): string {
  return date.toISOString()
}

export function addMs(date: Date, ms: number): Date {
  return new Date(date.getTime() + ms)
}

export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR
