import type { DB } from '../../../db/connect'
import { randomId } from '../../lib/ids'
import { iso } from '../../lib/time'

/**
 * In-app notifications: a row per person and event, read or not. The commands write them in the
 * transaction of their change; queries.ts reads them, markRead (commands.ts) marks them read.
 */
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
