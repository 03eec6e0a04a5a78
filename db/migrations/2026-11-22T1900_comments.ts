import type { Kysely } from 'kysely'
import { sql } from 'kysely'

/**
 * Comments on text ranges of a document, their replies and dispositions ("you said, we did"),
 * in-app notifications, the adoption of a version, and whether providers may draft the region's
 * principles. Frozen in time: imports nothing from the application.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('regions').addColumn('providers_may_draft', 'integer', (c) => c.notNull().defaultTo(0)).execute()

  const moderation = sql`moderation in ('visible','pending','hidden')`
  await db.schema
    .createTable('comments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('doc_id', 'text', (c) => c.notNull().references('documents.id').onDelete('cascade'))
    .addColumn('region_id', 'text', (c) => c.notNull().references('regions.id').onDelete('cascade'))
    .addColumn('author_id', 'text', (c) => c.notNull().references('users.id'))
    // Y.RelativePosition of the start and end, as base64 of Y.encodeRelativePosition
    .addColumn('anchor_start', 'text', (c) => c.notNull())
    .addColumn('anchor_end', 'text', (c) => c.notNull())
    .addColumn('quote', 'text', (c) => c.notNull())
    // the heading (principle) the words were under when the comment was made
    .addColumn('section', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('moderation', 'text', (c) => c.notNull().check(moderation))
    .addColumn('hidden_reason', 'text')
    .addColumn('moderated_by', 'text', (c) => c.references('users.id'))
    .addColumn('moderated_at', 'text')
    .addColumn('disposition', 'text', (c) =>
      c
        .notNull()
        .defaultTo('open')
        .check(sql`disposition in ('open','considering','adopted','partly_adopted','not_adopted','out_of_scope')`),
    )
    .addColumn('disposition_reason', 'text')
    .addColumn('disposition_version_id', 'text', (c) => c.references('doc_versions.id'))
    .addColumn('disposition_by', 'text', (c) => c.references('users.id'))
    .addColumn('disposition_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('comments_doc').on('comments').columns(['doc_id', 'created_at']).execute()
  await db.schema.createIndex('comments_author').on('comments').column('author_id').execute()

  await db.schema
    .createTable('comment_replies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('comment_id', 'text', (c) => c.notNull().references('comments.id').onDelete('cascade'))
    .addColumn('author_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('moderation', 'text', (c) => c.notNull().check(moderation))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('comment_replies_comment').on('comment_replies').columns(['comment_id', 'created_at']).execute()

  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('region_id', 'text', (c) => c.references('regions.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('read_at', 'text')
    .execute()
  await db.schema.createIndex('notifications_user').on('notifications').columns(['user_id', 'created_at']).execute()

  await db.schema
    .createTable('adoptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('doc_id', 'text', (c) => c.notNull().references('documents.id').onDelete('cascade'))
    .addColumn('version_id', 'text', (c) => c.notNull().references('doc_versions.id'))
    .addColumn('adopted_on', 'text', (c) => c.notNull())
    .addColumn('reference', 'text', (c) => c.notNull())
    .addColumn('adopted_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('adoptions_doc').on('adoptions').columns(['doc_id', 'created_at']).execute()
}
