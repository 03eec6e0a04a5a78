import { createCookie } from '@remix-run/node'
import type { Locale } from './messages'

/** The chosen language, remembered for a year. Dutch unless English was chosen. */
export const langCookie = createCookie('samenspel_lang', { path: '/', sameSite: 'lax', maxAge: 365 * 24 * 3600, httpOnly: true })

export async function getLocale(request: Request): Promise<Locale> {
  const value = await langCookie.parse(request.headers.get('Cookie'))
  return value === 'en' ? 'en' : 'nl'
}
