import type { Kysely } from 'kysely'
import * as foundation from './2026-11-22T1500_foundation'
import * as documents from './2026-11-22T1700_documents'
import * as comments from './2026-11-22T1900_comments'

export type Dialect = 'sqlite' | 'postgres'
export interface FrozenMigration {
  up(db: Kysely<any>, dialect: Dialect): Promise<void>
}

/** Every migration in order. Names are ISO-dated so they sort by time. */
export const migrations: Record<string, FrozenMigration> = {
  '2026-11-22T1500_foundation': foundation,
  '2026-11-22T1700_documents': documents,
  '2026-11-22T1900_comments': comments,
}
