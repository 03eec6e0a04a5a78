import * as Y from 'yjs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Connection, DB } from '../../../db/connect'
import type { Document } from '../../../db/schema'
import { freshDb, makeMember, makeOrganisation, makeRegion, T0 } from '../../../tests/support/db'
import { loadActor } from '../../auth/actor'
import { recordConsent } from '../panels/commands'
import { createDocument } from '../documents/commands'
import { findDocument, latestState } from '../documents/queries'
import { encodeAnchor } from './anchors'
import { commentOnDocument, moderate, reply, setDisposition } from './commands'
import { listComments, listNotifications, myComments, responseReport, unreadCount } from './queries'

let conn: Connection
let db: DB
let doc: Document
let ydoc: Y.Doc
const ids = {} as Record<'drafter' | 'coordinator' | 'parent' | 'youth' | 'otherPanel' | 'provider', string>

async function actor(userId: string) {
  const user = await db.selectFrom('users').select(['id', 'under_16']).where('id', '=', userId).executeTakeFirstOrThrow()
  return loadActor(db, user)
}

function anchorOn(words: string) {
  const text = (ydoc.getXmlFragment('default').get(0) as Y.XmlElement).get(0) as Y.XmlText
  const from = text.toString().indexOf(words)
  return {
    start: encodeAnchor(Y.createRelativePositionFromTypeIndex(text, from)),
    end: encodeAnchor(Y.createRelativePositionFromTypeIndex(text, from + words.length, -1)),
    quote: words,
  }
}

beforeEach(async () => {
  conn = await freshDb()
  db = conn.db
  const regionId = await makeRegion(db)
  const town = await makeOrganisation(db, regionId, { kind: 'municipality' })
  const parents = await makeOrganisation(db, regionId, { kind: 'panel', name: 'Ouderpanel' })
  const youth = await makeOrganisation(db, regionId, { kind: 'panel', name: 'Jongerenpanel' })
  const provider = await makeOrganisation(db, regionId, { kind: 'provider' })
  ids.drafter = (await makeMember(db, { regionId, organisationId: town, role: 'alderman' })).userId
  ids.coordinator = (await makeMember(db, { regionId, organisationId: town, role: 'civil_servant' })).userId
  ids.parent = (await makeMember(db, { regionId, organisationId: parents, role: 'panel_member', email: null })).userId
  ids.youth = (await makeMember(db, { regionId, organisationId: youth, role: 'panel_member', email: null, under16: true })).userId
  ids.otherPanel = (await makeMember(db, { regionId, organisationId: youth, role: 'panel_member', email: null })).userId
  ids.provider = (await makeMember(db, { regionId, organisationId: provider, role: 'provider_member' })).userId
  await recordConsent(db, { regionId, userId: ids.youth, givenBy: 'vader', actorId: ids.coordinator, now: T0 })
  const docId = await createDocument(db, {
    regionId,
    kind: 'principles',
    title: 'Leidende principes',
    actorId: ids.drafter,
    now: T0,
    paragraphs: ['Kinderen groeien zo veel mogelijk thuis op, dicht bij school en vrienden.'],
  })
  doc = (await findDocument(db, docId))!
  // The stored text, as the command reads it: anchors made on this copy resolve in the command's.
  ydoc = await latestState(db, undefined, docId)
})
afterEach(() => conn.close())

const later = (minutes: number) => new Date(T0.getTime() + minutes * 60_000)

