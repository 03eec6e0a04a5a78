import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Connection, DB } from '../../../db/connect'
import { countingQueries, freshDb, makeMember, makeOrganisation, makeRegion, makeUser, T0, writeAudit } from '../../../tests/support/db'
import { randomId } from '../../lib/ids'
import { SEAL_ACTION } from './audit'
import { auditEvents, describeEvent, isKnownAction, noNames, type EntryFacts } from './events'
import { auditPage, listAudit, resolveNames } from './queries'

/**
 * The sentences of the logbook: names instead of ids, roles and kinds in the reader's language, a
 * panel member under 16 by display name only, an unknown action neutral with its code, and every
 * action the source writes has a sentence.
 */
let conn: Connection
let db: DB
let regionId: string
const ids = {} as Record<'admin' | 'alderman' | 'youth' | 'town' | 'panel' | 'doc' | 'version', string>

beforeEach(async () => {
  conn = await freshDb()
  db = conn.db
  regionId = await makeRegion(db)
  ids.town = await makeOrganisation(db, regionId, { name: 'Gemeente Dordrecht', kind: 'municipality' })
  ids.panel = await makeOrganisation(db, regionId, { name: 'Jongerenpanel ZHZ', kind: 'panel' })
  ids.admin = await makeUser(db, { name: 'Anna de Vries', email: 'anna@example.test' })
  await db
    .insertInto('memberships')
    .values({ id: randomId(), user_id: ids.admin, region_id: regionId, organisation_id: ids.town, role: 'region_admin', created_at: T0.toISOString() })
    .execute()
  ids.alderman = await makeUser(db, { name: 'Piet Jansen', email: 'piet@example.test' })
  ids.youth = (await makeMember(db, { regionId, organisationId: ids.panel, role: 'panel_member', under16: true, email: 'kind@example.test' })).userId
  await db.updateTable('users').set({ name: 'Vrolijke Vos' }).where('id', '=', ids.youth).execute()
  ids.doc = randomId()
  await db
    .insertInto('documents')
    .values({ id: ids.doc, region_id: regionId, kind: 'principles', title: 'Leidende principes', owner_organisation_id: null, status: 'draft', locked_at: null, last_seq: 0, created_by: ids.admin, created_at: T0.toISOString() })
    .execute()
  ids.version = randomId()
  await db
    .insertInto('doc_versions')
    .values({ id: ids.version, doc_id: ids.doc, label: 'Concept voor het PHO; versie 2', state: new Uint8Array(), created_by: ids.admin, created_at: T0.toISOString() })
    .execute()
})
afterEach(() => conn.close())

async function write(action: string, subject: [string, string | null], data: Record<string, unknown> = {}, actorId: string | null = ids.admin) {
  await writeAudit(db, { action, subjectType: subject[0], subjectId: subject[1], regionId, actorId, data, at: T0 })
}

/** The sentence of the newest entry of the region, in both languages. */
async function newest() {
  const [row] = await listAudit(db, regionId, { limit: 1 })
  const names = await resolveNames(db, regionId, [row!])
  return { nl: describeEvent('nl', names, row!), en: describeEvent('en', names, row!) }
}

