import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../server/lib/ids'
import { client, loginAs, sessionFrom, startTestServer, testDialects, type TestServer } from '../support/server'
import { textOf } from '../support/text'

/**
 * Issued panel codes (issue 8, "small things"): coordinators see the codes they issued (who for,
 * under 16 or not, issued, expires, used) but never a code again after issuing, and revoke an
 * unused one: audited, 409 once used, 403 for another region or another role.
 */
const REGION = 'ijmond-zuid-kennemerland'
const OTHER = 'midden-limburg'
const panels = `/regio/${REGION}/panels`

describe.each(testDialects())('issued panel codes on %s', (dialect) => {
  let server: TestServer
  let coordinator: string
  let panelId: string

  beforeAll(async () => {
    server = await startTestServer({ dialect })
    coordinator = await loginAs(server, 'beleidsmedewerker@samenspel.example')
    panelId = (await server.context.db.selectFrom('organisations').select('id').where('name', '=', 'Jongerenpanel IJmond en Zuid-Kennemerland').executeTakeFirstOrThrow()).id
  })
  afterAll(() => server?.close())

  /** Issues a code through the page; returns it with the id of its row. */
  const issue = async (under16: boolean) => {
    const res = await client(server, coordinator)(panels, { form: { intent: 'issue', organisationId: panelId, ...(under16 ? { under16: 'on' } : {}) } })
    expect(res.status).toBe(200)
    const code = (await res.text()).match(/data-testid="panel-code">([A-Z0-9-]+)</)![1]!
    const row = await server.context.db.selectFrom('panel_access_codes').select('id').where('code_hash', '=', sha256Hex(code)).executeTakeFirstOrThrow()
    return { code, id: row.id }
  }
  const revoke = (cookie: string, codeId: string, path = panels) => client(server, cookie)(path, { form: { intent: 'revoke', codeId } })
  const codeRow = (id: string) => server.context.db.selectFrom('panel_access_codes').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  const audited = (id: string) =>
    server.context.db.selectFrom('audit_log').select(['actor_id', 'data']).where('action', '=', 'panel_code.revoked').where('subject_id', '=', id).execute()

  it('lists an issued code with who it is for and whether under 16, never the code itself', async () => {
    const { code } = await issue(true)
    const html = await (await client(server, coordinator)(panels)).text()
    expect(html).not.toContain(code)
    expect(html).not.toContain(code.replace(/-/g, ''))
    const rows = [...html.matchAll(/<tr[^>]*data-testid="issued-code"[^>]*>([\s\S]*?)<\/tr>/g)].map((m) => textOf(m[1]!))
    expect(rows.length).toBeGreaterThan(0)
    expect(rows[0]).toContain('nieuw panellid · Jongerenpanel IJmond en Zuid-Kennemerland')
    expect(rows[0]).toContain('ja')
    expect(rows[0]).toContain('nog niet gebruikt')
    expect(rows[0]).toContain('Esther Koopmanschap')
    expect(rows[0]).toMatch(/Intrekken/)
  })

  it('revokes an unused code: it no longer opens anything, the revocation is audited and shown', async () => {
    const { code, id } = await issue(false)
    const res = await revoke(coordinator, id)
    expect(res.status).toBe(200)
    expect(textOf(await res.text())).toContain('Code ingetrokken.')
    expect((await codeRow(id)).revoked_at).not.toBeNull()
    const entries = await audited(id)
    expect(entries).toHaveLength(1)
    expect(JSON.stringify(entries)).not.toContain(code)
    const tried = await client(server)('/panelcode', { form: { code, displayName: 'Te laat' } })
    expect(tried.status).toBe(400)
    expect(textOf(await tried.text())).toContain('Deze code werkt niet.')
    const html = await (await client(server, coordinator)(panels)).text()
    expect(textOf(html)).toContain('ingetrokken')
    // Revoking again: 409, with the message, and no second entry.
    const again = await revoke(coordinator, id)
    expect(again.status).toBe(409)
    expect(textOf(await again.text())).toContain('Deze code was al ingetrokken.')
    expect(await audited(id)).toHaveLength(1)
  })

  it('refuses to revoke a used code with 409, and the member keeps their account', async () => {
    const { code, id } = await issue(false)
    const used = await client(server)('/panelcode', { form: { code, displayName: 'Lindeboom' } })
    expect(used.status).toBe(302)
    expect(sessionFrom(used)).not.toBeNull()
    const res = await revoke(coordinator, id)
    expect(res.status).toBe(409)
    expect(textOf(await res.text())).toContain('Deze code is al gebruikt en kan niet meer worden ingetrokken.')
    expect((await codeRow(id)).revoked_at).toBeNull()
    expect(await audited(id)).toHaveLength(0)
    const row = textOf(await (await client(server, coordinator)(panels)).text())
    expect(row).toContain('Lindeboom · Jongerenpanel')
  })

  it('answers 403 to someone of another role or another region, and 404 for a code of another region', async () => {
    const { code, id } = await issue(false)
    const alderman = await loginAs(server, 'wethouder@samenspel.example')
    expect((await revoke(alderman, id)).status).toBe(403)
    const provider = await loginAs(server, 'aanbieder@samenspel.example')
    expect((await revoke(provider, id)).status).toBe(403)
    // The coordinator of Midden-Limburg: not in this region, and the code is not in theirs.
    const elsewhere = await loginAs(server, 'beleid.ml@samenspel.example')
    expect((await revoke(elsewhere, id)).status).toBe(403)
    expect((await revoke(elsewhere, id, `/regio/${OTHER}/panels`)).status).toBe(404)
    expect((await codeRow(id)).revoked_at).toBeNull()
    expect(await audited(id)).toHaveLength(0)
    // Bad input: no code id.
    expect((await client(server, coordinator)(panels, { form: { intent: 'revoke', codeId: '' } })).status).toBe(400)
    // Still works for the member.
    const used = await client(server)('/panelcode', { form: { code, displayName: 'Kastanje' } })
    expect(used.status).toBe(302)
  })
})
