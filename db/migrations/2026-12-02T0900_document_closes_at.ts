import type { Kysely } from 'kysely'

/**
 * A document may close at a moment (a dialogue round's deadline): from then on it is read-only by
 * the server's clock. ISO-8601 text in UTC like every timestamp; null means no deadline.
 * Frozen in time: imports nothing from the application.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('documents').addColumn('closes_at', 'text').execute()
}
