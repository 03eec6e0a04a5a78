import * as Y from 'yjs'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as syncProtocol from 'y-protocols/sync'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import type { WebSocket } from 'ws'
import type { DB } from '../../db/connect'
import type { Permission } from '../policy/can'
import type { Logger } from '../lib/log'
import type { Clock } from '../lib/time'
import { appendUpdate, combine, compact, loadDoc, readAfter } from './persistence'

/** The y-websocket protocol's outer message types. */
export const MESSAGE_SYNC = 0
export const MESSAGE_AWARENESS = 1
export const MESSAGE_AUTH = 2
export const MESSAGE_QUERY_AWARENESS = 3

/**
 * Close codes, following the y-websocket client's convention: 44xx means "do not reconnect"
 * (mirroring HTTP 4xx), 45xx "try again later", other 4xxx codes reconnect at once.
 */
export const CLOSE = {
  /** this person's sessions or memberships changed: reconnect, and be authorised afresh */
  reauthorize: 4001,
  /** what this person may do with the document changed (a lock, say): reconnect, and the page reloads its mode */
  permissionChanged: 4002,
  /** a malformed message: this connection ends, and the client should not retry it */
  malformed: 4400,
  /** no access to this document any more */
  forbidden: 4403,
  /** storing an update failed: edits stay with the client, which retries later */
  storageFailed: 4500,
} as const

/** Updates that came from another instance's log: already persisted, so only broadcast. */
const REMOTE = Symbol('remote')
/** Changes the server makes itself (restoring a version): persisted and broadcast like a client's. */
export const SERVER_ORIGIN = Symbol('server')

export interface Conn {
  ws: WebSocket
  userId: string
  permission: Permission
  /** awareness client ids this connection controls, removed when it closes */
  awarenessIds: Set<number>
  /** messages are handled one at a time, in order */
  queue: Promise<void>
}

export interface RoomOptions {
  db: DB
  clock: Clock
  logger: Logger
  compactAfter: number
  publish: (docId: string, seq: number) => void
}

/**
 * One loaded document: its Y.Doc, presence, connections and the write path. Every accepted update
 * is appended to the log before it is broadcast; a sync reply waits until the log has caught up,
 * so nobody ever receives an update that a crash could lose.
 */
export class Room {
  readonly doc = new Y.Doc({ gc: true })
  readonly awareness = new awarenessProtocol.Awareness(this.doc)
  readonly conns = new Map<WebSocket, Conn>()
  /** every update with seq ≤ cursor is in this.doc */
  private cursor = 0
  private writes: Promise<void> = Promise.resolve()
  private pending: Array<{ update: Uint8Array; origin: unknown }> = []
  private flushQueued = false
  private sinceCompact = 0
  private failed = false
  readonly ready: Promise<void>

