import fs from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import { socketClass } from '../support/collab'
import { emit, percentile, sleep, typeKeystrokes } from './lib'

/**
 * The benchmark's client processes, all with the y-websocket@3.1.0 provider (disableBc) and the
 * cookie and Origin a browser sends. One mode per process, arguments as a JSON file (argv[2]):
 *   probe  1 writer + 2 readers; the latency clock (performance.now() of this process)
 *   load   awareness-only clients (caret moves at rateHz each)
 *   cold   one fresh client: time from connect to 'sync'
 *   idle   one client per document, each with ~5 KB of text, held open
 *   fill   types a 20 000-keystroke log into a document over the wire (for the reference's LevelDB)
 *   scale  many documents with a few clients each: one writer per document, every keystroke counted
 * Results and progress are JSON lines on stdout (see emit).
 */
interface Target {
  url: string // ws://127.0.0.1:<port>/collab
  origin: string // http://127.0.0.1:<port>
}
type Args = Target &
  (
    | { mode: 'probe'; room: string; cookies: string[]; warmupMs: number; measureMs: number; graceMs: number; rateHz: number; caret: boolean }
    | { mode: 'load'; room: string; cookies: string[]; rateHz: number }
    | { mode: 'cold'; room: string; cookie: string; expectLength: number }
    | { mode: 'idle'; rooms: string[]; cookies: string[] }
    | { mode: 'fill'; room: string; cookie: string; count: number }
    | { mode: 'scale'; rooms: string[]; cookies: string[]; perRoom: number; rateHz: number; measureMs: number; graceMs: number }
  )

const args = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as Args
const now = () => performance.now()

interface Client {
  doc: Y.Doc
  provider: WebsocketProvider
  synced: Promise<number>
  disconnects: () => number
}

function open(target: Target, room: string, cookie: string, doc = new Y.Doc()): Client {
  const provider = new WebsocketProvider(target.url, room, doc, {
    WebSocketPolyfill: socketClass({ Cookie: cookie, Origin: target.origin }) as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  })
  let disconnects = 0
  provider.on('status', (e: { status: string }) => {
    if (e.status === 'disconnected') disconnects++
  })
  const synced = new Promise<number>((resolve) => {
    const onSync = (s: boolean) => {
      if (!s) return
      provider.off('sync', onSync)
      resolve(now())
    }
    provider.on('sync', onSync)
  })
  return { doc, provider, synced, disconnects: () => disconnects }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms))),
  ])
}

/** Opens clients in batches of 10, each batch synced before the next, within an overall bound. */
async function openMany(target: Target, rooms: string[], cookies: string[], prepare?: (doc: Y.Doc, i: number) => void) {
  const clients: Client[] = []
  const deadline = Date.now() + 120_000
  for (let i = 0; i < cookies.length; i += 10) {
    const batch: Client[] = []
    for (let j = i; j < Math.min(cookies.length, i + 10); j++) {
      const doc = new Y.Doc()
      prepare?.(doc, j)
      const c = open(target, rooms[j] ?? rooms[0]!, cookies[j]!, doc)
      setPresence(c, j)
      batch.push(c)
    }
    await withTimeout(Promise.all(batch.map((c) => c.synced)), Math.max(1, deadline - Date.now()), `sync of clients ${i}..${i + batch.length - 1}`)
    clients.push(...batch)
  }
  return clients
}

const colors = ['#1b5e20', '#0d47a1', '#b71c1c', '#4a148c', '#e65100', '#006064']

function setPresence(c: Client, i: number) {
  c.provider.awareness.setLocalState({ user: { name: `Bench ${i}`, color: colors[i % colors.length] }, cursor: null })
}

/** A caret as y-tiptap publishes it: two relative positions (JSON) into the shared type. */
function caret(c: Client, pos: number) {
  const rel = { type: null, tname: 'default', item: { client: c.doc.clientID, clock: pos }, assoc: 0 }
  c.provider.awareness.setLocalStateField('cursor', { anchor: rel, head: rel })
}

