import * as Y from 'yjs'
import * as syncProtocol from 'y-protocols/sync'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import type { WebSocket } from 'ws'
import type { Permission } from '../policy/can'
import type { Logger } from '../lib/log'
import type { Clock } from '../lib/time'
import type { CollabStorage } from './persistence'
import type { AwarenessVerdict, CollabHooks, Verdict } from './hooks'
import { decodePresence, encodePresence, PresenceStore, type PresenceEntry } from './presence-store'

/** The y-websocket protocol's outer message types. */
export const MESSAGE_SYNC = 0
export const MESSAGE_AWARENESS = 1
export const MESSAGE_AUTH = 2
export const MESSAGE_QUERY_AWARENESS = 3
/**
 * Samenspel's own outer message (server → client): whether the document's storage keeps up.
 * A varUint follows: STORAGE_STATUS.stored or STORAGE_STATUS.retrying. Clients that do not know
 * the type ignore it (y-websocket logs it and goes on).
 */
export const MESSAGE_STORAGE_STATUS = 100
export const STORAGE_STATUS = { stored: 0, retrying: 1 } as const

/**
 * Close codes, following the y-websocket client's convention: 44xx means "do not reconnect"
 * (mirroring HTTP 4xx), 45xx "try again later", other 4xxx codes reconnect at once.
 */
export const CLOSE = {
  /** this person's sessions or memberships changed: reconnect, and be authorised afresh */
  reauthorize: 4001,
  /** what this person may do with the document changed (a lock, a deadline): reconnect, and the page reloads its mode */
  permissionChanged: 4002,
  /** storage is back after edits of this connection were dropped: reconnect, and the sync exchange resends them */
  resync: 4003,
  /** a malformed message: this connection ends, and the client should not retry it */
  malformed: 4400,
  /** no access to this document any more */
  forbidden: 4403,
  /** loading the document failed: edits stay with the client, which retries later */
  storageFailed: 4500,
} as const

/** Updates that came from another instance's log: already persisted, so only broadcast. */
const REMOTE = Symbol('remote')
/**
 * Changes the server makes itself (restoring a version) by a transaction on room.doc with this
 * origin: the one exception to store-before-apply (see ADR 0010); they are stored like a client's
 * and broadcast once stored.
 */
export const SERVER_ORIGIN = Symbol('server')

export interface Conn {
  ws: WebSocket
  userId: string
  permission: Permission
  /** awareness client ids this connection controls, removed when it closes */
  awarenessIds: Set<number>
  /** messages are handled one at a time, in order */
  queue: Promise<void>
  /** resolves when every update this connection had accepted so far is stored */
  stored: Promise<void>
  /** sync step 2 replies, in order: each waits until the updates sent before it are stored */
  replies: Promise<void>
  /** an update of this connection was dropped while storage was down: it must resync */
  dropped: boolean
  /** updates of this connection accepted and not yet stored */
  unstored: number
  /** hooks' own per-connection state (see CollabHooks.connected) */
  hookData: Map<string | symbol, unknown>
}

export function newConn(ws: WebSocket, userId: string, permission: Permission): Conn {
  const done = Promise.resolve()
  return { ws, userId, permission, awarenessIds: new Set(), queue: done, stored: done, replies: done, dropped: false, unstored: 0, hookData: new Map() }
}

export type StorageState = 'ok' | 'retrying'

export interface RoomOptions {
  storage: CollabStorage
  clock: Clock
  logger: Logger
  compactAfter: number
  /** backoff of a failed append: baseMs, doubled per attempt, at most maxMs */
  retry: { baseMs: number; maxMs: number }
  publish: (docId: string, seq: number) => void
  hooks: Pick<CollabHooks, 'beforeUpdate' | 'afterStored' | 'beforeAwareness'>
  /** presence refused by beforeAwareness (logged once per connection by the caller if it likes) */
  onAwarenessRefused?: (room: Room, conn: Conn, verdict: Extract<AwarenessVerdict, { ok: false }>) => void
  /** an update was refused by beforeUpdate */
  onRefused?: (room: Room, conn: Conn, verdict: Extract<Verdict, { ok: false }>) => void
  onStorageState?: (room: Room, state: StorageState) => void
}

