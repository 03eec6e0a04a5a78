import type { Kysely, SelectQueryBuilder } from 'kysely'
import type { DB } from '../../db/connect'
import type { Database } from '../../db/schema'

/** The tables whose rows belong to one region (they have an `id` and a `region_id`). */
export type RegionTable = { [T in keyof Database]: Database[T] extends { id: unknown; region_id: unknown } ? T : never }[keyof Database]

/**
 * One row of a region by its id, to select from: a row of another region is not found, whatever
 * id a form sends (one provider never reaches another region's data through an id).
 */
export function rowOfRegion<T extends RegionTable>(db: DB, table: T, regionId: string, id: string): SelectQueryBuilder<Database, T, object> {
  // kysely cannot type a where on "any of these tables"; RegionTable guarantees both columns exist.
  const loose = db as unknown as Kysely<{ scoped: { id: string; region_id: string } }>
  return loose.selectFrom(table as 'scoped').where('id', '=', id).where('region_id', '=', regionId) as unknown as SelectQueryBuilder<Database, T, object>
}
