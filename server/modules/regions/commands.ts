import { rowOfRegion } from '../../lib/region-rows'
import type { Kysely } from 'kysely'
import { inTransaction, type DB } from '../../../db/connect'
import type { OrganisationKind, Role } from '../../../db/schema'
import { randomId } from '../../lib/ids'
import { done, refuse, type Result } from '../../lib/result'
import { iso } from '../../lib/time'
import { can, type Actor } from '../../policy/can'
import { roleFitsOrganisation } from '../../policy/memberships'
import { audit, stamp } from '../audit/audit'
import type { RegionRefusal } from './schemas'

/**
 * Commands on a region's structure. Each takes the database (or a transaction) first, writes its
 * audit entry in the same transaction as the change, and returns a Result (ADR 0017; the reasons
 * and how they are shown are in schemas.ts). The seed and the tests build data with the same
 * functions.
 */

/** The collaboration server, as the commands see it: told whose or which document's access changed. */
export interface AccessNotices {
  accessChanged(change: { docId?: string; userId?: string }): Promise<unknown> | unknown
}

export async function createRegion(db: DB, input: { slug: string; name: string; description?: string; now: Date }) {
  const id = randomId()
  await db
    .insertInto('regions')
    .values({ id, slug: input.slug, name: input.name, description: input.description ?? '', created_at: iso(input.now) })
    .execute()
  return id
}

/**
 * addMembership is a step inside other commands, which check the fit first; a role that does not
 * fit there means something broke, so it throws (and the transaction rolls back).
 */
export class RoleDoesNotFitError extends Error {}

async function organisationKind(db: DB, regionId: string, organisationId: string): Promise<OrganisationKind | undefined> {
  const org = await rowOfRegion(db, 'organisations', regionId, organisationId).select('kind').executeTakeFirst()
  return org?.kind
}

/**
 * A true invariant of the data, not a permission (so it stays here, not in the policy): a region
 * always keeps at least one administrator.
 */
async function isLastAdmin(db: DB, regionId: string, role: Role): Promise<boolean> {
  if (role !== 'region_admin') return false // policy-boundary: invariant (the last administrator stays)
  const { n } = await db
    .selectFrom('memberships')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('region_id', '=', regionId)
    .where('role', '=', 'region_admin') // policy-boundary: invariant (the last administrator stays)
    .executeTakeFirstOrThrow()
  return Number(n) <= 1
}

/**
 * Municipalities and organisations are both named things of a region whose name is unique there;
 * one pair of commands creates and updates either, with its audit entry.
 */
type Named = {
  municipalities: { subject: 'municipality'; fields: { subregion: string } }
  organisations: { subject: 'organisation'; fields: { kind: OrganisationKind } }
}
export type NamedTable = keyof Named
const subjectOf: { [T in NamedTable]: Named[T]['subject'] } = { municipalities: 'municipality', organisations: 'organisation' }
type NamedInput<T extends NamedTable> = { regionId: string; name: string; actorId: string | null; now: Date } & Named[T]['fields']

// kysely cannot type a write to "one of two tables"; the input types above keep the columns right.
const loose = (db: DB) => db as unknown as Kysely<any>

async function nameTaken(db: DB, table: NamedTable, regionId: string, name: string, exceptId?: string) {
  let q = db.selectFrom(table).select('id').where('region_id', '=', regionId).where('name', '=', name)
  if (exceptId) q = q.where('id', '!=', exceptId)
  return Boolean(await q.executeTakeFirst())
}

/**
 * An organisation's new kind must fit every role its current members hold there
 * (`roleFitsOrganisation`): a provider cannot become a municipality while it has provider members.
 */
async function membersFit(db: DB, regionId: string, organisationId: string, kind: OrganisationKind): Promise<boolean> {
  const held = await db
    .selectFrom('memberships')
    .select('role')
    .distinct()
    .where('region_id', '=', regionId)
    .where('organisation_id', '=', organisationId)
    .execute()
  return held.every((m) => roleFitsOrganisation(m.role, kind))
}

async function createNamed<T extends NamedTable>(db: DB, table: T, input: NamedInput<T>): Promise<Result<{ id: string }, RegionRefusal>> {
  const { regionId, name, actorId, now, ...fields } = input
  return inTransaction(db, async (trx) => {
    if (await nameTaken(trx, table, regionId, name)) return refuse('duplicate_name')
    const id = randomId()
    await loose(trx).insertInto(table).values({ id, region_id: regionId, name, created_at: iso(now), ...fields }).execute()
    await audit(trx, stamp(actorId, regionId, now), `${subjectOf[table]}.created`, [subjectOf[table], id], { name, ...fields })
    return done({ id })
  })
}

