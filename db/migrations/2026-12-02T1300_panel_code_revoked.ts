import type { Kysely } from 'kysely'

/**
 * A coordinator may revoke a panel code that has not been used: when and by whom. A revoked code
 * no longer opens anything; the row stays, so the list of issued codes keeps telling what happened.
 * Frozen in time: imports nothing from the application.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('panel_access_codes').addColumn('revoked_at', 'text').execute()
  await db.schema.alterTable('panel_access_codes').addColumn('revoked_by', 'text').execute()
}
