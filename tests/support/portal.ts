import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe } from 'vitest'
import type { DB } from '../../db/connect'
import { chromiumMissing, launchBrowser, newContext } from './browser'
import { regionIdOf } from './demo'
import { client, loginAs, startTestServer, type TestServerOptions, type TestServer } from './server'

/**
 * The one e2e fixture: a suite that starts the portal (production build, seeded demo) and Debian's
 * Chromium side by side, hands its tests pages in fresh contexts (logged in as a demo account or
 * not), HTTP clients, and the demo region, and closes every context, the browser and the server
 * afterwards. Skipped only where Chromium is missing; in CI support/browser.ts fails instead.
 *
 *   e2eSuite('e2e: something', (portal) => {
 *     it('…', () => portal.withPage('wethouder@samenspel.example', async (page) => { … }))
 *   })
 */
export interface Portal {
  readonly server: TestServer
  readonly browser: Browser
  readonly db: DB
  /** A page in a fresh context (its own cookies), logged in as `as`; closed with the suite at the latest. */
  newPage(as?: string): Promise<Page>
  newContext(as?: string): Promise<BrowserContext>
  /** Runs `fn` with a fresh page (logged in as `as`, or not at all) and closes its context afterwards. */
  withPage<T>(as: string | undefined, fn: (page: Page) => Promise<T>): Promise<T>
  /** The Cookie header of a new session of `email` (made directly; the login form is tested on its own). */
  loginAs(email: string): Promise<string>
  /** fetch against the portal as `email` (or anonymously), with a browser's same-origin header. */
  clientAs(email?: string): Promise<ReturnType<typeof client>>
  /** The id of a seeded region (the demo region unless told). */
  regionId(slug?: string): Promise<string>
}

export interface SuiteOptions extends Partial<TestServerOptions> {}

export function e2eSuite(name: string, fn: (portal: Portal) => void, opts: SuiteOptions = {}): void {
  describe.skipIf(chromiumMissing !== null)(name, () => {
    let server: TestServer | undefined
    let browser: Browser | undefined
    const contexts: BrowserContext[] = []
    const started = <T>(value: T | undefined, what: string): T => {
      if (value === undefined) throw new Error(`the ${what} is not started yet (use it inside a test or a beforeAll)`)
      return value
    }

    const portal: Portal = {
      get server() {
        return started(server, 'test server')
      },
      get browser() {
        return started(browser, 'browser')
      },
      get db() {
        return portal.server.context.db
      },
      async newContext(as) {
        const context = await newContext(portal.browser, portal.server, { as })
        contexts.push(context)
        return context
      },
      async newPage(as) {
        return (await portal.newContext(as)).newPage()
      },
      async withPage(as, fn) {
        const page = await portal.newPage(as)
        try {
          return await fn(page)
        } finally {
          await page.context().close()
        }
      },
      loginAs: (email) => loginAs(portal.server, email),
      async clientAs(email) {
        return client(portal.server, email === undefined ? undefined : await loginAs(portal.server, email))
      },
      regionId: (slug) => regionIdOf(portal.db, slug),
    }

    beforeAll(async () => {
      // Side by side; whichever started is closed below even when the other failed.
      const [s, b] = await Promise.allSettled([startTestServer({ dialect: 'sqlite', ...opts }), launchBrowser()])
      if (s.status === 'fulfilled') server = s.value
      if (b.status === 'fulfilled') browser = b.value
      if (s.status === 'rejected') throw s.reason
      if (b.status === 'rejected') throw b.reason
    })
    afterAll(async () => {
      for (const context of contexts) await context.close().catch(() => undefined)
      await browser?.close()
      await server?.close()
    })

    fn(portal)
  })
}
