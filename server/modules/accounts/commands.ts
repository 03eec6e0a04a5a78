import { rowOfRegion } from '../../lib/region-rows'
import { PostgresAdapter, sql } from 'kysely'
import { inTransaction, type DB } from '../../../db/connect'
import type { Role } from '../../../db/schema'
import { hashPassword, verifyPassword } from '../../auth/password'
import { createSession, invalidateUserSessions } from '../../auth/session'
import { randomId, sha256Hex } from '../../lib/ids'
import { done, refuse, type Result } from '../../lib/result'
import { DAY, iso } from '../../lib/time'
import { roleFitsOrganisation, roleIsInvitable } from '../../policy/memberships'
import { audit, stamp } from '../audit/audit'
import { addMembership, type AccessNotices } from '../regions/commands'
import { checkDisplayName } from './names'
import { findInvitationByToken, nameInUse, userByEmail } from './queries'
import type { AccountRefusal } from './schemas'

/**
 * Commands on accounts: people, invitations, names and passwords. Each writes in one transaction
 * with its audit entry and returns a Result (ADR 0017); the reasons are in schemas.ts.
 */

/**
 * The one way a person comes into the database: by invitation (an e-mail address and a password),
 * by panel code (a display name only) or, in the seed and the tests, directly. Call it inside the
 * transaction that also gives the person their membership.
 */
export async function createUser(
  db: DB,
  input: { email: string | null; name: string; passwordHash: string | null; under16: boolean; now: Date; id?: string },
): Promise<string> {
  const id = input.id ?? randomId()
  await db
    .insertInto('users')
    .values({
      id,
      email: input.email,
      name: input.name,
      password_hash: input.passwordHash,
      under_16: input.under16 ? 1 : 0,
      created_at: iso(input.now),
    })
    .execute()
  return id
}

export const INVITATION_DAYS = 7

/**
 * Issues an invitation. Refused, with nothing written, when the organisation is not in the region,
 * when the role does not fit it (server/policy/memberships.ts), or when the address already has an
 * open invitation in this region: a second link would leave two ways in, and the administrator
 * would not know which one counts. To send a new link, revoke the open one first.
 */
export async function issueInvitation(
  db: DB,
  input: { regionId: string; organisationId: string; role: Role; email: string; actorId: string; now: Date },
): Promise<Result<{ id: string; token: string }, AccountRefusal> & { expiresAt?: string }> {
  const token = randomId(20)
  const id = randomId()
  const email = input.email.trim().toLowerCase()
  return inTransaction(db, async (trx) => {
    // Two administrators inviting the same address at once: the second waits, then sees the first.
    // (SQLite runs one write transaction at a time already.)
    if (trx.getExecutor().adapter instanceof PostgresAdapter) {
      await sql`select pg_advisory_xact_lock(hashtext(${`invitation:${input.regionId}:${email}`}))`.execute(trx)
    }
    const org = await rowOfRegion(trx, 'organisations', input.regionId, input.organisationId).select('kind').executeTakeFirst()
    if (!org) return refuse('organisation_not_found')
    if (!roleFitsOrganisation(input.role, org.kind) || !roleIsInvitable(input.role)) return refuse('role_does_not_fit')
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
    if (open) return { ...refuse('already_invited'), expiresAt: open.expires_at }
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
    await audit(trx, stamp(input.actorId, input.regionId, input.now), 'invitation.issued', ['invitation', id], {
      organisationId: input.organisationId,
      role: input.role,
    })
    return done({ id, token })
  })
}

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
): Promise<Result<{ userId: string; regionSlug: string }, AccountRefusal>> {
  const found = await findInvitationByToken(db, input.token, input.now)
  if (found.state !== 'open' || !found.invitation) return refuse('not_open')
  const inv = found.invitation
  const existing = await userByEmail(db, inv.email)
  if ('asUserId' in input) {
    if (!existing) return refuse('login_required')
    if (existing.id !== input.asUserId) return refuse('wrong_account')
  } else if (existing) {
    return refuse('account_exists')
  }
  // The organisation's kind may have changed since the invitation was issued: the role must still fit.
  const org = await db.selectFrom('organisations').select('kind').where('id', '=', inv.organisation_id).executeTakeFirst()
  if (!org || !roleFitsOrganisation(inv.role, org.kind)) return refuse('not_open')
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
    if (Number(claimed.numUpdatedRows) !== 1) return refuse('not_open')
    const userId = existing?.id ?? (await createUser(trx, { email: inv.email, name, passwordHash, under16: false, now: input.now }))
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
    await audit(trx, stamp(userId, inv.region_id, input.now), 'invitation.accepted', ['invitation', inv.id], { newAccount: !existing })
    return done({ userId, regionSlug: inv.region_slug })
  })
}

