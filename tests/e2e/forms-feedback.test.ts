import { beforeAll, expect, it } from 'vitest'
import { expectNoAxeViolations, hydrated, REGION, uncaughtErrors } from '../support/browser'
import { principlesWithVersion } from '../support/pages'
import { e2eSuite } from '../support/portal'

/**
 * Form feedback in the browser: an alderman adopts a version with a date in the future and an
 * empty reference; each message appears at its field, the summary takes focus and links to the
 * fields, axe finds nothing, and nothing is adopted.
 */
e2eSuite('e2e: form feedback', (portal) => {
  let docId: string
  let versionId: string

  beforeAll(async () => {
    ;({ docId, versionId } = await principlesWithVersion(portal.server, 'Concept voor het PHO'))
  })

  it('shows a refused adoption at its fields, with focus on the summary and no axe violations', async () => {
    await portal.withPage('wethouder@samenspel.example', async (page) => {
      await page.goto(`/regio/${REGION}/documenten/${docId}/versies`)
      await hydrated(page)
      await page.getByText('Vaststellen…').click()
      const date = page.locator(`#adopt-${versionId}-adoptedOn`)
      const reference = page.locator(`#adopt-${versionId}-reference`)
      await date.fill('2999-01-01')
      await page.getByRole('button', { name: 'Stel “Concept voor het PHO” vast' }).click()

      // The reference is checked first (the form's schema), then the date (the command).
      const referenceError = page.locator(`#adopt-${versionId}-reference-error`)
      await referenceError.waitFor()
      await expect.poll(() => referenceError.textContent()).toContain('Vul dit veld in.')
      expect(await reference.getAttribute('aria-invalid')).toBe('true')
      expect(await reference.getAttribute('aria-describedby')).toContain(`adopt-${versionId}-reference-error`)
      const summary = page.locator('details.adopt [role="alert"]')
      await expect.poll(() => summary.evaluate((el) => el === document.activeElement)).toBe(true)
      await expectNoAxeViolations(page, 'versions with an empty reference')

      // The summary's link takes the user to the field.
      await summary.getByRole('link', { name: /Kenmerk van het besluit/ }).click()
      await expect.poll(() => reference.evaluate((el) => el === document.activeElement)).toBe(true)
      await reference.fill('PHO-2026-14')
      await page.getByRole('button', { name: 'Stel “Concept voor het PHO” vast' }).click()

      const dateError = page.locator(`#adopt-${versionId}-adoptedOn-error`)
      await dateError.waitFor()
      expect(await dateError.textContent()).toContain('Een besluit kan niet in de toekomst liggen.')
      expect(await date.getAttribute('aria-invalid')).toBe('true')
      expect(await date.getAttribute('aria-describedby')).toContain(`adopt-${versionId}-adoptedOn-error`)
      expect(await reference.inputValue()).toBe('PHO-2026-14')
      await expectNoAxeViolations(page, 'versions with a date in the future')
      expect(uncaughtErrors(page)).toEqual([])
      expect(await portal.db.selectFrom('adoptions').select('id').execute()).toHaveLength(0)
    })
  })

  it('offers only the roles that fit the chosen organisation on the invitation form', async () => {
    await portal.withPage('regiocoordinator@samenspel.example', async (page) => {
      await page.goto(`/regio/${REGION}/beheer/uitnodigingen`)
      await hydrated(page)
      const roleOptions = () => page.getByLabel('Rol', { exact: true }).locator('option').allTextContents()
      await page.getByLabel('Organisatie').selectOption({ label: 'Kompas Jeugd & Gezin (Zorgaanbieder)' })
      await expect.poll(roleOptions).toEqual(['medewerker aanbieder'])
      await page.getByLabel('Organisatie').selectOption({ label: 'Gemeente Haarlem (Gemeente)' })
      await expect.poll(roleOptions).toEqual(['wethouder', 'beleidsmedewerker', 'beoordelaar', 'regiocoördinator'])
      await expectNoAxeViolations(page, 'invitations with a municipality chosen')
      expect(uncaughtErrors(page)).toEqual([])
    })
  })
})
