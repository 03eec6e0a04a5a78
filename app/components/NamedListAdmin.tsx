import type { ReactNode } from 'react'
import { Form, Link, useSearchParams } from '@remix-run/react'
import { Heading } from '@utrecht/component-library-react'
import { actionReply, ErrorSummary, Notice, SubmitButton, TextField } from './forms'
import { DataTable } from './DataTable'
import { useT } from '../i18n/use'

/**
 * An admin list of named things (municipalities, organisations): a form that adds one, or edits
 * the one chosen with ?bewerk=id, above a table of all. The caller adds one extra field and column.
 */
type Row = { id: string; name: string }
type Result = { ok: boolean; errors: Record<string, string>; values: Record<string, string> } | undefined

export function NamedListAdmin<R extends Row>({
  rows,
  result,
  title,
  addTitle,
  nameMax,
  extraName,
  extraLabel,
  extraField,
  extraCell,
}: {
  rows: R[]
  result: Result
  title: string
  addTitle: string
  nameMax: number
  /** the form field of the extra column, so a refusal's message (e.g. at 'kind') is linked from the summary */
  extraName: string
  extraLabel: string
  extraField: (args: { editing: R | undefined; values: Record<string, string> | undefined; errors: Record<string, string> | undefined }) => ReactNode
  extraCell: (row: R) => ReactNode
}) {
  const [params] = useSearchParams()
  const t = useT()
  const editing = rows.find((r) => r.id === params.get('bewerk'))
  const { errors, values } = actionReply(result)
  return (
    <>
      <section aria-labelledby="named-form">
        <Heading level={2} id="named-form">
          {editing ? `${t('admin.edit')}: ${editing.name}` : addTitle}
        </Heading>
        {result?.ok ? <Notice>{t('admin.saved')}</Notice> : null}
        <ErrorSummary
          errors={errors}
          fields={[
            { name: 'name', label: t('admin.name') },
            { name: extraName, label: extraLabel },
          ]}
        />
        <Form method="post" noValidate className="form form--inline" key={editing?.id ?? 'new'}>
          {editing ? <input type="hidden" name="id" value={editing.id} /> : null}
          <TextField name="name" label={t('admin.name')} required maxLength={nameMax} defaultValue={values?.name ?? editing?.name} error={errors?.name} />
          {extraField({ editing, values, errors })}
          <SubmitButton>{editing ? t('admin.save') : t('admin.add')}</SubmitButton>
        </Form>
      </section>
      <DataTable
        caption={`${title} (${rows.length})`}
        rows={rows}
        rowKey={(r) => r.id}
        columns={[
          { header: t('admin.name'), className: 'cell--name', cell: (r) => r.name },
          { header: extraLabel, cell: extraCell },
          {
            header: t('admin.actions'),
            cell: (r) => (
              <Link to={`?bewerk=${r.id}`} aria-label={`${t('admin.edit')}: ${r.name}`}>
                {t('admin.edit')}
              </Link>
            ),
          },
        ]}
      />
    </>
  )
}