interface Accepted {
  update: Uint8Array
  /** the connection it came from, SERVER_ORIGIN or another transaction origin */
  origin: unknown
  /** already in the doc (a server change); else applied once stored */
  applied: boolean
  resolve: () => void
}

/**
 * One loaded document: its Y.Doc, presence, connections and the write path.
 *
 * The write path is validate → store → apply → broadcast: an update enters the Y.Doc only once
 * the log holds it, so the document never serves (to a sync reply, a page render or a newcomer)
 * anything a crash or a failing store could lose. Updates that arrive while a write is in flight
 * are stored together in the next row. A failed append keeps its batch and retries it with
 * exponential backoff (timers, never blocking); meanwhile new updates of this document are
 * dropped (their senders keep them), every connection is told "retrying", and when the batch is
 * stored the senders of dropped updates are closed with CLOSE.resync so their next sync exchange
 * resends everything they hold.
 */
export class Room {
  readonly doc = new Y.Doc({ gc: true })
  /** who is here: states kept as the JSON relayed (see presence-store.ts) */
  readonly presence: PresenceStore
  /** presence changes of this turn of the event loop, relayed together in one message */
  private presenceOut = new Map<number, PresenceEntry>()
  private presenceTimer: NodeJS.Immediate | null = null
  readonly conns = new Map<WebSocket, Conn>()
  /** every update with seq ≤ cursor is in this.doc */
  private cursor = 0
  /** accepted, waiting for the next write */
  private queue: Accepted[] = []
  /** the batch being written (or retried), with its merged update */
  private writing: { items: Accepted[]; merged: Uint8Array } | null = null
  private attempt = 0
  private retryTimer: NodeJS.Timeout | null = null
  private sinceCompact = 0
  private pulling: Promise<void> | null = null
  private pullAgain = false
  private destroyed = false
  /** set while stored updates are applied: their 'update' events are broadcasts, not new changes */
  private applyingStored = false
  private waiters: Array<{ strict: boolean; resolve: () => void }> = []
  storageState: StorageState = 'ok'
  readonly ready: Promise<void>

  constructor(
    readonly docId: string,
    private readonly opts: RoomOptions,
  ) {
    this.presence = new PresenceStore(() => this.opts.clock().getTime())
    this.ready = this.load()
    this.doc.on('update', (update: Uint8Array, origin: unknown) => this.onUpdate(update, origin))
  }

  /**
   * Relays presence changes. Carets move often and every move goes to everyone (N² messages): the
   * changes of one turn of the event loop go out as one message, so each recipient costs one
   * write per turn instead of one per caret (docs/BENCHMARKS.md, "Where the time goes").
   */
  private relayPresence(changed: PresenceEntry[]) {
    if (changed.length === 0 || this.destroyed) return
    for (const e of changed) {
      // A newer entry of the same client replaces the older one: only the latest state matters.
      this.presenceOut.delete(e.clientId)
      this.presenceOut.set(e.clientId, e)
    }
    this.presenceTimer ??= setImmediate(() => {
      this.presenceTimer = null
      const entries = [...this.presenceOut.values()]
      this.presenceOut.clear()
      if (entries.length > 0 && !this.destroyed) this.broadcast(presenceMessage(entries))
    })
  }

  private async load() {
    const stored = await this.opts.storage.load(this.docId)
    if (stored.update) Y.applyUpdate(this.doc, stored.update, REMOTE)
    this.cursor = stored.seq
  }

  private onUpdate(update: Uint8Array, origin: unknown) {
    if (origin === REMOTE) return this.broadcast(syncUpdateMessage(update))
    // Applied after it was stored: the diff it made goes to everyone but its sender.
    if (this.applyingStored) return this.broadcast(syncUpdateMessage(update), origin)
    // A change made on the doc directly (the server restoring a version): store it like a
    // client's, broadcast once stored.
    this.accept(update, origin, true)
  }

