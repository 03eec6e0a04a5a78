import { beforeAll, describe, expect, it } from 'vitest'
import { loadActor } from '../../server/auth/actor'
import { saveVersion } from '../../server/modules/documents/commands'
import { findPrinciplesDocument } from '../../server/modules/principles/content'
import { dictionaries } from '../../app/i18n/messages'
import { DEMO } from '../support/demo'
import { liveServer } from '../support/live'
import { client, testDialects } from '../support/server'
import { FORMAL, formalIn, textOf } from '../support/text'

/**
 * Words people stumbled over (issue 8): panel pages speak to panel members as "je" in plain
 * language, never as "u"; no promise of "(binnenkort) reageren" above a working button; one word
 * pair for locking; and the document list says "vastgesteld" once a version has been adopted.
 */
const REGION = 'ijmond-zuid-kennemerland'

/**
 * How each message addresses the reader, by where it is shown: panel pages (principes,
 * mijn-reacties, panelcode and their parts) say "je"; pages of staff and shared pages say "u";
 * messages shown on both kinds of page (comments, error pages) address nobody.
 */
describe('the Dutch messages address the reader as their pages do', () => {
  const INFORMAL = /(^|[^\p{L}])(je|jij|jou|jouw|Je|Jij|Jou|Jouw)(?=[^\p{L}]|$)/u
  const entries = Object.entries(dictionaries.nl) as Array<[string, string]>
  const withPrefix = (...prefixes: string[]) => entries.filter(([k]) => prefixes.some((p) => k.startsWith(p)))

  it('panel pages never say "u"', () => {
    const formal = withPrefix('principles.', 'mine.', 'panel.', 'panelHome.', 'names.', 'consent.', 'notification.').filter(([, v]) => FORMAL.test(v))
    expect(formal).toEqual([])
  })

  it('messages shown on panel and other pages alike address nobody', () => {
    const shared = [...withPrefix('comments.', 'annotate.', 'disposition.', 'error.'), ...withPrefix('login.panelLink', 'profile.panelNoPassword')]
    expect(shared.filter(([, v]) => FORMAL.test(v) || INFORMAL.test(v))).toEqual([])
  })

  it('document and admin pages never say "je"', () => {
    expect(withPrefix('doc.', 'versions.', 'adoption.', 'admin.', 'review.').filter(([, v]) => INFORMAL.test(v))).toEqual([])
  })
})

describe.each(testDialects())('words on %s', (dialect) => {
  const live = liveServer({ dialect }, { parent: DEMO.parent, youth: DEMO.youth, alderman: DEMO.alderman, admin: DEMO.admin, coordinator: DEMO.drafter })
  let docId: string

  beforeAll(async () => {
    docId = (await findPrinciplesDocument(live.db, live.regionId))!.id
  })

  const get = async (cookie: string | undefined, path: string) => {
    const res = await client(live.server, cookie)(path)
    expect(res.status, path).toBe(200)
    return textOf(await res.text())
  }

  it('says "je", never "u", on the panel pages, also after a reaction and with an error', async () => {
    const http = live.as('parent')
    expect((await http(`/regio/${REGION}/principes`, { form: { principle: 'p0', body: 'Hoe merk ik dat?' } })).status).toBe(200)
    const pages: Record<string, string> = {
      'principes (ouder)': await get(live.cookie.parent, `/regio/${REGION}/principes`),
      'principes (jongere)': await get(live.cookie.youth, `/regio/${REGION}/principes`),
      'mijn reacties': await get(live.cookie.parent, '/mijn-reacties'),
      panelcode: await get(undefined, '/panelcode'),
    }
    const refused = await live.as(null)('/panelcode', { form: { code: 'ABCD-EFGH-JKMN' } })
    pages['panelcode, wrong code'] = textOf(await refused.text())
    const empty = await http(`/regio/${REGION}/principes`, { form: { principle: 'p0', body: ' ' } })
    expect(empty.status).toBe(400)
    pages['principes, empty reaction'] = textOf(await empty.text())
    for (const [name, text] of Object.entries(pages)) expect(formalIn(text), `formal address on ${name}`).toBeNull()
  })

  it('promises no "(binnenkort) reageren" to someone who can comment now', async () => {
    const text = await get(live.cookie.parent, `/regio/${REGION}/documenten/${docId}`)
    expect(text).not.toContain('binnenkort')
    expect(text).toContain('lezen en erop reageren')
  })

  it('uses one word pair for locking: "Vastzetten"/"Vrijgeven" and "vastgezet"', async () => {
    const before = await get(live.cookie.coordinator, `/regio/${REGION}/documenten/${docId}`)
    expect(before).toContain('Vastzetten')
    expect(before).not.toMatch(/[Vv]ergrendel|[Oo]ntgrendel/)
    expect((await live.as('coordinator')(`/regio/${REGION}/documenten/${docId}`, { form: { intent: 'lock' } })).status).toBeLessThan(400)
    const after = await get(live.cookie.coordinator, `/regio/${REGION}/documenten/${docId}`)
    expect(after).toContain('vastgezet')
    expect(after).toContain('Vrijgeven')
    expect(after).not.toMatch(/[Vv]ergrendel|[Oo]ntgrendel/)
    await live.as('coordinator')(`/regio/${REGION}/documenten/${docId}`, { form: { intent: 'unlock' } })
  })

  it('shows "vastgesteld" in the document list once a version is adopted, not "concept"', async () => {
    const db = live.server.context.db
    const row = (html: string) => html.match(new RegExp(`href="/regio/${REGION}/documenten/${docId}"[\\s\\S]*?</tr>`))?.[0] ?? ''
    const listed = async () => textOf(row(await (await live.as('admin')(`/regio/${REGION}/documenten`)).text()))
    expect(await listed()).toContain('concept')
    const user = await db.selectFrom('users').select(['id', 'under_16']).where('email', '=', 'wethouder@samenspel.example').executeTakeFirstOrThrow()
    const doc = (await db.selectFrom('documents').selectAll().where('id', '=', docId).executeTakeFirstOrThrow())
    const saved = await saveVersion(db, live.server.context.collab, { actor: await loadActor(db, user), doc, label: 'Vastgesteld door het PHO', now: new Date() })
    if (!saved.ok) throw new Error('no version')
    const adopted = await live.as('alderman')(`/regio/${REGION}/documenten/${docId}/versies`, {
      form: { intent: 'adopt', versionId: saved.id, adoptedOn: '2026-11-20', reference: 'PHO-2026-14' },
    })
    expect(adopted.status).toBe(200)
    const text = await listed()
    expect(text).toContain('vastgesteld')
    expect(text).toContain('20 november 2026')
    expect(text).not.toContain('concept')
  })
})
