import { inTransaction, type DB } from '../../../db/connect'
import { audit, stamp } from './audit'
import type { LogFilter } from './schemas'

/**
 * Writes of the audit module besides the chain itself: a download of the logbook is accounted for
 * like any other look at personal data in bulk: who downloaded which filter, in the region's log.
 * The route has checked `auditLog read` (the same as the page).
 */
export async function recordExport(db: DB, input: { actorId: string; regionId: string; filter: LogFilter; now: Date }): Promise<void> {
  await inTransaction(db, (trx) =>
    audit(trx, stamp(input.actorId, input.regionId, input.now), 'audit.exported', ['region', input.regionId], { filter: { ...input.filter } }),
  )
}
