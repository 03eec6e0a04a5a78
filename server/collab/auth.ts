import type { IncomingMessage } from 'node:http'
import type { AppLoadContext } from '@remix-run/node'
import type { ServerContext } from '../context'
import { loadActor } from '../auth/actor'
import { sessionCookie } from '../auth/cookie'
import { originAllowed } from '../auth/origin'
import { validateSessionToken } from '../auth/session'
import type { Actor, Permission } from '../policy/can'
import { findDocument, permissionFor } from '../modules/documents/documents'

/**
 * Who is connecting and what they may do, decided before any websocket exists. Each failure
 * names the HTTP status the upgrade is refused with.
 */
export type UpgradeDecision =
  | { ok: true; userId: string; actor: Actor; docId: string; permission: Exclude<Permission, 'none'> }
  | { ok: false; status: 401 | 403 | 404; reason: string }

const PATH = /^\/collab\/([a-z2-7]{24})(?:\?.*)?$/

export async function authorizeUpgrade(ctx: ServerContext, req: IncomingMessage): Promise<UpgradeDecision> {
  const match = PATH.exec(req.url ?? '')
  if (!match) return { ok: false, status: 404, reason: 'unknown document path' }
  if (!originAllowed(req, ctx.config.publicOrigins)) return { ok: false, status: 403, reason: 'foreign origin' }
  const token = await sessionCookie(ctx.config.cookieSecure, ctx.config.sessionIdleDays).parse(req.headers.cookie ?? null)
  const session = typeof token === 'string' ? await validateSessionToken(ctx.db, token, { clock: ctx.clock, idleDays: ctx.config.sessionIdleDays }) : null
  if (!session) return { ok: false, status: 401, reason: 'no valid session' }
  const doc = await findDocument(ctx.db, match[1]!)
  if (!doc) return { ok: false, status: 404, reason: 'unknown document' }
  const actor = await loadActor(ctx.db, session.user)
  const permission = permissionFor(actor, doc)
  if (permission === 'none') return { ok: false, status: 403, reason: 'no permission' }
  return { ok: true, userId: session.user.id, actor, docId: doc.id, permission }
}

/** The permission a connected user has now (after a lock, a role change or a withdrawn consent). */
export async function currentPermission(ctx: ServerContext | AppLoadContext, userId: string, docId: string): Promise<Permission> {
  const [user, doc] = await Promise.all([
    ctx.db.selectFrom('users').select(['id', 'under_16']).where('id', '=', userId).executeTakeFirst(),
    findDocument(ctx.db, docId),
  ])
  if (!user || !doc) return 'none'
  return permissionFor(await loadActor(ctx.db, user), doc)
}
