import { rowOfRegion } from '../../lib/region-rows'
import { inTransaction, type DB } from '../../../db/connect'
import { invalidateUserSessions } from '../../auth/session'
import { randomId, sha256Hex } from '../../lib/ids'
import { done, refuse, type Result } from '../../lib/result'
import { DAY, iso } from '../../lib/time'
import { can, type Actor } from '../../policy/can'
import { holdsPanelMembers, onlyPanelMember, PANEL_ROLE } from '../../policy/memberships'
import { audit, stamp } from '../audit/audit'
import { createUser } from '../accounts/commands'
import { checkDisplayName } from '../accounts/names'
import { nameInUse } from '../accounts/queries'
import { addMembership, type AccessNotices } from '../regions/commands'
import { findOrganisation } from '../regions/queries'
import { CODE_DAYS, codeState, generateCode, normaliseCode } from './codes'
import type { PanelRefusal } from './schemas'

/**
 * Panel access without e-mail addresses (ADR 0005). A coordinator issues a one-time code for a
 * new member of a panel, or for an existing member to get back in. The member picks a display
 * name on first use; nothing else about them is stored. Members under 16 take part only while a
 * guardian's consent for the region is recorded. Every command returns a Result (ADR 0017).
 */
export { CODE_DAYS, generateCode, normaliseCode } from './codes'

type By = { regionId: string; actorId: string; now: Date }
type Issued = { id: string; code: string; expiresAt: string }

/**
 * Re-entry codes log someone in without a password, so they are only for people who have nothing
 * else: no e-mail address, no password, and no membership other than panel member of this panel.
 * Otherwise a coordinator could mint a way into an administrator's account.
 */
async function isPanelOnlyMember(db: DB, input: { userId: string; regionId: string; organisationId: string }) {
  const user = await db.selectFrom('users').select(['email', 'password_hash']).where('id', '=', input.userId).executeTakeFirst()
  if (!user || user.email !== null || user.password_hash !== null) return false
  const memberships = await db.selectFrom('memberships').select(['region_id', 'organisation_id', 'role']).where('user_id', '=', input.userId).execute()
  return memberships.some((m) => m.region_id === input.regionId && m.organisation_id === input.organisationId) && onlyPanelMember(memberships)
}

/** Issues a code for a panel of the region: for a new member, or (userId) for a member to get back in. */
export async function issuePanelCode(
  db: DB,
  input: By & { organisationId: string; userId?: string; under16: boolean },
): Promise<Result<Issued, PanelRefusal>> {
  const panel = await findOrganisation(db, input.regionId, input.organisationId)
  if (!panel || !holdsPanelMembers(panel)) return refuse('not_a_panel')
  if (input.userId && !(await isPanelOnlyMember(db, { ...input, userId: input.userId }))) return refuse('not_panel_only')
  const code = generateCode()
  const id = randomId()
  const expiresAt = iso(new Date(input.now.getTime() + CODE_DAYS * DAY))
  await inTransaction(db, async (trx) => {
    await trx
      .insertInto('panel_access_codes')
      .values({
        id,
        region_id: input.regionId,
        organisation_id: input.organisationId,
        code_hash: sha256Hex(code),
        user_id: input.userId ?? null,
        under_16: input.under16 ? 1 : 0,
        created_by: input.actorId,
        created_at: iso(input.now),
        expires_at: expiresAt,
        used_at: null,
        revoked_at: null,
        revoked_by: null,
      })
      .execute()
    await audit(trx, stamp(input.actorId, input.regionId, input.now), 'panel_code.issued', ['panel_code', id], {
      organisationId: input.organisationId,
      reentry: Boolean(input.userId),
      under16: input.under16,
    })
  })
  return done({ id, code, expiresAt })
}

/** A code for a panel member of the region to get back in: their own panel, their own age group. */
export async function issueReentryCode(db: DB, input: By & { userId: string }): Promise<Result<Issued, PanelRefusal | 'not_found'>> {
  const member = await findPanelMember(db, input.regionId, input.userId)
  if (!member) return refuse('not_found')
  return issuePanelCode(db, { ...input, organisationId: member.organisation_id, under16: Boolean(member.under_16) })
}

/**
 * Revokes a code that has not been used, so it opens nothing any more; the row stays for the list.
 * Only a panel coordinator of the code's region may; a used code cannot be revoked (409).
 */
