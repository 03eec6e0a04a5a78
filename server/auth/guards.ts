import { redirect } from '@remix-run/node'
import type { AppLoadContext } from '@remix-run/node'
import { abilitiesIn, can, type ActionOf, type Actor, type ResourceType } from '../policy/can'
import { findRegionBySlug } from '../modules/regions/queries'
import { loadActor } from './actor'
import { sessionCookie } from './cookie'
import { validateSessionToken, type ValidSession } from './session'

/**
 * Guards for loaders and actions. Each either returns what it checked or throws a Response:
 * a redirect to the login page (no session), 404 (unknown region) or 403 (not allowed).
 */
export interface Auth extends ValidSession {
  actor: Actor
}

const cache = new WeakMap<Request, Promise<Auth | null>>()

export function cookieFor(context: AppLoadContext) {
  return sessionCookie(context.config.cookieSecure, context.config.sessionIdleDays)
}

export function getAuth(request: Request, context: AppLoadContext): Promise<Auth | null> {
  let pending = cache.get(request)
  if (!pending) {
    pending = (async () => {
      const token = await cookieFor(context).parse(request.headers.get('Cookie'))
      if (typeof token !== 'string') return null
      const valid = await validateSessionToken(context.db, token, {
        clock: context.clock,
        idleDays: context.config.sessionIdleDays,
      })
      if (!valid) return null
      return { ...valid, actor: await loadActor(context.db, valid.user) }
    })()
    cache.set(request, pending)
  }
  return pending
}

export async function requireUser(request: Request, context: AppLoadContext): Promise<Auth> {
  const auth = await getAuth(request, context)
  if (auth) return auth
  const url = new URL(request.url)
  const back = url.pathname + url.search
  const hadCookie = (request.headers.get('Cookie') ?? '').includes('samenspel_session=')
  const params = new URLSearchParams({ terug: back })
  if (hadCookie) params.set('verlopen', '1')
  // A stale cookie is cleared so the login page starts clean.
  throw redirect(`/inloggen?${params}`, {
    headers: hadCookie ? { 'Set-Cookie': await cookieFor(context).serialize('', { maxAge: 0 }) } : {},
  })
}

export function notFound(): never {
  throw new Response('Not Found', { status: 404, statusText: 'Not Found' })
}

export function forbidden(): never {
  throw new Response('Forbidden', { status: 403, statusText: 'Forbidden' })
}

/** A page of a region: the user must hold a membership that counts there. */
export async function requireRegion(request: Request, context: AppLoadContext, slug: string | undefined) {
  const auth = await requireUser(request, context)
  const region = slug ? await findRegionBySlug(context.db, slug) : undefined
  if (!region) notFound()
  if (!can(auth.actor, 'view', { type: 'region', regionId: region.id })) forbidden()
  return { auth, region, abilities: abilitiesIn(auth.actor, region.id) }
}

/** A region page that needs one ability, e.g. requireAbility(request, context, slug, 'invitation', 'create'). */
export async function requireAbility<T extends ResourceType>(
  request: Request,
  context: AppLoadContext,
  slug: string | undefined,
  type: T,
  action: ActionOf<T>,
) {
  const checked = await requireRegion(request, context, slug)
  if (!can(checked.auth.actor, action, { type, regionId: checked.region.id })) forbidden()
  return checked
}
