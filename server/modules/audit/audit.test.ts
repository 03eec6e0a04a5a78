import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { connect, type Connection, type DB } from '../../../db/connect'
import { migrations } from '../../../db/migrations/index'
import { auditEntries, freshDb, T0, writeAudit } from '../../../tests/support/db'
import {
  CHAIN_KEYED,
  CHAIN_UNKEYED,
  GENESIS_HASH,
  keyedHash,
  recordAudit,
  sealUnkeyedChain,
  SEAL_ACTION,
  unkeyedHash,
  verifyAuditChain,
  writeCheckpoint,
} from './audit'
import { verifyAuditForRegion } from './queries'
import { bindAuditTrail, makeTrail, readCheckpoints, type AuditTrail } from './trail'

let conn: Connection
let db: DB
let dir: string
let trail: AuditTrail
beforeEach(async () => {
  conn = await freshDb()
  db = conn.db
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samenspel-audit-unit-'))
  trail = makeTrail(randomBytes(32), path.join(dir, 'audit-checkpoints.log'), () => T0)
  bindAuditTrail(db, trail)
})
afterEach(async () => {
  await conn.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

async function recordSome(n: number, regionOf: (i: number) => string = () => 'region-1') {
  for (let i = 0; i < n; i++) {
    await writeAudit(db, {
      action: 'test.happened',
      subjectType: 'thing',
      subjectId: `thing-${i}`,
      regionId: regionOf(i),
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
  await sql`drop trigger audit_log_no_reuse`.execute(db)
}

const checks = (v: { problems: Array<{ seq: number; check: string }> }) => v.problems.map((p) => [p.seq, p.check])

describe('recordAudit', () => {
  it('stores what it was given', async () => {
    await writeAudit(db, {
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
      chain_version: CHAIN_KEYED,
      key_id: trail.keyId,
    })
    expect(JSON.parse(entry!.data)).toEqual({ name: 'Haarlem' })
  })

  it('chains each entry to the one before it with an HMAC of the key, starting from the genesis hash', async () => {
    const entries = await recordSome(4)
    expect(entries).toHaveLength(4)
    expect(entries[0]!.prev_hash).toBe(GENESIS_HASH)
    for (let i = 1; i < entries.length; i++) expect(entries[i]!.prev_hash).toBe(entries[i - 1]!.hash)
    expect(new Set(entries.map((e) => e.hash)).size).toBe(4)
    for (const e of entries) {
      expect(e.hash).toMatch(/^[0-9a-f]{64}$/)
      expect(e.hash).toBe(keyedHash(trail.key, e.prev_hash, e))
      // not the unkeyed formula: without the key nobody can compute it
      expect(e.hash).not.toBe(unkeyedHash(e.prev_hash, e))
    }
  })

  it("is undone with the caller's transaction", async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await recordAudit(trx, { action: 'test.rolled_back', subjectType: 'thing' })
        throw new Error('the change failed')
      }),
    ).rejects.toThrow('the change failed')
    expect(await auditEntries(db)).toHaveLength(0)
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, checked: 0 })
  })

  it('refuses to write outside a transaction: an entry must not outlive or precede its change', async () => {
    await expect(recordAudit(db as never, { action: 'test.loose', subjectType: 'thing' })).rejects.toThrow(/transaction/)
    expect(await auditEntries(db)).toHaveLength(0)
  })

  it('signs inside a transaction with the key bound to the connection it came from', async () => {
    await db.transaction().execute((trx) => recordAudit(trx, { action: 'test.in_trx', subjectType: 'thing' }))
    const [e] = await auditEntries(db)
    expect(e!.key_id).toBe(trail.keyId)
  })
})

