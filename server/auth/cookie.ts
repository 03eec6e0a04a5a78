import { createCookie } from '@remix-run/node'
import { SESSION_COOKIE } from './session'

/** The session cookie: HttpOnly, SameSite=Lax, Secure when configured (on in production). */
export function sessionCookie(secure: boolean, maxAgeDays: number) {
  return createCookie(SESSION_COOKIE, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    maxAge: maxAgeDays * 24 * 60 * 60,
  })
}
