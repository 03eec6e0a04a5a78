import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as Y from 'yjs'
import * as awarenessProtocol from 'y-protocols/awareness'
import { decodePresence, PresenceStore } from './presence-store'
import { describe, expect, it } from 'vitest'
import { colourFor } from '../../app/editor/presence'
import {
  CLOSE_PRESENCE,
  FALLBACK_NAME,
  PresenceGate,
  PresenceRoster,
  withPresence,
  createPresenceOwner,
  defaultPresenceLimits,
  firstViolation,
  presenceIdentity,
  screenAwarenessUpdate,
  type PresenceIdentity,
  type PresenceView,
} from './presence'

type Entry = [clientId: number, clock: number, state: unknown]

/** The awareness wire format, written by hand so tests can forge anything. */
function encode(entries: Entry[], raw?: (e: encoding.Encoder) => void): Uint8Array {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, entries.length)
  for (const [id, clock, state] of entries) {
    encoding.writeVarUint(e, id)
    encoding.writeVarUint(e, clock)
    encoding.writeVarString(e, typeof state === 'string' ? state : JSON.stringify(state))
  }
  raw?.(e)
  return encoding.toUint8Array(e)
}

function decode(update: Uint8Array): Entry[] {
  const d = decoding.createDecoder(update)
  const n = decoding.readVarUint(d)
  const out: Entry[] = []
  for (let i = 0; i < n; i++) out.push([decoding.readVarUint(d), decoding.readVarUint(d), JSON.parse(decoding.readVarString(d))])
  return out
}

const panellid: PresenceIdentity = presenceIdentity({ userId: 'u-youth', name: 'Vrolijke Vos 27', under16: true, roles: ['panel_member'] })
const cursor = { anchor: { type: null, tname: 'default', item: null, assoc: 0 }, head: { type: null, tname: 'default', item: null, assoc: 0 } }
const emptyRoom: PresenceView = { ownerOf: () => undefined, clockOf: () => undefined }
const T0 = 1_000_000

describe('presenceIdentity', () => {
  it('shows the display name, the colour of the user id and the most telling role', () => {
    const id = presenceIdentity({ userId: 'u1', name: ' Esther Koopmanschap ', under16: false, roles: ['panel_member', 'alderman', 'civil_servant'] })
    expect(id).toEqual({ id: 'u1', name: 'Esther Koopmanschap', color: colourFor('u1'), role: 'alderman' })
    expect(presenceIdentity({ userId: 'u1', name: 'X', under16: false, roles: [] }).role).toBeNull()
  })

  it('shows a member under 16 only by a safe name; anything else becomes a neutral word', () => {
    expect(panellid.name).toBe('Vrolijke Vos 27')
    const free = presenceIdentity({ userId: 'u2', name: 'UNMODERATED-NAME bel me 06…', under16: true, roles: ['panel_member'] })
    expect(free.name).toBe(FALLBACK_NAME)
    expect(free.role).toBe('panel_member')
    // An adult keeps a free name.
    expect(presenceIdentity({ userId: 'u3', name: 'Fatima B.', under16: false, roles: ['panel_member'] }).name).toBe('Fatima B.')
  })
})

