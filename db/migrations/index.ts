import type { Kysely } from 'kysely'
import * as foundation from './2026-11-22T1500_foundation'
import * as documents from './2026-11-22T1700_documents'
import * as comments from './2026-11-22T1900_comments'
import * as documentClosesAt from './2026-12-02T0900_document_closes_at'
import * as auditKeyed from './2026-12-02T0920_audit_keyed'
import * as minorNames from './2026-12-02T0930_minor_names'
import * as panelCodeRevoked from './2026-12-02T1300_panel_code_revoked'

export type Dialect = 'sqlite' | 'postgres'
export interface FrozenMigration {
  up(db: Kysely<any>, dialect: Dialect): Promise<void>
}

/** Every migration in order. Names are ISO-dated so they sort by time. */
export const migrations: Record<string, FrozenMigration> = {
  '2026-11-22T1500_foundation': foundation,
  '2026-11-22T1700_documents': documents,
  '2026-11-22T1900_comments': comments,
  '2026-12-02T0900_document_closes_at': documentClosesAt,
  '2026-12-02T0920_audit_keyed': auditKeyed,
  '2026-12-02T0930_minor_names': minorNames,
  '2026-12-02T1300_panel_code_revoked': panelCodeRevoked,
}
