import type { IncomingMessage } from 'node:http'

/**
 * True when a state-changing request comes from this portal's own origin (or a configured public
 * origin). Browsers send Origin on every POST; without it the Referer's origin is used; a request
 * with neither is refused. Used for HTTP mutations and for the websocket upgrade alike.
 */
export function originAllowed(req: IncomingMessage & { protocol?: string }, publicOrigins: string[]): boolean {
  const origin = headerOrigin(req)
  if (!origin) return false
  if (publicOrigins.includes(origin)) return true
  const host = req.headers.host
  if (!host) return false
  const proto = req.protocol ?? ('encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http')
  return origin === `${proto}://${host}`
}

function headerOrigin(req: IncomingMessage): string | null {
  const origin = req.headers.origin
  if (origin && origin !== 'null') return origin
  const referer = req.headers.referer
  if (!referer) return null
  try {
    return new URL(referer).origin
  } catch {
    return null
  }
}
