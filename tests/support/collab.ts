import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import type { TestServer } from './server'

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
  destroy: () => void
}

export function connect(server: { url: string }, docId: string, cookie: string, opts: { origin?: string; connect?: boolean } = {}): Client {
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(server.url.replace(/^http/, 'ws') + '/collab', docId, doc, {
    WebSocketPolyfill: socketClass({ Cookie: cookie, Origin: opts.origin ?? server.url }) as unknown as typeof globalThis.WebSocket,
    disableBc: true,
    connect: opts.connect ?? true,
    maxBackoffTime: 300,
  })
  const synced = new Promise<void>((resolve) => {
    if (provider.synced) resolve()
    provider.once('sync', (s: boolean) => s && resolve())
  })
  return {
    doc,
    provider,
    text: () => fragmentText(doc),
    synced,
    destroy: () => {
      provider.destroy()
      doc.destroy()
    },
  }
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

export async function until(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}
