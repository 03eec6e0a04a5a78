import type { ActionFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { cookieFor, getAuth } from '../../server/auth/guards'
import { invalidateSession } from '../../server/auth/session'
import { recordAudit } from '../../server/modules/audit/audit'

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await getAuth(request, context)
  if (auth) {
    await invalidateSession(context.db, auth.session.id)
    await context.collab.accessChanged({ userId: auth.user.id })
    await recordAudit(context.db, {
      action: 'auth.logout',
      subjectType: 'session',
      subjectId: auth.session.id,
      actorId: auth.user.id,
      at: context.clock(),
    })
  }
  return redirect('/inloggen', { headers: { 'Set-Cookie': await cookieFor(context).serialize('', { maxAge: 0 }) } })
}

export function loader() {
  return redirect('/')
}
