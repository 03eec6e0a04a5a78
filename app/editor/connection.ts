import type * as Y from 'yjs'
import type { WebsocketProvider } from 'y-websocket'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'

/**
 * The connection state the editor shows in words:
 * - connecting: first connection not there yet
 * - connected: connected, but own edits not yet confirmed as stored
 * - saved: connected, synced, and every own edit is stored on the server
 * - offline: the browser says there is no network
 * - reconnecting: the connection was lost and the provider is trying again
 * - retrying: connected, but the server cannot store edits at the moment and retries; edits made
 *   now stay in this document and are sent again when storing works (server/collab/room.ts)
 * - closed: the server closed the connection for good (e.g. access withdrawn)
 *
 * "Stored" is known without a separate acknowledgement: the server handles a connection's
 * messages in order and answers a sync step 1 only once every update this connection sent before
 * it is in the update log, and never once one of them was dropped during a storage outage (that
 * connection is closed for a resync instead; server/collab/room.ts). So after sending edits, the
 * tracker sends a step 1 of its own; the matching step 2 confirms all edits sent before it.
 */
export type ConnectionState = 'connecting' | 'connected' | 'saved' | 'retrying' | 'offline' | 'reconnecting' | 'closed'

const MESSAGE_SYNC = 0
/** server/collab/room.ts MESSAGE_STORAGE_STATUS: a varUint follows, 0 stored/ok, 1 retrying */
export const MESSAGE_STORAGE_STATUS = 100
const CHECK_DELAY_MS = 250

export type StorageStatus = 'ok' | 'retrying'
const statusListeners = new WeakMap<WebsocketProvider, Set<(s: StorageStatus) => void>>()

/**
 * Teaches this provider the server's storage-status message (y-websocket keeps a handler table
 * per provider) and calls `listener` with each status. Returns the function that stops listening.
 */
export function onStorageStatus(provider: WebsocketProvider, listener: (s: StorageStatus) => void): () => void {
  let listeners = statusListeners.get(provider)
  if (!listeners) {
    const set = new Set<(s: StorageStatus) => void>()
    listeners = set
    statusListeners.set(provider, set)
    provider.messageHandlers[MESSAGE_STORAGE_STATUS] = (_encoder, decoder) => {
      const status: StorageStatus = decoding.readVarUint(decoder) === 1 ? 'retrying' : 'ok'
      for (const l of set) l(status)
    }
  }
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export function trackConnection(
  provider: WebsocketProvider,
  doc: Y.Doc,
  onChange: (state: ConnectionState) => void,
  opts: { window?: Window } = {},
): () => void {
  const win = opts.window ?? (typeof window === 'undefined' ? undefined : window)
  let everConnected = false
  let closed = false
  let online = win ? win.navigator.onLine !== false : true
  let localVersion = 0
  let storedVersion = 0
  /** step 1 messages sent on the current socket, in order: null for the provider's own */
  let awaiting: Array<number | null> = []
  let socket: WebSocket | null = null
  let timer: ReturnType<typeof setTimeout> | null = null
  let last: ConnectionState | null = null
  /** the server said it cannot store at the moment (told per connection, so reset on a new one) */
  let retrying = false

  const state = (): ConnectionState => {
    if (closed) return 'closed'
    if (!online) return 'offline'
    if (provider.wsconnected) {
      if (retrying) return 'retrying'
      return provider.synced && storedVersion >= localVersion ? 'saved' : 'connected'
    }
    return everConnected ? 'reconnecting' : 'connecting'
  }
  const emit = () => {
    const s = state()
    if (s !== last) {
      last = s
      onChange(s)
    }
  }

  const sendCheck = () => {
    timer = null
    // Only after this connection synced: the provider has then already answered the server's
    // step 1 with everything made offline, so that is on the wire before this check.
    if (!socket || !provider.wsconnected || !provider.synced || socket.readyState !== socket.OPEN) return
    if (storedVersion >= localVersion) return
    const encoder = encoding.createEncoder()
    encoding.writeVarUint(encoder, MESSAGE_SYNC)
    syncProtocol.writeSyncStep1(encoder, doc)
    socket.send(encoding.toUint8Array(encoder))
    awaiting.push(localVersion)
  }
  const scheduleCheck = () => {
    if (timer === null) timer = setTimeout(sendCheck, CHECK_DELAY_MS)
  }

  const onMessage = (event: MessageEvent) => {
    if (!(event.data instanceof ArrayBuffer)) return
    try {
      const decoder = decoding.createDecoder(new Uint8Array(event.data))
      if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return
      if (decoding.readVarUint(decoder) !== syncProtocol.messageYjsSyncStep2) return
    } catch {
      return
    }
    const confirmed = awaiting.shift()
    if (typeof confirmed === 'number' && confirmed > storedVersion) storedVersion = confirmed
    emit()
  }

  /** Follows a new socket; the provider's own step 1 goes out right after 'connected'. */
  const attach = (providerStep1Pending: boolean) => {
    socket?.removeEventListener('message', onMessage)
    socket = provider.ws as WebSocket | null
    awaiting = providerStep1Pending ? [null] : []
    socket?.addEventListener('message', onMessage)
  }

  const onStatus = ({ status }: { status: 'connected' | 'disconnected' | 'connecting' }) => {
    retrying = false
    if (status === 'connected') {
      everConnected = true
      closed = false
      attach(true)
    }
    emit()
  }
  const onSync = (synced: boolean) => {
    if (synced && storedVersion < localVersion) scheduleCheck()
    emit()
  }
  const onUpdate = (_update: Uint8Array, origin: unknown) => {
    // Changes that came from the server are not ours to store.
    if (origin === provider) return
    localVersion++
    scheduleCheck()
    emit()
  }
  const onClosed = () => {
    closed = true
    emit()
  }
  const onOffline = () => {
    online = false
    // Stop trying; edits stay in the document and are merged when we connect again.
    provider.disconnect()
    emit()
  }
  const onOnline = () => {
    online = true
    if (!closed) provider.connect()
    emit()
  }

  // Every listener of this watch, each with the function that removes it again in the cleanup.
  const stops = [
    onStorageStatus(provider, (s) => {
      retrying = s === 'retrying'
      emit()
    }),
    observe(provider, 'status', onStatus),
    observe(provider, 'sync', onSync),
    observe(provider, 'closed', onClosed),
    observe(doc, 'update', onUpdate),
  ]
  if (win) stops.push(listen(win, 'offline', onOffline), listen(win, 'online', onOnline))
  if (provider.wsconnected) {
    everConnected = true
    attach(!provider.synced)
  }
  emit()

  return () => {
    if (timer !== null) clearTimeout(timer)
    socket?.removeEventListener('message', onMessage)
    for (const stop of stops) stop()
  }
}

/**
 * Listens to one event of a Yjs observable (the provider, the document); returns the function that
 * stops (the handler is checked against the events the target has).
 */
function observe<N extends string, F>(target: { on(name: N, f: F): unknown; off(name: N, f: F): unknown }, name: N, f: F): () => void {
  target.on(name, f)
  return () => target.off(name, f)
}

/** Listens to one DOM event; returns the function that stops. */
function listen(target: EventTarget, type: string, f: () => void): () => void {
  target.addEventListener(type, f)
  return () => target.removeEventListener(type, f)
}
