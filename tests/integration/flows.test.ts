import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { verifyAuditChain } from '../../server/modules/audit/audit'
import { DAY } from '../../server/lib/time'
import { client, loginAs, sessionFrom, testClock, testDialects, type TestServer } from '../support/server'
import { liveServer } from '../support/live'

const REGION = 'ijmond-zuid-kennemerland'
const ADMIN = 'regiocoordinator@samenspel.example'

async function count(server: TestServer, table: 'invitations' | 'users' | 'memberships' | 'municipalities' | 'guardian_consents' | 'audit_log') {
  const row = await server.context.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}

async function orgId(server: TestServer, name: string) {
  const row = await server.context.db.selectFrom('organisations').select('id').where('name', 'like', `${name}%`).executeTakeFirstOrThrow()
  return row.id
}

function linkFrom(html: string): string {
  const m = /\/uitnodiging\/([a-z2-7]{32})/.exec(html)
  if (!m) throw new Error('no invitation link on the page')
  return m[0]
}

describe.each(testDialects())('user flows on %s', (dialect) => {
  const time = testClock()
  const live = liveServer({ dialect, clock: time.clock }, { admin: ADMIN })

  it('invitation: issued by the admin, accepted once, then refused as used', async () => {
    const kompas = await orgId(live.server, 'Kompas')
    const issued = await live.as('admin')(`/regio/${REGION}/beheer/uitnodigingen`, {
      form: { intent: 'invite', email: 'Nieuw.Lid@Samenspel.example', organisationId: kompas, role: 'provider_member' },
    })
    expect(issued.status).toBe(200)
    const link = linkFrom(await issued.text())
    const row = await live.server.context.db.selectFrom('invitations').selectAll().where('email', '=', 'nieuw.lid@samenspel.example').executeTakeFirstOrThrow()
    expect(row.token_hash).not.toContain(link.split('/').pop())

    const page = await client(live.server)(link)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('Kompas')

    const weak = await client(live.server)(link, { form: { name: 'Nieuw Lid', password: 'kort' } })
    expect(weak.status).toBe(400)
    expect(await weak.text()).toContain('minstens 12 tekens')
    expect(await live.server.context.db.selectFrom('users').select('id').where('email', '=', 'nieuw.lid@samenspel.example').executeTakeFirst()).toBeUndefined()

    const accepted = await client(live.server)(link, { form: { name: 'Nieuw Lid', password: 'een lange zin als wachtwoord' } })
    expect(accepted.status).toBe(302)
    expect(accepted.headers.get('location')).toBe(`/regio/${REGION}`)
    const cookie = sessionFrom(accepted)!
    const home = await client(live.server, cookie)(`/regio/${REGION}`)
    expect(home.status).toBe(200)
    expect(await home.text()).toContain('medewerker aanbieder')

    const again = await client(live.server)(link)
    expect(again.status).toBe(410)
    expect(await again.text()).toContain('al gebruikt')
    const reuse = await client(live.server)(link, { form: { name: 'Indringer', password: 'een ander lang wachtwoord' } })
    expect(reuse.status).toBe(410)
  })

  it('invitation: an expired link gets a clear page and cannot be used', async () => {
    const kompas = await orgId(live.server, 'Kompas')
    const issued = await live.as('admin')(`/regio/${REGION}/beheer/uitnodigingen`, {
      form: { intent: 'invite', email: 'laat@samenspel.example', organisationId: kompas, role: 'provider_member' },
    })
    const link = linkFrom(await issued.text())
    time.advance(8 * DAY)
    try {
      const page = await client(live.server)(link)
      expect(page.status).toBe(410)
      expect(await page.text()).toContain('verlopen')
      const use = await client(live.server)(link, { form: { name: 'Te Laat', password: 'een lange zin als wachtwoord' } })
      expect(use.status).toBe(410)
      expect(await live.server.context.db.selectFrom('users').select('id').where('email', '=', 'laat@samenspel.example').executeTakeFirst()).toBeUndefined()
    } finally {
      time.advance(-8 * DAY)
    }
  })

  it('invitation for an existing account: accepted only by its logged-in holder, never with a password', async () => {
    const velsen = await orgId(live.server, 'Gemeente Velsen')
    const issued = await live.as('admin')(`/regio/${REGION}/beheer/uitnodigingen`, {
      form: { intent: 'invite', email: 'wethouder@samenspel.example', organisationId: velsen, role: 'civil_servant' },
    })
    const link = linkFrom(await issued.text())
    const anonymous = await client(live.server)(link)
    expect(anonymous.status).toBe(200)
    const page = await anonymous.text()
    expect(page).toContain('Log in met dat account')
    expect(page).not.toContain('name="password"')
    // A password through the link does nothing but send the visitor to the login page.
    const guess = await client(live.server)(link, { form: { name: 'x', password: 'samenspel-demo' } })
    expect(guess.status).toBe(302)
    expect(guess.headers.get('location')).toMatch(/^\/inloggen\?terug=/)
    expect(sessionFrom(guess)).toBeNull()

    const other = await client(live.server, await loginAs(live.server, 'aanbieder@samenspel.example'))(link, { form: {} })
    expect(other.status).toBe(403)
    const holder = await loginAs(live.server, 'wethouder@samenspel.example')
    expect(await (await client(live.server, holder)(link)).text()).toContain('U bent ingelogd als wethouder@samenspel.example')
    const accepted = await client(live.server, holder)(link, { form: {} })
    expect(accepted.status).toBe(302)
    const roles = await live.server.context.db
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select('memberships.role')
      .where('users.email', '=', 'wethouder@samenspel.example')
      .execute()
    expect(roles.map((r) => r.role).sort()).toEqual(['alderman', 'civil_servant'])
    expect((await client(live.server)(link)).status).toBe(410)
  })

  it('an unknown invitation token is 404 with a clear page', async () => {
    const res = await client(live.server)(`/uitnodiging/${'a'.repeat(32)}`)
    expect(res.status).toBe(404)
    expect(await res.text()).toContain('kennen we niet')
  })

  it('a malformed admin form gets 400 with field errors and saves nothing', async () => {
    const before = { munis: await count(live.server, 'municipalities'), invitations: await count(live.server, 'invitations'), audit: await count(live.server, 'audit_log') }
    const empty = await live.as('admin')(`/regio/${REGION}/beheer/gemeenten`, { form: { name: '   ', subregion: '' } })
    expect(empty.status).toBe(400)
    const html = await empty.text()
    expect(html).toContain('Vul dit veld in.')
    expect(html).toContain('aria-invalid="true"')
    const long = await live.as('admin')(`/regio/${REGION}/beheer/gemeenten`, { form: { name: 'x'.repeat(101) } })
    expect(long.status).toBe(400)
    expect(await long.text()).toContain('maximaal 100 tekens')
    const duplicate = await live.as('admin')(`/regio/${REGION}/beheer/gemeenten`, { form: { name: 'Haarlem', subregion: '' } })
    expect(duplicate.status).toBe(409)
    const badEmail = await live.as('admin')(`/regio/${REGION}/beheer/uitnodigingen`, {
      form: { intent: 'invite', email: 'niet-een-adres', organisationId: 'x', role: 'koning' },
    })
    expect(badEmail.status).toBe(400)
    const foreignOrg = await live.as('admin')(`/regio/${REGION}/beheer/uitnodigingen`, {
      form: { intent: 'invite', email: 'a@samenspel.example', organisationId: await orgId(live.server, 'Gemeente Zwolle'), role: 'civil_servant' },
    })
    expect(foreignOrg.status).toBe(400)
    expect(await count(live.server, 'municipalities')).toBe(before.munis)
    expect(await count(live.server, 'invitations')).toBe(before.invitations)
    expect(await count(live.server, 'audit_log')).toBe(before.audit)
  })

  it('an unknown id in an admin action is 404', async () => {
    const res = await live.as('admin')(`/regio/${REGION}/beheer/leden`, { form: { intent: 'role', membershipId: 'bestaatniet', role: 'evaluator' } })
    expect(res.status).toBe(404)
    const muni = await live.as('admin')(`/regio/${REGION}/beheer/gemeenten`, { form: { id: 'bestaatniet', name: 'Iets', subregion: '' } })
    expect(muni.status).toBe(404)
  })

  it('the last region administrator cannot be removed', async () => {
    const ml = await live.server.context.db
      .selectFrom('memberships')
      .innerJoin('regions', 'regions.id', 'memberships.region_id')
      .select('memberships.id')
      .where('regions.slug', '=', 'midden-limburg')
      .where('memberships.role', '=', 'region_admin')
      .executeTakeFirstOrThrow()
    const res = await live.as('admin')('/regio/midden-limburg/beheer/leden', { form: { intent: 'remove', membershipId: ml.id } })
    expect(res.status).toBe(409)
    expect(await res.text()).toContain('minstens één regiocoördinator')
    expect(await live.server.context.db.selectFrom('memberships').select('id').where('id', '=', ml.id).executeTakeFirst()).toBeDefined()
  })

  it('panel code for a member under 16: no access until consent, access after, gone on withdrawal', async () => {
    const panel = await orgId(live.server, 'Jongerenpanel')
    const issued = await live.as('admin')(`/regio/${REGION}/panels`, { form: { intent: 'issue', organisationId: panel, under16: 'on' } })
    expect(issued.status).toBe(200)
    const code = /data-testid="panel-code">([A-Z2-9-]{14})</.exec(await issued.text())?.[1]
    expect(code).toBeTruthy()

    const step1 = await client(live.server)('/panelcode', { form: { code: code!.toLowerCase().replace(/-/g, ' ') } })
    expect(step1.status).toBe(200)
    expect(await step1.text()).toContain('Kies nu je naam')
    // Members under 16 choose a safe name (ADR 0012; tests/integration/names-minors.test.ts).
    const step2 = await client(live.server)('/panelcode', { form: { code: code!, displayName: 'Dappere Haas 31' } })
    expect(step2.status).toBe(302)
    const member = sessionFrom(step2)!
    const user = await live.server.context.db.selectFrom('users').selectAll().where('name', '=', 'Dappere Haas 31').executeTakeFirstOrThrow()
    expect(user.email).toBeNull()
    expect(user.password_hash).toBeNull()
    expect(user.under_16).toBe(1)

    const waiting = await client(live.server, member)('/')
    expect(waiting.status).toBe(200)
    expect(await waiting.text()).toContain('Even wachten op toestemming')
    expect((await client(live.server, member)(`/regio/${REGION}`)).status).toBe(403)

    const reuse = await client(live.server)('/panelcode', { form: { code: code!, displayName: 'Ander' } })
    expect(reuse.status).toBe(400)

    const consent = await live.as('admin')(`/regio/${REGION}/panels`, { form: { intent: 'consent', userId: user.id, givenBy: 'moeder' } })
    expect(consent.status).toBe(200)
    expect((await client(live.server, member)(`/regio/${REGION}`)).status).toBe(200)

    const withdraw = await live.as('admin')(`/regio/${REGION}/panels`, { form: { intent: 'withdraw', userId: user.id } })
    expect(withdraw.status).toBe(200)
    const after = await client(live.server, member)(`/regio/${REGION}`)
    expect(after.status).toBe(302)
    expect(after.headers.get('location')).toMatch(/^\/inloggen/)
  })

  it('a wrong panel code gets a clear message and counts as a failed attempt', async () => {
    const res = await client(live.server)('/panelcode', { form: { code: 'ABCD-EFGH-JKMN' } })
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('Deze code werkt niet')
    const rows = await live.server.context.db.selectFrom('login_throttle').select(['key', 'failures']).where('key', 'like', 'address:%').execute()
    expect(rows.some((r) => r.failures >= 1)).toBe(true)
    expect(rows.every((r) => !r.key.includes('127.0.0.1'))).toBe(true)
  })

  it('log out elsewhere ends the other sessions but keeps this one', async () => {
    const a = await loginAs(live.server, 'beleidsmedewerker@samenspel.example')
    const b = await loginAs(live.server, 'beleidsmedewerker@samenspel.example')
    const res = await client(live.server, a)('/profiel', { form: { intent: 'elsewhere' } })
    expect(res.status).toBe(200)
    expect(await res.text()).toMatch(/1 andere sessies beëindigd|[1-9]\d* andere sessies beëindigd/)
    expect((await client(live.server, a)('/profiel')).status).toBe(200)
    expect((await client(live.server, b)('/profiel')).status).toBe(302)
  })

  it('a password change revokes every other session and issues a new cookie', async () => {
    const email = 'aanbieder2@samenspel.example'
    const a = await loginAs(live.server, email)
    const b = await loginAs(live.server, email)
    const wrong = await client(live.server, a)('/profiel', { form: { intent: 'password', current: 'fout-wachtwoord', next: 'een nieuw lang wachtwoord' } })
    expect(wrong.status).toBe(400)
    expect((await client(live.server, b)('/profiel')).status).toBe(200)
    const ok = await client(live.server, a)('/profiel', { form: { intent: 'password', current: 'samenspel-demo', next: 'een nieuw lang wachtwoord' } })
    expect(ok.status).toBe(302)
    expect(ok.headers.get('location')).toBe('/profiel?wachtwoord=gewijzigd')
    const fresh = sessionFrom(ok)
    expect(fresh).toBeTruthy()
    expect((await client(live.server, a)('/profiel')).status).toBe(302)
    expect((await client(live.server, b)('/profiel')).status).toBe(302)
    const after = await client(live.server, fresh!)('/profiel?wachtwoord=gewijzigd')
    expect(after.status).toBe(200)
    expect(await after.text()).toContain('Wachtwoord gewijzigd')
    const login = await client(live.server)('/inloggen', { form: { email, password: 'een nieuw lang wachtwoord' } })
    expect(login.status).toBe(302)
  })

  it('the audit log refuses UPDATE and DELETE, and its chain verifies', async () => {
    const db = live.server.context.db
    expect((await client(live.server)('/inloggen', { form: { email: ADMIN, password: 'fout-wachtwoord' } })).status).toBe(401)
    await expect(sql`update audit_log set action = 'forged'`.execute(db)).rejects.toThrow(/append-only/)
    await expect(sql`delete from audit_log`.execute(db)).rejects.toThrow(/append-only/)
    if (dialect === 'postgres') await expect(sql`truncate audit_log`.execute(db)).rejects.toThrow(/append-only/)
    const actions = (await db.selectFrom('audit_log').select('action').execute()).map((r) => r.action)
    for (const a of ['auth.login', 'auth.login_failed', 'invitation.issued', 'invitation.accepted', 'panel_code.issued', 'panel_code.used', 'consent.recorded', 'consent.withdrawn', 'membership.added', 'auth.password_changed']) {
      expect(actions).toContain(a)
    }
    const verified = await verifyAuditChain(db)
    expect(verified.ok).toBe(true)
    expect(verified.checked).toBe(actions.length)
    const page = await live.as('admin')(`/regio/${REGION}/logboek`, { form: {} })
    expect(await page.text()).toContain(`De keten klopt: ${verified.checked.toLocaleString('nl-NL')} regels gecontroleerd.`)
  })

  it('no secrets reach the audit log', async () => {
    const rows = await live.server.context.db.selectFrom('audit_log').select('data').execute()
    const all = rows.map((r) => r.data).join('\n')
    expect(all).not.toContain('samenspel-demo')
    expect(all).not.toContain('een nieuw lang wachtwoord')
    expect(all).not.toMatch(/@samenspel\.example/)
  })
})
