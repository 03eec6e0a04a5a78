import type { DB } from '../../../db/connect'
import { randomId } from '../../lib/ids'
import { iso } from '../../lib/time'

/** In-app notifications: a row per person and event, read or not. */
export async function notify(
  db: DB,
  input: { userId: string; regionId: string | null; kind: string; subjectId: string | null; data: Record<string, unknown>; now: Date },
) {
  await db
    .insertInto('notifications')
    .values({
      id: randomId(),
      user_id: input.userId,
      region_id: input.regionId,
      kind: input.kind,
      subject_id: input.subjectId,
      data: JSON.stringify(input.data),
      created_at: iso(input.now),
      read_at: null,
    })
    .execute()
}

export function listNotifications(db: DB, userId: string, limit = 50) {
  return db
    .selectFrom('notifications')
    .select(['id', 'kind', 'subject_id', 'data', 'created_at', 'read_at', 'region_id'])
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute()
}

export async function unreadCount(db: DB, userId: string): Promise<number> {
  const row = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Marks the person's unread notifications read; with `upTo` only those created at or before it (the ones they saw). */
export async function markAllRead(db: DB, userId: string, now: Date, upTo?: string) {
  let q = db.updateTable('notifications').set({ read_at: iso(now) }).where('user_id', '=', userId).where('read_at', 'is', null)
  if (upTo) q = q.where('created_at', '<=', upTo)
  await q.execute()
}
