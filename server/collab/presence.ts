import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import type { DB } from '../../db/connect'
import type { Role } from '../../db/schema'
import { colourFor } from '../../app/editor/presence'
import { loadActor } from '../auth/actor'
import { shownRole } from '../policy/roles'
import { isSafeName } from '../modules/accounts/names'
import type { CollabHooks } from './hooks'

/**
 * Presence (awareness) is granted by the server, not claimed by the client (issue 7 §2, ADR 0012).
 *
 * Every awareness message a connection sends is screened here *before* anything is applied to the
 * room's Awareness, so a forged or oversize state never reaches another client:
 * - a connection sets only the states of client ids it introduced itself (at most
 *   `maxIdsPerConnection`, a browser tab uses one) and that no other person's connection holds;
 * - the `user` field (name, colour, role) is replaced by the server's identity of the person, and
 *   fields other than `user` and `cursor` are dropped;
 * - each state is at most `maxStateBytes` of JSON, a message at most `maxEntriesPerMessage` entries;
 * - relayed messages are rate-capped per connection (token bucket);
 * - a removal (null state) only for its own ids.
 *
 * The y-websocket client echoes every awareness change it receives back to the server (with the
 * clock the server sent). Such echoes of other people's states (clock not newer than the server's)
 * are dropped silently: they are not forgeries, and they are never relayed.
 */

/** Close code for a connection that broke a presence rule (44xx: the client does not reconnect). */
export const CLOSE_PRESENCE = 4408
/** An undecodable awareness message is malformed like any other: room.ts's CLOSE.malformed. */
export const CLOSE_MALFORMED = 4400

/** The close code for a refused presence update. */
export function closeCodeFor(reason: PresenceViolation): number {
  return reason === 'malformed' ? CLOSE_MALFORMED : CLOSE_PRESENCE
}

export interface PresenceLimits {
  /** largest JSON of one state, in bytes (UTF-8) */
  maxStateBytes: number
  /** entries in one awareness message (an echo of the room's states has one per person present) */
  maxEntriesPerMessage: number
  /** client ids one connection may introduce */
  maxIdsPerConnection: number
  /** relayed messages per second, sustained, and the burst above it: more are dropped, not relayed */
  ratePerSecond: number
  burst: number
  /** far above what a person produces: a connection sustaining more is closed */
  floodPerSecond: number
  floodBurst: number
}

export const defaultPresenceLimits: PresenceLimits = {
  maxStateBytes: 2048,
  maxEntriesPerMessage: 256,
  maxIdsPerConnection: 1,
  // The caret moves with every keystroke and while dragging a selection; the bench sends 8/s.
  ratePerSecond: 20,
  burst: 40,
  floodPerSecond: 100,
  floodBurst: 200,
}

/** What everybody in a document sees of a person, set by the server. */
export interface PresenceIdentity {
  /** the user id: several tabs of one person count once */
  id: string
  name: string
  /** #rrggbb, the same in every document (app/editor/presence.ts) */
  color: string
  /** the person's role in the document's region (a key of `role.*` in app/i18n/messages.ts), null when none */
  role: Role | null
}


/**
 * The server's presence identity of a person: their display name (for members under 16 only a
 * name that passes the safe-name rule, otherwise just their role), their colour from the user id,
 * and the role shown for them (policy/roles.ts shownRole).
 */
export function presenceIdentity(input: { userId: string; name: string; under16: boolean; roles: Iterable<Role> }): PresenceIdentity {
  const role = shownRole(input.roles)
  const name = input.name.trim()
  const shownName = (input.under16 && !isSafeName(name)) || !name ? FALLBACK_NAME : name.slice(0, 80)
  return { id: input.userId, name: shownName, color: colourFor(input.userId), role }
}

/** Shown when a name may not be shown; the role label beside it says who this is. */
export const FALLBACK_NAME = 'Deelnemer'

