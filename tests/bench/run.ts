import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createRequire } from 'node:module'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'
import { connect, migrateToLatest } from '../../db/connect'
import { seed } from '../../db/seed'
import { createSession } from '../../server/auth/session'
import { appendUpdate } from '../../server/collab/persistence'
import { createDocument } from '../../server/modules/documents/commands'
import { cookieHeader } from '../support/server'
import { coreTimes, cpuSeconds, keystrokeUpdates, median, memoryMB, percentile, sleep } from './lib'

/**
 * `npm run bench`: our collaboration server against the y-websocket@2.1.0 reference server, on one
 * 2-core machine, as docs/reference/tech-anchors.md §2 describes. Servers run on CPU 0, every
 * client process on CPU 1; this runner pins itself to CPU 1 too. Results are printed and written
 * between the markers in docs/BENCHMARKS.md. Every process it starts is killed when it ends,
 * also on failure or Ctrl-C.
 *
 * Environment (all optional):
 *   BENCH_NS=10,50,100,200     clients per document
 *   BENCH_ROUNDS=2             A/B rounds per N (ours vs reference in memory)
 *   BENCH_REFDB_NS=…           N at which the reference with YPERSISTENCE (LevelDB) also runs
 *   BENCH_REFDB_ROUNDS=1       its rounds
 *   BENCH_WARMUP_S=5 BENCH_MEASURE_S=20
 *   BENCH_AWARENESS_HZ         caret rate of each load client (default: 1 Hz, less at large N)
 *   BENCH_EXTRAS=0             skip the cold-join, idle-memory and scale measurements
 *   BENCH_SCALE=0              skip only the scale case (1,000 connections over 200 documents)
 *   BENCH_ONLY=scale           run only the extras named (scale, cold, idle), no latency runs
 *   BENCH_WRITE_DOCS=0         do not touch docs/BENCHMARKS.md
 *   BENCH_PROFILE=1            run our server with --cpu-prof (profiles kept in a printed folder)
 *   BENCH_DIAG=1               both servers report event-loop lag and GC pauses of the window
 *   BENCH_WRITER_CARET=0       the writer does not move its caret after each keystroke
 *   BENCH_REF_BIN=…            another reference server script (experiments, e.g. a copy using ws 8)
 *   BENCH_PEERS=ours,ref,refdb which peers the latency runs include (for a quick look at one)
 *   BENCH_RETRY=0              do not repeat runs that other work on the machine disturbed
 *   BENCH_BUDGET_S=840         repeats only while the whole bench stays within this many seconds
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const env = process.env
const list = (v: string | undefined, d: number[]) => (v === undefined ? d : v.split(',').filter(Boolean).map(Number))
const cfg = {
  ns: env.BENCH_ONLY ? [] : list(env.BENCH_NS, [10, 50, 100, 200]),
  rounds: Number(env.BENCH_ROUNDS ?? 2),
  refdbNs: list(env.BENCH_REFDB_NS, [10, 50, 100, 200]),
  refdbRounds: Number(env.BENCH_REFDB_ROUNDS ?? 1),
  warmupMs: Number(env.BENCH_WARMUP_S ?? 5) * 1000,
  measureMs: Number(env.BENCH_MEASURE_S ?? 20) * 1000,
  graceMs: 1500,
  typingHz: 8,
  awarenessHz: env.BENCH_AWARENESS_HZ ? Number(env.BENCH_AWARENESS_HZ) : undefined,
  peers: (env.BENCH_PEERS ?? 'ours,ref,refdb').split(',') as Peer[],
  extras: env.BENCH_EXTRAS !== '0',
  writeDocs: env.BENCH_WRITE_DOCS !== '0',
  profile: env.BENCH_PROFILE === '1',
  diag: env.BENCH_DIAG === '1',
  writerCaret: env.BENCH_WRITER_CARET !== '0',
  refBin: env.BENCH_REF_BIN ?? 'node_modules/y-websocket-v2/bin/server.cjs',
  retryDisturbed: env.BENCH_RETRY !== '0',
  budgetS: Number(env.BENCH_BUDGET_S ?? 14 * 60),
  coldUpdates: 20_000,
  idleDocs: 100,
  scale: env.BENCH_SCALE !== '0',
  only: env.BENCH_ONLY ? env.BENCH_ONLY.split(',') : null,
  scaleDocs: 200,
  scalePerDoc: 5,
  scaleHz: 1,
  scaleMeasureMs: 20_000,
  scaleRssGoalMB: 300,
  goalP99: 0.8,
  goalP50: 1.0,
  loadgenLimit: 0.8,
  foreignLimit: 0.1,
}

/**
 * Each load client moves its caret at up to 1 Hz, and less at large N, so that load clients × rate
 * × N (the awareness messages the client processes together receive per second) stays near
 * 6 000: the y-websocket provider also echoes every remote awareness change back to the server,
 * so the client work grows with N², and at 1 Hz with N = 100 the client core was at 80-87% and
 * the runs were client-bound. N = 10 and 50 run at 1 Hz, N = 100 at 0.62 Hz, N = 200 at 0.15 Hz.
 */
function awarenessHz(n: number): number {
  if (cfg.awarenessHz !== undefined) return cfg.awarenessHz
  const load = Math.max(0, n - 3)
  if (load === 0) return 0
  return Math.min(1, Math.round((6_000 / (load * n)) * 100) / 100)
}

type Peer = 'ours' | 'ref' | 'refdb'
const peerName: Record<Peer, string> = { ours: 'ours (SQLite log)', ref: 'reference 2.1.0 (memory)', refdb: 'reference 2.1.0 (LevelDB)' }

// ---------------------------------------------------------------------------------------------
// Processes

interface Proc {
  name: string
  cp: ChildProcess
  pid: number
  events: Array<Record<string, unknown> & { event: string }>
  stderr: string[]
  exited: Promise<number | null>
  waitFor(event: string, timeoutMs: number, after?: number): Promise<Record<string, unknown>>
  latest(event: string): Record<string, unknown> | undefined
}

const children = new Set<ChildProcess>()
const tmpFiles: string[] = []

function killAll() {
  for (const cp of children) {
    try {
      if (cp.pid) process.kill(cp.pid, 'SIGKILL')
    } catch {
      /* gone */
    }
  }
  children.clear()
}
process.on('exit', () => {
  killAll()
  for (const dir of [workDir, buildDir]) if (dir) fs.rmSync(dir, { recursive: true, force: true })
})
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    console.error(`\n${sig}: stopping every bench process`)
    killAll()
    process.exit(130)
  })
}

