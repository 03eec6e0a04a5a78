import { beforeAll, describe, expect, it } from 'vitest'
import { DEMO, DEMO_REGION as REGION } from '../support/demo'
import { liveServer } from '../support/live'
import { principlesWithVersion } from '../support/pages'
import { testDialects } from '../support/server'

/**
 * Versies → "Vaststellen…": a refused adoption comes back as 400 with its message at the field
 * (aria-invalid, aria-describedby to the message, a summary linking to the field) and writes nothing.
 */
/** The opening tag of the element with this id. */
const tagWithId = (html: string, id: string) => html.match(new RegExp(`<[a-z]+[^>]*\\bid="${id}"[^>]*>`))?.[0] ?? ''

describe.each(testDialects())('adoption form feedback on %s', (dialect) => {
  const live = liveServer({ dialect }, { alderman: DEMO.alderman })
  let versionId: string
  let url: string

  beforeAll(async () => {
    const made = await principlesWithVersion(live.server, 'Concept voor het PHO')
    versionId = made.versionId
    url = `/regio/${REGION}/documenten/${made.docId}/versies`
  })

  const written = async () => ({
    adoptions: (await live.server.context.db.selectFrom('adoptions').select('id').execute()).length,
    audited: (await live.server.context.db.selectFrom('audit_log').select('seq').where('action', '=', 'document.adopted').execute()).length,
  })

  async function refused(form: Record<string, string>, field: 'adoptedOn' | 'reference', message: string) {
    const res = await live.as('alderman')(url, { form: { intent: 'adopt', versionId, ...form } })
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
    const res = await live.as('alderman')(url, { form: { intent: 'adopt', versionId, adoptedOn: '2026-11-20', reference: 'PHO-2026-14' } })
    expect(res.status).toBe(200)
    expect(await written()).toEqual({ adoptions: 1, audited: 1 })
  })
})
