import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { namedListAction, namedListLoader } from '../admin/named-lists.server'
import { NamedListAdmin } from '../components/NamedListAdmin'
import { TextField } from '../components/forms'
import { useT } from '../i18n/use'

export const loader = (args: LoaderFunctionArgs) => namedListLoader('municipalities', args)
export const action = (args: ActionFunctionArgs) => namedListAction('municipalities', args)

export default function Municipalities() {
  const { rows } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const t = useT()
  return (
    <NamedListAdmin
      rows={rows}
      result={result}
      title={t('admin.municipalities')}
      addTitle={t('admin.addMunicipality')}
      nameMax={100}
      extraName="subregion"
      extraLabel={t('admin.subregion')}
      extraCell={(m) => m.subregion}
      extraField={({ editing, values, errors }) => (
        <TextField name="subregion" label={t('admin.subregion')} hint={t('admin.subregionHint')} maxLength={100} defaultValue={values?.subregion ?? editing?.subregion} error={errors?.subregion} />
      )}
    />
  )
}
