import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { requireAbility } from '../../server/auth/guards'
import { invalid, parseForm, refusal } from '../../server/lib/forms'
import { changeRole, removeMembership } from '../../server/modules/regions/commands'
import { listMembers } from '../../server/modules/regions/queries'
import { memberAction, regionRefusals } from '../../server/modules/regions/schemas'
import { ErrorSummary, Notice } from '../components/forms'
import { DataTable } from '../components/DataTable'
import { RowAction } from '../components/RowAction'
import { useT } from '../i18n/use'
import type { MessageKey } from '../i18n/messages'

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { region } = await requireAbility(request, context, params.region, 'membership', 'list')
  return { members: await listMembers(context.db, region.id) }
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { auth, region } = await requireAbility(request, context, params.region, 'membership', 'manage')
  const parsed = await parseForm(request, memberAction)
  if (!parsed.ok) return invalid(parsed.errors, parsed.values)
  const input = { regionId: region.id, membershipId: parsed.data.membershipId, actorId: auth.user.id, now: context.clock() }
  // Each command tells the collaboration server, so the person's open documents re-check.
  const result =
    parsed.data.intent === 'role'
      ? await changeRole(context.db, { ...input, role: parsed.data.role }, context.collab)
      : await removeMembership(context.db, input, context.collab)
  if (!result.ok) return refusal(result, regionRefusals)
  return data({ ok: true as const, errors: {}, values: {} })
}

export default function Members() {
  const { members } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const t = useT()
  return (
    <>
      {result?.ok ? <Notice>{t('admin.saved')}</Notice> : null}
      <ErrorSummary errors={result && !result.ok ? result.errors : undefined} fields={[]} />
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
              <RowAction intent="remove" field="membershipId" id={m.membership_id} label={t('admin.removeMember', { name: m.name })}>
                {t('admin.remove')}
              </RowAction>
            ),
          },
        ]}
      />
    </>
  )
}
