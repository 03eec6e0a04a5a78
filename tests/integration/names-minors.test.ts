import { describe, expect, it } from 'vitest'
import { isSafeName } from '../../server/modules/accounts/names'
import { DEMO, DEMO_REGION as REGION } from '../support/demo'
import { liveServer } from '../support/live'
import { sessionFrom, testDialects } from '../support/server'

/**
 * Issue 7 §4: display names of members under 16 are never free text (ADR 0012). Neither a rename
 * after an approved comment nor the first name at /panelcode can carry "bel me 06…"; adults keep
 * free names.
 */
const YOUTH = DEMO.youth
const PARENT = DEMO.parent
const FREE_TEXT = 'UNMODERATED-NAME bel me 06 12345678'

/** The values of the radio buttons named `field` on a page. */
function radios(html: string, field: string): string[] {
  return [...html.matchAll(/<input[^>]*type="radio"[^>]*>/g)]
    .map((m) => m[0])
    .filter((tag) => tag.includes(`name="${field}"`))
    .map((tag) => /value="([^"]*)"/.exec(tag)?.[1] ?? '')
}

describe.each(testDialects())('display names of members under 16 on %s', (dialect) => {
  const live = liveServer({ dialect }, { youth: YOUTH, parent: PARENT, admin: DEMO.admin })
  const nameOf = async (email: string) =>
    (await live.server.context.db.selectFrom('users').select('name').where('email', '=', email).executeTakeFirstOrThrow()).name

  it('the demo member under 16 has a safe name', async () => {
    expect(isSafeName(await nameOf(YOUTH))).toBe(true)
  })

  it('a free-text rename by a member under 16 is refused and nobody sees it', async () => {
    const before = await nameOf(YOUTH)
    const page = await live.as('youth')('/profiel')
    expect(page.status).toBe(200)
    const html = await page.text()
    // No text field for the name: a choice of safe names, the current one among them.
    expect(html).not.toMatch(/<input[^>]*name="name"[^>]*type="text"|<input[^>]*type="text"[^>]*name="name"/)
    const offered = radios(html, 'name')
    expect(offered).toContain(before)
    expect(offered.length).toBeGreaterThanOrEqual(3)
    expect(offered.every(isSafeName)).toBe(true)

    const res = await live.as('youth')('/profiel', { form: { intent: 'name', name: FREE_TEXT } })
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('Kies een van de namen uit de lijst.')
    expect(await nameOf(YOUTH)).toBe(before)
    // Others (a parent on the same panel page of the region) never see it.
    const seen = await live.as('parent')(`/regio/${REGION}`)
    expect(await seen.text()).not.toContain('UNMODERATED-NAME')
    const members = await live.as('admin')(`/regio/${REGION}/panels`)
    expect(members.status).toBe(200)
    const list = await members.text()
    expect(list).toContain(before)
    expect(list).not.toContain('UNMODERATED-NAME')
  })

  it('a member under 16 can pick one of the offered safe names', async () => {
    const offered = radios(await (await live.as('youth')('/profiel')).text(), 'name')
    const before = await nameOf(YOUTH)
    const pick = offered.find((n) => n !== before)!
    const res = await live.as('youth')('/profiel', { form: { intent: 'name', name: pick } })
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('Naam opgeslagen.')
    expect(await nameOf(YOUTH)).toBe(pick)
  })

  it('an adult keeps a free name', async () => {
    const res = await live.as('parent')('/profiel', { form: { intent: 'name', name: 'Fatima Bakkali (ouderpanel)' } })
    expect(res.status).toBe(200)
    expect(await nameOf(PARENT)).toBe('Fatima Bakkali (ouderpanel)')
  })

  it('the first name at /panelcode: a member under 16 chooses a safe name, free text is refused and the code stays usable', async () => {
    const panel = await live.server.context.db.selectFrom('organisations').select('id').where('name', 'like', 'Jongerenpanel%').executeTakeFirstOrThrow()
    const issued = await live.as('admin')(`/regio/${REGION}/panels`, { form: { intent: 'issue', organisationId: panel.id, under16: 'on' } })
    const code = /data-testid="panel-code">([A-Z2-9-]{14})</.exec(await issued.text())?.[1]
    expect(code).toBeTruthy()
    const users = async () => (await live.server.context.db.selectFrom('users').select('id').execute()).length
    const count = await users()

    const step1 = await live.as(null)('/panelcode', { form: { code: code! } })
    expect(step1.status).toBe(200)
    const page = await step1.text()
    expect(page).toContain('Kies je naam')
    const offered = radios(page, 'displayName')
    expect(offered.length).toBeGreaterThanOrEqual(3)
    expect(offered.every(isSafeName)).toBe(true)
    expect(page).not.toMatch(/<input[^>]*type="text"[^>]*name="displayName"|<input[^>]*name="displayName"[^>]*type="text"/)

    const free = await live.as(null)('/panelcode', { form: { code: code!, step: 'name', displayName: 'Noor, bel me 0612345678' } })
    expect(free.status).toBe(400)
    expect(await free.text()).toContain('Kies een van de namen uit de lijst.')
    const none = await live.as(null)('/panelcode', { form: { code: code!, step: 'name' } })
    expect(none.status).toBe(400)
    expect(await users()).toBe(count)

    const more = await live.as(null)('/panelcode', { form: { code: code!, step: 'name', more: '1' } })
    expect(more.status).toBe(200)
    expect(radios(await more.text(), 'displayName').every(isSafeName)).toBe(true)

    const ok = await live.as(null)('/panelcode', { form: { code: code!, step: 'name', displayName: offered[0]! } })
    expect(ok.status).toBe(302)
    expect(sessionFrom(ok)).toBeTruthy()
    const created = await live.server.context.db.selectFrom('users').select(['name', 'under_16']).where('name', '=', offered[0]!).executeTakeFirstOrThrow()
    expect(created.under_16).toBe(1)
  })

  it('the first name at /panelcode stays free text for adults', async () => {
    const panel = await live.server.context.db.selectFrom('organisations').select('id').where('name', 'like', 'Ouderpanel%').executeTakeFirstOrThrow()
    const issued = await live.as('admin')(`/regio/${REGION}/panels`, { form: { intent: 'issue', organisationId: panel.id } })
    const code = /data-testid="panel-code">([A-Z2-9-]{14})</.exec(await issued.text())?.[1]
    const step1 = await live.as(null)('/panelcode', { form: { code: code! } })
    const page = await step1.text()
    expect(page).toContain('Hoe wil je heten?')
    expect(radios(page, 'displayName')).toEqual([])
    const ok = await live.as(null)('/panelcode', { form: { code: code!, step: 'name', displayName: 'Noor' } })
    expect(ok.status).toBe(302)
    expect(await live.server.context.db.selectFrom('users').select('id').where('name', '=', 'Noor').executeTakeFirst()).toBeDefined()
  })
})
