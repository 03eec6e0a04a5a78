import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { forbidden, requireRegion } from '../../server/auth/guards'
import { invalid, parseForm } from '../../server/lib/forms'
import { can } from '../../server/policy/can'
import { createDocument, listReadableDocuments } from '../../server/modules/documents/documents'
import { creatableKinds, newDocumentSchema, TITLE_MAX } from '../../server/modules/documents/schemas'
import { ErrorSummary, SelectField, SubmitButton, TextField } from '../components/forms'
import { useFormat, useT } from '../i18n/use'
import type { MessageKey } from '../i18n/messages'

/** The region's documents the user may read, and a form to start a new one for those who may. */
const drafterCheck = (regionId: string, kind: (typeof creatableKinds)[number]) =>
  ({ type: 'document', regionId, kind, ownerOrganisationId: null, locked: false }) as const

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { auth, region } = await requireRegion(request, context, params.region)
  const docs = await listReadableDocuments(context.db, auth.actor, region.id)
  return {
    region: { slug: region.slug, name: region.name },
    documents: docs.map((d) => ({ id: d.id, title: d.title, kind: d.kind, status: d.status, permission: d.permission, created_at: d.created_at })),
    // What the form offers; the component may not import server modules itself.
    kinds: creatableKinds.filter((k) => can(auth.actor, 'create', drafterCheck(region.id, k))),
    titleMax: TITLE_MAX,
  }
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { auth, region } = await requireRegion(request, context, params.region)
  const parsed = await parseForm(request, newDocumentSchema)
  if (!parsed.ok) return invalid(parsed.errors, parsed.values)
  if (!can(auth.actor, 'create', drafterCheck(region.id, parsed.data.kind))) forbidden()
  const id = await createDocument(context.db, { regionId: region.id, kind: parsed.data.kind, title: parsed.data.title, actorId: auth.user.id, now: context.clock() })
  return redirect(`/regio/${region.slug}/documenten/${id}`)
}

export default function Documents() {
  const { region, documents, kinds, titleMax } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const t = useT()
  const fmt = useFormat()
  const errors = result && !result.ok ? result.errors : undefined
  const values = result && !result.ok ? result.values : undefined
  return (
    <div className="content">
      <Heading level={1}>{t('docs.title')}</Heading>
      <Paragraph>{t('docs.intro')}</Paragraph>
      {documents.length === 0 ? (
        <Paragraph>{t('docs.empty')}</Paragraph>
      ) : (
        <table className="utrecht-table data-table">
          <caption className="utrecht-table__caption visually-hidden">{t('docs.caption')}</caption>
          <thead className="utrecht-table__header">
            <tr className="utrecht-table__row">
              <th scope="col" className="utrecht-table__header-cell">{t('docs.col.title')}</th>
              <th scope="col" className="utrecht-table__header-cell">{t('docs.col.kind')}</th>
              <th scope="col" className="utrecht-table__header-cell">{t('docs.col.status')}</th>
              <th scope="col" className="utrecht-table__header-cell">{t('docs.col.access')}</th>
              <th scope="col" className="utrecht-table__header-cell">{t('docs.col.created')}</th>
            </tr>
          </thead>
          <tbody className="utrecht-table__body">
            {documents.map((d) => (
              <tr key={d.id} className="utrecht-table__row">
                <td className="utrecht-table__cell">
                  <Link to={`/regio/${region.slug}/documenten/${d.id}`}>{d.title}</Link>
                </td>
                <td className="utrecht-table__cell">{t(`doc.kind.${d.kind}` as MessageKey)}</td>
                <td className="utrecht-table__cell">
                  <span className={`status status--doc-${d.status}`}>{t(`doc.status.${d.status}` as MessageKey)}</span>
                </td>
                <td className="utrecht-table__cell">{t(`doc.access.${d.permission}` as MessageKey)}</td>
                <td className="utrecht-table__cell">{fmt.dateTime(d.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {kinds.length > 0 ? (
        <section aria-labelledby="new-document">
          <Heading level={2} id="new-document">
            {t('docs.new')}
          </Heading>
          <ErrorSummary errors={errors} />
          <Form method="post" noValidate className="form">
            <TextField name="title" label={t('docs.newTitle')} error={errors?.title} defaultValue={values?.title} required maxLength={titleMax} />
            <SelectField
              name="kind"
              label={t('docs.newKind')}
              error={errors?.kind}
              defaultValue={values?.kind}
              options={kinds.map((k) => ({ value: k, label: t(`doc.kind.${k}` as MessageKey) }))}
            />
            <SubmitButton>{t('docs.create')}</SubmitButton>
          </Form>
        </section>
      ) : null}
    </div>
  )
}
