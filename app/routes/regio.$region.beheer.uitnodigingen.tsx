import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { useState } from 'react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import type { Role } from '../../db/schema'
import { forbidden, requireAbility } from '../../server/auth/guards'
import { can } from '../../server/policy/can'
import { invalid, parseForm, refusal } from '../../server/lib/forms'
import { accountRefusals, invitationAction } from '../../server/modules/accounts/schemas'
import { issueInvitation, revokeInvitation } from '../../server/modules/accounts/commands'
import { invitationChoices, listInvitations } from '../../server/modules/accounts/queries'
import { actionReply, ErrorSummary, Notice, SelectField, SubmitButton, TextField } from '../components/forms'
import { DataTable } from '../components/DataTable'
import { RowAction } from '../components/RowAction'
import { useFormat, useT } from '../i18n/use'
import type { MessageKey } from '../i18n/messages'

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { auth, region } = await requireAbility(request, context, params.region, 'invitation', 'list')
  const [invitations, organisations] = await Promise.all([
    listInvitations(context.db, region.id, context.clock()),
    invitationChoices(context.db, auth.actor, region.id),
  ])
  return { organisations, invitations }
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { auth, region } = await requireAbility(request, context, params.region, 'invitation', 'list')
  const parsed = await parseForm(request, invitationAction)
  if (!parsed.ok) return invalid(parsed.errors, parsed.values)
  const input = parsed.data
  if (!can(auth.actor, input.intent === 'invite' ? 'create' : 'revoke', { type: 'invitation', regionId: region.id })) forbidden()
  const by = { regionId: region.id, actorId: auth.user.id, now: context.clock() }
  if (input.intent === 'revoke') {
    const revoked = await revokeInvitation(context.db, { ...by, id: input.id })
    if (!revoked.ok) return refusal(revoked, accountRefusals)
    return data({ ok: true as const, errors: {}, values: {}, link: null, email: null })
  }
  // The command checks that the role fits the organisation (the policy's roleFitsOrganisation).
  const issued = await issueInvitation(context.db, { ...by, organisationId: input.organisationId, role: input.role, email: input.email })
  if (!issued.ok) return refusal(issued, accountRefusals, { email: input.email, organisationId: input.organisationId, role: input.role })
  const link = `${new URL(request.url).origin}/uitnodiging/${issued.token}`
  return data({ ok: true as const, errors: {}, values: {}, link, email: input.email })
}

export default function Invitations() {
  const { organisations, invitations } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const t = useT()
  const fmt = useFormat()
  const { errors, values } = actionReply(result)
  // The role list follows the chosen organisation (without JavaScript: the one the page came with).
  const [organisationId, setOrganisationId] = useState(values?.organisationId ?? organisations[0]?.id ?? '')
  const chosen = organisations.find((o) => o.id === organisationId) ?? organisations[0]
  const roleOptions = chosen?.roles ?? []
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
        <ErrorSummary
          errors={errors}
          fields={[
            { name: 'email', label: t('admin.email') },
            { name: 'organisationId', label: t('admin.organisation') },
            { name: 'role', label: t('admin.role') },
          ]}
        />
        <Form method="post" noValidate className="form form--inline">
          <input type="hidden" name="intent" value="invite" />
          <TextField name="email" type="email" label={t('admin.email')} required autoComplete="off" defaultValue={values?.email} error={errors?.email} />
          <SelectField
            name="organisationId"
            label={t('admin.organisation')}
            defaultValue={chosen?.id}
            error={errors?.organisationId}
            onChange={setOrganisationId}
            options={organisations.map((o) => ({ value: o.id, label: `${o.name} (${t(`kind.${o.kind}` as MessageKey)})` }))}
          />
          <SelectField
            key={chosen?.kind}
            name="role"
            label={t('admin.role')}
            hint={t('admin.roleHint')}
            defaultValue={values?.role && roleOptions.includes(values.role as Role) ? values.role : roleOptions[0]}
            error={errors?.role}
            options={roleOptions.map((r) => ({ value: r, label: t(`role.${r}` as MessageKey) }))}
          />
          <SubmitButton>{t('admin.invite')}</SubmitButton>
        </Form>
      </section>
      <DataTable
        caption={`${t('admin.invitations')} (${invitations.length})`}
        rows={invitations}
        rowKey={(i) => i.id}
        columns={[
          { header: t('admin.email'), className: 'cell--email', cell: (i) => i.email },
          { header: t('admin.organisation'), cell: (i) => i.organisation_name },
          { header: t('admin.role'), cell: (i) => t(`role.${i.role}` as MessageKey) },
          { header: t('admin.status'), cell: (i) => <span className={`status status--${i.status}`}>{t(`admin.status.${i.status}` as MessageKey)}</span> },
          { header: t('admin.expires'), cell: (i) => fmt.dateTime(i.expires_at) },
          {
            header: t('admin.actions'),
            cell: (i) =>
              i.status === 'open' ? (
                <RowAction intent="revoke" field="id" id={i.id} label={`${t('admin.revoke')}: ${i.email}`}>
                  {t('admin.revoke')}
                </RowAction>
              ) : null,
          },
        ]}
      />
    </>
  )
}
