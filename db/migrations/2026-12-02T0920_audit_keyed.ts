import type { Kysely } from 'kysely'
import { sql } from 'kysely'

/**
 * The audit chain becomes keyed (HMAC-SHA-256 with a key kept outside the database), and the
 * database refuses any insert that reuses a sequence number or a hash.
 *
 * - `chain_version`: 1 for the rows written before this migration (plain SHA-256, kept as they
 *   are: their hashes cannot be recomputed with a key, and rewriting them would defeat the log);
 *   2 for keyed rows. The server seals the unkeyed rows at its next start with a keyed entry whose
 *   `prev_hash` is the last unkeyed hash, so the old part stays covered by the key from then on.
 * - `key_id`: a short fingerprint of the key a row was signed with (not the key), so that a
 *   verification can say "signed with another key" instead of just "changed".
 * - SQLite: `INSERT OR REPLACE` (and `REPLACE INTO`) resolve a conflict by deleting the old row,
 *   and that delete does not fire the delete trigger unless the connection turned on
 *   `recursive_triggers`, which a person with the file does not do. A BEFORE INSERT trigger runs
 *   before conflict resolution, so refusing there closes the gap whatever the connection's
 *   settings. In a BEFORE INSERT trigger an automatically assigned rowid reads as -1.
 * - PostgreSQL: the primary key refuses a reused seq and `ON CONFLICT DO UPDATE` runs the update
 *   trigger; the insert trigger also refuses a seq at or below the newest one (so nothing can be
 *   slipped into a gap left by a rolled-back transaction) and a reused hash.
 *
 * Frozen in time: imports nothing from the application.
 */
export async function up(db: Kysely<any>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  await db.schema
    .alterTable('audit_log')
    .addColumn('chain_version', 'integer', (c) => c.notNull().defaultTo(1))
    .execute()
  await db.schema.alterTable('audit_log').addColumn('key_id', 'text').execute()

  if (dialect === 'postgres') {
    await sql`create function audit_log_refuse_reuse() returns trigger language plpgsql as $$
      begin
        if exists (select 1 from audit_log where seq >= new.seq)
          or exists (select 1 from audit_log where hash = new.hash) then
          raise exception 'audit_log is append-only: seq or hash already used';
        end if;
        return new;
      end $$`.execute(db)
    await sql`create trigger audit_log_no_reuse before insert on audit_log
      for each row execute function audit_log_refuse_reuse()`.execute(db)
  } else {
    await sql`create trigger audit_log_no_reuse before insert on audit_log
      when (new.seq <> -1 and new.seq <= (select coalesce(max(seq), 0) from audit_log))
        or exists (select 1 from audit_log where hash = new.hash)
      begin select raise(abort, 'audit_log is append-only: seq or hash already used'); end`.execute(db)
  }
}