  private accept(update: Uint8Array, origin: unknown, applied: boolean): Promise<void> {
    let resolve!: () => void
    const done = new Promise<void>((r) => (resolve = r))
    if (this.writing && this.storageState === 'retrying') {
      // Server changes are never dropped: they join the batch being retried.
      this.writing.items.push({ update, origin, applied, resolve })
      this.writing.merged = mergeBatch([this.writing.merged, update])
    } else {
      this.queue.push({ update, origin, applied, resolve })
      this.flush()
    }
    return done
  }

  private flush() {
    if (this.writing || this.destroyed) return
    if (this.queue.length === 0) return this.settle()
    const items = this.queue.splice(0)
    // Many keystrokes as one row and one commit, still before anyone sees them.
    const merged = mergeBatch(items.map((i) => i.update))
    this.writing = { items, merged }
    this.attempt = 0
    this.write()
  }

  private write() {
    const batch = this.writing!
    this.opts.storage
      .append(this.docId, batch.merged, this.opts.clock())
      .then(
        (seq) => this.stored(batch.items, batch.merged, seq),
        (err) => this.failed(err),
      )
      .catch((err) => {
        // A bug after the row was stored (applying or broadcasting it): never an unhandled
        // rejection, and the write path goes on; reconnecting clients resync from the log.
        this.opts.logger.error('collab: handling a stored update failed', { docId: this.docId, error: errorText(err) })
        this.applyingStored = false
        this.writing = null
        for (const c of this.conns.values()) c.ws.close(CLOSE.resync, 'resync')
        this.flush()
      })
  }