describe('screenAwarenessUpdate', () => {
  it('replaces a forged user field (name, colour, role) with the server identity and drops unknown fields', () => {
    const owner = createPresenceOwner(panellid, T0)
    const forged = { user: { id: 'u-alderman', name: 'Wethouder (namaak)', color: '#000000', role: 'alderman' }, cursor, shout: 'bel me 06 12345678' }
    const r = screenAwarenessUpdate(encode([[7, 1, forged]]), owner, emptyRoom, defaultPresenceLimits, T0)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.claimed).toEqual([7])
    expect(r.entries).toBe(1)
    expect(decode(r.update)).toEqual([[7, 1, { user: { id: 'u-youth', name: 'Vrolijke Vos 27', color: colourFor('u-youth'), role: 'panel_member' }, cursor }]])
    expect(owner.ownedIds).toEqual(new Set([7]))
  })

  it('adds the identity to a state without a user field, and keeps a null caret', () => {
    const owner = createPresenceOwner(panellid, T0)
    const r = screenAwarenessUpdate(encode([[7, 1, { cursor: null }]]), owner, emptyRoom, defaultPresenceLimits, T0)
    expect(r.ok && decode(r.update)[0]![2]).toEqual({ user: panellid, cursor: null })
  })

  it("refuses a state for another person's client id, even as the first message", () => {
    const owner = createPresenceOwner(panellid, T0)
    const room: PresenceView = { ownerOf: (id) => (id === 9 ? 'u-alderman' : undefined), clockOf: (id) => (id === 9 ? 3 : undefined) }
    const r = screenAwarenessUpdate(encode([[9, 4, { user: { name: 'Wethouder' } }]]), owner, room, defaultPresenceLimits, T0)
    expect(r).toMatchObject({ ok: false, reason: 'foreign-client-id', close: true })
    expect(owner.ownedIds.size).toBe(0)
    // Also when it comes after an entry of its own in the same message: nothing of it is applied.
    const mixed = screenAwarenessUpdate(encode([[7, 1, {}], [9, 5, {}]]), owner, room, defaultPresenceLimits, T0)
    expect(mixed).toMatchObject({ ok: false, reason: 'foreign-client-id' })
    expect(owner.ownedIds.size).toBe(0)
  })

  it('lets a connection introduce only one client id (a browser tab uses one)', () => {
    const owner = createPresenceOwner(panellid, T0)
    expect(screenAwarenessUpdate(encode([[7, 1, {}]]), owner, emptyRoom, defaultPresenceLimits, T0).ok).toBe(true)
    const second = screenAwarenessUpdate(encode([[8, 1, {}]]), owner, emptyRoom, defaultPresenceLimits, T0 + 1000)
    expect(second).toMatchObject({ ok: false, reason: 'foreign-client-id', detail: 'too many client ids' })
    const many = createPresenceOwner(panellid, T0)
    const entries: Entry[] = Array.from({ length: 200 }, (_, i) => [100 + i, 1, {}])
    expect(screenAwarenessUpdate(encode(entries), many, emptyRoom, defaultPresenceLimits, T0)).toMatchObject({ ok: false, reason: 'foreign-client-id' })
  })

  it("drops echoes of other people's states silently (the y-websocket client sends them back)", () => {
    const owner = createPresenceOwner(panellid, T0)
    const room: PresenceView = { ownerOf: (id) => (id === 9 ? 'u-alderman' : undefined), clockOf: (id) => ({ 7: 1, 9: 3, 11: 2 })[id] }
    // 9 is someone else's, at the clock the server sent; 11 left (the server removed it at clock 2).
    const r = screenAwarenessUpdate(encode([[9, 3, { user: { name: 'Alderman' } }], [11, 2, null], [7, 2, { cursor }]]), owner, room, defaultPresenceLimits, T0)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    expect(r.entries).toBe(1)
    expect(decode(r.update).map((e) => e[0])).toEqual([7])
    // An echo-only message applies nothing and costs no rate.
    const echo = screenAwarenessUpdate(encode([[9, 3, {}]]), owner, room, defaultPresenceLimits, T0)
    expect(echo).toMatchObject({ ok: true, entries: 0, claimed: [] })
  })

  it('refuses a state above 2 KB, and so one of 1.9 MB, without parsing it', () => {
    const owner = createPresenceOwner(panellid, T0)
    const big = { cursor, pad: 'x'.repeat(2100) }
    expect(screenAwarenessUpdate(encode([[7, 1, big]]), owner, emptyRoom, defaultPresenceLimits, T0)).toMatchObject({ ok: false, reason: 'too-large', close: true })
    const huge = `{"pad":"${'y'.repeat(1.9 * 1024 * 1024)}"`
    expect(screenAwarenessUpdate(encode([[7, 1, huge]]), owner, emptyRoom, defaultPresenceLimits, T0)).toMatchObject({ ok: false, reason: 'too-large' })
    // The limit counts UTF-8 bytes: 700 × "€" is 2,100 bytes.
    expect(screenAwarenessUpdate(encode([[7, 1, { n: '€'.repeat(700) }]]), owner, emptyRoom, defaultPresenceLimits, T0)).toMatchObject({ ok: false, reason: 'too-large' })
    const justFits = { cursor: { pad: 'x'.repeat(1900) } }
    expect(screenAwarenessUpdate(encode([[7, 1, justFits]]), owner, emptyRoom, defaultPresenceLimits, T0).ok).toBe(true)
    // Too many entries in one message.
    const entries: Entry[] = Array.from({ length: 300 }, (_, i) => [i, 1, {}])
    expect(screenAwarenessUpdate(encode(entries), createPresenceOwner(panellid, T0), emptyRoom, defaultPresenceLimits, T0)).toMatchObject({ ok: false, reason: 'too-large' })
  })

  it('caps the rate: a burst of 40, then 20 a second; above that messages are dropped, a flood closes', () => {
    const owner = createPresenceOwner(panellid, T0)
    const at = (i: number, now: number) => screenAwarenessUpdate(encode([[7, i, { cursor }]]), owner, emptyRoom, defaultPresenceLimits, now)
    for (let i = 1; i <= 40; i++) expect(at(i, T0).ok).toBe(true)
    expect(at(41, T0)).toMatchObject({ ok: false, reason: 'rate', close: false })
    // After 100 ms two more tokens: the 8 keystrokes a second of the bench never come near.
    expect(at(42, T0 + 100).ok).toBe(true)
    expect(at(43, T0 + 100).ok).toBe(true)
    expect(at(44, T0 + 100)).toMatchObject({ ok: false, reason: 'rate', close: false })
    // A steady 8 per second for a minute after a pause passes every time.
    let now = T0 + 10_000
    for (let i = 0; i < 480; i++, now += 125) expect(at(100 + i, now).ok).toBe(true)
    // A flood: hundreds in the same instant. Dropped first, then closed.
    const results = Array.from({ length: 400 }, (_, i) => at(1000 + i, now))
    expect(results.some((r) => !r.ok && r.reason === 'rate' && !r.close)).toBe(true)
    expect(results.at(-1)).toMatchObject({ ok: false, reason: 'rate', close: true })
  })

  it('allows removing its own state, and refuses removing a foreign one', () => {
    const owner = createPresenceOwner(panellid, T0)
    const room: PresenceView = { ownerOf: (id) => (id === 9 ? 'u-alderman' : undefined), clockOf: (id) => ({ 7: 1, 9: 3 })[id] }
    expect(screenAwarenessUpdate(encode([[7, 1, {}]]), owner, emptyRoom, defaultPresenceLimits, T0).ok).toBe(true)
    const own = screenAwarenessUpdate(encode([[7, 2, null]]), owner, room, defaultPresenceLimits, T0 + 1000)
    expect(own).toMatchObject({ ok: true, removed: [7], entries: 1 })
    expect(own.ok && decode(own.update)).toEqual([[7, 2, null]])
    const foreign = screenAwarenessUpdate(encode([[9, 4, null]]), owner, room, defaultPresenceLimits, T0 + 2000)
    expect(foreign).toMatchObject({ ok: false, reason: 'foreign-client-id', close: true })
  })

  it('refuses malformed updates: truncated, trailing bytes, bad JSON, non-object states, bad UTF-8', () => {
    const owner = createPresenceOwner(panellid, T0)
    const screen = (u: Uint8Array) => screenAwarenessUpdate(u, owner, emptyRoom, defaultPresenceLimits, T0)
    const good = encode([[7, 1, {}]])
    expect(screen(good.subarray(0, good.length - 1))).toMatchObject({ ok: false, reason: 'malformed', close: true })
    expect(screen(new Uint8Array())).toMatchObject({ ok: false, reason: 'malformed' })
    expect(screen(encode([[7, 1, {}]], (e) => encoding.writeVarUint(e, 5)))).toMatchObject({ ok: false, reason: 'malformed' })
    expect(screen(encode([[7, 1, '{"user":']]))).toMatchObject({ ok: false, reason: 'malformed' })
    expect(screen(encode([[7, 1, [1, 2]]]))).toMatchObject({ ok: false, reason: 'malformed' })
    expect(screen(encode([[7, 1, 42]]))).toMatchObject({ ok: false, reason: 'malformed' })
    const badUtf8 = encoding.createEncoder()
    encoding.writeVarUint(badUtf8, 1)
    encoding.writeVarUint(badUtf8, 7)
    encoding.writeVarUint(badUtf8, 1)
    encoding.writeVarUint8Array(badUtf8, new Uint8Array([0x7b, 0xff, 0x7d]))
    expect(screen(encoding.toUint8Array(badUtf8))).toMatchObject({ ok: false, reason: 'malformed' })
    expect(owner.ownedIds.size).toBe(0)
  })

  it('reads what the real y-protocols encoder writes, and its output applies to a real Awareness', () => {
    const client = new awarenessProtocol.Awareness(new Y.Doc())
    client.setLocalState({ user: { name: 'Wethouder (namaak)', color: '#ff0000' }, cursor })
    const owner = createPresenceOwner(panellid, T0)
    const r = screenAwarenessUpdate(awarenessProtocol.encodeAwarenessUpdate(client, [client.clientID]), owner, emptyRoom, defaultPresenceLimits, T0)
    expect(r.ok).toBe(true)
    if (!r.ok) return
    const room = new awarenessProtocol.Awareness(new Y.Doc())
    room.setLocalState(null)
    awarenessProtocol.applyAwarenessUpdate(room, r.update, 'conn')
    expect(room.getStates().get(client.clientID)).toEqual({ user: panellid, cursor })
    client.destroy()
    room.destroy()
  })

  it('logs a violation once per connection, and names a 44xx close code', () => {
    const owner = createPresenceOwner(panellid, T0)
    expect(firstViolation(owner)).toBe(true)
    expect(firstViolation(owner)).toBe(false)
    expect(CLOSE_PRESENCE).toBeGreaterThanOrEqual(4400)
    expect(CLOSE_PRESENCE).toBeLessThan(4500)
  })
})

