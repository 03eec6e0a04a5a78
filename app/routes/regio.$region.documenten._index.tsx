import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { redirect } from '@remix-run/node'
import { Form, Link, useActionData, useLoaderData } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { requireRegion } from '../../server/auth/guards'
import { invalid, parseForm, refusal } from '../../server/lib/forms'
import { newDocument } from '../../server/modules/documents/commands'
import { creatableKindsFor, listDocuments } from '../../server/modules/documents/queries'
import { newDocumentSchema, TITLE_MAX } from '../../server/modules/documents/schemas'
import { actionReply, ErrorSummary, SelectField, SubmitButton, TextField } from '../components/forms'
import { DataTable } from '../components/DataTable'
import { useFormat, useT } from '../i18n/use'
import type { MessageKey } from '../i18n/messages'

/** The region's documents the user may read, and a form to start a new one for those who may. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { auth, region } = await requireRegion(request, context, params.region)
  return {
    region: { slug: region.slug, name: region.name },
    documents: await listDocuments(context.db, { actor: auth.actor, regionId: region.id, now: context.clock() }),
    // What the form offers; the component may not import server modules itself.
    kinds: creatableKindsFor(auth.actor, region.id),
    titleMax: TITLE_MAX,
  }
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { auth, region } = await requireRegion(request, context, params.region)
  const parsed = await parseForm(request, newDocumentSchema)
  if (!parsed.ok) return invalid(parsed.errors, parsed.values)
  const created = await newDocument(context.db, { actor: auth.actor, regionId: region.id, ...parsed.data, now: context.clock() })
  if (!created.ok) return refusal(created, {}, parsed.data)
  return redirect(`/regio/${region.slug}/documenten/${created.id}`)
}

export default function Documents() {
  const { region, documents, kinds, titleMax } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const t = useT()
  const fmt = useFormat()
  const { errors, values } = actionReply(result)
  return (
    <div className="content">
      <Heading level={1}>{t('docs.title')}</Heading>
      <Paragraph>{t('docs.intro')}</Paragraph>
      {documents.length === 0 ? (
        <Paragraph>{t('docs.empty')}</Paragraph>
      ) : (
        <DataTable
          caption={t('docs.caption')}
          captionHidden
          rows={documents}
          rowKey={(d) => d.id}
          columns={[
            { header: t('docs.col.title'), className: 'cell--name', cell: (d) => <Link to={`/regio/${region.slug}/documenten/${d.id}`}>{d.title}</Link> },
            { header: t('docs.col.kind'), cell: (d) => t(`doc.kind.${d.kind}` as MessageKey) },
            {
              header: t('docs.col.status'),
              // An adopted document says so (and still says when it is locked), not "concept".
              cell: (d) =>
                d.adoptedOn ? (
                  <span className="status status--doc-adopted">
                    {d.status === 'locked'
                      ? `${t('doc.status.adopted', { date: fmt.date(d.adoptedOn) })}, ${t('doc.status.locked')}`
                      : t('doc.status.adopted', { date: fmt.date(d.adoptedOn) })}
                  </span>
                ) : (
                  <span className={`status status--doc-${d.status}`}>{t(`doc.status.${d.status}` as MessageKey)}</span>
                ),
            },
            { header: t('docs.col.access'), cell: (d) => t(`doc.access.${d.permission}` as MessageKey) },
            { header: t('docs.col.created'), cell: (d) => fmt.dateTime(d.created_at) },
          ]}
        />
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