export async function revokePanelCode(
  db: DB,
  input: { actor: Actor; regionId: string; codeId: string; now: Date },
): Promise<Result<object, PanelRefusal | 'forbidden' | 'not_found'>> {
  if (!can(input.actor, 'manage', { type: 'panelAccess', regionId: input.regionId })) return refuse('forbidden')
  return inTransaction(db, async (trx) => {
    const row = await rowOfRegion(trx, 'panel_access_codes', input.regionId, input.codeId)
      .select(['id', 'used_at', 'revoked_at', 'expires_at'])
      .executeTakeFirst()
    if (!row) return refuse('not_found')
    const state = codeState(row, input.now)
    if (state === 'used') return refuse('code_used')
    if (state === 'revoked') return refuse('code_revoked')
    const res = await trx
      .updateTable('panel_access_codes')
      .set({ revoked_at: iso(input.now), revoked_by: input.actor.userId })
      .where('id', '=', row.id)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    // A member using the code at this very moment wins: it was not revoked.
    if (Number(res.numUpdatedRows) !== 1) return refuse('code_used')
    await audit(trx, stamp(input.actor, input.regionId, input.now), 'panel_code.revoked', ['panel_code', row.id], { wasExpired: state === 'expired' })
    return done()
  })
}

export async function redeemPanelCode(
  db: DB,
  input: { code: string; displayName?: string; now: Date },
): Promise<Result<{ userId: string; newMember: boolean }, PanelRefusal>> {
  return inTransaction(db, async (trx): Promise<Result<{ userId: string; newMember: boolean }, PanelRefusal>> => {
    const row = await trx.selectFrom('panel_access_codes').selectAll().where('code_hash', '=', sha256Hex(normaliseCode(input.code))).executeTakeFirst()
    if (!row || codeState(row, input.now) !== 'open') return refuse('invalid_code')
    const name = input.displayName?.trim() ?? ''
    if (!row.user_id && !name) return refuse('name_required')
    if (!row.user_id && row.under_16) {
      // Members under 16 are shown by a safe name only, never free text (ADR 0012).
      if (!checkDisplayName({ under16: true, name }).ok) return refuse('name_not_safe')
      if (await nameInUse(trx, name)) return refuse('name_taken')
    }
    const claimed = await trx
      .updateTable('panel_access_codes')
      .set({ used_at: iso(input.now) })
      .where('id', '=', row.id)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    if (Number(claimed.numUpdatedRows) !== 1) return refuse('invalid_code')

    const newMember = !row.user_id
    const userId = row.user_id ?? (await createUser(trx, { email: null, name, passwordHash: null, under16: Boolean(row.under_16), now: input.now }))
    if (newMember) {
      await trx.updateTable('panel_access_codes').set({ user_id: userId }).where('id', '=', row.id).execute()
      await addMembership(trx, {
        userId,
        regionId: row.region_id,
        organisationId: row.organisation_id,
        role: 'panel_member',
        actorId: row.created_by,
        now: input.now,
        via: 'panel_code',
      })
    }
    await audit(trx, stamp(userId, row.region_id, input.now), 'panel_code.used', ['panel_code', row.id], { newMember })
    return done({ userId, newMember })
  })
}

function findPanelMember(db: DB, regionId: string, userId: string) {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.id', 'users.under_16', 'memberships.organisation_id'])
    .where('memberships.region_id', '=', regionId)
    .where('memberships.user_id', '=', userId)
    .where('memberships.role', '=', PANEL_ROLE)
    .executeTakeFirst()
}

export async function recordConsent(
  db: DB,
  input: By & { userId: string; givenBy: string },
): Promise<Result<object, PanelRefusal | 'not_found'>> {
  return inTransaction(db, async (trx) => {
    const member = await findPanelMember(trx, input.regionId, input.userId)
    if (!member) return refuse('not_found')
    if (!member.under_16) return refuse('not_under_16')
    const active = await trx
      .selectFrom('guardian_consents')
      .select('id')
      .where('user_id', '=', input.userId)
      .where('region_id', '=', input.regionId)
      .where('withdrawn_at', 'is', null)
      .executeTakeFirst()
    if (active) return refuse('already_consented')
    const id = randomId()
    await trx
      .insertInto('guardian_consents')
      .values({
        id,
        user_id: input.userId,
        region_id: input.regionId,
        given_by: input.givenBy,
        recorded_by: input.actorId,
        recorded_at: iso(input.now),
        withdrawn_at: null,
        withdrawn_by: null,
      })
      .execute()
    await audit(trx, stamp(input.actorId, input.regionId, input.now), 'consent.recorded', ['user', input.userId], { consentId: id })
    return done()
  })
}

/** Withdraws consent; the member's sessions end at once and their open documents close. */
export async function withdrawConsent(db: DB, input: By & { userId: string }, notices?: AccessNotices): Promise<Result<object, PanelRefusal>> {
  const result = await inTransaction(db, async (trx) => {
    const res = await trx
      .updateTable('guardian_consents')
      .set({ withdrawn_at: iso(input.now), withdrawn_by: input.actorId })
      .where('user_id', '=', input.userId)
      .where('region_id', '=', input.regionId)
      .where('withdrawn_at', 'is', null)
      .executeTakeFirst()
    if (Number(res.numUpdatedRows) === 0) return refuse('no_consent')
    await invalidateUserSessions(trx, input.userId)
    await audit(trx, stamp(input.actorId, input.regionId, input.now), 'consent.withdrawn', ['user', input.userId])
    return done()
  })
  if (result.ok) await notices?.accessChanged({ userId: input.userId })
  return result
}