describe('PresenceRoster', () => {
  const alderman = presenceIdentity({ userId: 'u-alderman', name: 'Joost', under16: false, roles: ['alderman'] })

  it("keeps each connection to its own ids, hands an id over to the same person's new connection, and releases on leave", () => {
    const clocks = new Map<number, number>()
    const roster = new PresenceRoster<string>((id) => clocks.get(id))
    roster.join('youth', panellid, T0)
    roster.join('alderman', alderman, T0)
    const a = roster.screen('alderman', encode([[9, 1, {}]]), T0)
    expect(a).toMatchObject({ ok: true, claimed: [9] })
    clocks.set(9, 1)
    // The youth may not overwrite the alderman's state.
    expect(roster.screen('youth', encode([[9, 2, { user: { name: 'Wethouder' } }]]), T0)).toMatchObject({ ok: false, reason: 'foreign-client-id' })
    // The alderman reconnects (the old socket is not yet closed): the same person takes the id over.
    roster.join('alderman-2', alderman, T0)
    expect(roster.screen('alderman-2', encode([[9, 2, {}]]), T0)).toMatchObject({ ok: true, claimed: [9] })
    clocks.set(9, 2)
    // When the old socket closes, the state stays: it is the new connection's now.
    expect(roster.leave('alderman')).toEqual([])
    expect(roster.leave('alderman-2')).toEqual([9])
    expect(roster.leave('youth')).toEqual([])
    // An unknown connection is refused.
    expect(roster.screen('nobody', encode([[1, 1, {}]]), T0)).toMatchObject({ ok: false, reason: 'malformed' })
  })
})

