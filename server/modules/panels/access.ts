import { onlyPanelMember } from '../../policy/memberships'
import { webcrypto } from 'node:crypto'
import { inTransaction, type DB } from '../../../db/connect'
import { invalidateUserSessions } from '../../auth/session'
import { randomId, sha256Hex } from '../../lib/ids'
import { DAY, iso } from '../../lib/time'
import { recordAudit } from '../audit/audit'
import { checkDisplayName } from '../accounts/names'
import { nameInUse } from '../accounts/profile'
import { addMembership } from '../regions/commands'

/**
 * Panel access without e-mail addresses (ADR 0005). A coordinator issues a one-time code for a
 * new member of a panel, or for an existing member to get back in. The member picks a display
 * name on first use; nothing else about them is stored. Members under 16 take part only while a
 * guardian's consent for the region is recorded.
 */
export const CODE_DAYS = 14
// No 0/O, 1/I/L: codes are read aloud and typed by hand.
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'

export function generateCode(): string {
  const bytes = new Uint8Array(12)
  webcrypto.getRandomValues(bytes)
  let out = ''
  for (const b of bytes) out += ALPHABET[b % ALPHABET.length]
  return `${out.slice(0, 4)}-${out.slice(4, 8)}-${out.slice(8, 12)}`
}

/** Upper-cases and strips spaces and dashes, so "abcd efgh jkmn" and "ABCD-EFGH-JKMN" are the same code. */
export function normaliseCode(input: string): string {
  const plain = input.toUpperCase().replace(/[\s-]/g, '')
  return plain.length === 12 ? `${plain.slice(0, 4)}-${plain.slice(4, 8)}-${plain.slice(8, 12)}` : plain
}

/** A re-entry code was asked for someone who is not (only) a panel member of that panel. */
export class NotAPanelMemberError extends Error {}

/**
 * Re-entry codes log someone in without a password, so they are only for people who have nothing
 * else: no e-mail address, no password, and no membership other than panel member of this panel.
 * Otherwise a coordinator could mint a way into an administrator's account.
 */
async function isPanelOnlyMember(db: DB, input: { userId?: string; regionId: string; organisationId: string }) {
  const user = await db.selectFrom('users').select(['email', 'password_hash']).where('id', '=', input.userId!).executeTakeFirst()
  if (!user || user.email !== null || user.password_hash !== null) return false
  const memberships = await db
    .selectFrom('memberships')
    .select(['region_id', 'organisation_id', 'role'])
    .where('user_id', '=', input.userId!)
    .execute()
  return (
    memberships.some((m) => m.region_id === input.regionId && m.organisation_id === input.organisationId) &&
    onlyPanelMember(memberships)
  )
}

export async function issuePanelCode(
  db: DB,
  input: {
    regionId: string
    organisationId: string
    /** for re-entry of an existing member */
    userId?: string
    under16: boolean
    actorId: string
    now: Date
  },
): Promise<{ id: string; code: string; expiresAt: string }> {
  if (input.userId && !(await isPanelOnlyMember(db, input))) throw new NotAPanelMemberError()
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
      })
      .execute()
    await recordAudit(trx, {
      action: 'panel_code.issued',
      subjectType: 'panel_code',
      subjectId: id,
      regionId: input.regionId,
      actorId: input.actorId,
      data: { organisationId: input.organisationId, reentry: Boolean(input.userId), under16: input.under16 },
      at: input.now,
    })
  })
  return { id, code, expiresAt }
}

export type RedeemResult =
  | { ok: true; userId: string; newMember: boolean }
  | { ok: false; reason: 'invalid' | 'name_required' | 'name_not_safe' | 'name_taken' }

/** Looks a code up without using it: the form asks for a display name only for new members. */
export async function peekPanelCode(db: DB, code: string, now: Date) {
  const row = await db
    .selectFrom('panel_access_codes')
    .select(['id', 'user_id', 'expires_at', 'used_at', 'under_16'])
    .where('code_hash', '=', sha256Hex(normaliseCode(code)))
    .executeTakeFirst()
  if (!row || row.used_at || Date.parse(row.expires_at) <= now.getTime()) return null
  // A new member under 16 chooses a safe name instead of typing one (ADR 0012).
  return { newMember: !row.user_id, under16: Boolean(row.under_16) }
}

