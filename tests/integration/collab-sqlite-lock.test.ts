import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { connect as connectDb, migrateToLatest, type Connection } from '../../db/connect'
import { seed } from '../../db/seed'
import { createSession } from '../../server/auth/session'
import { createDocument } from '../../server/modules/documents/commands'
import { connect, type, until, type Client, storedText as storedTextOf } from '../support/collab'
import { freePort, holdSqliteLock, startProcess, type ServerProcess } from '../support/process'
import { cookieHeader } from '../support/server'

/**
 * Issue 7, finding 1: another process holds SQLite's write lock for 10 s while people type (one
 * of them reconnects in the middle). Nothing typed may be lost, after a restart too; the process
 * must keep answering (/healthz says degraded meanwhile) and never exit.
 */
const EDITORS = ['beleidsmedewerker@samenspel.example', 'wethouder@samenspel.example', 'regiocoordinator@samenspel.example']

const storedText = (conn: Connection, docId: string) => storedTextOf(conn.db, docId)

describe('a SQLite write lock held by another process', () => {
  const cleanups: Array<() => Promise<void> | void> = []
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c()
  })

  it('loses no token typed through a 10 s lock and a restart; /healthz answers and says degraded', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samenspel-lock-'))
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }))
    const file = path.join(dir, 'lock.db')
    const databaseUrl = `sqlite:${file}`
    const conn = await connectDb(databaseUrl)
    cleanups.push(() => conn.close())
    await migrateToLatest(conn)
    await seed(conn.db, { demoAccounts: true })
    const region = await conn.db.selectFrom('regions').select('id').where('slug', '=', 'ijmond-zuid-kennemerland').executeTakeFirstOrThrow()
    const docId = await createDocument(conn.db, { regionId: region.id, kind: 'proposal', title: 'Slottest', actorId: null, now: new Date() })
    const cookies: string[] = []
    for (const email of EDITORS) {
      const user = await conn.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()
      cookies.push(cookieHeader((await createSession(conn.db, user.id, { now: new Date(), device: 'test' })).token))
    }

    const port = await freePort()
    let server: ServerProcess = await startProcess({ port, databaseUrl })
    cleanups.push(() => server.kill())
    const clients: Client[] = cookies.map((cookie) => connect({ url: server.url }, docId, cookie))
    cleanups.push(() => clients.forEach((c) => c.destroy()))
    await Promise.all(clients.map((c) => c.synced))

    const typed: string[] = []
    let n = 0
    const timer = setInterval(() => {
      clients.forEach((c, i) => {
        const token = `[${i}:${n}]`
        type(c.doc, token)
        typed.push(token)
      })
      n++
    }, 40)
    cleanups.push(() => clearInterval(timer))
    await until(() => n >= 10, 5000, 'typing before the lock')

    const lock = holdSqliteLock(file, 10_000)
    await lock.locked
    // During the lock: the process answers, and says it is degraded once a write has failed.
    let degraded: { status: number; body: { ok: boolean; status: { storage: string } } } | null = null
    await until(async () => {
      const res = await fetch(`${server.url}/healthz`)
      const body = (await res.json()) as { ok: boolean; status: { storage: string } }
      if (body.status.storage === 'degraded') degraded = { status: res.status, body }
      return degraded !== null
    }, 9000, '/healthz to report the degraded storage')
    expect(degraded).toMatchObject({ status: 503, body: { ok: false, status: { storage: 'degraded' } } })
    await until(() => clients.every((c) => c.storage() === 'retrying'), 9000, 'every client to hear "retrying"')
    // One client reconnects in the middle of the outage and goes on typing.
    clients[0]!.provider.disconnect()
    clients[0]!.provider.connect()
    expect(await lock.done).toBe(0)
    const atRelease = n

    // Storage is back: the clients resync and keep typing for a while.
    await until(() => clients.every((c) => c.provider.wsconnected && c.provider.synced && c.storage() === 'ok'), 20_000, 'recovery')
    await until(() => n >= atRelease + 10, 5000, 'typing after the lock')
    clearInterval(timer)
    await until(() => clients.every((c) => c.text() === clients[0]!.text()), 15_000, 'convergence')
    expect(server.child.exitCode).toBeNull()

    // A restart: everything typed is in the store (clients resend what the server might lack).
    await server.kill('SIGTERM')
    server = await startProcess({ port, databaseUrl })
    await until(() => clients.every((c) => c.provider.wsconnected && c.provider.synced), 15_000, 'reconnect after the restart')
    let text = ''
    await until(async () => {
      text = await storedText(conn, docId)
      return typed.every((t) => text.includes(t))
    }, 15_000, 'every token in the store').catch(() => undefined)
    expect(typed.length).toBeGreaterThan(200)
    expect(typed.filter((t) => !text.includes(t))).toEqual([])
    expect(clients[0]!.text()).toBe(text)
  }, 120_000)
})