describe('sentences', () => {
  it('a membership: who added whom, as which role, at which organisation, in Dutch and English', async () => {
    await write('membership.added', ['user', ids.alderman], { organisationId: ids.town, role: 'alderman' })
    const s = await newest()
    expect(s.nl).toBe('Anna de Vries (regiocoördinator) heeft Piet Jansen toegevoegd als wethouder bij Gemeente Dordrecht.')
    expect(s.en).toBe('Anna de Vries (region coordinator) added Piet Jansen as alderman at Gemeente Dordrecht.')
  })

  it('a role change names both roles through the i18n keys', async () => {
    await write('membership.role_changed', ['user', ids.alderman], { organisationId: ids.town, from: 'civil_servant', to: 'alderman' })
    const s = await newest()
    expect(s.nl).toBe('Anna de Vries (regiocoördinator) heeft de rol van Piet Jansen bij Gemeente Dordrecht gewijzigd van beleidsmedewerker in wethouder.')
    expect(s.en).toContain('from civil servant to alderman')
  })

  it('a panel code for under-16s, by the system', async () => {
    await write('panel_code.issued', ['panel_code', randomId()], { organisationId: ids.panel, reentry: false, under16: true }, null)
    const s = await newest()
    expect(s.nl).toBe('Het systeem heeft een panelcode uitgegeven voor Jongerenpanel ZHZ (onder 16).')
    expect(s.en).toBe('The system issued a panel code for Jongerenpanel ZHZ (under 16).')
  })

  it('a panel member under 16 appears by display name only: no role, no organisation of theirs, no e-mail', async () => {
    await write('comment.approved', ['comment', null], {}, ids.youth)
    await write('consent.recorded', ['user', ids.youth], { consentId: randomId() })
    const rows = await listAudit(db, regionId, { limit: 2 })
    const names = await resolveNames(db, regionId, rows)
    const [consent, approved] = rows.map((r) => describeEvent('nl', names, r))
    expect(approved).toMatch(/^Vrolijke Vos heeft een reactie/)
    expect(approved).not.toContain('panellid')
    expect(consent).toBe('Anna de Vries (regiocoördinator) heeft de toestemming van een ouder of voogd voor Vrolijke Vos vastgelegd.')
    for (const s of [consent, approved]) expect(s).not.toMatch(/@|example\.test/)
  })

  it('documents and versions by their names; the adoption date as a calendar date', async () => {
    await write('document.adopted', ['document', ids.doc], { versionId: ids.version, adoptedOn: '2027-02-14', reference: 'PHO-2027-03' })
    const s = await newest()
    expect(s.nl).toBe(
      'Anna de Vries (regiocoördinator) heeft vastgelegd dat versie “Concept voor het PHO; versie 2” van “Leidende principes” is vastgesteld op 14 februari 2027 (kenmerk PHO-2027-03).',
    )
    expect(s.en).toContain('was adopted on 14 February 2027 (reference PHO-2027-03)')
  })

  it('a disposition and a login method through their i18n keys, never the English enum value', async () => {
    await write('comment.disposition_set', ['comment', null], { disposition: 'partly_adopted', versionId: ids.version })
    const s = await newest()
    expect(s.nl).toContain('deels overgenomen, verwerkt in versie “Concept voor het PHO; versie 2”')
    expect(s.nl).not.toContain('partly_adopted')
    await write('auth.login_failed', ['user', null], { reason: 'unknown_account' }, null)
    expect((await newest()).nl).toBe('Aanmelden mislukt voor een onbekend account: geen account met dit adres.')
  })

  it('an export names its filter in words', async () => {
    await write('audit.exported', ['region', regionId], { filter: { actorId: ids.alderman, group: 'members', from: '2027-03-01' } })
    const s = await newest()
    expect(s.nl).toBe('Anna de Vries (regiocoördinator) heeft het logboek gedownload (wie: Piet Jansen, wat: Leden en uitnodigingen, vanaf 1 maart 2027).')
    expect(s.en).toBe('Anna de Vries (region coordinator) downloaded the audit log (who: Piet Jansen, what: Members and invitations, from 1 March 2027).')
  })

  it('an id of another region is not resolved: it reads as unknown', async () => {
    const other = await makeRegion(db)
    const foreign = await makeOrganisation(db, other, { name: 'Geheime Gemeente' })
    await write('membership.added', ['user', ids.alderman], { organisationId: foreign, role: 'alderman' })
    const s = await newest()
    expect(s.nl).not.toContain('Geheime Gemeente')
    expect(s.nl).toContain('bij een onbekende organisatie')
  })

  it('an unknown action reads as a neutral sentence with its code', () => {
    const e: EntryFacts = { action: 'dialogue.round_opened', actor_id: null, subject_type: 'round', subject_id: 'r1', data: '{"phase":"open"}' }
    expect(describeEvent('nl', noNames, e)).toBe('Het systeem: een gebeurtenis zonder beschrijving (code dialogue.round_opened).')
    expect(describeEvent('en', noNames, e)).toBe('The system: an event without a description (code dialogue.round_opened).')
  })

  it('names a page with a fixed number of queries, however many entries it has', async () => {
    for (let i = 0; i < 40; i++) {
      const u = await makeUser(db, { name: `Lid ${i}` })
      await write('membership.added', ['user', u], { organisationId: ids.town, role: 'civil_servant' })
    }
    const counted = countingQueries(db)
    const few = await listAudit(db, regionId, { limit: 3 })
    await resolveNames(counted.db, regionId, few)
    const forFew = counted.count()
    counted.reset()
    const page = await auditPage(counted.db, regionId, { filter: {}, limit: 40, locale: 'nl' })
    expect(page.entries).toHaveLength(40)
    expect(page.entries.every((e) => !e.sentence.includes('onbekend'))).toBe(true)
    expect(counted.count()).toBeLessThanOrEqual(forFew + 1) // the listing itself, then the same batch of lookups
    expect(counted.count()).toBeLessThan(10)
  })
})

