import fs from 'node:fs'
import * as Y from 'yjs'

/** Shared helpers of the benchmark: /proc readings and small statistics. */

const CLK_TCK = 100 // getconf CLK_TCK on Linux x86-64

/** utime + stime of a process in seconds (all its threads), or null when it is gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    // the command name is in parentheses and may contain spaces: fields start after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // fields[0] is field 3 (state); utime is field 14, stime field 15
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK
  } catch {
    return null
  }
}

/** VmHWM (peak RSS) and VmRSS of a process in MB, or null when it is gone. */
export function memoryMB(pid: number): { peak: number; rss: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN)
    return { peak: kb('VmHWM') / 1024, rss: kb('VmRSS') / 1024 }
  } catch {
    return null
  }
}

/** Busy and total jiffies per CPU from /proc/stat, to see what else ran on a core. */
export function coreTimes(): Array<{ busy: number; total: number }> {
  const out: Array<{ busy: number; total: number }> = []
  for (const line of fs.readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line)
    if (!m) continue
    const v = m[2]!.trim().split(/\s+/).map(Number)
    // user nice system idle iowait irq softirq steal ...
    const idle = (v[3] ?? 0) + (v[4] ?? 0)
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0)
    out[Number(m[1])] = { busy: (total - idle) / CLK_TCK, total: total / CLK_TCK }
  }
  return out
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!
}

export function median(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  if (v.length === 0) return NaN
  const mid = Math.floor(v.length / 2)
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** One JSON line on stdout: how client processes talk to the runner. */
export function emit(event: string, data: Record<string, unknown> = {}) {
  process.stdout.write(JSON.stringify({ event, ...data }) + '\n')
}


/**
 * The log of the cold-join test: `count` keystrokes typed into Y.Text 'text' by one fixed client,
 * one transaction (and so one small update) each. The same updates go into our SQLite log and, over
 * the wire, into the reference's LevelDB.
 */
export function typeKeystrokes(doc: Y.Doc, from: number, to: number) {
  const text = doc.getText('text')
  for (let i = from; i < to; i++) {
    doc.transact(() => text.insert(text.length, i % 61 === 60 ? '\n' : String.fromCharCode(97 + (i % 26))))
  }
}

export function keystrokeUpdates(count: number): Uint8Array[] {
  const doc = new Y.Doc()
  doc.clientID = 4242
  const updates: Uint8Array[] = []
  doc.on('update', (u: Uint8Array) => updates.push(u))
  typeKeystrokes(doc, 0, count)
  doc.destroy()
  return updates
}