/** Loads the identity of a user in a document's region; null when the user or document is gone. */
export async function loadPresenceIdentity(db: DB, userId: string, docId: string): Promise<PresenceIdentity | null> {
  const [user, doc] = await Promise.all([
    db.selectFrom('users').select(['id', 'name', 'under_16']).where('id', '=', userId).executeTakeFirst(),
    db.selectFrom('documents').select(['region_id']).where('id', '=', docId).executeTakeFirst(),
  ])
  if (!user || !doc) return null
  // loadActor leaves out the regions where a member under 16 has no guardian's consent.
  const actor = await loadActor(db, user)
  return presenceIdentity({
    userId: user.id,
    name: user.name,
    under16: Boolean(user.under_16),
    roles: actor.memberships.filter((m) => m.regionId === doc.region_id).map((m) => m.role),
  })
}

interface Bucket {
  tokens: number
  /** ms */
  at: number
}

/** One connection's presence: who it is, the ids it introduced, its rate buckets. */
export interface PresenceOwner {
  readonly identity: PresenceIdentity
  readonly ownedIds: Set<number>
  readonly rate: Bucket
  readonly flood: Bucket
  /** set by `firstViolation`, so each connection's violation is logged once */
  violationLogged: boolean
}

export function createPresenceOwner(identity: PresenceIdentity, now: number, limits: PresenceLimits = defaultPresenceLimits): PresenceOwner {
  return {
    identity,
    ownedIds: new Set(),
    rate: { tokens: limits.burst, at: now },
    flood: { tokens: limits.floodBurst, at: now },
    violationLogged: false,
  }
}

/** What the screener needs to know about the room. */
export interface PresenceView {
  /** the user id of the *other* connection that holds this client id, if any */
  ownerOf(clientId: number): string | undefined
  /** the clock the room's Awareness has for this client id (awareness.meta), if any */
  clockOf(clientId: number): number | undefined
}

export type PresenceViolation = 'foreign-client-id' | 'too-large' | 'rate' | 'malformed'

export type ScreenResult =
  | {
      ok: true
      /** the message to apply to the room's Awareness: owned entries only, with the server's `user` */
      update: Uint8Array
      /** ids this connection holds from now on (new, or taken over from another connection of the same person) */
      claimed: number[]
      /** own ids whose state the connection removed */
      removed: number[]
      /** entries in `update`; 0 when the message held only echoes (then apply nothing) */
      entries: number
    }
  | {
      ok: false
      reason: PresenceViolation
      /** close the connection (CLOSE_PRESENCE); false: only drop this message ('rate' below the flood cap) */
      close: boolean
      /** for the log: never the state's content */
      detail: string
    }

const fail = (reason: PresenceViolation, detail: string, close = true): ScreenResult => ({ ok: false, reason, close, detail })
const utf8 = new TextDecoder('utf-8', { fatal: true })

function take(bucket: Bucket, perSecond: number, burst: number, now: number): boolean {
  const elapsed = Math.max(0, now - bucket.at)
  bucket.tokens = Math.min(burst, bucket.tokens + (elapsed * perSecond) / 1000)
  bucket.at = Math.max(bucket.at, now)
  if (bucket.tokens < 1) return false
  bucket.tokens -= 1
  return true
}

/**
 * Screens one awareness update (the payload of a y-websocket awareness message) of a connection.
 * On success `owner.ownedIds` includes `claimed` and the rate buckets are charged; the caller
 * applies `update` (when `entries > 0`) and moves `claimed` ids away from any other connection.
 * Nothing else is changed on failure, except that refused messages count towards the flood cap.
 */
