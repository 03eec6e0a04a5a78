import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Connection, DB } from '../../db/connect'
import { freshDb, T0 } from '../../tests/support/db'
import { MINUTE } from '../lib/time'
import { delayAfter, loginKeys, loginThrottle, recordFailure, retryAfterSeconds, throttleKey } from './throttle'

const EMAIL = 'anna.de.vries@example.test'
const HOME = '198.51.100.20' // Anna's own address
const ATTACKER = '203.0.113.66'
const at = (ms: number) => new Date(T0.getTime() + ms)

let conn: Connection
let db: DB
beforeEach(async () => {
  conn = await freshDb()
  db = conn.db
})
afterEach(() => conn.close())

/** One login attempt that fails (the password check itself is not the throttle's business). */
async function failLogin(email: string, address: string, now: Date): Promise<number> {
  const t = await loginThrottle(db, email, address, now)
  if (t.retryAfter > 0) return t.retryAfter
  await t.failed()
  return 0
}

/** Keeps failing from one address for as long as `minutes`, waiting out every delay it is given. */
async function hammer(email: string, address: string, start: Date, minutes: number) {
  let now = start
  let attempts = 0
  while (now.getTime() < start.getTime() + minutes * MINUTE) {
    const wait = await failLogin(email, address, now)
    if (wait === 0) attempts++
    now = new Date(now.getTime() + Math.max(wait * 1000, 1000))
  }
  return { attempts, end: now }
}

async function mayTry(email: string, address: string, now: Date) {
  return (await loginThrottle(db, email, address, now)).retryAfter
}

describe('per account and address: growing delays', () => {
  it('lets the first four failures pass, then waits 1, 2, 4, 8 and at most 15 minutes', () => {
    expect([1, 2, 3, 4].map((n) => delayAfter('pair', n))).toEqual([0, 0, 0, 0])
    expect([5, 6, 7, 8, 9, 10, 30].map((n) => delayAfter('pair', n) / MINUTE)).toEqual([1, 2, 4, 8, 15, 15, 15])
  })

  it('makes the fifth failure from one address wait a minute, and the sixth two', async () => {
    for (let i = 0; i < 4; i++) expect(await failLogin(EMAIL, ATTACKER, at(i * 1000))).toBe(0)
    expect(await mayTry(EMAIL, ATTACKER, at(4000))).toBe(0)
    await failLogin(EMAIL, ATTACKER, at(4000))
    expect(await mayTry(EMAIL, ATTACKER, at(4000))).toBe(60)
    // Trying while told to wait counts for nothing and changes nothing.
    expect(await failLogin(EMAIL, ATTACKER, at(30_000))).toBe(34)
    expect(await mayTry(EMAIL, ATTACKER, at(64_000))).toBe(0)
    await failLogin(EMAIL, ATTACKER, at(64_000))
    expect(await mayTry(EMAIL, ATTACKER, at(64_000))).toBe(120)
  })

  it('slows an attacker at one account and address down to a few attempts an hour', async () => {
    const { attempts } = await hammer(EMAIL, ATTACKER, T0, 60)
    // 4 free, then waits of 1+2+4+8+15+15+15 minutes fill the hour.
    expect(attempts).toBeLessThanOrEqual(12)
    expect(attempts).toBeGreaterThanOrEqual(8)
  })

  it('lets the real person in from their own address while an attacker hammers from another', async () => {
    const { end } = await hammer(EMAIL, ATTACKER, T0, 60)
    await failLogin(EMAIL, ATTACKER, end)
    expect(await mayTry(EMAIL, ATTACKER, end)).toBe(15 * 60)
    // Anna, at home, right now: not blocked, even after two typos of her own.
    expect(await mayTry(EMAIL, HOME, end)).toBe(0)
    await failLogin(EMAIL, HOME, end)
    await failLogin(EMAIL, HOME, end)
    expect(await mayTry(EMAIL, HOME, end)).toBe(0)
    const t = await loginThrottle(db, EMAIL, HOME, end)
    await t.succeeded()
    expect(await mayTry(EMAIL, HOME, end)).toBe(0)
    // And her success does not lift the attacker's wait.
    expect(await mayTry(EMAIL, ATTACKER, end)).toBeGreaterThan(0)
  })

  it('starts afresh for the pair after a successful login', async () => {
    for (let i = 0; i < 4; i++) await failLogin(EMAIL, HOME, at(i))
    await (await loginThrottle(db, EMAIL, HOME, at(10))).succeeded()
    for (let i = 0; i < 4; i++) await failLogin(EMAIL, HOME, at(20 + i))
    expect(await mayTry(EMAIL, HOME, at(30))).toBe(0)
  })

  it('forgets failures after a day', async () => {
    for (let i = 0; i < 4; i++) await failLogin(EMAIL, HOME, at(i))
    const nextDay = at(24 * 60 * MINUTE + 1)
    await failLogin(EMAIL, HOME, nextDay)
    expect(await mayTry(EMAIL, HOME, nextDay)).toBe(0)
  })

  it('treats the same e-mail address typed differently as the same account', async () => {
    for (let i = 0; i < 5; i++) await failLogin(i % 2 ? '  Anna.de.Vries@Example.TEST ' : EMAIL, ATTACKER, at(i))
    expect(await mayTry(EMAIL, ATTACKER, at(10))).toBeGreaterThan(0)
  })
})

