import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { startTestServer, type TestServer } from '../support/server'
import { chromiumMissing, consoleErrors, expectNoAxeViolations, hydrated, launchBrowser, newPage, REGION, screenshot, uncaughtErrors } from '../support/browser'

/**
 * The panel member's region home in the browser (issue 8, "Words"), and the coordinator's list of
 * issued codes: axe clean, no console errors (so no 404 for a favicon either), no wider than a
 * phone, and a revoke that leaves focus and an announcement behind.
 */
describe.skipIf(chromiumMissing !== null)('e2e: panel home and issued codes', () => {
  let server: TestServer
  let browser: Browser

  beforeAll(async () => {
    ;[server, browser] = await Promise.all([startTestServer({ dialect: 'sqlite' }), launchBrowser()])
  })
  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  /** Requests the page made that failed (4xx/5xx), such as a missing favicon. */
  const failedRequests = (page: Page) => {
    const failed: string[] = []
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`)
    })
    return failed
  }

  it('a 14-year-old panel member lands on a home in plain words with only what they can do', async () => {
    const page = await newPage(browser, server, { as: 'jongere@samenspel.example' })
    const failed = failedRequests(page)
    try {
      await page.goto(`/regio/${REGION}`)
      await hydrated(page)
      await page.getByRole('heading', { level: 1, name: /^Hoi / }).waitFor()
      const home = page.getByTestId('panel-home')
      const text = await home.innerText()
      for (const words of ['Hier kun je nu op reageren', 'Je reacties', 'Vragen?']) expect(text).toContain(words)
      for (const words of ['dialooggerichte', 'Uw rollen', 'panellid', 'Documenten lezen en samen schrijven', 'Organisaties per soort']) {
        expect(text, words).not.toContain(words)
      }
      await home.getByRole('link', { name: 'De leidende principes: lees ze en zeg wat je ervan vindt' }).waitFor()
      expect(await home.getByRole('link', { name: /Bekijk je reacties en de antwoorden \(\d+ beantwoord\)/ }).getAttribute('href')).toBe('/mijn-reacties')
      await expectNoAxeViolations(page, 'panel home')
      // The browser asks for the linked icon; nothing fails to load.
      const icon = await page.evaluate(async () => {
        const href = document.querySelector<HTMLLinkElement>('link[rel="icon"][type="image/svg+xml"]')!.href
        const res = await fetch(href)
        return { status: res.status, type: res.headers.get('content-type') }
      })
      expect(icon.status).toBe(200)
      expect(icon.type).toMatch(/^image\/svg\+xml/)
      await page.setViewportSize({ width: 375, height: 800 })
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375)
      await screenshot(page, 'panel-home-375')
      expect(failed).toEqual([])
      expect(consoleErrors(page)).toEqual([])
      expect(uncaughtErrors(page)).toEqual([])
    } finally {
      await page.context().close()
    }
  })

  it('the coordinator revokes an issued code: it shows as revoked, the message is announced and focus stays on the page', async () => {
    const page = await newPage(browser, server, { as: 'beleidsmedewerker@samenspel.example' })
    const failed = failedRequests(page)
    try {
      await page.goto(`/regio/${REGION}/panels`)
      await hydrated(page)
      await page.getByRole('button', { name: 'Code maken' }).click()
      const code = (await page.getByTestId('panel-code').innerText()).trim()
      const row = page.getByTestId('issued-code').first()
      await expect.poll(() => row.innerText()).toContain('nog niet gebruikt')
      expect(await page.locator('section[aria-labelledby="issued-codes"]').innerText()).not.toContain(code)
      await row.getByRole('button', { name: /^Code intrekken: nieuw panellid/ }).click()
      await page.getByRole('status').filter({ hasText: 'Code ingetrokken.' }).waitFor()
      await expect.poll(() => page.getByTestId('issued-code').first().innerText()).toContain('ingetrokken')
      // The button is gone with the open state: focus is on the list's heading, not lost to <body>.
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('issued-codes')
      await expectNoAxeViolations(page, 'panels with issued codes')
      await page.setViewportSize({ width: 375, height: 800 })
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375)
      await screenshot(page, 'panels-codes-375')
      expect(failed).toEqual([])
      expect(consoleErrors(page)).toEqual([])
    } finally {
      await page.context().close()
    }
  })
})
