import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { Paragraph } from '@utrecht/component-library-react'
import { z } from 'zod'
import { requireAbility } from '../../server/auth/guards'
import { parseForm } from '../../server/lib/forms'
import { setProvidersMayDraft } from '../../server/modules/regions/commands'
import { CheckboxField, Notice, SubmitButton } from '../components/forms'
import { useT } from '../i18n/use'

/** Region settings: for now whether providers may co-draft the leading principles. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { region } = await requireAbility(request, context, params.region, 'region', 'administer')
  const row = await context.db.selectFrom('regions').select('providers_may_draft').where('id', '=', region.id).executeTakeFirstOrThrow()
  return { providersMayDraft: Boolean(row.providers_may_draft) }
}

const schema = z.object({ providersMayDraft: z.literal('on').optional() })

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { auth, region } = await requireAbility(request, context, params.region, 'region', 'administer')
  const parsed = await parseForm(request, schema)
  if (!parsed.ok) throw new Response('Bad Request', { status: 400 })
  await setProvidersMayDraft(context.db, { regionId: region.id, value: parsed.data.providersMayDraft === 'on', actorId: auth.user.id, now: context.clock() })
  // Open principles documents re-check who may edit them.
  const docs = await context.db.selectFrom('documents').select('id').where('region_id', '=', region.id).where('kind', '=', 'principles').execute()
  for (const d of docs) await context.collab.accessChanged({ docId: d.id })
  return data({ ok: true as const })
}

export default function Settings() {
  const { providersMayDraft } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const t = useT()
  return (
    <>
      {result?.ok ? <Notice>{t('admin.saved')}</Notice> : null}
      <Form method="post" className="form" key={String(providersMayDraft)}>
        <CheckboxField name="providersMayDraft" label={t('settings.providersMayDraft')} defaultChecked={providersMayDraft} />
        <Paragraph className="muted">{t('settings.providersMayDraftHint')}</Paragraph>
        <SubmitButton>{t('admin.save')}</SubmitButton>
      </Form>
    </>
  )
}