  private failed(err: unknown) {
    if (this.destroyed) return
    const batch = this.writing!
    if (this.storageState === 'ok') {
      this.opts.logger.error('collab: storing an update failed, retrying', { docId: this.docId, error: errorText(err) })
      this.setStorageState('retrying')
    }
    // What was accepted while the failed write was in flight is kept too, in the same retry.
    if (this.queue.length > 0) {
      const more = this.queue.splice(0)
      batch.items.push(...more)
      batch.merged = mergeBatch([batch.merged, ...more.map((i) => i.update)])
    }
    const delay = Math.min(this.opts.retry.baseMs * 2 ** this.attempt, this.opts.retry.maxMs)
    this.attempt++
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null
      if (!this.destroyed) this.write()
    }, delay)
    // Readers may go on: the doc holds only stored updates.
    this.settle()
  }

  private async stored(items: Accepted[], merged: Uint8Array, seq: number) {
    if (this.destroyed) return
    if (seq === this.cursor + 1) this.cursor = seq
    this.applyingStored = true
    try {
      for (const item of items) {
        if (item.applied) this.broadcast(syncUpdateMessage(item.update), item.origin)
        else Y.applyUpdate(this.doc, item.update, item.origin)
      }
    } finally {
      this.applyingStored = false
    }
    this.opts.publish(this.docId, seq)
    try {
      const userIds = [...new Set(items.flatMap((i) => (isConn(i.origin) ? [i.origin.userId] : [])))]
      this.opts.hooks.afterStored?.({ docId: this.docId, seq, update: merged, userIds, storedAt: this.opts.clock() })
    } catch (err) {
      this.opts.logger.error('collab: afterStored hook failed', { docId: this.docId, error: errorText(err) })
    }
    for (const item of items) item.resolve()
    if (this.storageState === 'retrying') this.recovered()
    if (++this.sinceCompact >= this.opts.compactAfter) {
      this.sinceCompact = 0
      // Not fatal: the log still holds everything; the next compaction folds it.
      await this.opts.storage.compact(this.docId, this.opts.clock()).catch((err) => {
        this.opts.logger.warn('collab: compacting failed', { docId: this.docId, error: errorText(err) })
      })
    }
    this.writing = null
    this.flush()
  }

  private recovered() {
    this.opts.logger.info('collab: storing works again', { docId: this.docId })
    this.setStorageState('ok')
    for (const c of this.conns.values()) {
      if (c.dropped) c.ws.close(CLOSE.resync, 'storage is back: resync')
    }
  }

  private setStorageState(state: StorageState) {
    this.storageState = state
    this.broadcast(statusMessage(state))
    this.opts.onStorageState?.(this, state)
  }

  private settle() {
    const idle = !this.writing && this.queue.length === 0
    this.waiters = this.waiters.filter((w) => {
      if (idle || (!w.strict && this.storageState === 'retrying')) {
        w.resolve()
        return false
      }
      return true
    })
  }

  /**
   * Resolves when what the doc holds is safe to read: every update accepted so far is stored, or
   * storage is retrying (the doc then holds only stored updates; the retried batch is not in it).
   */
  drained(): Promise<void> {
    return this.wait(false)
  }

  /** Resolves when every update accepted so far is stored (waits through a retry). */
  settled(): Promise<void> {
    return this.wait(true)
  }

  private wait(strict: boolean): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({ strict, resolve })
      this.settle()
    })
  }

  /**
   * A change the server makes (restoring a version, say) through the same path as a client's:
   * computed on a copy of the doc, then stored, applied and broadcast. Resolves once stored
   * (through a retry, if storage fails meanwhile). Prefer it to a transaction on `doc` with
   * SERVER_ORIGIN, which puts the change in the doc before it is stored.
   */
  change(fn: (doc: Y.Doc) => void): Promise<void> {
    const copy = new Y.Doc({ gc: true })
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(this.doc))
    const before = Y.encodeStateVector(copy)
    copy.transact(() => fn(copy), SERVER_ORIGIN)
    const update = Y.encodeStateAsUpdate(copy, before)
    copy.destroy()
    if (!changesDoc(this.doc, update)) return Promise.resolve()
    return this.accept(update, SERVER_ORIGIN, false)
  }

  /** Reads what other instances appended and applies it (idempotent, in order). Never rejects. */
  pullRemote(): Promise<void> {
    if (this.pulling) {
      this.pullAgain = true
      return this.pulling
    }
    this.pulling = (async () => {
      do {
        this.pullAgain = false
        try {
          const { updates, seq } = await this.opts.storage.readAfter(this.docId, this.cursor)
          if (this.destroyed) return
          // One transaction: one 'update' event, one broadcast, however many rows were read.
          this.doc.transact(() => {
            for (const u of updates) Y.applyUpdate(this.doc, u)
          }, REMOTE)
          if (seq > this.cursor) this.cursor = seq
        } catch (err) {
          // The next notice or poll tries again from the same seq: nothing is skipped.
          this.opts.logger.warn('collab: catching up with the log failed', { docId: this.docId, error: errorText(err) })
          return
        }
      } while (this.pullAgain)
    })().finally(() => (this.pulling = null))
    return this.pulling
  }

  get seq() {
    return this.cursor
  }

  add(conn: Conn) {
    this.conns.set(conn.ws, conn)
    // Start the handshake: our state vector, and who is here.
    const sync = encoding.createEncoder()
    encoding.writeVarUint(sync, MESSAGE_SYNC)
    syncProtocol.writeSyncStep1(sync, this.doc)
    send(conn.ws, encoding.toUint8Array(sync))
    if (this.storageState === 'retrying') send(conn.ws, statusMessage('retrying'))
    const here = this.presence.snapshot()
    if (here.length > 0) send(conn.ws, presenceMessage(here))
  }

  remove(ws: WebSocket) {
    const conn = this.conns.get(ws)
    if (!conn) return
    this.conns.delete(ws)
    this.relayPresence(this.presence.removeOwner(conn))
  }

  /**
   * Handles one message of a connection. Throws on anything malformed; the caller closes that
   * connection. Document changes from read and comment connections are read and dropped.
   */
  async handle(conn: Conn, data: Uint8Array): Promise<void> {
    const decoder = decoding.createDecoder(data)
    const type = decoding.readVarUint(decoder)
    switch (type) {
      case MESSAGE_SYNC: {
        const syncType = decoding.readVarUint(decoder)
        if (syncType === syncProtocol.messageYjsSyncStep1) {
          const stateVector = decoding.readVarUint8Array(decoder)
          Y.decodeStateVector(stateVector) // throws when malformed
          this.replyStep2(conn, stateVector)
        } else if (syncType === syncProtocol.messageYjsSyncStep2 || syncType === syncProtocol.messageYjsUpdate) {
          const update = decoding.readVarUint8Array(decoder)
          if (conn.permission !== 'edit') return
          // Throws when malformed, before anything is stored; the changes check reads the same decoding.
          if (!changesDoc(this.doc, update, Y.decodeUpdate(update))) return
          let verdict: Verdict
          try {
            verdict = (await this.opts.hooks.beforeUpdate?.({
              docId: this.docId,
              userId: conn.userId,
              permission: conn.permission,
              update,
              now: this.opts.clock(),
            })) ?? { ok: true }
          } catch (err) {
            // A rule that cannot decide (its database read failed) must not cost the edit: the
            // client keeps it, reconnects after a while (45xx) and resends it then.
            this.opts.logger.warn('collab: beforeUpdate hook failed', { docId: this.docId, error: errorText(err) })
            conn.dropped = true
            conn.ws.close(CLOSE.storageFailed, 'try again later')
            return
          }
          if (!verdict.ok) return this.opts.onRefused?.(this, conn, verdict)
          if (this.storageState === 'retrying') {
            // The sender keeps it; CLOSE.resync at recovery makes it send it again.
            conn.dropped = true
            return
          }
          conn.unstored++
          conn.stored = this.accept(update, conn, false).finally(() => conn.unstored--)
        } else {
          throw new Error('unknown sync message')
        }
        break
      }
      case MESSAGE_AWARENESS: {
        let update: Uint8Array | null = decoding.readVarUint8Array(decoder)
        const hook = this.opts.hooks.beforeAwareness
        if (hook) {
          const verdict = hook({ docId: this.docId, conn, conns: this.conns, update, presence: this.presence, now: this.opts.clock() })
          if (!verdict.ok) {
            this.opts.onAwarenessRefused?.(this, conn, verdict)
            if (verdict.closeCode !== undefined) conn.ws.close(verdict.closeCode, verdict.reason)
            return
          }
          if (verdict.update !== undefined) update = verdict.update
        }
        if (!update) return
        const entries = decodePresence(update) // throws when malformed
        if (entries.length === 0) return
        // A caret never overtakes its own person's unsaved edit: it would point into text the
        // others do not have yet. So it waits until this connection's accepted updates are stored
        // (at once when there are none; not while storage is retrying, the text is not coming).
        const apply = () => {
          if (this.destroyed) return
          const changed = this.presence.apply(conn, entries)
          for (const e of changed) {
            if (e.json === 'null') conn.awarenessIds.delete(e.clientId)
            else conn.awarenessIds.add(e.clientId)
          }
          this.relayPresence(changed)
        }
        if (conn.unstored > 0 && this.storageState === 'ok') void conn.stored.then(apply)
        else apply()
        break
      }
      case MESSAGE_QUERY_AWARENESS:
        send(conn.ws, presenceMessage(this.presence.snapshot()))
        break
      case MESSAGE_AUTH:
        break
      default:
        throw new Error('unknown message type')
    }
  }

  /**
   * A step 2 confirms to the client that everything it sent before is stored (app/editor/
   * connection.ts): so it waits until this connection's accepted updates are stored, without
   * holding up the connection's later messages, and is never sent once an update of this
   * connection was dropped (that connection is closed for a resync when storage is back).
   */
  private replyStep2(conn: Conn, stateVector: Uint8Array) {
    if (conn.dropped) return
    const before = conn.stored
    conn.replies = conn.replies
      .then(() => before)
      .then(() => {
        if (conn.dropped || this.destroyed) return
        const reply = encoding.createEncoder()
        encoding.writeVarUint(reply, MESSAGE_SYNC)
        encoding.writeVarUint(reply, syncProtocol.messageYjsSyncStep2)
        encoding.writeVarUint8Array(reply, Y.encodeStateAsUpdate(this.doc, stateVector))
        send(conn.ws, encoding.toUint8Array(reply))
      })
  }

  private broadcast(message: Uint8Array, except?: unknown) {
    for (const conn of this.conns.values()) if (conn !== except) send(conn.ws, message)
  }

  /** Waits until the log holds everything, folds it into the state and frees the document. */
  async unload(): Promise<void> {
    await this.settled()
    await this.opts.storage.compact(this.docId, this.opts.clock()).catch(() => undefined)
    this.destroy()
  }

  /** Stops at once (a shutdown that cannot wait for storage any more). */
  destroy() {
    this.destroyed = true
    if (this.retryTimer) clearTimeout(this.retryTimer)
    for (const w of this.waiters) w.resolve()
    this.waiters = []
    if (this.presenceTimer) clearImmediate(this.presenceTimer)
    this.doc.destroy()
  }
}

