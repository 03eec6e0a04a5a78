import type { DB } from '../../../db/connect'
import { sha256Hex } from '../../lib/ids'
import { atLeast, type Actor } from '../../policy/can'
import { holdsPanelMembers, PANEL_ROLE } from '../../policy/memberships'
import { listDocuments } from '../documents/queries'
import { findPrinciplesDocument } from '../principles/content'
import { listOrganisations, regionPeople } from '../regions/queries'
import { codeState, normaliseCode } from './codes'

/** Reads of the panels module: codes, panel members and consent, and a panel member's own home. */

/** The region's panels: the organisations codes are issued for. */
export async function listPanels(db: DB, regionId: string) {
  return (await listOrganisations(db, regionId)).filter(holdsPanelMembers)
}

/** Looks a code up without using it: the form asks for a display name only for new members. */
export async function peekPanelCode(db: DB, code: string, now: Date) {
  const row = await db
    .selectFrom('panel_access_codes')
    .select(['id', 'user_id', 'expires_at', 'used_at', 'revoked_at', 'under_16'])
    .where('code_hash', '=', sha256Hex(normaliseCode(code)))
    .executeTakeFirst()
  if (!row || codeState(row, now) !== 'open') return null
  // A new member under 16 chooses a safe name instead of typing one (ADR 0012).
  return { newMember: !row.user_id, under16: Boolean(row.under_16) }
}

/**
 * The codes issued in a region, newest first, for the coordinators: who a code is for (the member's
 * display name once known), under 16 or not, when it was issued, expires, was used or revoked, and
 * by whom. Never the code itself: only its hash is stored.
 */
export async function listIssuedCodes(db: DB, regionId: string, now: Date) {
  const rows = await db
    .selectFrom('panel_access_codes')
    .innerJoin('organisations', 'organisations.id', 'panel_access_codes.organisation_id')
    .leftJoin('users as member', 'member.id', 'panel_access_codes.user_id')
    .leftJoin('users as issuer', 'issuer.id', 'panel_access_codes.created_by')
    .select([
      'panel_access_codes.id',
      'panel_access_codes.under_16',
      'panel_access_codes.created_at',
      'panel_access_codes.expires_at',
      'panel_access_codes.used_at',
      'panel_access_codes.revoked_at',
      'organisations.name as panel_name',
      'member.name as member_name',
      'issuer.name as issued_by',
    ])
    .where('panel_access_codes.region_id', '=', regionId)
    .orderBy('panel_access_codes.created_at', 'desc')
    .limit(200)
    .execute()
  return rows.map((r) => ({ ...r, under16: Boolean(r.under_16), state: codeState(r, now) }))
}

/** Panel members of the region with their consent state, for the coordinator's page. */
export async function listPanelMembers(db: DB, regionId: string) {
  const members = await regionPeople(db, regionId, { role: PANEL_ROLE, byOrganisation: true })
  const consents = await db
    .selectFrom('guardian_consents')
    .leftJoin('users as recorder', 'recorder.id', 'guardian_consents.recorded_by')
    .select([
      'guardian_consents.id',
      'guardian_consents.user_id',
      'guardian_consents.given_by',
      'guardian_consents.recorded_at',
      'recorder.name as recorded_by_name',
    ])
    .where('guardian_consents.region_id', '=', regionId)
    .where('guardian_consents.withdrawn_at', 'is', null)
    .execute()
  const byUser = new Map(consents.map((c) => [c.user_id, c]))
  // The e-mail address itself stays here: coordinators only need to know whether codes are the way in.
  return members.map((m) => ({
    user_id: m.user_id,
    name: m.name,
    under_16: m.under_16,
    organisation_id: m.organisation_id,
    organisation_name: m.organisation_name,
    signsInWithCode: m.email === null,
    consent: byUser.get(m.user_id) ?? null,
  }))
}

/**
 * A panel member's own home in a region: what is open for their reaction now, how many of their
 * reactions have an answer, and who to ask (the coordinator who gave them their code).
 */
export async function panelHome(db: DB, actor: Actor, regionId: string, now: Date) {
  const [documents, principles, reactions, coordinator] = await Promise.all([
    listDocuments(db, { actor, regionId, now }),
    findPrinciplesDocument(db, regionId),
    db
      .selectFrom('comments')
      .select((eb) => [eb.fn.countAll<number>().as('total'), eb.fn.sum<number>(eb.case().when('disposition', '!=', 'open').then(1).else(0).end()).as('answered')])
      .where('region_id', '=', regionId)
      .where('author_id', '=', actor.userId)
      .executeTakeFirst(),
    db
      .selectFrom('panel_access_codes')
      .innerJoin('users as issuer', 'issuer.id', 'panel_access_codes.created_by')
      .innerJoin('organisations', 'organisations.id', 'panel_access_codes.organisation_id')
      .select(['issuer.name as name', 'organisations.name as panel'])
      .where('panel_access_codes.region_id', '=', regionId)
      .where('panel_access_codes.user_id', '=', actor.userId)
      .orderBy('panel_access_codes.created_at', 'desc')
      .limit(1)
      .executeTakeFirst(),
  ])
  const open = documents.filter((d) => atLeast(d.permission, 'comment'))
  return {
    principlesOpen: Boolean(principles && open.some((d) => d.id === principles.id)),
    otherOpen: open.filter((d) => d.id !== principles?.id).map((d) => ({ id: d.id, title: d.title })),
    reactions: { total: Number(reactions?.total ?? 0), answered: Number(reactions?.answered ?? 0) },
    coordinator: coordinator ?? null,
  }
}
