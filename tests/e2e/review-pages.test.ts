import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { loadActor } from '../../server/auth/actor'
import { saveVersion } from '../../server/modules/documents/commands'
import { findPrinciplesDocument } from '../../server/modules/principles/content'
import { client, loginAs, startTestServer, type TestServer } from '../support/server'
import { chromiumMissing, expectNoAxeViolations, hydrated, launchBrowser, newPage, REGION, uncaughtErrors } from '../support/browser'

/**
 * axe on the pages where comments are answered and accounted for: the review page (all filters),
 * the response report, the versions page with an adoption, and the region settings.
 */
// Skipped only where Chromium is not installed; in CI support/browser.ts fails instead.
describe.skipIf(chromiumMissing !== null)('e2e: review, report, adoption and settings pages', () => {
  let server: TestServer
  let browser: Browser
  let docId: string
  let versionId: string

  beforeAll(async () => {
    ;[server, browser] = await Promise.all([startTestServer({ dialect: 'sqlite' }), launchBrowser()])
    const db = server.context.db
    const region = await db.selectFrom('regions').select('id').where('slug', '=', REGION).executeTakeFirstOrThrow()
    const doc = (await findPrinciplesDocument(db, region.id))!
    docId = doc.id
    const parent = await loginAs(server, 'ouder@samenspel.example')
    const youth = await loginAs(server, 'jongere@samenspel.example')
    expect((await client(server, parent)(`/regio/${REGION}/principes`, { form: { principle: 'p1', body: 'Graag meer uitleg.' } })).status).toBe(200)
    expect((await client(server, youth)(`/regio/${REGION}/principes`, { form: { principle: 'p2', body: 'Wij willen meedoen!' } })).status).toBe(200)
    const user = await db.selectFrom('users').select(['id', 'under_16']).where('email', '=', 'wethouder@samenspel.example').executeTakeFirstOrThrow()
    const saved = await saveVersion(db, server.context.collab, { actor: await loadActor(db, user), doc, label: 'Concept na panelronde', now: new Date() })
    versionId = saved.ok ? saved.id : ''
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  async function visit(page: Page, path: string, label: string) {
    const res = await page.goto(path)
    expect(res?.status(), `${label}: HTTP status`).toBe(200)
    await hydrated(page)
    await expectNoAxeViolations(page, label)
    expect(uncaughtErrors(page), `${label}: script errors`).toEqual([])
  }

  it('the review page in every filter, for a coordinator, and after a "not adopted" without reason', async () => {
    const page = await newPage(browser, server, { as: 'beleidsmedewerker@samenspel.example' })
    try {
      const base = `/regio/${REGION}/documenten/${docId}/reacties`
      for (const filter of ['all', 'open', 'answered', 'pending', 'outdated', 'orphaned']) await visit(page, `${base}?filter=${filter}`, `review ${filter}`)
      await page.goto(`${base}?filter=open`)
      await hydrated(page)
      const card = page.locator('li.card').filter({ hasText: 'Graag meer uitleg.' })
      await card.getByLabel('Wat doen we ermee?').selectOption({ label: 'niet overgenomen' })
      await card.getByRole('button', { name: 'Antwoord opslaan' }).click()
      // The message stands at the field (and, as a link to it, in the form's error summary).
      await card.locator('.utrecht-form-field-error-message').getByText('Leg uit waarom deze reactie niet is overgenomen.').waitFor()
      await expectNoAxeViolations(page, 'review with a field error')
    } finally {
      await page.context().close()
    }
  })

  it('the response report, the versions page with an adoption, and the settings page', async () => {
    const alderman = await newPage(browser, server, { as: 'wethouder@samenspel.example' })
    try {
      await visit(alderman, `/regio/${REGION}/documenten/${docId}/verslag/${versionId}`, 'response report')
      await visit(alderman, `/regio/${REGION}/documenten/${docId}/versies`, 'versions (alderman)')
      await alderman.getByText('Vaststellen…').first().click()
      await alderman.getByLabel('Kenmerk van het besluit').first().fill('PHO-2026-15')
      await alderman.getByRole('button', { name: 'Stel “Concept na panelronde” vast' }).click()
      await alderman.getByText('Versie “Concept na panelronde” is vastgesteld.').waitFor()
      await expectNoAxeViolations(alderman, 'versions after adoption')
      await visit(alderman, `/regio/${REGION}/principes`, 'principles with adoption')
      expect(await alderman.getByText(/Vastgesteld: versie “Concept na panelronde”/).count()).toBe(1)
    } finally {
      await alderman.context().close()
    }
    const admin = await newPage(browser, server, { as: 'regiocoordinator@samenspel.example' })
    try {
      await visit(admin, `/regio/${REGION}/beheer/instellingen`, 'region settings')
    } finally {
      await admin.context().close()
    }
  })
})