describe('per address: a limit over all accounts', () => {
  it('blocks an address for 15 minutes after 20 failures on different accounts, and only that address', async () => {
    for (let i = 0; i < 19; i++) await failLogin(`persoon${i}@example.test`, ATTACKER, at(i * 1000))
    expect(await mayTry('nieuw@example.test', ATTACKER, at(19_000))).toBe(0)
    await failLogin('persoon19@example.test', ATTACKER, at(19_000))
    expect(await mayTry('nieuw@example.test', ATTACKER, at(19_000))).toBe(15 * 60)
    expect(await mayTry('nieuw@example.test', HOME, at(19_000))).toBe(0)
    expect(await mayTry('nieuw@example.test', ATTACKER, at(19_000 + 15 * MINUTE))).toBe(0)
  })
})

describe('per account from many addresses (a botnet)', () => {
  it('closes the account to unknown addresses after 50 failures, but not to an address it logged in from', async () => {
    await (await loginThrottle(db, EMAIL, HOME, T0)).succeeded()
    for (let i = 0; i < 50; i++) await failLogin(EMAIL, `203.0.113.${i}`, at(MINUTE + i * 1000))
    const after = at(2 * MINUTE)
    expect(await mayTry(EMAIL, '192.0.2.1', after)).toBeGreaterThan(50 * 60)
    expect(await mayTry(EMAIL, HOME, after)).toBe(0)
    expect(await mayTry('bert@example.test', '192.0.2.1', after)).toBe(0)
  })
})

describe('keys', () => {
  it('contain neither the e-mail address nor the client address', async () => {
    const keys = loginKeys(EMAIL, '203.0.113.7')
    for (const key of Object.values(keys)) {
      for (const part of [EMAIL, 'anna', 'vries', 'example', '203.0.113.7', '113.7']) expect(key.toLowerCase()).not.toContain(part)
    }
    await recordFailure(db, keys.pair, T0)
    const stored = await db.selectFrom('login_throttle').select('key').execute()
    expect(stored.map((s) => s.key)).toEqual([keys.pair])
  })

  it('keep accounts, addresses and pairs apart', () => {
    const keys = loginKeys('x', 'x')
    expect(new Set(Object.values(keys)).size).toBe(4)
    expect(keys.address).toBe(throttleKey('address', 'x'))
  })

  it('answers with the longest wait of all the keys asked about', async () => {
    const keys = loginKeys(EMAIL, ATTACKER)
    for (let i = 0; i < 6; i++) await recordFailure(db, keys.pair, at(i))
    expect(await retryAfterSeconds(db, [keys.address, keys.pair], at(10))).toBe(await retryAfterSeconds(db, [keys.pair], at(10)))
    expect(await retryAfterSeconds(db, [keys.address], at(10))).toBe(0)
    expect(await retryAfterSeconds(db, [], at(10))).toBe(0)
  })
})