/* ------------------------------------------------------------------------------------------------
 * Every action the source writes has a sentence.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..')

/** Actions built from a template, and what they become (tell this list when you add one). */
const DYNAMIC: Record<string, string[]> = {
  '${subjectOf[table]}.created': ['municipality.created', 'organisation.created'],
  '${subjectOf[table]}.updated': ['municipality.updated', 'organisation.updated'],
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name)
    if (d.isDirectory()) return d.name === 'node_modules' || d.name === 'build' ? [] : sourceFiles(p)
    return /\.tsx?$/.test(d.name) && !/\.test\.tsx?$/.test(d.name) ? [p] : []
  })
}

/** The action strings of every recordAudit({ action: … }) and audit(trx, stamp, 'action', …) call. */
export function actionsInSource(): { literal: Set<string>; dynamic: Set<string> } {
  const literal = new Set<string>()
  const dynamic = new Set<string>()
  for (const file of ['server', 'app', 'db'].flatMap((d) => sourceFiles(path.join(root, d)))) {
    const text = fs.readFileSync(file, 'utf8')
    const found: string[] = []
    for (const m of text.matchAll(/recordAudit\(\s*trx\s*,\s*\{[\s\S]*?\baction:\s*([^\n]+)/g)) found.push(m[1]!)
    for (const m of text.matchAll(/\baudit\(\s*trx\s*,([\s\S]*?),\s*\[/g)) found.push(m[1]!)
    for (const expr of found) {
      for (const l of expr.matchAll(/'([a-z_]+\.[a-z_]+)'/g)) literal.add(l[1]!)
      for (const t of expr.matchAll(/`([^`]*)`/g)) dynamic.add(t[1]!)
    }
  }
  return { literal, dynamic }
}

describe('the catalogue covers the source', () => {
  it('every action written anywhere has a Dutch and an English sentence', () => {
    const { literal, dynamic } = actionsInSource()
    // The scan must find the actions it is there to check (not pass on an empty list).
    for (const a of ['membership.added', 'auth.login', 'auth.login_failed', 'document.locked', 'document.unlocked', 'comment.hidden', 'panel_code.issued']) {
      expect(literal, a).toContain(a)
    }
    expect(literal.size).toBeGreaterThan(20)
    const actions = new Set([...literal, SEAL_ACTION, 'audit.exported'])
    for (const t of dynamic) {
      expect(DYNAMIC, `a dynamic action \`${t}\`: list what it becomes in DYNAMIC`).toHaveProperty([t])
      for (const a of DYNAMIC[t]!) actions.add(a)
    }
    const missing = [...actions].filter((a) => !isKnownAction(a))
    expect(missing, 'actions without a sentence in server/modules/audit/events.ts').toEqual([])
  })

  it('every sentence has both languages, names its actor, and no placeholder the vars do not fill', () => {
    const known = new Set(['actor', 'user', 'organisation', 'role', 'from', 'to', 'document', 'docKind', 'version', 'name', 'kind', 'count', 'date', 'reference', 'method', 'reason', 'disposition', 'under16', 'automatic', 'settings', 'filter', 'code'])
    for (const [action, e] of Object.entries(auditEvents)) {
      for (const text of [e.nl, e.en]) {
        expect(text, action).toMatch(/\{actor\}|^Aanmelden|^Signing/)
        for (const m of text.matchAll(/\{(\w+)\}/g)) expect(known, `${action}: {${m[1]}}`).toContain(m[1])
      }
      expect(e.nl).not.toBe(e.en)
    }
  })
})