function start(name: string, cmd: string, args: string[], extraEnv: Record<string, string> & { NODE_ENV: string }): Proc {
  const cp = spawn(cmd, args, {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    // A clean environment: nothing such as NODE_OPTIONS leaks from npm or tsx into the peers.
    env: { PATH: env.PATH ?? '/usr/bin:/bin', HOME: env.HOME ?? '/tmp', ...extraEnv } as NodeJS.ProcessEnv,
  })
  if (!cp.pid) throw new Error(`could not start ${name}`)
  children.add(cp)
  const events: Proc['events'] = []
  const stderr: string[] = []
  const waiters = new Set<() => void>()
  readline.createInterface({ input: cp.stdout! }).on('line', (line) => {
    let ev: Proc['events'][number]
    try {
      const parsed = JSON.parse(line) as unknown
      ev = parsed && typeof parsed === 'object' && 'event' in parsed ? (parsed as Proc['events'][number]) : { event: 'text', line }
    } catch {
      ev = { event: 'text', line }
    }
    events.push(ev)
    for (const w of waiters) w()
  })
  readline.createInterface({ input: cp.stderr! }).on('line', (line) => {
    stderr.push(line)
    if (stderr.length > 40) stderr.shift()
  })
  const exited = new Promise<number | null>((resolve) =>
    cp.on('exit', (code) => {
      children.delete(cp)
      for (const w of waiters) w()
      resolve(code)
    }),
  )
  return {
    name,
    cp,
    pid: cp.pid,
    events,
    stderr,
    exited,
    latest: (event) => events.findLast((e) => e.event === event),
    waitFor(event, timeoutMs, after = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.slice(after).find((e) => e.event === event || (e.event === 'text' && String(e.line).startsWith(event)))
          const failed = events.slice(after).find((e) => e.event === 'error')
          if (found) return done(() => resolve(found))
          if (failed) return done(() => reject(new Error(`${name}: ${String(failed.message)}`)))
          if (cp.exitCode !== null || cp.signalCode !== null)
            return done(() => reject(new Error(`${name} exited (${cp.exitCode ?? cp.signalCode}) before '${event}'\n${stderr.slice(-10).join('\n')}`)))
        }
        const timer = setTimeout(() => done(() => reject(new Error(`${name}: no '${event}' within ${timeoutMs} ms\n${stderr.slice(-10).join('\n')}`))), timeoutMs)
        const done = (f: () => void) => {
          clearTimeout(timer)
          waiters.delete(check)
          f()
        }
        waiters.add(check)
        check()
      })
    },
  }
}

/** SIGTERM, then SIGKILL after a grace period. */
async function stop(p: Proc | undefined, graceMs = 3000) {
  if (!p || p.cp.exitCode !== null || p.cp.signalCode !== null) return
  try {
    process.kill(p.pid, 'SIGTERM')
  } catch {
    return
  }
  const t = setTimeout(() => {
    try {
      process.kill(p.pid, 'SIGKILL')
    } catch {
      /* gone */
    }
  }, graceMs)
  await p.exited
  clearTimeout(t)
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port
      srv.close(() => resolve(port))
    })
  })
}

let workDir = ''
let buildDir = ''
let profileDir = ''
let databaseUrl = ''

interface Server {
  proc: Proc
  url: string // ws base for the provider
  origin: string
}

/** BENCH_DIAG=1: event-loop lag and GC pauses in both servers, through the same preload. */
const diagArgs = () => (cfg.diag ? ['--require', path.join(root, 'tests/bench/diag.cjs')] : [])

/** Starts a peer; one retry, because another process may be rewriting build/ at that moment. */
async function startPeer(peer: Peer, ldbDir?: string): Promise<Server> {
  try {
    return await startPeerOnce(peer, ldbDir)
  } catch (err) {
    console.error(`starting ${peer} failed, retrying once: ${String(err).split('\n')[0]}`)
    await sleep(5000)
    return startPeerOnce(peer, ldbDir)
  }
}

async function startPeerOnce(peer: Peer, ldbDir?: string): Promise<Server> {
  const port = await freePort()
  const base = { NODE_ENV: 'production', HOST: '127.0.0.1', PORT: String(port) }
  let proc: Proc
  if (peer === 'ours') {
    const prof = cfg.profile ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []
    proc = start('our server', 'taskset', ['-c', '0', process.execPath, ...prof, ...diagArgs(), '--import', 'tsx', 'tests/bench/our-server.ts'], {
      ...base,
      DATABASE_URL: databaseUrl,
      BENCH_BUILD_DIR: buildDir,
      LOG_LEVEL: 'warn',
      SAMENSPEL_DEMO: 'false',
    })
    await proc.waitFor('listening', 60_000).catch(async (err) => {
      await stop(proc)
      throw err
    })
  } else {
    proc = start('reference server', 'taskset', ['-c', '0', process.execPath, ...diagArgs(), cfg.refBin], {
      ...base,
      ...(peer === 'refdb' ? { YPERSISTENCE: ldbDir ?? path.join(workDir, 'leveldb') } : {}),
    })
    await proc.waitFor('running at', 30_000).catch(async (err) => {
      await stop(proc)
      throw err
    })
  }
  return { proc, url: `ws://127.0.0.1:${port}/collab`, origin: `http://127.0.0.1:${port}` }
}

/**
 * Which version of our server a run measured: the commit plus a hash of the server and database
 * code as it is on disk (others may commit or edit while the bench runs).
 */
function codeVersion(): string {
  let head = 'no-git'
  let dirty = false
  try {
    head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim()
    dirty = execFileSync('git', ['status', '--porcelain', '--', 'server', 'db'], { cwd: root, encoding: 'utf8' }).trim() !== ''
  } catch {
    /* not a checkout */
  }
  const hash = createHash('sha1')
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, e.name)
      if (e.isDirectory()) walk(full)
      else if (/\.ts$/.test(e.name) && !/\.test\.ts$/.test(e.name)) hash.update(full).update(fs.readFileSync(full))
    }
  }
  walk(path.join(root, 'server'))
  walk(path.join(root, 'db'))
  return `${head}${dirty ? '+changes' : ''} (code ${hash.digest('hex').slice(0, 8)})`
}

let argSeq = 0
function startClients(name: string, args: Record<string, unknown>, opts: { nice?: boolean } = {}): Proc {
  const file = path.join(workDir, `args-${++argSeq}.json`)
  fs.writeFileSync(file, JSON.stringify(args))
  tmpFiles.push(file)
  // Load processes run at a lower priority than the probe on the shared client core, so the
  // probe's receive path is not queued behind them (they must still keep up: see their rate).
  const niceArgs = opts.nice ? ['nice', '-n', '10'] : []
  return start(name, 'taskset', ['-c', '1', ...niceArgs, process.execPath, '--import', 'tsx', 'tests/bench/clients.ts', file], {
    NODE_ENV: 'production',
  })
}

// ---------------------------------------------------------------------------------------------
// Preparation: database, documents, sessions

interface Prepared {
  runDocs: Map<string, string> // `${n}/${round}` -> document id (ours: a fresh document per run)
  coldDocs: string[]
  idleDocs: string[][]
  scaleDocs: string[][]
  cookies: string[]
}