export function screenAwarenessUpdate(
  update: Uint8Array,
  owner: PresenceOwner,
  view: PresenceView,
  limits: PresenceLimits = defaultPresenceLimits,
  now: number,
): ScreenResult {
  type Entry = { clientId: number; clock: number; state: Record<string, unknown> | null }
  const accepted: Entry[] = []
  const claimed: number[] = []
  const removed: number[] = []
  try {
    const decoder = decoding.createDecoder(update)
    const count = decoding.readVarUint(decoder)
    // Each entry takes at least 3 bytes: a count the message cannot hold is garbage, not abuse.
    if (count > (update.length - decoder.pos) / 3) return fail('malformed', 'entry count beyond the message')
    if (count > limits.maxEntriesPerMessage) return fail('too-large', `${count} entries`)
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(decoder)
      const clock = decoding.readVarUint(decoder)
      // A varString is its UTF-8 bytes with their length in front: check the length before decoding.
      const bytes = decoding.readVarUint8Array(decoder)
      if (bytes.length > limits.maxStateBytes) return fail('too-large', `state of ${bytes.length} bytes`)
      const owned = owner.ownedIds.has(clientId)
      if (!owned) {
        const known = view.clockOf(clientId)
        // An echo of what the room already has (or older): harmless, not relayed, not even parsed
        // (every client echoes every caret move of everyone, so this is the common case).
        if (known !== undefined && clock <= known) continue
      }
      const parsed: unknown = JSON.parse(utf8.decode(bytes))
      if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) return fail('malformed', 'state is not an object')
      const state = parsed as Record<string, unknown> | null

      if (!owned) {
        const other = view.ownerOf(clientId)
        if (other !== undefined && other !== owner.identity.id) return fail('foreign-client-id', state === null ? 'removal of a foreign id' : 'state of a foreign id')
        // A removal of an id nobody else holds, or of this person's other tab: nothing to relay.
        if (state === null) continue
        if (!claimed.includes(clientId)) {
          if (owner.ownedIds.size + claimed.length >= limits.maxIdsPerConnection) return fail('foreign-client-id', 'too many client ids')
          claimed.push(clientId)
        }
      }
      if (state === null) removed.push(clientId)
      accepted.push({ clientId, clock, state })
    }
    if (decoder.pos !== update.length) return fail('malformed', 'trailing bytes')
  } catch {
    return fail('malformed', 'undecodable awareness update')
  }

  if (accepted.length > 0) {
    // A flood closes the connection; above the ordinary rate a message is only dropped, so a quick
    // selection drag costs a few caret positions, never the connection.
    if (!take(owner.flood, limits.floodPerSecond, limits.floodBurst, now)) return fail('rate', 'flood', true)
    if (!take(owner.rate, limits.ratePerSecond, limits.burst, now)) return fail('rate', 'rate', false)
  }
  for (const id of claimed) owner.ownedIds.add(id)

  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, accepted.length)
  for (const e of accepted) {
    encoding.writeVarUint(encoder, e.clientId)
    encoding.writeVarUint(encoder, e.clock)
    encoding.writeVarString(encoder, JSON.stringify(e.state === null ? null : sanitise(e.state, owner.identity)))
  }
  return { ok: true, update: encoding.toUint8Array(encoder), claimed, removed, entries: accepted.length }
}

/** Keeps the caret (an object or null) and sets the server's identity; drops everything else. */
function sanitise(state: Record<string, unknown>, identity: PresenceIdentity): Record<string, unknown> {
  const out: Record<string, unknown> = { user: { ...identity } }
  const cursor = state.cursor
  if (cursor === null || (typeof cursor === 'object' && !Array.isArray(cursor))) out.cursor = cursor
  return out
}

/** True the first time a connection breaks a rule: log then, and stay quiet after. */
export function firstViolation(owner: PresenceOwner): boolean {
  if (owner.violationLogged) return false
  owner.violationLogged = true
  return true
}

/**
 * The presence of one room: which connection holds which client id. A thin stateful wrapper
 * around `screenAwarenessUpdate` for the room to call; K is the room's connection object.
 */
export class PresenceRoster<K> {
  private readonly holders = new Map<number, K>()
  private readonly owners = new Map<K, PresenceOwner>()