describe('comments', () => {
  it('are made on words that are there, quoted as they are', async () => {
    const parent = await actor(ids.parent)
    const ok = await commentOnDocument(db, undefined, { actor: parent, doc, ...anchorOn('zo veel mogelijk thuis'), body: 'Ook bij pleegouders?', now: later(1) })
    expect(ok).toMatchObject({ ok: true, moderation: 'visible' })
    const changed = await commentOnDocument(db, undefined, { actor: parent, doc, ...anchorOn('dicht bij school'), quote: 'iets anders', body: 'x', now: later(2) })
    expect(changed).toEqual({ ok: false, reason: 'text_changed' })
    const bogus = await commentOnDocument(db, undefined, { actor: parent, doc, start: 'AAAA', end: 'AAAA', quote: 'x', body: 'x', now: later(3) })
    expect(bogus).toEqual({ ok: false, reason: 'range_gone' })
    const rows = await db.selectFrom('comments').select('id').execute()
    expect(rows).toHaveLength(1)
  })

  it('are refused to people who may only read', async () => {
    const readOnly = { userId: 'x', memberships: [] }
    const res = await commentOnDocument(db, undefined, { actor: readOnly, doc, ...anchorOn('thuis'), body: 'x', now: later(1) })
    expect(res).toEqual({ ok: false, reason: 'forbidden' })
  })

  it('of members under 16 wait for a coordinator, unseen by anyone else, also by other panels', async () => {
    const youth = await actor(ids.youth)
    const made = await commentOnDocument(db, undefined, { actor: youth, doc, ...anchorOn('school en vrienden'), body: 'Mijn vrienden zijn belangrijk!', now: later(1) })
    expect(made).toMatchObject({ ok: true, moderation: 'pending' })
    const seenBy = async (id: string) => (await listComments(db, { actor: await actor(id), doc, now: T0, ydoc })).map((c) => c.body)
    expect(await seenBy(ids.youth)).toEqual(['Mijn vrienden zijn belangrijk!'])
    expect(await seenBy(ids.coordinator)).toEqual(['Mijn vrienden zijn belangrijk!'])
    for (const other of [ids.parent, ids.otherPanel, ids.drafter, ids.provider]) expect(await seenBy(other)).toEqual([])
    const id = made.ok ? made.id : ''
    expect(await moderate(db, { actor: await actor(ids.drafter), doc, commentId: id, decision: 'approve', reason: '', now: later(2) })).toEqual({ ok: false, reason: 'not_found' })
    expect(await moderate(db, { actor: await actor(ids.coordinator), doc, commentId: id, decision: 'approve', reason: '', now: later(2) })).toEqual({ ok: true })
    expect(await seenBy(ids.otherPanel)).toEqual(['Mijn vrienden zijn belangrijk!'])
    expect((await listNotifications(db, ids.youth)).map((n) => n.kind)).toEqual(['comment.approved'])
  })

  it('can be hidden by a coordinator with a reason, which is audited', async () => {
    const parent = await actor(ids.parent)
    const made = await commentOnDocument(db, undefined, { actor: parent, doc, ...anchorOn('thuis'), body: 'Iets ongepasts', now: later(1) })
    const id = made.ok ? made.id : ''
    await moderate(db, { actor: await actor(ids.coordinator), doc, commentId: id, decision: 'hide', reason: 'Persoonlijke gegevens', now: later(2) })
    expect((await listComments(db, { actor: await actor(ids.otherPanel), doc, now: T0, ydoc })).length).toBe(0)
    const own = await listComments(db, { actor: parent, doc, now: T0, ydoc })
    expect(own[0]).toMatchObject({ moderation: 'hidden', hiddenReason: 'Persoonlijke gegevens' })
    const audit = await db.selectFrom('audit_log').select(['action', 'data']).where('action', '=', 'comment.hidden').execute()
    expect(JSON.parse(audit[0]!.data)).toEqual({ reason: 'Persoonlijke gegevens' })
  })

  it('get a disposition from an editor; "not adopted" needs a reason; the author sees it and is notified', async () => {
    const parent = await actor(ids.parent)
    const made = await commentOnDocument(db, undefined, { actor: parent, doc, ...anchorOn('zo veel mogelijk'), body: 'Graag concreter.', now: later(1) })
    const id = made.ok ? made.id : ''
    const drafter = await actor(ids.drafter)
    expect(await setDisposition(db, { actor: parent, doc, commentId: id, disposition: 'adopted', reason: '', versionId: '', now: later(2) })).toEqual({ ok: false, reason: 'forbidden' })
    expect(await setDisposition(db, { actor: drafter, doc, commentId: id, disposition: 'not_adopted', reason: ' ', versionId: '', now: later(2) })).toEqual({ ok: false, reason: 'reason_required' })
    expect(await setDisposition(db, { actor: drafter, doc, commentId: id, disposition: 'adopted', reason: '', versionId: 'bestaatniet', now: later(2) })).toEqual({ ok: false, reason: 'version_not_found' })
    expect((await db.selectFrom('comments').select('disposition').executeTakeFirstOrThrow()).disposition).toBe('open')
    expect(await unreadCount(db, ids.parent)).toBe(0)

    await db.insertInto('doc_versions').values({ id: 'v1', doc_id: doc.id, label: 'Versie na panelronde', state: Buffer.from([0]), created_by: ids.drafter, created_at: later(5).toISOString() }).execute()
    expect(await setDisposition(db, { actor: drafter, doc, commentId: id, disposition: 'adopted', reason: 'We schrijven nu: zo veel mogelijk thuis.', versionId: 'v1', now: later(6) })).toEqual({ ok: true })
    const mine = await myComments(db, ids.parent)
    expect(mine[0]).toMatchObject({ disposition: 'adopted', disposition_reason: 'We schrijven nu: zo veel mogelijk thuis.', version_label: 'Versie na panelronde' })
    expect(await unreadCount(db, ids.parent)).toBe(1)
    // What the page gets of each comment, no more and no less.
    expect(Object.keys(mine[0]!).sort()).toEqual(
      ['body', 'created_at', 'disposition', 'disposition_at', 'disposition_reason', 'doc_id', 'doc_title', 'hidden_reason', 'id', 'moderation', 'quote', 'region_slug', 'section', 'version_label'],
    )

    const report = await responseReport(db, { doc, versionId: 'v1' })
    expect(Object.keys(report!.rows[0]!).sort()).toEqual(['author', 'body', 'created_at', 'disposition', 'disposition_reason', 'handled_in', 'id', 'quote', 'section'])
    expect(report?.rows.map((r) => [r.author, r.disposition, r.handled_in])).toEqual([[mine[0] && (await db.selectFrom('users').select('name').where('id', '=', ids.parent).executeTakeFirstOrThrow()).name, 'adopted', 'Versie na panelronde']])
  })

  it('take replies from people who may comment, and keep a waiting reply from an under-16 out of sight', async () => {
    const parent = await actor(ids.parent)
    const made = await commentOnDocument(db, undefined, { actor: parent, doc, ...anchorOn('thuis'), body: 'Vraag', now: later(1) })
    const id = made.ok ? made.id : ''
    expect(await reply(db, { actor: await actor(ids.drafter), doc, commentId: id, body: 'Antwoord', now: later(2) })).toMatchObject({ ok: true })
    expect(await reply(db, { actor: await actor(ids.youth), doc, commentId: id, body: 'Ik ook', now: later(3) })).toMatchObject({ ok: true })
    const forOthers = await listComments(db, { actor: await actor(ids.otherPanel), doc, now: T0, ydoc })
    expect(forOthers[0]!.replies.map((r) => r.body)).toEqual(['Antwoord'])
    const forCoordinator = await listComments(db, { actor: await actor(ids.coordinator), doc, now: T0, ydoc })
    expect(forCoordinator[0]!.replies.map((r) => r.body)).toEqual(['Antwoord', 'Ik ook'])
  })

  it('show their status against the current text: active, outdated, orphaned', async () => {
    const parent = await actor(ids.parent)
    await commentOnDocument(db, undefined, { actor: parent, doc, ...anchorOn('dicht bij school'), body: 'A', now: later(1) })
    await commentOnDocument(db, undefined, { actor: parent, doc, ...anchorOn('zo veel mogelijk'), body: 'B', now: later(2) })
    const text = (ydoc.getXmlFragment('default').get(0) as Y.XmlElement).get(0) as Y.XmlText
    text.delete(text.toString().indexOf('dicht bij school'), 'dicht bij school'.length)
    const at = text.toString().indexOf('veel')
    text.delete(at, 4)
    text.insert(at, 'vaak')
    const list = await listComments(db, { actor: parent, doc, now: T0, ydoc })
    expect(list.map((c) => [c.body, c.status])).toEqual([
      ['A', 'orphaned'],
      ['B', 'outdated'],
    ])
    expect(list[0]!.quote).toBe('dicht bij school')
  })
})
