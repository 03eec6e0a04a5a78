import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { clearErrors, consoleErrors, expectNoAxeViolations, hydrated, REGION, SCREENSHOT_DIR, uncaughtErrors } from '../support/browser'
import { e2eSuite } from '../support/portal'
import { crawl, extraPaths, makeFixtures, VISITORS, type Fixtures } from '../support/pages'

/**
 * Reflow (WCAG 1.4.10): every page each kind of user can reach, at a desktop width, a phone (375)
 * and the 320 CSS px the criterion names (1280 at 400 % zoom). No page may be wider than its
 * viewport, the header (with "Uitloggen") must fit, the region menu is folded on a phone (so the
 * page itself is on the first screen), and axe and the console stay clean at every width. Screenshots at 375 px go to tests/e2e/screenshots/ to be looked at.
 */
const WIDTHS = [1280, 375, 320] as const
/**
 * Pages still too wide whose rewrite is under way elsewhere (issue 8: the logbook gets Dutch
 * sentences, filters and its table from components/DataTable). Reported, not failed, while they are
 * too wide; once one fits, the test fails until it is taken off this list, so the list only shrinks.
 */
const KNOWN_TOO_WIDE = new Set<string>([])
/** An iPhone SE's screen. */
const PHONE_HEIGHT = 667
/** The height of the folded region menu on a phone: its toggle, the region's name on two lines at most. */
const FOLDED_MENU_MAX = 100

e2eSuite('e2e: reflow at 1280, 375 and 320 px', (portal) => {
  let fixtures: Fixtures
  const widths: Record<string, Record<number, number>> = {}
  const menuHeights: Record<string, Record<number, number>> = {}
  const knownTooWide = new Set<string>()
  const fitsNow = new Set<string>()

  beforeAll(async () => {
    fixtures = await makeFixtures(portal.server)
  })
  afterAll(() => {
    // The measured widths beside the screenshots, for whoever reviews them.
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true })
    fs.writeFileSync(path.join(SCREENSHOT_DIR, 'reflow-widths.json'), JSON.stringify({ widths, menuHeights }, null, 2))
  })

  /** What is wrong with the page as it is now, at this width (empty when nothing is). */
  async function problemsAt(page: Page, width: number, loggedIn: boolean): Promise<string[]> {
    const problems: string[] = []
    const measured = await page.evaluate(() => {
      const logout = [...document.querySelectorAll('header button')].find((b) => b.textContent?.trim() === 'Uitloggen')
      const menu = document.querySelector('nav.region-nav')
      // The innermost elements that stick out, to say in the failure what widens the page.
      const vw = document.documentElement.clientWidth
      const culprits = [...document.body.querySelectorAll('*')]
        .filter((el) => el.getBoundingClientRect().right > vw + 1 && ![...el.children].some((c) => c.getBoundingClientRect().right > vw + 1))
        .slice(0, 3)
        .map((el) => `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : ''} (${Math.round(el.getBoundingClientRect().right)}px)`)
      return {
        culprits,
        scrollWidth: document.documentElement.scrollWidth,
        logoutRight: logout ? logout.getBoundingClientRect().right : null,
        menuHeight: menu ? menu.getBoundingClientRect().height : null,
      }
    })
    const key = new URL(page.url()).pathname
    ;(widths[key] ??= {})[width] = Math.max(widths[key]?.[width] ?? 0, measured.scrollWidth)
    const tooWide = measured.scrollWidth > width
    if (tooWide && KNOWN_TOO_WIDE.has(key)) knownTooWide.add(key)
    else if (tooWide) problems.push(`${width}px: the page is ${measured.scrollWidth}px wide (${measured.culprits.join(', ')})`)
    if (!tooWide && width === 320 && KNOWN_TOO_WIDE.has(key)) fitsNow.add(key)
    if (loggedIn && (measured.logoutRight === null || measured.logoutRight > width)) {
      problems.push(`${width}px: "Uitloggen" is ${measured.logoutRight === null ? 'missing' : `cut off (right edge at ${Math.round(measured.logoutRight)}px)`}`)
    }
    // On a phone the region menu is folded to its toggle, so the page itself is on the first screen
    // (unfolded it took 200 to 350 px of a 667 px screen, above the page's heading).
    if (width < 400 && measured.menuHeight !== null) (menuHeights[key] ??= {})[width] = Math.round(measured.menuHeight)
    if (width < 400 && measured.menuHeight !== null && measured.menuHeight > FOLDED_MENU_MAX) {
      problems.push(`${width}px: the region menu is ${Math.round(measured.menuHeight)}px high, not folded`)
    }
    try {
      await expectNoAxeViolations(page, `${key} at ${width}px`)
    } catch (err) {
      problems.push((err as Error).message.split('\n').slice(0, 12).join('\n'))
    }
    return problems
  }

  for (const visitor of VISITORS) {
    it(`every page ${visitor.who} can reach`, { timeout: 300_000 }, async () => {
      const loggedIn = visitor.email !== undefined
      const page = await portal.newPage(visitor.email)
      const problems: string[] = []
      try {
        const start = loggedIn ? [{ path: '/', status: 200 }, { path: `/regio/${REGION}`, status: 200 }] : [{ path: '/inloggen', status: 200 }, { path: '/panelcode', status: 200 }]
        const visited = await crawl(page, [...start, ...extraPaths(fixtures, loggedIn)], async (pagePath, status) => {
          await hydrated(page)
          const where = new URL(page.url()).pathname
          for (const width of WIDTHS) {
            await page.setViewportSize({ width, height: width < 400 ? PHONE_HEIGHT : 900 })
            await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))))
            for (const p of await problemsAt(page, width, loggedIn)) problems.push(`${where}: ${p}`)
            if (width === 375) {
              const name = `reflow-375-${visitor.who.replace(/\W+/g, '-')}${where.replace(/\W+/g, '-')}`.slice(0, 120)
              fs.mkdirSync(SCREENSHOT_DIR, { recursive: true })
              await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true })
            }
          }
          const errors = [...uncaughtErrors(page), ...consoleErrors(page, status === 200 ? undefined : status)]
          if (errors.length > 0) problems.push(`${where} (${pagePath}): console errors ${JSON.stringify(errors)}`)
          clearErrors(page)
          await page.setViewportSize({ width: 1280, height: 900 })
        })
        // The crawl must have reached the region's pages, or it proves nothing.
        expect(visited.length, `pages visited by ${visitor.who}: ${visited.join(', ')}`).toBeGreaterThanOrEqual(loggedIn ? 8 : 4)
      } finally {
        await page.context().close()
      }
      expect(problems, `${visitor.who}:\n${problems.join('\n')}`).toEqual([])
    })
  }

  it('the list of pages known to be too wide only shrinks', () => {
    for (const key of knownTooWide) console.warn(`[reflow] still too wide (known, being rewritten): ${key} ${JSON.stringify(widths[key])}`)
    const fixed = [...fitsNow].filter((k) => !knownTooWide.has(k))
    expect(fixed, 'these pages fit now: take them off KNOWN_TOO_WIDE in reflow.test.ts').toEqual([])
  })
})
