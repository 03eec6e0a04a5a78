import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { cookieFor, requireUser } from '../../server/auth/guards'
import { deviceLabel, listUserSessions } from '../../server/auth/session'
import { invalid, parseForm, refusal } from '../../server/lib/forms'
import { accountRefusals, profileAction } from '../../server/modules/accounts/schemas'
import { changePassword, logoutElsewhere, updateName } from '../../server/modules/accounts/commands'
import { offerSafeNames } from '../../server/modules/accounts/queries'
import { actionReply, ErrorSummary, Notice, SubmitButton, TextField } from '../components/forms'
import { NameChoice } from '../components/NameChoice'
import { isSafeName } from '../../server/modules/accounts/names'
import { useFormat, useT } from '../i18n/use'
import { DataTable } from '../components/DataTable'
import type { MessageKey } from '../i18n/messages'

export const meta: MetaFunction = () => [{ title: 'Mijn profiel · Samenspel' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requireUser(request, context)
  const sessions = await listUserSessions(context.db, auth.user.id)
  // Members under 16 choose from safe names, never free text (ADR 0012); each visit offers new ones.
  const under16 = Boolean(auth.user.under_16)
  return {
    passwordChanged: new URL(request.url).searchParams.get('wachtwoord') === 'gewijzigd',
    user: { name: auth.user.name, email: auth.user.email, under16 },
    nameChoices: under16 ? await offerSafeNames(context.db) : [],
    /** the current name is offered to keep only when it is a safe one */
    nameIsSafe: under16 && isSafeName(auth.user.name),
    currentSessionId: auth.session.id,
    sessions,
  }
}

type Done = { ok: true; message: MessageKey; vars?: Record<string, number> }

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requireUser(request, context)
  const parsed = await parseForm(request, profileAction)
  if (!parsed.ok) return invalid(parsed.errors, parsed.values)
  const now = context.clock()
  const input = parsed.data
  // Each command tells the collaboration server: open documents reconnect with the new name or session.
  if (input.intent === 'name') {
    const renamed = await updateName(context.db, auth.user.id, input.name, context.collab)
    if (!renamed.ok) return refusal(renamed, accountRefusals)
    return data({ ok: true, message: 'profile.nameSaved' } satisfies Done)
  }
  if (input.intent === 'elsewhere') {
    const count = await logoutElsewhere(context.db, { userId: auth.user.id, keepSessionId: auth.session.id, now }, context.collab)
    return data({ ok: true, message: 'profile.loggedOutElsewhere', vars: { count } } satisfies Done)
  }
  const device = deviceLabel(request.headers.get('User-Agent'))
  const result = await changePassword(context.db, { userId: auth.user.id, current: input.current, next: input.next, device, now }, context.collab)
  if (!result.ok) return refusal(result, accountRefusals)
  // Redirect rather than render: the loaders of this request would still see the revoked session.
  return redirect('/profiel?wachtwoord=gewijzigd', {
    headers: { 'Set-Cookie': await cookieFor(context).serialize(result.token) },
  })
}

export default function Profile() {
  const { user, sessions, currentSessionId, passwordChanged, nameChoices, nameIsSafe } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const t = useT()
  const fmt = useFormat()
  const { errors, done } = actionReply<Done>(result)
  return (
    <div className="content narrow">
      <Heading level={1}>{t('profile.title')}</Heading>
      {done ? <Notice>{t(done.message, done.vars)}</Notice> : null}
      {passwordChanged && !result ? <Notice>{t('profile.passwordChanged')}</Notice> : null}
      {errors?.current === 'profile.wrongPassword' ? <Notice kind="error">{t('profile.wrongPassword')}</Notice> : null}
      <ErrorSummary errors={errors} />
      <section aria-labelledby="name-title">
        <Heading level={2} id="name-title">{t('profile.name')}</Heading>
        <Form method="post" noValidate className="form">
          <input type="hidden" name="intent" value="name" />
          {user.under16 ? (
            <NameChoice name="name" choices={nameChoices} current={nameIsSafe ? user.name : undefined} error={errors?.name} />
          ) : (
            <TextField name="name" label={t('profile.name')} required maxLength={100} autoComplete="name" defaultValue={user.name} error={errors?.name} />
          )}
          <SubmitButton>{t('profile.saveName')}</SubmitButton>
        </Form>
        {user.under16 ? (
          <Form method="get" className="form">
            <SubmitButton secondary name="namen" value="andere">
              {t('names.more')}
            </SubmitButton>
          </Form>
        ) : null}
      </section>
      <section aria-labelledby="pw-title">
        <Heading level={2} id="pw-title">{t('profile.password')}</Heading>
        {user.email ? (
          <Form method="post" noValidate className="form">
            <input type="hidden" name="intent" value="password" />
            <input type="hidden" name="username" value={user.email} autoComplete="username" />
            <TextField name="current" type="password" label={t('profile.currentPassword')} autoComplete="current-password" required error={errors?.current} />
            <TextField name="next" type="password" label={t('profile.newPassword')} hint={t('invite.passwordHint')} autoComplete="new-password" required error={errors?.next} />
            <SubmitButton>{t('profile.changePassword')}</SubmitButton>
          </Form>
        ) : (
          <Paragraph>{t('profile.panelNoPassword')}</Paragraph>
        )}
      </section>
      <section aria-labelledby="sessions-title">
        <Heading level={2} id="sessions-title">{t('profile.sessions')}</Heading>
        <DataTable
          caption={t('profile.sessions')}
          captionHidden
          rows={sessions}
          rowKey={(s) => s.id}
          rowProps={() => ({ 'data-testid': 'session-row' })}
          columns={[
            { header: t('profile.device'), className: 'cell--name', cell: (s) => <>{s.device || '—'} {s.id === currentSessionId ? <strong>({t('profile.thisSession')})</strong> : null}</> },
            { header: t('profile.started'), cell: (s) => fmt.dateTime(s.created_at) },
            { header: t('profile.lastUsed'), cell: (s) => fmt.dateTime(s.last_verified_at) },
          ]}
        />
        <Form method="post">
          <input type="hidden" name="intent" value="elsewhere" />
          <SubmitButton secondary>{t('profile.logoutElsewhere')}</SubmitButton>
        </Form>
      </section>
    </div>
  )
}
