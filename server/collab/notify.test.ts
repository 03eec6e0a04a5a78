import { EventEmitter } from 'node:events'
import type pg from 'pg'
import { afterEach, describe, expect, it } from 'vitest'
import { createLogger } from '../lib/log'
import { postgresNotifier } from './notify'

/**
 * The notice listener against a fake pg client, for the orders of events a real server produces only
 * under load: here each client's behaviour is chosen per test.
 */
type Behaviour = 'fine' | 'lost-while-listening' | 'slow-connect'

class FakeClient extends EventEmitter {
  static made: FakeClient[] = []
  static plan: Behaviour[] = []
  dead = false
  listens = 0
  readonly behaviour: Behaviour
  constructor(_config: pg.ClientConfig) {
    super()
    this.behaviour = FakeClient.plan[FakeClient.made.length] ?? 'fine'
    FakeClient.made.push(this)
  }
  async connect() {
    // a first connect slower than several probe intervals (a database far away, or busy)
    if (this.behaviour === 'slow-connect') await new Promise((r) => setTimeout(r, 120))
  }
  async query(text: string) {
    if (this.dead) throw new Error('Client has encountered a connection error and is not queryable')
    if (text.startsWith('listen')) {
      this.listens++
      if (this.behaviour === 'lost-while-listening' && this.listens === 1) {
        // The server answers the LISTEN and ends the connection in the same read: the client
        // emits 'error' before the awaiting code sees the answer.
        this.die()
      }
    }
    return { rows: [] }
  }
  die() {
    this.dead = true
    this.emit('error', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))
    this.emit('end')
  }
  async end() {
    this.dead = true
  }
}

const until = async (check: () => boolean, ms: number, what: string) => {
  const stop = Date.now() + ms
  while (!check()) {
    if (Date.now() > stop) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

let close: (() => Promise<void>) | null = null
afterEach(async () => {
  await close?.()
  close = null
  FakeClient.made = []
  FakeClient.plan = []
})

const start = async () => {
  // The sender pool is pg's own and never connects here: the tests do not publish.
  const n = await postgresNotifier('postgres://127.0.0.1:1/none', null, createLogger('silent'), {
    reconnectMs: 1,
    probeMs: 10,
    Client: FakeClient as unknown as new (c: pg.ClientConfig) => pg.Client,
  })
  close = () => n.close()
  return n
}

describe('the notice listener', () => {
  it('replaces a lost listener once, and reports itself healthy only with a live one', async () => {
    const n = await start()
    expect(n.healthy?.()).toBe(true)
    FakeClient.made[0]!.die()
    expect(n.healthy?.()).toBe(false)
    await until(() => n.healthy?.() === true, 2000, 'a new listener')
    expect(FakeClient.made).toHaveLength(2)
    expect(n.listenerGeneration()).toBe(2)
  })

  it('does not keep a connection that was lost while it was being set up (it would sit there, "healthy", hearing nothing)', async () => {
    FakeClient.plan = ['fine', 'lost-while-listening', 'fine']
    const n = await start()
    FakeClient.made[0]!.die()
    await until(() => FakeClient.made.length >= 3 && n.healthy?.() === true, 2000, 'a third, live listener')
    const current = FakeClient.made[2]!
    expect(current.dead).toBe(false)
    // The probe talks to the live one: its LISTEN count grows.
    const before = current.listens
    await until(() => current.listens > before, 2000, 'a probe on the live listener')
    expect(n.listenerGeneration()).toBe(2)
  })

  it('replaces a listener whose connection died without a word, found by the probe', async () => {
    const n = await start()
    FakeClient.made[0]!.dead = true // no 'error', no 'end': a middlebox dropped it
    await until(() => FakeClient.made.length >= 2 && n.healthy?.() === true && !FakeClient.made.at(-1)!.dead, 2000, 'the probe to replace it')
    expect(n.listenerGeneration()).toBe(2)
  })

  it('starts when the first connection is slower than the probe interval (it is not abandoned as lost)', async () => {
    FakeClient.plan = ['slow-connect']
    const n = await start()
    expect(n.healthy?.()).toBe(true)
    expect(FakeClient.made).toHaveLength(1)
    expect(n.listenerGeneration()).toBe(1)
  })
})
