import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Connection, DB } from '../../../db/connect'
import { freshDb, makeMember, makeOrganisation, makeRegion, T0 } from '../../../tests/support/db'
import { loadActor } from '../../auth/actor'
import { createDocument } from '../documents/commands'
import { findDocument } from '../documents/queries'
import { recordConsent } from '../panels/commands'
import { principlesPage, principlesUpdate } from '../principles/content'
import { commentOnPrinciple, moderate } from './commands'
import { reviewComments } from './queries'

/**
 * The principles page's entry point (one principle, anchored by the module, not the route), the
 * page's query, and the review page's filters: the pieces that used to live in routes.
 */
let conn: Connection
let db: DB
let regionId: string
let docId: string
const ids = {} as Record<'drafter' | 'coordinator' | 'parent' | 'youth' | 'stranger', string>
const sample = {
  title: 'Leidende principes',
  intro: 'Waar we op letten.',
  sections: [
    {
      heading: 'Leidende principes',
      items: [
        { name: 'Normaliseren', text: 'Niet elk probleem vraagt zorg.', summary: 'Opgroeien gaat met ups en downs.' },
        { name: 'Thuis opgroeien', text: 'Kinderen groeien thuis op.', summary: 'Je woont thuis als het kan.' },
      ],
    },
  ],
}
const actor = async (userId: string) => loadActor(db, await db.selectFrom('users').select(['id', 'under_16']).where('id', '=', userId).executeTakeFirstOrThrow())
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000)

beforeEach(async () => {
  conn = await freshDb()
  db = conn.db
  regionId = await makeRegion(db)
  const town = await makeOrganisation(db, regionId, { kind: 'municipality' })
  const panel = await makeOrganisation(db, regionId, { kind: 'panel', name: 'Ouderpanel' })
  ids.drafter = (await makeMember(db, { regionId, organisationId: town, role: 'alderman' })).userId
  ids.coordinator = (await makeMember(db, { regionId, organisationId: town, role: 'civil_servant' })).userId
  ids.parent = (await makeMember(db, { regionId, organisationId: panel, role: 'panel_member', email: null })).userId
  ids.youth = (await makeMember(db, { regionId, organisationId: panel, role: 'panel_member', email: null, under16: true })).userId
  await recordConsent(db, { regionId, userId: ids.youth, givenBy: 'moeder', actorId: ids.coordinator, now: T0 })
  const elsewhere = await makeRegion(db, { name: 'Elders' })
  const otherTown = await makeOrganisation(db, elsewhere, { kind: 'municipality' })
  ids.stranger = (await makeMember(db, { regionId: elsewhere, organisationId: otherTown, role: 'alderman' })).userId
  docId = await createDocument(db, { regionId, kind: 'principles', title: sample.title, actorId: ids.drafter, now: T0, initial: principlesUpdate(sample) })
})
afterEach(() => conn.close())

describe('commentOnPrinciple', () => {
  it('anchors a reaction to the whole text of the chosen principle, under its name', async () => {
    const made = await commentOnPrinciple(db, undefined, { actor: await actor(ids.parent), regionId, principle: 'p1', body: 'Ook bij pleegouders?', now: at(1) })
    expect(made).toMatchObject({ ok: true, moderation: 'visible', principle: 'p1' })
    const row = await db.selectFrom('comments').select(['quote', 'section', 'body']).executeTakeFirstOrThrow()
    expect(row).toEqual({ quote: 'Kinderen groeien thuis op.', section: 'Thuis opgroeien', body: 'Ook bij pleegouders?' })
  })

  it('refuses a principle that is not there, someone from another region, and a region without principles; writes nothing', async () => {
    expect(await commentOnPrinciple(db, undefined, { actor: await actor(ids.parent), regionId, principle: 'p2', body: 'x', now: at(1) })).toEqual({ ok: false, reason: 'no_principle' })
    expect(await commentOnPrinciple(db, undefined, { actor: await actor(ids.stranger), regionId, principle: 'p0', body: 'x', now: at(1) })).toEqual({ ok: false, reason: 'forbidden' })
    const empty = await makeRegion(db, { name: 'Leeg' })
    expect(await commentOnPrinciple(db, undefined, { actor: await actor(ids.parent), regionId: empty, principle: 'p0', body: 'x', now: at(1) })).toEqual({ ok: false, reason: 'not_found' })
    expect(await db.selectFrom('comments').select('id').execute()).toEqual([])
  })
})

describe('principlesPage', () => {
  it('gives each principle with the reactions this person may see, and refuses outsiders', async () => {
    expect(await commentOnPrinciple(db, undefined, { actor: await actor(ids.youth), regionId, principle: 'p0', body: 'Wacht op goedkeuring', now: at(1) })).toMatchObject({ ok: true })
    await commentOnPrinciple(db, undefined, { actor: await actor(ids.parent), regionId, principle: 'p0', body: 'Zichtbaar', now: at(2) })
    const page = await principlesPage(db, undefined, { actor: await actor(ids.parent), regionId, regionSlug: 'geen-demo', now: T0 })
    if (!page.ok) throw new Error(page.reason)
    expect(page.principles.map((p) => [p.key, p.name, p.comments.map((c) => c.body)])).toEqual([
      ['p0', 'Normaliseren', ['Zichtbaar']],
      ['p1', 'Thuis opgroeien', []],
    ])
    expect(page).toMatchObject({ canComment: true, canEdit: false, demo: null })
    expect(await principlesPage(db, undefined, { actor: await actor(ids.stranger), regionId, regionSlug: 'x', now: T0 })).toEqual({ ok: false, reason: 'forbidden' })
  })
})

describe('reviewComments', () => {
  it('filters by state and counts every filter, on what this person may see', async () => {
    const youth = await commentOnPrinciple(db, undefined, { actor: await actor(ids.youth), regionId, principle: 'p0', body: 'Jong', now: at(1) })
    expect(youth).toMatchObject({ ok: true, moderation: 'pending' })
    await commentOnPrinciple(db, undefined, { actor: await actor(ids.parent), regionId, principle: 'p1', body: 'Ouder', now: at(2) })
    const doc = (await findDocument(db, docId))!
    const coordinator = await actor(ids.coordinator)
    const pending = await reviewComments(db, undefined, { actor: coordinator, doc, filter: 'pending', now: T0 })
    expect(pending.sections.map((s) => [s.section, s.comments.map((c) => c.body)])).toEqual([['Normaliseren', ['Jong']]])
    expect(pending.counts).toEqual({ all: 2, open: 1, answered: 0, pending: 1, outdated: 0, orphaned: 0 })
    // The drafter does not see the waiting comment at all, not even in a count.
    expect((await reviewComments(db, undefined, { actor: await actor(ids.drafter), doc, filter: 'all', now: T0 })).counts).toMatchObject({ all: 1, pending: 0 })
    await moderate(db, { actor: coordinator, doc, commentId: youth.ok ? youth.id : '', decision: 'approve', reason: '', now: at(3) })
    expect((await reviewComments(db, undefined, { actor: coordinator, doc, filter: 'open', now: T0 })).counts).toMatchObject({ open: 2, pending: 0 })
  })
})