describe('verifyAuditChain', () => {
  it('accepts an empty log', async () => {
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, checked: 0, problems: [] })
  })

  it('accepts an untouched chain and counts its entries', async () => {
    await recordSome(5)
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, checked: 5, problems: [] })
  })

  it('walks a chain longer than one page', async () => {
    await recordSome(1203)
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, checked: 1203 })
  })

  it('says "another key" when the server has a different key than the one that signed', async () => {
    await recordSome(3)
    bindAuditTrail(db, makeTrail(randomBytes(32), null))
    const v = await verifyAuditChain(db)
    expect(v.ok).toBe(false)
    expect(checks(v)).toEqual([
      [1, 'other-key'],
      [2, 'other-key'],
      [3, 'other-key'],
    ])
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

  it.each([
    ['INSERT OR REPLACE on a used seq', `insert or replace into audit_log (seq, at, action, subject_type, data, prev_hash, hash) values (1, 'x', 'forged', 't', '{}', 'p', 'h-new')`],
    ['REPLACE INTO on a used hash', `replace into audit_log (at, action, subject_type, data, prev_hash, hash) values ('x', 'forged', 't', '{}', 'p', '${'HASH1'}')`],
    ['INSERT into a used seq', `insert into audit_log (seq, at, action, subject_type, data, prev_hash, hash) values (2, 'x', 'forged', 't', '{}', 'p', 'h-new')`],
    ['INSERT OR IGNORE below the newest seq', `insert or ignore into audit_log (seq, at, action, subject_type, data, prev_hash, hash) values (1, 'x', 'forged', 't', '{}', 'p', 'h-new')`],
    ['UPSERT that updates', `insert into audit_log (seq, at, action, subject_type, data, prev_hash, hash) values (1, 'x', 'forged', 't', '{}', 'p', 'h-new') on conflict(seq) do update set action = 'forged'`],
  ])('refuses %s (SQLite)', async (_name, statement) => {
    const before = await recordSome(2)
    await expect(sql.raw(statement.replace('HASH1', before[0]!.hash)).execute(db)).rejects.toThrow(/append-only/)
    expect(await auditEntries(db)).toEqual(before)
  })

  it('still accepts a normal append after refusing a replace', async () => {
    await recordSome(2)
    await expect(
      sql.raw(`insert or replace into audit_log (seq, at, action, subject_type, data, prev_hash, hash) values (1, 'x', 'f', 't', '{}', 'p', 'h')`).execute(db),
    ).rejects.toThrow()
    await recordSome(1)
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, checked: 3 })
  })
})

describe('tamper detection (triggers dropped in this test database only)', () => {
  it("reports the altered entry's seq and the hash check when its data is changed", async () => {
    const entries = await recordSome(5)
    const victim = entries[2]!
    await dropAppendOnlyTriggers()
    await db.updateTable('audit_log').set({ data: '{"n":99}' }).where('seq', '=', victim.seq).execute()
    const v = await verifyAuditChain(db)
    expect(v).toMatchObject({ ok: false, checked: 5, brokenAtSeq: victim.seq })
    expect(checks(v)).toEqual([[victim.seq, 'hash']])
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
    const v = await verifyAuditChain(db)
    expect(v.brokenAtSeq).toBe(victim.seq)
    expect(checks(v)).toEqual([
      [victim.seq, 'hash'],
      [victim.seq + 1, 'link'],
    ])
  })

  it('names a rewrite of the whole chain without the key (plain SHA-256 recomputed): key check', async () => {
    const entries = await recordSome(4)
    await dropAppendOnlyTriggers()
    let prev = GENESIS_HASH
    for (const e of entries) {
      const forged = { ...e, actor_id: e.seq === 2 ? 'the-alderman' : e.actor_id }
      const hash = unkeyedHash(prev, forged)
      await db.updateTable('audit_log').set({ actor_id: forged.actor_id, prev_hash: prev, hash }).where('seq', '=', e.seq).execute()
      prev = hash
    }
    const v = await verifyAuditChain(db)
    expect(v.ok).toBe(false)
    expect(checks(v)).toEqual(entries.map((e) => [e.seq, 'unkeyed']))
  })

  it('names a downgrade (rows marked unkeyed after the chain was keyed)', async () => {
    const entries = await recordSome(3)
    await dropAppendOnlyTriggers()
    let prev = GENESIS_HASH
    for (const e of entries) {
      const hash = unkeyedHash(prev, e)
      await db.updateTable('audit_log').set({ chain_version: CHAIN_UNKEYED, key_id: null, prev_hash: prev, hash }).where('seq', '=', e.seq).execute()
      prev = hash
    }
    // The whole chain is now unkeyed: it was never sealed, and a server does not seal once it has checkpoints.
    expect(checks(await verifyAuditChain(db))).toEqual([[3, 'unsealed']])
  })

  it('notices a rewritten link to the previous entry', async () => {
    const entries = await recordSome(4)
    const victim = entries[2]!
    await dropAppendOnlyTriggers()
    await db.updateTable('audit_log').set({ prev_hash: entries[0]!.hash }).where('seq', '=', victim.seq).execute()
    const v = await verifyAuditChain(db)
    expect(v).toMatchObject({ ok: false, brokenAtSeq: victim.seq })
    expect(checks(v)).toEqual([
      [victim.seq, 'link'],
      [victim.seq, 'hash'],
    ])
  })

  it('reports the entry after a removed one', async () => {
    const entries = await recordSome(5)
    await dropAppendOnlyTriggers()
    await db.deleteFrom('audit_log').where('seq', '=', entries[3]!.seq).execute()
    const result = await verifyAuditChain(db)
    expect(result).toMatchObject({ ok: false, brokenAtSeq: entries[4]!.seq })
    expect(checks(result)).toEqual([[entries[4]!.seq, 'link']])
  })

  it('finds a change on a later page', async () => {
    const entries = await recordSome(1005)
    const victim = entries[1002]!
    await dropAppendOnlyTriggers()
    await db.updateTable('audit_log').set({ at: T0.toISOString() }).where('seq', '=', victim.seq).execute()
    expect(await verifyAuditChain(db)).toMatchObject({ ok: false, brokenAtSeq: victim.seq })
  })
})