async function prepare(): Promise<Prepared> {
  const conn = await connect(databaseUrl)
  try {
    await migrateToLatest(conn)
    await seed(conn.db, { demoAccounts: true })
    const db = conn.db
    const now = new Date()
    const user = await db.selectFrom('users').select('id').where('email', '=', 'beleidsmedewerker@samenspel.example').executeTakeFirstOrThrow()
    const region = await db.selectFrom('regions').select('id').where('slug', '=', 'ijmond-zuid-kennemerland').executeTakeFirstOrThrow()
    const doc = (title: string) => createDocument(db, { regionId: region.id, kind: 'proposal', title, actorId: user.id, now })
    const runDocs = new Map<string, string>()
    for (const n of cfg.ns) for (let r = 0; r < cfg.rounds; r++) runDocs.set(`${n}/${r}`, await doc(`Bench N=${n} ronde ${r + 1}`))
    const coldDocs: string[] = []
    const idleDocs: string[][] = []
    if (cfg.extras) {
      const updates = keystrokeUpdates(cfg.coldUpdates)
      for (let r = 0; r < cfg.rounds; r++) {
        const id = await doc(`Bench koude start ${r + 1}`)
        // Through the server's own write path; one outer transaction only to keep this quick.
        await db.transaction().execute(async (trx) => {
          for (const u of updates) await appendUpdate(trx, id, u, now)
        })
        coldDocs.push(id)
      }
      for (let r = 0; r < cfg.rounds; r++) {
        const ids: string[] = []
        for (let i = 0; i < cfg.idleDocs; i++) ids.push(await doc(`Bench inactief ${r + 1}.${i + 1}`))
        idleDocs.push(ids)
      }
    }
    const scaleDocs: string[][] = []
    if (cfg.extras && cfg.scale)
      for (let r = 0; r < cfg.rounds; r++) {
        const ids: string[] = []
        for (let i = 0; i < cfg.scaleDocs; i++) ids.push(await doc(`Bench schaal ${r + 1}.${i + 1}`))
        scaleDocs.push(ids)
      }
    const sessions = Math.max(...cfg.ns, cfg.idleDocs, 3) + 2
    const cookies: string[] = []
    for (let i = 0; i < sessions; i++) {
      const { token } = await createSession(db, user.id, { now, device: `bench ${i}` })
      cookies.push(cookieHeader(token))
    }
    return { runDocs, coldDocs, idleDocs, scaleDocs, cookies }
  } finally {
    await conn.close()
  }
}

// ---------------------------------------------------------------------------------------------
// One latency run

interface RunResult {
  peer: Peer
  n: number
  round: number
  awarenessHz: number
  p50: number
  p99: number
  max: number
  delivered: number
  expected: number
  serverCpu: number
  window: number
  peakRss: number
  readyRss: number
  endRss: number
  loadgenCpu: number // fraction of core 1
  core0Foreign: number // fraction of core 0 used by something other than the server
  awarenessRate: number // caret updates per second the load processes actually sent
  probeLoopDelayP99: number
  disconnects: number
  /** every measured delivery latency of the run, ascending (ms) */
  latencies?: number[]
  /** the probe's slowest deliveries (seconds into the window, keystroke, ms) */
  slowest?: unknown
  /** BENCH_DIAG: the server's event-loop lag and GC pauses in the window */
  diag?: Record<string, unknown>
  /** a repeat of a run that other work on the machine disturbed */
  repeated?: boolean
  /** our server's code version when the run started (ours only) */
  code?: string
  /** the load processes sent fewer than 90% of the caret updates they should have */
  loadShort: boolean
  valid: boolean
  noisy: boolean
  error?: string
  seconds: number
}

async function runOnce(peer: Peer, n: number, round: number, p: Prepared): Promise<RunResult> {
  const t0 = Date.now()
  const hz = awarenessHz(n)
  const room = p.runDocs.get(`${n}/${round % cfg.rounds}`)!
  // The reference keeps documents in memory (or its own LevelDB): a fresh process per run is a
  // fresh document. Ours gets a fresh document per round; the refdb rounds reuse the name in a
  // fresh LevelDB folder.
  const ldb = peer === 'refdb' ? path.join(workDir, `leveldb-${n}-${round}`) : undefined
  const code = peer === 'ours' ? codeVersion() : undefined
  const started = await startPeer(peer, ldb).catch((err: unknown) => (err instanceof Error ? err.message.split('\n')[0]! : String(err)))
  const server = typeof started === 'string' ? undefined : started
  const startError = typeof started === 'string' ? started : ''
  const procs: Proc[] = []
  const result: RunResult = {
    peer,
    code,
    n,
    round,
    awarenessHz: hz,
    p50: NaN,
    p99: NaN,
    max: NaN,
    delivered: 0,
    expected: 0,
    serverCpu: NaN,
    window: NaN,
    peakRss: NaN,
    readyRss: server ? memoryMB(server.proc.pid)?.rss ?? NaN : NaN,
    endRss: NaN,
    loadgenCpu: NaN,
    core0Foreign: NaN,
    awarenessRate: NaN,
    probeLoopDelayP99: NaN,
    disconnects: 0,
    loadShort: false,
    valid: false,
    noisy: false,
    seconds: 0,
  }
  if (!server) {
    result.error = `server did not start: ${startError}`
    result.seconds = (Date.now() - t0) / 1000
    return result
  }
  const srv = server
  try {
    const target = { url: srv.url, origin: srv.origin }
    const loadCookies = p.cookies.slice(3, n)
    const parts = loadCookies.length > 100 ? 2 : loadCookies.length > 0 ? 1 : 0
    const loads: Proc[] = []
    for (let i = 0; i < parts; i++) {
      const cookies = loadCookies.filter((_, j) => j % parts === i)
      loads.push(startClients(`load ${i + 1}`, { mode: 'load', ...target, room, cookies, rateHz: hz }, { nice: true }))
    }
    procs.push(...loads)
    await Promise.all(loads.map((l) => l.waitFor('ready', 150_000)))
    const probe = startClients('probe', {
      mode: 'probe',
      ...target,
      room,
      cookies: p.cookies.slice(0, 3),
      warmupMs: cfg.warmupMs,
      measureMs: cfg.measureMs,
      graceMs: cfg.graceMs,
      rateHz: cfg.typingHz,
      caret: cfg.writerCaret,
    })
    procs.push(probe)
    await probe.waitFor('synced', 60_000)
    const gens = [probe, ...loads]
    const sample = () => ({
      at: performance.now(),
      server: cpuSeconds(srv.proc.pid) ?? NaN,
      gens: gens.reduce((s, g) => s + (cpuSeconds(g.pid) ?? NaN), 0),
      cores: coreTimes(),
      sent: loads.map((l) => l.latest('stats') as { at: number; sent: number } | undefined),
    })
    await probe.waitFor('measure-start', cfg.warmupMs + 15_000)
    const s0 = sample()
    const diagFrom = srv.proc.events.length
    if (cfg.diag) process.kill(srv.proc.pid, 'SIGUSR2') // start the window afresh
    await probe.waitFor('measure-end', cfg.measureMs + 15_000)
    const s1 = sample()
    if (cfg.diag) {
      await srv.proc.waitFor('diag', 5000, diagFrom) // the reset's line
      const from = srv.proc.events.length
      process.kill(srv.proc.pid, 'SIGUSR2')
      result.diag = await srv.proc.waitFor('diag', 5000, from)
    }
    if (env.BENCH_DEBUG) console.log(JSON.stringify({ s0: s0.sent, s1: s1.sent }))
    const res = (await probe.waitFor('result', cfg.graceMs + 15_000)) as Record<string, number>
    const mem = memoryMB(server.proc.pid)
    const window = (s1.at - s0.at) / 1000
    const serverCpu = s1.server - s0.server
    const core0 = (s1.cores[0]?.busy ?? NaN) - (s0.cores[0]?.busy ?? NaN)
    let sent = 0
    let sentSpan = 0
    loads.forEach((_, i) => {
      const a = s0.sent[i]
      const b = s1.sent[i]
      if (a && b && b.at > a.at) {
        sent += b.sent - a.sent
        sentSpan = Math.max(sentSpan, (b.at - a.at) / 1000)
      }
    })
    const loadDisconnects = loads.reduce((d, l) => d + Number((l.latest('stats') as { disconnects?: number } | undefined)?.disconnects ?? 0), 0)
    Object.assign(result, {
      p50: res.p50,
      p99: res.p99,
      max: res.max,
      delivered: res.delivered,
      expected: res.expected,
      probeLoopDelayP99: res.probeLoopDelayP99,
      slowest: (res as unknown as { slowest?: unknown }).slowest,
      latencies: (res as unknown as { latencies?: number[] }).latencies,
      disconnects: (res.disconnects ?? 0) + loadDisconnects,
      serverCpu,
      window,
      peakRss: mem?.peak ?? NaN,
      endRss: mem?.rss ?? NaN,
      loadgenCpu: (s1.gens - s0.gens) / window,
      core0Foreign: Math.max(0, core0 - serverCpu) / window,
      awarenessRate: sentSpan > 0 ? sent / sentSpan : 0,
    })
    result.loadShort = hz > 0 && result.awarenessRate < 0.9 * hz * loadCookies.length
    result.valid = result.loadgenCpu <= cfg.loadgenLimit && !result.loadShort && result.delivered > 0
    result.noisy = result.core0Foreign > cfg.foreignLimit
  } catch (err) {
    result.error = firstLine(err)
  } finally {
    await Promise.all(procs.map((pr) => stop(pr, 2000)))
    await stop(server.proc, 5000)
  }
  result.seconds = (Date.now() - t0) / 1000
  return result
}

