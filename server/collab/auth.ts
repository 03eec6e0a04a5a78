import type { IncomingMessage } from 'node:http'
import type { DB } from '../../db/connect'
import type { Config } from '../env'
import type { Clock } from '../lib/time'
import { loadActor } from '../auth/actor'
import { sessionCookie } from '../auth/cookie'
import { originAllowed } from '../auth/origin'
import { validateSessionToken } from '../auth/session'
import { isClosed, permissionOn, type Permission } from '../policy/can'
import { asResource, findDocument } from '../modules/documents/queries'
import type { CollabHooks, UpgradeDecision, Verdict } from './hooks'

export type { UpgradeDecision } from './hooks'

/**
 * The portal's hooks for the collaboration server: the session and the policy at the upgrade and
 * afterwards, and the document deadline (documents.closes_at). Built from the few things they
 * need, so server/context.ts, collab/server.ts and this file no longer import one another.
 */
export interface PortalHookDeps {
  db: DB
  clock: Clock
  config: Pick<Config, 'publicOrigins' | 'cookieSecure' | 'sessionIdleDays'>
}

const PATH = /^\/collab\/([a-z2-7]{24})(?:\?.*)?$/

export async function authorizeUpgrade(deps: PortalHookDeps, req: IncomingMessage): Promise<UpgradeDecision> {
  const match = PATH.exec(req.url ?? '')
  if (!match) return { ok: false, status: 404, reason: 'unknown document path' }
  if (!originAllowed(req, deps.config.publicOrigins)) return { ok: false, status: 403, reason: 'foreign origin' }
  // The session first, before any lookup of the document: an anonymous caller learns nothing
  // about which documents exist (401 for every well-formed path).
  const token = await sessionCookie(deps.config.cookieSecure, deps.config.sessionIdleDays).parse(req.headers.cookie ?? null)
  const session =
    typeof token === 'string' ? await validateSessionToken(deps.db, token, { clock: deps.clock, idleDays: deps.config.sessionIdleDays }) : null
  if (!session) return { ok: false, status: 401, reason: 'no valid session' }
  const doc = await findDocument(deps.db, match[1]!)
  if (!doc) return { ok: false, status: 404, reason: 'unknown document' }
  const actor = await loadActor(deps.db, session.user)
  const permission = permissionOn(actor, asResource(doc, deps.clock()))
  if (permission === 'none') return { ok: false, status: 403, reason: 'no permission' }
  return { ok: true, userId: session.user.id, actor, docId: doc.id, permission }
}

/** The permission a connected user has now (after a lock, a deadline, a role change or a withdrawn consent). */
export async function currentPermission(deps: Pick<PortalHookDeps, 'db' | 'clock'>, userId: string, docId: string): Promise<Permission> {
  const [user, doc] = await Promise.all([
    deps.db.selectFrom('users').select(['id', 'under_16']).where('id', '=', userId).executeTakeFirst(),
    findDocument(deps.db, docId),
  ])
  if (!user || !doc) return 'none'
  return permissionOn(await loadActor(deps.db, user), asResource(doc, deps.clock()))
}

/**
 * A document with closes_at becomes read-only at that moment of the server clock. The check runs
 * on every update (so nothing slips through between timer ticks), from a small cache that an
 * access notice for the document clears (a route that changes closes_at sends one).
 */
export function closesAtRule(deps: Pick<PortalHookDeps, 'db' | 'clock'>) {
  const cache = new Map<string, Promise<string | null>>()
  const closesAt = (docId: string): Promise<string | null> => {
    let hit = cache.get(docId)
    if (!hit) {
      hit = deps.db
        .selectFrom('documents')
        .select('closes_at')
        .where('id', '=', docId)
        .executeTakeFirst()
        .then((r) => r?.closes_at ?? null)
      // A failed lookup is not remembered.
      hit.catch(() => cache.delete(docId))
      cache.set(docId, hit)
    }
    return hit
  }
  return {
    async beforeUpdate({ docId, now }: { docId: string; now: Date }): Promise<Verdict> {
      // The policy decides what "closed" means, here as on every page.
      if (isClosed({ closesAt: await closesAt(docId), asOf: now })) return { ok: false, reason: 'document closed', recheckAccess: true }
      return { ok: true }
    },
    async accessChangesAt(docId: string): Promise<Date | null> {
      const at = await closesAt(docId)
      return at === null ? null : new Date(at)
    },
    forget(docId?: string) {
      if (docId) cache.delete(docId)
      else cache.clear()
    },
  }
}

/** Every hook the portal uses. */
export function portalHooks(deps: PortalHookDeps): CollabHooks {
  const closes = closesAtRule(deps)
  return {
    authorize: (req) => authorizeUpgrade(deps, req),
    permissionOf: (userId, docId) => currentPermission(deps, userId, docId),
    beforeUpdate: (attempt) => closes.beforeUpdate(attempt),
    accessChangesAt: (docId) => closes.accessChangesAt(docId),
    accessChanged: ({ docId }) => closes.forget(docId),
  }
}
