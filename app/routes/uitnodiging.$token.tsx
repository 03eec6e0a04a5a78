import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useLocation } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { cookieFor, getAuth } from '../../server/auth/guards'
import { deviceLabel } from '../../server/auth/session'
import { parseForm } from '../../server/lib/forms'
import { startSession } from '../../server/modules/accounts/login'
import { acceptInvitation } from '../../server/modules/accounts/commands'
import { findInvitationByToken } from '../../server/modules/accounts/queries'
import { acceptInvitationSchema } from '../../server/modules/accounts/schemas'
import { ErrorSummary, Notice, SubmitButton, TextField } from '../components/forms'
import { useT } from '../i18n/use'
import type { MessageKey } from '../i18n/messages'

export const meta: MetaFunction = () => [{ title: 'Uitnodiging · Samenspel' }, { name: 'referrer', content: 'no-referrer' }]

/** An invitation link: open → a form; expired, used, revoked or unknown → a clear page with status 410/404. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const found = await findInvitationByToken(context.db, params.token ?? '', context.clock())
  if (found.state !== 'open' || !found.invitation) {
    return data({ state: found.state, invitation: null, hasAccount: false, signedInAs: null }, { status: found.state === 'unknown' ? 404 : 410 })
  }
  const inv = found.invitation
  const auth = await getAuth(request, context)
  return {
    state: found.state,
    hasAccount: found.hasAccount,
    /** 'invitee' when logged in as the invited address, 'other' when logged in as someone else */
    signedInAs: auth ? (auth.user.email === inv.email ? ('invitee' as const) : ('other' as const)) : null,
    invitation: { email: inv.email, role: inv.role, region: inv.region_name, organisation: inv.organisation_name },
  }
}

const noErrors: Record<string, string> = {}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const now = context.clock()
  const token = params.token ?? ''
  const found = await findInvitationByToken(context.db, token, now)
  if (found.state !== 'open') return data({ errors: noErrors, message: null }, { status: 410 })
  if (found.hasAccount) {
    // Known address: only its logged-in holder accepts, with one click and no password here.
    const auth = await getAuth(request, context)
    if (!auth) return redirect(`/inloggen?terug=${encodeURIComponent(`/uitnodiging/${token}`)}`)
    const result = await acceptInvitation(context.db, { token, asUserId: auth.user.id, now })
    if (!result.ok) return data({ errors: noErrors, message: 'invite.wrongAccount' as const }, { status: result.reason === 'wrong_account' ? 403 : 410 })
    return redirect(`/regio/${result.regionSlug}`)
  }
  const parsed = await parseForm(request, acceptInvitationSchema)
  if (!parsed.ok) return data({ errors: parsed.errors, message: null }, { status: 400 })
  const result = await acceptInvitation(context.db, { token, name: parsed.data.name, password: parsed.data.password, now })
  if (!result.ok) return data({ errors: noErrors, message: null }, { status: 410 })
  const session = await startSession(context.db, result.userId, {
    now,
    device: deviceLabel(request.headers.get('User-Agent')),
    method: 'invitation',
  })
  return redirect(`/regio/${result.regionSlug}`, {
    headers: { 'Set-Cookie': await cookieFor(context).serialize(session.token) },
  })
}

const stateMessage: Record<string, MessageKey> = {
  expired: 'invite.expired',
  used: 'invite.used',
  revoked: 'invite.revoked',
  unknown: 'invite.unknown',
}

export default function Invitation() {
  const { state, invitation, hasAccount, signedInAs } = useLoaderData<typeof loader>()
  const location = useLocation()
  const result = useActionData<typeof action>()
  const t = useT()
  if (!invitation) {
    return (
      <div className="content narrow">
        <Heading level={1}>{t('invite.title')}</Heading>
        <Notice kind="error">{t(stateMessage[state] ?? 'invite.unknown')}</Notice>
        <Paragraph>
          <Link to="/inloggen">{t('nav.login')}</Link>
        </Paragraph>
      </div>
    )
  }
  return (
    <div className="content narrow">
      <Heading level={1}>{t('invite.title')}</Heading>
      <Paragraph>
        {t('invite.intro', {
          region: invitation.region,
          role: t(`role.${invitation.role}` as MessageKey),
          organisation: invitation.organisation,
        })}
      </Paragraph>
      {result?.message ? <Notice kind="error">{t(result.message, { email: invitation.email })}</Notice> : null}
      <ErrorSummary errors={result?.errors} />
      {hasAccount ? (
        signedInAs === 'invitee' ? (
          <Form method="post">
            <Paragraph>{t('invite.acceptAs', { email: invitation.email })}</Paragraph>
            <SubmitButton>{t('invite.submit')}</SubmitButton>
          </Form>
        ) : signedInAs === 'other' ? (
          <Notice kind="error">{t('invite.wrongAccount', { email: invitation.email })}</Notice>
        ) : (
          <>
            <Paragraph>{t('invite.existingAccount', { email: invitation.email })}</Paragraph>
            <Paragraph>
              <Link to={`/inloggen?terug=${encodeURIComponent(location.pathname)}`}>{t('invite.loginToAccept')}</Link>
            </Paragraph>
          </>
        )
      ) : (
        <>
          <Paragraph>{t('invite.newAccount')}</Paragraph>
          <Form method="post" noValidate className="form">
            <input type="hidden" name="email" value={invitation.email} autoComplete="username" />
            <TextField name="name" label={t('invite.name')} autoComplete="name" required maxLength={100} error={result?.errors.name} />
            <TextField
              name="password"
              type="password"
              label={t('invite.password')}
              hint={t('invite.passwordHint')}
              autoComplete="new-password"
              required
              error={result?.errors.password}
            />
            <SubmitButton>{t('invite.submit')}</SubmitButton>
          </Form>
        </>
      )}
    </div>
  )
}
