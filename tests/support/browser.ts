import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { AxeBuilder } from '@axe-core/playwright'
import { expect } from 'vitest'
import { SESSION_COOKIE } from '../../server/auth/session'
import { DEMO_PASSWORD } from './demo'
import { loginAs, type TestServer } from './server'

/**
 * Shared browser setup for the e2e suite: Debian's Chromium driven by playwright-core, a fresh
 * profile per launch, one context per simulated person, and the axe check every page must pass.
 */

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export { DEMO_PASSWORD, DEMO_REGION as REGION, OTHER_REGION } from './demo'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const SCREENSHOT_DIR = path.join(root, 'tests/e2e/screenshots')

/**
 * Whether the browser suite can run. In CI a missing Chromium is an error (the suite fails);
 * on a developer's machine the suite is skipped with this reason.
 */
export const chromiumMissing: string | null = fs.existsSync(CHROMIUM_PATH)
  ? null
  : `Chromium not found at ${CHROMIUM_PATH} (install Debian's chromium or set CHROMIUM_PATH)`
if (chromiumMissing && process.env.CI === 'true') {
  throw new Error(`${chromiumMissing}; the e2e suite may not be skipped in CI`)
}
if (chromiumMissing) console.warn(`[e2e] skipped: ${chromiumMissing}`)

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

const pageErrors = new WeakMap<Page, string[]>()

/** Uncaught script errors in the page so far (a failed hydration shows up here too). */
export function uncaughtErrors(page: Page): string[] {
  return (pageErrors.get(page) ?? []).filter((e) => e.startsWith('uncaught: '))
}

/**
 * Messages the page logged as console errors so far. A page that answers 404 on purpose makes the
 * browser log the failed load of that page itself; `expectedStatus` leaves that one out.
 */
export function consoleErrors(page: Page, expectedStatus?: number): string[] {
  return (pageErrors.get(page) ?? []).filter(
    (e) => !e.startsWith('uncaught: ') && !(expectedStatus && e.includes(`the server responded with a status of ${expectedStatus}`)),
  )
}

/** Forgets the errors collected so far, so each page of a crawl is judged on its own. */
export function clearErrors(page: Page): void {
  pageErrors.get(page)?.splice(0)
}

/** A fresh context (its own cookies) on the test server, Dutch locale and Amsterdam time. */
export async function newContext(browser: Browser, server: TestServer, opts: { as?: string } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: server.url,
    locale: 'nl-NL',
    timezoneId: 'Europe/Amsterdam',
    viewport: { width: 1280, height: 900 },
  })
  context.setDefaultTimeout(10_000)
  context.setDefaultNavigationTimeout(15_000)
  // Script errors and console errors are kept per page, for the message when a page fails to hydrate.
  context.on('page', (page) => {
    const errors: string[] = []
    pageErrors.set(page, errors)
    page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`))
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text())
    })
  })
  if (opts.as) {
    // A session made directly (the login form is tested on its own), as the cookie the server sets.
    const header = await loginAs(server, opts.as)
    await context.addCookies([{ name: SESSION_COOKIE, value: header.slice(SESSION_COOKIE.length + 1), url: server.url }])
  }
  return context
}

/** A page in a fresh context, optionally already logged in as `as` (session made directly). */
export async function newPage(browser: Browser, server: TestServer, opts: { as?: string } = {}): Promise<Page> {
  const context = await newContext(browser, server, opts)
  return context.newPage()
}

/**
 * Waits until React has hydrated the page, so client-side navigation and form submits are live and
 * nothing the test does to the page is thrown away by a late hydration. React marks each DOM node
 * it has claimed with a `__reactFiber$…` key; the footer is the last part of the page it claims.
 */
export async function hydrated(page: Page): Promise<void> {
  await page.waitForLoadState('load')
  try {
    await page.waitForFunction(
      () => {
        const last = document.querySelector('body > footer')
        return last !== null && Object.keys(last).some((k) => k.startsWith('__reactFiber$'))
      },
      undefined,
      { timeout: 20_000 },
    )
  } catch (err) {
    throw new Error(`${page.url()} did not hydrate; errors in the page: ${JSON.stringify(pageErrors.get(page) ?? [])}`, { cause: err })
  }
  // Let the commit's effects run.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))
}

/** Fills and submits the login form, the way a person does. */
export async function loginViaForm(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto('/inloggen')
  await page.getByLabel('E-mailadres').fill(email)
  await page.getByLabel('Wachtwoord').fill(password)
  await page.getByRole('button', { name: 'Inloggen', exact: true }).click()
}

/** The link texts in the region menu (nav "Regiomenu"). */
export async function regionMenu(page: Page, label = 'Regiomenu'): Promise<string[]> {
  const nav = page.getByRole('navigation', { name: label })
  await nav.waitFor()
  return (await nav.getByRole('link').allInnerTexts()).map((s) => s.trim())
}

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']

/** Runs axe on the page as it is now and fails with a readable list when anything is wrong. */
export async function expectNoAxeViolations(page: Page, label: string): Promise<void> {
  // Legacy mode runs axe in the page itself instead of aggregating in an extra blank page: about
  // twice as fast, and the portal has no iframes, which is what the default mode is for.
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).setLegacyMode(true).analyze()
  const report = results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    targets: v.nodes.map((n) => n.target.join(' ')),
  }))
  expect(report, `axe violations on ${label} (${page.url()}):\n${JSON.stringify(report, null, 2)}`).toEqual([])
  // A page that did not render is not a pass: axe must have looked at real content.
  expect(results.passes.length, `axe found nothing to check on ${label}`).toBeGreaterThan(0)
}

/**
 * Opens `path`, checks the status it answered with, waits for hydration, and runs axe and the
 * script-error check on it: what every page of the accessibility suites must pass.
 */
export async function visitChecked(page: Page, path: string, label: string, status = 200): Promise<void> {
  const res = await page.goto(path)
  expect(res?.status(), `${label}: HTTP status of ${path}`).toBe(status)
  await hydrated(page)
  await expectNoAxeViolations(page, label)
  expect(uncaughtErrors(page), `${label}: script errors`).toEqual([])
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const file = path.join(SCREENSHOT_DIR, `${name}.png`)
  await page.screenshot({ path: file, fullPage: true })
  return file
}
