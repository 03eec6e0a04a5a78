import type { ActionFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, useActionData } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { cookieFor } from '../../server/auth/guards'
import { deviceLabel } from '../../server/auth/session'
import { recordFailure, retryAfterSeconds, throttleKey } from '../../server/auth/throttle'
import { parseForm, retryAfterHeaders } from '../../server/lib/forms'
import { startSession } from '../../server/modules/accounts/login'
import { offerSafeNames } from '../../server/modules/accounts/queries'
import { redeemPanelCode } from '../../server/modules/panels/commands'
import { peekPanelCode } from '../../server/modules/panels/queries'
import { panelCodeSchema, panelRefusals } from '../../server/modules/panels/schemas'
import { ErrorSummary, Notice, SubmitButton, TextField } from '../components/forms'
import { NameChoice } from '../components/NameChoice'
import { useT } from '../i18n/use'

export const headers = retryAfterHeaders

export const meta: MetaFunction = () => [{ title: 'Panelcode · Samenspel' }]

type Reply = {
  errors: Record<string, string>
  values: Record<string, string>
  message: 'panel.invalid' | 'login.throttled' | null
  askName: boolean
  /** safe names to choose from: a new member under 16 never types a name (ADR 0012) */
  choices: string[]
  retryAfter: number
}

/**
 * Panel members log in with a one-time code. A new member's first step checks the code; the
 * second asks for a display name: typed by adults, chosen from a few safe names by members under
 * 16 (the server checks it again). Wrong codes count towards the same throttle as passwords.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const now = context.clock()
  const parsed = await parseForm(request, panelCodeSchema)
  const reply = (r: Partial<Reply>, status: number, headers?: Record<string, string>) =>
    data({ errors: {}, values: {}, message: null, askName: false, choices: [], retryAfter: 0, ...r } satisfies Reply, { status, headers })
  if (!parsed.ok) return reply({ errors: parsed.errors, values: parsed.values }, 400)

  const addressKey = throttleKey('address', context.clientAddress)
  const wait = await retryAfterSeconds(context.db, [addressKey], now)
  if (wait > 0) return reply({ message: 'login.throttled', retryAfter: wait }, 429, { 'Retry-After': String(wait) })
  const { code, displayName } = parsed.data
  const peek = await peekPanelCode(context.db, code, now)
  if (!peek) {
    await recordFailure(context.db, addressKey, now)
    return reply({ message: 'panel.invalid', values: { code } }, 400)
  }
  const nameStep = parsed.form.get('step') === 'name'
  if (peek.newMember && peek.under16) {
    const choose = (errors: Record<string, string>, status: number) =>
      offerSafeNames(context.db).then((choices) => reply({ askName: true, values: { code }, choices, errors }, status))
    if (parsed.form.get('more') !== null) return choose({}, 200)
    if (!displayName) return choose(nameStep ? { displayName: 'error.nameNotSafe' } : {}, nameStep ? 400 : 200)
  } else if (peek.newMember && !displayName) {
    return reply({ askName: true, values: { code } }, displayName === '' || nameStep ? 400 : 200)
  }
  const result = await redeemPanelCode(context.db, { code, displayName, now })
  if (!result.ok && (result.reason === 'name_not_safe' || result.reason === 'name_taken')) {
    const choices = await offerSafeNames(context.db)
    return reply({ askName: true, values: { code }, choices, errors: { displayName: panelRefusals[result.reason].message } }, 400)
  }
  if (!result.ok) return reply({ message: 'panel.invalid', values: { code } }, 400)
  const session = await startSession(context.db, result.userId, {
    now,
    device: deviceLabel(request.headers.get('User-Agent')),
    method: 'panel_code',
  })
  return redirect('/', { headers: { 'Set-Cookie': await cookieFor(context).serialize(session.token) } })
}

export default function PanelCode() {
  const result = useActionData<typeof action>()
  const t = useT()
  const askName = result?.askName ?? false
  return (
    <div className="content narrow">
      <Heading level={1}>{t('panel.title')}</Heading>
      {result?.message === 'panel.invalid' ? <Notice kind="error">{t('panel.invalid')}</Notice> : null}
      {result?.message === 'login.throttled' ? (
        <Notice kind="error">{t('login.throttled', { minutes: Math.max(1, Math.ceil(result.retryAfter / 60)) })}</Notice>
      ) : null}
      <ErrorSummary errors={result?.errors} />
      <Paragraph>{askName ? t('panel.nameStep') : t('panel.intro')}</Paragraph>
      <Form method="post" noValidate className="form">
        {askName ? (
          <>
            <input type="hidden" name="code" value={result?.values?.code ?? ''} />
            <input type="hidden" name="step" value="name" />
            {result?.choices?.length ? (
              <NameChoice name="displayName" choices={result.choices} error={result.errors?.displayName} />
            ) : (
              <TextField
                name="displayName"
                label={t('panel.displayName')}
                hint={t('panel.displayNameHint')}
                autoComplete="nickname"
                required
                maxLength={40}
                error={result?.errors?.displayName}
              />
            )}
          </>
        ) : (
          <TextField
            name="code"
            label={t('panel.code')}
            hint={t('panel.codeHint')}
            autoComplete="one-time-code"
            required
            maxLength={40}
            defaultValue={result?.values?.code}
            error={result?.errors?.code}
          />
        )}
        <SubmitButton>{t('panel.submit')}</SubmitButton>
        {result?.choices?.length ? (
          <SubmitButton secondary name="more" value="1">
            {t('names.more')}
          </SubmitButton>
        ) : null}
      </Form>
    </div>
  )
}