describe('checkpoints', () => {
  it('writes the head once per new head, as one JSON line each', async () => {
    await recordSome(3)
    expect(await writeCheckpoint(db, 'verify')).toMatchObject({ seq: 3, reason: 'verify' })
    expect(await writeCheckpoint(db, 'verify')).toMatchObject({ seq: 3 })
    await recordSome(1)
    await writeCheckpoint(db, 'interval')
    const lines = fs.readFileSync(trail.checkpointFile!, 'utf8').trim().split('\n')
    expect(lines.map((l) => JSON.parse(l).seq)).toEqual([3, 4])
  })

  it('catches a rewrite by someone who has the key but not the old checkpoints', async () => {
    const entries = await recordSome(5)
    await writeCheckpoint(db, 'verify')
    await dropAppendOnlyTriggers()
    // Re-attribute entry 2 and recompute every HMAC from there with the real key.
    let prev = entries[0]!.hash
    for (const e of entries.slice(1)) {
      const forged = { ...e, actor_id: e.seq === 2 ? 'the-alderman' : e.actor_id }
      const hash = keyedHash(trail.key, prev, forged)
      await db.updateTable('audit_log').set({ actor_id: forged.actor_id, prev_hash: prev, hash }).where('seq', '=', e.seq).execute()
      prev = hash
    }
    const v = await verifyAuditChain(db)
    expect(checks(v)).toEqual([[5, 'checkpoint-mismatch']])
    expect(v.checkpoints).toEqual({ compared: 1, matched: 0 })
  })

  it('catches a cut-off tail: the entry of a checkpoint is gone', async () => {
    await recordSome(4)
    await writeCheckpoint(db, 'verify')
    await dropAppendOnlyTriggers()
    await db.deleteFrom('audit_log').where('seq', '>=', 3).execute()
    expect(checks(await verifyAuditChain(db))).toEqual([[4, 'checkpoint-missing']])
  })

  it('skips a torn last line', async () => {
    await recordSome(2)
    await writeCheckpoint(db, 'start')
    fs.appendFileSync(trail.checkpointFile!, '{"seq":2,"ha')
    expect(readCheckpoints(trail.checkpointFile)).toHaveLength(1)
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, checkpoints: { compared: 1, matched: 1 } })
  })
})

