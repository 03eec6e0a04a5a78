import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import type { DB } from '../../db/connect'
import { loadDoc } from '../../server/collab/persistence'
import { onStorageStatus, type StorageStatus } from '../../app/editor/connection'

/**
 * y-websocket clients in Node for tests and benchmarks: the same client library the browser uses,
 * with the cookie and Origin a browser would send.
 */
export function socketClass(headers: Record<string, string>) {
  return class extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers })
    }
  }
}

export interface Client {
  doc: Y.Doc
  provider: WebsocketProvider
  text: () => string
  synced: Promise<void>
  /** the last storage status the server sent on this client's connection */
  storage: () => StorageStatus
  /** close codes of this client's connections, in order */
  closeCodes: number[]
  destroy: () => void
}

export function connect(
  server: { url: string },
  docId: string,
  cookie: string,
  opts: { origin?: string; connect?: boolean; headers?: Record<string, string> } = {},
): Client {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(server.url.replace(/^http/, 'ws') + '/collab', docId, doc, {
    WebSocketPolyfill: socketClass({ Cookie: cookie, Origin: opts.origin ?? server.url, ...opts.headers }) as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    connect: opts.connect ?? true,
    maxBackoffTime: 300,
  })
  const synced = new Promise<void>((resolve) => {
    if (provider.synced) resolve()
    provider.once('sync', (s: boolean) => s && resolve())
  })
  let storage: StorageStatus = 'ok'
  onStorageStatus(provider, (s) => (storage = s))
  provider.on('status', () => (storage = 'ok'))
  const closeCodes: number[] = []
  provider.on('connection-close', (event) => {
    if (event) closeCodes.push(event.code)
  })
  return {
    doc,
    provider,
    text: () => fragmentText(doc),
    synced,
    storage: () => storage,
    closeCodes,
    destroy: () => {
      provider.destroy()
      doc.destroy()
    },
  }
}

/** The text of a document as the store holds it (state plus log), what a restart would load. */
/**
 * Clients opened as named people (their session cookies), remembered so that a suite closes them
 * all at once in afterAll.
 */
export function clientsAs<Who extends string>(server: () => { url: string }, cookies: Record<Who, string>) {
  const opened: Client[] = []
  return {
    open(docId: string, who: Who): Client {
      const c = connect(server(), docId, cookies[who])
      opened.push(c)
      return c
    },
    closeAll() {
      for (const c of opened.splice(0)) c.destroy()
    },
  }
}

export async function storedText(db: DB, docId: string): Promise<string> {
  const stored = await loadDoc(db, docId)
  const doc = new Y.Doc()
  if (stored.update) Y.applyUpdate(doc, stored.update)
  const text = fragmentText(doc)
  doc.destroy()
  return text
}

/** The plain text of the editor's fragment: paragraphs joined by newlines. */
export function fragmentText(doc: Y.Doc): string {
  return doc
    .getXmlFragment('default')
    .toArray()
    .map((node) => (node instanceof Y.XmlElement ? node.toArray().map((t) => (t instanceof Y.XmlText ? t.toString() : '')).join('') : ''))
    .join('\n')
}

/** Appends text at the end of the first paragraph (creating it when the document is empty). */
export function type(doc: Y.Doc, text: string) {
  const fragment = doc.getXmlFragment('default')
  doc.transact(() => {
    let p = fragment.get(0) as Y.XmlElement | undefined
    if (!p) {
      p = new Y.XmlElement('paragraph')
      fragment.insert(0, [p])
    }
    let t = p.get(0) as Y.XmlText | undefined
    if (!t) {
      t = new Y.XmlText()
      p.insert(0, [t])
    }
    t.insert(t.length, text)
  })
}

/** Opens a raw websocket and resolves with the HTTP status of a refused upgrade, or 101. */
export function upgradeStatus(server: { url: string }, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(server.url.replace(/^http/, 'ws') + path, { headers })
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0)
      ws.terminate()
    })
    ws.on('open', () => {
      resolve(101)
      ws.close()
    })
    ws.on('error', (err) => {
      if (!/Unexpected server response/.test(String(err))) reject(err)
    })
  })
}

/**
 * The clients a test opens, kept so that they are all destroyed at the end:
 * `const clients = clientPool(() => server)`, `clients.open(docId, cookie)`, `afterAll(clients.destroyAll)`.
 */
export function clientPool(server: () => { url: string }) {
  const open: Client[] = []
  return {
    open(docId: string, cookie: string, opts?: Parameters<typeof connect>[3]): Client {
      const c = connect(server(), docId, cookie, opts)
      open.push(c)
      return c
    },
    destroyAll() {
      for (const c of open.splice(0)) c.destroy()
    },
  }
}

/**
 * Each client types its own numbered tokens (`[client:round]`) on a timer: what every durability
 * test types. `typed[i]` holds what client i typed, `rounds()` how many rounds have been typed.
 */
export function typists(clients: Client[], everyMs = 15, prefix = '') {
  const typed: string[][] = clients.map(() => [])
  let n = 0
  const timer = setInterval(() => {
    clients.forEach((c, i) => {
      const token = `[${prefix}${i}:${n}]`
      type(c.doc, token)
      typed[i]!.push(token)
    })
    n++
  }, everyMs)
  return { typed, rounds: () => n, stop: () => clearInterval(timer) }
}

/**
 * The stored text once it holds every one of `expected` (or as it is after `timeoutMs`): the test
 * then says what is missing. Storing trails the clients, so the store is asked until it caught up.
 */
export async function storedTextHolding(db: DB, docId: string, expected: string[], timeoutMs = 10_000): Promise<string> {
  let text = ''
  const start = Date.now()
  do {
    text = await storedText(db, docId)
    if (expected.every((t) => text.includes(t))) break
    await new Promise((r) => setTimeout(r, 100))
  } while (Date.now() - start < timeoutMs)
  return text
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const start = Date.now()
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}
