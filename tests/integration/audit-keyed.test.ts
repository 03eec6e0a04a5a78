import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { Migrator, sql, type Migration } from 'kysely'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { formatDateTime } from '../../app/i18n/messages'
import { connect, migrateToLatest } from '../../db/connect'
import type { AuditEntry } from '../../db/schema'
import { migrations } from '../../db/migrations/index'
import { readConfig } from '../../server/env'
import { randomId } from '../../server/lib/ids'
import { createLogger } from '../../server/lib/log'
import { keyedHash, unkeyedHash, verifyAuditChain } from '../../server/modules/audit/audit'
import { auditPaths, startAuditTrail } from '../../server/modules/audit/start'
import { readCheckpoints } from '../../server/modules/audit/trail'
import { client, loginAs, startTestServer, testDialects, type Dialect, type TestServer } from '../support/server'

/**
 * The audit trail against someone with access to the database (issue 7, section 5): statements
 * that would rewrite history are refused by the database itself, and a rewrite done anyway (by
 * hand, on the SQLite file or in PostgreSQL, with the append-only triggers dropped) is found by
 * "Keten controleren" on the logbook page, which says where and which check failed.
 */
const IJMOND = 'ijmond-zuid-kennemerland'
const LIMBURG = 'midden-limburg'
const ADMIN = 'regiocoordinator@samenspel.example' // region admin of both
const ALDERMAN = 'wethouder@samenspel.example'

/** A row of audit_log as the database returns it. */
type Row = AuditEntry

/** Plain database access, as an operator with the file or a PostgreSQL login has it: no app code. */
interface Raw {
  exec(statement: string, params?: unknown[]): Promise<void>
  rows(): Promise<Row[]>
  close(): Promise<void>
}

async function rawAccess(server: TestServer): Promise<Raw> {
  if (server.dialect === 'sqlite') {
    const file = server.databaseUrl.slice('sqlite:'.length)
    const db = new Database(file)
    return {
      async exec(statement, params = []) {
        db.prepare(statement).run(...params)
      },
      async rows() {
        return db.prepare('select * from audit_log order by seq').all() as Row[]
      },
      async close() {
        db.close()
      },
    }
  }
  const url = new URL(server.databaseUrl)
  const schema = url.searchParams.get('schema')!
  url.searchParams.delete('schema')
  const c = new pg.Client({ connectionString: url.toString(), options: `-c search_path="${schema}"` })
  await c.connect()
  const positional = (s: string) => {
    let i = 0
    return s.replace(/\?/g, () => `$${++i}`)
  }
  return {
    async exec(statement, params = []) {
      await c.query(positional(statement), params)
    },
    async rows() {
      return (await c.query('select * from audit_log order by seq')).rows as Row[]
    },
    async close() {
      await c.end()
    },
  }
}

function dropTriggers(dialect: Dialect): string[] {
  return dialect === 'sqlite'
    ? ['drop trigger audit_log_no_update', 'drop trigger audit_log_no_delete', 'drop trigger audit_log_no_reuse']
    : ['drop trigger audit_log_no_update_delete on audit_log', 'drop trigger audit_log_no_reuse on audit_log']
}

const COLUMNS = 'seq, at, region_id, actor_id, action, subject_type, subject_id, data, prev_hash, hash, chain_version, key_id'
const values = (r: Row) => [r.seq, r.at, r.region_id, r.actor_id, r.action, r.subject_type, r.subject_id, r.data, r.prev_hash, r.hash, r.chain_version, r.key_id]
const PLACEHOLDERS = COLUMNS.split(',').map(() => '?').join(', ')