async function probe(a: Extract<Args, { mode: 'probe' }>) {
  const [writer, ...readers] = await openMany(a, [a.room], a.cookies.slice(0, 3))
  if (!writer || readers.length !== 2) throw new Error('probe needs three cookies')
  emit('synced')
  const interval = 1000 / a.rateHz
  const start = now() + 50
  const measureStart = start + a.warmupMs
  const measureEnd = measureStart + a.measureMs
  const latencies: number[][] = readers.map(() => [])
  /** the slowest deliveries: when (s into the window), which keystroke, how long */
  const slow: Array<{ at: number; seq: number; ms: number }> = []
  readers.forEach((r, i) => {
    const map = r.doc.getMap<number>('t0')
    map.observe((ev) => {
      const t = now()
      for (const key of ev.keysChanged) {
        const t0 = map.get(key)
        if (t0 !== undefined && t0 >= measureStart && t0 < measureEnd) {
          latencies[i]!.push(t - t0)
          slow.push({ at: +((t0 - measureStart) / 1000).toFixed(3), seq: Number(key), ms: +(t - t0).toFixed(2) })
          slow.sort((x, y) => y.ms - x.ms)
          if (slow.length > 12) slow.pop()
        }
      }
    })
  })
  const text = writer.doc.getText('text')
  const stamps = writer.doc.getMap<number>('t0')
  let seq = 0
  let sentMeasured = 0
  const loopDelay = monitorEventLoopDelay({ resolution: 10 })
  await new Promise<void>((resolve) => {
    const tick = () => {
      const t0 = now()
      if (t0 >= measureEnd) return resolve()
      writer.doc.transact(() => {
        text.insert(text.length, String.fromCharCode(97 + (seq % 26)))
        stamps.set(String(seq), t0)
      })
      if (a.caret) caret(writer, seq)
      if (t0 >= measureStart) sentMeasured++
      seq++
      setTimeout(tick, Math.max(0, start + seq * interval - now()))
    }
    setTimeout(tick, Math.max(0, start - now()))
    setTimeout(() => {
      loopDelay.enable()
      emit('measure-start')
    }, Math.max(0, measureStart - now()))
  })
  loopDelay.disable()
  emit('measure-end')
  await sleep(a.graceMs)
  const all = latencies.flat().sort((x, y) => x - y)
  emit('result', {
    sent: sentMeasured,
    expected: sentMeasured * readers.length,
    delivered: all.length,
    p50: percentile(all, 50),
    p99: percentile(all, 99),
    max: all.at(-1) ?? NaN,
    // the histogram holds whole timer intervals: the lag is what exceeds the 10 ms resolution
    probeLoopDelayP99: Math.max(0, loopDelay.percentile(99) / 1e6 - 10),
    disconnects: [writer, ...readers].reduce((n, c) => n + c.disconnects(), 0),
    slowest: slow,
    latencies: all.map((x) => +x.toFixed(3)),
  })
  for (const c of [writer, ...readers]) c.provider.destroy()
}

async function load(a: Extract<Args, { mode: 'load' }>) {
  const clients = await openMany(a, [a.room], a.cookies)
  emit('ready', { clients: clients.length })
  let sent = 0
  const period = 1000 / a.rateHz
  for (const c of clients) {
    let pos = 0
    const move = () => {
      caret(c, pos++)
      sent++
    }
    // spread over the period, so the carets do not move in lockstep
    setTimeout(() => {
      move()
      setInterval(move, period)
    }, Math.random() * period)
  }
  setInterval(() => {
    const connected = clients.filter((c) => c.provider.wsconnected).length
    const disconnects = clients.reduce((n, c) => n + c.disconnects(), 0)
    emit('stats', { at: Date.now(), sent, connected, disconnects })
  }, 1000)
}

/**
 * Time to 'sync', and time until the whole text is there: a server that answers the handshake
 * before its storage has loaded (the reference does) syncs early and sends the content later.
 */
async function cold(a: Extract<Args, { mode: 'cold' }>) {
  const t0 = now()
  const c = open(a, a.room, a.cookie)
  const text = c.doc.getText('text')
  const complete = new Promise<number>((resolve) => {
    const check = () => {
      if (text.length < a.expectLength) return
      text.unobserve(check)
      resolve(now())
    }
    text.observe(check)
  })
  const t1 = await withTimeout(c.synced, 120_000, 'cold sync')
  const t2 = text.length >= a.expectLength ? t1 : await withTimeout(complete, 120_000, 'complete text').catch(() => NaN)
  emit('result', { syncMs: t1 - t0, completeMs: t2 - t0, length: text.length })
  c.provider.destroy()
}

/** About 5 KB of text in the editor's shape (paragraphs in the 'default' fragment). */
function fillParagraphs(doc: Y.Doc, i: number) {
  const sentence = `Document ${i}: afspraken over inkoop, toegang en kwaliteit van jeugdhulp in de regio. `
  const fragment = doc.getXmlFragment('default')
  doc.transact(() => {
    for (let p = 0; p < 10; p++) {
      const el = new Y.XmlElement('paragraph')
      el.insert(0, [new Y.XmlText(sentence.repeat(6))])
      fragment.insert(fragment.length, [el])
    }
  })
}

