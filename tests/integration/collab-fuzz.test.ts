import v8 from 'node:v8'
import vm from 'node:vm'
import WebSocket from 'ws'
import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import * as awarenessProtocol from 'y-protocols/awareness'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDocument } from '../../server/modules/documents/commands'
import { connect, type, until } from '../support/collab'
import { loginAs, startTestServer, type TestServer } from '../support/server'

/**
 * A hostile client: at least 10,000 random and truncated frames. Each malformed frame closes only
 * its own connection (4400); editing goes on; afterwards nothing is left loaded and the heap is
 * back near where it started.
 */
v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void

function heapAfterGc() {
  for (let i = 0; i < 3; i++) gc()
  return process.memoryUsage().heapUsed
}

let seed = 7
const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)
const int = (n: number) => Math.floor(rnd() * n)

/** Real protocol messages to cut short, and plain noise. */
function hostileFrames(count: number): Buffer[] {
  // Some frames survive the mangling as valid edits: they go to another shared type, so the
  // editors' text stays comparable.
  const doc = new Y.Doc()
  doc.getText('elders').insert(0, 'een tekst die ergens ophoudt')
  const samples: Uint8Array[] = []
  let e = encoding.createEncoder()
  encoding.writeVarUint(e, 0)
  syncProtocol.writeSyncStep1(e, doc)
  samples.push(encoding.toUint8Array(e))
  e = encoding.createEncoder()
  encoding.writeVarUint(e, 0)
  syncProtocol.writeUpdate(e, Y.encodeStateAsUpdate(doc))
  samples.push(encoding.toUint8Array(e))
  const aw = new awarenessProtocol.Awareness(doc)
  aw.setLocalState({ user: { name: 'x'.repeat(50) } })
  e = encoding.createEncoder()
  encoding.writeVarUint(e, 1)
  encoding.writeVarUint8Array(e, awarenessProtocol.encodeAwarenessUpdate(aw, [doc.clientID]))
  samples.push(encoding.toUint8Array(e))
  const frames: Buffer[] = []
  for (let i = 0; i < count; i++) {
    const kind = i % 3
    if (kind === 0) {
      const s = samples[int(samples.length)]!
      frames.push(Buffer.from(s.subarray(0, 1 + int(s.length - 1)))) // truncated
    } else if (kind === 1) {
      const f = Buffer.alloc(1 + int(64))
      for (let j = 0; j < f.length; j++) f[j] = int(256)
      frames.push(f)
    } else {
      const s = Buffer.from(samples[int(samples.length)]!)
      for (let j = 0; j < 3; j++) s[int(s.length)] = int(256) // corrupted in place
      frames.push(s)
    }
  }
  return frames
}

describe('a hostile client', () => {
  let server: TestServer
  let docId: string
  let cookie: string
  beforeAll(async () => {
    server = await startTestServer({ dialect: 'sqlite', collabLimits: { idleUnloadMs: 20, maxConnectionsPerUser: 1000 } })
    cookie = await loginAs(server, 'beleidsmedewerker@samenspel.example')
    const region = await server.context.db.selectFrom('regions').select('id').where('slug', '=', 'ijmond-zuid-kennemerland').executeTakeFirstOrThrow()
    docId = await createDocument(server.context.db, { regionId: region.id, kind: 'proposal', title: 'Doelwit', actorId: null, now: new Date(), paragraphs: ['Begin.'] })
  })
  afterAll(() => server?.close())

  it('closes only its own connections on 10,000 malformed frames; editing goes on; memory returns', async () => {
    // Warm up once so that the baseline includes the code paths, not just an idle process.
    const warm = connect(server, docId, cookie)
    await warm.synced
    warm.destroy()
    await until(() => server.context.collab.stats().documents === 0, 5000, 'warm-up unload')
    const baseline = heapAfterGc()

    const a = connect(server, docId, cookie)
    const b = connect(server, docId, cookie)
    await Promise.all([a.synced, b.synced])

    const frames = hostileFrames(10_000)
    const closeCodes = new Map<number, number>()
    let sent = 0
    let next = 0
    const url = server.url.replace(/^http/, 'ws') + `/collab/${docId}`
    // Twenty hostile connections at a time; each sends frames until the server closes it.
    const worker = async () => {
      while (next < frames.length) {
        const ws = new WebSocket(url, { headers: { Cookie: cookie, Origin: server.url } })
        const code = await new Promise<number>((resolve) => {
          ws.on('open', () => {
            const pump = () => {
              if (ws.readyState !== ws.OPEN || next >= frames.length) return ws.readyState === ws.OPEN && ws.close(1000)
              ws.send(frames[next++]!)
              sent++
              setImmediate(pump)
            }
            pump()
          })
          ws.on('close', (c) => resolve(c))
          ws.on('error', () => undefined)
        })
        closeCodes.set(code, (closeCodes.get(code) ?? 0) + 1)
      }
    }
    await Promise.all(Array.from({ length: 20 }, worker))
    expect(sent).toBeGreaterThanOrEqual(10_000)
    // Every hostile connection ended by our close code for malformed input, or by its own goodbye.
    expect([...closeCodes.keys()].every((c) => c === 4400 || c === 1000)).toBe(true)
    expect(closeCodes.get(4400)).toBeGreaterThan(1000)

    type(a.doc, ' Nog steeds.')
    await until(() => b.text() === 'Begin. Nog steeds.', 5000, 'the others to keep editing')
    expect(a.provider.wsconnected && b.provider.wsconnected).toBe(true)

    a.destroy()
    b.destroy()
    await until(() => server.context.collab.stats().documents === 0 && server.context.collab.stats().connections === 0, 10_000, 'everything to unload')
    const after = heapAfterGc()
    // Back within a few MB of where it started (the frames themselves are still referenced here).
    expect(after - baseline).toBeLessThan(8 * 1024 * 1024)
  }, 120_000)
})
