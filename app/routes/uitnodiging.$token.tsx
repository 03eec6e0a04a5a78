import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { cookieFor } from '../../server/auth/guards'
import { deviceLabel } from '../../server/auth/session'
import { parseForm } from '../../server/lib/forms'
import { startSession } from '../../server/modules/accounts/login'
import { acceptInvitation, findInvitationByToken } from '../../server/modules/accounts/invitations'
import { acceptInvitationSchema } from '../../server/modules/accounts/schemas'
import { ErrorSummary, Notice, SubmitButton, TextField } from '../components/forms'
import { useT } from '../i18n/use'
import type { MessageKey } from '../i18n/messages'

export const meta: MetaFunction = () => [{ title: 'Uitnodiging · Samenspel' }, { name: 'referrer', content: 'no-referrer' }]

/** An invitation link: open → a form; expired, used, revoked or unknown → a clear page with status 410/404. */
export async function loader({ params, context }: LoaderFunctionArgs) {
  const found = await findInvitationByToken(context.db, params.token ?? '', context.clock())
  if (found.state !== 'open' || !found.invitation) {
    return data({ state: found.state, invitation: null, hasAccount: false }, { status: found.state === 'unknown' ? 404 : 410 })
  }
  const inv = found.invitation
  return {
    state: found.state,
    hasAccount: found.hasAccount,
    invitation: { email: inv.email, role: inv.role, region: inv.region_name, organisation: inv.organisation_name },
  }
}

const noErrors: Record<string, string> = {}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const now = context.clock()
  const found = await findInvitationByToken(context.db, params.token ?? '', now)
  if (found.state !== 'open') return data({ errors: noErrors, message: null }, { status: 410 })
  const parsed = await parseForm(request, acceptInvitationSchema)
  if (!parsed.ok) return data({ errors: parsed.errors, message: null }, { status: 400 })
  if (!found.hasAccount && !parsed.data.name) {
    return data({ errors: { name: 'error.required' } as Record<string, string>, message: null }, { status: 400 })
  }
  const result = await acceptInvitation(context.db, {
    token: params.token ?? '',
    name: parsed.data.name,
    password: parsed.data.password,
    now,
  })
  if (!result.ok && result.reason === 'wrong_password') {
    return data({ errors: { password: 'error.required' } as Record<string, string>, message: 'invite.wrongPassword' as const }, { status: 400 })
  }
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
  const { state, invitation, hasAccount } = useLoaderData<typeof loader>()
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
      {result?.message ? <Notice kind="error">{t(result.message)}</Notice> : null}
      <ErrorSummary errors={result?.errors} />
      <Paragraph>{hasAccount ? t('invite.existingAccount', { email: invitation.email }) : t('invite.newAccount')}</Paragraph>
      <Form method="post" noValidate className="form">
        <input type="hidden" name="email" value={invitation.email} autoComplete="username" />
        {hasAccount ? null : (
          <TextField name="name" label={t('invite.name')} autoComplete="name" required maxLength={100} error={result?.errors.name} />
        )}
        <TextField
          name="password"
          type="password"
          label={t('invite.password')}
          hint={hasAccount ? undefined : t('invite.passwordHint')}
          autoComplete={hasAccount ? 'current-password' : 'new-password'}
          required
          error={result?.errors.password}
        />
        <SubmitButton>{t('invite.submit')}</SubmitButton>
      </Form>
    </div>
  )
}
