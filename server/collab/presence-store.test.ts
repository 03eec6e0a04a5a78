import { describe, expect, it } from 'vitest'
import * as Y from 'yjs'
import * as awarenessProtocol from 'y-protocols/awareness'
import { decodePresence, encodePresence, PresenceStore, type PresenceEntry } from './presence-store'

/** A small deterministic generator, so a failure names its seed. */
function rng(seed: number) {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

describe('presence store', () => {
  it('reads and writes the awareness wire format as y-protocols does', () => {
    const doc = new Y.Doc()
    const a = new awarenessProtocol.Awareness(doc)
    a.setLocalState({ user: { name: 'Anna' }, cursor: { anchor: 1 } })
    const wire = awarenessProtocol.encodeAwarenessUpdate(a, [doc.clientID])
    const entries = decodePresence(wire)
    expect(entries).toEqual([{ clientId: doc.clientID, clock: 1, json: JSON.stringify(a.getLocalState()) }])
    expect(encodePresence(entries)).toEqual(wire)
    a.destroy()
  })

  it('throws on a truncated update', () => {
    const wire = encodePresence([{ clientId: 7, clock: 3, json: '{"a":1}' }])
    expect(() => decodePresence(wire.slice(0, wire.length - 2))).toThrow()
  })

  // Differential: the same random stream of entries through y-protocols' Awareness (as a server
  // holds it, without a local state) and through the store; what is held and what is relayed must
  // agree entry for entry.
  for (const seed of [1, 2, 3, 42, 1234]) {
    it(`holds and relays exactly what y-protocols would (seed ${seed})`, () => {
      const random = rng(seed)
      const doc = new Y.Doc()
      const reference = new awarenessProtocol.Awareness(doc)
      reference.setLocalState(null)
      const store = new PresenceStore(() => 0)
      const owner = {}
      let relayedByReference: number[] = []
      reference.on('update', ({ added, updated, removed }: Record<'added' | 'updated' | 'removed', number[]>) => {
        relayedByReference = [...added, ...updated, ...removed]
      })
      for (let step = 0; step < 400; step++) {
        const entries: PresenceEntry[] = []
        const n = 1 + Math.floor(random() * 3)
        for (let i = 0; i < n; i++) {
          const clientId = 1 + Math.floor(random() * 5)
          const clock = Math.floor(random() * 8)
          const json = random() < 0.25 ? 'null' : JSON.stringify({ cursor: Math.floor(random() * 4) })
          entries.push({ clientId, clock, json })
        }
        relayedByReference = []
        awarenessProtocol.applyAwarenessUpdate(reference, encodePresence(entries), 'remote')
        const relayed = store.apply(owner, entries).map((e) => e.clientId)
        expect(relayed.sort()).toEqual([...relayedByReference].sort())
        const held = new Map(store.snapshot().map((e) => [e.clientId, e.json]))
        const expected = new Map([...reference.getStates()].map(([id, state]) => [id, JSON.stringify(state)]))
        expect(held).toEqual(expected)
      }
      reference.destroy()
    })
  }

  it('removes what a closed connection held, with a newer clock, and only that', () => {
    const store = new PresenceStore(() => 0)
    const alice = {}
    const bob = {}
    store.apply(alice, [{ clientId: 1, clock: 4, json: '{"n":"a"}' }])
    store.apply(bob, [{ clientId: 2, clock: 1, json: '{"n":"b"}' }])
    expect(store.ownerOf(1)).toBe(alice)
    expect(store.removeOwner(alice)).toEqual([{ clientId: 1, clock: 5, json: 'null' }])
    expect(store.snapshot().map((e) => e.clientId)).toEqual([2])
    // an old copy of alice's state cannot bring her back
    expect(store.apply(bob, [{ clientId: 1, clock: 5, json: '{"n":"a"}' }])).toEqual([])
    expect(store.ownerOf(1)).toBeUndefined()
  })

  it('drops states that were not renewed within the timeout from what a newcomer gets', () => {
    let t = 0
    const store = new PresenceStore(() => t, 30_000)
    const owner = {}
    expect(store.apply(owner, [{ clientId: 1, clock: 1, json: '{}' }])).toHaveLength(1)
    t = 20_000
    expect(store.apply(owner, [{ clientId: 2, clock: 1, json: '{}' }])).toHaveLength(1)
    t = 31_000
    expect(store.snapshot().map((e) => e.clientId)).toEqual([2])
    expect(store.size).toBe(1)
    // the clock is remembered: the same state again is not news
    expect(store.apply(owner, [{ clientId: 1, clock: 1, json: '{}' }])).toEqual([])
  })
})
