import type { ActionFunctionArgs, LoaderFunctionArgs } from '@remix-run/node'
import { data } from '@remix-run/node'
import { Form, useActionData, useLoaderData } from '@remix-run/react'
import { Heading, Paragraph } from '@utrecht/component-library-react'
import { z } from 'zod'
import { holdsPanelMembers } from '../../server/policy/memberships'
import { notFound, requireAbility } from '../../server/auth/guards'
import { invalid, parseForm } from '../../server/lib/forms'
import { consentSchema, panelIssueSchema } from '../../server/modules/accounts/schemas'
import { issuePanelCode, listPanelMembers, NotAPanelMemberError, recordConsent, withdrawConsent } from '../../server/modules/panels/access'
import { findOrganisation, listOrganisations } from '../../server/modules/regions/queries'
import { CheckboxField, ErrorSummary, Notice, SelectField, SubmitButton, TextField } from '../components/forms'
import { useFormat, useT } from '../i18n/use'

/** The panel coordinator's page: issue codes, see members by display name, record or withdraw consent. */
export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { region } = await requireAbility(request, context, params.region, 'panelAccess', 'manage')
  const [organisations, members] = await Promise.all([
    listOrganisations(context.db, region.id),
    listPanelMembers(context.db, region.id),
  ])
  return { panels: organisations.filter(holdsPanelMembers), members }
}

const withdrawSchema = z.object({ intent: z.literal('withdraw'), userId: z.string().min(1).max(64) })
const reentrySchema = z.object({ intent: z.literal('reentry'), userId: z.string().min(1).max(64) })
const panelAction = z.discriminatedUnion('intent', [panelIssueSchema, consentSchema, withdrawSchema, reentrySchema])

type Reply = { ok: true; code?: string; expiresAt?: string; message?: 'panels.consentRecorded' | 'panels.consentWithdrawn' }

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { auth, region } = await requireAbility(request, context, params.region, 'panelAccess', 'manage')
  const parsed = await parseForm(request, panelAction)
  if (!parsed.ok) return invalid(parsed.errors, parsed.values)
  const input = parsed.data
  const now = context.clock()
  const base = { regionId: region.id, actorId: auth.user.id, now }
  switch (input.intent) {
    case 'issue': {
      const panel = await findOrganisation(context.db, region.id, input.organisationId)
      if (!panel || !holdsPanelMembers(panel)) return invalid({ organisationId: 'error.choice' })
      const issued = await issuePanelCode(context.db, { ...base, organisationId: panel.id, under16: input.under16 === 'on' })
      return data({ ok: true, code: issued.code, expiresAt: issued.expiresAt } satisfies Reply)
    }
    case 'reentry': {
      const member = (await listPanelMembers(context.db, region.id)).find((m) => m.user_id === input.userId)
      if (!member) notFound()
      try {
        const issued = await issuePanelCode(context.db, {
          ...base,
          organisationId: member.organisation_id,
          userId: member.user_id,
          under16: Boolean(member.under_16),
        })
        return data({ ok: true, code: issued.code, expiresAt: issued.expiresAt } satisfies Reply)
      } catch (err) {
        if (err instanceof NotAPanelMemberError) return invalid({ form: 'panels.notPanelOnly' }, {}, 409)
        throw err
      }
    }
    case 'consent': {
      const r = await recordConsent(context.db, { ...base, userId: input.userId, givenBy: input.givenBy })
      if (!r.ok && r.reason === 'not_found') notFound()
      if (!r.ok) return invalid({ form: 'error.choice' }, {}, 409)
      return data({ ok: true, message: 'panels.consentRecorded' } satisfies Reply)
    }
    case 'withdraw': {
      const r = await withdrawConsent(context.db, { ...base, userId: input.userId })
      if (!r.ok) notFound()
      await context.collab.accessChanged({ userId: input.userId })
      return data({ ok: true, message: 'panels.consentWithdrawn' } satisfies Reply)
    }
  }
}

export default function Panels() {
  const { panels, members } = useLoaderData<typeof loader>()
  const result = useActionData<typeof action>()
  const t = useT()
  const fmt = useFormat()
  const errors = result && !result.ok ? result.errors : undefined
  const ok = result && result.ok ? (result as Reply) : undefined
  return (
    <div className="content">
      <Heading level={1}>{t('panels.title')}</Heading>
      <Paragraph>{t('panels.intro')}</Paragraph>
      {ok?.code ? (
        <Notice>
          <Paragraph>{t('panels.codeCreated', { date: fmt.dateTime(ok.expiresAt!) })}</Paragraph>
          <Paragraph>
            <strong className="access-code" data-testid="panel-code">{ok.code}</strong>
          </Paragraph>
        </Notice>
      ) : null}
      {ok?.message ? <Notice>{t(ok.message)}</Notice> : null}
      {errors?.form === 'panels.notPanelOnly' ? <Notice kind="error">{t('panels.notPanelOnly')}</Notice> : <ErrorSummary errors={errors} />}
      <section aria-labelledby="issue-code">
        <Heading level={2} id="issue-code">
          {t('panels.issue')}
        </Heading>
        <Form method="post" noValidate className="form form--inline">
          <input type="hidden" name="intent" value="issue" />
          <SelectField name="organisationId" label={t('panels.panel')} error={errors?.organisationId} options={panels.map((p) => ({ value: p.id, label: p.name }))} />
          <CheckboxField name="under16" label={t('panels.under16')} />
          <SubmitButton>{t('panels.issue')}</SubmitButton>
        </Form>
      </section>
      <section aria-labelledby="members">
        <Heading level={2} id="members">
          {t('panels.members')} ({members.length})
        </Heading>
        {members.length === 0 ? <Paragraph>{t('panels.noMembers')}</Paragraph> : null}
        <ul className="member-list">
          {members.map((m) => (
            <li key={m.user_id} className="card">
              <Heading level={3}>
                {m.name} <span className="muted">· {m.organisation_name}</span>
              </Heading>
              <Paragraph>
                {t('panels.consent')}:{' '}
                {!m.under_16
                  ? t('panels.notNeeded')
                  : m.consent
                    ? t('panels.consentGiven', {
                        givenBy: m.consent.given_by,
                        recorder: m.consent.recorded_by_name ?? '',
                        date: fmt.dateTime(m.consent.recorded_at),
                      })
                    : t('panels.consentNeeded')}
              </Paragraph>
              <div className="actions">
                {m.under_16 && !m.consent ? (
                  <Form method="post" noValidate className="form form--inline">
                    <input type="hidden" name="intent" value="consent" />
                    <input type="hidden" name="userId" value={m.user_id} />
                    <TextField name="givenBy" idPrefix={`c-${m.user_id}`} label={t('panels.givenBy')} hint={t('panels.givenByHint')} required maxLength={80} />
                    <SubmitButton>{t('panels.recordConsent')}</SubmitButton>
                  </Form>
                ) : null}
                {m.under_16 && m.consent ? (
                  <Form method="post">
                    <input type="hidden" name="intent" value="withdraw" />
                    <input type="hidden" name="userId" value={m.user_id} />
                    <SubmitButton secondary>{t('panels.withdrawConsent')}</SubmitButton>
                  </Form>
                ) : null}
                {m.signsInWithCode ? (
                  <Form method="post">
                    <input type="hidden" name="intent" value="reentry" />
                    <input type="hidden" name="userId" value={m.user_id} />
                    <SubmitButton secondary>{t('panels.reentry')}</SubmitButton>
                  </Form>
                ) : null}
              </div>
            </li>
          ))}
        </ul>
      </section>
    </div>
  )
}
