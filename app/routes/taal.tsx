import type { ActionFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { z } from 'zod'
import { langCookie } from '../i18n/locale.server'
import { parseForm } from '../../server/lib/forms'
import { safeRedirect } from '../../server/http/safe-redirect'

const schema = z.object({ taal: z.enum(['nl', 'en']), terug: z.string().max(2000).optional() })

/** Switches the language and goes back to the same page (only to a path on this site). */
export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = await parseForm(request, schema)
  if (!parsed.ok) throw new Response('Bad Request', { status: 400 })
  const back = safeRedirect(parsed.data.terug)
  return redirect(back, { headers: { 'Set-Cookie': await langCookie(context.config.cookieSecure).serialize(parsed.data.taal) } })
}

export function loader() {
  return redirect('/')
}