// ---------------------------------------------------------------------------------------------
// Extras: cold join on a 20 000-update log, memory per idle document

/** What every measurement of one peer in one round records besides its numbers. */
interface Measurement {
  peer: Peer
  code?: string
  round: number
  error?: string
}

interface ColdResult extends Measurement {
  syncMs: number
  completeMs: number
  length: number
}

/** The server's RSS once it has settled for two seconds after starting. */
async function settledRss(server: Server): Promise<number> {
  await sleep(2000)
  return memoryMB(server.proc.pid)?.rss ?? NaN
}

/** The first line of what was thrown, for a result's `error`. */
function firstLine(err: unknown): string | undefined {
  return err instanceof Error ? err.message.split('\n')[0] : String(err)
}

/**
 * One measurement against a started server with one client process (`started` registers it): a
 * failure becomes `out.error` (its first line), and the client and the server are stopped either way.
 */
async function measured<T extends { error?: string }>(
  server: Server,
  out: T,
  graceMs: { client: number; server: number },
  run: (started: (client: Proc) => Proc) => Promise<void>,
): Promise<T> {
  let client: Proc | undefined
  try {
    await run((c) => (client = c))
  } catch (err) {
    out.error = firstLine(err)
  } finally {
    await stop(client, graceMs.client)
    await stop(server.proc, graceMs.server)
  }
  return out
}

async function coldJoin(peer: 'ours' | 'refdb', round: number, p: Prepared, ldbDir: string): Promise<ColdResult> {
  const room = p.coldDocs[round]!
  const server = await startPeer(peer, ldbDir)
  const out: ColdResult = { peer, code: peer === 'ours' ? codeVersion() : undefined, round, syncMs: NaN, completeMs: NaN, length: 0 }
  // (ours: the server's SIGKILL-free shutdown compacts the log; that is fine, each round has its own document)
  return measured(server, out, { client: 2000, server: 5000 }, async (started) => {
    const client = started(startClients('cold client', {
      mode: 'cold',
      url: server.url,
      origin: server.origin,
      room,
      cookie: p.cookies[0],
      expectLength: cfg.coldUpdates,
    }))
    const r = (await client.waitFor('result', 150_000)) as Record<string, number>
    Object.assign(out, { syncMs: r.syncMs, completeMs: r.completeMs, length: r.length })
  })
}

/** Waits until a process has used no CPU for a second (bounded). */
async function waitIdle(pid: number, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs
  let last = cpuSeconds(pid) ?? 0
  while (Date.now() < deadline) {
    await sleep(1000)
    const now = cpuSeconds(pid)
    if (now === null || now - last < 0.01) return
    last = now
  }
}

/**
 * Types the 20 000-keystroke log into the reference's LevelDB, over the wire: one server session
 * per document. In one session the second document's log would not be written: y-leveldb works
 * through a single queue, and the server attaches a document's update listener only after
 * reading it from that queue, so the updates that arrive meanwhile are stored later as one merged
 * update. Then counts what LevelDB holds (opening it also replays its write-ahead log, which the
 * reference, having no shutdown handler, leaves behind; the cold joins should not pay for that).
 */
async function fillReference(p: Prepared, ldbDir: string): Promise<string | undefined> {
  for (const room of p.coldDocs) {
    const server = await startPeer('refdb', ldbDir)
    try {
      const filler = startClients('filler', { mode: 'fill', url: server.url, origin: server.origin, room, cookie: p.cookies[0], count: cfg.coldUpdates })
      const r = (await filler.waitFor('result', 180_000)) as Record<string, number>
      await stop(filler)
      if (r.serverLength !== cfg.coldUpdates) return `reference holds ${r.serverLength} of ${cfg.coldUpdates} characters after filling`
      await waitIdle(server.proc.pid) // the LevelDB queue has drained
    } finally {
      await stop(server.proc, 5000)
    }
  }
  const require = createRequire(import.meta.url)
  const { LeveldbPersistence, getLevelUpdates } = require('y-leveldb') as {
    LeveldbPersistence: new (dir: string) => { _transact<T>(f: (db: unknown) => Promise<T>): Promise<T>; destroy(): Promise<void> }
    getLevelUpdates: (db: unknown, name: string) => Promise<unknown[]>
  }
  const ldb = new LeveldbPersistence(ldbDir)
  try {
    for (const room of p.coldDocs) {
      const stored = await ldb._transact((db) => getLevelUpdates(db, `collab/${room}`))
      if (stored.length < cfg.coldUpdates) return `the reference's LevelDB holds ${stored.length} updates of document ${room}, not ${cfg.coldUpdates}`
    }
  } finally {
    await ldb.destroy()
  }
  return undefined
}

