import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from '@remix-run/node'
import { data, redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { cookieFor, getAuth } from '../../server/auth/guards'
import { deviceLabel } from '../../server/auth/session'
import { parseForm, retryAfterHeaders } from '../../server/lib/forms'
import { safeRedirect } from '../../server/http/safe-redirect'
import { loginWithPassword } from '../../server/modules/accounts/login'
import { loginSchema } from '../../server/modules/accounts/schemas'
import { ErrorSummary, Notice, SubmitButton, TextField } from '../components/forms'
import { useT } from '../i18n/use'

export const headers = retryAfterHeaders

export const meta: MetaFunction = () => [{ title: 'Inloggen · Samenspel' }]

export async function loader({ request, context }: LoaderFunctionArgs) {
  const url = new URL(request.url)
  // Checked here as well as in the action, so the page never carries a hostile target along.
  const back = safeRedirect(url.searchParams.get('terug'))
  if (await getAuth(request, context)) throw redirect(back)
  return { expired: url.searchParams.get('verlopen') === '1', back }
}

const noErrors: Record<string, string> = {}

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = await parseForm(request, loginSchema)
  if (!parsed.ok) return data({ errors: parsed.errors, values: parsed.values, message: null, retryAfter: 0 }, { status: 400 })
  const result = await loginWithPassword({
    db: context.db,
    email: parsed.data.email,
    password: parsed.data.password,
    address: context.clientAddress,
    device: deviceLabel(request.headers.get('User-Agent')),
    now: context.clock(),
  })
  const values = { email: parsed.data.email }
  if (!result.ok && result.reason === 'throttled') {
    return data(
      { errors: noErrors, values, message: 'login.throttled' as const, retryAfter: result.retryAfter },
      { status: 429, headers: { 'Retry-After': String(result.retryAfter) } },
    )
  }
  if (!result.ok) return data({ errors: noErrors, values, message: 'login.invalid' as const, retryAfter: 0 }, { status: 401 })
  return redirect(safeRedirect(parsed.data.terug), {
    headers: { 'Set-Cookie': await cookieFor(context).serialize(result.token) },
  })
}

export default function Login() {
  const { expired, back } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const t = useT()
  return (
    <div className="content narrow">
      <Heading level={1}>{t('login.title')}</Heading>
      {expired && !result ? <Notice kind="info">{t('login.expired')}</Notice> : null}
      {result?.message === 'login.invalid' ? <Notice kind="error">{t('login.invalid')}</Notice> : null}
      {result?.message === 'login.throttled' ? (
        <Notice kind="error">{t('login.throttled', { minutes: Math.max(1, Math.ceil(result.retryAfter / 60)) })}</Notice>
      ) : null}
      <ErrorSummary errors={result?.errors} />
      <Paragraph>{t('login.intro')}</Paragraph>
      <Form method="post" noValidate className="form">
        <input type="hidden" name="terug" value={back} />
        <TextField
          name="email"
          type="email"
          label={t('login.email')}
          autoComplete="username"
          required
          defaultValue={result?.values?.email}
          error={result?.errors?.email}
        />
        <TextField
          name="password"
          type="password"
          label={t('login.password')}
          autoComplete="current-password"
          required
          error={result?.errors?.password}
        />
        <SubmitButton>{t('login.submit')}</SubmitButton>
      </Form>
      <Paragraph>
        <Link to="/panelcode">{t('login.panelLink')}</Link>
      </Paragraph>
    </div>
  )
}
