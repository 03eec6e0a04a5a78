import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findPrinciplesDocument } from '../../server/modules/principles/content'
import { client, loginAs, startTestServer, testDialects, type TestServer } from '../support/server'
import { formalIn, textOf } from '../support/text'

/**
 * A panel member's region home (issue 8, "Words"): someone who is only a panel member lands on a
 * page of their own in plain Dutch with "je": what is open for their reaction, what happened with
 * their reactions (with the count of answered ones), who to ask; nothing they cannot do. The staff
 * home stays as it was. And the favicon answers, with the right type.
 */
const REGION = 'ijmond-zuid-kennemerland'

/** The page's own content, past the header and the region menu (the same for everyone). */
const mainOf = (html: string) => html.match(/<div class="region__content"[\s\S]*<\/main>/)?.[0] ?? ''

describe.each(testDialects())('the region home on %s', (dialect) => {
  let server: TestServer

  beforeAll(async () => {
    server = await startTestServer({ dialect })
  })
  afterAll(() => server?.close())

  const home = async (email: string) => {
    const res = await client(server, await loginAs(server, email))(`/regio/${REGION}`)
    expect(res.status).toBe(200)
    return mainOf(await res.text())
  }

  it.each(['ouder@samenspel.example', 'jongere@samenspel.example'])('%s, only a panel member, gets the panel home in plain words', async (email) => {
    const html = await home(email)
    const text = textOf(html)
    expect(html).toContain('data-testid="panel-home"')
    expect(html).toMatch(/<h1[^>]*>Hoi [^<]+<\/h1>/)
    expect(text).toContain('Hier kun je nu op reageren')
    expect(html).toContain(`href="/regio/${REGION}/principes"`)
    expect(text).toContain('De leidende principes: lees ze en zeg wat je ervan vindt')
    expect(html).toContain('href="/mijn-reacties"')
    expect(text).toContain('Je reacties')
    expect(text).toContain('Vragen?')
    // Nothing they cannot do, no staff words, no "u".
    for (const staffWords of ['Uw rollen', 'panellid', 'Documenten lezen en samen schrijven', 'Organisaties per soort', 'dialooggerichte', 'Gemeenten (']) {
      expect(text, staffWords).not.toContain(staffWords)
    }
    expect(formalIn(text)).toBeNull()
  })

  it('counts the answered reactions of the member', async () => {
    const db = server.context.db
    const user = await db.selectFrom('users').select('id').where('email', '=', 'ouder@samenspel.example').executeTakeFirstOrThrow()
    const region = await db.selectFrom('regions').select('id').where('slug', '=', REGION).executeTakeFirstOrThrow()
    const doc = (await findPrinciplesDocument(db, region.id))!
    const comment = (n: number, disposition: 'open' | 'adopted' | 'not_adopted') => ({
      id: `home-test-${dialect}-${n}`,
      doc_id: doc.id,
      region_id: region.id,
      author_id: user.id,
      anchor_start: 'a',
      anchor_end: 'b',
      quote: 'woorden',
      section: '',
      body: 'Een reactie',
      moderation: 'visible' as const,
      disposition,
      created_at: new Date().toISOString(),
    })
    await db.insertInto('comments').values([comment(1, 'open'), comment(2, 'adopted'), comment(3, 'not_adopted')]).execute()
    const text = textOf(await home('ouder@samenspel.example'))
    expect(text).toContain('Je gaf 3 reacties. Op 2 daarvan kreeg je al antwoord.')
    expect(text).toContain('Bekijk je reacties en de antwoorden (2 beantwoord)')
    await db.deleteFrom('comments').where('id', 'like', `home-test-${dialect}-%`).execute()
  })

  it('keeps the staff home for everyone else', async () => {
    const text = textOf(await home('wethouder@samenspel.example'))
    expect(text).toContain('Uw rollen in deze regio')
    expect(text).toContain('wethouder')
    expect(text).toContain('Wat u hier kunt doen')
    expect(text).toContain('Documenten lezen en samen schrijven')
    expect(text).toContain('Organisaties per soort')
    expect(text).not.toContain('Hier kun je nu op reageren')
    const coordinator = textOf(await home('beleidsmedewerker@samenspel.example'))
    expect(coordinator).toContain('Panelcodes uitgeven en toestemming van ouders vastleggen')
  })

  it('serves the favicon, linked from every page, with the right type', async () => {
    const page = await (await client(server)('/inloggen')).text()
    expect(page).toMatch(/<link rel="icon" href="\/favicon.svg" type="image\/svg\+xml"/)
    expect(page).toMatch(/<link rel="icon" href="\/favicon.ico"/)
    const svg = await client(server)('/favicon.svg')
    expect(svg.status).toBe(200)
    expect(svg.headers.get('content-type')).toMatch(/^image\/svg\+xml/)
    const ico = await client(server)('/favicon.ico')
    expect(ico.status).toBe(200)
    expect(ico.headers.get('content-type')).toMatch(/^image\/(x-icon|vnd\.microsoft\.icon)/)
    expect(Buffer.from(await ico.arrayBuffer()).subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0]))
  })
})
