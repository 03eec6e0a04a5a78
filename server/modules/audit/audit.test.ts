import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Connection, DB } from '../../../db/connect'
import { auditEntries, freshDb, T0 } from '../../../tests/support/db'
import { GENESIS_HASH, recordAudit, verifyAuditChain } from './audit'

let conn: Connection
let db: DB
beforeEach(async () => {
  conn = await freshDb()
  db = conn.db
})
afterEach(() => conn.close())

async function recordSome(n: number) {
  for (let i = 0; i < n; i++) {
    await recordAudit(db, {
      action: 'test.happened',
      subjectType: 'thing',
      subjectId: `thing-${i}`,
      regionId: 'region-1',
      actorId: null,
      data: { n: i },
      at: new Date(T0.getTime() + i * 1000),
    })
  }
  return auditEntries(db)
}

/** Test-only: lifts the database's refusal so that tampering can be simulated. */
async function dropAppendOnlyTriggers() {
  await sql`drop trigger audit_log_no_update`.execute(db)
  await sql`drop trigger audit_log_no_delete`.execute(db)
}

describe('recordAudit', () => {
  it('stores what it was given', async () => {
    await recordAudit(db, {
      action: 'municipality.created',
      subjectType: 'municipality',
      subjectId: 'm1',
      regionId: 'r1',
      actorId: 'u1',
      data: { name: 'Haarlem' },
      at: T0,
    })
    const [entry] = await auditEntries(db)
    expect(entry).toMatchObject({
      action: 'municipality.created',
      subject_type: 'municipality',
      subject_id: 'm1',
      region_id: 'r1',
      actor_id: 'u1',
      at: T0.toISOString(),
    })
    expect(JSON.parse(entry!.data)).toEqual({ name: 'Haarlem' })
  })

  it('chains each entry to the one before it, starting from the genesis hash', async () => {
    const entries = await recordSome(4)
    expect(entries).toHaveLength(4)
    expect(entries[0]!.prev_hash).toBe(GENESIS_HASH)
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.prev_hash).toBe(entries[i - 1]!.hash)
    expect(new Set(entries.map((e) => e.hash)).size).toBe(4)
    for (const e of entries) expect(e.hash).toMatch(/^[0-9a-f]{64}$/)
  })

  it("is undone with the caller's transaction", async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await recordAudit(trx, { action: 'test.rolled_back', subjectType: 'thing' })
        throw new Error('the change failed')
      }),
    ).rejects.toThrow('the change failed')
    expect(await auditEntries(db)).toHaveLength(0)
    expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: 0 })
  })
})

describe('verifyAuditChain', () => {
  it('accepts an empty log', async () => {
    expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: 0 })
  })

  it('accepts an untouched chain and counts its entries', async () => {
    await recordSome(5)
    expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: 5 })
  })

  it('walks a chain longer than one page', async () => {
    await recordSome(1203)
    expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: 1203 })
  })
})

describe('the database keeps the log append-only', () => {
  it('refuses UPDATE', async () => {
    const [first] = await recordSome(2)
    await expect(
      db.updateTable('audit_log').set({ data: '{"n":99}' }).where('seq', '=', first!.seq).execute(),
    ).rejects.toThrow(/append-only/)
    expect((await auditEntries(db))[0]!.data).toBe(first!.data)
  })

  it('refuses DELETE', async () => {
    const [first] = await recordSome(2)
    await expect(db.deleteFrom('audit_log').where('seq', '=', first!.seq).execute()).rejects.toThrow(/append-only/)
    await expect(db.deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/)
    expect(await auditEntries(db)).toHaveLength(2)
  })
})

describe('tamper detection (triggers dropped in this test database only)', () => {
  it("reports the altered entry's seq when its data is changed", async () => {
    const entries = await recordSome(5)
    const victim = entries[2]!
    await dropAppendOnlyTriggers()
    await db.updateTable('audit_log').set({ data: '{"n":99}' }).where('seq', '=', victim.seq).execute()
    expect(await verifyAuditChain(db)).toEqual({ ok: false, checked: 2, brokenAtSeq: victim.seq })
  })

  it('notices an altered entry even when its own hash was recomputed carelessly', async () => {
    const entries = await recordSome(4)
    const victim = entries[1]!
    await dropAppendOnlyTriggers()
    // Whoever edits the row also replaces its hash; the next entry still points at the old one.
    await db
      .updateTable('audit_log')
      .set({ actor_id: 'someone-else', hash: 'f'.repeat(64) })
      .where('seq', '=', victim.seq)
      .execute()
    const result = await verifyAuditChain(db)
    expect(result.ok).toBe(false)
    expect(result.brokenAtSeq).toBe(victim.seq)
  })

  it('notices a rewritten link to the previous entry', async () => {
    const entries = await recordSome(4)
    const victim = entries[2]!
    await dropAppendOnlyTriggers()
    await db.updateTable('audit_log').set({ prev_hash: entries[0]!.hash }).where('seq', '=', victim.seq).execute()
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, brokenAtSeq: victim.seq })
  })

  it('reports the entry after a removed one', async () => {
    const entries = await recordSome(5)
    await dropAppendOnlyTriggers()
    await db.deleteFrom('audit_log').where('seq', '=', entries[3]!.seq).execute()
    const result = await verifyAuditChain(db)
    expect(result).toMatchObject({ ok: false, brokenAtSeq: entries[4]!.seq })
  })

  it('finds a change on a later page', async () => {
    const entries = await recordSome(1005)
    const victim = entries[1002]!
    await dropAppendOnlyTriggers()
    await db.updateTable('audit_log').set({ at: T0.toISOString() }).where('seq', '=', victim.seq).execute()
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, brokenAtSeq: victim.seq })
  })
})
