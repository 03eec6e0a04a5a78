import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import * as Y from 'yjs'
import { afterAll, describe, expect, it } from 'vitest'
import { connect as connectDb, migrateToLatest, type Connection } from '../../db/connect'
import { seed } from '../../db/seed'
import { createSession } from '../../server/auth/session'
import { loadDoc } from '../../server/collab/persistence'
import { createDocument } from '../../server/modules/documents/commands'
import { randomId } from '../../server/lib/ids'
import { connect, fragmentText, type, until, type Client } from '../support/collab'
import { freePort, startProcess, type ServerProcess } from '../support/process'
import { cookieHeader } from '../support/server'

/**
 * Durability and scale-out with real processes: SIGKILL while ten clients type, restart, and find
 * every character in the stored document; two instances on PostgreSQL that converge, and survive
 * losing one of them.
 */
const EDITORS = ['beleidsmedewerker@samenspel.example', 'wethouder@samenspel.example', 'regiocoordinator@samenspel.example']

async function prepare(databaseUrl: string) {
  const conn = await connectDb(databaseUrl)
  await migrateToLatest(conn)
  await seed(conn.db, { demoAccounts: true })
  const region = await conn.db.selectFrom('regions').select('id').where('slug', '=', 'ijmond-zuid-kennemerland').executeTakeFirstOrThrow()
  const docId = await createDocument(conn.db, { regionId: region.id, kind: 'proposal', title: 'Crashtest', actorId: null, now: new Date() })
  const cookies: string[] = []
  for (let i = 0; i < 10; i++) {
    const user = await conn.db.selectFrom('users').select('id').where('email', '=', EDITORS[i % EDITORS.length]!).executeTakeFirstOrThrow()
    cookies.push(cookieHeader((await createSession(conn.db, user.id, { now: new Date(), device: 'test' })).token))
  }
  return { conn, docId, cookies }
}

async function storedText(conn: Connection, docId: string) {
  const stored = await loadDoc(conn.db, docId)
  const doc = new Y.Doc()
  if (stored.update) Y.applyUpdate(doc, stored.update)
  return fragmentText(doc)
}

/** Each client types its own numbered tokens on a timer; returns a stop function and what it typed. */
function typists(clients: Client[], everyMs = 15) {
  const typed: string[][] = clients.map(() => [])
  let n = 0
  const timer = setInterval(() => {
    clients.forEach((c, i) => {
      const token = `[${i}:${n}]`
      type(c.doc, token)
      typed[i]!.push(token)
    })
    n++
  }, everyMs)
  return { typed, stop: () => clearInterval(timer) }
}

const converged = (clients: Client[]) => clients.every((c) => c.text() === clients[0]!.text())

describe('crash durability (SQLite)', () => {
  const cleanups: Array<() => Promise<void> | void> = []
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c()
  })

  it('loses no character of ten typing clients over five SIGKILLs', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samenspel-crash-'))
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }))
    const databaseUrl = `sqlite:${path.join(dir, 'crash.db')}`
    const { conn, docId, cookies } = await prepare(databaseUrl)
    cleanups.push(() => conn.close())
    const port = await freePort()
    let server: ServerProcess = await startProcess({ port, databaseUrl })
    cleanups.push(() => server.kill())

    const clients = cookies.map((cookie) => connect({ url: server.url }, docId, cookie))
    cleanups.push(() => clients.forEach((c) => c.destroy()))
    await Promise.all(clients.map((c) => c.synced))
    const typing = typists(clients)
    for (let round = 0; round < 5; round++) {
      await new Promise((r) => setTimeout(r, 400))
      await server.kill('SIGKILL')
      await new Promise((r) => setTimeout(r, 150)) // clients go on typing offline
      server = await startProcess({ port, databaseUrl })
      await until(() => clients.every((c) => c.provider.wsconnected), 15_000, 'reconnect')
    }
    await new Promise((r) => setTimeout(r, 300))
    typing.stop()
    await until(() => clients.every((c) => c.provider.synced) && converged(clients), 15_000, 'convergence')
    // Everyone has the same text; now the server must have stored all of it.
    const expected = typing.typed.flat()
    let text = ''
    const start = Date.now()
    do {
      text = await storedText(conn, docId)
      if (expected.every((t) => text.includes(t))) break
      await new Promise((r) => setTimeout(r, 100))
    } while (Date.now() - start < 10_000)
    const missing = expected.filter((t) => !text.includes(t))
    expect(expected.length).toBeGreaterThan(500)
    expect(missing).toEqual([])
    expect(clients[0]!.text()).toBe(text)
  }, 120_000)
})

