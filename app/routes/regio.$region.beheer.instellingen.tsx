import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { Paragraph } from '@utrecht/component-library-react'
import { requireAbility } from '../../server/auth/guards'
import { invalid, parseForm, refusal } from '../../server/lib/forms'
import { updateRegionSettings } from '../../server/modules/regions/commands'
import { regionSettings } from '../../server/modules/regions/queries'
import { regionRefusals, settingsSchema } from '../../server/modules/regions/schemas'
import { CheckboxField, Notice, SubmitButton } from '../components/forms'
import { useT } from '../i18n/use'

/** Region settings: for now whether providers may co-draft the leading principles. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { region } = await requireAbility(request, context, params.region, 'region', 'administer')
  return regionSettings(context.db, region.id)
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { auth, region } = await requireAbility(request, context, params.region, 'region', 'administer')
  const parsed = await parseForm(request, settingsSchema)
  if (!parsed.ok) return invalid(parsed.errors, parsed.values)
  const result = await updateRegionSettings(context.db, context.collab, {
    actor: auth.actor,
    regionId: region.id,
    providersMayDraft: parsed.data.providersMayDraft === 'on',
    now: context.clock(),
  })
  if (!result.ok) return refusal(result, regionRefusals)
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
