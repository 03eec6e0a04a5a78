import { PostgresAdapter, sql } from 'kysely'
import { inTransaction, type DB } from '../../../db/connect'
import type { Role } from '../../../db/schema'
import { hashPassword } from '../../auth/password'
import { randomId, sha256Hex } from '../../lib/ids'
import { DAY, iso } from '../../lib/time'
import { roleFitsOrganisation, roleIsInvitable } from '../../policy/memberships'
import { recordAudit } from '../audit/audit'
import { addMembership } from '../regions/commands'

/**
 * Invitations: a region administrator invites an e-mail address to an organisation and role. The
 * link carries a single-use token (only its hash is stored) that expires after 7 days. The invitee
 * sets a name and password, or confirms with their password when the address already has an account.
 */
export const INVITATION_DAYS = 7

export type IssueResult =
  | { ok: true; id: string; token: string }
  | { ok: false; reason: 'organisation_not_found' | 'role_does_not_fit' }
  | { ok: false; reason: 'already_invited'; expiresAt: string }

/**
 * Issues an invitation. Refused, with nothing written, when the organisation is not in the region,
 * when the role does not fit it (server/policy/memberships.ts), or when the address already has an
 * open invitation in this region: a second link would leave two ways in, and the administrator
 * would not know which one counts. To send a new link, revoke the open one first.
 */
export async function issueInvitation(
  db: DB,
  input: { regionId: string; organisationId: string; role: Role; email: string; actorId: string; now: Date },
): Promise<IssueResult> {
  const token = randomId(20)
  const id = randomId()
  const email = input.email.trim().toLowerCase()
  return inTransaction(db, async (trx): Promise<IssueResult> => {
    // Two administrators inviting the same address at once: the second waits, then sees the first.
    // (SQLite runs one write transaction at a time already.)
    if (trx.getExecutor().adapter instanceof PostgresAdapter) {
      await sql`select pg_advisory_xact_lock(hashtext(${`invitation:${input.regionId}:${email}`}))`.execute(trx)
    }
    const org = await trx
      .selectFrom('organisations')
      .select('kind')
      .where('id', '=', input.organisationId)
      .where('region_id', '=', input.regionId)
      .executeTakeFirst()
    if (!org) return { ok: false, reason: 'organisation_not_found' }
    if (!roleFitsOrganisation(input.role, org.kind) || !roleIsInvitable(input.role)) return { ok: false, reason: 'role_does_not_fit' }
    const open = await trx
      .selectFrom('invitations')
      .select('expires_at')
      .where('region_id', '=', input.regionId)
      .where('email', '=', email)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', iso(input.now))
      .orderBy('expires_at', 'desc')
      .executeTakeFirst()
    if (open) return { ok: false, reason: 'already_invited', expiresAt: open.expires_at }
    await trx
      .insertInto('invitations')
      .values({
        id,
        region_id: input.regionId,
        organisation_id: input.organisationId,
        role: input.role,
        email,
        token_hash: sha256Hex(token),
        invited_by: input.actorId,
        created_at: iso(input.now),
        expires_at: iso(new Date(input.now.getTime() + INVITATION_DAYS * DAY)),
        accepted_at: null,
        accepted_by: null,
        revoked_at: null,
      })
      .execute()
    await recordAudit(trx, {
      action: 'invitation.issued',
      subjectType: 'invitation',
      subjectId: id,
      regionId: input.regionId,
      actorId: input.actorId,
      data: { organisationId: input.organisationId, role: input.role },
      at: input.now,
    })
    return { ok: true, id, token }
  })
}

export type InvitationState = 'open' | 'expired' | 'used' | 'revoked' | 'unknown'

export async function findInvitationByToken(db: DB, token: string, now: Date) {
  if (!/^[a-z2-7]{32}$/.test(token)) return { state: 'unknown' as const }
  const inv = await db
    .selectFrom('invitations')
    .innerJoin('regions', 'regions.id', 'invitations.region_id')
    .innerJoin('organisations', 'organisations.id', 'invitations.organisation_id')
    .select([
      'invitations.id',
      'invitations.email',
      'invitations.role',
      'invitations.region_id',
      'invitations.organisation_id',
      'invitations.expires_at',
      'invitations.accepted_at',
      'invitations.revoked_at',
      'regions.name as region_name',
      'regions.slug as region_slug',
      'organisations.name as organisation_name',
    ])
    .where('invitations.token_hash', '=', sha256Hex(token))
    .executeTakeFirst()
  if (!inv) return { state: 'unknown' as const }
  const state: InvitationState = inv.revoked_at
    ? 'revoked'
    : inv.accepted_at
      ? 'used'
      : Date.parse(inv.expires_at) <= now.getTime()
        ? 'expired'
        : 'open'
  const existing = await db.selectFrom('users').select('id').where('email', '=', inv.email).executeTakeFirst()
  return { state, invitation: inv, hasAccount: Boolean(existing) }
}

