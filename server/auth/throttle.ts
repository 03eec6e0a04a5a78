import type { DB } from '../../db/connect'
import { sha256Hex } from '../lib/ids'
import { HOUR, MINUTE, iso } from '../lib/time'

/**
 * Login throttling, kept in the database so that several instances share it. Keys are hashes, so
 * neither an e-mail address nor a client address is stored in the clear.
 *
 * A lock per account alone lets anyone lock anyone out (five wrong passwords before a meeting), so
 * the counts follow OWASP's advice instead:
 * - `pair` (account + address): the first few failures are free (typos), then the wait grows, 1, 2,
 *   4, 8 up to 15 minutes. An attacker slows down only their own attempts at that account.
 * - `address`: 20 failures within 15 minutes, on any accounts, block that address for 15 minutes
 *   (one address trying many accounts).
 * - `account`: many failures on one account from many addresses (a botnet) close it for an hour, but
 *   only to addresses it has not logged in from before (`known`); the real person from their own
 *   address still gets in.
 */
export const throttleRules = {
  pair: { freeFailures: 4, firstDelayMs: MINUTE, maxDelayMs: 15 * MINUTE, windowMs: 24 * HOUR },
  address: { freeFailures: 19, firstDelayMs: 15 * MINUTE, maxDelayMs: 15 * MINUTE, windowMs: 15 * MINUTE },
  account: { freeFailures: 49, firstDelayMs: HOUR, maxDelayMs: HOUR, windowMs: HOUR },
} as const

type Kind = keyof typeof throttleRules

/** A successful login from an address, remembered this long, lets it past the account-wide limit. */
export const KNOWN_ADDRESS_MS = 90 * 24 * HOUR

function hash(value: string): string {
  return sha256Hex(value.trim().toLowerCase())
}

export function throttleKey(kind: Kind | 'known', value: string): string {
  return `${kind}:${hash(value)}`
}

/** The keys of one login attempt: `email` and `address` as given (normalised here). */
export function loginKeys(email: string, address: string) {
  const pair = `${hash(email)}|${hash(address)}`
  return {
    pair: `pair:${hash(pair)}`,
    address: throttleKey('address', address),
    account: throttleKey('account', email),
    known: `known:${hash(pair)}`,
  }
}

/** The wait after `failures` failures in a row: nothing for the free ones, then doubling up to the cap. */
export function delayAfter(kind: Kind, failures: number): number {
  const rule = throttleRules[kind]
  if (failures <= rule.freeFailures) return 0
  return Math.min(rule.maxDelayMs, rule.firstDelayMs * 2 ** (failures - rule.freeFailures - 1))
}

/** Seconds until all of the keys may try again, or 0 when they may try now. */
export async function retryAfterSeconds(db: DB, keys: string[], now: Date): Promise<number> {
  if (keys.length === 0) return 0
  const rows = await db.selectFrom('login_throttle').select(['blocked_until']).where('key', 'in', keys).execute()
  let wait = 0
  for (const r of rows) {
    if (!r.blocked_until) continue
    const ms = Date.parse(r.blocked_until) - now.getTime()
    if (ms > wait) wait = ms
  }
  return Math.ceil(wait / 1000)
}

/**
 * Counts a failure. Each step is one statement, so two instances counting the same key at the
 * same moment both count (no read-modify-write that could lose one), on SQLite and PostgreSQL.
 * ISO-8601 UTC strings compare in time order, so the comparisons run in SQL.
 */
export async function recordFailure(db: DB, key: string, now: Date): Promise<void> {
  const kind = key.split(':')[0] as Kind
  const rule = throttleRules[kind]
  if (!rule) throw new Error(`not a throttle key: ${kind}`)
  const at = iso(now)
  await db
    .insertInto('login_throttle')
    .values({ key, failures: 0, window_started_at: at, blocked_until: null })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute()
  // Failures older than the window are forgotten: start counting again.
  await db
    .updateTable('login_throttle')
    .set({ failures: 0, window_started_at: at })
    .where('key', '=', key)
    .where('window_started_at', '<=', iso(new Date(now.getTime() - rule.windowMs)))
    .execute()
  const row = await db
    .updateTable('login_throttle')
    .set((eb) => ({ failures: eb('failures', '+', 1) }))
    .where('key', '=', key)
    .returning('failures')
    .executeTakeFirstOrThrow()
  const delay = delayAfter(kind, row.failures)
  if (delay === 0) return
  const until = iso(new Date(now.getTime() + delay))
  // Only ever lengthen a block: a slower instance must not shorten another's.
  await db
    .updateTable('login_throttle')
    .set({ blocked_until: until })
    .where('key', '=', key)
    .where((eb) => eb.or([eb('blocked_until', 'is', null), eb('blocked_until', '<', until)]))
    .execute()
}

export async function clearFailures(db: DB, key: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', '=', key).execute()
}

/** Remembers that this account logged in from this address (the `known` key of loginKeys). */
export async function rememberAddress(db: DB, knownKey: string, now: Date): Promise<void> {
  const values = { failures: 0, window_started_at: iso(now), blocked_until: null }
  await db
    .insertInto('login_throttle')
    .values({ key: knownKey, ...values })
    .onConflict((oc) => oc.column('key').doUpdateSet(values))
    .execute()
}

export async function isKnownAddress(db: DB, knownKey: string, now: Date): Promise<boolean> {
  const row = await db
    .selectFrom('login_throttle')
    .select('window_started_at')
    .where('key', '=', knownKey)
    .executeTakeFirst()
  return Boolean(row && now.getTime() - Date.parse(row.window_started_at) < KNOWN_ADDRESS_MS)
}

/**
 * The login's whole throttle decision: which keys count against this attempt. Every failure counts
 * for the pair, the address and the account; the account's own block is ignored from a known address.
 */
export async function loginThrottle(db: DB, email: string, address: string, now: Date) {
  const keys = loginKeys(email, address)
  const known = await isKnownAddress(db, keys.known, now)
  const checked = known ? [keys.pair, keys.address] : [keys.pair, keys.address, keys.account]
  return {
    keys,
    retryAfter: await retryAfterSeconds(db, checked, now),
    async failed() {
      for (const key of [keys.pair, keys.address, keys.account]) await recordFailure(db, key, now)
    },
    async succeeded() {
      await clearFailures(db, keys.pair)
      await rememberAddress(db, keys.known, now)
    },
  }
}