async function regionId(server: TestServer, slug: string) {
  return (await server.context.db.selectFrom('regions').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id
}
async function userId(server: TestServer, email: string) {
  return (await server.context.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id
}

/** Presses "Keten controleren" as the admin and returns the page's text. */
async function verifyOnPage(server: TestServer, cookie: string, region: string): Promise<string> {
  const res = await client(server, cookie)(`/regio/${region}/logboek`, { form: {} })
  expect(res.status).toBe(200)
  return (await res.text()).replace(/<!-- -->/g, '')
}

const nl = (iso: string) => formatDateTime('nl', iso)

describe.each(testDialects())('the database refuses to rewrite the audit log on %s', (dialect) => {
  let server: TestServer
  let raw: Raw
  let before: Row[]
  beforeAll(async () => {
    server = await startTestServer({ dialect })
    raw = await rawAccess(server)
    before = await raw.rows()
  })
  afterAll(async () => {
    await raw?.close()
    await server?.close()
  })

  const forged = (seq: number, hash: string) => [seq, '2027-01-01T00:00:00.000Z', null, null, 'forged', 't', null, '{}', 'p', hash, 2, null]
  const statements: Record<Dialect, Array<[string, string, (b: Row[]) => unknown[]]>> = {
    sqlite: [
      ['INSERT OR REPLACE on a used seq', `insert or replace into audit_log (${COLUMNS}) values (${PLACEHOLDERS})`, (b) => forged(b[0]!.seq, 'x'.repeat(64))],
      ['REPLACE INTO on a used seq', `replace into audit_log (${COLUMNS}) values (${PLACEHOLDERS})`, (b) => forged(b[1]!.seq, 'y'.repeat(64))],
      ['REPLACE INTO on a used hash (new seq)', `replace into audit_log (${COLUMNS}) values (${PLACEHOLDERS})`, (b) => forged(b.at(-1)!.seq + 1, b[2]!.hash)],
      ['INSERT reusing a seq', `insert into audit_log (${COLUMNS}) values (${PLACEHOLDERS})`, (b) => forged(b[0]!.seq, 'z'.repeat(64))],
      ['INSERT below the newest seq', `insert or ignore into audit_log (${COLUMNS}) values (${PLACEHOLDERS})`, (b) => forged(b[0]!.seq, 'w'.repeat(64))],
      ['UPSERT … DO UPDATE', `insert into audit_log (${COLUMNS}) values (${PLACEHOLDERS}) on conflict(seq) do update set actor_id = 'someone'`, (b) => forged(b[0]!.seq, 'v'.repeat(64))],
      ['UPDATE', `update audit_log set actor_id = ? where seq = ?`, (b) => ['someone', b[0]!.seq]],
      ['DELETE', `delete from audit_log where seq = ?`, (b) => [b[0]!.seq]],
    ],
    postgres: [
      ['INSERT … ON CONFLICT (seq) DO UPDATE', `insert into audit_log (${COLUMNS}) values (${PLACEHOLDERS}) on conflict (seq) do update set actor_id = 'someone'`, (b) => forged(b[0]!.seq, 'x'.repeat(64))],
      ['INSERT … ON CONFLICT (hash) DO UPDATE', `insert into audit_log (${COLUMNS}) values (${PLACEHOLDERS}) on conflict (hash) do update set actor_id = 'someone'`, (b) => forged(b.at(-1)!.seq + 1, b[0]!.hash)],
      ['INSERT reusing a seq', `insert into audit_log (${COLUMNS}) values (${PLACEHOLDERS})`, (b) => forged(b[0]!.seq, 'z'.repeat(64))],
      ['INSERT into a gap below the newest seq', `insert into audit_log (${COLUMNS}) values (${PLACEHOLDERS})`, () => forged(0, 'w'.repeat(64))],
      ['UPDATE', `update audit_log set actor_id = ? where seq = ?`, (b) => ['someone', b[0]!.seq]],
      ['DELETE', `delete from audit_log where seq = ?`, (b) => [b[0]!.seq]],
      ['TRUNCATE', `truncate audit_log`, () => []],
    ],
  }

  it.each(statements[dialect])('refuses %s with plain SQL', async (_name, statement, params) => {
    await expect(raw.exec(statement, params(before))).rejects.toThrow(/append-only|duplicate key/)
    expect(await raw.rows()).toEqual(before)
  })

  it('the key lives beside the database, not in it, readable by the owner only; the head is checkpointed at start', async () => {
    const { keyFile, checkpointFile } = auditPaths(server.context.config)
    expect(fs.statSync(keyFile!).mode & 0o777).toBe(0o600)
    const key = fs.readFileSync(keyFile!, 'utf8').trim()
    expect(key).toMatch(/^[0-9a-f]{64}$/)
    const everything = JSON.stringify(await raw.rows())
    expect(everything).not.toContain(key)
    expect(readCheckpoints(checkpointFile).at(-1)).toMatchObject({ seq: before.at(-1)!.seq, hash: before.at(-1)!.hash })
  })

  it('after all those attempts the chain still verifies, also on the page', async () => {
    expect(before.length).toBeGreaterThan(10)
    expect(await verifyAuditChain(server.context.db)).toMatchObject({ ok: true, checked: before.length })
    const admin = await loginAs(server, ADMIN)
    expect(await verifyOnPage(server, admin, IJMOND)).toContain('De keten klopt')
  })
})

describe.each(testDialects())('a rewrite by hand is found, and the logbook says where, on %s', (dialect) => {
  let server: TestServer
  let raw: Raw
  let admin: string
  let ijmond: string
  beforeEach(async () => {
    server = await startTestServer({ dialect })
    raw = await rawAccess(server)
    admin = await loginAs(server, ADMIN)
    ijmond = await regionId(server, IJMOND)
  })
  afterEach(async () => {
    await raw?.close()
    await server?.close()
  })

  /** An entry of the region with a person as actor: the kind that gets re-attributed. */
  async function victimIn(region: string, withActor = true): Promise<Row> {
    const rows = await raw.rows()
    const victim = rows.find((r) => r.region_id === region && (!withActor || r.actor_id !== null) && r.seq > rows[0]!.seq)
    expect(victim).toBeDefined()
    return victim!
  }

  it('a re-attribution written with REPLACE after dropping the triggers: the hash check, at that entry', async () => {
    const alderman = await userId(server, ALDERMAN)
    const victim = await victimIn(ijmond)
    for (const s of dropTriggers(dialect)) await raw.exec(s)
    const forged = { ...victim, actor_id: alderman }
    if (dialect === 'sqlite') {
      await raw.exec(`insert or replace into audit_log (${COLUMNS}) values (${PLACEHOLDERS})`, values(forged))
    } else {
      await raw.exec(`insert into audit_log (${COLUMNS}) values (${PLACEHOLDERS}) on conflict (seq) do update set actor_id = excluded.actor_id`, values(forged))
    }
    expect((await raw.rows()).find((r) => r.seq === victim.seq)!.actor_id).toBe(alderman)

    const page = await verifyOnPage(server, admin, IJMOND)
    expect(page).toContain(`De keten is verbroken bij regel ${victim.seq}.`)
    expect(page).toContain(
      `Regel ${victim.seq} (${nl(victim.at)}, ${victim.action}): de inhoud past niet bij de handtekening; de regel is gewijzigd (controle: hash).`,
    )
    expect(page).not.toContain('De keten klopt')
  })

  it('every hash recomputed without the key (plain SHA-256) from the forged entry on: the key check', async () => {
    const alderman = await userId(server, ALDERMAN)
    const victim = await victimIn(ijmond)
    for (const s of dropTriggers(dialect)) await raw.exec(s)
    const rows = await raw.rows()
    let prev = victim.prev_hash
    for (const r of rows.filter((x) => x.seq >= victim.seq)) {
      const forged = { ...r, actor_id: r.seq === victim.seq ? alderman : r.actor_id, prev_hash: prev }
      forged.hash = unkeyedHash(prev, forged)
      await raw.exec('update audit_log set actor_id = ?, prev_hash = ?, hash = ? where seq = ?', [forged.actor_id, forged.prev_hash, forged.hash, r.seq])
      prev = forged.hash
    }
    // Consistent in itself: every link matches. The key tells (and the checkpoint of the seeded head).
    const v = await verifyAuditChain(server.context.db)
    const head = rows.at(-1)!.seq
    expect(v.problems.filter((p) => p.check !== 'checkpoint-mismatch').map((p) => [p.seq, p.check])).toEqual(
      rows.filter((r) => r.seq >= victim.seq).map((r) => [r.seq, 'unkeyed']),
    )
    expect(v.problems.filter((p) => p.check === 'checkpoint-mismatch').map((p) => p.seq)).toEqual([head])
    expect(v.brokenAtSeq).toBe(victim.seq)

    const page = await verifyOnPage(server, admin, IJMOND)
    expect(page).toContain(`De keten is verbroken bij regel ${victim.seq}.`)
    expect(page).toContain(
      `Regel ${victim.seq} (${nl(victim.at)}, ${victim.action}): de handtekening is opnieuw berekend zonder de sleutel (controle: sleutel).`,
    )
  })

  it('a rewrite with the key but without the old checkpoints: the checkpoint check', async () => {
    // Someone verifies: the head is published to the checkpoint file and shown on the page.
    expect(await verifyOnPage(server, admin, IJMOND)).toContain('De keten klopt')
    const checkpointFile = auditPaths(server.context.config).checkpointFile!
    const [cp] = readCheckpoints(checkpointFile).slice(-1)
    expect(cp!.seq).toBe((await raw.rows()).at(-1)!.seq)
    const shown = await (await client(server, admin)(`/regio/${IJMOND}/logboek`)).text()
    expect(shown).toContain(cp!.hash)

    // The attacker has the database and the key file, but not the checkpoint file.
    const key = Buffer.from(fs.readFileSync(auditPaths(server.context.config).keyFile!, 'utf8').trim(), 'hex')
    const alderman = await userId(server, ALDERMAN)
    const victim = await victimIn(ijmond)
    for (const s of dropTriggers(dialect)) await raw.exec(s)
    let prev = victim.prev_hash
    for (const r of (await raw.rows()).filter((x) => x.seq >= victim.seq)) {
      const forged = { ...r, actor_id: r.seq === victim.seq ? alderman : r.actor_id }
      const hash = keyedHash(key, prev, forged)
      await raw.exec('update audit_log set actor_id = ?, prev_hash = ?, hash = ? where seq = ?', [forged.actor_id, prev, hash, r.seq])
      prev = hash
    }

    const page = await verifyOnPage(server, admin, IJMOND)
    expect(page).toContain(`De keten is verbroken bij regel ${cp!.seq}.`)
    expect(page).toMatch(
      new RegExp(`Controlepunt van ${nl(cp!.at)}, regel ${cp!.seq}: de regel is anders dan toen het controlepunt werd vastgelegd \\(controle: controlepunt\\)\\.`),
    )
    // The chain itself is consistent: the checkpoint is the only thing that tells.
    const v = await verifyAuditChain(server.context.db)
    expect(v.problems.map((p) => p.check)).toEqual(['checkpoint-mismatch'])
  })

  it('a cut-off tail (the newest entries deleted): the checkpoint check names the missing entry', async () => {
    const rows = await raw.rows()
    const head = rows.at(-1)!
    // the seeded head was checkpointed at start
    expect(readCheckpoints(auditPaths(server.context.config).checkpointFile).map((c) => c.seq)).toContain(head.seq)
    for (const s of dropTriggers(dialect)) await raw.exec(s)
    await raw.exec('delete from audit_log where seq > ?', [rows.at(-4)!.seq])

    const page = await verifyOnPage(server, admin, IJMOND)
    expect(page).toContain(`De keten is verbroken bij regel ${head.seq}.`)
    expect(page).toContain(`regel ${head.seq}: de regel uit het controlepunt bestaat niet meer (controle: controlepunt).`)
  })

  it("per region: another region's damaged entry is named by number only", async () => {
    const limburg = await regionId(server, LIMBURG)
    const victim = await victimIn(limburg, false)
    for (const s of dropTriggers(dialect)) await raw.exec(s)
    await raw.exec('update audit_log set data = ? where seq = ?', ['{"forged":true}', victim.seq])

    const own = await verifyOnPage(server, admin, LIMBURG)
    expect(own).toContain(`Regel ${victim.seq} (${nl(victim.at)}, ${victim.action}): de inhoud past niet bij de handtekening`)

    const other = await verifyOnPage(server, admin, IJMOND)
    expect(other).toContain(`De keten is verbroken bij regel ${victim.seq}.`)
    expect(other).toContain(`Regel ${victim.seq} (van een andere regio of van het systeem): de inhoud past niet bij de handtekening`)
    expect(other).not.toContain(`Regel ${victim.seq} (${nl(victim.at)}`)
  })
})

describe.each(testDialects())('a database from the previous release keeps verifying after the upgrade, on %s', (dialect) => {
  let dir: string
  let url: string
  let dropSchema = async () => {}
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samenspel-audit-upgrade-'))
    if (dialect === 'sqlite') url = `sqlite:${path.join(dir, 'samenspel.db')}`
    else {
      const base = process.env.TEST_DATABASE_URL!
      const schema = `t_${randomId(8)}`
      const u = new URL(base)
      u.searchParams.set('schema', schema)
      url = u.toString()
      dropSchema = async () => {
        const c = new pg.Client({ connectionString: base })
        await c.connect()
        await c.query(`drop schema if exists "${schema}" cascade`)
        await c.end()
      }
    }
  })
  afterEach(async () => {
    await dropSchema()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it('the unkeyed rows are sealed at the first start, verify, and a later rewrite of one is still found', async () => {
    // The previous release: the older migrations, recorded as done, and rows hashed without a key.
    const old = await connect(url)
    const before = Object.fromEntries(
      Object.entries(migrations)
        .filter(([name]) => name < '2026-12-02T0920_audit_keyed')
        .map(([name, m]): [string, Migration] => [name, { up: (db) => m.up(db, dialect) }]),
    )
    // In its own schema explicitly, as db/connect.ts does (parallel runs share the database).
    const own = old.schema ? { migrationTableSchema: old.schema } : {}
    expect((await new Migrator({ db: old.db, provider: { getMigrations: async () => before }, ...own }).migrateToLatest()).error).toBeUndefined()
    let prev = '0'.repeat(64)
    for (let i = 0; i < 4; i++) {
      const e = { at: new Date(Date.UTC(2026, 10, 1, 9, i)).toISOString(), region_id: null, actor_id: null, action: `old.${i}`, subject_type: 't', subject_id: null, data: '{}' }
      const hash = unkeyedHash(prev, e)
      await old.db.insertInto('audit_log' as never).values({ ...e, prev_hash: prev, hash } as never).execute()
      prev = hash
    }
    await old.close()

    // This release starts on it.
    const config = readConfig({
      NODE_ENV: 'test',
      DATABASE_URL: url,
      AUDIT_KEY_FILE: path.join(dir, 'audit.key'),
      AUDIT_CHECKPOINT_FILE: path.join(dir, 'audit-checkpoints.log'),
    })
    const conn = await connect(url)
    try {
      await migrateToLatest(conn)
      const running = await startAuditTrail(conn, config, { clock: () => new Date(), logger: createLogger('silent') })
      running.stop()
      const rows = await conn.db.selectFrom('audit_log').selectAll().orderBy('seq').execute()
      expect(rows.map((r) => r.chain_version)).toEqual([1, 1, 1, 1, 2])
      expect(rows.at(-1)!.action).toBe('audit.chain_keyed')
      expect(await verifyAuditChain(conn.db)).toMatchObject({ ok: true, checked: 5, checkpoints: { compared: 1, matched: 1 } })

      // REPLACE / reuse is refused on the old rows as well.
      await expect(
        sql`insert into audit_log (seq, at, action, subject_type, data, prev_hash, hash) values (${rows[1]!.seq}, 'x', 'f', 't', '{}', 'p', 'h')`.execute(conn.db),
      ).rejects.toThrow(/append-only|duplicate key/)

      // Rewrite old row 2 and recompute the old hashes after it consistently: the seal notices.
      if (dialect === 'sqlite') await sql`drop trigger audit_log_no_update`.execute(conn.db)
      else await sql`drop trigger audit_log_no_update_delete on audit_log`.execute(conn.db)
      let p = rows[0]!.hash
      for (const r of rows.slice(1, 4)) {
        const forged = { ...r, action: r.seq === rows[1]!.seq ? 'forged' : r.action }
        const hash = unkeyedHash(p, forged)
        await conn.db.updateTable('audit_log').set({ action: forged.action, prev_hash: p, hash }).where('seq', '=', r.seq).execute()
        p = hash
      }
      const v = await verifyAuditChain(conn.db)
      // The old part is consistent in itself; the seal's HMAC covers the old last hash.
      expect(v.problems.map((x) => [x.seq, x.check])).toEqual([[rows[4]!.seq, 'link']])
    } finally {
      await conn.close()
    }
  })
})
