import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData, useSearchParams } from '@remix-run/react'
import { Heading } from '@utrecht/component-library-react'
import { forbidden, requireAbility } from '../../server/auth/guards'
import { can } from '../../server/policy/can'
import { invalid, parseForm } from '../../server/lib/forms'
import { municipalitySchema } from '../../server/modules/accounts/schemas'
import { createMunicipality, DuplicateNameError, updateMunicipality } from '../../server/modules/regions/commands'
import { listMunicipalities } from '../../server/modules/regions/queries'
import { ErrorSummary, Notice, SubmitButton, TextField } from '../components/forms'
import { useT } from '../i18n/use'

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { region } = await requireAbility(request, context, params.region, 'municipality', 'update')
  return { municipalities: await listMunicipalities(context.db, region.id) }
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { auth, region } = await requireAbility(request, context, params.region, 'municipality', 'create')
  const parsed = await parseForm(request, municipalitySchema)
  if (!parsed.ok) return invalid(parsed.errors, parsed.values)
  const { id, name, subregion } = parsed.data
  if (id && !can(auth.actor, 'update', { type: 'municipality', regionId: region.id })) forbidden()
  const now = context.clock()
  try {
    if (id) {
      const ok = await updateMunicipality(context.db, { regionId: region.id, id, name, subregion, actorId: auth.user.id, now })
      if (!ok) throw new Response('Not Found', { status: 404 })
    } else {
      await createMunicipality(context.db, { regionId: region.id, name, subregion, actorId: auth.user.id, now })
    }
  } catch (err) {
    if (err instanceof DuplicateNameError) return invalid({ name: 'error.duplicate' }, { name, subregion }, 409)
    throw err
  }
  return data({ ok: true as const, errors: {}, values: {} })
}

export default function Municipalities() {
  const { municipalities } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const [params] = useSearchParams()
  const t = useT()
  const editing = municipalities.find((m) => m.id === params.get('bewerk'))
  const errors = result && !result.ok ? result.errors : undefined
  const values = result && !result.ok ? result.values : undefined
  return (
    <>
      <section aria-labelledby="muni-form">
        <Heading level={2} id="muni-form">
          {editing ? `${t('admin.edit')}: ${editing.name}` : t('admin.addMunicipality')}
        </Heading>
        {result?.ok ? <Notice>{t('admin.saved')}</Notice> : null}
        <ErrorSummary errors={errors} />
        <Form method="post" noValidate className="form form--inline" key={editing?.id ?? 'new'}>
          {editing ? <input type="hidden" name="id" value={editing.id} /> : null}
          <TextField name="name" label={t('admin.name')} required maxLength={100} defaultValue={values?.name ?? editing?.name} error={errors?.name} />
          <TextField name="subregion" label={t('admin.subregion')} hint={t('admin.subregionHint')} maxLength={100} defaultValue={values?.subregion ?? editing?.subregion} error={errors?.subregion} />
          <SubmitButton>{editing ? t('admin.save') : t('admin.add')}</SubmitButton>
        </Form>
      </section>
      <table className="utrecht-table data-table">
        <caption className="utrecht-table__caption">{t('admin.municipalities')} ({municipalities.length})</caption>
        <thead className="utrecht-table__header">
          <tr className="utrecht-table__row">
            <th scope="col" className="utrecht-table__header-cell">{t('admin.name')}</th>
            <th scope="col" className="utrecht-table__header-cell">{t('admin.subregion')}</th>
            <th scope="col" className="utrecht-table__header-cell">{t('admin.actions')}</th>
          </tr>
        </thead>
        <tbody className="utrecht-table__body">
          {municipalities.map((m) => (
            <tr key={m.id} className="utrecht-table__row">
              <td className="utrecht-table__cell">{m.name}</td>
              <td className="utrecht-table__cell">{m.subregion}</td>
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