  constructor(
    /** awareness.meta.get(id)?.clock of the room's Awareness */
    private readonly clockOf: (clientId: number) => number | undefined,
    readonly limits: PresenceLimits = defaultPresenceLimits,
  ) {}

  join(conn: K, identity: PresenceIdentity, now: number): PresenceOwner {
    const owner = createPresenceOwner(identity, now, this.limits)
    this.owners.set(conn, owner)
    return owner
  }

  owner(conn: K): PresenceOwner | undefined {
    return this.owners.get(conn)
  }

  /** Screens a message; on success the ids it claimed are this connection's from now on. */
  screen(conn: K, update: Uint8Array, now: number): ScreenResult {
    const owner = this.owners.get(conn)
    if (!owner) return fail('malformed', 'connection has not joined')
    const result = screenAwarenessUpdate(
      update,
      owner,
      {
        ownerOf: (id) => {
          const holder = this.holders.get(id)
          return holder === undefined || holder === conn ? undefined : this.owners.get(holder)?.identity.id
        },
        clockOf: this.clockOf,
      },
      this.limits,
      now,
    )
    if (result.ok) {
      for (const id of result.claimed) {
        const previous = this.holders.get(id)
        if (previous !== undefined && previous !== conn) this.owners.get(previous)?.ownedIds.delete(id)
        this.holders.set(id, conn)
      }
    }
    return result
  }

  /** Forgets a closed connection; returns the ids whose states the room should now remove. */
  leave(conn: K): number[] {
    const owner = this.owners.get(conn)
    this.owners.delete(conn)
    if (!owner) return []
    const ids = [...owner.ownedIds].filter((id) => this.holders.get(id) === conn)
    for (const id of ids) this.holders.delete(id)
    return ids
  }
}

/** The room's presence as far as the screener needs it (server/collab/presence-store.ts). */
export interface RoomPresence {
  /** the clock held for this client id, also after its state was removed */
  clockOf(clientId: number): number | undefined
  /** whether a live state is held for this client id */
  has(clientId: number): boolean
  /** live states held */
  readonly size: number
}

/** What the `beforeAwareness` hook of server/collab/hooks.ts hands over (kept structural here). */
export interface AwarenessAttemptLike {
  docId: string
  conn: { userId: string; awarenessIds: Set<number> }
  update: Uint8Array
  presence: RoomPresence
}
export type AwarenessVerdictLike = { ok: true; update?: Uint8Array } | { ok: false; closeCode: number; reason: string }

interface PresenceLogger {
  warn(msg: string, fields?: Record<string, unknown>): void
}

/**
 * The presence rules as the collaboration server's `beforeAwareness` hook, plus the identity
 * cache it needs. Wiring (see ADR 0012):
 *
 *   const presence = new PresenceGate({ db, clock, logger })
 *   hooks.authorize = async (req) => { const d = await authorize(req); if (d.ok) await presence.prepare(d.userId, d.docId); return d }
 *   hooks.beforeAwareness = presence.beforeAwareness
 *
 * `prepare` loads the person's identity (name, colour, role) when they connect; the hook is
 * synchronous. A message that only echoes other people's states, or that is over the ordinary
 * rate, is answered with an empty update (nothing applied, nothing relayed, the socket stays).
 */
export class PresenceGate {
  private readonly identities = new Map<string, PresenceIdentity>()
  private readonly owners = new WeakMap<object, PresenceOwner>()
  /** client id → the connection holding it, per room's Awareness */
  private readonly holders = new WeakMap<RoomPresence, Map<number, AwarenessAttemptLike['conn']>>()
  readonly limits: PresenceLimits
  private static readonly EMPTY = new Uint8Array([0])
  private static readonly MAX_IDENTITIES = 10_000

  constructor(
    private readonly deps: {
      db?: DB
      clock: () => Date
      logger?: PresenceLogger
      limits?: Partial<PresenceLimits>
    },
  ) {
    this.limits = { ...defaultPresenceLimits, ...deps.limits }
  }

