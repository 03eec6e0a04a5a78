import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import type { RoomPresence } from './presence'

/**
 * Presence (y-protocols "awareness") as the server needs it: it only relays carets and names, so
 * it keeps each state as the JSON text it relays and never parses, compares or re-serialises a
 * state it already holds. y-protocols' Awareness does all three for every caret move, and that was
 * the largest single cost of the server under load (docs/BENCHMARKS.md, "Where the time goes").
 *
 * The rules are y-protocols' own (the unit test checks them against Awareness on random streams):
 * an entry replaces the one held when its clock is newer, or when it removes (null) at the same clock; clocks of removed
 * clients are remembered so that an old entry cannot bring them back; a state that was not renewed
 * for `outdatedMs` (clients renew every 15 s) is dropped, as Awareness does on its own timer.
 */
export interface PresenceEntry {
  clientId: number
  clock: number
  /** the state as JSON text; 'null' removes the client */
  json: string
}

interface Held {
  clock: number
  json: string
  owner: object | null
  updatedAt: number
}

export const OUTDATED_MS = 30_000

/** Reads an awareness update (varUint count, then clientId, clock and JSON per entry); throws when malformed. */
export function decodePresence(update: Uint8Array): PresenceEntry[] {
  const decoder = decoding.createDecoder(update)
  const count = decoding.readVarUint(decoder)
  const out: PresenceEntry[] = []
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder)
    const clock = decoding.readVarUint(decoder)
    const json = decoding.readVarString(decoder)
    out.push({ clientId, clock, json })
  }
  return out
}

export function encodePresence(entries: Iterable<PresenceEntry>): Uint8Array {
  const list = [...entries]
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, list.length)
  for (const e of list) {
    encoding.writeVarUint(encoder, e.clientId)
    encoding.writeVarUint(encoder, e.clock)
    encoding.writeVarString(encoder, e.json)
  }
  return encoding.toUint8Array(encoder)
}

export class PresenceStore implements RoomPresence {
  private readonly held = new Map<number, Held>()

  constructor(
    private readonly now: () => number = Date.now,
    private readonly outdatedMs = OUTDATED_MS,
  ) {}

  clockOf(clientId: number): number | undefined {
    return this.held.get(clientId)?.clock
  }

  has(clientId: number): boolean {
    const h = this.held.get(clientId)
    return h !== undefined && h.json !== 'null'
  }

  /** The connection (or other owner) that introduced this client id, while its state is held. */
  ownerOf(clientId: number): object | null | undefined {
    const h = this.held.get(clientId)
    return h && h.json !== 'null' ? h.owner : undefined
  }

  /**
   * Applies entries on behalf of `owner` and returns those that changed what is held, in order:
   * exactly what must be relayed to everyone.
   */
  apply(owner: object | null, entries: PresenceEntry[]): PresenceEntry[] {
    const changed: PresenceEntry[] = []
    const at = this.now()
    for (const e of entries) {
      const h = this.held.get(e.clientId)
      const removal = e.json === 'null'
      // y-protocols counts an unknown client as clock 0: its first state needs clock 1 or more
      const newer = (h?.clock ?? 0) < e.clock
      const removesAtSameClock = h !== undefined && h.clock === e.clock && removal && h.json !== 'null'
      if (!newer && !removesAtSameClock) continue
      this.held.set(e.clientId, { clock: e.clock, json: e.json, owner: removal ? null : owner, updatedAt: at })
      // removing a client nobody has seen changes nothing the others hold: remembered, not relayed
      if (removal && !h) continue
      changed.push(e)
    }
    return changed
  }

  /** Removes every state `owner` holds (its connection closed); returns the removals to relay. */
  removeOwner(owner: object): PresenceEntry[] {
    const removals: PresenceEntry[] = []
    for (const [clientId, h] of this.held) {
      if (h.owner !== owner || h.json === 'null') continue
      const e = { clientId, clock: h.clock + 1, json: 'null' }
      this.held.set(clientId, { clock: e.clock, json: e.json, owner: null, updatedAt: this.now() })
      removals.push(e)
    }
    return removals
  }

  /** Every live state, for a newcomer; states not renewed in time are dropped on the way. */
  snapshot(): PresenceEntry[] {
    const out: PresenceEntry[] = []
    const limit = this.now() - this.outdatedMs
    for (const [clientId, h] of this.held) {
      if (h.json === 'null') continue
      if (h.updatedAt < limit) {
        // Keep the clock, as Awareness keeps its meta: an old copy of this state stays refused.
        this.held.set(clientId, { ...h, json: 'null', owner: null })
        continue
      }
      out.push({ clientId, clock: h.clock, json: h.json })
    }
    return out
  }

  /** Live states held (for tests and stats). */
  get size(): number {
    let n = 0
    for (const h of this.held.values()) if (h.json !== 'null') n++
    return n
  }
}
