import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { z } from 'zod'
import { roles } from '../../db/schema'
import { notFound, requireAbility, forbidden } from '../../server/auth/guards'
import { can } from '../../server/policy/can'
import { invalid, parseForm } from '../../server/lib/forms'
import { invitationSchema } from '../../server/modules/accounts/schemas'
import { issueInvitation, listInvitations, revokeInvitation } from '../../server/modules/accounts/invitations'
import { findOrganisation, listOrganisations } from '../../server/modules/regions/queries'
import { ErrorSummary, Notice, SelectField, SubmitButton, TextField } from '../components/forms'
import { useFormat, useT } from '../i18n/use'
import type { MessageKey } from '../i18n/messages'

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { region } = await requireAbility(request, context, params.region, 'invitation', 'list')
  const [invitations, organisations] = await Promise.all([
    listInvitations(context.db, region.id),
    listOrganisations(context.db, region.id),
  ])
  const now = context.clock().getTime()
  return {
    organisations: organisations.filter((o) => o.kind !== 'panel'),
    invitations: invitations.map((i) => ({
      ...i,
      status: i.revoked_at ? 'revoked' : i.accepted_at ? 'used' : Date.parse(i.expires_at) <= now ? 'expired' : 'open',
    })),
  }
}

const revokeSchema = z.object({ intent: z.literal('revoke'), id: z.string().min(1).max(64) })
const invitationAction = z.discriminatedUnion('intent', [invitationSchema, revokeSchema])

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { auth, region } = await requireAbility(request, context, params.region, 'invitation', 'list')
  const parsed = await parseForm(request, invitationAction)
  if (!parsed.ok) return invalid(parsed.errors, parsed.values)
  const now = context.clock()
  const input = parsed.data
  if (!can(auth.actor, input.intent === 'invite' ? 'create' : 'revoke', { type: 'invitation', regionId: region.id })) forbidden()
  if (input.intent === 'revoke') {
    if (!(await revokeInvitation(context.db, { regionId: region.id, id: input.id, actorId: auth.user.id, now }))) notFound()
    return data({ ok: true as const, errors: {}, values: {}, link: null, email: null })
  }
  const org = await findOrganisation(context.db, region.id, input.organisationId)
  if (!org || org.kind === 'panel') return invalid({ organisationId: 'error.choice' }, { email: input.email, role: input.role })
  const { token } = await issueInvitation(context.db, {
    regionId: region.id,
    organisationId: org.id,
    role: input.role,
    email: input.email,
    actorId: auth.user.id,
    now,
  })
  const link = `${new URL(request.url).origin}/uitnodiging/${token}`
  return data({ ok: true as const, errors: {}, values: {}, link, email: input.email })
}

export default function Invitations() {
  const { organisations, invitations } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const t = useT()
  const fmt = useFormat()
  const errors = result && !result.ok ? result.errors : undefined
  const values = result && !result.ok ? result.values : undefined
  return (
    <>
      <section aria-labelledby="invite-form">
        <Heading level={2} id="invite-form">
          {t('admin.newInvitation')}
        </Heading>
        {result?.ok && 'link' in result && result.link ? (
          <Notice>
            <Paragraph>{t('admin.invitationCreated', { email: result.email ?? '' })}</Paragraph>
            <Paragraph>
              <code className="invite-link">{result.link}</code>
            </Paragraph>
          </Notice>
        ) : null}
        <ErrorSummary errors={errors} />
        <Form method="post" noValidate className="form form--inline">
          <input type="hidden" name="intent" value="invite" />
          <TextField name="email" type="email" label={t('admin.email')} required autoComplete="off" defaultValue={values?.email} error={errors?.email} />
          <SelectField
            name="organisationId"
            label={t('admin.organisation')}
            defaultValue={values?.organisationId}
            error={errors?.organisationId}
            options={organisations.map((o) => ({ value: o.id, label: `${o.name} (${t(`kind.${o.kind}` as MessageKey)})` }))}
          />
          <SelectField
            name="role"
            label={t('admin.role')}
            defaultValue={values?.role ?? 'civil_servant'}
            error={errors?.role}
            options={roles.filter((r) => r !== 'panel_member').map((r) => ({ value: r, label: t(`role.${r}` as MessageKey) }))}
          />
          <SubmitButton>{t('admin.invite')}</SubmitButton>
        </Form>
      </section>
      <table className="utrecht-table data-table">
        <caption className="utrecht-table__caption">{t('admin.invitations')} ({invitations.length})</caption>
        <thead className="utrecht-table__header">
          <tr className="utrecht-table__row">
            <th scope="col" className="utrecht-table__header-cell">{t('admin.email')}</th>
            <th scope="col" className="utrecht-table__header-cell">{t('admin.organisation')}</th>
            <th scope="col" className="utrecht-table__header-cell">{t('admin.role')}</th>
            <th scope="col" className="utrecht-table__header-cell">{t('admin.status')}</th>
            <th scope="col" className="utrecht-table__header-cell">{t('admin.expires')}</th>
            <th scope="col" className="utrecht-table__header-cell">{t('admin.actions')}</th>
          </tr>
        </thead>
        <tbody className="utrecht-table__body">
          {invitations.map((i) => (
            <tr key={i.id} className="utrecht-table__row">
              <td className="utrecht-table__cell cell--email">{i.email}</td>
              <td className="utrecht-table__cell">{i.organisation_name}</td>
              <td className="utrecht-table__cell">{t(`role.${i.role}` as MessageKey)}</td>
              <td className="utrecht-table__cell">
                <span className={`status status--${i.status}`}>{t(`admin.status.${i.status}` as MessageKey)}</span>
              </td>
              <td className="utrecht-table__cell">{fmt.dateTime(i.expires_at)}</td>
              <td className="utrecht-table__cell">
                {i.status === 'open' ? (
                  <Form method="post">
                    <input type="hidden" name="intent" value="revoke" />
                    <input type="hidden" name="id" value={i.id} />
                    <button type="submit" className="utrecht-button utrecht-button--subtle" aria-label={`${t('admin.revoke')}: ${i.email}`}>
                      {t('admin.revoke')}
                    </button>
                  </Form>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
