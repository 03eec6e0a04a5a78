import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Connection } from '../../db/connect'
import { randomId } from '../../server/lib/ids'
import { clientPool, storedTextHolding, typists, until, type Client } from '../support/collab'
import { DEMO } from '../support/demo'
import { freePort, seededDatabase, startProcess, type ServerProcess } from '../support/process'

/**
 * Issue 7, finding 1b: the everyday hiccups of a managed PostgreSQL, against two real instances
 * while six people type: terminated connections, a cancelled query, a row lock held and the
 * waiting update cancelled (a statement timeout), the LISTEN connection dropped ten times.
 * Each time: zero tokens lost, zero process exits, one LISTEN connection per instance, convergence.
 * Runs whenever TEST_DATABASE_URL is set (always in CI).
 */
const pgUrl = process.env.TEST_DATABASE_URL
const EDITORS = [DEMO.drafter, DEMO.alderman, DEMO.admin]
/** Six sessions, the editors in turn. */
const SESSIONS = Array.from({ length: 6 }, (_, i) => EDITORS[i % EDITORS.length]!)

describe.runIf(pgUrl)('PostgreSQL hiccups under two instances', () => {
  const cleanups: Array<() => Promise<void> | void> = []
  const schema = `t_${randomId(8)}`
  /** every connection of the two instances carries this application_name prefix */
  const app = `samenspel_${schema}`
  let admin: pg.Client
  let conn: Connection
  let docId: string
  let a: ServerProcess
  let b: ServerProcess
  let clients: Client[]
  const typed: string[] = []
  let round = 0

  const instanceUrl = (name: string) => {
    const url = new URL(pgUrl!)
    url.searchParams.set('schema', schema)
    url.searchParams.set('application_name', `${app}_${name}`)
    return url.toString()
  }
  const ours = `${app}%`
  const query = async (sql: string, params: unknown[] = []) => (await admin.query(sql, params)).rows as Array<Record<string, unknown>>
  const listeners = async () =>
    query(`select pid, application_name from pg_stat_activity where application_name like $1 and query ilike 'listen %'`, [ours])
  /** waits until both instances listen again, on connections other than the `gone` ones */
  const relistened = (gone: unknown[]) =>
    until(async () => {
      const now = await listeners()
      return now.length === 2 && now.every((l) => !gone.includes(l.pid))
    }, 45_000, 'the LISTEN connections to be replaced').catch(async (e) => {
      const activity = await query(
        `select pid, application_name, state, wait_event_type, wait_event, left(query, 50) as q from pg_stat_activity where application_name like $1`,
        [ours],
      )
      console.error('pg_stat_activity of the instances', activity)
      for (const inst of [a, b]) {
        const health = await fetch(`${inst.url}/healthz`, { signal: AbortSignal.timeout(3000) }).then((r) => r.text(), (err) => String(err))
        console.error('healthz', inst.url, health)
      }
      // The instances' own words say why (their logs hold ids and error codes only).
      throw new Error(`${String(e)}\n--- a (exit ${a.child.exitCode}):\n${a.output().slice(-4000)}\n--- b (exit ${b.child.exitCode}):\n${b.output().slice(-4000)}`)
    })

  /** Types tokens on every client until stopped; the fault happens meanwhile. */
  async function typingThrough(fault: () => Promise<void>) {
    const typing = typists(clients, 30, `${round++}.`)
    try {
      await until(() => typing.rounds() >= 5, 5000, 'typing before the fault')
      await fault()
      const after = typing.rounds()
      await until(() => typing.rounds() >= after + 5, 5000, 'typing after the fault')
    } finally {
      typing.stop()
      typed.push(...typing.typed.flat())
    }
    // Everyone converges, nothing is lost from the store, no process ended.
    await until(() => clients.every((c) => c.provider.wsconnected && c.provider.synced), 20_000, 'everyone connected')
    await until(() => clients.every((c) => c.text() === clients[0]!.text()), 20_000, 'convergence')
    const text = await storedTextHolding(conn.db, docId, typed, 20_000)
    expect(typed.filter((t) => !text.includes(t))).toEqual([])
    expect(clients[0]!.text()).toBe(text)
    expect([a.child.exitCode, b.child.exitCode, a.child.signalCode, b.child.signalCode]).toEqual([null, null, null, null])
    expect((await listeners()).map((l) => l.application_name).sort()).toEqual([`${app}_a`, `${app}_b`])
  }

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: pgUrl })
    admin.on('error', () => undefined)
    await admin.connect()
    cleanups.push(async () => {
      await admin.query(`drop schema if exists "${schema}" cascade`).catch(() => undefined)
      await admin.end()
    })
    const base = new URL(pgUrl!)
    base.searchParams.set('schema', schema)
    const prepared = await seededDatabase(base.toString(), { title: 'Storingen', sessionsOf: SESSIONS })
    ;({ conn, docId } = prepared)
    cleanups.push(() => conn.close())
    const [portA, portB] = [await freePort(), await freePort()]
    const env = { PUBLIC_ORIGINS: `http://127.0.0.1:${portA},http://127.0.0.1:${portB}` }
    a = await startProcess({ port: portA, databaseUrl: instanceUrl('a'), env })
    cleanups.push(() => a.kill())
    b = await startProcess({ port: portB, databaseUrl: instanceUrl('b'), env })
    cleanups.push(() => b.kill())
    const [poolA, poolB] = [clientPool(() => a), clientPool(() => b)]
    cleanups.push(poolA.destroyAll, poolB.destroyAll)
    clients = prepared.cookies.map((cookie, i) => (i < 3 ? poolA : poolB).open(docId, cookie))
    await Promise.all(clients.map((c) => c.synced))
  }, 60_000)
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c()
  })

  it('pg_terminate_backend on every connection of both instances, three times', async () => {
    await typingThrough(async () => {
      for (let i = 0; i < 3; i++) {
        const old = (await listeners()).map((l) => l.pid)
        const killed = await query(`select pg_terminate_backend(pid) as ok from pg_stat_activity where application_name like $1`, [ours])
        expect(killed.length).toBeGreaterThan(0)
        await relistened(old)
      }
    })
  }, 90_000)

  it('pg_cancel_backend on running queries', async () => {
    await typingThrough(async () => {
      let cancelled = 0
      await until(async () => {
        const rows = await query(
          `select pg_cancel_backend(pid) as ok from pg_stat_activity where application_name like $1 and state = 'active' and query not ilike 'listen %'`,
          [ours],
        )
        cancelled += rows.filter((r) => r.ok === true).length
        return cancelled >= 3
      }, 20_000, 'three cancelled queries')
    })
  }, 90_000)

  it('the documents row locked for 2.5 s and the waiting update cancelled (a statement timeout)', async () => {
    await typingThrough(async () => {
      const locker = new pg.Client({ connectionString: pgUrl })
      locker.on('error', () => undefined)
      await locker.connect()
      try {
        await locker.query('begin')
        await locker.query(`select id from "${schema}".documents where id = $1 for update`, [docId])
        const waiting = () =>
          query(`select pid from pg_stat_activity where application_name like $1 and wait_event_type = 'Lock'`, [ours])
        await until(async () => (await waiting()).length > 0, 10_000, 'an update waiting for the row lock')
        await new Promise((r) => setTimeout(r, 2500)) // the hiccup itself, not an assertion
        const cancelled = await query(
          `select pg_cancel_backend(pid) as ok from pg_stat_activity where application_name like $1 and wait_event_type = 'Lock'`,
          [ours],
        )
        expect(cancelled.some((r) => r.ok === true)).toBe(true)
        await locker.query('commit')
      } finally {
        await locker.end().catch(() => undefined)
      }
    })
  }, 90_000)

  it('the LISTEN connection dropped ten times: replaced once each time, never doubled', async () => {
    await typingThrough(async () => {
      for (let i = 0; i < 10; i++) {
        // Only the backends this round really ended count: one that was already on its way out
        // (ok = false) is not waited for.
        const dropped = await query(
          `select pid, pg_terminate_backend(pid) as ok from pg_stat_activity where application_name like $1 and query ilike 'listen %'`,
          [ours],
        )
        expect(dropped.length).toBe(2)
        await relistened(dropped.filter((d) => d.ok === true).map((d) => d.pid))
      }
    })
    // Still exactly one each, a while after the last replacement (a doubled handler would add more).
    expect((await listeners()).length).toBe(2)
  }, 120_000)
})