  /** Loads (again) the identity of a person in a document; call it at every authorised upgrade. */
  async prepare(userId: string, docId: string): Promise<void> {
    if (!this.deps.db) throw new Error('PresenceGate.prepare needs a db')
    const identity = await loadPresenceIdentity(this.deps.db, userId, docId)
    if (identity) this.setIdentity(userId, docId, identity)
  }

  setIdentity(userId: string, docId: string, identity: PresenceIdentity): void {
    const key = `${docId}\n${userId}`
    this.identities.delete(key)
    this.identities.set(key, identity)
    if (this.identities.size > PresenceGate.MAX_IDENTITIES) this.identities.delete(this.identities.keys().next().value!)
  }

  /** The identity shown for a person: a neutral one when it was not prepared (never the client's). */
  identityOf(userId: string, docId: string): PresenceIdentity {
    return this.identities.get(`${docId}\n${userId}`) ?? { id: userId, name: FALLBACK_NAME, color: colourFor(userId), role: null }
  }

  beforeAwareness = (attempt: AwarenessAttemptLike): AwarenessVerdictLike => {
    const { conn, presence, docId } = attempt
    const now = this.deps.clock().getTime()
    let owner = this.owners.get(conn)
    if (!owner) {
      owner = createPresenceOwner(this.identityOf(conn.userId, docId), now, this.limits)
      this.owners.set(conn, owner)
    }
    let holders = this.holders.get(presence)
    if (!holders) {
      holders = new Map()
      this.holders.set(presence, holders)
    }
    const result = screenAwarenessUpdate(
      attempt.update,
      owner,
      {
        ownerOf: (id) => {
          const holder = holders.get(id)
          // A holder counts while the room still has a state for the id (a closed connection's are removed).
          if (!holder || holder === conn || !presence.has(id)) return undefined
          return holder.userId
        },
        clockOf: (id) => presence.clockOf(id),
      },
      this.limits,
      now,
    )
    if (!result.ok) {
      if (firstViolation(owner)) this.deps.logger?.warn('collab: presence refused', { docId, userId: conn.userId, reason: result.reason, detail: result.detail })
      return result.close ? { ok: false, closeCode: closeCodeFor(result.reason), reason: `presence: ${result.reason}` } : { ok: true, update: PresenceGate.EMPTY }
    }
    for (const id of result.claimed) {
      const previous = holders.get(id)
      // Taken over by the same person's new connection: the old one must not remove it on closing.
      if (previous && previous !== conn) {
        previous.awarenessIds.delete(id)
        this.owners.get(previous)?.ownedIds.delete(id)
      }
      holders.set(id, conn)
      conn.awarenessIds.add(id)
    }
    // Forget ids whose states are gone, so the map does not grow with every visitor.
    if (holders.size > 4 * presence.size + 64) for (const id of holders.keys()) if (!presence.has(id)) holders.delete(id)
    return { ok: true, update: result.entries > 0 ? result.update : PresenceGate.EMPTY }
  }
}

/**
 * The portal's hooks with the presence rules added: the identity is loaded at every authorised
 * upgrade, and every awareness message passes the gate (after any beforeAwareness already there).
 * In server/app.ts: `hooks: withPresence(portalHooks({...}), new PresenceGate({ db, clock, logger }))`.
 */
export function withPresence(hooks: CollabHooks, gate: PresenceGate): CollabHooks {
  const before = hooks.beforeAwareness
  return {
    ...hooks,
    authorize: async (req) => {
      const decision = await hooks.authorize(req)
      if (decision.ok) await gate.prepare(decision.userId, decision.docId)
      return decision
    },
    beforeAwareness: (attempt) => {
      if (before) {
        const verdict = before(attempt)
        if (!verdict.ok) return verdict
        if (verdict.update) attempt = { ...attempt, update: verdict.update }
      }
      return gate.beforeAwareness(attempt)
    },
  }
}
