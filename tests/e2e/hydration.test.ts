import { beforeAll, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { clearErrors, consoleErrors, hydrated, REGION, uncaughtErrors } from '../support/browser'
import { e2eSuite } from '../support/portal'
import { crawl, extraPaths, makeFixtures, VISITORS, type Fixtures } from '../support/pages'

/**
 * The page the server sends is the page React takes over: no hydration errors (React #418, #423,
 * #425 …), no other script or console errors, on every page each kind of user can reach. A page
 * that re-renders in the browser loses what someone typed or focused, and costs time on a phone.
 * Every id is unique and every id reference (aria-labelledby, -describedby, -controls, label[for])
 * points at an element (an id with a space in it cannot be referred to).
 */
e2eSuite('e2e: hydration and console on every page', (portal) => {
  let fixtures: Fixtures

  beforeAll(async () => {
    fixtures = await makeFixtures(portal.server)
  })

  /** What is wrong with the page as it is now: errors in the console, and id references to nothing. */
  async function problemsOf(page: Page, status: number): Promise<string[]> {
    await hydrated(page)
    const where = new URL(page.url()).pathname
    const problems = [...uncaughtErrors(page), ...consoleErrors(page, status === 200 ? undefined : status)].map((e) => `${where}: ${e.slice(0, 200)}`)
    const dangling = await page.evaluate(() => {
      const out: string[] = []
      for (const attr of ['aria-labelledby', 'aria-describedby', 'aria-controls', 'aria-owns']) {
        for (const el of document.querySelectorAll(`[${attr}]`)) {
          for (const id of el.getAttribute(attr)!.split(/\s+/).filter(Boolean)) {
            if (!document.getElementById(id)) out.push(`${attr}="${el.getAttribute(attr)}" on <${el.tagName.toLowerCase()}>: no element with id "${id}"`)
          }
        }
      }
      const seen = new Set<string>()
      for (const el of document.querySelectorAll('[id]')) {
        if (seen.has(el.id)) out.push(`id "${el.id}" is used more than once`)
        seen.add(el.id)
      }
      for (const label of document.querySelectorAll('label[for]')) {
        const id = label.getAttribute('for')!
        if (!document.getElementById(id)) out.push(`label for="${id}": no such element`)
      }
      return out
    })
    problems.push(...dangling.map((d) => `${where}: ${d}`))
    clearErrors(page)
    return problems
  }

  for (const visitor of VISITORS) {
    it(`every page ${visitor.who} can reach hydrates without errors`, { timeout: 180_000 }, async () => {
      const loggedIn = visitor.email !== undefined
      const page = await portal.newPage(visitor.email)
      const problems: string[] = []
      try {
        const start = loggedIn ? [{ path: '/', status: 200 }, { path: `/regio/${REGION}`, status: 200 }] : [{ path: '/inloggen', status: 200 }, { path: '/panelcode', status: 200 }]
        const visited = await crawl(page, [...start, ...extraPaths(fixtures, loggedIn)], async (_path, status) => {
          problems.push(...(await problemsOf(page, status)))
        })
        expect(visited.length, `pages visited by ${visitor.who}: ${visited.join(', ')}`).toBeGreaterThanOrEqual(loggedIn ? 8 : 4)
      } finally {
        await page.context().close()
      }
      expect(problems, `${visitor.who}:\n${problems.join('\n')}`).toEqual([])
    })
  }

  it('the document page for someone who can lock it, unlocked and locked: no form inside a paragraph, no errors', async () => {
    const page = await portal.newPage('regiocoordinator@samenspel.example')
    const docPath = `/regio/${REGION}/documenten/${fixtures.longDocId}`
    try {
      for (const state of ['unlocked', 'locked'] as const) {
        const res = await page.goto(docPath)
        expect(res?.status()).toBe(200)
        // (By the form's intent, not the button's words, which may change.)
        expect(await page.locator(`form input[name="intent"][value="${state === 'unlocked' ? 'lock' : 'unlock'}"]`).count(), `the ${state} document offers its lock button`).toBe(1)
        // The HTML parser closes a <p> at a <form>, so the browser's tree differs from React's.
        expect(await page.locator('p form').count(), 'a form inside a paragraph').toBe(0)
        expect(await problemsOf(page, 200), `document page (${state})`).toEqual([])
        if (state === 'unlocked') {
          const admin = await portal.clientAs('regiocoordinator@samenspel.example')
          expect((await admin(docPath, { form: { intent: 'lock' } })).status).toBe(302)
        }
      }
    } finally {
      await page.context().close()
    }
  })
})
