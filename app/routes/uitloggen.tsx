import type { ActionFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { cookieFor, getAuth } from '../../server/auth/guards'
import { endSession } from '../../server/modules/accounts/login'

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await getAuth(request, context)
  if (auth) await endSession(context.db, context.collab, { sessionId: auth.session.id, userId: auth.user.id, now: context.clock() })
  return redirect('/inloggen', { headers: { 'Set-Cookie': await cookieFor(context).serialize('', { maxAge: 0 }) } })
}

export function loader() {
  return redirect('/')
}
