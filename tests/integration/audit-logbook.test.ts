import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inTransaction } from '../../db/connect'
import { langCookie } from '../../app/i18n/locale.server'
import { audit, stamp } from '../../server/modules/audit/audit'
import { client, loginAs, startTestServer, testDialects, type TestServer } from '../support/server'

/**
 * The logbook as a civil servant reads it (issue 8): a Dutch sentence per entry with names, the
 * stored record only inside <details>, filters that narrow the list, a CSV download for Dutch Excel
 * that is itself recorded, nothing of another region, and 403 for anyone without the audit log.
 */
const REGION = 'ijmond-zuid-kennemerland'
const OTHER = 'midden-limburg'
const ADMIN = 'regiocoordinator@samenspel.example' // region admin of both regions
const ALDERMAN = 'wethouder@samenspel.example'
const OUTSIDER = 'beleid.ml@samenspel.example'

/** The page as a reader sees it before opening a raw record (no <details>, no hydration data in scripts). */
const outsideDetails = (html: string) => html.replace(/<details[\s\S]*?<\/details>/g, '').replace(/<script[\s\S]*?<\/script>/g, '')
/** The stored actions of the listed entries (from the raw records). */
const listedActions = (html: string) => listed(html, 'action')
const listed = (html: string, field: string) =>
  [...html.matchAll(new RegExp(`<code>${field}</code></dt><dd><code class="audit-data">([^<]*)<`, 'g'))].map((m) => m[1])

