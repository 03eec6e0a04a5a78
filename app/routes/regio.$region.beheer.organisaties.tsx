import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { useActionData, useLoaderData } from '@remix-run/react'
import { organisationKinds } from '../../db/schema'
import { namedListAction, namedListLoader } from '../admin/named-lists.server'
import { NamedListAdmin } from '../components/NamedListAdmin'
import { SelectField } from '../components/forms'
import type { MessageKey } from '../i18n/messages'
import { useT } from '../i18n/use'

export const loader = (args: LoaderFunctionArgs) => namedListLoader('organisations', args)
export const action = (args: ActionFunctionArgs) => namedListAction('organisations', args)

export default function Organisations() {
  const { rows } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const t = useT()
  const kindLabel = (k: string) => t(`kind.${k}` as MessageKey)
  return (
    <NamedListAdmin
      rows={rows}
      result={result}
      title={t('admin.organisations')}
      addTitle={t('admin.addOrganisation')}
      nameMax={150}
      extraName="kind"
      extraLabel={t('admin.kind')}
      extraCell={(o) => kindLabel(o.kind)}
      extraField={({ editing, values, errors }) => (
        <SelectField
          name="kind"
          label={t('admin.kind')}
          defaultValue={values?.kind ?? editing?.kind ?? 'provider'}
          error={errors?.kind}
          options={organisationKinds.map((k) => ({ value: k, label: kindLabel(k) }))}
        />
      )}
    />
  )
}
