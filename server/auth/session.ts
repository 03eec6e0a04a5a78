import type { DB } from '../../db/connect'
import type { User } from '../../db/schema'
import { hexDigestsEqual, randomId, sha256Hex } from '../lib/ids'
import { DAY, HOUR, iso, type Clock } from '../lib/time'

/**
 * Sessions as in the Lucia guide: the token is `<id>.<secret>` with 160 random bits in each part;
 * only the SHA-256 of the secret is stored, compared in constant time. A session expires after
 * `idleDays` without use; use refreshes it at most once an hour.
 */
export const SESSION_COOKIE = 'samenspel_session'

export interface SessionInfo {
  id: string
  userId: string
  createdAt: string
  lastVerifiedAt: string
}

export interface ValidSession {
  session: SessionInfo
  user: Pick<User, 'id' | 'email' | 'name' | 'under_16'>
}

export async function createSession(
  db: DB,
  userId: string,
  opts: { now: Date; device: string },
): Promise<{ token: string; id: string }> {
  const id = randomId(20)
  const secret = randomId(20)
  await db
    .insertInto('sessions')
    .values({
      id,
      user_id: userId,
      secret_hash: sha256Hex(secret),
      created_at: iso(opts.now),
      last_verified_at: iso(opts.now),
      device: opts.device.slice(0, 80),
    })
    .execute()
  return { token: `${id}.${secret}`, id }
}

export async function validateSessionToken(
  db: DB,
  token: string,
  opts: { clock: Clock; idleDays: number },
): Promise<ValidSession | null> {
  const parts = token.split('.')
  if (parts.length !== 2 || !/^[a-z2-7]{32}$/.test(parts[0]!) || !/^[a-z2-7]{32}$/.test(parts[1]!)) {
    return null
  }
  const [id, secret] = parts as [string, string]
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.id',
      'sessions.user_id',
      'sessions.secret_hash',
      'sessions.created_at',
      'sessions.last_verified_at',
      'users.email',
      'users.name',
      'users.under_16',
    ])
    .where('sessions.id', '=', id)
    .executeTakeFirst()
  if (!row || !hexDigestsEqual(row.secret_hash, sha256Hex(secret))) return null

  const now = opts.clock()
  const idleFor = now.getTime() - Date.parse(row.last_verified_at)
  if (idleFor >= opts.idleDays * DAY) {
    await db.deleteFrom('sessions').where('id', '=', id).execute()
    return null
  }
  let lastVerifiedAt = row.last_verified_at
  if (idleFor >= HOUR) {
    lastVerifiedAt = iso(now)
    await db.updateTable('sessions').set({ last_verified_at: lastVerifiedAt }).where('id', '=', id).execute()
  }
  return {
    session: { id: row.id, userId: row.user_id, createdAt: row.created_at, lastVerifiedAt },
    user: { id: row.user_id, email: row.email, name: row.name, under_16: row.under_16 },
  }
}

export async function invalidateSession(db: DB, sessionId: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', sessionId).execute()
}

/** Revokes every session of a user, except `keep` when given (the one making the request). */
export async function invalidateUserSessions(db: DB, userId: string, keep?: string): Promise<number> {
  let q = db.deleteFrom('sessions').where('user_id', '=', userId)
  if (keep) q = q.where('id', '!=', keep)
  const res = await q.executeTakeFirst()
  return Number(res.numDeletedRows)
}

export async function listUserSessions(db: DB, userId: string) {
  return db
    .selectFrom('sessions')
    .select(['id', 'created_at', 'last_verified_at', 'device'])
    .where('user_id', '=', userId)
    .orderBy('last_verified_at', 'desc')
    .execute()
}

/** "Chrome op Linux": enough to recognise a session, too coarse to fingerprint anyone. */
export function deviceLabel(userAgent: string | null | undefined): string {
  const ua = userAgent ?? ''
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /Firefox\//.test(ua)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(ua)
        ? 'Chrome'
        : /Safari\//.test(ua)
          ? 'Safari'
          : 'Browser'
  const os = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad/.test(ua)
      ? 'iOS'
      : /Windows/.test(ua)
        ? 'Windows'
        : /Mac OS X/.test(ua)
          ? 'macOS'
          : /Linux/.test(ua)
            ? 'Linux'
            : ''
  return os ? `${browser} · ${os}` : browser
}
