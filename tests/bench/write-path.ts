import { spawn } from 'node:child_process'
import { EventEmitter } from 'node:events'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import * as Y from 'yjs'
import * as decoding from 'lib0/decoding'
import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import { median, percentile } from './lib'

/**
 * The collaboration server's durable write path alone, in one process, without the network:
 * `npx tsx tests/bench/write-path.ts`. The CollabServer of a checkout (with the portal's hooks, as
 * server/app.ts wires them, on a temporary SQLite file) gets fake sockets; one of them only reads
 * and records what the server sends it, the others send pre-made one-keystroke updates (the
 * bench's writer: a Y.Text insert and a Y.Map set in one transaction). Two phases:
 *   seq    one update at a time, writers taking turns; the next is sent once the previous one has
 *          reached the reader and the event loop has turned (the bench's common case: one typist)
 *   burst  every writer sends one update in the same turn, then the next burst (batching)
 * Per phase: CPU time per update (process.cpuUsage over the phase ÷ updates, the sender side is
 * pre-made and not in it) and the time from receipt (the socket's 'message') to the update's
 * broadcast to the reader (decoded after the phase, so not in the CPU figure).
 *
 * A/B: WP_CODE=/path/to/checkout-a,/path/to/checkout-b runs each checkout's server code in a fresh
 * child process, alternating A, B, A, B … for WP_ROUNDS rounds, and prints medians per checkout.
 * `reference` in that list is the y-websocket 2.1.0 server's connection handler (bin/utils.cjs of
 * the devDependency y-websocket-v2) in memory: the floor, what relaying costs without storing.
 * The same updates go to every run. Environment (all optional):
 *   WP_CODE=<this checkout>   checkouts to compare, comma-separated (or `reference`)
 *   WP_ROUNDS=3               rounds (each runs every checkout once)
 *   WP_CLIENTS=10             connections on the document (1 reader, the others write)
 *   WP_UPDATES=2000           updates in the seq phase
 *   WP_BURSTS=200             bursts in the burst phase (each: one update per writer)
 *   WP_WARMUP=400             seq updates before measuring (JIT, caches)
 *   WP_PROFILE=<dir>          run the children with --cpu-prof into <dir>
 */

const here = path.dirname(fileURLToPath(import.meta.url))
/** WP_CODE entry for the reference y-websocket 2.1.0 handler in memory (no storage: the floor) */
const REFERENCE = 'reference'
const env = process.env
const cfg = {
  clients: Number(env.WP_CLIENTS ?? 10),
  updates: Number(env.WP_UPDATES ?? 2000),
  bursts: Number(env.WP_BURSTS ?? 200),
  warmup: Number(env.WP_WARMUP ?? 400),
}

interface PhaseResult {
  updates: number
  cpuUsPerUpdate: number
  wallUsPerUpdate: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  delivered: number
}
interface RunResult {
  code: string
  seq: PhaseResult
  burst: PhaseResult
  /** seconds since the child started when the measured phases began (to skip start-up in a profile) */
  measureFromS: number
}

// ---------------------------------------------------------------------------------------------
// Child: one run against one checkout's code

class FakeSocket extends EventEmitter {
  readyState = 1
  readonly OPEN = 1
  binaryType = 'nodebuffer'
  readonly closes: number[] = []
  private sent = 0
  constructor(private readonly onSend: (m: Uint8Array) => void = () => {}) {
    super()
  }
  /** ws's send(data, cb) as our server calls it, or send(data, options, cb) as the reference does */
  send(m: Uint8Array, a?: unknown, b?: unknown) {
    this.onSend(m)
    if (this.sent++ === 0) this.emit('sent-first')
    const cb = typeof a === 'function' ? a : b
    if (typeof cb === 'function') (cb as (err?: Error) => void)()
  }
  close(code?: number) {
    if (this.readyState !== 1) return
    this.closes.push(code ?? 1000)
    this.readyState = 3
    this.emit('close', code)
  }
  terminate() {
    this.close(1006)
  }
  ping() {}
}

function updateMessage(update: Uint8Array): Buffer {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 0)
  syncProtocol.writeUpdate(e, update)
  return Buffer.from(encoding.toUint8Array(e))
}