interface IdleResult extends Measurement {
  beforeRss: number
  afterRss: number
  perDocKB: number
  bytesPerDoc: number
}

async function idleMemory(peer: 'ours' | 'ref', round: number, p: Prepared): Promise<IdleResult> {
  const server = await startPeer(peer)
  const out: IdleResult = { peer, code: peer === 'ours' ? codeVersion() : undefined, round, beforeRss: NaN, afterRss: NaN, perDocKB: NaN, bytesPerDoc: 0 }
  return measured(server, out, { client: 2000, server: 5000 }, async (started) => {
    out.beforeRss = await settledRss(server)
    const rooms = p.idleDocs[round]!
    const client = started(startClients('idle clients', { mode: 'idle', url: server.url, origin: server.origin, rooms, cookies: p.cookies.slice(0, rooms.length) }))
    const r = (await client.waitFor('ready', 150_000)) as Record<string, number>
    out.bytesPerDoc = r.bytesPerDoc ?? 0
    await sleep(3000)
    out.afterRss = memoryMB(server.proc.pid)?.rss ?? NaN
    out.perDocKB = ((out.afterRss - out.beforeRss) * 1024) / rooms.length
  })
}

interface ScaleResult extends Measurement {
  clients: number
  refused: number
  connected: number
  disconnects: number
  sent: number
  expected: number
  delivered: number
  startRss: number
  loadedRss: number
  peakRss: number
}

/**
 * cfg.scaleDocs documents × cfg.scalePerDoc clients on one server: one writer per document at
 * cfg.scaleHz, every keystroke counted at the other clients; the server's RSS when everyone is
 * connected and at its peak (VmHWM).
 */
async function scaleRun(peer: 'ours' | 'ref', round: number, p: Prepared): Promise<ScaleResult> {
  const server = await startPeer(peer)
  const out: ScaleResult = {
    peer,
    code: peer === 'ours' ? codeVersion() : undefined,
    round,
    clients: 0,
    refused: 0,
    connected: 0,
    disconnects: 0,
    sent: 0,
    expected: 0,
    delivered: 0,
    startRss: NaN,
    loadedRss: NaN,
    peakRss: NaN,
  }
  return measured(server, out, { client: 5000, server: 10_000 }, async (started) => {
    out.startRss = await settledRss(server)
    const rooms = peer === 'ours' ? p.scaleDocs[round]! : p.scaleDocs[round]!.map((id) => `scale-${round}-${id}`)
    const client = started(startClients('scale clients', {
      mode: 'scale',
      url: server.url,
      origin: server.origin,
      rooms,
      cookies: p.cookies,
      perRoom: cfg.scalePerDoc,
      rateHz: cfg.scaleHz,
      measureMs: cfg.scaleMeasureMs,
      graceMs: 10_000,
    }))
    await client.waitFor('ready', 200_000)
    out.loadedRss = memoryMB(server.proc.pid)?.rss ?? NaN
    const r = (await client.waitFor('result', cfg.scaleMeasureMs + 30_000)) as Record<string, number>
    Object.assign(out, {
      clients: r.clients,
      refused: r.refused,
      connected: r.connected,
      disconnects: r.disconnects,
      sent: r.sent,
      expected: r.expected,
      delivered: r.delivered,
    })
    out.peakRss = memoryMB(server.proc.pid)?.peak ?? NaN
  })
}

// ---------------------------------------------------------------------------------------------
// Report

const f = (v: number, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '–')
const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '–')
const pair = (a: number, b: number, d = 1) => `${f(a, d)} / ${f(b, d)}`

interface Agg {
  p50: number
  p99: number
  /** p99 over the deliveries of all used runs together: steadier than the median of per-run p99s */
  p99pooled: number
  max: number
  delivered: string
  serverCpu: number
  peakRss: number
  rssGrowth: number
  loadgenMax: number
  runs: number
  valid: number
}

function aggregate(runs: RunResult[]): Agg {
  const ok = runs.filter((r) => !r.error)
  const use = ok.some((r) => r.valid) ? ok.filter((r) => r.valid) : ok
  const delivered = use.reduce((s, r) => s + r.delivered, 0)
  const expected = use.reduce((s, r) => s + r.expected, 0)
  return {
    p50: median(use.map((r) => r.p50)),
    p99: median(use.map((r) => r.p99)),
    p99pooled: percentile(
      use.flatMap((r) => r.latencies ?? []).sort((x, y) => x - y),
      99,
    ),
    max: Math.max(...use.map((r) => r.max)),
    delivered: expected ? `${delivered}/${expected}` : '–',
    serverCpu: median(use.map((r) => r.serverCpu)),
    peakRss: median(use.map((r) => r.peakRss)),
    rssGrowth: median(use.map((r) => r.peakRss - r.readyRss)),
    loadgenMax: Math.max(...ok.map((r) => r.loadgenCpu)),
    runs: runs.length,
    valid: ok.filter((r) => r.valid).length,
  }
}

function compareTable(runs: RunResult[], other: 'ref' | 'refdb'): string[] {
  const lines = [
    `| N | caret Hz per load client | p50 ms ours / ref | ratio | p99 ms ours / ref | ratio | p99 pooled ms ours / ref | ratio | delivered ours / ref | server CPU s ours / ref | ratio | peak RSS MB ours / ref | ratio | peak − start-up RSS MB ours / ref | valid runs ours / ref |`,
    `| --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |`,
  ]
  for (const n of cfg.ns) {
    const a = runs.filter((r) => r.peer === 'ours' && r.n === n)
    const b = runs.filter((r) => r.peer === other && r.n === n)
    if (a.length === 0 || b.length === 0) continue
    const A = aggregate(a)
    const B = aggregate(b)
    lines.push(
      `| ${n} | ${awarenessHz(n)} | ${pair(A.p50, B.p50, 2)} | ${ratio(A.p50, B.p50)} | ${pair(A.p99, B.p99, 2)} | ${ratio(A.p99, B.p99)} | ${pair(A.p99pooled, B.p99pooled, 2)} | ${ratio(A.p99pooled, B.p99pooled)} | ${A.delivered} / ${B.delivered} | ${pair(A.serverCpu, B.serverCpu, 2)} | ${ratio(A.serverCpu, B.serverCpu)} | ${pair(A.peakRss, B.peakRss, 0)} | ${ratio(A.peakRss, B.peakRss)} | ${pair(A.rssGrowth, B.rssGrowth, 0)} | ${A.valid}/${A.runs} / ${B.valid}/${B.runs} |`,
    )
  }
  return lines
}

