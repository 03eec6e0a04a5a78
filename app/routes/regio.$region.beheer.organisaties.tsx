import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { Heading } from '@utrecht/component-library-react'
import { forbidden, requireAbility } from '../../server/auth/guards'
import { can } from '../../server/policy/can'
import { invalid, parseForm } from '../../server/lib/forms'
import { organisationSchema } from '../../server/modules/accounts/schemas'
import { createOrganisation, DuplicateNameError, updateOrganisation } from '../../server/modules/regions/commands'
import { listOrganisations } from '../../server/modules/regions/queries'
import { organisationKinds } from '../../db/schema'
import type { MessageKey } from '../i18n/messages'
import { ErrorSummary, Notice, SelectField, SubmitButton, TextField } from '../components/forms'
import { useT } from '../i18n/use'

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { region } = await requireAbility(request, context, params.region, 'organisation', 'update')
  return { organisations: await listOrganisations(context.db, region.id) }
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { auth, region } = await requireAbility(request, context, params.region, 'organisation', 'create')
  const parsed = await parseForm(request, organisationSchema)
  if (!parsed.ok) return invalid(parsed.errors, parsed.values)
  const { id, name, kind } = parsed.data
  if (id && !can(auth.actor, 'update', { type: 'organisation', regionId: region.id })) forbidden()
  const now = context.clock()
  try {
    if (id) {
      const ok = await updateOrganisation(context.db, { regionId: region.id, id, name, kind, actorId: auth.user.id, now })
      if (!ok) throw new Response('Not Found', { status: 404 })
    } else {
      await createOrganisation(context.db, { regionId: region.id, name, kind, actorId: auth.user.id, now })
    }
  } catch (err) {
    if (err instanceof DuplicateNameError) return invalid({ name: 'error.duplicate' }, { name, kind }, 409)
    throw err
  }
  return data({ ok: true as const, errors: {}, values: {} })
}

export default function Organisations() {
  const { organisations } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const [params] = useSearchParams()
  const t = useT()
  const editing = organisations.find((m) => m.id === params.get('bewerk'))
  const errors = result && !result.ok ? result.errors : undefined
  const values = result && !result.ok ? result.values : undefined
  return (
    <>
      <section aria-labelledby="org-form">
        <Heading level={2} id="org-form">
          {editing ? `${t('admin.edit')}: ${editing.name}` : t('admin.addOrganisation')}
        </Heading>
        {result?.ok ? <Notice>{t('admin.saved')}</Notice> : null}
        <ErrorSummary errors={errors} />
        <Form method="post" noValidate className="form form--inline" key={editing?.id ?? 'new'}>
          {editing ? <input type="hidden" name="id" value={editing.id} /> : null}
          <TextField name="name" label={t('admin.name')} required maxLength={150} defaultValue={values?.name ?? editing?.name} error={errors?.name} />
          <SelectField
            name="kind"
            label={t('admin.kind')}
            defaultValue={values?.kind ?? editing?.kind ?? 'provider'}
            error={errors?.kind}
            options={organisationKinds.map((k) => ({ value: k, label: t(`kind.${k}` as MessageKey) }))}
          />
          <SubmitButton>{editing ? t('admin.save') : t('admin.add')}</SubmitButton>
        </Form>
      </section>
      <table className="utrecht-table data-table">
        <caption className="utrecht-table__caption">{t('admin.organisations')} ({organisations.length})</caption>
        <thead className="utrecht-table__header">
          <tr className="utrecht-table__row">
            <th scope="col" className="utrecht-table__header-cell">{t('admin.name')}</th>
            <th scope="col" className="utrecht-table__header-cell">{t('admin.kind')}</th>
            <th scope="col" className="utrecht-table__header-cell">{t('admin.actions')}</th>
          </tr>
        </thead>
        <tbody className="utrecht-table__body">
          {organisations.map((m) => (
            <tr key={m.id} className="utrecht-table__row">
              <td className="utrecht-table__cell">{m.name}</td>
              <td className="utrecht-table__cell">{t(`kind.${m.kind}` as MessageKey)}</td>
              <td className="utrecht-table__cell">
                <Link to={`?bewerk=${m.id}`} aria-label={`${t('admin.edit')}: ${m.name}`}>{t('admin.edit')}</Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