/** Keystrokes of writer k: one update each, made up front, keyed by the id of its first struct. */
function keystrokes(k: number, count: number): Array<{ key: string; message: Buffer }> {
  const doc = new Y.Doc()
  doc.clientID = 1000 + k
  const text = doc.getText('text')
  const stamps = doc.getMap('stamps')
  const out: Array<{ key: string; message: Buffer }> = []
  doc.on('update', (u: Uint8Array) => {
    const first = Y.decodeUpdate(u).structs[0]!
    out.push({ key: `${first.id.client}:${first.id.clock}`, message: updateMessage(u) })
  })
  for (let i = 0; i < count; i++) {
    doc.transact(() => {
      text.insert(text.length, String.fromCharCode(97 + (i % 26)))
      stamps.set('last', i)
    })
  }
  doc.destroy()
  return out
}

/** A server under test: connects a fake socket (edit or read) and stops. */
interface Peer {
  join(ws: FakeSocket, index: number, permission: 'edit' | 'read'): void
  close(): Promise<void>
}

/** Our CollabServer from a checkout, wired as server/app.ts does, on a temporary SQLite file. */
async function ourPeer(root: string): Promise<Peer> {
  const imp = <T>(rel: string): Promise<T> => import(pathToFileURL(path.join(root, rel)).href) as Promise<T>
  const { connect, migrateToLatest } = await imp<typeof import('../../db/connect')>('db/connect.ts')
  const { createRegion } = await imp<typeof import('../../server/modules/regions/commands')>('server/modules/regions/commands.ts')
  // Older checkouts kept createDocument in documents.ts (before the module layout of ADR 0017).
  const { createDocument } = await imp<typeof import('../../server/modules/documents/commands')>('server/modules/documents/commands.ts').catch(() =>
    imp<typeof import('../../server/modules/documents/commands')>('server/modules/documents/documents.ts'),
  )
  const { CollabServer } = await imp<typeof import('../../server/collab/server')>('server/collab/server.ts')
  const { dbStorage } = await imp<typeof import('../../server/collab/persistence')>('server/collab/persistence.ts')
  const { portalHooks } = await imp<typeof import('../../server/collab/auth')>('server/collab/auth.ts')
  const { withPresence, PresenceGate } = await imp<typeof import('../../server/collab/presence')>('server/collab/presence.ts')
  const { createLogger } = await imp<typeof import('../../server/lib/log')>('server/lib/log.ts')

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'samenspel-write-path-'))
  const conn = await connect(`sqlite:${path.join(dir, 'wp.db')}`)
  const cleanUp = async () => {
    await conn.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
  try {
    await migrateToLatest(conn)
    const now = new Date()
    const regionId = await createRegion(conn.db, { slug: 'wp', name: 'Write path', now })
    const docId = await createDocument(conn.db, { regionId, kind: 'proposal', title: 'Write path', actorId: null, now })
    const clock = () => new Date()
    const logger = createLogger('silent')
    const hooks = withPresence(
      portalHooks({ db: conn.db, clock, config: { publicOrigins: [], cookieSecure: false, sessionIdleDays: 30 } }),
      new PresenceGate({ db: conn.db, clock, logger }),
    )
    const server = new CollabServer({ storage: dbStorage(conn.db), clock, logger, hooks })
    const accept = (server as unknown as { accept(ws: unknown, docId: string, who: { userId: string; permission: string }): void }).accept.bind(server)
    return {
      join: (ws, index, permission) => accept(ws, docId, { userId: `user-${index}`, permission }),
      close: async () => {
        await server.close()
        await cleanUp()
      },
    }
  } catch (err) {
    await cleanUp()
    throw err
  }
}

/** The reference y-websocket 2.1.0 server's connection handler (bin/utils.cjs), in memory. */
async function referencePeer(): Promise<Peer> {
  const require = createRequire(import.meta.url)
  const { setupWSConnection } = require(path.resolve(here, '../../node_modules/y-websocket-v2/bin/utils.cjs')) as { setupWSConnection(conn: unknown, req: unknown, opts: { docName: string }): void }
  return {
    // It has no read-only connections; the reader sends nothing anyway.
    join: (ws) => setupWSConnection(ws, { url: '/wp' }, { docName: 'wp' }),
    close: async () => {},
  }
}