function runsTable(runs: RunResult[]): string[] {
  const lines = [
    '| # | peer | N | p50 ms | p99 ms | max ms | delivered | server CPU s / window s | peak RSS MB | RSS at start MB | load-gen CPU (core 1) | other CPU on core 0 | caret msgs/s sent | probe event-loop lag p99 ms | disconnects | flags |',
    '| --: | --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --- |',
  ]
  runs.forEach((r, i) => {
    const flags = [
      r.error ? `error: ${r.error}` : '',
      !r.error && r.loadgenCpu > cfg.loadgenLimit ? 'INVALID (client-bound)' : '',
      !r.error && r.loadShort ? 'INVALID (load processes fell behind)' : '',
      r.noisy ? 'noisy core 0' : '',
      r.repeated ? 'repeat' : '',
    ]
      .filter(Boolean)
      .join('; ')
    lines.push(
      `| ${i + 1} | ${r.peer} | ${r.n} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${f(r.max, 1)} | ${r.delivered}/${r.expected} | ${f(r.serverCpu, 2)} / ${f(r.window, 1)} | ${f(r.peakRss, 0)} | ${f(r.readyRss, 0)} | ${f(r.loadgenCpu * 100, 0)}% | ${f(r.core0Foreign * 100, 0)}% | ${f(r.awarenessRate, 0)} | ${f(r.probeLoopDelayP99, 1)} | ${r.disconnects} | ${flags || 'ok'} |`,
    )
  })
  return lines
}

let machineCores = ''

function machine() {
  let model = 'unknown'
  try {
    model = /Model name:\s*(.+)/.exec(execFileSync('lscpu', { encoding: 'utf8' }))?.[1]?.trim() ?? model
  } catch {
    /* no lscpu */
  }
  return `${machineCores} cores (nproc), ${model}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, ${os.type()} ${os.release()}`
}

interface Phase {
  name: string
  seconds: number
}

function report(runs: RunResult[], cold: ColdResult[], idle: IdleResult[], scale: ScaleResult[], phases: Phase[], notes: string[], load: { before: number[]; after: number[] }): string {
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z')
  const out: string[] = []
  out.push(`### Run of ${date}`, '')
  out.push(`- Machine: ${machine()}; Node ${process.version}; load average before/after: ${load.before.map((x) => x.toFixed(2)).join(' ')} / ${load.after.map((x) => x.toFixed(2)).join(' ')}`)
  const versions = [...new Set([...runs.map((r) => r.code), ...cold.map((c) => c.code), ...idle.map((m) => m.code), ...scale.map((m) => m.code)].filter(Boolean))]
  out.push(`- Our server: commit ${versions.join(' → ') || 'unknown'}; reference: y-websocket 2.1.0 bin/server.cjs; clients: y-websocket 3.1.0.`)
  out.push(
    `- Per run: fresh server process on CPU 0, clients on CPU 1; warm-up ${cfg.warmupMs / 1000} s, measured ${cfg.measureMs / 1000} s, ${cfg.graceMs / 1000} s grace for late deliveries; writer ${cfg.typingHz} keystrokes/s (one transaction: Y.Text insert + Y.Map seq→performance.now())${cfg.writerCaret ? ' and a caret awareness update per keystroke' : ', no writer caret'}; ${cfg.rounds} A/B rounds per N (A = ours, B = reference in memory)${cfg.refdbNs.length ? `, plus ${cfg.refdbRounds} round(s) of the reference with YPERSISTENCE (LevelDB) at N = ${cfg.refdbNs.join(', ')}` : ''}. Values are medians over the valid runs (the median of two runs is their mean).`,
  )
  out.push(`- Phases: ${phases.map((p) => `${p.name} ${p.seconds.toFixed(0)} s`).join(', ')}; total ${phases.reduce((s, p) => s + p.seconds, 0).toFixed(0)} s.`, '')
  if (runs.length) {
    out.push('#### Latency, CPU and memory: ours vs reference in memory', '')
    out.push(...compareTable(runs, 'ref'), '')
  }
  if (runs.some((r) => r.peer === 'refdb')) {
    out.push('#### Ours vs reference with YPERSISTENCE (y-leveldb)', '')
    out.push(...compareTable(runs, 'refdb'), '')
  }
  if (scale.length) {
    const conns = cfg.scaleDocs * cfg.scalePerDoc
    out.push(`#### Scale: ${conns.toLocaleString('en')} connections over ${cfg.scaleDocs} documents on one instance`, '')
    out.push(
      `${cfg.scalePerDoc} clients per document, one of them typing ${cfg.scaleHz} keystroke/s for ${cfg.scaleMeasureMs / 1000} s, every keystroke counted at the other ${cfg.scalePerDoc - 1}; RSS after start-up, when all are connected, and the peak (VmHWM).`,
      '',
    )
    out.push('| peer | round | connected | refused | disconnects | keystrokes delivered / expected | RSS start MB | RSS all connected MB | peak RSS MB |', '| --- | --: | --: | --: | --: | --: | --: | --: | --: |')
    for (const m of scale)
      out.push(
        `| ${peerName[m.peer]} | ${m.round + 1} | ${m.connected}/${conns} | ${m.refused} | ${m.disconnects} | ${m.delivered}/${m.expected} | ${f(m.startRss, 0)} | ${f(m.loadedRss, 0)} | ${f(m.peakRss, 0)}${m.error ? ` (error: ${m.error})` : ''} |`,
      )
    const ours = scale.filter((m) => m.peer === 'ours')
    const worst = Math.max(...ours.map((m) => m.peakRss))
    const allDelivered = ours.length > 0 && ours.every((m) => !m.error && m.refused === 0 && m.connected === conns && m.delivered === m.expected)
    out.push(
      '',
      `Goal: every connection accepted and every keystroke delivered, peak RSS within ${cfg.scaleRssGoalMB} MB: ${allDelivered ? 'all delivered' : 'NOT all delivered'}, peak ${f(worst, 0)} MB → ${allDelivered && worst <= cfg.scaleRssGoalMB ? 'met' : 'NOT met'}.`,
      '',
    )
  }
  if (cold.length) {
    out.push(`#### Cold join: a document whose log holds ${cfg.coldUpdates.toLocaleString('en')} one-keystroke updates`, '')
    out.push('| peer | round | connect → sync ms | connect → all text present ms | characters received |', '| --- | --: | --: | --: | --: |')
    for (const c of cold) out.push(`| ${peerName[c.peer]} | ${c.round + 1} | ${f(c.syncMs, 0)} | ${f(c.completeMs, 0)} | ${c.length}${c.error ? ` (error: ${c.error})` : ''} |`)
    const oc = median(cold.filter((c) => c.peer === 'ours').map((c) => c.completeMs))
    const rc = median(cold.filter((c) => c.peer === 'refdb').map((c) => c.completeMs))
    out.push('', `Median time until the whole text is there: ours ${f(oc, 0)} ms / reference ${f(rc, 0)} ms (${ratio(oc, rc)}).`, '')
  }
  if (idle.length) {
    out.push(`#### Memory per idle loaded document (${cfg.idleDocs} documents of ~5 KB, one connected client each)`, '')
    out.push('| peer | round | RSS before MB | RSS after MB | Δ per document KB | document state bytes |', '| --- | --: | --: | --: | --: | --: |')
    for (const m of idle) out.push(`| ${peerName[m.peer]} | ${m.round + 1} | ${f(m.beforeRss, 0)} | ${f(m.afterRss, 0)} | ${f(m.perDocKB, 0)} | ${m.bytesPerDoc}${m.error ? ` (error: ${m.error})` : ''} |`)
    const oi = median(idle.filter((m) => m.peer === 'ours').map((m) => m.perDocKB))
    const ri = median(idle.filter((m) => m.peer === 'ref').map((m) => m.perDocKB))
    out.push('', `Median: ours ${f(oi, 0)} KB / reference ${f(ri, 0)} KB per document (${ratio(oi, ri)}).`, '')
  }
  if (runs.length) {
    out.push(`#### Goal: p99 ≤ ${cfg.goalP99}× and p50 ≤ ${cfg.goalP50}× the reference at every N, while persisting every update`, '')
    for (const other of ['ref', 'refdb'] as const) {
      for (const n of cfg.ns) {
        const a = aggregate(runs.filter((r) => r.peer === 'ours' && r.n === n))
        const bRuns = runs.filter((r) => r.peer === other && r.n === n)
        if (!bRuns.length || !Number.isFinite(a.p99)) continue
        const b = aggregate(bRuns)
        const q99 = a.p99 / b.p99
        const q50 = a.p50 / b.p50
        const basis = `valid runs: ours ${a.valid}/${a.runs}, reference ${b.valid}/${b.runs}`
        const verdict =
          a.valid === 0 || b.valid === 0
            ? 'not judged (no valid run on one side; figures indicative only)'
            : q99 <= cfg.goalP99 && q50 <= cfg.goalP50
              ? 'met'
              : `NOT met (${[q99 > cfg.goalP99 ? 'p99' : '', q50 > cfg.goalP50 ? 'p50' : ''].filter(Boolean).join(', ')})`
        out.push(
          `- N = ${n} vs ${peerName[other]}: p99 ${f(a.p99, 2)} / ${f(b.p99, 2)} ms = ${q99.toFixed(2)}×, p50 ${f(a.p50, 2)} / ${f(b.p50, 2)} ms = ${q50.toFixed(2)}× → ${verdict} (${basis}; pooled p99 ${ratio(a.p99pooled, b.p99pooled)}).`,
        )
      }
    }
    out.push('')
  }
  if (notes.length) out.push('#### Notes from this run', '', ...notes.map((n) => `- ${n}`), '')
  out.push('<details><summary>Every run, in the order it ran</summary>', '', ...runsTable(runs), '', '</details>')
  return out.join('\n')
}