/**
 * Whether an update adds anything to the doc. A reconnecting client's step 2 usually repeats what
 * the server has (and always its whole delete set): storing that would cost a row per connect, and
 * during an outage it would mark the connection as having lost an edit. New content is a struct
 * that reaches beyond the doc's clock for its client (what Y.diffUpdate would keep), read from the
 * update's decoding, which the caller may pass when it has decoded the update already.
 */
export function changesDoc(doc: Y.Doc, update: Uint8Array, decoded: ReturnType<typeof Y.decodeUpdate> = Y.decodeUpdate(update)): boolean {
  const { structs, ds } = decoded
  for (const s of structs) {
    if (!(s instanceof Y.Skip) && s.id.clock + s.length > Y.getState(doc.store, s.id.client)) return true
  }
  // A delete changes the doc when any item in its range is here and not yet deleted, or not here
  // at all (it waits for that item). Every item is looked at, not just both ends of the range: the
  // middle may still stand when someone else deleted the ends. Only the items in the ranges are
  // walked, never the whole document.
  for (const [client, ranges] of ds.clients) {
    const structs = doc.store.clients.get(client)
    const known = Y.getState(doc.store, client)
    for (const r of ranges) {
      if (!structs || r.clock + r.len > known) return true
      for (let i = Y.findIndexSS(structs, r.clock); i < structs.length && structs[i]!.id.clock < r.clock + r.len; i++) {
        if (!structs[i]!.deleted) return true
      }
    }
  }
  return false
}

