import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadActor } from '../../server/auth/actor'
import { saveVersion } from '../../server/modules/documents/commands'
import { findPrinciplesDocument } from '../../server/modules/principles/content'
import { client, loginAs, startTestServer, testDialects, type TestServer } from '../support/server'

/**
 * Versies → "Vaststellen…": a refused adoption comes back as 400 with its message at the field
 * (aria-invalid, aria-describedby to the message, a summary linking to the field) and writes nothing.
 */
const REGION = 'ijmond-zuid-kennemerland'

/** The opening tag of the element with this id. */
const tagWithId = (html: string, id: string) => html.match(new RegExp(`<[a-z]+[^>]*\\bid="${id}"[^>]*>`))?.[0] ?? ''

describe.each(testDialects())('adoption form feedback on %s', (dialect) => {
  let server: TestServer
  let alderman: string
  let versionId: string
  let url: string

  beforeAll(async () => {
    server = await startTestServer({ dialect })
    const db = server.context.db
    const region = await db.selectFrom('regions').select('id').where('slug', '=', REGION).executeTakeFirstOrThrow()
    const doc = (await findPrinciplesDocument(db, region.id))!
    const user = await db.selectFrom('users').select(['id', 'under_16']).where('email', '=', 'wethouder@samenspel.example').executeTakeFirstOrThrow()
    const saved = await saveVersion(db, server.context.collab, { actor: await loadActor(db, user), doc, label: 'Concept voor het PHO', now: new Date() })
    if (!saved.ok) throw new Error('could not save a version')
    versionId = saved.id
    alderman = await loginAs(server, 'wethouder@samenspel.example')
    url = `/regio/${REGION}/documenten/${doc.id}/versies`
  })
  afterAll(() => server?.close())

  const written = async () => ({
    adoptions: (await server.context.db.selectFrom('adoptions').select('id').execute()).length,
    audited: (await server.context.db.selectFrom('audit_log').select('seq').where('action', '=', 'document.adopted').execute()).length,
  })

  async function refused(form: Record<string, string>, field: 'adoptedOn' | 'reference', message: string) {
    const res = await client(server, alderman)(url, { form: { intent: 'adopt', versionId, ...form } })
    expect(res.status).toBe(400)
    const html = await res.text()
    const id = `adopt-${versionId}-${field}`
    const control = tagWithId(html, id)
    expect(control, `the ${field} control`).toContain('aria-invalid="true"')
    expect(control).toMatch(new RegExp(`aria-describedby="[^"]*${id}-error`))
    expect(html).toMatch(new RegExp(`id="${id}-error"[^>]*>[^<]*${message}`))
    // The summary links to the field, and the refused version's form is open.
    expect(html).toMatch(new RegExp(`<a href="#${id}">[^<]*${message}`))
    expect(html).toMatch(/<details class="adopt" open="">/)
    return html
  }

  it('shows "in the future" at the date field, keeps what was typed, and writes nothing', async () => {
    const html = await refused({ adoptedOn: '2999-01-01', reference: 'PHO-2026-14' }, 'adoptedOn', 'Een besluit kan niet in de toekomst liggen.')
    expect(tagWithId(html, `adopt-${versionId}-reference`)).toContain('value="PHO-2026-14"')
    expect(await written()).toEqual({ adoptions: 0, audited: 0 })
  })

  it('shows an empty reference at the reference field and writes nothing', async () => {
    await refused({ adoptedOn: '2026-11-20', reference: '   ' }, 'reference', 'Vul dit veld in.')
    expect(await written()).toEqual({ adoptions: 0, audited: 0 })
  })

  it('shows an impossible date at the date field and writes nothing', async () => {
    await refused({ adoptedOn: '2026-02-31', reference: 'PHO-2026-14' }, 'adoptedOn', 'Vul een geldige datum in.')
    expect(await written()).toEqual({ adoptions: 0, audited: 0 })
  })

  it('adopts a valid form once, with its audit entry', async () => {
    const res = await client(server, alderman)(url, { form: { intent: 'adopt', versionId, adoptedOn: '2026-11-20', reference: 'PHO-2026-14' } })
    expect(res.status).toBe(200)
    expect(await written()).toEqual({ adoptions: 1, audited: 1 })
  })
})
