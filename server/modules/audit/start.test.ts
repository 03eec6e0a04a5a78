import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { connect, migrateToLatest, type Connection } from '../../../db/connect'
import { ConfigError, readConfig } from '../../env'
import { createLogger } from '../../lib/log'
import { auditEntries, T0, writeAudit } from '../../../tests/support/db'
import { GENESIS_HASH, SEAL_ACTION, unkeyedHash, verifyAuditChain } from './audit'
import { migrations } from '../../../db/migrations/index'
import { Migrator, type Migration } from 'kysely'
import { auditPaths, CHECKPOINT_EVERY, startAuditTrail } from './start'
import { loadOrCreateKeyFile, readCheckpoints } from './trail'

const logger = createLogger('silent')
let dir: string
const open: Connection[] = []
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samenspel-audit-start-'))
})
afterEach(async () => {
  for (const c of open.splice(0)) await c.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

async function boot(env: Record<string, string> = {}, clock = () => T0) {
  const config = readConfig({ NODE_ENV: 'test', DATABASE_URL: `sqlite:${path.join(dir, 'samenspel.db')}`, ...env })
  const conn = await connect(config.databaseUrl)
  open.push(conn)
  await migrateToLatest(conn)
  const running = await startAuditTrail(conn, config, { clock, logger })
  return { conn, running, config }
}

describe('the audit key', () => {
  it('is created beside the SQLite file on first start, readable by the owner only, and kept afterwards', async () => {
    const first = await boot()
    const file = path.join(dir, 'audit.key')
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    expect(fs.readFileSync(file, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/)
    await writeAudit(first.conn.db, { action: 'test.one', subjectType: 't' })
    first.running.stop()
    await first.conn.close()
    open.length = 0

    const second = await boot()
    expect(second.running.trail.key.equals(first.running.trail.key)).toBe(true)
    expect(await verifyAuditChain(second.conn.db)).toMatchObject({ ok: true, checked: 1 })
    second.running.stop()
  })

  it('is never stored in the database', async () => {
    const { conn, running } = await boot()
    await writeAudit(conn.db, { action: 'test.one', subjectType: 't', data: { x: 1 } })
    running.stop()
    await conn.close()
    open.length = 0
    const bytes = fs.readFileSync(path.join(dir, 'samenspel.db'))
    expect(bytes.includes(Buffer.from(running.trail.key.toString('hex')))).toBe(false)
    expect(bytes.includes(running.trail.key)).toBe(false)
  })

  it('comes from AUDIT_KEY when set, and then no key file is made', async () => {
    const hex = 'ab'.repeat(32)
    const { running } = await boot({ AUDIT_KEY: hex })
    expect(running.trail.key.toString('hex')).toBe(hex)
    expect(fs.existsSync(path.join(dir, 'audit.key'))).toBe(false)
    running.stop()
  })

  it('a short or malformed AUDIT_KEY stops the start with a message naming it', () => {
    expect(() => readConfig({ AUDIT_KEY: 'abcd' })).toThrow(/AUDIT_KEY: must be at least 32 bytes/)
  })

  it('PostgreSQL in production needs AUDIT_KEY or AUDIT_KEY_FILE (instances must share one key)', () => {
    const pg = { NODE_ENV: 'production', DATABASE_URL: 'postgres://samenspel@db:5432/samenspel' }
    expect(() => readConfig(pg)).toThrow(ConfigError)
    expect(() => readConfig(pg)).toThrow(/AUDIT_KEY/)
    expect(readConfig({ ...pg, AUDIT_KEY_FILE: '/run/secrets/audit-key' }).audit.keyFile).toBe('/run/secrets/audit-key')
    expect(readConfig({ NODE_ENV: 'production' }).audit).toEqual({ key: null, keyFile: null, checkpointFile: null })
  })

  it('a missing key file that may not be created stops the start and is not invented', () => {
    const file = path.join(dir, 'missing.key')
    expect(() => loadOrCreateKeyFile(file, false)).toThrow(/does not exist: restore it from the backup/)
    expect(fs.existsSync(file)).toBe(false)
  })
})

describe('where the key and checkpoints live', () => {
  it('beside the SQLite file; for PostgreSQL in ./data, the checkpoints named after the database', () => {
    expect(auditPaths(readConfig({ DATABASE_URL: 'sqlite:/srv/samenspel/db.sqlite' }))).toEqual({
      dir: '/srv/samenspel',
      keyFile: '/srv/samenspel/audit.key',
      checkpointFile: '/srv/samenspel/audit-checkpoints.log',
    })
    const pg = auditPaths(readConfig({ DATABASE_URL: 'postgres://u:secret@db:5432/samenspel?schema=t_1' }))
    expect(pg.keyFile).toBe(path.resolve('data/audit.key'))
    expect(pg.checkpointFile).toBe(path.resolve('data/audit-checkpoints-db-5432-samenspel-t_1.log'))
    expect(pg.checkpointFile).not.toContain('secret')
    expect(auditPaths(readConfig({ DATABASE_URL: 'sqlite::memory:' }))).toEqual({ dir: null, keyFile: null, checkpointFile: null })
  })
})

describe('upgrading a database from before the keyed chain', () => {
  it('seals its unkeyed rows once, at the first start, and keeps verifying across restarts', async () => {
    // The database as the previous release left it: the older migrations (recorded as done) and unkeyed rows.
    const old = await connect(`sqlite:${path.join(dir, 'samenspel.db')}`)
    const before = Object.fromEntries(
      Object.entries(migrations)
        .filter(([name]) => name < '2026-12-02T0920_audit_keyed')
        .map(([name, m]): [string, Migration] => [name, { up: (db) => m.up(db, 'sqlite') }]),
    )
    const { error } = await new Migrator({ db: old.db, provider: { getMigrations: async () => before } }).migrateToLatest()
    expect(error).toBeUndefined()
    let prev = GENESIS_HASH
    for (let i = 0; i < 3; i++) {
      const e = { at: new Date(T0.getTime() + i).toISOString(), region_id: null, actor_id: null, action: 'old.thing', subject_type: 't', subject_id: null, data: '{}' }
      const hash = unkeyedHash(prev, e)
      await old.db.insertInto('audit_log' as never).values({ ...e, prev_hash: prev, hash } as never).execute()
      prev = hash
    }
    await old.close()

    const first = await boot()
    const rows = await auditEntries(first.conn.db)
    expect(rows.map((r) => [r.chain_version, r.action])).toEqual([[1, 'old.thing'], [1, 'old.thing'], [1, 'old.thing'], [2, SEAL_ACTION]])
    expect(readCheckpoints(first.running.trail.checkpointFile).map((c) => [c.seq, c.reason])).toEqual([[4, 'seal']])
    expect(await verifyAuditChain(first.conn.db)).toMatchObject({ ok: true, checked: 4, checkpoints: { compared: 1, matched: 1 } })
    first.running.stop()
    await first.conn.close()
    open.length = 0

    const second = await boot()
    expect(await auditEntries(second.conn.db)).toHaveLength(4)
    expect(await verifyAuditChain(second.conn.db)).toMatchObject({ ok: true, checked: 4 })
    second.running.stop()
  })
})

describe('checkpoints at start and over time', () => {
  it('writes the head at start, and then after CHECKPOINT_EVERY new entries', async () => {
    const { conn, running } = await boot()
    const file = path.join(dir, 'audit-checkpoints.log')
    await writeAudit(conn.db, { action: 'test.one', subjectType: 't' })
    await running.tick() // too early: the newest checkpoint is none, so the first is written
    expect(readCheckpoints(file).map((c) => [c.seq, c.reason])).toEqual([[1, 'interval']])
    for (let i = 0; i < CHECKPOINT_EVERY - 1; i++) await writeAudit(conn.db, { action: 'test.more', subjectType: 't' })
    await running.tick()
    expect(readCheckpoints(file)).toHaveLength(1)
    await writeAudit(conn.db, { action: 'test.more', subjectType: 't' })
    await running.tick()
    expect(readCheckpoints(file).map((c) => c.seq)).toEqual([1, CHECKPOINT_EVERY + 1])
    running.stop()
  })

  it('writes a checkpoint after a day even for one new entry', async () => {
    let now = T0
    const { conn, running } = await boot({}, () => now)
    await writeAudit(conn.db, { action: 'test.one', subjectType: 't' })
    await running.tick()
    await writeAudit(conn.db, { action: 'test.two', subjectType: 't' })
    await running.tick()
    expect(readCheckpoints(running.trail.checkpointFile)).toHaveLength(1)
    now = new Date(T0.getTime() + 24 * 3600_000)
    await running.tick()
    expect(readCheckpoints(running.trail.checkpointFile).map((c) => c.seq)).toEqual([1, 2])
    running.stop()
  })

  it('moves the checkpoints of a replaced (brand-new) database aside instead of failing on them', async () => {
    const file = path.join(dir, 'audit-checkpoints.log')
    fs.writeFileSync(file, JSON.stringify({ seq: 230, hash: 'a'.repeat(64), at: T0.toISOString(), reason: 'verify' }) + '\n')
    const { conn, running } = await boot()
    expect(fs.existsSync(file)).toBe(false)
    expect(fs.readdirSync(dir).some((f) => f.startsWith('audit-checkpoints.log.') && f.endsWith('.old'))).toBe(true)
    expect(await auditEntries(conn.db)).toHaveLength(0)
    running.stop()
  })
})