describe.each(testDialects())('the logbook on %s', (dialect) => {
  let server: TestServer
  let admin: ReturnType<typeof client>
  let ids: { region: string; other: string; admin: string; alderman: string; town: string; otherOrgs: string[] }
  beforeAll(async () => {
    server = await startTestServer({ dialect })
    const db = server.context.db
    const regions = await db.selectFrom('regions').select(['id', 'slug']).execute()
    const region = regions.find((r) => r.slug === REGION)!.id
    const other = regions.find((r) => r.slug === OTHER)!.id
    const users = await db.selectFrom('users').select(['id', 'email']).where('email', 'in', [ADMIN, ALDERMAN]).execute()
    const town = await db.selectFrom('organisations').select('id').where('region_id', '=', region).where('kind', '=', 'municipality').executeTakeFirstOrThrow()
    const own = new Set((await db.selectFrom('organisations').select('name').where('region_id', '=', region).execute()).map((o) => o.name))
    const otherOrgs = (await db.selectFrom('organisations').select('name').where('region_id', '=', other).execute()).map((o) => o.name).filter((n) => !own.has(n))
    ids = { region, other, admin: users.find((u) => u.email === ADMIN)!.id, alderman: users.find((u) => u.email === ALDERMAN)!.id, town: town.id, otherOrgs }
    // What the admin did in each region (written as the commands write it).
    const at = server.context.clock()
    await inTransaction(db, async (trx) => {
      await audit(trx, stamp(ids.admin, region, at), 'membership.role_changed', ['user', ids.alderman], { organisationId: town.id, from: 'civil_servant', to: 'alderman' })
      await audit(trx, stamp(ids.admin, other, at), 'document.locked', ['document', 'doc-of-midden-limburg'])
    })
    admin = client(server, await loginAs(server, ADMIN))
  })
  afterAll(() => server?.close())

  it('shows a Dutch sentence per entry with names, and no event codes outside the raw record', async () => {
    const res = await admin(`/regio/${REGION}/logboek`)
    expect(res.status).toBe(200)
    const html = await res.text()
    const visible = outsideDetails(html)
    expect(visible).toMatch(/\(regiocoördinator\) heeft de rol van [^<]+ bij [^<]+ gewijzigd van beleidsmedewerker in wethouder\./)
    expect(visible).toContain('toegevoegd als panellid bij')
    for (const code of ['membership.added', 'membership.role_changed', 'organisation.created', 'civil_servant', 'organisationId']) expect(visible).not.toContain(code)
    // The stored record is one click away.
    expect(html).toContain('<summary>Vastgelegde gegevens')
    expect(listedActions(html)).toContain('membership.added')
    expect(visible).not.toMatch(/@samenspel\.example/)
  })

  it('in English for a reader who chose English', async () => {
    const cookie = `${await loginAs(server, ADMIN)}; ${(await langCookie(false).serialize('en')).split(';')[0]}`
    const html = await (await client(server, cookie)(`/regio/${REGION}/logboek`)).text()
    expect(outsideDetails(html)).toMatch(/\(region coordinator\) changed the role of [^<]+ from civil servant to alderman\./)
  })

  it('never shows another region’s entries or names', async () => {
    const html = await (await admin(`/regio/${REGION}/logboek`)).text()
    expect(html).not.toContain('doc-of-midden-limburg')
    expect(ids.otherOrgs.length).toBeGreaterThan(0)
    for (const name of ids.otherOrgs) expect(html).not.toContain(name)
    const csv = await (await admin(`/regio/${REGION}/logboek.csv`)).text()
    expect(csv).not.toContain('doc-of-midden-limburg')
    for (const name of ids.otherOrgs) expect(csv).not.toContain(name)
  })

  it('filters narrow the list: what, who, period', async () => {
    const all = listedActions(await (await admin(`/regio/${REGION}/logboek`)).text())
    expect(new Set(all.map((a) => a!.split('.')[0])).size).toBeGreaterThan(1)
    const members = listedActions(await (await admin(`/regio/${REGION}/logboek?wat=members`)).text())
    expect(members.length).toBeGreaterThan(0)
    expect(members.every((a) => /^(membership|invitation)\./.test(a!))).toBe(true)
    const byAdmin = await (await admin(`/regio/${REGION}/logboek?wie=${ids.admin}`)).text()
    expect(listedActions(byAdmin)).toContain('membership.role_changed')
    expect(listedActions(byAdmin)).not.toContain('membership.added') // the seed's, by the system
    expect(new Set(listed(byAdmin, 'actor_id'))).toEqual(new Set([ids.admin]))
    const later = await (await admin(`/regio/${REGION}/logboek?van=2099-01-01`)).text()
    expect(listedActions(later)).toEqual([])
    expect(later).toContain('Geen regels gevonden met dit filter.')
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Amsterdam' }).format(server.context.clock()) // YYYY-MM-DD
    expect(listedActions(await (await admin(`/regio/${REGION}/logboek?van=2000-01-01&tot=${today}&wat=members&wie=${ids.admin}`)).text())).toEqual(['membership.role_changed'])
  })

  it('pages back by entry, keeping the filter in the link', async () => {
    await inTransaction(server.context.db, async (trx) => {
      for (let i = 0; i < 60; i++) await audit(trx, stamp(null, ids.region, server.context.clock()), 'document.locked', ['document', `doc-${i}`])
    })
    const first = await (await admin(`/regio/${REGION}/logboek`)).text()
    const seqs = listed(first, 'seq').map(Number)
    expect(seqs).toHaveLength(50)
    const older = first.match(/href="[^"?]*(\?voor=(\d+))"[^>]*>Oudere regels</)
    expect(older?.[2]).toBe(String(Math.min(...seqs)))
    const next = listed(await (await admin(`/regio/${REGION}/logboek${older![1]}`)).text(), 'seq').map(Number)
    expect(next.length).toBeGreaterThan(0)
    expect(Math.max(...next)).toBeLessThan(Math.min(...seqs))
    const filtered = await (await admin(`/regio/${REGION}/logboek?wat=documents`)).text()
    expect(filtered.match(/href="[^"?]*\?([^"]+)"[^>]*>Oudere regels</)?.[1]).toMatch(/^wat=documents&amp;voor=\d+$/)
  })

  it('a bad date gets a message at the field and a 400', async () => {
    const res = await admin(`/regio/${REGION}/logboek?van=31-12-2026`)
    expect(res.status).toBe(400)
    const html = await res.text()
    expect(html).toMatch(/id="f-van-error"[^>]*>Vul een geldige datum in\./)
    expect(html).toMatch(/id="f-van"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="f-van"/)
    const reversed = await admin(`/regio/${REGION}/logboek?van=2027-03-10&tot=2027-03-01`)
    expect(reversed.status).toBe(400)
    expect(await reversed.text()).toContain('De einddatum ligt vóór de begindatum.')
  })

  it('downloads the filtered log as CSV for Dutch Excel, and records who downloaded which filter', async () => {
    const res = await admin(`/regio/${REGION}/logboek.csv?wat=members`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="logboek-ijmond-zuid-kennemerland\.csv"/)
    const bytes = new Uint8Array(await res.arrayBuffer())
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const lines = new TextDecoder().decode(bytes).split('\r\n')
    expect(lines[0]).toBe('Tijd;Wie;Wat;Code;Onderwerp;Gegevens')
    const rows = lines.slice(1, -1)
    expect(rows.length).toBeGreaterThan(0)
    for (const r of rows) expect(r).toMatch(/^\d{2}-\d{2}-\d{4} \d{2}:\d{2};[^;]+;.+;(membership|invitation)\.[a-z_]+;/)
    expect(rows.join('\n')).toContain('gewijzigd van beleidsmedewerker in wethouder')
    const entry = await server.context.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'audit.exported')
      .where('region_id', '=', ids.region)
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow()
    expect(entry.actor_id).toBe(ids.admin)
    expect(JSON.parse(entry.data)).toEqual({ filter: { group: 'members' } })
    // And the page says so, in words.
    const html = outsideDetails(await (await admin(`/regio/${REGION}/logboek?wat=system`)).text())
    expect(html).toMatch(/\(regiocoördinator\) heeft het logboek gedownload \(wat: Leden en uitnodigingen\)\./)
  })

  it('an invalid filter of the download gets a Dutch 400 text, and nothing is recorded', async () => {
    const before = await server.context.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', 'audit.exported').executeTakeFirstOrThrow()
    const res = await admin(`/regio/${REGION}/logboek.csv?tot=morgen`)
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(await res.text()).toContain('Het filter van deze download klopt niet.')
    const after = await server.context.db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', 'audit.exported').executeTakeFirstOrThrow()
    expect(Number(after.n)).toBe(Number(before.n))
    expect((await admin(`/regio/bestaat-niet/logboek.csv`)).status).toBe(404)
  })

  it('someone without the audit log gets 403 on page and download, and no data', async () => {
    for (const who of [ALDERMAN, OUTSIDER]) {
      const as = client(server, await loginAs(server, who))
      for (const path of [`/regio/${REGION}/logboek`, `/regio/${REGION}/logboek.csv`, `/regio/${REGION}/logboek?wat=members`]) {
        const res = await as(path)
        expect(res.status, `${who} ${path}`).toBe(403)
        const body = await res.text()
        expect(body).not.toContain('heeft de rol van')
        expect(body).not.toContain('Tijd;Wie')
      }
    }
    const anonymous = await client(server)(`/regio/${REGION}/logboek.csv`)
    expect(anonymous.status).toBe(302)
  })
})
