import { beforeAll, describe, expect, it } from 'vitest'
import { loadActor } from '../../server/auth/actor'
import { findPrinciplesDocument } from '../../server/modules/principles/content'
import { saveVersion } from '../../server/modules/documents/commands'
import { DEMO, DEMO_REGION as REGION } from '../support/demo'
import { liveServer } from '../support/live'
import { client, loginAs, testDialects } from '../support/server'
import { connect, fragmentText } from '../support/collab'
import { loadDoc } from '../../server/collab/persistence'
import * as Y from 'yjs'

/**
 * Leading principles with panels over HTTP: reacting to a principle, pre-moderation of under-16s,
 * dispositions with a reason and a version, "my comments", the response report, and access.
 */
const { parent, youth, drafter: coordinator, alderman, provider, outsider } = DEMO
const who = { parent, youth, coordinator, alderman, provider, outsider }

describe.each(testDialects())('principles and panels on %s', (dialect) => {
  const live = liveServer({ dialect }, who)
  const { cookie } = live
  let docId: string
  beforeAll(async () => {
    docId = (await findPrinciplesDocument(live.db, live.regionId))!.id
  })

  const page = async (as: keyof typeof who, path: string) => {
    const res = await client(live.server, cookie[as])(path)
    return { status: res.status, html: await res.text() }
  }

  it('shows every principle with its plain-language summary to a panel member', async () => {
    const { status, html } = await page('parent', `/regio/${REGION}/principes`)
    expect(status).toBe(200)
    for (const name of ['Normaliseren', 'Vroegsignaleren', 'Veiligheid staat voorop']) expect(html).toContain(name)
    // The seeded text is a demo that follows the region's document, and says so.
    expect(html).toContain('Demotekst, in eigen woorden, volgens “Regiovisie jeugdhulp IJmond en Zuid-Kennemerland” (versie 14 juni 2021)')
    expect(html).toContain('Lees de hele tekst')
    expect(html).toContain('Wat vind jij van')
  })

  it('is closed to people outside the region', async () => {
    expect((await page('outsider', `/regio/${REGION}/principes`)).status).toBe(403)
    expect((await page('outsider', `/regio/${REGION}/documenten/${docId}/reacties`)).status).toBe(403)
  })

  it('takes a reaction, keeps an under-16 one out of sight until approved, and answers it', async () => {
    const http = (as: keyof typeof who) => client(live.server, cookie[as])
    const empty = await http('parent')(`/regio/${REGION}/principes`, { form: { principle: 'p0', body: '   ' } })
    expect(empty.status).toBe(400)
    const tooLong = await http('parent')(`/regio/${REGION}/principes`, { form: { principle: 'p0', body: 'x'.repeat(2001) } })
    expect(tooLong.status).toBe(400)
    const noSuch = await http('parent')(`/regio/${REGION}/principes`, { form: { principle: 'p999', body: 'Hallo' } })
    expect(noSuch.status).toBe(409)
    expect(await live.server.context.db.selectFrom('comments').select('id').execute()).toHaveLength(0)

    const sent = await http('parent')(`/regio/${REGION}/principes`, { form: { principle: 'p0', body: 'Mooi principe, maar hoe meet je het?' } })
    expect(sent.status).toBe(200)
    const youth = await http('youth')(`/regio/${REGION}/principes`, { form: { principle: 'p0', body: 'Ik wil meepraten!' } })
    expect(youth.status).toBe(200)
    expect(await youth.text()).toContain('Een begeleider kijkt eerst')

    expect((await page('parent', `/regio/${REGION}/principes`)).html).not.toContain('Ik wil meepraten!')
    expect((await page('alderman', `/regio/${REGION}/principes`)).html).not.toContain('Ik wil meepraten!')
    expect((await page('youth', `/regio/${REGION}/principes`)).html).toContain('Ik wil meepraten!')

    const youthComment = await live.server.context.db.selectFrom('comments').select('id').where('body', '=', 'Ik wil meepraten!').executeTakeFirstOrThrow()
    const byAlderman = await http('alderman')(`/regio/${REGION}/documenten/${docId}/reacties`, { form: { intent: 'moderate', commentId: youthComment.id, decision: 'approve' } })
    expect(byAlderman.status).toBe(404)
    const approved = await http('coordinator')(`/regio/${REGION}/documenten/${docId}/reacties`, { form: { intent: 'moderate', commentId: youthComment.id, decision: 'approve' } })
    expect(approved.status).toBe(200)
    expect((await page('parent', `/regio/${REGION}/principes`)).html).toContain('Ik wil meepraten!')

    const parentComment = await live.server.context.db.selectFrom('comments').select(['id', 'section']).where('body', 'like', 'Mooi principe%').executeTakeFirstOrThrow()
    expect(parentComment.section).toBeTruthy()
    const noReason = await http('alderman')(`/regio/${REGION}/documenten/${docId}/reacties`, { form: { intent: 'dispose', commentId: parentComment.id, disposition: 'not_adopted', reason: '' } })
    expect(noReason.status).toBe(400)
    expect(await noReason.text()).toContain('Leg uit waarom')
    expect((await live.server.context.db.selectFrom('comments').select('disposition').where('id', '=', parentComment.id).executeTakeFirstOrThrow()).disposition).toBe('open')
    const byPanel = await http('parent')(`/regio/${REGION}/documenten/${docId}/reacties`, { form: { intent: 'dispose', commentId: parentComment.id, disposition: 'adopted', reason: '' } })
    expect(byPanel.status).toBe(403)

    const alderman = await loadActor(live.server.context.db, await live.server.context.db.selectFrom('users').select(['id', 'under_16']).where('email', '=', who.alderman).executeTakeFirstOrThrow())
    const doc = await live.server.context.db.selectFrom('documents').selectAll().where('id', '=', docId).executeTakeFirstOrThrow()
    const version = await saveVersion(live.server.context.db, live.server.context.collab, { actor: alderman, doc, label: 'Na de panelronde', now: new Date() })
    expect(version.ok).toBe(true)
    const answered = await http('alderman')(`/regio/${REGION}/documenten/${docId}/reacties`, {
      form: { intent: 'dispose', commentId: parentComment.id, disposition: 'partly_adopted', reason: 'We voegen een indicator toe.', versionId: version.ok ? version.id : '' },
    })
    expect(answered.status).toBe(200)

    const mine = await page('parent', '/mijn-reacties')
    expect(mine.html).toContain('deels overgenomen')
    expect(mine.html).toContain('We voegen een indicator toe.')
    expect(mine.html).toContain('Na de panelronde')
    expect(mine.html).toContain('heeft antwoord gekregen')
    // Opening the page changes nothing; the button marks the news read.
    expect((await page('parent', '/mijn-reacties')).html).toContain('heeft antwoord gekregen')
    const upTo = /name="upTo" value="([^"]+)"/.exec(mine.html)?.[1] ?? ''
    expect((await http('parent')('/mijn-reacties', { form: { intent: 'markRead', upTo } })).status).toBe(200)
    expect((await page('parent', '/mijn-reacties')).html).not.toContain('heeft antwoord gekregen')

    const csv = await client(live.server, cookie.alderman)(`/regio/${REGION}/documenten/${docId}/verslag/${version.ok ? version.id : ''}.csv`)
    expect(csv.status).toBe(200)
    expect(csv.headers.get('content-type')).toContain('text/csv')
    const bytes = new Uint8Array(await csv.arrayBuffer())
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes)
    expect(text).toContain('We voegen een indicator toe.')
    expect(text).toContain('deels overgenomen')
    // Dutch Excel: BOM, semicolons, local dates.
    expect(text.startsWith('\uFEFF')).toBe(true)
    expect(text.split('\r\n')[0]).toContain(';')
    expect(text).toMatch(/\d{2}-\d{2}-\d{4} \d{2}:\d{2}/)
    const missing = await client(live.server, cookie.alderman)(`/regio/${REGION}/documenten/${docId}/verslag/bestaat-niet.csv`)
    expect(missing.status).toBe(404)
    expect(missing.headers.get('content-type')).toContain('text/plain')
    expect(await missing.text()).toContain('Dit verslag bestaat niet (meer)')
    const report = await page('parent', `/regio/${REGION}/documenten/${docId}/verslag/${version.ok ? version.id : ''}`)
    expect(report.status).toBe(200)
    expect(report.html).toContain('Mooi principe, maar hoe meet je het?')

    const audit = await live.server.context.db.selectFrom('audit_log').select('action').where('action', 'in', ['comment.approved', 'comment.disposition_set']).execute()
    expect(audit.map((a) => a.action).sort()).toEqual(['comment.approved', 'comment.disposition_set'])

    // Adoption: the aldermen's; a date in the future or a foreign version is refused; then shown.
    const versionId = version.ok ? version.id : ''
    const versions = `/regio/${REGION}/documenten/${docId}/versies`
    const byCoordinator = await http('coordinator')(versions, { form: { intent: 'adopt', versionId, adoptedOn: '2026-11-20', reference: 'PHO-2026-14' } })
    expect(byCoordinator.status).toBe(403)
    const future = await http('alderman')(versions, { form: { intent: 'adopt', versionId, adoptedOn: '2999-01-01', reference: 'PHO-2026-14' } })
    expect(future.status).toBe(400)
    const badDate = await http('alderman')(versions, { form: { intent: 'adopt', versionId, adoptedOn: '2026-02-31', reference: 'PHO-2026-14' } })
    expect(badDate.status).toBe(400)
    const noRef = await http('alderman')(versions, { form: { intent: 'adopt', versionId, adoptedOn: '2026-11-20', reference: '' } })
    expect(noRef.status).toBe(400)
    expect(await live.server.context.db.selectFrom('adoptions').select('id').execute()).toHaveLength(0)
    const adopted = await http('alderman')(versions, { form: { intent: 'adopt', versionId, adoptedOn: '2026-11-20', reference: 'PHO-2026-14' } })
    expect(adopted.status).toBe(200)
    const panelView = await page('parent', `/regio/${REGION}/principes`)
    expect(panelView.html).toContain('Vastgesteld: versie “Na de panelronde” op 20 november 2026 (PHO-2026-14).')
    const since = await page('parent', `${versions}?van=${versionId}&naar=huidig`)
    expect(since.status).toBe(200)
    expect((await live.server.context.db.selectFrom('audit_log').select('action').where('action', '=', 'document.adopted').execute()).length).toBe(1)
  })

  it('lets providers co-draft the principles only once the region administrator allows it', async () => {
    const admin = await loginAs(live.server, DEMO.admin)
    const settings = `/regio/${REGION}/beheer/instellingen`
    expect((await client(live.server, cookie.provider)(settings, { form: { providersMayDraft: 'on' } })).status).toBe(403)
    const stored = async () => {
      await live.server.context.collab.loaded(docId)?.drained()
      const s = await loadDoc(live.server.context.db, docId)
      const d = new Y.Doc()
      if (s.update) Y.applyUpdate(d, s.update)
      return fragmentText(d)
    }
    const typeInto = async (mark: string) => {
      const c = connect(live.server, docId, cookie.provider)
      await c.synced
      const first = c.doc.getXmlFragment('default').get(0) as Y.XmlElement
      ;(first.get(0) as Y.XmlText).insert(0, mark)
      await new Promise((r) => setTimeout(r, 300))
      c.destroy()
    }
    await typeInto('[aanbieder-voor]')
    expect(await stored()).not.toContain('[aanbieder-voor]')
    expect((await client(live.server, admin)(settings, { form: { providersMayDraft: 'on' } })).status).toBe(200)
    await typeInto('[aanbieder-na]')
    expect(await stored()).toContain('[aanbieder-na]')
    const audit = await live.server.context.db.selectFrom('audit_log').select('data').where('action', '=', 'region.settings_changed').execute()
    expect(audit.map((a) => JSON.parse(a.data))).toEqual([{ providersMayDraft: true }])
    expect((await client(live.server, admin)(settings, { form: {} })).status).toBe(200)
  })
})
