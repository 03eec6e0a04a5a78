import * as Y from 'yjs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { WebSocket } from 'ws'
import type { Connection, DB } from '../../../db/connect'
import { auditEntries, freshDb, makeMember, makeOrganisation, makeRegion, T0 } from '../../../tests/support/db'
import { fragmentText } from '../../../tests/support/collab'
import { loadActor } from '../../auth/actor'
import type { Actor } from '../../policy/can'
import { createLogger } from '../../lib/log'
import { dbStorage, loadDoc } from '../../collab/persistence'
import { newConn, Room, type Conn } from '../../collab/room'
import { CollabServer } from '../../collab/server'
import { adoptVersion, createDocument, lockDocument, restoreVersion, saveVersion, unlockDocument, type CollabPort } from './commands'
import { compareVersions, documentHTML, findDocument, latestAdoption, listVersions } from './queries'
import { docFromVersionState, FRAGMENT } from './render'

const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000)

let conn: Connection
let db: DB
let regionId: string
let drafter: Actor
let reader: Actor
let drafterName: string

async function actorOf(userId: string) {
  return loadActor(db, { id: userId, under_16: 0 })
}

beforeEach(async () => {
  conn = await freshDb()
  db = conn.db
  regionId = await makeRegion(db)
  const staff = await makeOrganisation(db, regionId, { kind: 'municipality' })
  const provider = await makeOrganisation(db, regionId, { kind: 'provider' })
  const d = await makeMember(db, { regionId, organisationId: staff, role: 'civil_servant' })
  const r = await makeMember(db, { regionId, organisationId: provider, role: 'provider_member' })
  drafter = await actorOf(d.userId)
  reader = await actorOf(r.userId)
  drafterName = (await db.selectFrom('users').select('name').where('id', '=', d.userId).executeTakeFirstOrThrow()).name
})
afterEach(async () => {
  await collab?.close()
  collab = undefined
  await conn.close()
})

/** The collaboration server with no document open: server changes go through the store. */
let collab: CollabServer | undefined
function idleCollab(): CollabServer {
  collab = new CollabServer({
    storage: dbStorage(db),
    clock: () => at(5),
    logger: createLogger('silent'),
    hooks: { authorize: async () => ({ ok: false, status: 401, reason: 'not in this test' }), permissionOf: async () => 'edit' },
  })
  return collab
}

async function newDoc(paragraphs: string[]) {
  const id = await createDocument(db, { regionId, kind: 'proposal', title: 'PHO-voorstel', actorId: null, now: T0, paragraphs })
  return (await findDocument(db, id))!
}

/** Appends an edit to the stored document: the paragraphs become `paragraphs` (same as a client would send). */
async function edit(docId: string, paragraphs: string[], now = at(1)) {
  const stored = await loadDoc(db, docId)
  const doc = new Y.Doc()
  if (stored.update) Y.applyUpdate(doc, stored.update)
  const before = Y.encodeStateVector(doc)
  const fragment = doc.getXmlFragment(FRAGMENT)
  doc.transact(() => {
    fragment.delete(0, fragment.length)
    fragment.insert(
      0,
      paragraphs.map((text) => {
        const p = new Y.XmlElement('paragraph')
        p.insert(0, [new Y.XmlText(text)])
        return p
      }),
    )
  })
  const { appendUpdate } = await import('../../collab/persistence')
  await appendUpdate(db, docId, Y.encodeStateAsUpdate(doc, before), now)
}

async function storedText(docId: string) {
  const stored = await loadDoc(db, docId)
  const doc = new Y.Doc()
  if (stored.update) Y.applyUpdate(doc, stored.update)
  return fragmentText(doc)
}

