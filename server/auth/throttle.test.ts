import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Connection, DB } from '../../db/connect'
import { freshDb, T0 } from '../../tests/support/db'
import { MINUTE } from '../lib/time'
import { clearFailures, recordFailure, retryAfterSeconds, throttleKey } from './throttle'

const EMAIL = 'anna.de.vries@example.test'
const later = (ms: number) => new Date(T0.getTime() + ms)

let conn: Connection
let db: DB
beforeEach(async () => {
  conn = await freshDb()
  db = conn.db
})
afterEach(() => conn.close())

async function fail(key: string, times: number, start = T0, stepMs = 10_000) {
  for (let i = 0; i < times; i++) await recordFailure(db, key, new Date(start.getTime() + i * stepMs))
  return new Date(start.getTime() + (times - 1) * stepMs)
}

describe('account throttling', () => {
  const key = throttleKey('account', EMAIL)

  it('lets an account try again after 4 failures', async () => {
    const last = await fail(key, 4)
    expect(await retryAfterSeconds(db, [key], last)).toBe(0)
  })

  it('blocks an account for about 15 minutes after 5 failures within the window', async () => {
    const last = await fail(key, 5, T0, MINUTE)
    const wait = await retryAfterSeconds(db, [key], last)
    expect(wait).toBeGreaterThan(14 * 60)
    expect(wait).toBeLessThanOrEqual(15 * 60)
  })

  it('tells how long is left, and lifts the block when it has passed', async () => {
    const last = await fail(key, 5)
    const full = await retryAfterSeconds(db, [key], last)
    const partway = await retryAfterSeconds(db, [key], new Date(last.getTime() + 5 * MINUTE))
    expect(partway).toBeGreaterThan(0)
    expect(partway).toBeLessThan(full)
    expect(await retryAfterSeconds(db, [key], new Date(last.getTime() + 16 * MINUTE))).toBe(0)
  })

  it('starts counting again when failures fall outside the window', async () => {
    await fail(key, 4, T0)
    // The fifth failure comes after the 15-minute window: it is the first of a new count.
    const restart = later(16 * MINUTE)
    await recordFailure(db, key, restart)
    expect(await retryAfterSeconds(db, [key], restart)).toBe(0)
    const fourth = await fail(key, 3, later(17 * MINUTE))
    expect(await retryAfterSeconds(db, [key], fourth)).toBe(0)
    const fifth = later(21 * MINUTE)
    await recordFailure(db, key, fifth)
    expect(await retryAfterSeconds(db, [key], fifth)).toBeGreaterThan(0)
  })

  it('forgets the failures after clearFailures (a successful log-in)', async () => {
    const last = await fail(key, 4)
    await clearFailures(db, key)
    const again = await fail(key, 4, new Date(last.getTime() + 1000))
    expect(await retryAfterSeconds(db, [key], again)).toBe(0)
  })

  it('lifts an active block on clearFailures', async () => {
    const last = await fail(key, 5)
    expect(await retryAfterSeconds(db, [key], last)).toBeGreaterThan(0)
    await clearFailures(db, key)
    expect(await retryAfterSeconds(db, [key], last)).toBe(0)
  })

  it('counts per account: failures of one do not block another', async () => {
    const last = await fail(key, 5)
    expect(await retryAfterSeconds(db, [throttleKey('account', 'bert@example.test')], last)).toBe(0)
  })
})

describe('address throttling', () => {
  const key = throttleKey('address', '203.0.113.7')

  it('allows more failures per address than per account, and then blocks', async () => {
    const nineteenth = await fail(key, 19)
    expect(await retryAfterSeconds(db, [key], nineteenth)).toBe(0)
    const twentieth = new Date(nineteenth.getTime() + 1000)
    await recordFailure(db, key, twentieth)
    expect(await retryAfterSeconds(db, [key], twentieth)).toBeGreaterThan(14 * 60)
  })

  it('answers with the longest wait of all the keys asked about', async () => {
    const account = throttleKey('account', EMAIL)
    const blockedAt = await fail(account, 5)
    const asked = new Date(blockedAt.getTime() + MINUTE)
    const accountOnly = await retryAfterSeconds(db, [account], asked)
    expect(await retryAfterSeconds(db, [key, account], asked)).toBe(accountOnly)
    expect(await retryAfterSeconds(db, [key], asked)).toBe(0)
    expect(await retryAfterSeconds(db, [], asked)).toBe(0)
  })
})

describe('throttleKey', () => {
  it('does not contain the e-mail address or any part of it', async () => {
    const key = throttleKey('account', EMAIL)
    for (const part of [EMAIL, 'anna', 'vries', 'example']) expect(key.toLowerCase()).not.toContain(part)
    await recordFailure(db, key, T0)
    const stored = await db.selectFrom('login_throttle').select('key').execute()
    expect(stored).toHaveLength(1)
    expect(stored[0]!.key).not.toContain('anna')
  })

  it('does not contain the client address', () => {
    const key = throttleKey('address', '203.0.113.7')
    expect(key).not.toContain('203.0.113.7')
    expect(key).not.toContain('113.7')
  })

  it('treats the same address typed differently as the same account', () => {
    expect(throttleKey('account', '  Anna.de.Vries@Example.TEST ')).toBe(throttleKey('account', EMAIL))
  })

  it('keeps accounts and addresses apart', () => {
    expect(throttleKey('account', 'x')).not.toBe(throttleKey('address', 'x'))
  })
})