async function idle(a: Extract<Args, { mode: 'idle' }>) {
  const clients = await openMany(a, a.rooms, a.cookies, fillParagraphs)
  emit('ready', { clients: clients.length, bytesPerDoc: Y.encodeStateAsUpdate(clients[0]!.doc).length })
  setInterval(() => {
    emit('stats', { connected: clients.filter((c) => c.provider.wsconnected).length })
  }, 1000)
}

async function fill(a: Extract<Args, { mode: 'fill' }>) {
  const doc = new Y.Doc()
  doc.clientID = 4242
  const c = open(a, a.room, a.cookie, doc)
  await withTimeout(c.synced, 30_000, 'fill sync')
  const ws = () => c.provider.ws as unknown as { bufferedAmount: number } | null
  let n = 0
  // Type in slices so the socket buffer drains in between.
  await new Promise<void>((resolve) => {
    const slice = () => {
      const upto = Math.min(a.count, n + 500)
      typeKeystrokes(doc, n, upto)
      n = upto
      if (n >= a.count) return resolve()
      setTimeout(slice, (ws()?.bufferedAmount ?? 0) > 0 ? 20 : 0)
    }
    slice()
  })
  // A second client sees everything once the server has applied it all.
  const check = open(a, a.room, a.cookie)
  await withTimeout(check.synced, 30_000, 'check sync')
  const deadline = Date.now() + 60_000
  while (check.doc.getText('text').length < a.count && Date.now() < deadline) await sleep(50)
  emit('result', { typed: n, serverLength: check.doc.getText('text').length })
  c.provider.destroy()
  check.provider.destroy()
}

/**
 * rooms × perRoom clients: the first client of each room types rateHz keystrokes per second for
 * measureMs, the others count what arrives. Connections that fail or close are counted as refused
 * or dropped; the result says how many keystrokes were expected and how many arrived.
 */
async function scale(a: Extract<Args, { mode: 'scale' }>) {
  const rooms: string[] = []
  const cookies: string[] = []
  for (const [r, room] of a.rooms.entries())
    for (let k = 0; k < a.perRoom; k++) {
      rooms.push(room)
      cookies.push(a.cookies[(r * a.perRoom + k) % a.cookies.length]!)
    }
  let refused = 0
  const clients = await openMany(a, rooms, cookies).catch((err: unknown) => {
    refused = rooms.length // openMany gives up as a whole: report it rather than half a result
    throw err
  })
  emit('ready', { clients: clients.length, refused })
  let received = 0
  const groups = a.rooms.map((_, r) => clients.slice(r * a.perRoom, (r + 1) * a.perRoom))
  for (const g of groups)
    for (const reader of g.slice(1))
      reader.doc.getText('text').observe((ev) => {
        for (const d of ev.changes.delta) if (typeof d.insert === 'string') received += d.insert.length
      })
  const start = now() + 100
  const end = start + a.measureMs
  let sent = 0
  await new Promise<void>((resolve) => {
    let left = groups.length
    groups.forEach((g, r) => {
      const writer = g[0]!
      const text = writer.doc.getText('text')
      const period = 1000 / a.rateHz
      let n = 0
      // writers start spread over one period, so the documents do not type in lockstep
      const first = start + (r / groups.length) * period
      const tick = () => {
        if (now() >= end) {
          if (--left === 0) resolve()
          return
        }
        text.insert(text.length, String.fromCharCode(97 + (n % 26)))
        n++
        sent++
        setTimeout(tick, Math.max(0, first + n * period - now()))
      }
      setTimeout(tick, Math.max(0, first - now()))
    })
  })
  emit('typed', { sent })
  const expected = sent * (a.perRoom - 1)
  const deadline = now() + a.graceMs
  while (received < expected && now() < deadline) await sleep(100)
  emit('result', {
    clients: clients.length,
    refused,
    connected: clients.filter((c) => c.provider.wsconnected).length,
    disconnects: clients.reduce((n, c) => n + c.disconnects(), 0),
    sent,
    expected,
    delivered: received,
  })
  for (const c of clients) c.provider.destroy()
}

const run = { probe, load, cold, idle, fill, scale }[args.mode] as (a: Args) => Promise<void>
run(args).then(
  () => {
    if (args.mode !== 'load' && args.mode !== 'idle') setTimeout(() => process.exit(0), 100)
  },
  (err) => {
    emit('error', { message: err instanceof Error ? err.message : String(err) })
    process.exit(1)
  },
)
