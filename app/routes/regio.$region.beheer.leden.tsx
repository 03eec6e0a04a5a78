import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { notFound, requireAbility } from '../../server/auth/guards'
import { rolesByOrganisationKind } from '../../server/policy/can'
import { invalid, parseForm } from '../../server/lib/forms'
import { roleChangeSchema } from '../../server/modules/accounts/schemas'
import { changeRole, LastAdminError, removeMembership, RoleDoesNotFitError } from '../../server/modules/regions/commands'
import { listMembers, membershipUserId } from '../../server/modules/regions/queries'
import { Notice } from '../components/forms'
import { DataTable } from '../components/DataTable'
import { useT } from '../i18n/use'
import type { MessageKey } from '../i18n/messages'

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { region } = await requireAbility(request, context, params.region, 'membership', 'list')
  const members = await listMembers(context.db, region.id)
  // Each row offers only the roles that fit its organisation (server/policy/memberships.ts), and
  // keeps a role from before the rule so that the select shows what the person holds.
  const rolesFor = (m: (typeof members)[number]) => {
    const fitting = rolesByOrganisationKind[m.organisation_kind]
    return fitting.includes(m.role) ? fitting : [m.role, ...fitting]
  }
  return { members: members.map((m) => ({ ...m, roles: rolesFor(m) })) }
}

const removeSchema = z.object({ intent: z.literal('remove'), membershipId: z.string().min(1).max(64) })
const memberAction = z.discriminatedUnion('intent', [roleChangeSchema, removeSchema])

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { auth, region } = await requireAbility(request, context, params.region, 'membership', 'manage')
  const parsed = await parseForm(request, memberAction)
  if (!parsed.ok) return invalid(parsed.errors, parsed.values)
  const now = context.clock()
  const userId = await membershipUserId(context.db, region.id, parsed.data.membershipId)
  try {
    const done =
      parsed.data.intent === 'role'
        ? await changeRole(context.db, { regionId: region.id, membershipId: parsed.data.membershipId, role: parsed.data.role, actorId: auth.user.id, now })
        : await removeMembership(context.db, { regionId: region.id, membershipId: parsed.data.membershipId, actorId: auth.user.id, now })
    if (!done || !userId) notFound()
    // Their open documents re-check what they may do now.
    await context.collab.accessChanged({ userId })
  } catch (err) {
    if (err instanceof LastAdminError) return invalid({ form: 'admin.lastAdmin' }, {}, 409)
    if (err instanceof RoleDoesNotFitError) return invalid({ form: 'admin.roleDoesNotFit' }, {}, 400)
    throw err
  }
  return data({ ok: true as const, errors: {}, values: {} })
}

export default function Members() {
  const { members } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const t = useT()
  return (
    <>
      {result?.ok ? <Notice>{t('admin.saved')}</Notice> : null}
      {result && !result.ok && result.errors.form === 'admin.lastAdmin' ? <Notice kind="error">{t('admin.lastAdmin')}</Notice> : null}
      {result && !result.ok && result.errors.form === 'admin.roleDoesNotFit' ? <Notice kind="error">{t('admin.roleDoesNotFit')}</Notice> : null}
      <DataTable
        caption={`${t('admin.members')} (${members.length})`}
        rows={members}
        rowKey={(m) => m.membership_id}
        columns={[
          // Name and address in one column: five columns with two of controls do not fit beside the menu at 1280 px.
          {
            header: `${t('admin.name')} / ${t('admin.email')}`,
            className: 'cell--name',
            cell: (m) => (
              <>
                {m.name}
                <span className="member__email">{m.email ?? t('admin.noEmail')}</span>
              </>
            ),
          },
          { header: t('admin.organisation'), cell: (m) => m.organisation_name },
          {
            header: t('admin.role'),
            cell: (m) => (
              <Form method="post" className="row-form">
                <input type="hidden" name="intent" value="role" />
                <input type="hidden" name="membershipId" value={m.membership_id} />
                <select
                  name="role"
                  defaultValue={m.role}
                  aria-label={t('admin.roleFor', { name: m.name })}
                  className="utrecht-select utrecht-select--html-select"
                >
                  {m.roles.map((r) => (
                    <option key={r} value={r}>
                      {t(`role.${r}` as MessageKey)}
                    </option>
                  ))}
                </select>
                <button type="submit" className="utrecht-button utrecht-button--secondary-action">
                  {t('admin.changeRole')}
                </button>
              </Form>
            ),
          },
          {
            header: t('admin.actions'),
            cell: (m) => (
              <Form method="post">
                <input type="hidden" name="intent" value="remove" />
                <input type="hidden" name="membershipId" value={m.membership_id} />
                <button type="submit" className="utrecht-button utrecht-button--subtle" aria-label={t('admin.removeMember', { name: m.name })}>
                  {t('admin.remove')}
                </button>
              </Form>
            ),
          },
        ]}
      />
    </>
  )
}
