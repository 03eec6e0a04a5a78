import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import type { ServerContext } from '../context'
import { authorizeUpgrade, currentPermission } from './auth'
import { localNotifier, type Notice, type Notifier } from './notify'
import { CLOSE, Room, type Conn } from './room'

/**
 * The collaboration server: y-websocket's protocol at /collab/<documentId>, on the portal's port.
 * A small core that chains one-job pieces: authorizeUpgrade (session, Origin, permission), the
 * limits below, Room (sync, presence, the durable write path), and the notifier that keeps several
 * instances converging through PostgreSQL.
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
}

export const defaultLimits: CollabLimits = {
  maxMessageBytes: 2 * 1024 * 1024,
  maxConnectionsPerDocument: 100,
  maxConnectionsPerUser: 20,
  compactAfter: 500,
  idleUnloadMs: 30_000,
  pollMs: 2_000,
  pingMs: 30_000,
}

export class CollabServer {
  private readonly wss: WebSocketServer
  private readonly rooms = new Map<string, Room>()
  private readonly unloading = new Map<string, Promise<void>>()
  private readonly idleTimers = new Map<string, NodeJS.Timeout>()
  private readonly timers: NodeJS.Timeout[] = []
  readonly limits: CollabLimits

  constructor(
    private readonly ctx: ServerContext,
    private readonly notifier: Notifier = localNotifier(),
    limits: Partial<CollabLimits> = {},
    private readonly shared = false,
  ) {
    this.limits = { ...defaultLimits, ...limits }
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.limits.maxMessageBytes })
    notifier.subscribe((n) => this.onNotice(n))
    this.timers.push(setInterval(() => this.ping(), this.limits.pingMs).unref())
    if (shared) this.timers.push(setInterval(() => void this.poll(), this.limits.pollMs).unref())
  }

  /** The 'upgrade' handler for /collab/: refuses with an HTTP status before any websocket opens. */
  handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy())
    authorizeUpgrade(this.ctx, req)
      .then((decision) => {
        if (!decision.ok) return refuse(socket, decision.status)
        if (this.countForDoc(decision.docId) >= this.limits.maxConnectionsPerDocument) return refuse(socket, 429)
        if (this.countForUser(decision.userId) >= this.limits.maxConnectionsPerUser) return refuse(socket, 429)
        this.wss.handleUpgrade(req, socket, head, (ws) => {
          void this.accept(ws, decision.docId, { userId: decision.userId, permission: decision.permission })
        })
      })
      .catch((err) => {
        this.ctx.logger.error('collab: upgrade failed', { error: String(err) })
        refuse(socket, 500)
      })
  }

  private accept(ws: WebSocket, docId: string, who: { userId: string; permission: Conn['permission'] }) {
    const conn: Conn = { ws, userId: who.userId, permission: who.permission, awarenessIds: new Set(), queue: Promise.resolve() }
    ;(ws as WebSocket & { isAlive?: boolean }).isAlive = true
    ws.on('pong', () => ((ws as WebSocket & { isAlive?: boolean }).isAlive = true))
    // Listen at once: the client's first messages (its sync step 1) may arrive while the document
    // is still loading or an earlier copy is being written away, and must wait, not be lost.
    const roomReady = this.room(docId).then(async (room) => {
      await room.ready
      return room
    })
    conn.queue = roomReady.then(
      (room) => {
        if (ws.readyState !== ws.OPEN) return
        this.clearUnload(docId)
        room.add(conn)
      },
      (err) => {
        this.ctx.logger.error('collab: loading a document failed', { docId, error: String(err) })
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
      db: this.ctx.db,
      clock: this.ctx.clock,
      logger: this.ctx.logger,
      compactAfter: this.limits.compactAfter,
      publish: (id, seq) => {
        if (this.shared) void this.notifier.publish({ kind: 'update', docId: id, seq }).catch(() => undefined)
      },
    })
    this.rooms.set(docId, room)
    room.ready.catch(() => this.rooms.delete(docId))
    return room
  }

  /** A loaded document, for server-side changes such as restoring a version. */
  loaded(docId: string): Room | undefined {
    return this.rooms.get(docId)
  }

  private scheduleUnload(room: Room) {
    this.clearUnload(room.docId)
    const timer = setTimeout(() => {
      this.idleTimers.delete(room.docId)
      if (room.conns.size > 0 || this.rooms.get(room.docId) !== room) return
      this.rooms.delete(room.docId)
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
    if (this.shared) await this.notifier.publish({ kind: 'access', ...notice })
    else this.onNotice({ kind: 'access', ...notice })
  }

  private onNotice(notice: Notice) {
    if (notice.kind === 'update') {
      const room = this.rooms.get(notice.docId)
      if (room && notice.seq > room.seq) void room.pullRemote().catch(() => undefined)
      return
    }
    if (notice.userId) {
      for (const room of this.rooms.values())
        for (const c of room.conns.values()) if (c.userId === notice.userId) c.ws.close(CLOSE.reauthorize, 'access changed')
    }
    if (notice.docId) void this.refreshDocument(notice.docId)
  }

  private async refreshDocument(docId: string) {
    const room = this.rooms.get(docId)
    if (!room) return
    for (const conn of [...room.conns.values()]) {
      const permission = await currentPermission(this.ctx, conn.userId, docId)
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
    const rows = await this.ctx.db
      .selectFrom('documents')
      .select(['id', 'last_seq'])
      .where('id', 'in', [...this.rooms.keys()])
      .execute()
      .catch(() => [])
    for (const r of rows) {
      const room = this.rooms.get(r.id)
      if (room && r.last_seq > room.seq) void room.pullRemote().catch(() => undefined)
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
