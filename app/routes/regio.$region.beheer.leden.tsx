import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { z } from 'zod'
import { roles } from '../../db/schema'
import { notFound, requireAbility } from '../../server/auth/guards'
import { invalid, parseForm } from '../../server/lib/forms'
import { roleChangeSchema } from '../../server/modules/accounts/schemas'
import { changeRole, LastAdminError, removeMembership } from '../../server/modules/regions/commands'
import { listMembers, membershipUserId } from '../../server/modules/regions/queries'
import { Notice } from '../components/forms'
import { useT } from '../i18n/use'
import type { MessageKey } from '../i18n/messages'

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { region } = await requireAbility(request, context, params.region, 'membership', 'list')
  return { members: await listMembers(context.db, region.id) }
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
      <table className="utrecht-table data-table">
        <caption className="utrecht-table__caption">{t('admin.members')} ({members.length})</caption>
        <thead className="utrecht-table__header">
          <tr className="utrecht-table__row">
            <th scope="col" className="utrecht-table__header-cell">{t('admin.name')}</th>
            <th scope="col" className="utrecht-table__header-cell">{t('admin.email')}</th>
            <th scope="col" className="utrecht-table__header-cell">{t('admin.organisation')}</th>
            <th scope="col" className="utrecht-table__header-cell">{t('admin.role')}</th>
            <th scope="col" className="utrecht-table__header-cell">{t('admin.actions')}</th>
          </tr>
        </thead>
        <tbody className="utrecht-table__body">
          {members.map((m) => (
            <tr key={m.membership_id} className="utrecht-table__row">
              <td className="utrecht-table__cell">{m.name}</td>
              <td className="utrecht-table__cell cell--email">{m.email ?? <span className="muted">{t('admin.noEmail')}</span>}</td>
              <td className="utrecht-table__cell">{m.organisation_name}</td>
              <td className="utrecht-table__cell">
                <Form method="post" className="row-form">
                  <input type="hidden" name="intent" value="role" />
                  <input type="hidden" name="membershipId" value={m.membership_id} />
                  <select
                    name="role"
                    defaultValue={m.role}
                    aria-label={t('admin.roleFor', { name: m.name })}
                    className="utrecht-select utrecht-select--html-select"
                  >
                    {roles.map((r) => (
                      <option key={r} value={r}>
                        {t(`role.${r}` as MessageKey)}
                      </option>
                    ))}
                  </select>
                  <button type="submit" className="utrecht-button utrecht-button--secondary-action">
                    {t('admin.changeRole')}
                  </button>
                </Form>
              </td>
              <td className="utrecht-table__cell">
                <Form method="post">
                  <input type="hidden" name="intent" value="remove" />
                  <input type="hidden" name="membershipId" value={m.membership_id} />
                  <button type="submit" className="utrecht-button utrecht-button--subtle" aria-label={t('admin.removeMember', { name: m.name })}>
                    {t('admin.remove')}
                  </button>
                </Form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
