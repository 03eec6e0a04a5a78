import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import * as Y from 'yjs'
import { WebSocketServer, type WebSocket } from 'ws'
import type { Logger } from '../lib/log'
import type { Clock } from '../lib/time'
import type { CollabHooks } from './hooks'
import { localNotifier, type Notice, type Notifier } from './notify'
import type { CollabStorage, StorageFaults } from './persistence'
import { CLOSE, errorText, newConn, Room, SERVER_ORIGIN, type Conn, type StorageState } from './room'

/**
 * The collaboration server: y-websocket's protocol at /collab/<documentId>, on the portal's port.
 * A small core that chains one-job pieces: the authorize hook (session, Origin, permission), the
 * limits below, Room (sync, presence, the durable write path), the notifier that keeps several
 * instances converging through PostgreSQL, and the named hooks (hooks.ts) through which rules
 * reach it. It is built from what it needs (CollabDeps), not from the whole server context.
 */
export interface CollabLimits {
  /** largest websocket message in bytes (ws closes the connection with 1009 above it) */
  maxMessageBytes: number
  maxConnectionsPerDocument: number
  maxConnectionsPerUser: number
  /** fold the log into the state after this many updates */
  compactAfter: number
  /** free a document this long after its last connection closed */
  idleUnloadMs: number
  /** how often loaded documents check the shared log (several instances only) */
  pollMs: number
  pingMs: number
  /** first retry of a failed append after this long, doubling up to retryMaxMs */
  retryBaseMs: number
  retryMaxMs: number
  /** how often the server clock is compared with documents' access deadlines (accessChangesAt) */
  clockTickMs: number
}

export const defaultLimits: CollabLimits = {
  maxMessageBytes: 2 * 1024 * 1024,
  maxConnectionsPerDocument: 100,
  maxConnectionsPerUser: 20,
  compactAfter: 500,
  idleUnloadMs: 30_000,
  pollMs: 2_000,
  pingMs: 30_000,
  retryBaseMs: 100,
  retryMaxMs: 5_000,
  clockTickMs: 1_000,
}

export interface CollabDeps {
  storage: CollabStorage
  clock: Clock
  logger: Logger
  hooks: CollabHooks
  notifier?: Notifier
  limits?: Partial<CollabLimits>
  /** several instances share the database (PostgreSQL): publish, and poll the log */
  shared?: boolean
  /** the fault controller of a storage wrapped with withFaults (tests only; undefined otherwise) */
  faults?: StorageFaults
}

export interface CollabHealth {
  /** 'degraded' while any loaded document retries a failed append */
  storage: 'ok' | 'degraded'
  retryingDocuments: number
  /** false while the notice connection between instances is being replaced */
  notices: boolean
}

export class CollabServer {
  private readonly wss: WebSocketServer
  private readonly rooms = new Map<string, Room>()
  private readonly unloading = new Map<string, Promise<void>>()
  private readonly idleTimers = new Map<string, NodeJS.Timeout>()
  private readonly timers: NodeJS.Timeout[] = []
  private readonly retrying = new Set<Room>()
  /** loaded documents whose permissions change at a moment of the server clock */
  private readonly accessDeadlines = new Map<string, number>()
  readonly limits: CollabLimits
  readonly storage: CollabStorage
  /** tests only: fail or stall the storage (see persistence.ts withFaults) */
  readonly faults: StorageFaults | undefined
  private readonly clock: Clock
  private readonly logger: Logger
  private readonly hooks: CollabHooks
  private readonly notifier: Notifier
  private readonly shared: boolean