/** Revokes an open invitation of the region: `not_found` when there is no open one with this id. */
export async function revokeInvitation(
  db: DB,
  input: { regionId: string; id: string; actorId: string; now: Date },
): Promise<Result<object, AccountRefusal>> {
  return inTransaction(db, async (trx) => {
    const res = await trx
      .updateTable('invitations')
      .set({ revoked_at: iso(input.now) })
      .where('id', '=', input.id)
      .where('region_id', '=', input.regionId)
      .where('accepted_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst()
    if (Number(res.numUpdatedRows) === 0) return refuse('not_found')
    await audit(trx, stamp(input.actorId, input.regionId, input.now), 'invitation.revoked', ['invitation', input.id])
    return done()
  })
}

/**
 * Changes a display name. Members under 16 may only take a safe name that nobody else uses
 * (ADR 0012): never free text, so nothing unmoderated appears beside their approved comments.
 * Open documents are told, so others see the new name in the presence list at once.
 */
export async function updateName(
  db: DB,
  userId: string,
  name: string,
  notices?: AccessNotices,
): Promise<Result<object, AccountRefusal>> {
  const user = await db.selectFrom('users').select(['under_16', 'name']).where('id', '=', userId).executeTakeFirst()
  if (!user) return refuse('not_found')
  const check = checkDisplayName({ under16: Boolean(user.under_16), name })
  if (!check.ok) return refuse(check.reason)
  if (check.name === user.name) return done()
  if (user.under_16 && (await nameInUse(db, check.name, userId))) return refuse('taken')
  await db.updateTable('users').set({ name: check.name }).where('id', '=', userId).execute()
  await notices?.accessChanged({ userId })
  return done()
}

/**
 * Changes the password after checking the current one, then ends every session of the user,
 * including the current one, and starts a fresh session for this browser: whoever held an old
 * session (a stolen one, say) is out, and their open documents close.
 */
export async function changePassword(
  db: DB,
  input: { userId: string; current: string; next: string; device: string; now: Date },
  notices?: AccessNotices,
): Promise<Result<{ token: string }, AccountRefusal>> {
  const user = await db.selectFrom('users').select(['password_hash']).where('id', '=', input.userId).executeTakeFirst()
  if (!user?.password_hash) return refuse('no_password')
  if (!(await verifyPassword(user.password_hash, input.current))) return refuse('wrong_password')
  const hash = await hashPassword(input.next)
  const result = await inTransaction(db, async (trx) => {
    await trx.updateTable('users').set({ password_hash: hash }).where('id', '=', input.userId).execute()
    const revoked = await invalidateUserSessions(trx, input.userId)
    const { token } = await createSession(trx, input.userId, { now: input.now, device: input.device })
    await audit(trx, stamp(input.userId, null, input.now), 'auth.password_changed', ['user', input.userId], { sessionsRevoked: revoked })
    return done({ token })
  })
  await notices?.accessChanged({ userId: input.userId })
  return result
}

/** Ends every other session of the user; their open documents are authorised again and cannot. */
export async function logoutElsewhere(
  db: DB,
  input: { userId: string; keepSessionId: string; now: Date },
  notices?: AccessNotices,
): Promise<number> {
  const revoked = await inTransaction(db, async (trx) => {
    const count = await invalidateUserSessions(trx, input.userId, input.keepSessionId)
    await audit(trx, stamp(input.userId, null, input.now), 'auth.sessions_revoked', ['user', input.userId], { sessionsRevoked: count })
    return count
  })
  await notices?.accessChanged({ userId: input.userId })
  return revoked
}