async function child(code: string): Promise<RunResult> {
  const peer = code === REFERENCE ? await referencePeer() : await ourPeer(code)
  try {
    // The reader records every document update it is sent, with the time.
    const seen: Array<{ t: number; m: Uint8Array }> = []
    let arrived: (() => void) | null = null
    const reader = new FakeSocket((m) => {
      if (m[0] === 0 && m[1] === 2) {
        seen.push({ t: performance.now(), m })
        arrived?.()
      }
    })
    const writers = Array.from({ length: Math.max(1, cfg.clients - 1) }, () => new FakeSocket())
    const sockets = [reader, ...writers]
    const joined = sockets.map((ws) => new Promise<void>((r) => ws.once('sent-first', r)))
    sockets.forEach((ws, i) => peer.join(ws, i, ws === reader ? 'read' : 'edit'))
    await Promise.all(joined)

    const perWriter = Math.ceil((cfg.warmup + cfg.updates) / writers.length) + cfg.bursts
    const made = writers.map((_, k) => keystrokes(k, perWriter))
    const next = writers.map(() => 0)
    const sent = new Map<string, number>()
    const turn = () => new Promise<void>((r) => setImmediate(r))

    const one = async (i: number, measure: boolean) => {
      const k = i % writers.length
      const u = made[k]![next[k]!++]!
      const got = new Promise<void>((r) => (arrived = r))
      if (measure) sent.set(u.key, performance.now())
      writers[k]!.emit('message', u.message, true)
      await got
      arrived = null
      await turn()
    }
    for (let i = 0; i < cfg.warmup; i++) await one(i, false)
    const measureFromS = performance.now() / 1000

    const phase = async (run: () => Promise<number>): Promise<PhaseResult> => {
      sent.clear()
      const from = seen.length
      const cpu0 = process.cpuUsage()
      const t0 = performance.now()
      const updates = await run()
      const wall = performance.now() - t0
      const cpu = process.cpuUsage(cpu0)
      // Which update each broadcast carried, from its structs' ids (after the clock stopped).
      const at = new Map<string, number>()
      for (const { t, m } of seen.slice(from)) {
        const d = decoding.createDecoder(m)
        decoding.readVarUint(d)
        decoding.readVarUint(d)
        for (const s of Y.decodeUpdate(decoding.readVarUint8Array(d)).structs) {
          for (let c = s.id.clock; c < s.id.clock + s.length; c++) {
            const key = `${s.id.client}:${c}`
            if (!at.has(key)) at.set(key, t)
          }
        }
      }
      const lat: number[] = []
      for (const [key, t] of sent) {
        const a = at.get(key)
        if (a !== undefined) lat.push(a - t)
      }
      lat.sort((a, b) => a - b)
      return {
        updates,
        cpuUsPerUpdate: (cpu.user + cpu.system) / updates,
        wallUsPerUpdate: (wall * 1000) / updates,
        p50Ms: percentile(lat, 50),
        p99Ms: percentile(lat, 99),
        maxMs: lat.at(-1) ?? NaN,
        delivered: lat.length,
      }
    }

    const seq = await phase(async () => {
      for (let i = 0; i < cfg.updates; i++) await one(cfg.warmup + i, true)
      return cfg.updates
    })
    const burst = await phase(async () => {
      for (let b = 0; b < cfg.bursts; b++) {
        const burstKeys = new Set<string>()
        let checked = seen.length
        // Done once the reader holds every update of this burst (batched or not): each arriving
        // message is decoded once (the same small cost for every checkout compared).
        const all = new Promise<void>((resolve) => {
          arrived = () => {
            for (; checked < seen.length; checked++) {
              const d = decoding.createDecoder(seen[checked]!.m)
              decoding.readVarUint(d)
              decoding.readVarUint(d)
              for (const s of Y.decodeUpdate(decoding.readVarUint8Array(d)).structs) burstKeys.delete(`${s.id.client}:${s.id.clock}`)
            }
            if (burstKeys.size === 0) resolve()
          }
        })
        for (let k = 0; k < writers.length; k++) {
          const u = made[k]![next[k]!++]!
          burstKeys.add(u.key)
          sent.set(u.key, performance.now())
          writers[k]!.emit('message', u.message, true)
        }
        await all
        arrived = null
        await turn()
      }
      return cfg.bursts * writers.length
    })
    return { code, seq, burst, measureFromS }
  } finally {
    await peer.close()
  }
}

// ---------------------------------------------------------------------------------------------
// Parent: alternate the checkouts, fresh process per run

