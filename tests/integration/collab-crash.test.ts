import { describe, expect, it } from 'vitest'
import { clientPool, typists, until, storedTextHolding, type Client } from '../support/collab'
import { DEMO } from '../support/demo'
import { cleanupsAfterAll, freePort, seededDatabase, startProcess, typingOnSqliteProcess } from '../support/process'
import { freshPgSchema } from '../support/server'

/**
 * Durability and scale-out with real processes: SIGKILL while ten clients type, restart, and find
 * every character in the stored document; two instances on PostgreSQL that converge, and survive
 * losing one of them.
 */
const EDITORS = [DEMO.drafter, DEMO.alderman, DEMO.admin]
/** Ten sessions, the editors in turn. */
const SESSIONS = Array.from({ length: 10 }, (_, i) => EDITORS[i % EDITORS.length]!)

const converged = (clients: Client[]) => clients.every((c) => c.text() === clients[0]!.text())

describe('crash durability (SQLite)', () => {
  const later = cleanupsAfterAll()

  it('loses no character of ten typing clients over five SIGKILLs', async () => {
    const portal = await typingOnSqliteProcess(later, { name: 'crash', title: 'Crashtest', sessionsOf: SESSIONS })
    const { conn, docId, clients } = portal
    const typing = typists(clients)
    for (let round = 0; round < 5; round++) {
      await new Promise((r) => setTimeout(r, 400))
      await portal.server.kill('SIGKILL')
      await new Promise((r) => setTimeout(r, 150)) // clients go on typing offline
      await portal.start()
      await until(() => clients.every((c) => c.provider.wsconnected), 15_000, 'reconnect')
    }
    await new Promise((r) => setTimeout(r, 300))
    typing.stop()
    await until(() => clients.every((c) => c.provider.synced) && converged(clients), 15_000, 'convergence')
    // Everyone has the same text; now the server must have stored all of it.
    const expected = typing.typed.flat()
    const text = await storedTextHolding(conn.db, docId, expected)
    const missing = expected.filter((t) => !text.includes(t))
    expect(expected.length).toBeGreaterThan(500)
    expect(missing).toEqual([])
    expect(clients[0]!.text()).toBe(text)
  }, 120_000)
})

// Runs whenever TEST_DATABASE_URL is set (always in CI, where .ci/run fails on any skipped test).
const pgUrl = process.env.TEST_DATABASE_URL
describe.runIf(pgUrl)('two instances on PostgreSQL', () => {
  const later = cleanupsAfterAll()

  it('converge across instances, and lose nothing when one is killed', async () => {
    const { databaseUrl, remove } = freshPgSchema()
    later(remove)
    const { conn, docId, cookies } = await seededDatabase(databaseUrl, { title: 'Crashtest', sessionsOf: SESSIONS })
    later(() => conn.close())
    const [portA, portB] = [await freePort(), await freePort()]
    // Behind one load balancer both instances serve the same public origin.
    const env = { PUBLIC_ORIGINS: `http://127.0.0.1:${portA},http://127.0.0.1:${portB}` }
    const a = await startProcess({ port: portA, databaseUrl, env })
    later(() => a.kill())
    const b = await startProcess({ port: portB, databaseUrl, env })
    later(() => b.kill())

    const [poolA, poolB] = [clientPool(() => a), clientPool(() => b)]
    later(poolA.destroyAll, poolB.destroyAll)
    const onA = cookies.slice(0, 5).map((cookie) => poolA.open(docId, cookie))
    const onB = cookies.slice(5).map((cookie) => poolB.open(docId, cookie))
    const clients = [...onA, ...onB]
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
    const text = await storedTextHolding(conn.db, docId, expected)
    expect(expected.filter((t) => !text.includes(t))).toEqual([])
  }, 120_000)
})
