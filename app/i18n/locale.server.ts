import { createCookie } from '@remix-run/node'
import type { Locale } from './messages'

/**
 * The chosen language, remembered for a year. Dutch unless English was chosen. `secure` follows the
 * session cookie's setting (config.cookieSecure, on in production): the cookie holds nothing
 * secret, but a cookie an attacker on the network can set or read is one the portal should not have.
 */
export function langCookie(secure: boolean) {
  return createCookie('samenspel_lang', { path: '/', sameSite: 'lax', maxAge: 365 * 24 * 3600, httpOnly: true, secure })
}

export async function getLocale(request: Request): Promise<Locale> {
  // Reading does not depend on the attributes a cookie was set with.
  const value = await langCookie(false).parse(request.headers.get('Cookie'))
  return value === 'en' ? 'en' : 'nl'
}
