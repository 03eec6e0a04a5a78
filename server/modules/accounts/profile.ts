import { inTransaction, type DB } from '../../../db/connect'
import { hashPassword, verifyPassword } from '../../auth/password'
import { createSession, invalidateUserSessions } from '../../auth/session'
import { recordAudit } from '../audit/audit'
import { checkDisplayName, suggestNames, type RandomInt } from './names'

export type NameChange = { ok: true } | { ok: false; reason: 'not_safe' | 'taken' | 'not_found' }

/**
 * Changes a display name. Members under 16 may only take a safe name that nobody else uses
 * (ADR 0012): never free text, so nothing unmoderated appears beside their approved comments.
 */
export async function updateName(db: DB, userId: string, name: string): Promise<NameChange> {
  const user = await db.selectFrom('users').select(['under_16', 'name']).where('id', '=', userId).executeTakeFirst()
  if (!user) return { ok: false, reason: 'not_found' }
  const check = checkDisplayName({ under16: Boolean(user.under_16), name })
  if (!check.ok) return check
  if (user.under_16 && check.name !== user.name && (await nameInUse(db, check.name, userId))) return { ok: false, reason: 'taken' }
  await db.updateTable('users').set({ name: check.name }).where('id', '=', userId).execute()
  return { ok: true }
}

/** True when someone other than `exceptUserId` has this display name. */
export async function nameInUse(db: DB, name: string, exceptUserId?: string): Promise<boolean> {
  let q = db.selectFrom('users').select('id').where('name', '=', name)
  if (exceptUserId) q = q.where('id', '!=', exceptUserId)
  return Boolean(await q.executeTakeFirst())
}

/** A few safe names nobody uses yet, for a member under 16 to choose from. */
export async function offerSafeNames(db: DB, count = 4, random?: RandomInt): Promise<string[]> {
  const candidates = suggestNames(count * 3, { random })
  const used = new Set((await db.selectFrom('users').select('name').where('name', 'in', candidates).execute()).map((u) => u.name))
  return candidates.filter((n) => !used.has(n)).slice(0, count)
}

export type PasswordChange = { ok: true; token: string } | { ok: false; reason: 'wrong_password' | 'no_password' }

/**
 * Changes the password after checking the current one, then ends every session of the user,
 * including the current one, and starts a fresh session for this browser: whoever held an old
 * session (a stolen one, say) is out.
 */
export async function changePassword(
  db: DB,
  input: { userId: string; current: string; next: string; device: string; now: Date },
): Promise<PasswordChange> {
  const user = await db.selectFrom('users').select(['password_hash']).where('id', '=', input.userId).executeTakeFirst()
  if (!user?.password_hash) return { ok: false, reason: 'no_password' }
  if (!(await verifyPassword(user.password_hash, input.current))) return { ok: false, reason: 'wrong_password' }
  const hash = await hashPassword(input.next)
  return inTransaction(db, async (trx) => {
    await trx.updateTable('users').set({ password_hash: hash }).where('id', '=', input.userId).execute()
    const revoked = await invalidateUserSessions(trx, input.userId)
    const { token } = await createSession(trx, input.userId, { now: input.now, device: input.device })
    await recordAudit(trx, {
      action: 'auth.password_changed',
      subjectType: 'user',
      subjectId: input.userId,
      actorId: input.userId,
      data: { sessionsRevoked: revoked },
      at: input.now,
    })
    return { ok: true as const, token }
  })
}

export async function logoutElsewhere(db: DB, input: { userId: string; keepSessionId: string; now: Date }) {
  return inTransaction(db, async (trx) => {
    const revoked = await invalidateUserSessions(trx, input.userId, input.keepSessionId)
    await recordAudit(trx, {
      action: 'auth.sessions_revoked',
      subjectType: 'user',
      subjectId: input.userId,
      actorId: input.userId,
      data: { sessionsRevoked: revoked },
      at: input.now,
    })
    return revoked
  })
}