async function updateNamed<T extends NamedTable>(
  db: DB,
  table: T,
  input: NamedInput<T> & { id: string },
): Promise<Result<{ id: string }, RegionRefusal>> {
  const { regionId, id, name, actorId, now, ...fields } = input
  return inTransaction(db, async (trx) => {
    const exists = await rowOfRegion(trx, table, regionId, id).select('id').executeTakeFirst()
    if (!exists) return refuse('not_found')
    if (await nameTaken(trx, table, regionId, name, id)) return refuse('duplicate_name')
    const kind = (fields as { kind?: OrganisationKind }).kind
    if (kind && !(await membersFit(trx, regionId, id, kind))) return refuse('members_do_not_fit')
    await loose(trx)
      .updateTable(table as string)
      .set({ name, ...(fields as Record<string, string>) })
      .where('id', '=', id)
      .where('region_id', '=', regionId)
      .execute()
    await audit(trx, stamp(actorId, regionId, now), `${subjectOf[table]}.updated`, [subjectOf[table], id], { name, ...fields })
    return done({ id })
  })
}

/** Creates (no id) or updates (id) either kind of named thing of the region. */
export function saveNamed<T extends NamedTable>(
  db: DB,
  table: T,
  input: NamedInput<T> & { id?: string },
): Promise<Result<{ id: string }, RegionRefusal>> {
  const { id, ...rest } = input
  return id ? updateNamed(db, table, { ...(rest as NamedInput<T>), id }) : createNamed(db, table, rest as NamedInput<T>)
}

export const createMunicipality = (db: DB, input: NamedInput<'municipalities'>) => createNamed(db, 'municipalities', input)
export const updateMunicipality = (db: DB, input: NamedInput<'municipalities'> & { id: string }) => updateNamed(db, 'municipalities', input)
export const createOrganisation = (db: DB, input: NamedInput<'organisations'>) => createNamed(db, 'organisations', input)
export const updateOrganisation = (db: DB, input: NamedInput<'organisations'> & { id: string }) => updateNamed(db, 'organisations', input)

/** The membership in which this person holds this role at this organisation of the region, if any. */
function heldMembership(db: DB, held: { userId: string; regionId: string; organisationId: string; role: Role }) {
  return db
    .selectFrom('memberships')
    .select('id')
    .where('user_id', '=', held.userId)
    .where('region_id', '=', held.regionId)
    .where('organisation_id', '=', held.organisationId)
    .where('role', '=', held.role)
    .executeTakeFirst()
}

/**
 * Adds a membership (user, organisation, role) in a region; a no-op when it exists. Throws
 * RoleDoesNotFitError when the role does not fit the organisation: callers check first.
 */
export async function addMembership(
  db: DB,
  input: { userId: string; regionId: string; organisationId: string; role: Role; actorId: string | null; now: Date; via?: string },
): Promise<string> {
  return inTransaction(db, async (trx) => {
    const existing = await heldMembership(trx, input)
    if (existing) return existing.id
    const kind = await organisationKind(trx, input.regionId, input.organisationId)
    if (!kind || !roleFitsOrganisation(input.role, kind)) throw new RoleDoesNotFitError(`${input.role} does not fit this organisation`)
    const id = randomId()
    await trx
      .insertInto('memberships')
      .values({ id, user_id: input.userId, region_id: input.regionId, organisation_id: input.organisationId, role: input.role, created_at: iso(input.now) })
      .execute()
    await audit(trx, stamp(input.actorId, input.regionId, input.now), 'membership.added', ['user', input.userId], {
      organisationId: input.organisationId,
      role: input.role,
      ...(input.via ? { via: input.via } : {}),
    })
    return id
  })
}

type MembershipInput = { regionId: string; membershipId: string; actorId: string; now: Date }
type HeldMembership = { id: string; user_id: string; role: Role; organisation_id: string }
/** What a change to one membership did: the entry to write, nothing (no change), or a refusal. */
type MembershipOutcome = { action: string; data: Record<string, unknown> } | 'unchanged' | RegionRefusal

/**
 * The frame of every change to one membership of a region: find it (not_found otherwise), let
 * `change` write or refuse inside the transaction, audit what it did, and afterwards tell the
 * collaboration server, so the person's open documents re-check what they may do now.
 */