describe('PresenceGate (the beforeAwareness hook)', () => {
  const alderman = presenceIdentity({ userId: 'u-alderman', name: 'Joost', under16: false, roles: ['alderman'] })
  function setup() {
    let now = T0
    const warnings: Array<Record<string, unknown> | undefined> = []
    const gate = new PresenceGate({ clock: () => new Date(now), logger: { warn: (_m, f) => warnings.push(f) } })
    gate.setIdentity('u-youth', 'doc', panellid)
    gate.setIdentity('u-alderman', 'doc', alderman)
    const presence = new PresenceStore(() => now)
    const youth = { userId: 'u-youth', awarenessIds: new Set<number>() }
    const joost = { userId: 'u-alderman', awarenessIds: new Set<number>() }
    /** What the room does: ask the hook, then apply what it allows. */
    const send = (conn: typeof youth, entries: Entry[]) => {
      const verdict = gate.beforeAwareness({ docId: 'doc', conn, update: encode(entries), presence })
      if (verdict.ok) presence.apply(conn, decodePresence(verdict.update ?? encode(entries)))
      return verdict
    }
    /** the state the room holds for a client id, parsed */
    const state = (id: number): unknown => {
      const e = presence.snapshot().find((x) => x.clientId === id)
      return e ? JSON.parse(e.json) : undefined
    }
    return { gate, presence, state, youth, joost, send, warnings, tick: (ms: number) => (now += ms) }
  }

  it('rewrites the user field, refuses a foreign id with CLOSE_PRESENCE and logs once per connection', () => {
    const { gate, presence, state, youth, joost, send, warnings } = setup()
    expect(send(joost, [[9, 1, { user: { name: 'Joost' }, cursor: null }]]).ok).toBe(true)
    expect(send(youth, [[7, 1, { user: { name: 'Wethouder (namaak)', role: 'alderman' }, cursor: null }]]).ok).toBe(true)
    expect(state(7)).toEqual({ user: panellid, cursor: null })
    expect(state(9)).toEqual({ user: alderman, cursor: null })
    expect(youth.awarenessIds).toEqual(new Set([7]))
    const forged = send(youth, [[9, 2, { user: { name: 'Ik stop ermee' } }]])
    expect(forged).toEqual({ ok: false, closeCode: CLOSE_PRESENCE, reason: 'presence: foreign-client-id' })
    expect(send(youth, [[9, 3, null]])).toMatchObject({ ok: false, closeCode: CLOSE_PRESENCE })
    expect(state(9)).toEqual({ user: alderman, cursor: null })
    // Garbage is malformed like any other message (4400), and still logged only once.
    expect(gate.beforeAwareness({ docId: 'doc', conn: youth, update: new Uint8Array([5, 1]), presence })).toMatchObject({ ok: false, closeCode: 4400 })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({ docId: 'doc', userId: 'u-youth', reason: 'foreign-client-id' })
    expect(JSON.stringify(warnings)).not.toContain('Ik stop ermee')
  })

  it("answers echoes and over-rate messages with an empty update: nothing applied, the socket stays", () => {
    const { state, youth, joost, send, tick } = setup()
    send(joost, [[9, 1, { cursor: null }]])
    send(youth, [[7, 1, { cursor: null }]])
    // The youth's client echoes Joost's state back, as y-websocket does.
    const echo = send(youth, [[9, 1, { user: { name: 'Joost' }, cursor: null }]])
    expect(echo.ok && echo.update).toEqual(new Uint8Array([0]))
    for (let i = 2; i < 45; i++) send(youth, [[7, i, { cursor: { n: i } }]])
    const over = send(youth, [[7, 45, { cursor: { n: 45 } }]])
    expect(over).toEqual({ ok: true, update: new Uint8Array([0]) })
    expect((state(7) as { cursor: { n: number } }).cursor.n).toBeLessThan(45)
    tick(1000)
    expect(send(youth, [[7, 46, { cursor: { n: 46 } }]]).ok).toBe(true)
    expect((state(7) as { cursor: { n: number } }).cursor.n).toBe(46)
  })

  it("hands an id to the same person's new connection; a connection not prepared is shown neutrally", () => {
    const { gate, youth, send, state } = setup()
    send(youth, [[7, 1, { cursor: null }]])
    const again = { userId: 'u-youth', awarenessIds: new Set<number>() }
    expect(send(again, [[7, 2, { cursor: null }]]).ok).toBe(true)
    expect(again.awarenessIds).toEqual(new Set([7]))
    expect(youth.awarenessIds.has(7)).toBe(false)
    const stranger = { userId: 'u-unknown', awarenessIds: new Set<number>() }
    send(stranger, [[5, 1, { user: { name: 'Wethouder' } }]])
    expect(state(5)).toEqual({ user: { id: 'u-unknown', name: FALLBACK_NAME, color: colourFor('u-unknown'), role: null } })
    expect(gate.identityOf('u-unknown', 'doc').name).toBe(FALLBACK_NAME)
  })

  it('withPresence loads the identity at each authorised upgrade and chains an earlier beforeAwareness', async () => {
    const prepared: string[] = []
    const gate = new PresenceGate({ clock: () => new Date(T0) })
    gate.prepare = async (userId, docId) => {
      prepared.push(`${userId}@${docId}`)
      gate.setIdentity(userId, docId, panellid)
    }
    const hooks = withPresence(
      {
        authorize: async () => ({ ok: true, userId: 'u-youth', docId: 'doc', permission: 'comment', actor: { userId: 'u-youth', memberships: [] } }),
        permissionOf: async () => 'comment',
        beforeAwareness: (a) => (a.update.length > 100 ? { ok: false, closeCode: 4413, reason: 'earlier hook' } : { ok: true }),
      },
      gate,
    )
    await hooks.authorize({} as never)
    expect(prepared).toEqual(['u-youth@doc'])
    const presence = new PresenceStore(() => T0)
    const conn = { userId: 'u-youth', permission: 'comment' as const, awarenessIds: new Set<number>() }
    const ok = hooks.beforeAwareness!({ docId: 'doc', conn, update: encode([[7, 1, { cursor: null }]]), presence })
    expect(ok.ok && decode(ok.update!)).toEqual([[7, 1, { user: panellid, cursor: null }]])
    expect(hooks.beforeAwareness!({ docId: 'doc', conn, update: encode([[7, 2, { cursor: { pad: 'x'.repeat(200) } }]]), presence })).toMatchObject({ ok: false, closeCode: 4413 })
  })
})