// Runs whenever TEST_DATABASE_URL is set (always in CI, where .ci/run fails on any skipped test).
const pgUrl = process.env.TEST_DATABASE_URL
describe.runIf(pgUrl)('two instances on PostgreSQL', () => {
  const cleanups: Array<() => Promise<void> | void> = []
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c()
  })

  it('converge across instances, and lose nothing when one is killed', async () => {
    const schema = `t_${randomId(8)}`
    const url = new URL(pgUrl!)
    url.searchParams.set('schema', schema)
    const databaseUrl = url.toString()
    cleanups.push(async () => {
      const client = new pg.Client({ connectionString: pgUrl })
      await client.connect()
      await client.query(`drop schema if exists "${schema}" cascade`)
      await client.end()
    })
    const { conn, docId, cookies } = await prepare(databaseUrl)
    cleanups.push(() => conn.close())
    const [portA, portB] = [await freePort(), await freePort()]
    // Behind one load balancer both instances serve the same public origin.
    const env = { PUBLIC_ORIGINS: `http://127.0.0.1:${portA},http://127.0.0.1:${portB}` }
    const a = await startProcess({ port: portA, databaseUrl, env })
    cleanups.push(() => a.kill())
    const b = await startProcess({ port: portB, databaseUrl, env })
    cleanups.push(() => b.kill())

    const onA = cookies.slice(0, 5).map((cookie) => connect({ url: a.url }, docId, cookie))
    const onB = cookies.slice(5).map((cookie) => connect({ url: b.url }, docId, cookie))
    const clients = [...onA, ...onB]
    cleanups.push(() => clients.forEach((c) => c.destroy()))
    await Promise.all(clients.map((c) => c.synced))

    // Phase 1: clients of A and of B see each other's typing through PostgreSQL alone.
    const first = typists(clients, 25)
    await new Promise((r) => setTimeout(r, 600))
    first.stop()
    await until(() => converged(clients), 10_000, 'convergence across the two instances')
    expect(first.typed.flat().every((t) => onB[0]!.text().includes(t) && onA[0]!.text().includes(t))).toBe(true)

    // Phase 2: typing goes on while instance A dies; its clients are sent to B, as a load balancer would.
    const typing = typists(clients, 25)
    await new Promise((r) => setTimeout(r, 400))
    await a.kill('SIGKILL')
    for (const c of onA) c.provider.serverUrl = b.url.replace(/^http/, 'ws') + '/collab'
    await until(() => clients.every((c) => c.provider.wsconnected), 15_000, 'reconnect to B')
    await new Promise((r) => setTimeout(r, 500))
    typing.stop()
    await until(() => clients.every((c) => c.provider.synced) && converged(clients), 15_000, 'convergence across instances')
    const expected = [...first.typed.flat(), ...typing.typed.flat()]
    expect(expected.every((t) => clients[0]!.text().includes(t))).toBe(true)
    let text = ''
    const start = Date.now()
    do {
      text = await storedText(conn, docId)
      if (expected.every((t) => text.includes(t))) break
      await new Promise((r) => setTimeout(r, 100))
    } while (Date.now() - start < 10_000)
    expect(expected.filter((t) => !text.includes(t))).toEqual([])
  }, 120_000)
})