describe('verification per region', () => {
  it("details the region's own entries and only the number of anyone else's", async () => {
    const entries = await recordSome(6, (i) => (i % 2 === 0 ? 'region-a' : 'region-b'))
    await dropAppendOnlyTriggers()
    await db.updateTable('audit_log').set({ data: '{"n":"x"}' }).where('seq', 'in', [entries[1]!.seq, entries[2]!.seq]).execute()
    const a = await verifyAuditForRegion(db, 'region-a')
    expect(a).toMatchObject({ ok: false, checked: 6, regionChecked: 3, brokenAtSeq: 2, checkpoint: null })
    expect(a.problems).toEqual([
      { seq: 2, check: 'hash', own: false },
      { seq: 3, check: 'hash', own: true, at: entries[2]!.at, action: 'test.happened' },
    ])
    // nothing is checkpointed while the chain is broken
    expect(readCheckpoints(trail.checkpointFile)).toHaveLength(0)
  })

  it('checkpoints the head of an intact chain', async () => {
    await recordSome(2)
    const v = await verifyAuditForRegion(db, 'region-1')
    expect(v).toMatchObject({ ok: true, regionChecked: 2, checkpoint: { seq: 2, reason: 'verify' } })
  })
})

describe('a database from before the keyed chain', () => {
  let old: Connection
  afterEach(() => old?.close())

  /** The schema as it was before 2026-12-02T0920_audit_keyed, with rows written the old way. */
  async function legacyDatabase(n: number) {
    old = await connect('sqlite::memory:')
    for (const [name, m] of Object.entries(migrations)) {
      if (name >= '2026-12-02T0920_audit_keyed') break
      await m.up(old.db, 'sqlite')
    }
    let prev = GENESIS_HASH
    for (let i = 0; i < n; i++) {
      const e = { at: new Date(T0.getTime() + i).toISOString(), region_id: 'r', actor_id: null, action: 'old.thing', subject_type: 't', subject_id: null, data: '{}' }
      const hash = unkeyedHash(prev, e)
      await old.db.insertInto('audit_log' as never).values({ ...e, prev_hash: prev, hash } as never).execute()
      prev = hash
    }
    await migrations['2026-12-02T0920_audit_keyed']!.up(old.db, 'sqlite')
    bindAuditTrail(old.db, trail)
    return old.db
  }

  it('keeps verifying: the old rows with the old hash, sealed by one keyed entry', async () => {
    const odb = await legacyDatabase(3)
    expect((await auditEntries(odb)).map((e) => e.chain_version)).toEqual([1, 1, 1])
    expect(checks(await verifyAuditChain(odb))).toEqual([[3, 'unsealed']])
    expect(await sealUnkeyedChain(odb, T0)).toEqual({ sealed: true, unkeyed: 3 })
    expect(await sealUnkeyedChain(odb, T0)).toEqual({ sealed: false, unkeyed: 0 })
    await writeAudit(odb, { action: 'new.thing', subjectType: 't' })
    const rows = await auditEntries(odb)
    expect(rows.map((e) => [e.chain_version, e.action])).toEqual([
      [1, 'old.thing'],
      [1, 'old.thing'],
      [1, 'old.thing'],
      [2, SEAL_ACTION],
      [2, 'new.thing'],
    ])
    expect(await verifyAuditChain(odb)).toMatchObject({ ok: true, checked: 5 })
  })

  it('an old row rewritten after the seal is caught by the seal', async () => {
    const odb = await legacyDatabase(3)
    await sealUnkeyedChain(odb, T0)
    await sql`drop trigger audit_log_no_update`.execute(odb)
    // Rewrite old row 2 and recompute the unkeyed hashes of rows 2 and 3 consistently.
    const rows = await auditEntries(odb)
    const forged2 = { ...rows[1]!, action: 'forged' }
    const h2 = unkeyedHash(rows[0]!.hash, forged2)
    const h3 = unkeyedHash(h2, rows[2]!)
    await odb.updateTable('audit_log').set({ action: 'forged', hash: h2 }).where('seq', '=', 2).execute()
    await odb.updateTable('audit_log').set({ prev_hash: h2, hash: h3 }).where('seq', '=', 3).execute()
    // The old part is consistent in itself, but the seal's HMAC covers the old last hash.
    expect(checks(await verifyAuditChain(odb))).toEqual([[4, 'link']])
  })

  it('refuses INSERT OR REPLACE on old rows too', async () => {
    const odb = await legacyDatabase(2)
    await expect(
      sql.raw(`insert or replace into audit_log (seq, at, action, subject_type, data, prev_hash, hash) values (1, 'x', 'f', 't', '{}', 'p', 'h')`).execute(odb),
    ).rejects.toThrow(/append-only/)
  })
})