  constructor(
    readonly docId: string,
    private readonly opts: RoomOptions,
  ) {
    this.awareness.setLocalState(null)
    this.ready = this.load()
    this.doc.on('update', (update: Uint8Array, origin: unknown) => this.onUpdate(update, origin))
    this.awareness.on('update', ({ added, updated, removed }: Record<'added' | 'updated' | 'removed', number[]>, origin: unknown) => {
      const changed = [...added, ...updated, ...removed]
      const conn = origin && typeof origin === 'object' ? this.conns.get((origin as Conn).ws) : undefined
      if (conn) {
        for (const id of added) conn.awarenessIds.add(id)
        for (const id of removed) conn.awarenessIds.delete(id)
      }
      const encoder = encoding.createEncoder()
      encoding.writeVarUint(encoder, MESSAGE_AWARENESS)
      encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed))
      this.broadcast(encoding.toUint8Array(encoder))
    })
  }

  private async load() {
    const stored = await loadDoc(this.opts.db, this.docId)
    if (stored.update) Y.applyUpdate(this.doc, stored.update, REMOTE)
    this.cursor = stored.seq
  }

  private onUpdate(update: Uint8Array, origin: unknown) {
    if (origin === REMOTE) {
      this.broadcast(syncUpdateMessage(update))
      return
    }
    // Updates that arrive while a write is in flight are stored together in the next one:
    // one row and one commit for many keystrokes under load, still before anyone sees them.
    this.pending.push({ update, origin })
    if (this.flushQueued) return
    this.flushQueued = true
    this.writes = this.writes.then(() => this.flush())
  }

  private async flush() {
    this.flushQueued = false
    const batch = this.pending.splice(0)
    if (batch.length === 0 || this.failed) return
    try {
      const merged = batch.length === 1 ? batch[0]!.update : combine(batch.map((b) => b.update))
      const seq = await appendUpdate(this.opts.db, this.docId, merged, this.opts.clock())
      if (seq === this.cursor + 1) this.cursor = seq
      this.opts.publish(this.docId, seq)
      for (const b of batch) this.broadcast(syncUpdateMessage(b.update), b.origin)
      if (++this.sinceCompact >= this.opts.compactAfter) {
        this.sinceCompact = 0
        await compact(this.opts.db, this.docId, this.opts.clock())
      }
    } catch (err) {
      // Not stored means not sent: close everything so clients keep their edits and resend them.
      this.failed = true
      this.opts.logger.error('collab: storing an update failed', { docId: this.docId, error: String(err) })
      for (const c of this.conns.values()) c.ws.close(CLOSE.storageFailed, 'storage failed')
    }
  }

  /** Resolves when every update applied so far is in the log. */
  drained(): Promise<void> {
    return this.writes
  }

  /** Reads what other instances appended and applies it (idempotent, in order). */
  pullRemote(): Promise<void> {
    this.writes = this.writes.then(async () => {
      const { updates, seq } = await readAfter(this.opts.db, this.docId, this.cursor)
      // One transaction: one 'update' event, one broadcast, however many rows were read.
      this.doc.transact(() => {
        for (const u of updates) Y.applyUpdate(this.doc, u)
      }, REMOTE)
      if (seq > this.cursor) this.cursor = seq
    })
    return this.writes
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
    const states = [...this.awareness.getStates().keys()]
    if (states.length > 0) {
      const aw = encoding.createEncoder()
      encoding.writeVarUint(aw, MESSAGE_AWARENESS)
      encoding.writeVarUint8Array(aw, awarenessProtocol.encodeAwarenessUpdate(this.awareness, states))
      send(conn.ws, encoding.toUint8Array(aw))
    }
  }

  remove(ws: WebSocket) {
    const conn = this.conns.get(ws)
    if (!conn) return
    this.conns.delete(ws)
    awarenessProtocol.removeAwarenessStates(this.awareness, [...conn.awarenessIds], null)
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
          await this.drained()
          const reply = encoding.createEncoder()
          encoding.writeVarUint(reply, MESSAGE_SYNC)
          encoding.writeVarUint(reply, syncProtocol.messageYjsSyncStep2)
          encoding.writeVarUint8Array(reply, Y.encodeStateAsUpdate(this.doc, stateVector))
          send(conn.ws, encoding.toUint8Array(reply))
        } else if (syncType === syncProtocol.messageYjsSyncStep2 || syncType === syncProtocol.messageYjsUpdate) {
          const update = decoding.readVarUint8Array(decoder)
          if (conn.permission !== 'edit') return
          Y.decodeUpdate(update) // throws when malformed, before anything is applied
          Y.applyUpdate(this.doc, update, conn)
        } else {
          throw new Error('unknown sync message')
        }
        break
      }
      case MESSAGE_AWARENESS:
        awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), conn)
        break
      case MESSAGE_QUERY_AWARENESS: {
        const aw = encoding.createEncoder()
        encoding.writeVarUint(aw, MESSAGE_AWARENESS)
        encoding.writeVarUint8Array(aw, awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...this.awareness.getStates().keys()]))
        send(conn.ws, encoding.toUint8Array(aw))
        break
      }
      case MESSAGE_AUTH:
        break
      default:
        throw new Error('unknown message type')
    }
  }

  private broadcast(message: Uint8Array, except?: unknown) {
    for (const conn of this.conns.values()) if (conn !== except) send(conn.ws, message)
  }

  /** Waits for the log, folds it into the state and frees the document. */
  async unload(): Promise<void> {
    await this.drained()
    if (!this.failed) await compact(this.opts.db, this.docId, this.opts.clock()).catch(() => undefined)
    this.awareness.destroy()
    this.doc.destroy()
  }
}

function syncUpdateMessage(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, MESSAGE_SYNC)
  syncProtocol.writeUpdate(encoder, update)
  return encoding.toUint8Array(encoder)
}

function send(ws: WebSocket, message: Uint8Array) {
  if (ws.readyState !== ws.OPEN) return
  ws.send(message, (err) => {
    if (err) ws.terminate()
  })
}
