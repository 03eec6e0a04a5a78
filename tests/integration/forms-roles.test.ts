import { beforeAll, describe, expect, it } from 'vitest'
import { rolesByOrganisationKind } from '../../server/policy/memberships'
import { DEMO, DEMO_REGION as REGION } from '../support/demo'
import { liveServer } from '../support/live'
import { testDialects } from '../support/server'

/**
 * Roles must fit the organisation (server/policy/memberships.ts) on the admin pages: no wethouder
 * for a care provider, by invitation or by a role change; and an address with an open invitation
 * gets no second one. Every refusal is a 4xx with its message at the field, and writes nothing.
 */

/** The opening tag of the element with this id. */
const tagWithId = (html: string, id: string) => html.match(new RegExp(`<[a-z]+[^>]*\\bid="${id}"[^>]*>`))?.[0] ?? ''
/** The option values of the select with this id. */
const optionsOf = (html: string, id: string) => {
  const select = html.match(new RegExp(`<select[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</select>`))?.[1] ?? ''
  return [...select.matchAll(/<option[^>]*value="([^"]*)"/g)].map((m) => m[1])
}

describe.each(testDialects())('roles that fit the organisation, on %s', (dialect) => {
  const live = liveServer({ dialect }, { admin: DEMO.admin })
  let org: { kompas: string; velsen: string; panel: string }
  const invitations = `/regio/${REGION}/beheer/uitnodigingen`
  const members = `/regio/${REGION}/beheer/leden`

  beforeAll(async () => {
    const byName = async (name: string) =>
      (await live.server.context.db.selectFrom('organisations').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id
    org = {
      kompas: await byName('Kompas Jeugd & Gezin'),
      velsen: await byName('Gemeente Velsen'),
      panel: await byName('Ouderpanel IJmond en Zuid-Kennemerland'),
    }
  })

  const count = async (table: 'invitations' | 'audit_log' | 'memberships') =>
    Number((await live.server.context.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)
  const snapshot = async () => ({ invitations: await count('invitations'), audit: await count('audit_log'), memberships: await count('memberships') })
  const invite = (form: Record<string, string>) => live.as('admin')(invitations, { form: { intent: 'invite', ...form } })

  it('refuses a wethouder for the care provider Kompas with a message at the role field, and writes nothing', async () => {
    const before = await snapshot()
    const res = await invite({ email: 'wethouder.kompas@samenspel.example', organisationId: org.kompas, role: 'alderman' })
    expect(res.status).toBe(400)
    const html = await res.text()
    expect(tagWithId(html, 'f-role')).toContain('aria-invalid="true"')
    expect(tagWithId(html, 'f-role')).toMatch(/aria-describedby="[^"]*f-role-error/)
    expect(html).toMatch(/id="f-role-error"[^>]*>[^<]*Deze rol past niet bij de gekozen organisatie/)
    expect(html).toContain('<a href="#f-role">')
    // The page comes back with Kompas chosen and only the roles that fit it.
    expect(optionsOf(html, 'f-role')).toEqual(['provider_member'])
    expect(await snapshot()).toEqual(before)
  })

  it('refuses a panel member by e-mail and a panel as organisation', async () => {
    const before = await snapshot()
    expect((await invite({ email: 'ouder2@samenspel.example', organisationId: org.panel, role: 'panel_member' })).status).toBe(400)
    expect((await invite({ email: 'ouder2@samenspel.example', organisationId: org.velsen, role: 'panel_member' })).status).toBe(400)
    expect(await snapshot()).toEqual(before)
  })

  it('offers each organisation with only its fitting roles, and no panels', async () => {
    const html = await (await live.as('admin')(invitations)).text()
    const orgs = optionsOf(html, 'f-organisationId')
    expect(orgs).toContain(org.kompas)
    expect(orgs).not.toContain(org.panel)
    expect(optionsOf(html, 'f-role')).not.toContain('panel_member')
    // The role list is that of the organisation shown first, not every role.
    const first = await live.server.context.db.selectFrom('organisations').select('kind').where('id', '=', orgs[0]!).executeTakeFirstOrThrow()
    expect(optionsOf(html, 'f-role')).toEqual([...rolesByOrganisationKind[first.kind]])
  })

  it('invites a fitting pair, then refuses a second open invitation for the same address (409, at the e-mail field)', async () => {
    const ok = await invite({ email: 'nieuw.lid@samenspel.example', organisationId: org.kompas, role: 'provider_member' })
    expect(ok.status).toBe(200)
    const before = await snapshot()
    const again = await invite({ email: 'Nieuw.Lid@Samenspel.example', organisationId: org.velsen, role: 'civil_servant' })
    expect(again.status).toBe(409)
    const html = await again.text()
    expect(tagWithId(html, 'f-email')).toContain('aria-invalid="true"')
    expect(html).toMatch(/id="f-email-error"[^>]*>[^<]*al een uitnodiging open/)
    expect(await snapshot()).toEqual(before)
    // Revoked, the address can be invited again.
    const open = await live.server.context.db.selectFrom('invitations').select('id').where('email', '=', 'nieuw.lid@samenspel.example').executeTakeFirstOrThrow()
    expect((await live.as('admin')(invitations, { form: { intent: 'revoke', id: open.id } })).status).toBe(200)
    expect((await invite({ email: 'nieuw.lid@samenspel.example', organisationId: org.velsen, role: 'civil_servant' })).status).toBe(200)
  })

  it('refuses to make a provider member a wethouder on the members page, and offers only fitting roles', async () => {
    const membership = await live.server.context.db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select(['memberships.id', 'memberships.role'])
      .where('users.email', '=', 'aanbieder@samenspel.example')
      .executeTakeFirstOrThrow()
    const before = await snapshot()
    const res = await live.as('admin')(members, { form: { intent: 'role', membershipId: membership.id, role: 'alderman' } })
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('Deze rol past niet bij de gekozen organisatie')
    expect(await snapshot()).toEqual(before)
    const row = await live.server.context.db.selectFrom('memberships').select('role').where('id', '=', membership.id).executeTakeFirstOrThrow()
    expect(row.role).toBe('provider_member')

    const page = await (await live.as('admin')(members)).text()
    const form = page.match(new RegExp(`value="${membership.id}"[\\s\\S]*?</select>`))?.[0] ?? ''
    expect([...form.matchAll(/<option[^>]*value="([^"]*)"/g)].map((m) => m[1])).toEqual(['provider_member'])
  })

  it("refuses to turn the provider Kompas into a municipality while its people are provider members (409, at the kind field), and writes nothing", async () => {
    const organisations = `/regio/${REGION}/beheer/organisaties`
    const before = await snapshot()
    const res = await live.as('admin')(organisations, { form: { id: org.kompas, name: 'Kompas Jeugd & Gezin', kind: 'municipality' } })
    expect(res.status).toBe(409)
    const html = await res.text()
    expect(tagWithId(html, 'f-kind')).toContain('aria-invalid="true"')
    expect(html).toMatch(/id="f-kind-error"[^>]*>[^<]*Deze soort past niet bij de rollen van de huidige leden/)
    expect(html).toContain('<a href="#f-kind">')
    const row = await live.server.context.db.selectFrom('organisations').select('kind').where('id', '=', org.kompas).executeTakeFirstOrThrow()
    expect(row.kind).toBe('provider')
    expect(await snapshot()).toEqual(before)
    // A kind that fits its people is fine (and a rename alone as well).
    const renamed = await live.as('admin')(organisations, { form: { id: org.kompas, name: 'Kompas Jeugd en Gezin', kind: 'provider' } })
    expect(renamed.status).toBe(200)
    await live.as('admin')(organisations, { form: { id: org.kompas, name: 'Kompas Jeugd & Gezin', kind: 'provider' } })
  })
})
