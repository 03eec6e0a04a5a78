import type { DB } from '../../../db/connect'
import type { OrganisationKind, Role } from '../../../db/schema'
import { can, rolesByOrganisationKind, type Actor } from '../../policy/can'
import { sha256Hex } from '../../lib/ids'
import { listOrganisations } from '../regions/queries'
import { suggestNames, type RandomInt } from './names'

/** Reads of the accounts module: invitations, and display names in use. */

export type InvitationState = 'open' | 'expired' | 'used' | 'revoked' | 'unknown'

function invitationState(inv: { revoked_at: string | null; accepted_at: string | null; expires_at: string }, now: Date): Exclude<InvitationState, 'unknown'> {
  if (inv.revoked_at) return 'revoked'
  if (inv.accepted_at) return 'used'
  return Date.parse(inv.expires_at) <= now.getTime() ? 'expired' : 'open'
}

/** Invitations with what `invitationState` needs, whom they invite, and the organisation's name. */
function invitationsWithOrganisation(db: DB) {
  return db
    .selectFrom('invitations')
    .innerJoin('organisations', 'organisations.id', 'invitations.organisation_id')
    .select([
      'invitations.id',
      'invitations.email',
      'invitations.role',
      'invitations.expires_at',
      'invitations.accepted_at',
      'invitations.revoked_at',
      'organisations.name as organisation_name',
    ])
}

export async function findInvitationByToken(db: DB, token: string, now: Date) {
  if (!/^[a-z2-7]{32}$/.test(token)) return { state: 'unknown' as const }
  const inv = await invitationsWithOrganisation(db)
    .innerJoin('regions', 'regions.id', 'invitations.region_id')
    .select(['invitations.region_id', 'invitations.organisation_id', 'regions.name as region_name', 'regions.slug as region_slug'])
    .where('invitations.token_hash', '=', sha256Hex(token))
    .executeTakeFirst()
  if (!inv) return { state: 'unknown' as const }
  const existing = await userByEmail(db, inv.email)
  return { state: invitationState(inv, now), invitation: inv, hasAccount: Boolean(existing) }
}

export function userByEmail(db: DB, email: string) {
  return db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()
}

/** The region's invitations, newest first, each with where it stands. */
export async function listInvitations(db: DB, regionId: string, now: Date) {
  const rows = await invitationsWithOrganisation(db)
    .select('invitations.created_at')
    .where('invitations.region_id', '=', regionId)
    .orderBy('invitations.created_at', 'desc')
    .execute()
  return rows.map((i) => ({ ...i, status: invitationState(i, now) }))
}

/**
 * The organisations this actor may invite someone to, each with the roles `can()` allows there
 * (panels are left out: their members join with a code).
 */
export async function invitationChoices(db: DB, actor: Actor, regionId: string) {
  const organisations = await listOrganisations(db, regionId)
  const invitable = (kind: OrganisationKind): Role[] =>
    rolesByOrganisationKind[kind].filter((role) => can(actor, 'create', { type: 'invitation', regionId, grant: { role, organisationKind: kind } }))
  return organisations.map((o) => ({ ...o, roles: invitable(o.kind) })).filter((o) => o.roles.length > 0)
}

/** True when someone other than `exceptUserId` has this display name. */
export async function nameInUse(db: DB, name: string, exceptUserId?: string): Promise<boolean> {
  let q = db.selectFrom('users').select('id').where('name', '=', name)
  if (exceptUserId) q = q.where('id', '!=', exceptUserId)
  return Boolean(await q.executeTakeFirst())
}

/** A few safe names nobody uses yet, for a member under 16 to choose from. */
export async function offerSafeNames(db: DB, count = 4, random?: RandomInt): Promise<string[]> {
  const candidates = suggestNames(count * 3, { random })
  const used = new Set((await db.selectFrom('users').select('name').where('name', 'in', candidates).execute()).map((u) => u.name))
  return candidates.filter((n) => !used.has(n)).slice(0, count)
}
