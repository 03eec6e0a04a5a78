// @ts-nocheck -- a plain CommonJS preload for the peers, outside the app's types
// Diagnostics preloaded into both servers with `node --require tests/bench/diag.cjs` when the
// bench runs with BENCH_DIAG=1: event-loop delay and garbage-collection pauses, the same for
// ours and the reference. SIGUSR2 prints what was seen since the previous SIGUSR2 as one JSON
// line on stdout and starts afresh, so the runner can read exactly the measured window.
'use strict'
const { monitorEventLoopDelay, PerformanceObserver, constants } = require('node:perf_hooks')

const RESOLUTION_MS = 2
let loop = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
loop.enable()
const kinds = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
}
let gc = {}
const obs = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = kinds[e.detail?.kind ?? e.kind] ?? 'other'
    const g = (gc[kind] ??= { count: 0, totalMs: 0, maxMs: 0 })
    g.count++
    g.totalMs += e.duration
    g.maxMs = Math.max(g.maxMs, e.duration)
  }
})
obs.observe({ entryTypes: ['gc'] })

process.on('SIGUSR2', () => {
  const lag = (p) => Math.max(0, loop.percentile(p) / 1e6 - RESOLUTION_MS)
  const heap = process.memoryUsage()
  const line = {
    event: 'diag',
    loopLagP50: lag(50),
    loopLagP99: lag(99),
    loopLagMax: Math.max(0, loop.max / 1e6 - RESOLUTION_MS),
    gc: Object.fromEntries(Object.entries(gc).map(([k, v]) => [k, { count: v.count, totalMs: +v.totalMs.toFixed(1), maxMs: +v.maxMs.toFixed(2) }])),
    heapUsedMB: +(heap.heapUsed / 2 ** 20).toFixed(1),
    heapTotalMB: +(heap.heapTotal / 2 ** 20).toFixed(1),
  }
  process.stdout.write(JSON.stringify(line) + '\n')
  loop.disable()
  loop = monitorEventLoopDelay({ resolution: RESOLUTION_MS })
  loop.enable()
  gc = {}
})
