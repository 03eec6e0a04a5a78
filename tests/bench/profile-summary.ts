import fs from 'node:fs'
import path from 'node:path'

/**
 * Summarises a V8 .cpuprofile (node --cpu-prof, as `BENCH_PROFILE=1 npm run bench` writes for our
 * server): the functions with the most self time, and the most inclusive time of our own code.
 *   npx tsx tests/bench/profile-summary.ts <file.cpuprofile> [top] [skip-first-seconds]
 * Skipping the first seconds leaves start-up (module loading through tsx) out.
 */
interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface Profile {
  nodes: Node[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

const file = process.argv[2]
if (!file) {
  console.error('usage: tsx tests/bench/profile-summary.ts <file.cpuprofile> [top]')
  process.exit(2)
}
const top = Number(process.argv[3] ?? 25)
const skipUs = Number(process.argv[4] ?? 0) * 1e6
const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile
const byId = new Map(prof.nodes.map((n) => [n.id, n]))
const parent = new Map<number, number>()
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id)

const selfUs = new Map<number, number>()
let clock = 0
prof.samples.forEach((id, i) => {
  clock += prof.timeDeltas[i] ?? 0
  if (clock >= skipUs) selfUs.set(id, (selfUs.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0))
})
const total = [...selfUs.values()].reduce((a, b) => a + b, 0)

const label = (n: Node) => {
  const url = n.callFrame.url.replace(/^file:\/\//, '')
  const short = url.includes('node_modules') ? url.slice(url.lastIndexOf('node_modules') + 13) : path.relative(process.cwd(), url) || url
  return `${n.callFrame.functionName || '(anonymous)'} ${short ? `${short}:${n.callFrame.lineNumber + 1}` : ''}`.trim()
}

const self = new Map<string, number>()
const inclusive = new Map<string, number>()
for (const [id, us] of selfUs) {
  const n = byId.get(id)!
  self.set(label(n), (self.get(label(n)) ?? 0) + us)
  // every distinct frame on the stack gets the sample once
  const seen = new Set<string>()
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const l = label(byId.get(cur)!)
    if (seen.has(l)) continue
    seen.add(l)
    inclusive.set(l, (inclusive.get(l) ?? 0) + us)
  }
}

const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms`
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled over ${((prof.endTime - prof.startTime) / 1e6).toFixed(1)} s${skipUs ? ` (first ${skipUs / 1e6} s skipped)` : ''}`)
console.log(`\nself time, top ${top}:`)
for (const [l, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${l}`)
console.log(`\ninclusive time of server/ and db/ code, top ${top}:`)
for (const [l, us] of [...inclusive]
  .filter(([l]) => /(^| )(server|db)\//.test(l))
  .sort((a, b) => b[1] - a[1])
  .slice(0, top))
  console.log(`${pct(us)}  ${l}`)
