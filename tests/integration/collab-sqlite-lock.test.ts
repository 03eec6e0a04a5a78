import { describe, expect, it } from 'vitest'
import { storedTextHolding, typists, until } from '../support/collab'
import { DEMO } from '../support/demo'
import { cleanupsAfterAll, holdSqliteLock, typingOnSqliteProcess } from '../support/process'

/**
 * Issue 7, finding 1: another process holds SQLite's write lock for 10 s while people type (one
 * of them reconnects in the middle). Nothing typed may be lost, after a restart too; the process
 * must keep answering (/healthz says degraded meanwhile) and never exit.
 */
const EDITORS = [DEMO.drafter, DEMO.alderman, DEMO.admin]

describe('a SQLite write lock held by another process', () => {
  const later = cleanupsAfterAll()

  it('loses no token typed through a 10 s lock and a restart; /healthz answers and says degraded', async () => {
    const portal = await typingOnSqliteProcess(later, { name: 'lock', title: 'Slottest', sessionsOf: EDITORS })
    const { file, conn, docId, clients } = portal

    const typing = typists(clients, 40)
    later(typing.stop)
    await until(() => typing.rounds() >= 10, 5000, 'typing before the lock')

    const lock = holdSqliteLock(file, 10_000)
    await lock.locked
    // During the lock: the process answers, and says it is degraded once a write has failed.
    let degraded: { status: number; body: { ok: boolean; status: { storage: string } } } | null = null
    await until(async () => {
      const res = await fetch(`${portal.server.url}/healthz`)
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
    const atRelease = typing.rounds()

    // Storage is back: the clients resync and keep typing for a while.
    await until(() => clients.every((c) => c.provider.wsconnected && c.provider.synced && c.storage() === 'ok'), 20_000, 'recovery')
    await until(() => typing.rounds() >= atRelease + 10, 5000, 'typing after the lock')
    typing.stop()
    await until(() => clients.every((c) => c.text() === clients[0]!.text()), 15_000, 'convergence')
    expect(portal.server.child.exitCode).toBeNull()

    // A restart: everything typed is in the store (clients resend what the server might lack).
    await portal.server.kill('SIGTERM')
    await portal.start()
    await until(() => clients.every((c) => c.provider.wsconnected && c.provider.synced), 15_000, 'reconnect after the restart')
    const typed = typing.typed.flat()
    const text = await storedTextHolding(conn.db, docId, typed, 15_000)
    expect(typed.length).toBeGreaterThan(200)
    expect(typed.filter((t) => !text.includes(t))).toEqual([])
    expect(clients[0]!.text()).toBe(text)
  }, 120_000)
})