/**
 * The updates of one write as one row. Y.mergeUpdates, not combine(): a batch continues what the
 * doc holds, so in a fresh doc (combine) every update would wait for its missing predecessors,
 * which costs about 1 ms per update against 10-40 µs (docs/BENCHMARKS.md, write path).
 */
function mergeBatch(updates: Uint8Array[]): Uint8Array {
  return updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates)
}

function isConn(o: unknown): o is Conn {
  return typeof o === 'object' && o !== null && 'awarenessIds' in o && 'ws' in o
}

export function statusMessage(state: StorageState): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MESSAGE_STORAGE_STATUS)
  encoding.writeVarUint(encoder, state === 'ok' ? STORAGE_STATUS.stored : STORAGE_STATUS.retrying)
  return encoding.toUint8Array(encoder)
}

function presenceMessage(entries: PresenceEntry[]): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MESSAGE_AWARENESS)
  encoding.writeVarUint8Array(encoder, encodePresence(entries))
  return encoding.toUint8Array(encoder)
}

function syncUpdateMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MESSAGE_SYNC)
  syncProtocol.writeUpdate(encoder, update)
  return encoding.toUint8Array(encoder)
}

/** An error's code and message, never its parameters (they could hold document content). */
export function errorText(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; message?: unknown }
    return [e.code, e.message].filter((x) => typeof x === 'string').join(': ') || 'error'
  }
  return String(err)
}

function send(ws: WebSocket, message: Uint8Array) {
  if (ws.readyState !== ws.OPEN) return
  ws.send(message, (err) => {
    if (err) ws.terminate()
  })
}
