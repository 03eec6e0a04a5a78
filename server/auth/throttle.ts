import { inTransaction, type DB } from '../../db/connect'
import { sha256Hex } from '../lib/ids'
import { MINUTE, iso } from '../lib/time'

/**
 * Login throttling, kept in the database so that several instances share it. Keys are hashes of
 * the account's e-mail address and of the client's address, so neither is stored in the clear.
 * Within a 15-minute window an account may fail 5 times and an address 20 times; then it waits
 * 15 minutes (Retry-After tells how long).
 */
export const throttleRules = {
  account: { maxFailures: 5, windowMs: 15 * MINUTE, blockMs: 15 * MINUTE },
  address: { maxFailures: 20, windowMs: 15 * MINUTE, blockMs: 15 * MINUTE },
} as const

type Kind = keyof typeof throttleRules

export function throttleKey(kind: Kind, value: string): string {
  return `${kind}:${sha256Hex(value.trim().toLowerCase())}`
}

/** Seconds until the key may try again, or 0 when it may try now. */
export async function retryAfterSeconds(db: DB, keys: string[], now: Date): Promise<number> {
  if (keys.length === 0) return 0
  const rows = await db
    .selectFrom('login_throttle')
    .select(['blocked_until'])
    .where('key', 'in', keys)
    .execute()
  let wait = 0
  for (const r of rows) {
    if (!r.blocked_until) continue
    const ms = Date.parse(r.blocked_until) - now.getTime()
    if (ms > wait) wait = ms
  }
  return Math.ceil(wait / 1000)
}

export async function recordFailure(db: DB, key: string, now: Date): Promise<void> {
  const kind = key.split(':')[0] as Kind
  const rule = throttleRules[kind]
  await inTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom('login_throttle')
      .select(['failures', 'window_started_at'])
      .where('key', '=', key)
      .executeTakeFirst()
    const windowOpen = row && now.getTime() - Date.parse(row.window_started_at) < rule.windowMs
    const failures = windowOpen ? row.failures + 1 : 1
    const blocked = failures >= rule.maxFailures ? iso(new Date(now.getTime() + rule.blockMs)) : null
    const values = {
      failures,
      window_started_at: windowOpen ? row.window_started_at : iso(now),
      blocked_until: blocked,
    }
    if (row) await trx.updateTable('login_throttle').set(values).where('key', '=', key).execute()
    else await trx.insertInto('login_throttle').values({ key, ...values }).execute()
  })
}

export async function clearFailures(db: DB, key: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('key', '=', key).execute()
}
