import { sql, type Kysely } from 'kysely'

/**
 * Co-edited documents: the document row, its Yjs update log, the compacted state, and named
 * versions. Frozen in time: imports nothing from the application.
 */
export async function up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  const blob = dialect === 'postgres' ? 'bytea' : 'blob'

  await db.schema
    .createTable('documents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('region_id', 'text', (c) => c.notNull().references('regions.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('owner_organisation_id', 'text', (c) => c.references('organisations.id'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft').check(sql`status in ('draft','locked')`))
    .addColumn('locked_at', 'text')
    // The last sequence number handed out in doc_updates; incrementing it takes the row lock that
    // makes commit order equal sequence order per document.
    .addColumn('last_seq', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('documents_region').on('documents').columns(['region_id', 'kind']).execute()

  await db.schema
    .createTable('doc_updates')
    .addColumn('doc_id', 'text', (c) => c.notNull().references('documents.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('update', blob, (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('doc_updates_pk', ['doc_id', 'seq'])
    .execute()

  await db.schema
    .createTable('doc_states')
    .addColumn('doc_id', 'text', (c) => c.primaryKey().references('documents.id').onDelete('cascade'))
    .addColumn('state', blob, (c) => c.notNull())
    .addColumn('upto_seq', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('doc_versions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('doc_id', 'text', (c) => c.notNull().references('documents.id').onDelete('cascade'))
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('state', blob, (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('doc_versions_doc').on('doc_versions').columns(['doc_id', 'created_at']).execute()
}
