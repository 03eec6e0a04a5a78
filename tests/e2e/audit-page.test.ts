import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chromiumMissing, consoleErrors, expectNoAxeViolations, hydrated, launchBrowser, newPage, REGION, screenshot, uncaughtErrors } from '../support/browser'
import { startTestServer, type TestServer } from '../support/server'

/**
 * The logbook in a browser at 1280, 375 and 320 px: sentences, the search form, an opened raw
 * record, a search by keyboard and a refused date; axe finds nothing, the page is never wider than
 * its viewport, and the console stays clean.
 */
const WIDTHS = [1280, 375, 320] as const

describe.skipIf(chromiumMissing !== null)('e2e: the logbook', () => {
  let server: TestServer
  let browser: Browser
  beforeAll(async () => {
    ;[server, browser] = await Promise.all([startTestServer({ dialect: 'sqlite' }), launchBrowser()])
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  const width = (page: Awaited<ReturnType<typeof newPage>>) => page.evaluate(() => document.documentElement.scrollWidth)

  for (const w of WIDTHS) {
    it(`at ${w} px: sentences, an opened record, a search and a refused date pass axe and fit`, async () => {
      const page = await newPage(browser, server, { as: 'regiocoordinator@samenspel.example' })
      try {
        await page.setViewportSize({ width: w, height: 900 })
        await page.goto(`/regio/${REGION}/logboek`)
        await hydrated(page)
        const first = page.locator('tbody tr').first()
        expect(await first.innerText()).toMatch(/heeft|Het systeem/)
        await first.getByText('Vastgelegde gegevens').click()
        await first.locator('details[open] dl').waitFor()
        await expectNoAxeViolations(page, `logbook at ${w}`)
        expect(await width(page), `logbook wider than ${w}`).toBeLessThanOrEqual(w)
        if (w === 375) await screenshot(page, 'logboek-zinnen-375')

        // Search by keyboard: choose a group, then Enter on the button.
        await page.getByLabel('Wat').selectOption({ label: 'Leden en uitnodigingen' })
        await page.getByRole('button', { name: 'Zoeken' }).press('Enter')
        await page.waitForURL(/wat=members/)
        await page.getByText('Getoond: wat: Leden en uitnodigingen.').waitFor()
        const rows = await page.locator('tbody tr .audit-sentence').allInnerTexts()
        expect(rows.length).toBeGreaterThan(0)
        for (const r of rows) expect(r).toMatch(/toegevoegd|uitgenodigd|uitnodiging|rol van|verwijderd/)
        await expectNoAxeViolations(page, `filtered logbook at ${w}`)
        expect(await width(page)).toBeLessThanOrEqual(w)

        // A date the server refuses: the message at the field, in the summary, and axe still clean.
        const refused = await page.goto(`/regio/${REGION}/logboek?van=31-12-2026`)
        expect(refused?.status()).toBe(400)
        await hydrated(page)
        await page.getByRole('alert').filter({ hasText: 'Het formulier is niet verstuurd' }).waitFor()
        expect(await page.locator('#f-van-error').innerText()).toContain('Vul een geldige datum in.')
        await expectNoAxeViolations(page, `logbook with a refused date at ${w}`)
        expect(await width(page)).toBeLessThanOrEqual(w)
        if (w === 320) await screenshot(page, 'logboek-datum-fout-320')
        expect(uncaughtErrors(page)).toEqual([])
        expect(consoleErrors(page, 400)).toEqual([])
      } finally {
        await page.context().close()
      }
    })
  }
})