export type AcceptResult =
  | { ok: true; userId: string; regionSlug: string }
  | { ok: false; reason: 'not_open' | 'login_required' | 'wrong_account' | 'account_exists' }

/**
 * Accepts an open invitation, adding the membership and marking the invitation used in one
 * transaction; the `accepted_at is null` condition makes a second, concurrent use fail.
 * A new address gets an account with the chosen name and password. An address that already has an
 * account accepts only while logged in as that account (`asUserId`): the link is never a way to
 * try someone's password, and whoever holds the link (the admin, say) cannot take the account over.
 */
export async function acceptInvitation(
  db: DB,
  input: { token: string; now: Date } & ({ asUserId: string } | { name: string; password: string }),
): Promise<AcceptResult> {
  const found = await findInvitationByToken(db, input.token, input.now)
  if (found.state !== 'open' || !found.invitation) return { ok: false, reason: 'not_open' }
  const inv = found.invitation
  const existing = await db.selectFrom('users').select(['id']).where('email', '=', inv.email).executeTakeFirst()
  if ('asUserId' in input) {
    if (!existing) return { ok: false, reason: 'login_required' }
    if (existing.id !== input.asUserId) return { ok: false, reason: 'wrong_account' }
  } else if (existing) {
    return { ok: false, reason: 'account_exists' }
  }
  // The organisation's kind may have changed since the invitation was issued: the role must still fit.
  const org = await db.selectFrom('organisations').select('kind').where('id', '=', inv.organisation_id).executeTakeFirst()
  if (!org || !roleFitsOrganisation(inv.role, org.kind)) return { ok: false, reason: 'not_open' }
  const passwordHash = 'password' in input ? await hashPassword(input.password) : null
  const name = 'name' in input ? input.name : ''
  return inTransaction(db, async (trx) => {
    const claimed = await trx
      .updateTable('invitations')
      .set({ accepted_at: iso(input.now) })
      .where('id', '=', inv.id)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    if (Number(claimed.numUpdatedRows) !== 1) return { ok: false as const, reason: 'not_open' as const }
    let userId = existing?.id
    if (!userId) {
      userId = randomId()
      await trx
        .insertInto('users')
        .values({
          id: userId,
          email: inv.email,
          name,
          password_hash: passwordHash,
          under_16: 0,
          created_at: iso(input.now),
        })
        .execute()
    }
    await trx.updateTable('invitations').set({ accepted_by: userId }).where('id', '=', inv.id).execute()
    await addMembership(trx, {
      userId,
      regionId: inv.region_id,
      organisationId: inv.organisation_id,
      role: inv.role,
      actorId: userId,
      now: input.now,
      via: 'invitation',
    })
    await recordAudit(trx, {
      action: 'invitation.accepted',
      subjectType: 'invitation',
      subjectId: inv.id,
      regionId: inv.region_id,
      actorId: userId,
      data: { newAccount: !existing },
      at: input.now,
    })
    return { ok: true as const, userId, regionSlug: inv.region_slug }
  })
}

export async function revokeInvitation(db: DB, input: { regionId: string; id: string; actorId: string; now: Date }) {
  return inTransaction(db, async (trx) => {
    const res = await trx
      .updateTable('invitations')
      .set({ revoked_at: iso(input.now) })
      .where('id', '=', input.id)
      .where('region_id', '=', input.regionId)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    if (Number(res.numUpdatedRows) === 0) return false
    await recordAudit(trx, {
      action: 'invitation.revoked',
      subjectType: 'invitation',
      subjectId: input.id,
      regionId: input.regionId,
      actorId: input.actorId,
      at: input.now,
    })
    return true
  })
}

export function listInvitations(db: DB, regionId: string) {
  return db
    .selectFrom('invitations')
    .innerJoin('organisations', 'organisations.id', 'invitations.organisation_id')
    .select([
      'invitations.id',
      'invitations.email',
      'invitations.role',
      'invitations.created_at',
      'invitations.expires_at',
      'invitations.accepted_at',
      'invitations.revoked_at',
      'organisations.name as organisation_name',
    ])
    .where('invitations.region_id', '=', regionId)
    .orderBy('invitations.created_at', 'desc')
    .execute()
}