async function changeMembership(
  db: DB,
  input: MembershipInput,
  notices: AccessNotices | undefined,
  change: (trx: DB, m: HeldMembership) => Promise<MembershipOutcome>,
): Promise<Result<{ userId: string }, RegionRefusal>> {
  const result = await inTransaction(db, async (trx): Promise<Result<{ userId: string; changed: boolean }, RegionRefusal>> => {
    const m = await rowOfRegion(trx, 'memberships', input.regionId, input.membershipId)
      .select(['id', 'user_id', 'role', 'organisation_id'])
      .executeTakeFirst()
    if (!m) return refuse('not_found')
    const outcome = await change(trx, m)
    if (outcome === 'unchanged') return done({ userId: m.user_id, changed: false })
    if (typeof outcome === 'string') return refuse(outcome)
    await audit(trx, stamp(input.actorId, input.regionId, input.now), outcome.action, ['user', m.user_id], { organisationId: m.organisation_id, ...outcome.data })
    return done({ userId: m.user_id, changed: true })
  })
  if (!result.ok) return result
  if (result.changed) await notices?.accessChanged({ userId: result.userId })
  return done({ userId: result.userId })
}

/**
 * Changes the role of one membership in this region. Refused for the region's last administrator
 * and when the new role does not fit the membership's organisation; either way nothing is written.
 */
export function changeRole(db: DB, input: MembershipInput & { role: Role }, notices?: AccessNotices) {
  return changeMembership(db, input, notices, async (trx, m) => {
    if (m.role === input.role) return 'unchanged' // policy-boundary: invariant (the same role again changes nothing)
    const kind = await organisationKind(trx, input.regionId, m.organisation_id)
    if (!kind || !roleFitsOrganisation(input.role, kind)) return 'role_does_not_fit'
    if (await isLastAdmin(trx, input.regionId, m.role)) return 'last_admin'
    const clash = await heldMembership(trx, { userId: m.user_id, regionId: input.regionId, organisationId: m.organisation_id, role: input.role })
    if (clash) await trx.deleteFrom('memberships').where('id', '=', m.id).execute()
    else await trx.updateTable('memberships').set({ role: input.role }).where('id', '=', m.id).execute()
    return { action: 'membership.role_changed', data: { from: m.role, to: input.role } }
  })
}

/** Removes one membership of this region, never the last administrator's. */
export function removeMembership(db: DB, input: MembershipInput, notices?: AccessNotices) {
  return changeMembership(db, input, notices, async (trx, m) => {
    if (await isLastAdmin(trx, input.regionId, m.role)) return 'last_admin'
    await trx.deleteFrom('memberships').where('id', '=', m.id).execute()
    return { action: 'membership.removed', data: { role: m.role } }
  })
}

/**
 * The region's settings; for now whether providers may co-draft the leading principles (they
 * comment otherwise). Writes and audits in one transaction, then tells the collaboration server
 * about the region's documents, so open editors re-check who may edit.
 */
export async function updateRegionSettings(
  db: DB,
  notices: AccessNotices,
  input: { actor: Actor; regionId: string; providersMayDraft: boolean; now: Date },
): Promise<Result<{ changed: boolean }, RegionRefusal>> {
  if (!can(input.actor, 'administer', { type: 'region', regionId: input.regionId })) return refuse('forbidden')
  const result = await inTransaction(db, async (trx) => {
    const row = await trx.selectFrom('regions').select('providers_may_draft').where('id', '=', input.regionId).executeTakeFirst()
    if (!row) return refuse('not_found')
    const value = input.providersMayDraft ? 1 : 0
    if (row.providers_may_draft === value) return done({ changed: false, docIds: [] as string[] })
    await trx.updateTable('regions').set({ providers_may_draft: value }).where('id', '=', input.regionId).execute()
    await audit(trx, stamp(input.actor, input.regionId, input.now), 'region.settings_changed', ['region', input.regionId], {
      providersMayDraft: input.providersMayDraft,
    })
    // Which documents the setting matters for is the policy's business: every document of the region re-checks.
    const docs = await trx.selectFrom('documents').select('id').where('region_id', '=', input.regionId).execute()
    return done({ changed: true, docIds: docs.map((d) => d.id) })
  })
  if (!result.ok) return result
  for (const docId of result.docIds) await notices.accessChanged({ docId })
  return done({ changed: result.changed })
}
