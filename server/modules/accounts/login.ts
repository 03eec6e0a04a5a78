import { inTransaction, type DB } from '../../../db/connect'
import { verifyPassword } from '../../auth/password'
import { createSession, invalidateSession } from '../../auth/session'
import { loginThrottle } from '../../auth/throttle'
import { audit, stamp } from '../audit/audit'
import { consentedRegions } from '../../auth/actor'

export type LoginResult =
  | { ok: true; token: string; userId: string }
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfter: number }

/**
 * Logs in with e-mail address and password. A wrong address and a wrong password get the same
 * answer and take the same time. Failures count per account and address, per address, and per
 * account from unknown addresses (see auth/throttle.ts); while one of those makes the attempt wait,
 * the answer is "throttled" with the seconds to wait, without checking the password.
 */
export async function loginWithPassword(input: {
  db: DB
  email: string
  password: string
  address: string
  device: string
  now: Date
}): Promise<LoginResult> {
  const { db, now } = input
  const email = input.email.trim().toLowerCase()
  const throttle = await loginThrottle(db, email, input.address, now)
  if (throttle.retryAfter > 0) return { ok: false, reason: 'throttled', retryAfter: throttle.retryAfter }

  const user = await db
    .selectFrom('users')
    .select(['id', 'password_hash', 'under_16'])
    .where('email', '=', email)
    .executeTakeFirst()
  const valid = await verifyPassword(user?.password_hash ?? null, input.password)
  if (!user || !valid) {
    await throttle.failed()
    await inTransaction(db, (trx) =>
      audit(trx, stamp(user?.id ?? null, null, now), 'auth.login_failed', ['user', user?.id ?? null], {
        reason: user ? 'wrong_password' : 'unknown_account',
      }),
    )
    return { ok: false, reason: 'invalid' }
  }
  await throttle.succeeded()
  return startSession(db, user.id, { now, device: input.device, method: 'password' })
}

/** Creates the session and its audit entry in one transaction. */
export async function startSession(
  db: DB,
  userId: string,
  opts: { now: Date; device: string; method: 'password' | 'panel_code' | 'invitation' },
): Promise<{ ok: true; token: string; userId: string }> {
  return inTransaction(db, async (trx) => {
    const { token, id } = await createSession(trx, userId, { now: opts.now, device: opts.device })
    await audit(trx, stamp(userId, null, opts.now), 'auth.login', ['session', id], { method: opts.method })
    return { ok: true as const, token, userId }
  })
}

/** True when a member under 16 has no region with consent, and so cannot take part anywhere. */
export async function awaitingConsent(db: DB, user: { id: string; under_16: number }): Promise<boolean> {
  if (!user.under_16) return false
  return (await consentedRegions(db, user.id)).length === 0
}

/**
 * Logs out: the session ends and its entry is written in one transaction; the person's open
 * document sockets are closed after it (they were opened with this session).
 */
export async function endSession(
  db: DB,
  collab: { accessChanged(change: { userId: string }): Promise<unknown> | unknown },
  input: { sessionId: string; userId: string; now: Date },
): Promise<void> {
  await inTransaction(db, async (trx) => {
    await invalidateSession(trx, input.sessionId)
    await audit(trx, stamp(input.userId, null, input.now), 'auth.logout', ['session', input.sessionId])
  })
  await collab.accessChanged({ userId: input.userId })
}
