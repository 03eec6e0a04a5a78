import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadActor } from '../../server/auth/actor'
import type { StorageFaults } from '../../server/collab/persistence'
import type { Actor } from '../../server/policy/can'
import { createDocument, lockDocument, restoreVersion, saveVersion, unlockDocument } from '../../server/modules/documents/commands'
import { findDocument } from '../../server/modules/documents/queries'
import { clientsAs, storedText as storedTextOf, type, until } from '../support/collab'
import { client, loginAs, startTestServer, testDialects, type TestServer } from '../support/server'

const REGION = 'ijmond-zuid-kennemerland'

/**
 * Restoring a version goes through the collaboration server's write path (applyServerChange):
 * nobody (an open editor, a newcomer, the page) sees the restored text before the update log holds
 * it. The store is made to fail through the fault seam, so the test waits for conditions, not time.
 * And locking through the command tells open sockets itself.
 */
describe.each(testDialects())('restore and lock through the collaboration server on %s', (dialect) => {
  let server: TestServer
  let faults: StorageFaults
  let regionId: string
  let drafter: Actor
  let reader: Actor
  const emails = { drafter: 'beleidsmedewerker@samenspel.example', alderman: 'wethouder@samenspel.example', coordinator: 'regiocoordinator@samenspel.example' }
  const cookie = { drafter: '', alderman: '', coordinator: '' }
  const clients = clientsAs(() => server, cookie)
  const open = clients.open
  const storedText = (docId: string) => storedTextOf(server.context.db, docId)
  const audited = async (docId: string) =>
    (await server.context.db.selectFrom('audit_log').select('action').where('subject_id', '=', docId).orderBy('seq').execute()).map((r) => r.action)
  const docRow = async (id: string) => (await findDocument(server.context.db, id))!
  const newDoc = (paragraphs: string[]) =>
    createDocument(server.context.db, { regionId, kind: 'proposal', title: 'Terugzetten onder storing', actorId: null, now: new Date(), paragraphs })

  beforeAll(async () => {
    server = await startTestServer({ dialect, collabLimits: { retryBaseMs: 20, retryMaxMs: 200, idleUnloadMs: 200 } })
    faults = server.context.collab.faults!
    for (const who of Object.keys(emails) as Array<keyof typeof emails>) cookie[who] = await loginAs(server, emails[who])
    const db = server.context.db
    regionId = (await db.selectFrom('regions').select('id').where('slug', '=', REGION).executeTakeFirstOrThrow()).id
    const user = (email: string) => db.selectFrom('users').select(['id', 'under_16']).where('email', '=', email).executeTakeFirstOrThrow()
    drafter = await loadActor(db, await user(emails.drafter))
    reader = await loadActor(db, await user('aanbieder@samenspel.example'))
  })
  afterAll(async () => {
    clients.closeAll()
    faults?.reset()
    await server?.close()
  })

  it('shows a restore to nobody before it is stored: not to open editors, a newcomer or the page', async () => {
    const id = await newDoc(['Oud.'])
    const saved = await saveVersion(server.context.db, server.context.collab, { actor: drafter, doc: await docRow(id), label: 'Oud', now: new Date() })
    if (!saved.ok) throw new Error('could not save a version')
    const a = open(id, 'drafter')
    const b = open(id, 'alderman')
    await Promise.all([a.synced, b.synced])
    type(a.doc, ' Nieuw.')
    await until(async () => b.text() === 'Oud. Nieuw.' && (await storedText(id)) === 'Oud. Nieuw.', 5000, 'a stored edit')

    faults.failNext(1_000_000)
    let finished = false
    const restoring = restoreVersion(server.context.db, server.context.collab, {
      actor: drafter,
      doc: await docRow(id),
      versionId: saved.id,
      now: new Date(),
      backupLabel: (l) => `Vóór terugzetten van ‘${l}’`,
    }).finally(() => (finished = true))
    // The restore's append failed: the room retries it and says so.
    await until(() => faults.failed.append > 0 && a.storage() === 'retrying' && b.storage() === 'retrying', 5000, 'the retrying status')

    expect(a.text()).toBe('Oud. Nieuw.')
    expect(b.text()).toBe('Oud. Nieuw.')
    expect(await storedText(id)).toBe('Oud. Nieuw.')
    // A newcomer is served what is stored, and so is the page (its text comes from the same snapshot).
    const c = open(id, 'coordinator')
    await c.synced
    expect(c.text()).toBe('Oud. Nieuw.')
    const html = await (await client(server, cookie.coordinator)(`/regio/${REGION}/documenten/${id}`)).text()
    expect(html).toContain('<p>Oud. Nieuw.</p>')
    // Nor is the restore audited, or answered, while it is not stored.
    expect(await audited(id)).not.toContain('document.version_restored')
    expect(finished).toBe(false)

    faults.reset()
    const result = await restoring
    expect(result).toMatchObject({ ok: true, changed: true, label: 'Oud', backupLabel: 'Vóór terugzetten van ‘Oud’' })
    expect(await storedText(id)).toBe('Oud.')
    await until(() => a.text() === 'Oud.' && b.text() === 'Oud.' && c.text() === 'Oud.', 5000, 'the restore to reach everyone once stored')
    expect((await audited(id)).at(-1)).toBe('document.version_restored')
  })

  it('restores a document nobody has open through the store, and writes nothing of the text when the store fails', async () => {
    const id = await newDoc(['Eerst.'])
    const saved = await saveVersion(server.context.db, server.context.collab, { actor: drafter, doc: await docRow(id), label: 'Eerst', now: new Date() })
    if (!saved.ok) throw new Error('could not save a version')
    const a = open(id, 'drafter')
    await a.synced
    type(a.doc, ' Daarna.')
    await until(async () => (await storedText(id)) === 'Eerst. Daarna.', 5000, 'a stored edit')
    a.destroy()
    await until(() => server.context.collab.loaded(id) === undefined, 5000, 'the document to unload')

    faults.failNext(1)
    const input = { actor: drafter, doc: await docRow(id), versionId: saved.id, now: new Date() }
    await expect(restoreVersion(server.context.db, server.context.collab, input)).rejects.toThrow(/injected fault/)
    expect(await storedText(id)).toBe('Eerst. Daarna.')
    expect(await audited(id)).not.toContain('document.version_restored')
    expect(server.context.collab.loaded(id)).toBeUndefined()

    expect(await restoreVersion(server.context.db, server.context.collab, input)).toMatchObject({ ok: true, changed: true })
    expect(await storedText(id)).toBe('Eerst.')
    expect((await audited(id)).filter((x) => x === 'document.version_restored')).toHaveLength(1)
    // Readers may not restore; nothing is written then.
    expect(await restoreVersion(server.context.db, server.context.collab, { ...input, actor: reader })).toEqual({ ok: false, reason: 'forbidden' })
  })

  it('locks and unlocks through the command: open editors become read-only and get editing back; a second lock records nothing', async () => {
    const id = await newDoc(['Vastzetten.'])
    const a = open(id, 'drafter')
    await a.synced
    const before = a.closeCodes.length
    expect(await lockDocument(server.context.db, server.context.collab, { actor: reader, doc: await docRow(id), now: new Date() })).toEqual({ ok: false, reason: 'forbidden' })
    expect((await docRow(id)).status).toBe('draft')

    expect(await lockDocument(server.context.db, server.context.collab, { actor: drafter, doc: await docRow(id), now: new Date() })).toEqual({ ok: true, changed: true })
    await until(() => a.closeCodes.slice(before).includes(4002), 5000, 'the permission-changed close')
    await until(() => [...(server.context.collab.loaded(id)?.conns.values() ?? [])].some((c) => c.permission === 'read'), 5000, 'a read-only connection')
    expect(await lockDocument(server.context.db, server.context.collab, { actor: drafter, doc: await docRow(id), now: new Date() })).toEqual({ ok: true, changed: false })
    expect((await audited(id)).filter((x) => x === 'document.locked')).toHaveLength(1)

    expect(await unlockDocument(server.context.db, server.context.collab, { actor: drafter, doc: await docRow(id), now: new Date() })).toEqual({ ok: true, changed: true })
    await until(() => [...(server.context.collab.loaded(id)?.conns.values() ?? [])].some((c) => c.permission === 'edit'), 5000, 'editing back')
    expect(await audited(id)).toEqual(['document.created', 'document.locked', 'document.unlocked'])
  })
})