const START = '<!-- bench:results:start -->'
const END = '<!-- bench:results:end -->'

function writeDocs(section: string) {
  const file = path.join(root, 'docs/BENCHMARKS.md')
  const block = `${START}\n${section}\n${END}`
  let text: string
  if (fs.existsSync(file)) {
    text = fs.readFileSync(file, 'utf8')
    const i = text.indexOf(START)
    const j = text.indexOf(END)
    text = i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + END.length) : `${text.trimEnd()}\n\n${block}\n`
  } else {
    text = `# Benchmarks\n\nWritten by \`npm run bench\` (tests/bench/); the section between the markers is replaced on every run.\n\n${block}\n`
  }
  fs.writeFileSync(file, text)
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const started = Date.now()
  const phases: Phase[] = []
  const phase = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t = Date.now()
    console.log(`\n== ${name}`)
    try {
      return await fn()
    } finally {
      phases.push({ name, seconds: (Date.now() - t) / 1000 })
    }
  }
  if (os.cpus().length < 2) throw new Error('the bench needs two cores (server on CPU 0, clients on CPU 1)')
  machineCores = execFileSync('nproc', { encoding: 'utf8' }).trim() // before pinning: nproc follows affinity
  // The runner is a client too: keep it off the server's core.
  execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' })
  if (!fs.existsSync(path.join(root, 'build/server/index.js'))) {
    await phase('remix build', async () => {
      execFileSync('npx', ['remix', 'vite:build'], { cwd: root, stdio: 'inherit' })
    })
  }
  // Our server runs from a snapshot of build/ (inside node_modules, so the build still resolves
  // its packages): other work on this checkout may rebuild build/ while the bench runs.
  buildDir = path.join(root, 'node_modules/.cache/samenspel-bench', `build-${process.pid}`)
  for (let attempt = 1; ; attempt++) {
    try {
      fs.rmSync(buildDir, { recursive: true, force: true })
      fs.cpSync(path.join(root, 'build'), buildDir, { recursive: true })
      if (!fs.existsSync(path.join(buildDir, 'server/index.js'))) throw new Error('build/server/index.js is missing')
      break
    } catch (err) {
      if (attempt >= 10) throw new Error(`could not copy build/: ${String(err)}`)
      await sleep(5000)
    }
  }
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'samenspel-bench-'))
  profileDir = path.join(os.tmpdir(), `samenspel-bench-profiles-${Date.now()}`)
  if (cfg.profile) fs.mkdirSync(profileDir, { recursive: true })
  databaseUrl = `sqlite:${path.join(workDir, 'bench.db')}`
  const loadBefore = os.loadavg()
  const notes: string[] = []
  try {
    const p = await phase(`prepare (SQLite at ${workDir}, ${cfg.coldUpdates} log updates ×${cfg.extras ? cfg.rounds : 0})`, prepare)

    const runs: RunResult[] = []
    const discarded: RunResult[] = []
    let done = 0
    const plannedRuns = cfg.ns.reduce(
      (t, n) => t + cfg.rounds * ['ours', 'ref'].filter((x) => cfg.peers.includes(x as Peer)).length + (cfg.refdbNs.includes(n) && cfg.peers.includes('refdb') ? cfg.refdbRounds : 0),
      0,
    )
    await phase('latency runs', async () => {
      for (const n of cfg.ns) {
        for (let round = 0; round < Math.max(cfg.rounds, cfg.refdbNs.includes(n) ? cfg.refdbRounds : 0); round++) {
          const order: Peer[] = []
          if (round < cfg.rounds) order.push('ours', 'ref')
          if (cfg.refdbNs.includes(n) && round < cfg.refdbRounds) order.push('refdb')
          for (const peer of order.filter((x) => cfg.peers.includes(x))) {
            let r = await runOnce(peer, n, round, p)
            done++
            // A run disturbed by other work on the machine is repeated once, while the time
            // budget allows; the repeat replaces it (the disturbed one is kept in the raw file).
            const disturbed = !r.error && (r.noisy || r.loadShort)
            const left = (plannedRuns - done) * (r.seconds + 1) + (cfg.extras ? 120 : 0)
            if (disturbed && cfg.retryDisturbed && (Date.now() - started) / 1000 + r.seconds + left < cfg.budgetS) {
              console.log(`N=${String(n).padStart(3)} ${peer.padEnd(5)} round ${round + 1}: disturbed (core-0 other ${f(r.core0Foreign * 100, 0)}%, carets ${f(r.awarenessRate, 0)}/s), repeating once`)
              discarded.push(r)
              r = await runOnce(peer, n, round, p)
              r.repeated = true
            }
            runs.push(r)
            if (r.diag) console.log(`  diag ${peer}: ${JSON.stringify(r.diag)}\n  slowest: ${JSON.stringify(r.slowest)}`)
            console.log(
              `N=${String(n).padStart(3)} ${peer.padEnd(5)} round ${round + 1}: p50 ${f(r.p50, 2)} ms, p99 ${f(r.p99, 2)} ms, delivered ${r.delivered}/${r.expected}, server CPU ${f(r.serverCpu, 2)} s, peak RSS ${f(r.peakRss, 0)} MB, load-gen ${f(r.loadgenCpu * 100, 0)}%, core-0 other ${f(r.core0Foreign * 100, 0)}%, carets ${f(r.awarenessRate, 0)}/s${r.error ? `, ERROR ${r.error}` : r.valid ? '' : r.loadShort ? ', INVALID (load short)' : ', INVALID (client-bound)'} (${r.seconds.toFixed(0)} s)`,
            )
          }
        }
      }
    })

    const cold: ColdResult[] = []
    const idle: IdleResult[] = []
    const scale: ScaleResult[] = []
    const wants = (x: string) => !cfg.only || cfg.only.includes(x)
    if (cfg.extras && cfg.scale && wants('scale')) {
      await phase(`scale (${cfg.scaleDocs * cfg.scalePerDoc} connections, ${cfg.scaleDocs} documents)`, async () => {
        for (let round = 0; round < cfg.rounds; round++) {
          scale.push(await scaleRun('ours', round, p))
          scale.push(await scaleRun('ref', round, p))
        }
        for (const m of scale)
          console.log(
            `scale ${m.peer} round ${m.round + 1}: connected ${m.connected}, refused ${m.refused}, delivered ${m.delivered}/${m.expected}, RSS ${f(m.startRss, 0)} → ${f(m.loadedRss, 0)} MB, peak ${f(m.peakRss, 0)} MB${m.error ? `, ERROR ${m.error}` : ''}`,
          )
      })
    }
    if (cfg.extras && wants('cold')) {
      await phase(`cold join (${cfg.coldUpdates} updates)`, async () => {
        const ldb = path.join(workDir, 'leveldb-cold')
        const fillError = await fillReference(p, ldb).catch((err: unknown) => `filling the reference failed: ${String(err).split('\n')[0]}`)
        if (fillError) notes.push(fillError)
        for (let round = 0; round < cfg.rounds; round++) {
          cold.push(await coldJoin('ours', round, p, ldb))
          if (!fillError) cold.push(await coldJoin('refdb', round, p, ldb))
        }
        for (const c of cold) console.log(`cold join ${c.peer} round ${c.round + 1}: sync ${f(c.syncMs, 0)} ms, complete ${f(c.completeMs, 0)} ms, ${c.length} chars${c.error ? `, ERROR ${c.error}` : ''}`)
      })
    }
    if (cfg.extras && wants('idle')) {
      await phase(`idle memory (${cfg.idleDocs} documents)`, async () => {
        for (let round = 0; round < cfg.rounds; round++) {
          idle.push(await idleMemory('ours', round, p))
          idle.push(await idleMemory('ref', round, p))
        }
        for (const m of idle) console.log(`idle ${m.peer} round ${m.round + 1}: ${f(m.beforeRss, 0)} → ${f(m.afterRss, 0)} MB, ${f(m.perDocKB, 0)} KB per document${m.error ? `, ERROR ${m.error}` : ''}`)
      })
    }

    const invalid = runs.filter((r) => !r.error && !r.valid).length
    const noisy = runs.filter((r) => r.noisy).length
    const failed = runs.filter((r) => r.error).length
    if (invalid) notes.push(`${invalid} run(s) were invalid (load generators above ${cfg.loadgenLimit * 100}% of CPU 1, or they sent under 90% of the intended caret updates) and are left out of the medians where a valid run of that peer and N exists.`)
    if (noisy) notes.push(`${noisy} run(s) saw more than ${cfg.foreignLimit * 100}% of CPU 0 used by other processes: the machine was not quiet.`)
    if (failed) notes.push(`${failed} run(s) failed; see the per-run table.`)
    if (discarded.length) notes.push(`${discarded.length} run(s) were disturbed by other work on the machine and repeated once (marked "repeat"); the disturbed ones are only in the raw results file.`)
    const all = [...runs.map((r) => r.code), ...cold.map((c) => c.code), ...idle.map((m) => m.code), ...scale.map((m) => m.code)].filter((c): c is string => Boolean(c))
    const hashes = [...new Set(all.map((c) => /code (\w+)/.exec(c)?.[1]))]
    if (hashes.length > 1) notes.push(`Our server's code changed while the bench ran (${[...new Set(all)].join(' → ')}): runs of different versions are mixed in the medians.`)
    if (cfg.profile) notes.push(`Our server ran with --cpu-prof (slower); profiles in ${profileDir}.`)
    const section = report(runs, cold, idle, scale, phases, notes, { before: loadBefore, after: os.loadavg() })
    console.log('\n' + section)
    if (cfg.writeDocs) {
      writeDocs(section)
      console.log('\nwritten to docs/BENCHMARKS.md')
    }
    fs.writeFileSync(path.join(os.tmpdir(), 'samenspel-bench-last.json'), JSON.stringify({ cfg, runs, discarded, cold, idle, scale, phases }, null, 2))
    console.log(`raw results: ${path.join(os.tmpdir(), 'samenspel-bench-last.json')}; total ${((Date.now() - started) / 1000).toFixed(0)} s`)
  } finally {
    killAll()
    fs.rmSync(workDir, { recursive: true, force: true })
    fs.rmSync(buildDir, { recursive: true, force: true })
    for (const dir of [path.dirname(buildDir), path.dirname(path.dirname(buildDir))]) {
      try {
        fs.rmdirSync(dir) // only when empty: no other bench run or tool uses it
      } catch {
        break
      }
    }
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error('bench failed:', err instanceof Error ? err.stack ?? err.message : err)
    killAll()
    process.exit(1)
  },
)