const versionCount = async () => Number((await db.selectFrom('doc_versions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
const actions = async () => (await auditEntries(db, regionId)).map((e) => e.action)

describe('saving a version', () => {
  it('stores the current state (v2), who and when, and audits it in the same transaction', async () => {
    const doc = await newDoc(['Eerste alinea.'])
    const r = await saveVersion(db, undefined, { actor: drafter, doc, label: '  Na het PHO  ', now: at(5) })
    expect(r.ok).toBe(true)
    const row = await db.selectFrom('doc_versions').selectAll().executeTakeFirstOrThrow()
    expect(row).toMatchObject({ doc_id: doc.id, label: 'Na het PHO', created_by: drafter.userId, created_at: at(5).toISOString() })
    expect(fragmentText(docFromVersionState(row.state))).toBe('Eerste alinea.')
    const audit = (await auditEntries(db, regionId)).filter((e) => e.action === 'document.version_saved')
    expect(audit).toHaveLength(1)
    expect(JSON.parse(audit[0]!.data)).toEqual({ versionId: row.id, label: 'Na het PHO' })
  })

  it('refuses an empty or too long label, and anyone who may not edit; nothing is written', async () => {
    const doc = await newDoc(['Tekst.'])
    const before = await actions()
    expect(await saveVersion(db, undefined, { actor: drafter, doc, label: '   ', now: T0 })).toEqual({ ok: false, reason: 'label_required' })
    expect(await saveVersion(db, undefined, { actor: drafter, doc, label: 'x'.repeat(121), now: T0 })).toEqual({ ok: false, reason: 'label_too_long' })
    expect(await saveVersion(db, undefined, { actor: reader, doc, label: 'Mag niet', now: T0 })).toEqual({ ok: false, reason: 'forbidden' })
    expect(await versionCount()).toBe(0)
    expect(await actions()).toEqual(before)
    // 120 characters is allowed.
    expect((await saveVersion(db, undefined, { actor: drafter, doc, label: 'x'.repeat(120), now: T0 })).ok).toBe(true)
  })

  it('lists versions newest first with their authors; readers may list', async () => {
    const doc = await newDoc(['Tekst.'])
    await saveVersion(db, undefined, { actor: drafter, doc, label: 'Eerste', now: at(1) })
    await saveVersion(db, undefined, { actor: drafter, doc, label: 'Tweede', now: at(2) })
    const list = await listVersions(db, { actor: reader, doc, now: T0 })
    expect(list.map((v) => v.label)).toEqual(['Tweede', 'Eerste'])
    expect(list[0]).toMatchObject({ author: drafterName, created_at: at(2).toISOString() })
    expect(list[0]).not.toHaveProperty('state')
  })
})

describe('comparing', () => {
  it('compares a version with another version or with the current text; never another document’s version', async () => {
    const doc = await newDoc(['De regio koopt in.'])
    const v1 = await saveVersion(db, undefined, { actor: drafter, doc, label: 'Een', now: at(1) })
    await edit(doc.id, ['De regio koopt samen in.'])
    const v2 = await saveVersion(db, undefined, { actor: drafter, doc, label: 'Twee', now: at(2) })
    await edit(doc.id, ['De regio koopt samen in.', 'Met de aanbieders.'], at(3))
    if (!v1.ok || !v2.ok) throw new Error('save failed')
    const a = await compareVersions(db, undefined, { actor: reader, doc, from: v1.id, to: v2.id, now: T0 })
    if (!a.ok) throw new Error('compare failed')
    expect(a.comparison.insertedWords).toBe(1)
    expect(a.comparison.rows[0]!.after!.segments.find((s) => s.change === 'ins')!.text.trim()).toBe('samen')
    const b = await compareVersions(db, undefined, { actor: reader, doc, from: v2.id, to: 'current', now: T0 })
    if (!b.ok) throw new Error('compare failed')
    expect(b.to.id).toBe('current')
    expect(b.comparison.rows.map((r) => r.change)).toEqual(['same', 'added'])

    const other = await newDoc(['Ander document.'])
    const foreign = await saveVersion(db, undefined, { actor: drafter, doc: other, label: 'Ander', now: at(4) })
    if (!foreign.ok) throw new Error('save failed')
    expect(await compareVersions(db, undefined, { actor: reader, doc, from: foreign.id, to: 'current', now: T0 })).toEqual({ ok: false, reason: 'not_found' })
    expect(await compareVersions(db, undefined, { actor: reader, doc, from: v1.id, to: foreign.id, now: T0 })).toEqual({ ok: false, reason: 'not_found' })
  })
})

describe('restoring a version', () => {
  it('writes the old text as a new change in the log, keeps the text before as a version, and audits', async () => {
    const doc = await newDoc(['Oude tekst.'])
    const v = await saveVersion(db, undefined, { actor: drafter, doc, label: 'Oud', now: at(1) })
    if (!v.ok) throw new Error('save failed')
    await edit(doc.id, ['Nieuwe tekst.', 'Nog een alinea.'])
    const seqBefore = (await findDocument(db, doc.id))!.last_seq
    const r = await restoreVersion(db, idleCollab(), { actor: drafter, doc, versionId: v.id, now: at(10), backupLabel: (l) => `Vóór terugzetten van ‘${l}’` })
    expect(r).toMatchObject({ ok: true, changed: true, label: 'Oud', backupLabel: 'Vóór terugzetten van ‘Oud’' })
    expect(await storedText(doc.id)).toBe('Oude tekst.')
    expect((await findDocument(db, doc.id))!.last_seq).toBe(seqBefore + 1)
    expect(await documentHTML(db, undefined, doc.id)).toBe('<p>Oude tekst.</p>')
    const versions = await listVersions(db, { actor: drafter, doc, now: T0 })
    expect(versions.map((x) => x.label)).toEqual(['Vóór terugzetten van ‘Oud’', 'Oud'])
    const backup = await db.selectFrom('doc_versions').select('state').where('label', 'like', 'Vóór%').executeTakeFirstOrThrow()
    expect(fragmentText(docFromVersionState(backup.state))).toBe('Nieuwe tekst.\nNog een alinea.')
    const audit = (await auditEntries(db, regionId)).filter((e) => e.action.startsWith('document.version'))
    expect(audit.map((e) => e.action)).toEqual(['document.version_saved', 'document.version_saved', 'document.version_restored'])
    expect(JSON.parse(audit[2]!.data)).toEqual({ versionId: v.id, label: 'Oud' })
    expect(audit[2]!.actor_id).toBe(drafter.userId)
  })

  it('does nothing when the text already equals the version', async () => {
    const doc = await newDoc(['Gelijk.'])
    const v = await saveVersion(db, undefined, { actor: drafter, doc, label: 'Nu', now: at(1) })
    if (!v.ok) throw new Error('save failed')
    const before = { seq: (await findDocument(db, doc.id))!.last_seq, audit: await actions(), versions: await versionCount() }
    expect(await restoreVersion(db, idleCollab(), { actor: drafter, doc, versionId: v.id, now: at(2), backupLabel: () => 'x' })).toMatchObject({ ok: true, changed: false })
    expect({ seq: (await findDocument(db, doc.id))!.last_seq, audit: await actions(), versions: await versionCount() }).toEqual(before)
  })

  it('refuses an unknown version, another document’s version, and readers; nothing is written', async () => {
    const doc = await newDoc(['Tekst.'])
    const other = await newDoc(['Ander.'])
    const foreign = await saveVersion(db, undefined, { actor: drafter, doc: other, label: 'Ander', now: at(1) })
    const own = await saveVersion(db, undefined, { actor: drafter, doc, label: 'Eigen', now: at(1) })
    if (!foreign.ok || !own.ok) throw new Error('save failed')
    await edit(doc.id, ['Gewijzigd.'])
    const before = { seq: (await findDocument(db, doc.id))!.last_seq, audit: await actions(), versions: await versionCount() }
    const live = idleCollab()
    expect(await restoreVersion(db, live, { actor: drafter, doc, versionId: 'bestaat-niet', now: at(2) })).toEqual({ ok: false, reason: 'version_not_found' })
    expect(await restoreVersion(db, live, { actor: drafter, doc, versionId: foreign.id, now: at(2) })).toEqual({ ok: false, reason: 'version_not_found' })
    expect(await restoreVersion(db, live, { actor: reader, doc, versionId: own.id, now: at(2) })).toEqual({ ok: false, reason: 'forbidden' })
    expect({ seq: (await findDocument(db, doc.id))!.last_seq, audit: await actions(), versions: await versionCount() }).toEqual(before)
    expect(await storedText(doc.id)).toBe('Gewijzigd.')
  })

  it('restores through the live room: one change, stored and broadcast to connected people', async () => {
    const doc = await newDoc(['Oud.'])
    const v = await saveVersion(db, undefined, { actor: drafter, doc, label: 'Oud', now: at(1) })
    if (!v.ok) throw new Error('save failed')
    const room = new Room(doc.id, {
      storage: dbStorage(db),
      clock: () => at(5),
      logger: createLogger('silent'),
      compactAfter: 500,
      retry: { baseMs: 10, maxMs: 100 },
      hooks: {},
      publish: () => {},
    })
    await room.ready
    // Someone is connected and has been typing.
    const sent: Uint8Array[] = []
    const ws = { readyState: 1, OPEN: 1, send: (m: Uint8Array) => sent.push(m), close: () => {}, terminate: () => {} } as unknown as WebSocket
    const conn: Conn = newConn(ws, drafter.userId, 'edit')
    room.add(conn)
    const fragment = room.doc.getXmlFragment(FRAGMENT)
    const p = new Y.XmlElement('paragraph')
    p.insert(0, [new Y.XmlText('Live getypt.')])
    room.doc.transact(() => fragment.push([p]), conn)
    await room.drained()
    sent.length = 0
    // The port as the collaboration server offers it, over this one room.
    const live: CollabPort = {
      snapshot: async (id) => (id === doc.id ? (await room.drained(), Y.encodeStateAsUpdate(room.doc)) : null),
      applyServerChange: (id, change) => (id === doc.id ? room.change(change) : Promise.reject(new Error('not loaded'))),
      accessChanged: async () => {},
    }

    const r = await restoreVersion(db, live, { actor: drafter, doc, versionId: v.id, now: at(6) })
    expect(r).toMatchObject({ ok: true, changed: true })
    expect(fragmentText(room.doc)).toBe('Oud.')
    // The change went out to the connected client (a sync update message)...
    expect(sent.length).toBe(1)
    expect([...sent[0]!.slice(0, 2)]).toEqual([0, 2])
    // ...and is in the log, so a fresh load sees it.
    expect(await storedText(doc.id)).toBe('Oud.')
    expect((await auditEntries(db, regionId)).at(-1)!.action).toBe('document.version_restored')
    await room.unload()
  })
})

describe('locking', () => {
  it('locks and unlocks with an audit entry each, tells the collaboration server only when something changed, refuses others', async () => {
    const doc = await newDoc(['Tekst.'])
    const notices: string[] = []
    const collabStub = { accessChanged: async (n: { docId: string }) => void notices.push(n.docId) }
    expect(await lockDocument(db, collabStub, { actor: reader, doc, now: at(1) })).toEqual({ ok: false, reason: 'forbidden' })
    expect(notices).toEqual([])
    expect(await lockDocument(db, collabStub, { actor: drafter, doc, now: at(2) })).toEqual({ ok: true, changed: true })
    expect(await findDocument(db, doc.id)).toMatchObject({ status: 'locked', locked_at: at(2).toISOString() })
    // The page may be stale: locking again changes and records nothing.
    expect(await lockDocument(db, collabStub, { actor: drafter, doc, now: at(3) })).toEqual({ ok: true, changed: false })
    expect(await unlockDocument(db, collabStub, { actor: drafter, doc, now: at(4) })).toEqual({ ok: true, changed: true })
    expect(await findDocument(db, doc.id)).toMatchObject({ status: 'draft', locked_at: null })
    expect(notices).toEqual([doc.id, doc.id])
    expect((await actions()).filter((a) => a.startsWith('document.') && a.endsWith('locked'))).toEqual(['document.locked', 'document.unlocked'])
    expect(await lockDocument(db, collabStub, { actor: drafter, doc: { ...doc, id: 'bestaat-niet' }, now: at(5) })).toEqual({ ok: false, reason: 'not_found' })
  })
})

describe('adopting a version', () => {
  it('records the decision of the aldermen, not in the future by the Dutch calendar, of this document only', async () => {
    const staff = await makeOrganisation(db, regionId, { kind: 'municipality' })
    const alderman = await actorOf((await makeMember(db, { regionId, organisationId: staff, role: 'alderman' })).userId)
    const doc = await newDoc(['Vast te stellen.'])
    const other = await newDoc(['Ander.'])
    const v = await saveVersion(db, undefined, { actor: drafter, doc, label: 'Voor het PHO', now: at(1) })
    const foreign = await saveVersion(db, undefined, { actor: drafter, doc: other, label: 'Ander', now: at(1) })
    if (!v.ok || !foreign.ok) throw new Error('save failed')
    const before = await actions()
    // 23:30 UTC on 1 May is already 2 May in Amsterdam: that day may be adopted, the 3rd not.
    const now = new Date('2026-05-01T23:30:00Z')
    const input = { actor: alderman, doc, versionId: v.id, adoptedOn: '2026-05-02', reference: 'PHO-2026-07', now }
    expect(await adoptVersion(db, { ...input, actor: drafter })).toEqual({ ok: false, reason: 'forbidden' })
    expect(await adoptVersion(db, { ...input, adoptedOn: '2026-05-03' })).toEqual({ ok: false, reason: 'in_future' })
    expect(await adoptVersion(db, { ...input, versionId: foreign.id })).toEqual({ ok: false, reason: 'version_not_found' })
    expect(await actions()).toEqual(before)
    expect(await latestAdoption(db, doc.id)).toBeUndefined()

    const adopted = await adoptVersion(db, input)
    expect(adopted).toMatchObject({ ok: true, label: 'Voor het PHO' })
    expect(await latestAdoption(db, doc.id)).toMatchObject({ version_id: v.id, adopted_on: '2026-05-02', reference: 'PHO-2026-07', version_label: 'Voor het PHO' })
    expect((await actions()).at(-1)).toBe('document.adopted')
  })
})
