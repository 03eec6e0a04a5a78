import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import { loadActor } from '../../server/auth/actor'
import { saveVersion } from '../../server/modules/documents/commands'
import { findPrinciplesDocument } from '../../server/modules/principles/content'
import { client, loginAs, type TestServer } from './server'
import { REGION } from './browser'

/**
 * "Every page, as each kind of user": the people who see the portal differently, and a crawl of the
 * links each of them is shown. Crawling instead of a fixed list means a page added later is checked
 * without anyone remembering to add it, and a page is only visited by the roles that can reach it.
 */

/** One person per role (the audit's seven, the under-16 panel member apart) and someone not logged in. */
export const VISITORS = [
  { who: 'not logged in', email: undefined },
  { who: 'region admin', email: 'regiocoordinator@samenspel.example' },
  { who: 'alderman', email: 'wethouder@samenspel.example' },
  { who: 'civil servant', email: 'beleidsmedewerker@samenspel.example' },
  { who: 'provider member', email: 'aanbieder@samenspel.example' },
  { who: 'education partner', email: 'onderwijs@samenspel.example' },
  { who: 'evaluator', email: 'beoordelaar@samenspel.example' },
  { who: 'panel member', email: 'ouder@samenspel.example' },
  { who: 'panel member under 16', email: 'jongere@samenspel.example' },
] as const

/** A version name of 120 characters without a space: it once widened the versions page to 2,380 px. */
export const LONG_WORD = 'Conceptversie'.padEnd(120, 'naderegionalebesprekingmetaanbieders')

export interface Fixtures {
  /** the demo region's principles document */
  docId: string
  /** a version of it with LONG_WORD as its name */
  versionId: string
  /** a document whose title is one long word */
  longDocId: string
  /** an open invitation, for the page someone invited lands on */
  invitationPath: string
}

/**
 * Content that stresses the layout, made through the portal's own forms (HTTP, as a browser would):
 * a long version name, a long document title, an invitation for a long e-mail address.
 */
export async function makeFixtures(server: TestServer): Promise<Fixtures> {
  const db = server.context.db
  const region = await db.selectFrom('regions').select('id').where('slug', '=', REGION).executeTakeFirstOrThrow()
  const doc = await db.selectFrom('documents').select('id').where('region_id', '=', region.id).where('kind', '=', 'principles').executeTakeFirstOrThrow()
  const base = `/regio/${REGION}`

  const alderman = client(server, await loginAs(server, 'wethouder@samenspel.example'))
  const saved = await alderman(`${base}/documenten/${doc.id}/versies`, { form: { intent: 'save', label: LONG_WORD } })
  expect(saved.status, 'saving a version with a long name').toBeLessThan(400)
  const version = await db.selectFrom('doc_versions').select('id').where('doc_id', '=', doc.id).where('label', '=', LONG_WORD).executeTakeFirstOrThrow()

  const admin = client(server, await loginAs(server, 'regiocoordinator@samenspel.example'))
  const created = await admin(`${base}/documenten`, { form: { title: LONG_WORD, kind: 'proposal' } })
  expect(created.status, 'creating a document with a long title').toBe(302)
  const longDocId = created.headers.get('location')!.split('/').pop()!

  const org = await db.selectFrom('organisations').select('id').where('region_id', '=', region.id).where('kind', '=', 'provider').executeTakeFirstOrThrow()
  const invited = await admin(`${base}/beheer/uitnodigingen`, {
    form: { intent: 'invite', email: 'een.heel.lang.adres.zonder.spaties.voor.de.reflowtest@samenspel.example', organisationId: org.id, role: 'provider_member' },
  })
  const link = /\/uitnodiging\/[A-Za-z0-9_-]+/.exec(await invited.text())
  expect(link, 'the invitation link on the page').not.toBeNull()
  return { docId: doc.id, versionId: version.id, longDocId, invitationPath: link![0] }
}

/** The demo region's principles document with a version saved by the alderman under `label`. */
export async function principlesWithVersion(server: TestServer, label: string): Promise<{ docId: string; versionId: string }> {
  const db = server.context.db
  const region = await db.selectFrom('regions').select('id').where('slug', '=', REGION).executeTakeFirstOrThrow()
  const doc = (await findPrinciplesDocument(db, region.id))!
  const user = await db.selectFrom('users').select(['id', 'under_16']).where('email', '=', 'wethouder@samenspel.example').executeTakeFirstOrThrow()
  const saved = await saveVersion(db, server.context.collab, { actor: await loadActor(db, user), doc, label, now: new Date() })
  if (!saved.ok) throw new Error(`could not save the version "${label}"`)
  return { docId: doc.id, versionId: saved.id }
}

/** Paths that are not reached by following links: error pages, the invitation someone was sent. */
export function extraPaths(fixtures: Fixtures, loggedIn: boolean): { path: string; status: number }[] {
  const base = `/regio/${REGION}`
  return loggedIn
    ? [
        { path: '/bestaat-niet', status: 404 },
        { path: `${base}/documenten/${fixtures.longDocId}`, status: 200 },
        { path: `${base}/documenten/${fixtures.docId}/versies`, status: 200 },
        { path: `${base}/documenten/${fixtures.docId}/verslag/${fixtures.versionId}`, status: 200 },
      ]
    : [
        { path: '/bestaat-niet', status: 404 },
        { path: fixtures.invitationPath, status: 200 },
      ]
}

/** Links that change something or leave the HTML pages (downloads); everything else is followed. */
const NOT_A_PAGE = /\.csv$|^\/uitloggen|^\/taal/

/** The same-origin page paths linked from the page as it is now (query strings ignored). */
export async function linkedPaths(page: Page): Promise<string[]> {
  const hrefs = await page.locator('a[href^="/"]').evaluateAll((as) => as.map((a) => new URL((a as HTMLAnchorElement).href).pathname))
  // The other regions of someone in several have the same pages: the demo region stands for them.
  return [...new Set(hrefs)].filter((p) => !NOT_A_PAGE.test(p) && (!p.startsWith('/regio/') || p.startsWith(`/regio/${REGION}`)))
}

/**
 * Visits the start page and then every page linked from a visited page, breadth first, calling
 * `check` on each; returns the paths visited. Pages that answer other than `expected` fail.
 */
export async function crawl(
  page: Page,
  start: { path: string; status: number }[],
  check: (path: string, status: number) => Promise<void>,
  opts: { limit?: number } = {},
): Promise<string[]> {
  const limit = opts.limit ?? 40
  const queue = [...start]
  const seen = new Set(queue.map((q) => q.path))
  const visited: string[] = []
  while (queue.length > 0 && visited.length < limit) {
    const { path, status } = queue.shift()!
    const res = await page.goto(path)
    expect(res?.status(), `HTTP status of ${path}`).toBe(status)
    visited.push(new URL(page.url()).pathname)
    await check(path, status)
    for (const next of await linkedPaths(page)) {
      if (seen.has(next)) continue
      seen.add(next)
      queue.push({ path: next, status: 200 })
    }
  }
  return visited
}
