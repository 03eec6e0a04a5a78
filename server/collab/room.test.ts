import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import * as syncProtocol from 'y-protocols/sync'
import type { WebSocket } from 'ws'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Connection } from '../../db/connect'
import { freshDb, makeRegion, T0 } from '../../tests/support/db'
import { fragmentText, type, until } from '../../tests/support/collab'
import { createLogger } from '../lib/log'
import { createDocument } from '../modules/documents/commands'
import { dbStorage, loadDoc, withFaults, type StorageFaults } from './persistence'
import { changesDoc, MESSAGE_STORAGE_STATUS, newConn, Room, type Conn } from './room'

/**
 * The room's write path without sockets: a fake socket records what the room sends, the fault
 * seam makes the store fail. Store before apply, batch, retry, drop while retrying, resync after.
 */
let conn: Connection
let docId: string
let faults: StorageFaults
let room: Room

function fakeSocket() {
  const sent: Uint8Array[] = []
  const closes: number[] = []
  const ws = {
    readyState: 1,
    OPEN: 1,
    send: (m: Uint8Array) => sent.push(m),
    close: (code: number) => closes.push(code),
    terminate: () => {},
  } as unknown as WebSocket
  return { ws, sent, closes }
}

function updateMessage(update: Uint8Array) {
  const e = encoding.createEncoder()
  encoding.writeVarUint(e, 0)
  syncProtocol.writeUpdate(e, update)
  return encoding.toUint8Array(e)
}

/** A client document whose edits are captured as update messages. */
function clientDoc() {
  const doc = new Y.Doc()
  const out: Uint8Array[] = []
  doc.on('update', (u: Uint8Array) => out.push(updateMessage(u)))
  return { doc, out }
}

const storedText = async () => {
  const s = await loadDoc(conn.db, docId)
  const d = new Y.Doc()
  if (s.update) Y.applyUpdate(d, s.update)
  return fragmentText(d)
}

beforeEach(async () => {
  conn = await freshDb()
  docId = await createDocument(conn.db, { regionId: await makeRegion(conn.db), kind: 'minutes', title: 'Notulen', actorId: null, now: T0 })
  const wrapped = withFaults(dbStorage(conn.db))
  faults = wrapped.faults
  room = new Room(docId, {
    storage: wrapped.storage,
    clock: () => T0,
    logger: createLogger('silent'),
    compactAfter: 500,
    retry: { baseMs: 5, maxMs: 20 },
    hooks: {},
    publish: () => {},
  })
  await room.ready
})
afterEach(async () => {
  faults.reset()
  await room.unload()
  await conn.close()
})

const statuses = (sent: Uint8Array[]) => sent.filter((m) => m[0] === MESSAGE_STORAGE_STATUS).map((m) => m[1])

describe('the room write path', () => {
  it('stores before it applies or relays; the sender does not get its own update back', async () => {
    const a = fakeSocket()
    const b = fakeSocket()
    const ca = newConn(a.ws, 'anna', 'edit')
    room.add(ca)
    room.add(newConn(b.ws, 'bram', 'edit'))
    a.sent.length = 0
    b.sent.length = 0
    const client = clientDoc()
    type(client.doc, 'hallo')
    faults.stall(100)
    const handled = room.handle(ca, client.out[0]!)
    await handled
    expect(fragmentText(room.doc)).toBe('')
    expect(b.sent).toHaveLength(0)
    await room.settled()
    expect(fragmentText(room.doc)).toBe('hallo')
    expect(await storedText()).toBe('hallo')
    expect(b.sent).toHaveLength(1)
    expect(a.sent).toHaveLength(0)
  })

  it('retries a failed append, drops updates meanwhile, then resyncs their senders', async () => {
    const a = fakeSocket()
    const b = fakeSocket()
    const ca: Conn = newConn(a.ws, 'anna', 'edit')
    const cb: Conn = newConn(b.ws, 'bram', 'edit')
    room.add(ca)
    room.add(cb)
    const client = clientDoc()
    faults.failNext(1_000_000)
    type(client.doc, 'een ')
    await room.handle(ca, client.out[0]!)
    await until(() => room.storageState === 'retrying', 5000, 'retrying')
    // Readers may go on (the doc holds only what is stored); the failed batch is not in it.
    await room.drained()
    expect(fragmentText(room.doc)).toBe('')
    type(client.doc, 'twee')
    await room.handle(ca, client.out[1]!)
    expect(ca.dropped).toBe(true)
    expect(cb.dropped).toBe(false)
    await until(() => faults.failed.append >= 3, 5000, 'a few retries')
    faults.reset()
    await room.settled()
    expect(await storedText()).toBe('een ')
    expect(fragmentText(room.doc)).toBe('een ')
    expect(statuses(a.sent)).toEqual([1, 0])
    expect(statuses(b.sent)).toEqual([1, 0])
    // The sender of the dropped update is told to reconnect, so it sends 'twee' again.
    expect(a.closes).toEqual([4003])
    expect(b.closes).toEqual([])
  })

  it('change(): a server change is stored first, then applied and sent to everyone', async () => {
    const a = fakeSocket()
    room.add(newConn(a.ws, 'anna', 'edit'))
    a.sent.length = 0
    faults.stall(50)
    const done = room.change((doc) => {
      const p = new Y.XmlElement('paragraph')
      p.insert(0, [new Y.XmlText('hersteld')])
      doc.getXmlFragment('default').push([p])
    })
    expect(fragmentText(room.doc)).toBe('')
    await done
    expect(fragmentText(room.doc)).toBe('hersteld')
    expect(await storedText()).toBe('hersteld')
    expect(a.sent).toHaveLength(1)
  })

  it('changesDoc: a repeated update or an empty step 2 is not a change', () => {
    const client = clientDoc()
    type(client.doc, 'abc')
    const doc = new Y.Doc()
    const update = Y.encodeStateAsUpdate(client.doc)
    expect(changesDoc(doc, update)).toBe(true)
    Y.applyUpdate(doc, update)
    expect(changesDoc(doc, update)).toBe(false)
    expect(changesDoc(doc, Y.encodeStateAsUpdate(client.doc, Y.encodeStateVector(doc)))).toBe(false)
  })
})
