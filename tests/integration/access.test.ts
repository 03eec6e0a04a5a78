import { describe, expect, it } from 'vitest'
import { DEMO, DEMO_REGION as REGION } from '../support/demo'
import { liveServer } from '../support/live'
import { client, testDialects } from '../support/server'

/**
 * Access per route: anonymous visitors go to the login page, people without a membership in the
 * region get 403 and none of its data, roles without the ability get 403, unknown ids get 404.
 */
const { admin, alderman, drafter: civilServant, provider, evaluator, education, parent, youth, outsider } = DEMO
const users = { admin, alderman, civilServant, provider, evaluator, education, parent, youth, outsider }
type Who = keyof typeof users

// Who may open each page of the region (everyone else with a membership gets 403).
const pages: Array<{ path: string; allowed: Who[] }> = [
  { path: '', allowed: ['admin', 'alderman', 'civilServant', 'provider', 'evaluator', 'education', 'parent', 'youth'] },
  { path: '/beheer/gemeenten', allowed: ['admin'] },
  { path: '/beheer/organisaties', allowed: ['admin'] },
  { path: '/beheer/leden', allowed: ['admin'] },
  { path: '/beheer/uitnodigingen', allowed: ['admin'] },
  { path: '/beheer/instellingen', allowed: ['admin'] },
  { path: '/panels', allowed: ['admin', 'civilServant'] },
  { path: '/logboek', allowed: ['admin'] },
]

describe.each(testDialects())('access per route on %s', (dialect) => {
  const live = liveServer({ dialect }, users)
  const { cookie: cookies } = live

  for (const page of pages) {
    const url = `/regio/${REGION}${page.path}`
    it(`${url}: anonymous → login page`, async () => {
      const res = await client(live.server)(url)
      expect(res.status).toBe(302)
      expect(res.headers.get('location')).toBe(`/inloggen?terug=${encodeURIComponent(url)}`)
    })
    for (const who of Object.keys(users) as Who[]) {
      const expected = page.allowed.includes(who) ? 200 : 403
      it(`${url}: ${who} → ${expected}`, async () => {
        const res = await client(live.server, cookies[who])(url)
        expect(res.status).toBe(expected)
        const html = await res.text()
        if (expected === 403) {
          expect(html).toContain('Geen toegang')
          // Nothing of the region leaks into the error page.
          expect(html).not.toContain('Beverwijk')
          expect(html).not.toContain('Kompas Jeugd')
        }
      })
    }
  }

  it('an unknown region is 404, also for the region administrator', async () => {
    const res = await client(live.server, cookies.admin)('/regio/bestaat-niet')
    expect(res.status).toBe(404)
  })

  it('a member of another region cannot read its data through the data endpoint either', async () => {
    const res = await client(live.server, cookies.outsider)(`/regio/${REGION}.data`)
    expect(res.status).toBe(403)
    const body = await res.text()
    expect(body).not.toContain('Beverwijk')
  })

  it('mutations without the ability are refused with 403 and change nothing', async () => {
    const count = async () =>
      Number((await live.server.context.db.selectFrom('municipalities').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
    const before = await count()
    for (const who of ['alderman', 'civilServant', 'provider', 'outsider'] as const) {
      const res = await client(live.server, cookies[who])(`/regio/${REGION}/beheer/gemeenten`, { form: { name: `Nieuwegemeente ${who}`, subregion: '' } })
      expect(res.status).toBe(403)
    }
    const invite = await client(live.server, cookies.civilServant)(`/regio/${REGION}/beheer/uitnodigingen`, {
      form: { intent: 'invite', email: 'x@samenspel.example', organisationId: 'x', role: 'region_admin' },
    })
    expect(invite.status).toBe(403)
    expect(await count()).toBe(before)
    const invitations = await live.server.context.db.selectFrom('invitations').select('id').execute()
    expect(invitations).toHaveLength(0)
  })

  it('the region switcher lists only the regions the user belongs to', async () => {
    const admin = await (await client(live.server, cookies.admin)(`/regio/${REGION}`)).text()
    expect(admin).toContain('/regio/midden-limburg')
    expect(admin).not.toContain('/regio/ijsselland')
    const provider = await (await client(live.server, cookies.provider)(`/regio/${REGION}`)).text()
    expect(provider).not.toContain('/regio/midden-limburg')
  })
})
