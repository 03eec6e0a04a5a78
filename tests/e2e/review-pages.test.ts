import { beforeAll, expect, it } from 'vitest'
import { expectNoAxeViolations, hydrated, REGION, visitChecked } from '../support/browser'
import { principlesWithVersion } from '../support/pages'
import { e2eSuite } from '../support/portal'

/**
 * axe on the pages where comments are answered and accounted for: the review page (all filters),
 * the response report, the versions page with an adoption, and the region settings.
 */
e2eSuite('e2e: review, report, adoption and settings pages', (portal) => {
  let docId: string
  let versionId: string

  beforeAll(async () => {
    const parent = await portal.clientAs('ouder@samenspel.example')
    const youth = await portal.clientAs('jongere@samenspel.example')
    expect((await parent(`/regio/${REGION}/principes`, { form: { principle: 'p1', body: 'Graag meer uitleg.' } })).status).toBe(200)
    expect((await youth(`/regio/${REGION}/principes`, { form: { principle: 'p2', body: 'Wij willen meedoen!' } })).status).toBe(200)
    ;({ docId, versionId } = await principlesWithVersion(portal.server, 'Concept na panelronde'))
  })

  it('the review page in every filter, for a coordinator, and after a "not adopted" without reason', async () => {
    await portal.withPage('beleidsmedewerker@samenspel.example', async (page) => {
      const base = `/regio/${REGION}/documenten/${docId}/reacties`
      for (const filter of ['all', 'open', 'answered', 'pending', 'outdated', 'orphaned']) await visitChecked(page, `${base}?filter=${filter}`, `review ${filter}`)
      await page.goto(`${base}?filter=open`)
      await hydrated(page)
      const card = page.locator('li.card').filter({ hasText: 'Graag meer uitleg.' })
      await card.getByLabel('Wat doen we ermee?').selectOption({ label: 'niet overgenomen' })
      await card.getByRole('button', { name: 'Antwoord opslaan' }).click()
      // The message stands at the field (and, as a link to it, in the form's error summary).
      await card.locator('.utrecht-form-field-error-message').getByText('Leg uit waarom deze reactie niet is overgenomen.').waitFor()
      await expectNoAxeViolations(page, 'review with a field error')
    })
  })

  it('the response report, the versions page with an adoption, and the settings page', async () => {
    await portal.withPage('wethouder@samenspel.example', async (alderman) => {
      await visitChecked(alderman, `/regio/${REGION}/documenten/${docId}/verslag/${versionId}`, 'response report')
      await visitChecked(alderman, `/regio/${REGION}/documenten/${docId}/versies`, 'versions (alderman)')
      await alderman.getByText('Vaststellen…').first().click()
      await alderman.getByLabel('Kenmerk van het besluit').first().fill('PHO-2026-15')
      await alderman.getByRole('button', { name: 'Stel “Concept na panelronde” vast' }).click()
      await alderman.getByText('Versie “Concept na panelronde” is vastgesteld.').waitFor()
      await expectNoAxeViolations(alderman, 'versions after adoption')
      await visitChecked(alderman, `/regio/${REGION}/principes`, 'principles with adoption')
      expect(await alderman.getByText(/Vastgesteld: versie “Concept na panelronde”/).count()).toBe(1)
    })
    await portal.withPage('regiocoordinator@samenspel.example', async (admin) => {
      await visitChecked(admin, `/regio/${REGION}/beheer/instellingen`, 'region settings')
    })
  })
})