export async function redeemPanelCode(
  db: DB,
  input: { code: string; displayName?: string; now: Date },
): Promise<RedeemResult> {
  return inTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom('panel_access_codes')
      .selectAll()
      .where('code_hash', '=', sha256Hex(normaliseCode(input.code)))
      .executeTakeFirst()
    if (!row || row.used_at || Date.parse(row.expires_at) <= input.now.getTime()) {
      return { ok: false as const, reason: 'invalid' as const }
    }
    if (!row.user_id && !input.displayName) return { ok: false as const, reason: 'name_required' as const }
    if (!row.user_id && row.under_16) {
      // Members under 16 are shown by a safe name only, never free text (ADR 0012).
      if (!checkDisplayName({ under16: true, name: input.displayName! }).ok) return { ok: false as const, reason: 'name_not_safe' as const }
      if (await nameInUse(trx, input.displayName!.trim())) return { ok: false as const, reason: 'name_taken' as const }
    }
    const claimed = await trx
      .updateTable('panel_access_codes')
      .set({ used_at: iso(input.now) })
      .where('id', '=', row.id)
      .where('used_at', 'is', null)
      .executeTakeFirst()
    if (Number(claimed.numUpdatedRows) !== 1) return { ok: false as const, reason: 'invalid' as const }

    let userId = row.user_id
    const newMember = !userId
    if (!userId) {
      userId = randomId()
      await trx
        .insertInto('users')
        .values({
          id: userId,
          email: null,
          name: input.displayName!.trim(),
          password_hash: null,
          under_16: row.under_16,
          created_at: iso(input.now),
        })
        .execute()
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
    await recordAudit(trx, {
      action: 'panel_code.used',
      subjectType: 'panel_code',
      subjectId: row.id,
      regionId: row.region_id,
      actorId: userId,
      data: { newMember },
      at: input.now,
    })
    return { ok: true as const, userId, newMember }
  })
}

/** Panel members of the region with their consent state, for the coordinator's page. */
export async function listPanelMembers(db: DB, regionId: string) {
  const members = await db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .innerJoin('organisations', 'organisations.id', 'memberships.organisation_id')
    .select([
      'users.id as user_id',
      'users.name',
      'users.under_16',
      'users.email',
      'organisations.id as organisation_id',
      'organisations.name as organisation_name',
    ])
    .where('memberships.region_id', '=', regionId)
    .where('memberships.role', '=', 'panel_member')
    .orderBy('organisations.name')
    .orderBy('users.name')
    .execute()
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
  return members.map(({ email, ...m }) => ({ ...m, signsInWithCode: email === null, consent: byUser.get(m.user_id) ?? null }))
}

async function findPanelMember(db: DB, regionId: string, userId: string) {
  return db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.id', 'users.under_16'])
    .where('memberships.region_id', '=', regionId)
    .where('memberships.user_id', '=', userId)
    .where('memberships.role', '=', 'panel_member')
    .executeTakeFirst()
}

export type ConsentResult = { ok: true } | { ok: false; reason: 'not_found' | 'not_under_16' | 'already' | 'none' }

export async function recordConsent(
  db: DB,
  input: { regionId: string; userId: string; givenBy: string; actorId: string; now: Date },
): Promise<ConsentResult> {
  return inTransaction(db, async (trx) => {
    const member = await findPanelMember(trx, input.regionId, input.userId)
    if (!member) return { ok: false as const, reason: 'not_found' as const }
    if (!member.under_16) return { ok: false as const, reason: 'not_under_16' as const }
    const active = await trx
      .selectFrom('guardian_consents')
      .select('id')
      .where('user_id', '=', input.userId)
      .where('region_id', '=', input.regionId)
      .where('withdrawn_at', 'is', null)
      .executeTakeFirst()
    if (active) return { ok: false as const, reason: 'already' as const }
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
    await recordAudit(trx, {
      action: 'consent.recorded',
      subjectType: 'user',
      subjectId: input.userId,
      regionId: input.regionId,
      actorId: input.actorId,
      data: { consentId: id },
      at: input.now,
    })
    return { ok: true as const }
  })
}

/** Withdraws consent; the member's sessions end at once, so they lose access immediately. */
export async function withdrawConsent(
  db: DB,
  input: { regionId: string; userId: string; actorId: string; now: Date },
): Promise<ConsentResult> {
  return inTransaction(db, async (trx) => {
    const res = await trx
      .updateTable('guardian_consents')
      .set({ withdrawn_at: iso(input.now), withdrawn_by: input.actorId })
      .where('user_id', '=', input.userId)
      .where('region_id', '=', input.regionId)
      .where('withdrawn_at', 'is', null)
      .executeTakeFirst()
    if (Number(res.numUpdatedRows) === 0) return { ok: false as const, reason: 'none' as const }
    await invalidateUserSessions(trx, input.userId)
    await recordAudit(trx, {
      action: 'consent.withdrawn',
      subjectType: 'user',
      subjectId: input.userId,
      regionId: input.regionId,
      actorId: input.actorId,
      at: input.now,
    })
    return { ok: true as const }
  })
}
