import { describe, expect, it } from 'vitest'
import { client, sessionFrom, startTestServer, testDialects } from '../support/server'
import { liveServer } from '../support/live'

const ADMIN = 'regiocoordinator@samenspel.example'

describe.each(testDialects())('HTTP basics on %s', (dialect) => {
  const live = liveServer({ dialect })

  it('answers /healthz with the version, the database dialect and every part healthy', async () => {
    const res = await fetch(`${live.server.url}/healthz`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({
      ok: true,
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      database: dialect,
      status: { database: 'ok', storage: 'ok', notices: 'ok' },
      retryingDocuments: 0,
    })
  })

  it('sends a nonce-based Content-Security-Policy and every script carries that nonce', async () => {
    const res = await fetch(`${live.server.url}/inloggen`)
    const csp = res.headers.get('content-security-policy') ?? ''
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1]
    expect(nonce).toBeTruthy()
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/)
    expect(csp).toContain("frame-ancestors 'none'")
    const html = await res.text()
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((m) => m[0])
    expect(scripts.length).toBeGreaterThan(0)
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    // A second response gets a different nonce.
    const again = (await fetch(`${live.server.url}/inloggen`)).headers.get('content-security-policy')
    expect(again).not.toContain(nonce!)
  })

  it('shows a friendly 404 page without a stack trace for unknown paths', async () => {
    const res = await fetch(`${live.server.url}/bestaat-niet/echt-niet`)
    expect(res.status).toBe(404)
    const html = await res.text()
    expect(html).toContain('Pagina niet gevonden')
    expect(html).not.toMatch(/at .*\.(ts|js):\d+/)
  })

  it('refuses a cross-origin POST and a POST without Origin or Referer with 403', async () => {
    const http = client(live.server)
    const foreign = await http('/inloggen', { form: { email: ADMIN, password: 'samenspel-demo' }, headers: { Origin: 'https://evil.example' } })
    expect(foreign.status).toBe(403)
    expect(sessionFrom(foreign)).toBeNull()
    const bare = await fetch(`${live.server.url}/inloggen`, { method: 'POST', body: new URLSearchParams({ email: ADMIN, password: 'samenspel-demo' }), redirect: 'manual' })
    expect(bare.status).toBe(403)
    const sameOrigin = await http('/inloggen', { form: { email: ADMIN, password: 'samenspel-demo' } })
    expect(sameOrigin.status).toBe(302)
    expect(sessionFrom(sameOrigin)).toBeTruthy()
  })

  it('logs in with the right password and sets a hardened session cookie', async () => {
    const res = await client(live.server)('/inloggen', { form: { email: 'WETHOUDER@samenspel.example ', password: 'samenspel-demo', terug: '/profiel' } })
    expect(res.status).toBe(302)
    expect(res.headers.get('location')).toBe('/profiel')
    const set = res.headers.getSetCookie().join('\n')
    expect(set).toMatch(/HttpOnly/i)
    expect(set).toMatch(/SameSite=Lax/i)
    const page = await client(live.server, sessionFrom(res)!)('/profiel')
    expect(page.status).toBe(200)
  })

  it('does not redirect to another site after login', async () => {
    const res = await client(live.server)('/inloggen', { form: { email: ADMIN, password: 'samenspel-demo', terug: '//evil.example/x' } })
    expect(res.headers.get('location')).toBe('/')
  })

  it('gives one generic message for a wrong password and an unknown account', async () => {
    const http = client(live.server)
    const wrongPw = await http('/inloggen', { form: { email: 'beoordelaar@samenspel.example', password: 'not-the-password' } })
    const unknown = await http('/inloggen', { form: { email: 'niemand@samenspel.example', password: 'not-the-password' } })
    expect(wrongPw.status).toBe(401)
    expect(unknown.status).toBe(401)
    const message = 'Deze combinatie van e-mailadres en wachtwoord kennen we niet.'
    expect(await wrongPw.text()).toContain(message)
    expect(await unknown.text()).toContain(message)
  })

  it('throttles an account from one address after 5 failures with 429 and Retry-After, even with the right password', async () => {
    const http = client(live.server)
    const email = 'onderwijs@samenspel.example'
    for (let i = 0; i < 5; i++) {
      const res = await http('/inloggen', { form: { email, password: `wrong-${i}-password` } })
      expect(res.status).toBe(401)
    }
    const blocked = await http('/inloggen', { form: { email, password: 'samenspel-demo' } })
    expect(blocked.status).toBe(429)
    const retryAfter = Number(blocked.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThanOrEqual(60)
    expect(retryAfter).toBeLessThanOrEqual(15 * 60)
    expect(sessionFrom(blocked)).toBeNull()
    expect(await blocked.text()).toContain('Te veel mislukte pogingen')
    // Another account from the same address is not blocked by this one.
    const other = await http('/inloggen', { form: { email: 'aanbieder@samenspel.example', password: 'samenspel-demo' } })
    expect(other.status).toBe(302)
  })

  it('rejects a malformed login form with 400 and the errors next to the fields', async () => {
    const res = await client(live.server)('/inloggen', { form: { email: 'geen-adres', password: '' } })
    expect(res.status).toBe(400)
    const html = await res.text()
    expect(html).toContain('Vul een geldig e-mailadres in')
    expect(html).toContain('aria-invalid="true"')
    expect(html).toContain('value="geen-adres"')
  })

  it('logs out: the session is gone from the database and the cookie no longer works', async () => {
    const http = client(live.server)
    const login = await http('/inloggen', { form: { email: 'beoordelaar@samenspel.example', password: 'samenspel-demo' } })
    const cookie = sessionFrom(login)!
    const before = await live.server.context.db.selectFrom('sessions').select('id').execute()
    const out = await client(live.server, cookie)('/uitloggen', { form: {} })
    expect(out.status).toBe(302)
    const after = await live.server.context.db.selectFrom('sessions').select('id').execute()
    expect(after.length).toBe(before.length - 1)
    const page = await client(live.server, cookie)('/profiel')
    expect(page.status).toBe(302)
    expect(page.headers.get('location')).toMatch(/^\/inloggen\?terug=%2Fprofiel&verlopen=1/)
  })

  it('switches the language to English and back', async () => {
    const res = await client(live.server)('/taal', { form: { taal: 'en', terug: '/inloggen' } })
    expect(res.status).toBe(302)
    const lang = res.headers.getSetCookie().find((c) => c.startsWith('samenspel_lang='))!.split(';')[0]!
    const page = await fetch(`${live.server.url}/inloggen`, { headers: { Cookie: lang } })
    const html = await page.text()
    expect(html).toContain('<html lang="en"')
    expect(html).toContain('Log in with your e-mail address and password.')
  })
})

describe('demo accounts', () => {
  it('are not created without demo mode, while the regions are', async () => {
    const server = await startTestServer({ dialect: 'sqlite', demo: false })
    try {
      const users = await server.context.db.selectFrom('users').select('id').execute()
      const regions = await server.context.db.selectFrom('regions').select('slug').execute()
      expect(users).toHaveLength(0)
      expect(regions.map((r) => r.slug).sort()).toEqual(['ijmond-zuid-kennemerland', 'ijsselland', 'midden-limburg', 'zuid-holland-zuid'])
    } finally {
      await server.close()
    }
  })
})
