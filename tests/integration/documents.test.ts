import * as Y from 'yjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { createDocument } from '../../server/modules/documents/commands'
import { trackConnection, type ConnectionState } from '../../app/editor/connection'
import { type, until } from '../support/collab'
import { DEMO, DEMO_REGION as REGION, OTHER_REGION, regionIdOf } from '../support/demo'
import { liveServer } from '../support/live'
import { testDialects } from '../support/server'

const { drafter, alderman, admin, provider, competitor, parent, outsider } = DEMO
const users = { drafter, alderman, admin, provider, competitor, parent, outsider }

describe.each(testDialects())('documents and versions on %s', (dialect) => {
  const live = liveServer({ dialect, collabLimits: { idleUnloadMs: 100 } }, users)
  const { as, open, storedText } = live
  let regionId: string
  let proposal: string
  let principles: string
  let submission: string
  let elsewhere: string
  const page = (docId: string, sub = '') => `/regio/${REGION}/documenten/${docId}${sub}`
  const count = async (table: 'doc_versions' | 'doc_updates' | 'audit_log') =>
    Number((await live.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)

  beforeAll(async () => {
    const db = live.db
    regionId = live.regionId
    const other = { id: await regionIdOf(db, OTHER_REGION) }
    const kompas = await db.selectFrom('organisations').select('id').where('name', 'like', 'Kompas%').executeTakeFirstOrThrow()
    const now = new Date()
    proposal = await createDocument(db, { regionId, kind: 'proposal', title: 'PHO-voorstel inkoop', actorId: null, now, paragraphs: ['Eerste alinea.', 'Tweede <alinea> & meer.', '</script><script>alert(1)</script>'] })
    principles = await createDocument(db, { regionId, kind: 'principles', title: 'Leidende principes', actorId: null, now })
    submission = await createDocument(db, { regionId, kind: 'submission', title: 'Inschrijving Kompas', ownerOrganisationId: kompas.id, actorId: null, now })
    elsewhere = await createDocument(db, { regionId: other.id, kind: 'proposal', title: 'Voorstel Midden-Limburg', actorId: null, now })
  })

  it('the document page answers 404 for unknown ids and other regions’ documents, 403 without permission', async () => {
    expect((await as('drafter')(page('a'.repeat(24)))).status).toBe(404)
    // The admin may read the Midden-Limburg document, but not under this region's URL.
    expect((await as('admin')(page(elsewhere))).status).toBe(404)
    expect((await as('admin')(`/regio/midden-limburg/documenten/${elsewhere}`)).status).toBe(200)
    // Not a member of the region; a competitor's and the region's staff on a provider's submission.
    expect((await as('outsider')(page(proposal))).status).toBe(403)
    expect((await as('competitor')(page(submission))).status).toBe(403)
    expect((await as('drafter')(page(submission))).status).toBe(403)
    expect((await as('provider')(page(submission))).status).toBe(200)
    expect((await as('drafter')(page('a'.repeat(24), '/versies'))).status).toBe(404)
    expect((await as('competitor')(page(submission, '/versies'))).status).toBe(403)
    // No session: to the login page.
    expect((await as(null)(page(proposal))).status).toBe(302)
  })

  it('renders the stored text on the server, escaped, with the editor only for editors', async () => {
    const res = await as('provider')(page(proposal))
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('<div class="doc-text doc-text--static" data-testid="doc-static"><p>Eerste alinea.</p><p>Tweede &lt;alinea&gt; &amp; meer.</p><p>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</p></div>')
    // Nowhere raw, not even in the loader data the page carries for hydration.
    expect(html).not.toContain('<script>alert(1)')
    expect(html).toContain('U kunt deze tekst lezen, maar niet wijzigen')
    const commenter = await (await as('parent')(page(principles))).text()
    expect(commenter).toContain('lezen en erop reageren')
    const editor = await (await as('drafter')(page(proposal))).text()
    expect(editor).not.toContain('niet wijzigen')
  })

  it('lists readable documents and lets drafters create one; others cannot', async () => {
    const list = await (await as('provider')(`/regio/${REGION}/documenten`)).text()
    expect(list).toContain('PHO-voorstel inkoop')
    expect(list).toContain('Inschrijving Kompas')
    expect(list).not.toContain('Voorstel Midden-Limburg')
    expect(list).not.toContain('Document maken')
    expect((await as('provider')(`/regio/${REGION}/documenten`, { form: { title: 'Mag niet', kind: 'proposal' } })).status).toBe(403)
    const competitorList = await (await as('competitor')(`/regio/${REGION}/documenten`)).text()
    expect(competitorList).not.toContain('Inschrijving Kompas')

    const empty = await as('drafter')(`/regio/${REGION}/documenten`, { form: { title: '  ', kind: 'proposal' } })
    expect(empty.status).toBe(400)
    expect(await empty.text()).toContain('Vul dit veld in.')
    expect((await as('drafter')(`/regio/${REGION}/documenten`, { form: { title: 'Inschrijving', kind: 'submission' } })).status).toBe(400)
    const created = await as('drafter')(`/regio/${REGION}/documenten`, { form: { title: 'Verslag kernteam', kind: 'minutes' } })
    expect(created.status).toBe(302)
    expect(created.headers.get('location')).toMatch(new RegExp(`^/regio/${REGION}/documenten/[a-z2-7]{24}$`))
    const row = await live.server.context.db.selectFrom('documents').selectAll().where('title', '=', 'Verslag kernteam').executeTakeFirstOrThrow()
    expect(row).toMatchObject({ kind: 'minutes', region_id: regionId, status: 'draft' })
  })

  it('saves, lists, compares and restores versions; a connected client sees the restore live', async () => {
    const id = await createDocument(live.server.context.db, { regionId, kind: 'proposal', title: 'Versies', actorId: null, now: new Date(), paragraphs: ['De regio koopt in.'] })
    const versies = page(id, '/versies')
    const drafter = as('drafter')

    // Bad input writes nothing.
    const before = { versions: await count('doc_versions'), audit: await count('audit_log') }
    const empty = await drafter(versies, { form: { intent: 'save', label: '   ' } })
    expect(empty.status).toBe(400)
    expect(await empty.text()).toContain('Vul dit veld in.')
    const long = await drafter(versies, { form: { intent: 'save', label: 'x'.repeat(121) } })
    expect(long.status).toBe(400)
    expect(await long.text()).toContain('maximaal 120 tekens')
    expect((await as('provider')(versies, { form: { intent: 'save', label: 'Lezer' } })).status).toBe(403)
    expect({ versions: await count('doc_versions'), audit: await count('audit_log') }).toEqual(before)

    const saved = await drafter(versies, { form: { intent: 'save', label: 'Eerste versie' } })
    expect(saved.status).toBe(200)
    expect(await saved.text()).toContain('Versie ‘Eerste versie’ is opgeslagen.')
    const v1 = await live.server.context.db.selectFrom('doc_versions').selectAll().where('doc_id', '=', id).executeTakeFirstOrThrow()

    // Two people edit live.
    const alderman = open(id, 'alderman')
    const reader = open(id, 'provider')
    await Promise.all([alderman.synced, reader.synced])
    type(alderman.doc, ' Samen met aanbieders.')
    await until(() => reader.text() === 'De regio koopt in. Samen met aanbieders.', 5000, 'the reader to see the edit')
    await live.server.context.collab.loaded(id)!.drained()

    // Readers list and compare; the comparison marks the inserted words for eyes and ears.
    const list = await (await as('provider')(versies)).text()
    expect(list).toContain('Eerste versie')
    expect(list).toContain('Esther Koopmanschap')
    expect(list).not.toContain('Terugzetten')
    const compared = await as('provider')(`${versies}?van=${v1.id}&naar=huidig`)
    expect(compared.status).toBe(200)
    const diff = await compared.text()
    expect(diff).toMatch(/<ins><span class="visually-hidden">\[ingevoegd: <\/span>[^<]*Samen[^<]*<span class="visually-hidden"> einde ingevoegd\]<\/span><\/ins>/)
    expect(diff).toContain('3 woorden ingevoegd, 0 woorden verwijderd.')
    expect((await as('provider')(`${versies}?van=${'b'.repeat(24)}`)).status).toBe(404)

    // Restoring: unknown or foreign versions are refused, readers may not.
    const other = await createDocument(live.server.context.db, { regionId, kind: 'proposal', title: 'Ander', actorId: null, now: new Date(), paragraphs: ['Ander.'] })
    await drafter(page(other, '/versies'), { form: { intent: 'save', label: 'Van een ander' } })
    const foreign = await live.server.context.db.selectFrom('doc_versions').select('id').where('doc_id', '=', other).executeTakeFirstOrThrow()
    const before2 = { versions: await count('doc_versions'), audit: await count('audit_log'), updates: await count('doc_updates') }
    const unknown = await drafter(versies, { form: { intent: 'restore', versionId: 'c'.repeat(24) } })
    expect(unknown.status).toBe(404)
    expect(await unknown.text()).toContain('Deze versie hoort niet (meer) bij dit document.')
    expect((await drafter(versies, { form: { intent: 'restore', versionId: foreign.id } })).status).toBe(404)
    expect((await as('provider')(versies, { form: { intent: 'restore', versionId: v1.id } })).status).toBe(403)
    expect({ versions: await count('doc_versions'), audit: await count('audit_log'), updates: await count('doc_updates') }).toEqual(before2)

    // The restore is a new change everyone connected sees at once.
    const restored = await drafter(versies, { form: { intent: 'restore', versionId: v1.id } })
    expect(restored.status).toBe(200)
    const text = await restored.text()
    expect(text).toContain('Versie ‘Eerste versie’ is teruggezet.')
    expect(text).toContain('Vóór terugzetten van ‘Eerste versie’')
    await until(() => reader.text() === 'De regio koopt in.' && alderman.text() === 'De regio koopt in.', 5000, 'the restore to arrive live')
    expect(await storedText(id)).toBe('De regio koopt in.')
    // The editors keep typing on top of it.
    type(alderman.doc, ' Verder.')
    await until(() => reader.text() === 'De regio koopt in. Verder.', 5000, 'editing after the restore')

    const actions = await live.server.context.db.selectFrom('audit_log').select(['action', 'actor_id']).where('subject_id', '=', id).orderBy('seq').execute()
    expect(actions.map((a) => a.action)).toEqual(['document.created', 'document.version_saved', 'document.version_saved', 'document.version_restored'])
    // Restoring what is already there changes nothing.
    await live.server.context.collab.loaded(id)!.drained()
  })

  it('folds long unchanged stretches of a comparison, and shows all on request', async () => {
    const paragraphs = Array.from({ length: 10 }, (_, i) => `Alinea ${i + 1}.`)
    const id = await createDocument(live.server.context.db, { regionId, kind: 'minutes', title: 'Lang verslag', actorId: null, now: new Date(), paragraphs })
    await as('drafter')(page(id, '/versies'), { form: { intent: 'save', label: 'Tien alinea’s' } })
    const v = await live.server.context.db.selectFrom('doc_versions').select('id').where('doc_id', '=', id).executeTakeFirstOrThrow()
    const c = open(id, 'drafter')
    await c.synced
    const fifth = c.doc.getXmlFragment('default').get(4) as Y.XmlElement
    ;(fifth.get(0) as Y.XmlText).insert('Alinea 5'.length, ' gewijzigd')
    await until(() => live.server.context.collab.loaded(id) !== undefined)
    await until(() => (live.server.context.collab.loaded(id)?.doc.getXmlFragment('default').length ?? 0) === 10)
    await live.server.context.collab.loaded(id)!.drained()
    const folded = await (await as('provider')(`${page(id, '/versies')}?van=${v.id}&naar=huidig`)).text()
    expect(folded).toContain('1 woorden ingevoegd, 0 woorden verwijderd.')
    // Alinea 4 and 6 stay as context; 1–3 and 7–10 are folded.
    expect(folded).toContain('… 3 ongewijzigde blokken …')
    expect(folded).toContain('… 4 ongewijzigde blokken …')
    expect(folded).toContain('Alinea 4.')
    expect(folded).not.toContain('<td class="diff-cell diff-block diff-block--paragraph">Alinea 2.</td>')
    const all = await (await as('provider')(`${page(id, '/versies')}?van=${v.id}&naar=huidig&alles=1`)).text()
    expect(all).not.toContain('ongewijzigde blokken')
    expect(all).toContain('<td class="diff-cell diff-block diff-block--paragraph">Alinea 2.</td>')
  })

  it('restores a document nobody has open through the store; the next reader loads it', async () => {
    const id = await createDocument(live.server.context.db, { regionId, kind: 'mandate', title: 'Mandaat', actorId: null, now: new Date(), paragraphs: ['Mandaat A.'] })
    const drafter = as('drafter')
    await drafter(page(id, '/versies'), { form: { intent: 'save', label: 'A' } })
    const a = open(id, 'drafter')
    await a.synced
    type(a.doc, ' Gewijzigd.')
    await until(() => live.server.context.collab.loaded(id) !== undefined)
    await live.server.context.collab.loaded(id)!.drained()
    a.destroy()
    await until(() => live.server.context.collab.loaded(id) === undefined, 5000, 'the document to unload')
    expect(await storedText(id)).toBe('Mandaat A. Gewijzigd.')
    const v = await live.server.context.db.selectFrom('doc_versions').select('id').where('doc_id', '=', id).executeTakeFirstOrThrow()
    expect((await drafter(page(id, '/versies'), { form: { intent: 'restore', versionId: v.id } })).status).toBe(200)
    expect(await storedText(id)).toBe('Mandaat A.')
    const html = await (await as('provider')(page(id))).text()
    expect(html).toContain('<p>Mandaat A.</p>')
    const b = open(id, 'alderman')
    await b.synced
    expect(b.text()).toBe('Mandaat A.')
  })

  it('a document past its closing time is read-only on its pages, with the reason; only those who may lock it can', async () => {
    const db = live.server.context.db
    const id = await createDocument(db, { regionId, kind: 'proposal', title: 'Met termijn', actorId: null, now: new Date(), paragraphs: ['Termijn.'] })
    const before = { versions: await count('doc_versions'), audit: await count('audit_log') }
    // A reader may not lock: refused with 403 and the reason, nothing written.
    const refused = await as('provider')(page(id), { form: { intent: 'lock' } })
    expect(refused.status).toBe(403)
    expect((await db.selectFrom('documents').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('draft')

    await db.updateTable('documents').set({ closes_at: new Date(Date.now() - 60_000).toISOString() }).where('id', '=', id).execute()
    const html = await (await as('drafter')(page(id))).text()
    expect(html).toContain('De termijn van dit document is voorbij.')
    const save = await as('drafter')(page(id, '/versies'), { form: { intent: 'save', label: 'Na de termijn' } })
    expect(save.status).toBe(403)
    expect(await (await as('drafter')(page(id, '/versies'))).text()).not.toContain('Terugzetten')
    expect({ versions: await count('doc_versions'), audit: await count('audit_log') }).toEqual(before)
    // Before the closing time the drafter edits as usual.
    await db.updateTable('documents').set({ closes_at: new Date(Date.now() + 3_600_000).toISOString() }).where('id', '=', id).execute()
    expect(await (await as('drafter')(page(id))).text()).not.toContain('niet wijzigen')
    expect((await as('drafter')(page(id, '/versies'), { form: { intent: 'save', label: 'Voor de termijn' } })).status).toBe(200)
  })

  it('the editor’s connection state says “saved” only once the server has stored the edits', async () => {
    const id = await createDocument(live.server.context.db, { regionId, kind: 'agreement', title: 'Afspraak', actorId: null, now: new Date() })
    const c = open(id, 'drafter')
    const states: ConnectionState[] = []
    const stop = trackConnection(c.provider, c.doc, (s) => states.push(s), { window: undefined })
    await until(() => states.at(-1) === 'saved', 5000, 'saved after connecting')
    type(c.doc, 'Een afspraak.')
    expect(states.at(-1)).toBe('connected')
    await until(() => states.at(-1) === 'saved', 5000, 'saved after typing')
    // At that moment the text is in the log.
    expect(await storedText(id)).toBe('Een afspraak.')
    // Offline edits are kept and merged when the connection is back.
    c.provider.disconnect()
    await until(() => states.at(-1) === 'reconnecting', 5000, 'reconnecting')
    type(c.doc, ' Offline getypt.')
    c.provider.connect()
    await until(() => states.at(-1) === 'saved', 5000, 'saved after reconnecting')
    expect(await storedText(id)).toBe('Een afspraak. Offline getypt.')
    stop()
  })
})