  constructor(deps: CollabDeps) {
    this.storage = deps.storage
    this.faults = deps.faults
    this.clock = deps.clock
    this.logger = deps.logger
    this.hooks = deps.hooks
    this.notifier = deps.notifier ?? localNotifier()
    this.shared = deps.shared ?? false
    this.limits = { ...defaultLimits, ...deps.limits }
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.limits.maxMessageBytes })
    this.notifier.subscribe((n) => this.onNotice(n))
    // A replaced notice connection missed notices: every loaded document reads the log from its seq.
    this.notifier.onResubscribed?.(() => {
      for (const room of this.rooms.values()) void room.pullRemote()
    })
    this.timers.push(setInterval(() => this.ping(), this.limits.pingMs).unref())
    this.timers.push(setInterval(() => this.checkDeadlines(), this.limits.clockTickMs).unref())
    if (this.shared) this.timers.push(setInterval(() => void this.poll(), this.limits.pollMs).unref())
  }

  /** The 'upgrade' handler for /collab/: refuses with an HTTP status before any websocket opens. */
  handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy())
    this.hooks
      .authorize(req)
      .then((decision) => {
        if (!decision.ok) return refuse(socket, decision.status)
        if (this.countForDoc(decision.docId) >= this.limits.maxConnectionsPerDocument) return refuse(socket, 429)
        if (this.countForUser(decision.userId) >= this.limits.maxConnectionsPerUser) return refuse(socket, 429)
        this.wss.handleUpgrade(req, socket, head, (ws) => {
          void this.accept(ws, decision.docId, { userId: decision.userId, permission: decision.permission })
        })
      })
      .catch((err) => {
        this.logger.error('collab: upgrade failed', { error: errorText(err) })
        refuse(socket, 500)
      })
  }

  private accept(ws: WebSocket, docId: string, who: { userId: string; permission: Conn['permission'] }) {
    const conn: Conn = newConn(ws, who.userId, who.permission)
    ;(ws as WebSocket & { isAlive?: boolean }).isAlive = true
    ws.on('pong', () => ((ws as WebSocket & { isAlive?: boolean }).isAlive = true))
    // Listen at once: the client's first messages (its sync step 1) may arrive while the document
    // is still loading or an earlier copy is being written away, and must wait, not be lost.
    const roomReady = this.room(docId).then(async (room) => {
      await room.ready
      return room
    })
    const joined = this.hooks.connected
      ? Promise.resolve()
          .then(() => this.hooks.connected!({ docId, conn }))
          .then(
            () => true,
            (err) => {
              this.logger.error('collab: connected hook failed', { docId, error: errorText(err) })
              ws.close(1011, 'internal error')
              return false
            },
          )
      : Promise.resolve(true)
    conn.queue = Promise.all([roomReady, joined]).then(
      ([room, ok]) => {
        if (!ok || ws.readyState !== ws.OPEN) return
        this.clearUnload(docId)
        room.add(conn)
      },
      (err) => {
        this.logger.error('collab: loading a document failed', { docId, error: errorText(err) })
        ws.close(CLOSE.storageFailed, 'storage failed')
      },
    )
    ws.on('message', (data, isBinary) => {
      const bytes = data instanceof Buffer ? data : Buffer.concat(data as Buffer[])
      conn.queue = conn.queue
        .then(async () => {
          if (!isBinary) throw new Error('text frame')
          // Even when the socket has closed since: what arrived is applied (and stored).
          const room = await roomReady
          return room.handle(conn, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))
        })
        .catch(() => {
          // Malformed input closes this connection only; the document and everyone else go on.
          if (ws.readyState === ws.OPEN) ws.close(CLOSE.malformed, 'malformed message')
        })
    })
    ws.on('close', () => {
      // Let the messages that arrived before the close be handled first.
      void roomReady
        .then((room) =>
          conn.queue.finally(() => {
            room.remove(ws)
            if (room.conns.size === 0) this.scheduleUnload(room)
          }),
        )
        .catch(() => undefined)
    })
    ws.on('error', () => ws.terminate())
  }

  private async room(docId: string): Promise<Room> {
    // A newcomer keeps an idle document from being unloaded under its feet.
    this.clearUnload(docId)
    const existing = this.rooms.get(docId)
    if (existing) return existing
    // A room of this document that is still being unloaded must finish writing first.
    await this.unloading.get(docId)
    const again = this.rooms.get(docId)
    if (again) return again
    const room = new Room(docId, {
      storage: this.storage,
      clock: this.clock,
      logger: this.logger,
      compactAfter: this.limits.compactAfter,
      retry: { baseMs: this.limits.retryBaseMs, maxMs: this.limits.retryMaxMs },
      hooks: this.hooks,
      publish: (id, seq) => {
        // A lost notice costs latency only: the poll reads the log.
        if (this.shared) void this.notifier.publish({ kind: 'update', docId: id, seq }).catch(() => undefined)
      },
      onAwarenessRefused: (r, _conn, verdict) => {
        this.logger.warn('collab: presence update refused', { docId: r.docId, reason: verdict.reason })
      },
      onRefused: (r, conn, verdict) => {
        this.logger.info('collab: update refused', { docId: r.docId, reason: verdict.reason })
        if (verdict.recheckAccess) void this.refreshDocument(r.docId)
      },
      onStorageState: (r, state: StorageState) => {
        if (state === 'retrying') this.retrying.add(r)
        else this.retrying.delete(r)
      },
    })
    this.rooms.set(docId, room)
    room.ready.then(
      () => this.watchDeadline(docId),
      () => this.rooms.delete(docId),
    )
    return room
  }

  private async watchDeadline(docId: string) {
    if (!this.hooks.accessChangesAt) return
    const at = await this.hooks.accessChangesAt(docId).catch(() => null)
    if (at && at.getTime() > this.clock().getTime() && this.rooms.has(docId)) this.accessDeadlines.set(docId, at.getTime())
    else this.accessDeadlines.delete(docId)
  }

  /** Documents whose deadline the server clock passed: every connection's permission again. */
  private checkDeadlines() {
    const now = this.clock().getTime()
    for (const [docId, at] of this.accessDeadlines) {
      if (at > now) continue
      this.accessDeadlines.delete(docId)
      void this.refreshDocument(docId)
    }
  }

  /** A loaded document (tests look inside; modules use snapshot and applyServerChange). */
  loaded(docId: string): Room | undefined {
    return this.rooms.get(docId)
  }

  /**
   * The state of a document loaded here as a reader arriving now would get it (only what the log
   * holds), or null when it is not loaded here (the store is the truth then).
   */
  async snapshot(docId: string): Promise<Uint8Array | null> {
    const room = this.rooms.get(docId)
    if (!room) return null
    try {
      await room.ready
      await room.drained()
    } catch {
      // A room that failed to load is dropped; the store is the truth then.
      return null
    }
    return this.rooms.get(docId) === room ? Y.encodeStateAsUpdate(room.doc) : null
  }

  /**
   * A change the server makes to a document (restoring a version, say), through the same write
   * path as an editor's: stored first, then applied and sent to everyone. For a document loaded
   * here it goes through the room (Room.change); otherwise it is computed on a copy of the stored
   * state and appended to the log, and a room that began loading meanwhile catches up from the log.
   * `change` must only write: it may run on a copy that is thrown away. Resolves once the change is
   * stored (when the document is open here, waiting through a storage retry).
   */
  async applyServerChange(docId: string, change: (doc: Y.Doc) => void): Promise<void> {
    // A room that is still writing itself away goes first, so its last edits lie under the change.
    await this.unloading.get(docId)
    const room = this.rooms.get(docId)
    if (room && (await room.ready.then(() => this.rooms.get(docId) === room, () => false))) return room.change(change)
    const stored = await this.storage.load(docId)
    const copy = new Y.Doc({ gc: true })
    if (stored.update) Y.applyUpdate(copy, stored.update)
    let update = null as Uint8Array | null
    // Yjs emits 'update' only for a transaction that changed something.
    copy.on('update', (u: Uint8Array) => (update = u))
    copy.transact(() => change(copy), SERVER_ORIGIN)
    copy.destroy()
    if (!update) return
    const seq = await this.storage.append(docId, update, this.clock())
    if (this.shared) void this.notifier.publish({ kind: 'update', docId, seq }).catch(() => undefined)
    // A room that started loading meanwhile may have read the store before this append.
    const late = this.rooms.get(docId)
    if (late) await late.ready.then(() => late.pullRemote()).catch(() => undefined)
  }

  private scheduleUnload(room: Room) {
    this.clearUnload(room.docId)
    const timer = setTimeout(() => {
      this.idleTimers.delete(room.docId)
      if (room.conns.size > 0 || this.rooms.get(room.docId) !== room) return
      // A room that retries a write keeps it in memory: unloading would make newcomers wait for it.
      if (room.storageState === 'retrying') return this.scheduleUnload(room)
      this.rooms.delete(room.docId)
      this.accessDeadlines.delete(room.docId)
      const done = room.unload().finally(() => this.unloading.delete(room.docId))
      this.unloading.set(room.docId, done)
    }, this.limits.idleUnloadMs)
    timer.unref()
    this.idleTimers.set(room.docId, timer)
  }

  private clearUnload(docId: string) {
    const t = this.idleTimers.get(docId)
    if (t) clearTimeout(t)
    this.idleTimers.delete(docId)
  }

  /**
   * Tell every instance that access changed: for a document (locked, say) each connection's
   * permission is looked up again and downgraded at once; for a user every socket is closed, so
   * the client reconnects and is authorised afresh.
   */
  async accessChanged(notice: { docId?: string; userId?: string }): Promise<void> {
    if (!this.shared) return this.onNotice({ kind: 'access', ...notice })
    await this.notifier.publish({ kind: 'access', ...notice }).catch((err) => {
      // At least this instance acts; the others judge their connections afresh when they reconnect.
      this.logger.warn('collab: publishing an access change failed', { error: errorText(err) })
      this.onNotice({ kind: 'access', ...notice })
    })
  }

  private onNotice(notice: Notice) {
    if (notice.kind === 'update') {
      const room = this.rooms.get(notice.docId)
      if (room && notice.seq > room.seq) void room.pullRemote()
      return
    }
    if (notice.userId) {
      for (const room of this.rooms.values())
        for (const c of room.conns.values()) if (c.userId === notice.userId) c.ws.close(CLOSE.reauthorize, 'access changed')
    }
    try {
      // First, so that a rule drops what it cached before permissions are looked up again.
      this.hooks.accessChanged?.({ docId: notice.docId, userId: notice.userId })
    } catch (err) {
      this.logger.error('collab: accessChanged hook failed', { error: errorText(err) })
    }
    if (notice.docId) {
      void this.refreshDocument(notice.docId)
      if (this.rooms.has(notice.docId)) void this.watchDeadline(notice.docId)
    }
  }

  private async refreshDocument(docId: string) {
    const room = this.rooms.get(docId)
    if (!room) return
    for (const conn of [...room.conns.values()]) {
      const permission = await this.hooks.permissionOf(conn.userId, docId).catch((err) => {
        // Unknown now: take editing away until the client reconnects and is authorised afresh.
        this.logger.warn('collab: permission lookup failed', { docId, error: errorText(err) })
        return 'read' as const
      })
      if (permission === 'none') {
        conn.ws.close(CLOSE.forbidden, 'access changed')
      } else if (permission !== conn.permission) {
        // At once: from here on this connection's updates are judged by the new permission. The
        // close tells the client, which reconnects and lets the page show the new mode.
        const wasEditing = conn.permission === 'edit'
        conn.permission = permission
        if (wasEditing || permission === 'edit') conn.ws.close(CLOSE.permissionChanged, 'permission changed')
      }
    }
  }

  private async poll() {
    if (this.rooms.size === 0) return
    const heads = await this.storage.heads([...this.rooms.keys()]).catch(() => new Map<string, number>())
    for (const [docId, seq] of heads) {
      const room = this.rooms.get(docId)
      if (room && seq > room.seq) void room.pullRemote()
    }
  }

  private ping() {
    for (const ws of this.wss.clients) {
      const w = ws as WebSocket & { isAlive?: boolean }
      if (w.isAlive === false) {
        w.terminate()
        continue
      }
      w.isAlive = false
      w.ping()
    }
  }

  private countForDoc(docId: string) {
    return this.rooms.get(docId)?.conns.size ?? 0
  }

  private countForUser(userId: string) {
    let n = 0
    for (const room of this.rooms.values()) for (const c of room.conns.values()) if (c.userId === userId) n++
    return n
  }

  health(): CollabHealth {
    return {
      storage: this.retrying.size > 0 ? 'degraded' : 'ok',
      retryingDocuments: this.retrying.size,
      notices: this.notifier.healthy?.() ?? true,
    }
  }

  stats() {
    let connections = 0
    for (const room of this.rooms.values()) connections += room.conns.size
    return { documents: this.rooms.size, connections }
  }

  /** Closes every connection, writes every document away and stops. */
  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t)
    for (const t of this.idleTimers.values()) clearTimeout(t)
    for (const ws of this.wss.clients) ws.close(1001, 'server shutting down')
    const rooms = [...this.rooms.values()]
    this.rooms.clear()
    await Promise.all([...rooms.map((r) => r.unload()), ...this.unloading.values()])
    await this.notifier.close()
    this.wss.close()
  }
}

const statusText: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
}

function refuse(socket: Duplex, status: number) {
  if (!socket.writable) return socket.destroy()
  socket.end(`HTTP/1.1 ${status} ${statusText[status] ?? 'Error'}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
}