function runChild(root: string, profileDir: string | undefined): Promise<RunResult> {
  const args = [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), '--import', 'tsx', fileURLToPath(import.meta.url)]
  return new Promise((resolve, reject) => {
    const cp = spawn(process.execPath, args, {
      cwd: root === REFERENCE ? path.resolve(here, '../..') : root,
      env: { ...env, WP_CHILD: root, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    cp.stdout.on('data', (d: Buffer) => (out += d.toString()))
    cp.on('exit', (code) => {
      const line = out.trim().split('\n').findLast((l) => l.startsWith('{'))
      if (code !== 0 || !line) return reject(new Error(`write-path child for ${root} failed (${code})\n${out}`))
      resolve(JSON.parse(line) as RunResult)
    })
  })
}

const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '–')

async function parent() {
  const codes = (env.WP_CODE ?? path.resolve(here, '../..')).split(',').map((c) => (c === REFERENCE ? c : path.resolve(c)))
  const rounds = Number(env.WP_ROUNDS ?? 3)
  const profileDir = env.WP_PROFILE ? path.resolve(env.WP_PROFILE) : undefined
  if (profileDir) fs.mkdirSync(profileDir, { recursive: true })
  console.log(`write path: ${cfg.clients} connections (1 reader, ${Math.max(1, cfg.clients - 1)} writers), seq ${cfg.updates} updates, burst ${cfg.bursts} × ${Math.max(1, cfg.clients - 1)}, warm-up ${cfg.warmup}; ${rounds} round(s)`)
  const results = new Map<string, RunResult[]>(codes.map((c) => [c, []]))
  const row = (label: string, p: PhaseResult) =>
    `${label.padEnd(6)} cpu ${f(p.cpuUsPerUpdate).padStart(7)} µs/update  wall ${f(p.wallUsPerUpdate).padStart(7)} µs/update  receipt→broadcast p50 ${f(p.p50Ms, 3)} p99 ${f(p.p99Ms, 3)} max ${f(p.maxMs, 2)} ms  (${p.delivered}/${p.updates})`
  for (let r = 0; r < rounds; r++) {
    for (const code of r % 2 === 0 ? codes : [...codes].reverse()) {
      const res = await runChild(code, profileDir)
      results.get(code)!.push(res)
      console.log(`round ${r + 1} ${code}`)
      console.log(`  ${row('seq', res.seq)}`)
      console.log(`  ${row('burst', res.burst)}`)
    }
  }
  console.log(`\nmedians over ${rounds} round(s):`)
  const med = (rs: RunResult[], phase: 'seq' | 'burst'): PhaseResult => {
    const m = (k: keyof PhaseResult) => median(rs.map((r) => r[phase][k]))
    return { updates: m('updates'), cpuUsPerUpdate: m('cpuUsPerUpdate'), wallUsPerUpdate: m('wallUsPerUpdate'), p50Ms: m('p50Ms'), p99Ms: m('p99Ms'), maxMs: m('maxMs'), delivered: m('delivered') }
  }
  const summary = codes.map((c) => ({ code: c, seq: med(results.get(c)!, 'seq'), burst: med(results.get(c)!, 'burst') }))
  for (const s of summary) {
    console.log(s.code)
    console.log(`  ${row('seq', s.seq)}`)
    console.log(`  ${row('burst', s.burst)}`)
  }
  if (summary.length === 2) {
    const [a, b] = summary as [(typeof summary)[0], (typeof summary)[0]]
    for (const phase of ['seq', 'burst'] as const) {
      console.log(
        `${phase}: second ÷ first: cpu ${f(b[phase].cpuUsPerUpdate / a[phase].cpuUsPerUpdate, 2)}×, p50 ${f(b[phase].p50Ms / a[phase].p50Ms, 2)}×, p99 ${f(b[phase].p99Ms / a[phase].p99Ms, 2)}×`,
      )
    }
  }
  if (profileDir) console.log(`\nprofiles in ${profileDir}; measured phases start about ${f(results.get(codes[0]!)![0]!.measureFromS, 1)} s in`)
}

if (env.WP_CHILD) {
  child(env.WP_CHILD).then(
    (res) => {
      process.stdout.write(JSON.stringify(res) + '\n')
      process.exit(0)
    },
    (err) => {
      console.error(err)
      process.exit(1)
    },
  )
} else {
  parent().catch((err) => {
    console.error(err)
    process.exit(1)
  })
}
