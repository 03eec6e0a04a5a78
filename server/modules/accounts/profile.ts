import { inTransaction, type DB } from '../../../db/connect'
import { hashPassword, verifyPassword } from '../../auth/password'
import { createSession, invalidateUserSessions } from '../../auth/session'
import { recordAudit } from '../audit/audit'

export async function updateName(db: DB, userId: string, name: string) {
  await db.updateTable('users').set({ name }).where('id', '=', userId).execute()
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
